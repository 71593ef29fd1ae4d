/**
 * kernel/locking/qrwlock.c, include/asm-generic/qrwlock.h @ v6.18: rwlock_t as a queued
 * rwlock, with the _irq and _irqsave forms of include/linux/rwlock_api_smp.h.
 *
 * The lock word `cnts` holds the reader count (in units of _QR_BIAS) and _QW_WAITING; its
 * low byte `wlocked` (_QW_LOCKED when a writer holds the lock) is a separate field here,
 * because write_unlock is a release store to that byte alone (it must not clobber readers'
 * concurrent increments) and under TSO that store may wait in the store buffer. Every RMW
 * on the word is a locked instruction (drains this CPU's buffer) and sees both fields.
 *
 * Semantics kept from qrwlock.c, including the one bug B11 needs:
 * - a reader adds _QR_BIAS; if a writer holds or waits, it backs out and queues on
 *   `wait_lock` behind the writer, EXCEPT a reader in interrupt context, which only waits
 *   for a holding writer to leave and so passes a waiting writer (queued_read_lock_slowpath);
 * - a writer queues on `wait_lock` (one waiting writer at a time), sets _QW_WAITING, and
 *   waits for the readers to drain before it takes the lock.
 *
 * LIVENESS (P7): the lock counts the readers that take it while a writer waits
 * (`bypass`); past `m.limits.bypassMax` it reports writer starvation, naming the writer.
 * `holder` (the writer holding it), `writer` (the one waiting), `bypass` and `starved` are
 * checker bookkeeping, written directly, not modelled accesses; the step the writer began
 * waiting at is kept in the writer's context (for the message). Every operation touches
 * the lock object alone (footprint `object`, for partial-order reduction).
 * Fused steps (stated): a cond-read spin followed by a cmpxchg that retries is one custom op
 * enabled when the cmpxchg would succeed; failed attempts change nothing but the timing of
 * a store-buffer drain, which the scheduler can produce on its own.
 */
import type { Ctx, MachineAccess } from '../sim/context.ts';
import { assert } from '../sim/errors.ts';
import { custom, type CustomOp, type Model, type Op } from '../sim/op.ts';
import { checkLive, ctxName, deadOrFree } from './access.ts';
import { arch_spin_lock, arch_spin_unlock } from './arch-spinlock.ts';
import { local_irq_disable, local_irq_enable, local_irq_restore, local_irq_save } from './irq.ts';
import { lockdep_irq_spin } from './lockdep-context.ts';
import {
  lock_acquire, lock_acquire_try, lock_acquired, lock_release, LD_RWLOCK,
} from './lockdep.ts';

/** A writer holds the lock (the `wlocked` byte). */
export const _QW_LOCKED = 0xff;
/** A writer is waiting for the readers to drain. */
export const _QW_WAITING = 0x100;
/** Writer bits: held or waiting. */
export const _QW_WMASK = 0x1ff;
/** One reader. */
export const _QR_BIAS = 0x200;

/** Allocates a free `rwlock_t` of lock class `cls` (default: the label). */
export function rwlock_init(m: MachineAccess, label: string, cls?: string): number {
  return m.alloc('rwlock', {
    cnts: 0, wlocked: 0, wait_lock: 0, cls: cls ?? label,
    // Stryker disable next-line UnaryOperator: holder is only read while a writer holds the lock
    holder: -1,
    writer: -1, bypass: 0, starved: 0,
  }, label);
}

function word(m: MachineAccess, cpu: number, l: number): number {
  return (m.memory.read(cpu, l, 'cnts') as number) | (m.memory.read(cpu, l, 'wlocked') as number);
}

/** A locked RMW on the whole word: drain, then read memory. */
function lockedWord(m: MachineAccess, c: Ctx, o: Op, f: string): number {
  checkLive(m, c, o.h, o.fn ?? 'qrwlock', f);
  m.memory.drain(c.cpu);
  return (m.memory.readGlobal(o.h, 'cnts') as number) |
    (m.memory.readGlobal(o.h, 'wlocked') as number);
}

/** `atomic_add_return_acquire(v, &lock->cnts)`: returns the new word. */
const QR_ADD: CustomOp = {
  name: 'atomic_add_return',
  footprint: 'object',
  exec(m: MachineAccess, c: Ctx, o: Op): number {
    const w = lockedWord(m, c, o, 'cnts') + (o.v as number);
    m.memory.writeGlobal(o.h, 'cnts', w & ~_QW_LOCKED);
    return w;
  },
};

