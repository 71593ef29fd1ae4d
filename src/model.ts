/**
 * `eventpoll-sim/model`: everything a variant is written with. Kernel names throughout:
 * the memory API (`READ_ONCE`, `smp_mb`, `xchg`, ...), locks and sleeping (`spin_lock_irqsave`,
 * `mutex_lock`, wait queues, `schedule`, RCU), lists (`list_add_tail`, its RCU forms, the
 * ovflist chain, wfcqueue, llist), the arena of kernel objects, the eventpoll structures and
 * file types, the syscalls, and the built-in variants' own functions (as namespaces, since
 * each era has its own `ep_poll_callback`). See docs/own-variant.md.
 *
 * @packageDocumentation
 */
import './eventpoll/variants.ts';

// ---- the machine: contexts, model functions, memory -----------------------------------------
export type { Ctx, MachineAccess, HrTimer, BlockedOn } from './sim/context.ts';
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
export * from './queues/list-rcu.ts';
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
export { kernel, EpKernel, variantState } from './eventpoll/kernel.ts';
export {
  ep_find, do_epoll_ctl, ep_loop_check, ep_loop_check_proc, ep_get_upwards_depth_proc, CTL_OPS,
} from './eventpoll/ctl.ts';
export { COMMON_OPS } from './eventpoll/common.ts';
export { checkFileTypes } from './scenario/validate.ts';
export type { BuiltinFileSpec, CustomFileSpec } from './scenario/types.ts';
export * from './eventpoll/syscalls.ts';
export * from './eventpoll/task-work.ts';
export { SIGNALFD } from './eventpoll/files/signalfd.ts';
export {
  defineVariant, registerVariant, getVariant, resolveVariant, variantNames, FAULTS,
  OPTIONAL_OPS, BUILTIN_FILE_TYPES, fullOps,
} from './eventpoll/variant.ts';
export type {
  EpOps, FullEpOps, BugSwitch, KnownViolation, ScanProc, SendEventsData, Variant,
  VariantConfig, VariantDefinition,
} from './eventpoll/variant.ts';

// ---- the built-in variants' own functions, one namespace per variant -----------------------
// (each era has its own ep_poll_callback, ep_poll, ...: `mainline.ep_done_scan`,
// `classic419.ep_scan_ready_list`; a user variant reuses them by name)
/** mainline-6.18 (fs/eventpoll.c v6.18). */
export * as mainline from './eventpoll/mainline/model.ts';
/** classic-4.19: ep_scan_ready_list with ovflist, rwlock-free. */
export * as classic419 from './eventpoll/classic-4.19/model.ts';
/** singlepass-2.6.22: Davide Libenzi's single-pass ep_send_events. */
export * as singlepass2622 from './eventpoll/singlepass-2.6.22/model.ts';
/** rwlock-5.1: Roman Penyaev's rwlock ep->lock with lockless list_add_tail. */
export * as rwlock51 from './eventpoll/rwlock-5.1/model.ts';
/** wfcqueue-rfc-v3: Eric Wong's wfcqueue RFC. */
export * as wfcqueueRfcV3 from './eventpoll/wfcqueue-rfc-v3/model.ts';
/** exclusive-4.5: Jason Baron's EPOLLEXCLUSIVE. */
export * as exclusive45 from './eventpoll/exclusive-4.5/model.ts';
/** roundrobin-rfc: Jason Baron's round-robin wake policy RFC. */
export * as roundrobinRfc from './eventpoll/roundrobin-rfc/model.ts';
