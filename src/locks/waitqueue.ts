/**
 * include/linux/wait.h, kernel/sched/wait.c @ v6.18: wait queue heads and entries, the
 * wakeup walk and the prepare/finish protocol.
 *
 * A `wait_queue_head` is `{lock, head}`: a spinlock_t handle and a list_head (queues/list.ts).
 * A `wait_queue_entry` is `{flags, private, func, entry}`; `func` is the NAME of a wake
 * function in a registry, so eventpoll can register ep_poll_callback and the heap stays plain
 * data. `func` and the `entry` handle are fixed at init: reading them is not a memory access
 * (the walk still loads the entry's `flags` first, so a freed entry is reported).
 *
 * Queue order (as in the kernel): add_wait_queue and __add_wait_queue put an entry at the
 * head (after any WQ_FLAG_PRIORITY entries); add_wait_queue_exclusive and
 * prepare_to_wait_exclusive put an exclusive entry at the tail; __add_wait_queue_exclusive
 * (used by ep_poll) puts an exclusive entry at the HEAD. __wake_up_common walks from the head
 * and stops after `nr_exclusive` exclusive entries whose function returned non-zero.
 *
 * LOCKING: the list under `wq_head->lock`, taken with spin_lock_irqsave by the non-__
 * helpers; __ helpers and the _locked wakeups require the caller to hold it (asserted).
 * waitqueue_active() is a lockless read and needs the caller's barrier (wq_has_sleeper).
 */
import type { Ctx, MachineAccess } from '../sim/context.ts';
import { assert } from '../sim/errors.ts';
import { load, smp_mb, store } from '../sim/mem.ts';
import type { Model } from '../sim/op.ts';
import {
  INIT_LIST_HEAD, list_add, list_add_tail, list_del, list_del_init, list_del_init_careful,
  list_empty, list_empty_careful, list_entry, list_head_alloc,
} from '../queues/list.ts';
import { lockdep_assert_held } from './lockdep.ts';
import { __set_current_state, set_current_state, TASK_NORMAL, TASK_RUNNING, try_to_wake_up }
  from './sched.ts';
import { spin_lock_init, spin_lock_irqsave, spin_unlock_irqrestore } from './spinlock.ts';

/** Wake only the first matching exclusive waiters (tail of the queue). */
export const WQ_FLAG_EXCLUSIVE = 0x01;
/** Set by woken_wake_function(). */
export const WQ_FLAG_WOKEN = 0x02;
/** Set by custom wake functions. */
export const WQ_FLAG_CUSTOM = 0x04;
/** Done. */
export const WQ_FLAG_DONE = 0x08;
/** Kept at the head by __add_wait_queue. */
export const WQ_FLAG_PRIORITY = 0x10;

/** A wake function: `func(wq_entry, mode, sync, key)`; `key` is a poll mask or 0 (NULL). */
export type WakeFunction = (c: Ctx, wait: number, mode: number, sync: number, key: number) =>
Model<number>;

const wakeFunctions = new Map<string, WakeFunction>();

/** Registers a wake function under its kernel name (e.g. `ep_poll_callback`). */
export function registerWakeFunction(name: string, fn: WakeFunction): void {
  wakeFunctions.set(name, fn);
}

/** `init_waitqueue_head()`: an empty head whose lock has class `cls` (default: label.lock). */
export function init_waitqueue_head(m: MachineAccess, label: string, cls?: string): number {
  const lock = spin_lock_init(m, `${label}.lock`, cls ?? `${label}.lock`);
  const wq = m.alloc('wait_queue_head', { lock, head: 0 }, label);
  m.arena.embed(lock, wq);
  m.arena.objs[wq]!.head = list_head_alloc(m, wq, `${label}.head`);
  return wq;
}

/** `&wq_head->lock`. */
export function wq_lock(m: MachineAccess, wq: number): number {
  return m.arena.objs[wq]!.lock as number;
}

/** `&wq_head->head`. */
export function wq_head(m: MachineAccess, wq: number): number {
  return m.arena.objs[wq]!.head as number;
}