/** `atomic_sub_return_release(_QR_BIAS, &lock->cnts)` with lockdep's release. */
const QR_UNLOCK: CustomOp = {
  name: 'queued_read_unlock',
  footprint: 'object',
  exec(m: MachineAccess, c: Ctx, o: Op): number {
    const w = lockedWord(m, c, o, 'cnts') - _QR_BIAS;
    lock_release(c, o.h, o.fn ?? 'read_unlock');
    m.memory.writeGlobal(o.h, 'cnts', w & ~_QW_LOCKED);
    return w;
  },
};

/** `atomic_cond_read_acquire(&lock->cnts, !(VAL & _QW_LOCKED))`: spin on this CPU's view. */
const QR_WAIT_UNLOCKED: CustomOp = {
  name: 'atomic_cond_read_acquire',
  footprint: 'object',
  enabled(m: MachineAccess, c: Ctx, o: Op): boolean {
    if (deadOrFree(m, o.h) || m.memory.read(c.cpu, o.h, 'wlocked') === 0) return true;
    // Stryker disable next-line ConditionalExpression: lockdep_irq_spin ignores a task (no IRQ)
    if (c.irq) lockdep_irq_spin(c, o.h);
    return false;
  },
  exec(m: MachineAccess, c: Ctx, o: Op): number {
    // Stryker disable next-line LogicalOperator: o.fn is always queued_read_lock_slowpath here
    checkLive(m, c, o.h, o.fn ?? 'queued_read_lock_slowpath', 'cnts');
    // An acquire of the whole word (wlocked is its low byte: the writer's release store).
    return (m.memory.readAcquire(c.cpu, o.h, 'cnts') as number) |
      (m.memory.readAcquire(c.cpu, o.h, 'wlocked') as number);
  },
  waitReason: (m: MachineAccess, _c: Ctx, o: Op) => `spinning in queued_read_lock_slowpath ` +
    `until the writer ${ctxName(m, m.arena.objs[o.h]!.holder as number)} releases ` +
    m.arena.label(o.h),
};

/** `atomic_try_cmpxchg_acquire(&lock->cnts, 0, _QW_LOCKED)`. */
const QW_TRYLOCK: CustomOp = {
  name: 'atomic_try_cmpxchg_acquire',
  footprint: 'object',
  exec(m: MachineAccess, c: Ctx, o: Op): boolean {
    if (lockedWord(m, c, o, 'cnts') !== 0) return false;
    m.memory.writeGlobal(o.h, 'wlocked', _QW_LOCKED);
    return true;
  },
};

/** `atomic_or(_QW_WAITING, &lock->cnts)`: from here on readers in process context queue. */
const QW_SET_WAITING: CustomOp = {
  name: 'atomic_or',
  footprint: 'object',
  exec(m: MachineAccess, c: Ctx, o: Op): number {
    const w = lockedWord(m, c, o, 'cnts') | _QW_WAITING;
    m.memory.writeGlobal(o.h, 'cnts', w & ~_QW_LOCKED);
    const b = m.arena.objs[o.h]!;
    b.writer = c.id;
    // The step number is kept by the writer, outside the arena: it depends on the order of
    // steps that do not touch the lock, and the lock's state must not (partial-order
    // reduction treats this op as touching the lock alone).
    c.local.qrwlockWaitSince = m.step;
    b.bypass = 0;
    return w;
  },
};

/** The wait-for-readers loop: cond_read(VAL == _QW_WAITING), cmpxchg to _QW_LOCKED. */
const QW_LOCK_WAITING: CustomOp = {
  name: 'queued_write_lock_slowpath',
  footprint: 'object',
  enabled(m: MachineAccess, c: Ctx, o: Op): boolean {
    if (deadOrFree(m, o.h) || word(m, c.cpu, o.h) === _QW_WAITING) return true;
    // Stryker disable next-line ConditionalExpression: lockdep_irq_spin ignores a task (no IRQ)
    if (c.irq) lockdep_irq_spin(c, o.h);
    return false;
  },
  exec(m: MachineAccess, c: Ctx, o: Op): number {
    // Stryker disable next-line ConditionalExpression: enabled() saw the word idle; drain keeps it
    assert(lockedWord(m, c, o, 'cnts') === _QW_WAITING,
      `qrwlock: ${m.arena.label(o.h)} taken for write while not idle`);
    m.memory.writeGlobal(o.h, 'cnts', 0);
    m.memory.writeGlobal(o.h, 'wlocked', _QW_LOCKED);
    m.arena.objs[o.h]!.writer = -1;
    return _QW_LOCKED;
  },
  waitReason(m: MachineAccess, c: Ctx, o: Op): string {
    const n = (m.memory.read(c.cpu, o.h, 'cnts') as number) >>> 9;
    return `waiting in queued_write_lock_slowpath for ${n} reader(s) of ` +
      `${m.arena.label(o.h)} to leave`;
  },
};

