/**
 * kernel/locking/mutex.c @ v6.18, simplified: a sleeping mutex with the owner word, the
 * wait list under `wait_lock`, TASK_UNINTERRUPTIBLE sleeps and the handoff protocol.
 * Not modelled: optimistic spinning (an optimisation that only shortens sleeps), ww_mutex,
 * killable/interruptible variants.
 *
 * The owner word is `task << 3 | flags` (a task_struct pointer is aligned, so the kernel
 * keeps MUTEX_FLAG_WAITERS, MUTEX_FLAG_HANDOFF and MUTEX_FLAG_PICKUP in its low bits).
 *
 * THE TWO-PHASE UNLOCK (bug B15, Documentation/locking/mutex-design.rst): mutex_unlock()
 * first releases ownership with one atomic op, after which another task can take the mutex,
 * and only then, if there are waiters, takes `wait_lock` and wakes the first waiter. A new
 * owner that frees the object holding the mutex in between makes that late access a
 * use-after-free; here it is reported as one (P3), naming the site that freed it.
 *
 * LOCKING: `owner` changes only by locked RMW; `wait_list` and the waiters only under
 * `wait_lock` (an untracked raw spinlock, taken with IRQs off on the unlock side).
 */
import type { BlockedOn, Ctx, MachineAccess } from '../sim/context.ts';
import { TASK_RUNNING, TASK_UNINTERRUPTIBLE } from '../sim/context.ts';
import { cmpxchg, load, READ_ONCE } from '../sim/mem.ts';
import { custom, type CustomOp, type Model, type Op } from '../sim/op.ts';
import {
  list_add_tail, list_del, list_empty, list_entry, list_head_alloc,
} from '../queues/list.ts';
import { checkLive } from './access.ts';
import { arch_spin_lock, arch_spin_unlock } from './arch-spinlock.ts';
import { local_irq_restore, local_irq_save } from './irq.ts';
import {
  lock_acquire, lock_acquire_try, lock_acquired, lock_release, LD_MUTEX,
} from './lockdep.ts';
import {
  __set_current_state, might_sleep, schedule, set_current_state, wake_up_process,
} from './sched.ts';

/** Non-empty wait list: unlock must wake the first waiter. */
export const MUTEX_FLAG_WAITERS = 0x01;
/** The first waiter asks the unlocker to hand the mutex to it. */
export const MUTEX_FLAG_HANDOFF = 0x02;
/** Handed off: the owner named in the word must pick it up. */
export const MUTEX_FLAG_PICKUP = 0x04;
/** All flags. */
export const MUTEX_FLAGS = 0x07;

/** Allocates an unlocked mutex of lock class `cls` (default: the label). */
export function mutex_init(m: MachineAccess, label: string, cls?: string): number {
  const mu = m.alloc('mutex', { owner: 0, wait_lock: 0, wait_list: 0, cls: cls ?? label }, label);
  m.arena.objs[mu]!.wait_list = list_head_alloc(m, mu, `${label}.wait_list`);
  return mu;
}

/** The `wait_list` head of a mutex (an embedded member: reading it is not an access). */
export function mutex_wait_list(m: MachineAccess, mu: number): number {
  return m.arena.objs[mu]!.wait_list as number;
}

/**
 * `current` as a mutex owner. A context without a task (the machine's setup context, or a
 * hardirq, which is reported anyway) gets a stand-in task_struct, so that the owner word
 * never reads as free while the mutex is held.
 */
function current(c: Ctx): number {
  if (c.task !== 0) return c.task;
  let t = c.local.mutexOwner as number | undefined;
  if (t === undefined) {
    t = c.m.alloc('task_struct', { state: 0, sigpending: 0 }, `${c.name} (no task)`);
    c.local.mutexOwner = t;
  }
  return t;
}

/** A locked RMW on the owner word: drain, then read memory. */
function ownerWord(m: MachineAccess, c: Ctx, o: Op): number {
  checkLive(m, c, o.h, o.fn ?? 'mutex', 'owner');
  m.memory.drain(c.cpu);
  return m.memory.readGlobal(o.h, 'owner') as number;
}

/**
 * __mutex_trylock_common(lock, handoff): takes a free mutex, picks up a handed-off one, or
 * (handoff) sets MUTEX_FLAG_HANDOFF for the owner to see. True when `c` now owns it.
 * The read + cmpxchg retry loop is one step: a failed cmpxchg only re-reads.
 */
