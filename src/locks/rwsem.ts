/**
 * lib/rwsem-spinlock.c @ v2.6.22: the generic rw_semaphore of the `ep->sem` era (variant
 * singlepass-2.6.22), a sleeping reader/writer lock.
 *
 * `activity` is 0 when idle, the number of readers when positive, -1 when a writer holds
 * it. Writer preference: a new reader or writer is granted at once only when nobody waits,
 * so a queued writer blocks every later reader. Wakeups are FIFO: up_write wakes the first
 * waiter if it is a writer, or every reader at the front of the queue; the last up_read
 * wakes the writer at the front. The waker grants the lock before the wakeup (it sets
 * `activity` and clears `waiter->task`), so a woken task never re-checks the semaphore.
 *
 * LOCKING: `activity`, `wait_list` and the waiters under `wait_lock` (a raw spinlock taken
 * with IRQs off, untracked by lockdep). A waiter polls its own `task` field, which the waker
 * clears after an smp_mb, and must not be touched by the waker after that store.
 */
import type { BlockedOn, Ctx, MachineAccess } from '../sim/context.ts';
import { TASK_RUNNING, TASK_UNINTERRUPTIBLE } from '../sim/context.ts';
import { load, smp_mb, store } from '../sim/mem.ts';
import type { Model } from '../sim/op.ts';
import {
  list_add_tail, list_del, list_empty, list_entry, list_head_alloc,
} from '../queues/list.ts';
import { arch_spin_lock, arch_spin_unlock } from './arch-spinlock.ts';
import { local_irq_disable, local_irq_enable, local_irq_restore, local_irq_save } from './irq.ts';
import {
  lock_acquire, lock_acquired, lock_release, lockdep_holders, LD_RWSEM,
} from './lockdep.ts';
import {
  __set_current_state, might_sleep, schedule, set_current_state, wake_up_process,
} from './sched.ts';

/** rwsem_waiter.flags: waiting for a read lock. */
export const RWSEM_WAITING_FOR_READ = 0x01;
/** rwsem_waiter.flags: waiting for the write lock. */
export const RWSEM_WAITING_FOR_WRITE = 0x02;

/** `init_rwsem()`: an idle rw_semaphore of lock class `cls` (default: the label). */
export function init_rwsem(m: MachineAccess, label: string, cls?: string): number {
  const sem = m.alloc('rw_semaphore',
    { activity: 0, wait_lock: 0, wait_list: 0, cls: cls ?? label }, label);
  m.arena.objs[sem]!.wait_list = list_head_alloc(m, sem, `${label}.wait_list`);
  return sem;
}

function wait_list(m: MachineAccess, sem: number): number {
  return m.arena.objs[sem]!.wait_list as number;
}

/**
 * The `struct rwsem_waiter` on this context's stack, reused by every slow path (a task
 * waits on one semaphore at a time). Filled before it is published by list_add_tail under
 * `wait_lock`, so the fill is not a shared access; the last waker's store of `task = NULL`
 * was drained by its wake_up_process() before this task could run again.
 */
function stackWaiter(c: Ctx, flags: number): number {
  const m = c.m;
  let w = c.local.rwsemWaiter as number | undefined;
  if (w === undefined) {
    // Stryker disable next-line ObjectLiteral: every field is written below before any use
    w = m.alloc('rwsem_waiter', { task: 0, flags: 0, list: 0 }, `rwsem_waiter@${c.name}`);
    m.arena.objs[w]!.list = list_head_alloc(m, w, `rwsem_waiter@${c.name}.list`);
    c.local.rwsemWaiter = w;
  }
  // Private until the list_add_tail and wait_lock's release publish it: no step.
  m.memory.writePrivate(c.cpu, w, 'task', c.task);
  m.memory.writePrivate(c.cpu, w, 'flags', flags);
  return w;
}

/** The shared slow path of __down_read/__down_write: queue, unlock, sleep until granted. */
function* rwsem_wait(c: Ctx, sem: number, flags: number, fn: string): Model<void> {
  const m = c.m;
  yield* set_current_state(c, TASK_UNINTERRUPTIBLE);
  const waiter = stackWaiter(c, flags);
  const node = m.arena.objs[waiter]!.list as number;
  yield* list_add_tail(c, node, wait_list(m, sem));
  yield* arch_spin_unlock(c, sem, 'wait_lock', fn);
  local_irq_enable(c);
  // Not kernel state: names the semaphore if the run ends with this task asleep here.
  c.local.blockedOn = { op: flags === RWSEM_WAITING_FOR_READ ? 'down_read' : 'down_write',
    lock: sem, holders: lockdep_holders } as BlockedOn;
  for (;;) {
    if (((yield load(waiter, 'task', fn)) as number) === 0) break;
    yield* schedule(c);
    yield* set_current_state(c, TASK_UNINTERRUPTIBLE);
  }
  c.local.blockedOn = undefined;
  yield* __set_current_state(c, TASK_RUNNING);
}