/** `smp_store_release(&lock->wlocked, 0)` with lockdep's release (one step). */
const QW_UNLOCK: CustomOp = {
  name: 'queued_write_unlock',
  footprint: 'object',
  exec(m: MachineAccess, c: Ctx, o: Op): number {
    checkLive(m, c, o.h, o.fn ?? 'write_unlock', 'wlocked');
    lock_release(c, o.h, o.fn ?? 'write_unlock');
    // Stryker disable next-line UnaryOperator: holder is only read while a writer holds the lock
    m.arena.objs[o.h]!.holder = -1;
    m.memory.write(c.cpu, o.h, 'wlocked', 0);
    return 0;
  },
};

/** A reader got the lock: lockdep, and the P7 count of readers passing a waiting writer. */
function reader_acquired(c: Ctx, l: number): void {
  lock_acquired(c, l);
  const m = c.m;
  const b = m.arena.objs[l]!;
  if ((b.writer as number) < 0) return;
  const n = (b.bypass as number) + 1;
  b.bypass = n;
  if (n <= m.limits.bypassMax ||
    // Stryker disable next-line ConditionalExpression: a run ends at its first violation
    b.starved !== 0) return;
  b.starved = 1;
  const w = m.contexts()[b.writer as number];
  // `writer` is a context id (>= 0 here), so `w` is defined: the `?.` below are defensive.
  m.report({
    property: 'P7-liveness', kind: 'writer-starvation',
    // Stryker disable next-line OptionalChaining: w is defined (see above)
    message: `writer starvation: ${w?.name ?? '?'} (cpu${w?.cpu ?? '?'}) has waited for ` +
      `write_lock(${m.arena.label(l)}) since step ${w?.local.qrwlockWaitSince as number} ` +
      `while ${n} ` +
      `readers took the lock (more than bypassMax ${m.limits.bypassMax}); the last was ` +
      `${c.name} (cpu${c.cpu})${c.irq ? ' in interrupt context, which qrwlock lets pass a ' +
        'waiting writer' : ''}`,
    // Stryker disable next-line OptionalChaining: w is defined (see above)
    ctx: w?.id ?? c.id, cpu: w?.cpu ?? c.cpu,
  });
}

/** queued_read_lock() and queued_read_lock_slowpath(). */
function* queued_read_lock(c: Ctx, l: number, fn: string): Model<void> {
  const w = (yield custom(QR_ADD, l, _QR_BIAS, 0, fn)) as number;
  if ((w & _QW_WMASK) === 0) return reader_acquired(c, l);
  const slow = 'queued_read_lock_slowpath';
  if (c.irq) {
    // Readers in interrupt context get the lock as soon as no writer HOLDS it, even if
    // one waits: they cannot queue behind a writer that may be the task they interrupted.
    yield custom(QR_WAIT_UNLOCKED, l, 0, 0, slow);
    return reader_acquired(c, l);
  }
  yield custom(QR_ADD, l, -_QR_BIAS, 0, slow);
  yield* arch_spin_lock(c, l, 'wait_lock', slow);
  yield custom(QR_ADD, l, _QR_BIAS, 0, slow);
  yield custom(QR_WAIT_UNLOCKED, l, 0, 0, slow);
  reader_acquired(c, l);
  yield* arch_spin_unlock(c, l, 'wait_lock', slow);
}

