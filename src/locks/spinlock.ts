/**
 * include/linux/spinlock.h, include/linux/spinlock_api_smp.h, kernel/locking/spinlock.c
 * @ v6.18: spinlock_t and its _irq, _irqsave and trylock forms.
 *
 * LOCKING: the lock word `locked` (0 free, 1 held) lives in the arena and is accessed only
 * through the machine's memory. spin_lock is one locked RMW step (drain this CPU's store
 * buffer, then take the word); a context whose CPU sees the word held is spinning: not
 * offered to the scheduler, no step cost. spin_unlock is a release store that, under TSO,
 * may sit in the store buffer, so other CPUs see the lock held until the write-back. Under
 * lkmm spin_lock is an acquire (not a full barrier: smp_mb__after_spinlock() makes it one)
 * and spin_unlock a release (Memory.lockAcquire, Memory.write).
 *
 * The _irq and _irqsave forms mask interrupts BEFORE spinning (as __raw_spin_lock_irqsave
 * does), so an interrupt can never arrive on this CPU while it spins or holds the lock.
 *
 * Lockdep: the order check runs at the attempt, hardirq usage when the lock is taken, and
 * a hardirq spinning on a lock held by the task it interrupted is reported at once.
 * `owner` is CONFIG_DEBUG_SPINLOCK's owner field (a context id, -1 when free): bookkeeping
 * for messages, written directly, not a modelled access.
 */
import type { Ctx, MachineAccess } from '../sim/context.ts';
import { assert } from '../sim/errors.ts';
import { READ_ONCE } from '../sim/mem.ts';
import { custom, type CustomOp, type Model, type Op } from '../sim/op.ts';
import { checkLive, ctxName, deadOrFree } from './access.ts';
import { local_irq_disable, local_irq_enable, local_irq_restore, local_irq_save } from './irq.ts';
import { lockdep_irq_spin } from './lockdep-context.ts';
import {
  lock_acquire, lock_acquire_try, lock_acquired, lock_release, LD_SPIN,
} from './lockdep.ts';

export { lockdep_assert_held } from './lockdep.ts';

/** Allocates a free `spinlock_t` of lock class `cls` (default: the label). */
export function spin_lock_init(m: MachineAccess, label: string, cls?: string): number {
  return m.alloc('spinlock', { locked: 0, owner: -1, cls: cls ?? label }, label);
}

function holder(m: MachineAccess, l: number): string {
  const owner = m.arena.objs[l]!.owner as number;
  // Stryker disable next-line ConditionalExpression: owner -1 only while a write-back can run
  if (owner >= 0) return ` (held by ${ctxName(m, owner)})`;
  return ' (released; the unlock is still in a store buffer)';
}

const SPIN_LOCK: CustomOp = {
  name: 'spin_lock',
  footprint: 'object',
  exclusive: true,
  enabled(m: MachineAccess, c: Ctx, o: Op): boolean {
    if (deadOrFree(m, o.h) || m.memory.read(c.cpu, o.h, 'locked') === 0) return true;
    // Stryker disable next-line ConditionalExpression: lockdep_irq_spin ignores a task (no IRQ)
    if (c.irq) lockdep_irq_spin(c, o.h);
    return false;
  },
  exec(m: MachineAccess, c: Ctx, o: Op): number {
    checkLive(m, c, o.h, o.fn ?? 'spin_lock', 'locked');
    m.memory.lockAcquire(c.cpu);
    // Stryker disable next-line ConditionalExpression: enabled() saw the word free; drain keeps it
    assert(m.memory.readGlobal(o.h, 'locked') === 0,
      `spin_lock: ${m.arena.label(o.h)} taken although this CPU saw it free`);
    m.memory.writeGlobal(o.h, 'locked', 1);
    m.arena.objs[o.h]!.owner = c.id;
    lock_acquired(c, o.h);
    return 0;
  },
  waitReason: (m: MachineAccess, _c: Ctx, o: Op) =>
    `spinning on ${m.arena.label(o.h)}${holder(m, o.h)}`,
};