/** `down_read(sem)`: shared; waits while a writer holds or anyone waits. */
export function* down_read(c: Ctx, sem: number): Model<void> {
  const fn = '__down_read';
  might_sleep(c, 'down_read');
  lock_acquire(c, sem, LD_RWSEM, true, 0, 'down_read');
  local_irq_disable(c);
  yield* arch_spin_lock(c, sem, 'wait_lock', fn);
  const act = (yield load(sem, 'activity', fn)) as number;
  if (act >= 0 && (yield* list_empty(c, wait_list(c.m, sem), fn))) {
    yield store(sem, 'activity', act + 1, fn);
    yield* arch_spin_unlock(c, sem, 'wait_lock', fn);
    local_irq_enable(c);
  } else {
    yield* rwsem_wait(c, sem, RWSEM_WAITING_FOR_READ, fn);
  }
  lock_acquired(c, sem);
}

/** `down_write(sem)`: exclusive; waits while anyone holds or waits. */
export function* down_write(c: Ctx, sem: number): Model<void> {
  const fn = '__down_write';
  might_sleep(c, 'down_write');
  lock_acquire(c, sem, LD_RWSEM, false, 0, 'down_write');
  local_irq_disable(c);
  yield* arch_spin_lock(c, sem, 'wait_lock', fn);
  const act = (yield load(sem, 'activity', fn)) as number;
  if (act === 0 && (yield* list_empty(c, wait_list(c.m, sem), fn))) {
    yield store(sem, 'activity', -1, fn);
    yield* arch_spin_unlock(c, sem, 'wait_lock', fn);
    local_irq_enable(c);
  } else {
    yield* rwsem_wait(c, sem, RWSEM_WAITING_FOR_WRITE, fn);
  }
  lock_acquired(c, sem);
}

/** Grants the lock to one waiter: unlink, smp_mb, clear `task`, wake (waiter untouched). */
function* grant(c: Ctx, waiter: number, fn: string): Model<void> {
  yield* list_del(c, c.m.arena.objs[waiter]!.list as number);
  const task = (yield load(waiter, 'task', fn)) as number;
  yield smp_mb(fn);
  yield store(waiter, 'task', 0, fn);
  yield* wake_up_process(c, task);
}

/** __rwsem_do_wake(sem, 1): the first waiter if a writer, else every front reader. */
function* __rwsem_do_wake(c: Ctx, sem: number): Model<void> {
  const fn = '__rwsem_do_wake';
  const head = wait_list(c.m, sem);
  let waiter = list_entry(c.m, (yield load(head, 'next', fn)) as number);
  if ((((yield load(waiter, 'flags', fn)) as number) & RWSEM_WAITING_FOR_WRITE) !== 0) {
    yield store(sem, 'activity', -1, fn);
    yield* grant(c, waiter, fn);
    return;
  }
  let woken = 0;
  while ((((yield load(waiter, 'flags', fn)) as number) & RWSEM_WAITING_FOR_READ) !== 0) {
    const next = (yield load(c.m.arena.objs[waiter]!.list as number, 'next', fn)) as number;
    yield* grant(c, waiter, fn);
    woken++;
    if (yield* list_empty(c, head, fn)) break;
    waiter = list_entry(c.m, next);
  }
  const act = (yield load(sem, 'activity', fn)) as number;
  yield store(sem, 'activity', act + woken, fn);
}

/** `up_read(sem)`: the last reader wakes the writer at the front. */
export function* up_read(c: Ctx, sem: number): Model<void> {
  const fn = '__up_read';
  lock_release(c, sem, 'up_read');
  const flags = local_irq_save(c);
  yield* arch_spin_lock(c, sem, 'wait_lock', fn);
  const act = ((yield load(sem, 'activity', fn)) as number) - 1;
  yield store(sem, 'activity', act, fn);
  if (act === 0 && !(yield* list_empty(c, wait_list(c.m, sem), fn))) {
    // __rwsem_wake_one_writer(): readers never wait at the front while readers hold it.
    const first = (yield load(wait_list(c.m, sem), 'next', fn)) as number;
    yield store(sem, 'activity', -1, '__rwsem_wake_one_writer');
    yield* grant(c, list_entry(c.m, first), '__rwsem_wake_one_writer');
  }
  yield* arch_spin_unlock(c, sem, 'wait_lock', fn);
  local_irq_restore(c, flags);
}

/** `up_write(sem)`: idle again, then wake the front writer or front readers. */
export function* up_write(c: Ctx, sem: number): Model<void> {
  const fn = '__up_write';
  lock_release(c, sem, 'up_write');
  const flags = local_irq_save(c);
  yield* arch_spin_lock(c, sem, 'wait_lock', fn);
  yield store(sem, 'activity', 0, fn);
  if (!(yield* list_empty(c, wait_list(c.m, sem), fn))) yield* __rwsem_do_wake(c, sem);
  yield* arch_spin_unlock(c, sem, 'wait_lock', fn);
  local_irq_restore(c, flags);
}