/** `&wq_entry->entry`. */
export function wait_entry_list(m: MachineAccess, wait: number): number {
  return m.arena.objs[wait]!.entry as number;
}

/** `init_waitqueue_func_entry(wq_entry, func)` with `private = priv`. */
export function init_waitqueue_func_entry(m: MachineAccess, func: string, priv: number,
  label?: string): number {
  assert(wakeFunctions.has(func), `init_waitqueue_func_entry: no wake function '${func}'`);
  const wait = m.alloc('wait_queue_entry', { flags: 0, private: priv, func, entry: 0 }, label);
  m.arena.objs[wait]!.entry = list_head_alloc(m, wait);
  return wait;
}

/** `init_waitqueue_entry(wq_entry, task)`: default_wake_function for `task`. */
export function init_waitqueue_entry(m: MachineAccess, task: number, label?: string): number {
  return init_waitqueue_func_entry(m, 'default_wake_function', task, label);
}

/** `DEFINE_WAIT(wait)` / `init_wait()`: autoremove_wake_function for the current task. */
export function init_wait(c: Ctx, label?: string): number {
  return init_waitqueue_func_entry(c.m, 'autoremove_wake_function', c.task, label);
}

/** `default_wake_function()`: try_to_wake_up(curr->private, mode); 0 if already running. */
export function* default_wake_function(c: Ctx, wait: number, mode: number, _sync = 0,
  _key = 0): Model<number> {
  const task = (yield load(wait, 'private', 'default_wake_function')) as number;
  return yield* try_to_wake_up(c, task, mode);
}

/** `autoremove_wake_function()`: default_wake_function, then unlink on success. */
export function* autoremove_wake_function(c: Ctx, wait: number, mode: number, sync = 0,
  key = 0): Model<number> {
  const ret = yield* default_wake_function(c, wait, mode, sync, key);
  if (ret !== 0) yield* list_del_init_careful(c, wait_entry_list(c.m, wait));
  return ret;
}

registerWakeFunction('default_wake_function', default_wake_function);
registerWakeFunction('autoremove_wake_function', autoremove_wake_function);

/** `__add_wait_queue()`: at the head, after the WQ_FLAG_PRIORITY entries. */
export function* __add_wait_queue(c: Ctx, wq: number, wait: number): Model<void> {
  const m = c.m;
  const head = wq_head(m, wq);
  let at = head;
  for (let pos = (yield load(head, 'next', '__add_wait_queue')) as number; pos !== head;) {
    const flags = (yield load(list_entry(m, pos), 'flags', '__add_wait_queue')) as number;
    if ((flags & WQ_FLAG_PRIORITY) === 0) break;
    at = pos;
    pos = (yield load(pos, 'next', '__add_wait_queue')) as number;
  }
  yield* list_add(c, wait_entry_list(m, wait), at);
}

/** `__add_wait_queue_exclusive()`: sets WQ_FLAG_EXCLUSIVE and adds at the HEAD. */
export function* __add_wait_queue_exclusive(c: Ctx, wq: number, wait: number): Model<void> {
  yield* setFlags(wait, WQ_FLAG_EXCLUSIVE, 0, '__add_wait_queue_exclusive');
  yield* __add_wait_queue(c, wq, wait);
}

/** `__add_wait_queue_entry_tail()`. */
export function* __add_wait_queue_entry_tail(c: Ctx, wq: number, wait: number): Model<void> {
  yield* list_add_tail(c, wait_entry_list(c.m, wait), wq_head(c.m, wq));
}

/** `__remove_wait_queue()`: list_del. */
export function* __remove_wait_queue(c: Ctx, _wq: number, wait: number): Model<void> {
  yield* list_del(c, wait_entry_list(c.m, wait));
}

/** `wq_entry->flags = (flags | set) & ~clear`: a plain load and store of the entry. */
function* setFlags(wait: number, set: number, clear: number, fn: string): Model<void> {
  const f = (yield load(wait, 'flags', fn)) as number;
  yield store(wait, 'flags', (f | set) & ~clear, fn);
}