const MUTEX_TRYLOCK: CustomOp = {
  name: '__mutex_trylock',
  footprint: { field: 'owner' },
  exec(m: MachineAccess, c: Ctx, o: Op): boolean {
    const owner = ownerWord(m, c, o);
    const curr = current(c);
    let flags = owner & MUTEX_FLAGS;
    let task = owner >>> 3;
    if (task !== 0) {
      if ((flags & MUTEX_FLAG_PICKUP) !== 0) {
        if (task !== curr) return false;
        flags &= ~MUTEX_FLAG_PICKUP;
      } else if (o.v === true) {
        if ((flags & MUTEX_FLAG_HANDOFF) === 0) {
          m.memory.writeGlobal(o.h, 'owner', owner | MUTEX_FLAG_HANDOFF);
        }
        return false;
      } else {
        return false;
      }
    } else {
      task = curr;
    }
    m.memory.writeGlobal(o.h, 'owner', (task << 3) | flags);
    // Stryker disable next-line ConditionalExpression: here task is always curr (see above)
    return task === curr;
  },
};

/** atomic_long_or / atomic_long_andnot of flags (`v` to set, `o` to clear). */
const MUTEX_FLAG_OP: CustomOp = {
  name: '__mutex_set_flag',
  footprint: { field: 'owner' },
  exec(m: MachineAccess, c: Ctx, o: Op): number {
    const owner = (ownerWord(m, c, o) | (o.v as number)) & ~(o.o as number);
    m.memory.writeGlobal(o.h, 'owner', owner);
    return owner;
  },
};

/**
 * The release of __mutex_unlock_fast/__mutex_unlock_slowpath: unless HANDOFF is set, clear
 * the owner and keep the flags. Returns the word found. After this step another task may
 * own the mutex.
 */
const MUTEX_RELEASE: CustomOp = {
  name: 'atomic_long_try_cmpxchg_release',
  footprint: { field: 'owner' },
  exec(m: MachineAccess, c: Ctx, o: Op): number {
    const owner = ownerWord(m, c, o);
    if ((owner & MUTEX_FLAG_HANDOFF) === 0) {
      m.memory.writeGlobal(o.h, 'owner', owner & MUTEX_FLAGS);
    }
    return owner;
  },
};

/** __mutex_handoff(lock, task): owner = task | PICKUP, keeping WAITERS. */
const MUTEX_HANDOFF: CustomOp = {
  name: '__mutex_handoff',
  footprint: { field: 'owner' },
  exec(m: MachineAccess, c: Ctx, o: Op): number {
    const task = o.v as number;
    const owner = (ownerWord(m, c, o) & MUTEX_FLAG_WAITERS) |
      (task << 3) | (task !== 0 ? MUTEX_FLAG_PICKUP : 0);
    m.memory.writeGlobal(o.h, 'owner', owner);
    return owner;
  },
};

/**
 * The `struct mutex_waiter` on this context's stack. A task waits on one mutex at a time,
 * so like a kernel stack frame it is reused by every slow path of the context (no
 * allocation per contended lock); `task` never changes and `list` is rewritten by the add.
 */
function stackWaiter(c: Ctx): number {
  let w = c.local.mutexWaiter as number | undefined;
  if (w === undefined) {
    w = c.m.alloc('mutex_waiter', { task: current(c), list: 0 }, `mutex_waiter@${c.name}`);
    c.m.arena.objs[w]!.list = list_head_alloc(c.m, w, `mutex_waiter@${c.name}.list`);
    c.local.mutexWaiter = w;
  }
  return w;
}

/** The task in a mutex's owner word (global memory), for a sleeping-deadlock report. */
function mutexHolders(m: MachineAccess, mu: number): number[] {
  if (!m.arena.isLive(mu)) return [];
  const task = (m.memory.readGlobal(mu, 'owner') as number) >>> 3;
  return task !== 0 ? [task] : [];
}

function* trylock(c: Ctx, mu: number, handoff: boolean, fn: string): Model<boolean> {
  return (yield custom(MUTEX_TRYLOCK, mu, handoff, 0, fn)) as boolean;
}

/** `mutex_lock(mu)`. */
export function* mutex_lock(c: Ctx, mu: number): Model<void> {
  yield* mutex_lock_nested(c, mu, 0);
}

/** `mutex_lock_nested(mu, subclass)`: mutex_lock with a lockdep subclass. */
export function* mutex_lock_nested(c: Ctx, mu: number, subclass: number): Model<void> {
  might_sleep(c, 'mutex_lock');
  lock_acquire(c, mu, LD_MUTEX, false, subclass, 'mutex_lock');
  // __mutex_trylock_fast(): cmpxchg_acquire(&lock->owner, 0, current).
  const old = (yield cmpxchg(mu, 'owner', 0, current(c) << 3, 'mutex_lock')) as number;
  if (old !== 0) yield* __mutex_lock_common(c, mu);
  lock_acquired(c, mu);
}