/** queued_write_lock() and queued_write_lock_slowpath(). */
function* queued_write_lock(c: Ctx, l: number, fn: string): Model<void> {
  const slow = 'queued_write_lock_slowpath';
  if (!((yield custom(QW_TRYLOCK, l, 0, 0, fn)) as boolean)) {
    yield* arch_spin_lock(c, l, 'wait_lock', slow);
    if (!((yield custom(QW_TRYLOCK, l, 0, 0, slow)) as boolean)) {
      yield custom(QW_SET_WAITING, l, 0, 0, slow);
      yield custom(QW_LOCK_WAITING, l, 0, 0, slow);
    }
    c.m.arena.objs[l]!.holder = c.id;
    lock_acquired(c, l);
    yield* arch_spin_unlock(c, l, 'wait_lock', slow);
    return;
  }
  c.m.arena.objs[l]!.holder = c.id;
  lock_acquired(c, l);
}

/** `read_lock(l)`. */
export function* read_lock(c: Ctx, l: number): Model<void> {
  lock_acquire(c, l, LD_RWLOCK, true, 0, 'read_lock');
  yield* queued_read_lock(c, l, 'read_lock');
}

/** `read_lock_irq(l)`: masks interrupts, then read_lock. */
export function* read_lock_irq(c: Ctx, l: number): Model<void> {
  local_irq_disable(c);
  lock_acquire(c, l, LD_RWLOCK, true, 0, 'read_lock_irq');
  yield* queued_read_lock(c, l, 'read_lock_irq');
}

/** `read_lock_irqsave(l, flags)`: returns flags. */
export function* read_lock_irqsave(c: Ctx, l: number): Model<number> {
  const flags = local_irq_save(c);
  lock_acquire(c, l, LD_RWLOCK, true, 0, 'read_lock_irqsave');
  yield* queued_read_lock(c, l, 'read_lock_irqsave');
  return flags;
}

/** `write_lock(l)`. */
export function* write_lock(c: Ctx, l: number): Model<void> {
  lock_acquire(c, l, LD_RWLOCK, false, 0, 'write_lock');
  yield* queued_write_lock(c, l, 'write_lock');
}

/** `write_lock_irq(l)`: masks interrupts, then write_lock. */
export function* write_lock_irq(c: Ctx, l: number): Model<void> {
  local_irq_disable(c);
  lock_acquire(c, l, LD_RWLOCK, false, 0, 'write_lock_irq');
  yield* queued_write_lock(c, l, 'write_lock_irq');
}

/** `write_lock_irqsave(l, flags)`: returns flags. */
export function* write_lock_irqsave(c: Ctx, l: number): Model<number> {
  const flags = local_irq_save(c);
  lock_acquire(c, l, LD_RWLOCK, false, 0, 'write_lock_irqsave');
  yield* queued_write_lock(c, l, 'write_lock_irqsave');
  return flags;
}

/** `write_trylock(l)`: queued_write_trylock(). */
export function* write_trylock(c: Ctx, l: number): Model<boolean> {
  const ok = (yield custom(QW_TRYLOCK, l, 0, 0, 'write_trylock')) as boolean;
  if (ok) {
    c.m.arena.objs[l]!.holder = c.id;
    lock_acquire_try(c, l, LD_RWLOCK, false, 'write_trylock');
  }
  return ok;
}

/** `read_unlock(l)`. */
export function* read_unlock(_c: Ctx, l: number): Model<void> {
  yield custom(QR_UNLOCK, l, 0, 0, 'read_unlock');
}

/** `read_unlock_irq(l)`. */
export function* read_unlock_irq(c: Ctx, l: number): Model<void> {
  yield custom(QR_UNLOCK, l, 0, 0, 'read_unlock_irq');
  local_irq_enable(c);
}

/** `read_unlock_irqrestore(l, flags)`. */
export function* read_unlock_irqrestore(c: Ctx, l: number, flags: number): Model<void> {
  yield custom(QR_UNLOCK, l, 0, 0, 'read_unlock_irqrestore');
  local_irq_restore(c, flags);
}

/** `write_unlock(l)`. */
export function* write_unlock(_c: Ctx, l: number): Model<void> {
  yield custom(QW_UNLOCK, l, 0, 0, 'write_unlock');
}

/** `write_unlock_irq(l)`. */
export function* write_unlock_irq(c: Ctx, l: number): Model<void> {
  yield custom(QW_UNLOCK, l, 0, 0, 'write_unlock_irq');
  local_irq_enable(c);
}

/** `write_unlock_irqrestore(l, flags)`. */
export function* write_unlock_irqrestore(c: Ctx, l: number, flags: number): Model<void> {
  yield custom(QW_UNLOCK, l, 0, 0, 'write_unlock_irqrestore');
  local_irq_restore(c, flags);
}
