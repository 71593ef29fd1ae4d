/**
 * include/asm-generic/qspinlock.h @ v6.18, reduced to its contract: arch_spin_lock() and
 * arch_spin_unlock() on a lock word that is a field of a bigger object (the `wait_lock` of
 * a qrwlock, a mutex or an rw_semaphore). These raw locks are internal to the primitives,
 * so lockdep does not track them (as for arch_spinlock_t in the kernel).
 *
 * The acquire is one locked RMW: it drains this CPU's store buffer and needs the word free
 * in memory; it can run when this CPU's view of the word is 0, since that is what memory
 * will hold after the drain. The unlock is a release store, which under TSO may wait in the
 * store buffer: other CPUs see the lock held until the write-back. The queue of qspinlock
 * (fairness) is not modelled: any spinner may win.
 */
import type { Ctx, MachineAccess } from '../sim/context.ts';
import { assert } from '../sim/errors.ts';
import { smp_store_release } from '../sim/mem.ts';
import { K, op, type CustomOp, type Model, type Op } from '../sim/op.ts';
import { checkLive, deadOrFree } from './access.ts';
import { lockdep_irq_spin } from './lockdep-context.ts';

const ARCH_SPIN_LOCK: CustomOp = {
  name: 'arch_spin_lock',
  footprint: 'object',
  exclusive: true,
  enabled(m: MachineAccess, c: Ctx, o: Op): boolean {
    if (deadOrFree(m, o.h) || m.memory.read(c.cpu, o.h, o.f) === 0) return true;
    // A hardirq queueing on a qrwlock's wait_lock while the task it interrupted holds that
    // rwlock: the queue ahead waits for that task, which waits for the handler.
    // Stryker disable next-line ConditionalExpression: lockdep_irq_spin ignores a task (no IRQ)
    if (c.irq) lockdep_irq_spin(c, o.h);
    return false;
  },
  exec(m: MachineAccess, c: Ctx, o: Op): number {
    checkLive(m, c, o.h, o.fn ?? 'arch_spin_lock', o.f);
    m.memory.drain(c.cpu);
    // Stryker disable next-line ConditionalExpression: enabled() saw the word free; drain keeps it
    assert(m.memory.readGlobal(o.h, o.f) === 0, `arch_spin_lock: ${m.arena.label(o.h)}.${o.f} ` +
      'taken although this CPU saw it free');
    m.memory.writeGlobal(o.h, o.f, 1);
    return 0;
  },
  waitReason: (m: MachineAccess, _c: Ctx, o: Op) =>
    `spinning on ${m.arena.label(o.h)}.${o.f} (arch_spin_lock)`,
};

/** `arch_spin_lock(&obj->f)`: spins until the word is free, then takes it (one step). */
export function* arch_spin_lock(_c: Ctx, h: number, f: string, fn: string): Model<void> {
  yield op(K.CUSTOM, h, f, 0, 0, fn, ARCH_SPIN_LOCK);
}

/** `arch_spin_unlock(&obj->f)`: a release store of 0 (buffered under TSO). */
export function* arch_spin_unlock(_c: Ctx, h: number, f: string, fn: string): Model<void> {
  yield smp_store_release(h, f, 0, fn);
}