const SPIN_TRYLOCK: CustomOp = {
  name: 'spin_trylock',
  footprint: 'object',
  exec(m: MachineAccess, c: Ctx, o: Op): boolean {
    checkLive(m, c, o.h, 'spin_trylock', 'locked');
    m.memory.lockAcquire(c.cpu);
    if (m.memory.readGlobal(o.h, 'locked') !== 0) return false;
    m.memory.writeGlobal(o.h, 'locked', 1);
    m.arena.objs[o.h]!.owner = c.id;
    lock_acquire_try(c, o.h, LD_SPIN, false, 'spin_trylock');
    return true;
  },
};

/** The unlock and lockdep's release are one step, so lockdep never disagrees with memory. */
const SPIN_UNLOCK: CustomOp = {
  name: 'spin_unlock',
  footprint: 'object',
  exec(m: MachineAccess, c: Ctx, o: Op): number {
    checkLive(m, c, o.h, o.fn ?? 'spin_unlock', 'locked');
    lock_release(c, o.h, o.fn ?? 'spin_unlock');
    m.arena.objs[o.h]!.owner = -1;
    m.memory.write(c.cpu, o.h, 'locked', 0);
    return 0;
  },
};

/** `spin_lock(l)`: takes `l`, spinning while another context holds it. */
export function* spin_lock(c: Ctx, l: number): Model<void> {
  lock_acquire(c, l, LD_SPIN, false, 0, 'spin_lock');
  yield custom(SPIN_LOCK, l, 0, 0, 'spin_lock');
}

/** `spin_lock_irq(l)`: masks interrupts on this CPU, then takes `l`. */
export function* spin_lock_irq(c: Ctx, l: number): Model<void> {
  local_irq_disable(c);
  lock_acquire(c, l, LD_SPIN, false, 0, 'spin_lock_irq');
  yield custom(SPIN_LOCK, l, 0, 0, 'spin_lock_irq');
}

/** `spin_lock_irqsave(l, flags)`: saves and masks interrupts, takes `l`; returns flags. */
export function* spin_lock_irqsave(c: Ctx, l: number): Model<number> {
  const flags = local_irq_save(c);
  lock_acquire(c, l, LD_SPIN, false, 0, 'spin_lock_irqsave');
  yield custom(SPIN_LOCK, l, 0, 0, 'spin_lock_irqsave');
  return flags;
}

/**
 * `spin_lock_irqsave_nested(l, flags, subclass)`: spin_lock_irqsave with a lockdep subclass,
 * for code that holds one lock of a class while taking another of the same class in a known
 * order (ep_poll_safewake nests `ep->poll_wait.lock` by wakeup depth).
 */
export function* spin_lock_irqsave_nested(c: Ctx, l: number, subclass: number): Model<number> {
  const flags = local_irq_save(c);
  lock_acquire(c, l, LD_SPIN, false, subclass, 'spin_lock_irqsave_nested');
  yield custom(SPIN_LOCK, l, 0, 0, 'spin_lock_irqsave_nested');
  return flags;
}

/** `spin_trylock(l)`: takes `l` if it is free; never spins. */
export function* spin_trylock(_c: Ctx, l: number): Model<boolean> {
  return (yield custom(SPIN_TRYLOCK, l, 0, 0, 'spin_trylock')) as boolean;
}

/** `spin_unlock(l)`: a release store of the lock word. */
export function* spin_unlock(_c: Ctx, l: number): Model<void> {
  yield custom(SPIN_UNLOCK, l, 0, 0, 'spin_unlock');
}

/** `spin_unlock_irq(l)`: releases `l`, then unmasks interrupts. */
export function* spin_unlock_irq(c: Ctx, l: number): Model<void> {
  yield custom(SPIN_UNLOCK, l, 0, 0, 'spin_unlock_irq');
  local_irq_enable(c);
}

/** `spin_unlock_irqrestore(l, flags)`: releases `l`, then restores the saved IRQ state. */
export function* spin_unlock_irqrestore(c: Ctx, l: number, flags: number): Model<void> {
  yield custom(SPIN_UNLOCK, l, 0, 0, 'spin_unlock_irqrestore');
  local_irq_restore(c, flags);
}

/** `spin_is_locked(l)`: a lockless read of the lock word (this CPU's view). */
export function* spin_is_locked(_c: Ctx, l: number): Model<boolean> {
  return (yield READ_ONCE(l, 'locked', 'spin_is_locked')) !== 0;
}