/** `__mutex_lock_common()` in TASK_UNINTERRUPTIBLE, without optimistic spinning. */
function* __mutex_lock_common(c: Ctx, mu: number): Model<void> {
  const fn = '__mutex_lock_common';
  if (yield* trylock(c, mu, false, fn)) return;
  yield* arch_spin_lock(c, mu, 'wait_lock', fn);
  if (yield* trylock(c, mu, false, fn)) {
    yield* arch_spin_unlock(c, mu, 'wait_lock', fn);
    return;
  }
  const m = c.m;
  const head = mutex_wait_list(m, mu);
  const waiter = stackWaiter(c);
  const node = m.arena.objs[waiter]!.list as number;
  // __mutex_add_waiter(): the first waiter sets MUTEX_FLAG_WAITERS.
  yield* list_add_tail(c, node, head);
  if (((yield load(head, 'next', fn)) as number) === node) {
    yield custom(MUTEX_FLAG_OP, mu, MUTEX_FLAG_WAITERS, 0, '__mutex_add_waiter');
  }
  yield* set_current_state(c, TASK_UNINTERRUPTIBLE);
  // Not kernel state: names the lock if the run ends with this task asleep here.
  c.local.blockedOn = { op: 'mutex_lock', lock: mu, holders: mutexHolders } as BlockedOn;
  for (;;) {
    if (yield* trylock(c, mu, false, fn)) break;
    yield* arch_spin_unlock(c, mu, 'wait_lock', fn);
    yield* schedule(c);
    const first = ((yield load(head, 'next', fn)) as number) === node;
    yield* set_current_state(c, TASK_UNINTERRUPTIBLE);
    // __mutex_trylock_or_handoff(): the first waiter asks for a handoff if it fails.
    const got = yield* trylock(c, mu, first, fn);
    yield* arch_spin_lock(c, mu, 'wait_lock', fn);
    if (got) break;
  }
  c.local.blockedOn = undefined;
  yield* __set_current_state(c, TASK_RUNNING);
  // __mutex_remove_waiter(): an empty list clears every flag.
  yield* list_del(c, node);
  if (yield* list_empty(c, head, fn)) {
    yield custom(MUTEX_FLAG_OP, mu, 0, MUTEX_FLAGS, '__mutex_remove_waiter');
  }
  yield* arch_spin_unlock(c, mu, 'wait_lock', fn);
}

/** `mutex_trylock(mu)`: true if `c` took the mutex; never sleeps. */
export function* mutex_trylock(c: Ctx, mu: number): Model<boolean> {
  const ok = yield* trylock(c, mu, false, 'mutex_trylock');
  // Stryker disable next-line BooleanLiteral: `read` only matters to rwlocks and read acquisitions
  if (ok) lock_acquire_try(c, mu, LD_MUTEX, false, 'mutex_trylock');
  return ok;
}

/** `mutex_is_locked(mu)`: whether the owner word names a task. */
export function* mutex_is_locked(_c: Ctx, mu: number): Model<boolean> {
  return ((yield READ_ONCE(mu, 'owner', 'mutex_is_locked')) as number) >>> 3 !== 0;
}

/**
 * `mutex_unlock(mu)`: phase 1 releases ownership (one atomic step); phase 2, only if there
 * are waiters or a handoff is asked, takes `wait_lock`, picks the first waiter, hands off if
 * asked, drops `wait_lock` and wakes that waiter. Phase 2 touches the mutex AFTER another
 * task may have taken (and freed) it.
 */
export function* mutex_unlock(c: Ctx, mu: number): Model<void> {
  const fn = '__mutex_unlock_slowpath';
  lock_release(c, mu, 'mutex_unlock');
  const owner = (yield custom(MUTEX_RELEASE, mu, 0, 0, 'mutex_unlock')) as number;
  if ((owner & (MUTEX_FLAG_WAITERS | MUTEX_FLAG_HANDOFF)) === 0) return;
  const flags = local_irq_save(c);
  yield* arch_spin_lock(c, mu, 'wait_lock', fn);
  const head = mutex_wait_list(c.m, mu);
  let next = 0;
  if (!(yield* list_empty(c, head, fn))) {
    const first = (yield load(head, 'next', fn)) as number;
    next = (yield load(list_entry(c.m, first), 'task', fn)) as number;
  }
  if ((owner & MUTEX_FLAG_HANDOFF) !== 0) {
    yield custom(MUTEX_HANDOFF, mu, next, 0, '__mutex_handoff');
  }
  // raw_spin_unlock_irqrestore_wake(): unlock, restore IRQs, then wake_up_q().
  yield* arch_spin_unlock(c, mu, 'wait_lock', fn);
  local_irq_restore(c, flags);
  if (next !== 0) yield* wake_up_process(c, next);
}