/** `add_wait_queue()`: non-exclusive, at the head, under the lock. */
export function* add_wait_queue(c: Ctx, wq: number, wait: number): Model<void> {
  yield* setFlags(wait, 0, WQ_FLAG_EXCLUSIVE, 'add_wait_queue');
  const flags = yield* spin_lock_irqsave(c, wq_lock(c.m, wq));
  yield* __add_wait_queue(c, wq, wait);
  yield* spin_unlock_irqrestore(c, wq_lock(c.m, wq), flags);
}

/** `add_wait_queue_exclusive()`: exclusive, at the tail, under the lock. */
export function* add_wait_queue_exclusive(c: Ctx, wq: number, wait: number): Model<void> {
  yield* setFlags(wait, WQ_FLAG_EXCLUSIVE, 0, 'add_wait_queue_exclusive');
  const flags = yield* spin_lock_irqsave(c, wq_lock(c.m, wq));
  yield* __add_wait_queue_entry_tail(c, wq, wait);
  yield* spin_unlock_irqrestore(c, wq_lock(c.m, wq), flags);
}

/** `remove_wait_queue()`: under the lock. */
export function* remove_wait_queue(c: Ctx, wq: number, wait: number): Model<void> {
  const flags = yield* spin_lock_irqsave(c, wq_lock(c.m, wq));
  yield* __remove_wait_queue(c, wq, wait);
  yield* spin_unlock_irqrestore(c, wq_lock(c.m, wq), flags);
}

/** `waitqueue_active()`: a lockless `!list_empty(&wq_head->head)`. */
export function* waitqueue_active(c: Ctx, wq: number): Model<boolean> {
  return !(yield* list_empty(c, wq_head(c.m, wq), 'waitqueue_active'));
}

/** `wq_has_sleeper()`: smp_mb() (pairs with set_current_state's), then waitqueue_active. */
export function* wq_has_sleeper(c: Ctx, wq: number): Model<boolean> {
  yield smp_mb('wq_has_sleeper');
  return yield* waitqueue_active(c, wq);
}

/**
 * `__wake_up_common()`: calls each entry's function, from the head, with
 * list_for_each_entry_safe semantics (the next entry is loaded before the call, so the
 * function may unlink its own entry). Stops when a function returns < 0, or after
 * `nr_exclusive` exclusive entries returned non-zero. Returns the exclusive budget left.
 */
export function* __wake_up_common(c: Ctx, wq: number, mode: number, nr_exclusive: number,
  wake_flags: number, key: number): Model<number> {
  const m = c.m;
  const fn = '__wake_up_common';
  lockdep_assert_held(c, wq_lock(m, wq));
  const head = wq_head(m, wq);
  let pos = (yield load(head, 'next', fn)) as number;
  let nr = nr_exclusive;
  while (pos !== head) {
    const next = (yield load(pos, 'next', fn)) as number;
    const wait = list_entry(m, pos);
    const flags = (yield load(wait, 'flags', fn)) as number;
    const name = m.arena.objs[wait]!.func as string;
    const func = wakeFunctions.get(name);
    assert(func !== undefined, `__wake_up_common: no wake function '${name}'`);
    const ret = yield* func(c, wait, mode, wake_flags, key);
    if (ret < 0) break;
    if (ret !== 0 && (flags & WQ_FLAG_EXCLUSIVE) !== 0 && --nr === 0) break;
    pos = next;
  }
  return nr;
}

/** `__wake_up(wq_head, mode, nr_exclusive, key)`: the walk under the lock (irqsave). */
export function* __wake_up(c: Ctx, wq: number, mode: number, nr: number, key: number):
Model<number> {
  const flags = yield* spin_lock_irqsave(c, wq_lock(c.m, wq));
  const left = yield* __wake_up_common(c, wq, mode, nr, 0, key);
  yield* spin_unlock_irqrestore(c, wq_lock(c.m, wq), flags);
  return nr - left;
}

