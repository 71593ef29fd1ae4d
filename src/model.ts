/**
 * `eventpoll-sim/model`: everything a variant is written with. Kernel names throughout:
 * the memory API (`READ_ONCE`, `smp_mb`, `xchg`, ...), locks and sleeping (`spin_lock_irqsave`,
 * `mutex_lock`, wait queues, `schedule`), lists (`list_add_tail`, the ovflist chain,
 * wfcqueue, llist), the arena of kernel objects, the eventpoll structures and file types, the
 * syscalls, and the built-in variants' own functions (as namespaces, since each era has its
 * own `ep_poll_callback`). See docs/own-variant.md.
 *
 * @packageDocumentation
 */
import './eventpoll/variants.ts';

// ---- the machine: contexts, model functions, memory -----------------------------------------
export type { Ctx, MachineAccess, HrTimer } from './sim/context.ts';
export { TASK_RUNNING, TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE } from './sim/context.ts';
export type { Model, Op, CustomOp } from './sim/op.ts';
export { op, custom } from './sim/op.ts';
export * from './sim/mem.ts';
export type { MemoryMode } from './sim/memory.ts';
export { ModelError, assert } from './sim/errors.ts';
export type { Violation, PropertyId } from './sim/violation.ts';

// ---- locks, sleeping, interrupts, lockdep ---------------------------------------------------
export * from './locks/index.ts';

// ---- lists and queues, on the arena ---------------------------------------------------------
export { Arena, NULL, EP_UNACTIVE_PTR, LIST_POISON1, LIST_POISON2 } from './queues/arena.ts';
export type { Ref, KObject, FreeSite } from './queues/arena.ts';
export * from './queues/list.ts';
export * from './queues/list-lockless.ts';
export * from './queues/llist.ts';
export * from './queues/ovflist.ts';
export * from './queues/wfcqueue.ts';

// ---- eventpoll: structures, files, syscalls, the runtime ------------------------------------
// uapi's EINTR is the same -4 that locks/sched.ts exports for interrupted sleeps.
export * from './eventpoll/uapi.ts';
export { EINTR } from './eventpoll/uapi.ts';
export * from './eventpoll/structs.ts';
export * from './eventpoll/file.ts';
export * from './eventpoll/wakeup-source.ts';
export { kernel, EpKernel } from './eventpoll/kernel.ts';
export { ep_find, do_epoll_ctl } from './eventpoll/ctl.ts';
export * from './eventpoll/syscalls.ts';
export {
  defineVariant, registerVariant, getVariant, resolveVariant, variantNames, FAULTS,
} from './eventpoll/variant.ts';
export type { EpOps, BugSwitch, Variant, VariantConfig } from './eventpoll/variant.ts';