/** `wake_up(wq)`: all non-exclusive waiters and one exclusive. */
export function* wake_up(c: Ctx, wq: number): Model<number> {
  return yield* __wake_up(c, wq, TASK_NORMAL, 1, 0);
}

/** `wake_up_all(wq)`. */
export function* wake_up_all(c: Ctx, wq: number): Model<number> {
  return yield* __wake_up(c, wq, TASK_NORMAL, 0, 0);
}

/** `wake_up_poll(wq, mask)`. */
export function* wake_up_poll(c: Ctx, wq: number, key: number): Model<number> {
  return yield* __wake_up(c, wq, TASK_NORMAL, 1, key);
}

/** `wake_up_locked(wq)`: the caller holds the wait-queue lock. */
export function* wake_up_locked(c: Ctx, wq: number): Model<number> {
  return yield* __wake_up_common(c, wq, TASK_NORMAL, 1, 0, 0);
}

/** `wake_up_locked_poll(wq, mask)`: the caller holds the wait-queue lock. */
export function* wake_up_locked_poll(c: Ctx, wq: number, key: number): Model<number> {
  return yield* __wake_up_common(c, wq, TASK_NORMAL, 1, 0, key);
}

/** `prepare_to_wait()`: non-exclusive; queue if not queued, then set the task state. */
export function* prepare_to_wait(c: Ctx, wq: number, wait: number, state: number):
Model<void> {
  yield* setFlags(wait, 0, WQ_FLAG_EXCLUSIVE, 'prepare_to_wait');
  const flags = yield* spin_lock_irqsave(c, wq_lock(c.m, wq));
  if (yield* list_empty(c, wait_entry_list(c.m, wait), 'prepare_to_wait')) {
    yield* __add_wait_queue(c, wq, wait);
  }
  yield* set_current_state(c, state);
  yield* spin_unlock_irqrestore(c, wq_lock(c.m, wq), flags);
}

/** `prepare_to_wait_exclusive()`: exclusive at the tail; returns whether the queue was empty. */
export function* prepare_to_wait_exclusive(c: Ctx, wq: number, wait: number, state: number):
Model<boolean> {
  yield* setFlags(wait, WQ_FLAG_EXCLUSIVE, 0, 'prepare_to_wait_exclusive');
  const flags = yield* spin_lock_irqsave(c, wq_lock(c.m, wq));
  let wasEmpty = false;
  if (yield* list_empty(c, wait_entry_list(c.m, wait), 'prepare_to_wait_exclusive')) {
    wasEmpty = yield* list_empty(c, wq_head(c.m, wq), 'prepare_to_wait_exclusive');
    yield* __add_wait_queue_entry_tail(c, wq, wait);
  }
  yield* set_current_state(c, state);
  yield* spin_unlock_irqrestore(c, wq_lock(c.m, wq), flags);
  return wasEmpty;
}

/** `finish_wait()`: TASK_RUNNING, then unlink unless a wakeup already did (careful check). */
export function* finish_wait(c: Ctx, wq: number, wait: number): Model<void> {
  yield* __set_current_state(c, TASK_RUNNING);
  if (!(yield* list_empty_careful(c, wait_entry_list(c.m, wait)))) {
    const flags = yield* spin_lock_irqsave(c, wq_lock(c.m, wq));
    yield* list_del_init(c, wait_entry_list(c.m, wait));
    yield* spin_unlock_irqrestore(c, wq_lock(c.m, wq), flags);
  }
}

/**
 * `init_wait_entry(wq_entry, flags)`: re-arms an entry for the current task with
 * autoremove_wake_function (`func` is fixed data, set directly; the rest are stores).
 */
export function* init_wait_entry(c: Ctx, wait: number, flags: number): Model<void> {
  c.m.arena.objs[wait]!.func = 'autoremove_wake_function';
  yield store(wait, 'flags', flags, 'init_wait_entry');
  yield store(wait, 'private', c.task, 'init_wait_entry');
  yield* INIT_LIST_HEAD(c, wait_entry_list(c.m, wait));
}
