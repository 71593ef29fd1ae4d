/**
 * Eric Wong, "[RFC v3 1/2] epoll: avoid spinlock contention with wfcqueue" (2013-03-21,
 * seed 002, on a v3.9-rc tree): ep_mark_ready(), ep_notify_waiters(), ep_poll_callback(),
 * ep_enqueue_process() and the pre-4.5 ep_ptable_queue_proc().
 *
 * LOCKING: the callback takes NO lock for the ready list: `epi->state` goes IDLE -> READY
 * by cmpxchg, and only the winner enqueues the item on the wait-free queue `rdlhead/rdltail`
 * (xchg of the tail, then the link). Waiters are notified under `ep->wqlock`, taken with
 * spin_trylock_irqsave(): "a failed lock means either another task is already waking, or
 * ep_poll is already running and will check anyway upon releasing wqlock". `ep->wq` is
 * protected by `ep->wqlock` (the model makes the wait queue's own lock that same object).
 *
 * The RFC's smp_rmb() "pairs with smp_mb in ep_modify"; under TSO it is a compiler barrier.
 */
import { spin_trylock, spin_unlock } from '../../locks/spinlock.ts';
import { local_irq_restore, local_irq_save } from '../../locks/irq.ts';
import { add_wait_queue, init_waitqueue_func_entry, waitqueue_active, wake_up_locked }
  from '../../locks/waitqueue.ts';
import { NULL } from '../../queues/arena.ts';
import { wfcq_enqueue } from '../../queues/wfcqueue-kernel.ts';
import type { Ctx } from '../../sim/context.ts';
import { cmpxchg, load, smp_rmb, store } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import type { PollTable } from '../file.ts';
import { kernel } from '../kernel.ts';
import { EP_PRIVATE_BITS } from '../uapi.ts';
import { ep_ws_get, ep_ws_put, ws_mode } from './wakeup.ts';

const FN = 'ep_poll_callback';

/** enum epoll_item_state of the RFC. */
export const EP_STATE_ZOMBIE = -1;
export const EP_STATE_IDLE = 0;
export const EP_STATE_READY = 1;

/** `&epi->rdllink`: the item's wfcq_node (a separate arena object, owner = epi). */
export function rdlnode(c: Ctx, epi: number): number {
  return c.m.arena.objs[epi]!.rdlnode as number;
}

/** The ready queue `rdlhead/rdltail` and the transaction queue `txlhead/txltail`. */
export function queues(c: Ctx, ep: number): { rdlhead: number; rdltail: number;
  txlhead: number; txltail: number; } {
  const o = c.m.arena.objs[ep]!;
  return { rdlhead: o.rdlhead as number, rdltail: o.rdltail as number,
    txlhead: o.txlhead as number, txltail: o.txltail as number };
}

/** ep_mark_ready(): "We only want to go from idle -> ready". */
export function* ep_mark_ready(_c: Ctx, epi: number): Model<boolean> {
  return (yield cmpxchg(epi, 'state', EP_STATE_IDLE, EP_STATE_READY, 'ep_mark_ready')) ===
    EP_STATE_IDLE;
}

/** ep_notify_waiters(): wake epoll_wait tasks and pollers, unless wqlock is busy. */
export function* ep_notify_waiters(c: Ctx, ep: number): Model<void> {
  const o = c.m.arena.objs[ep]!;
  const wqlock = o.lock as number;
  const flags = local_irq_save(c);
  if (!(yield* spin_trylock(c, wqlock))) {
    local_irq_restore(c, flags);
    return;
  }
  if (yield* waitqueue_active(c, o.wq as number)) yield* wake_up_locked(c, o.wq as number);
  const pwake = yield* waitqueue_active(c, o.poll_wait as number);
  yield* spin_unlock(c, wqlock);
  local_irq_restore(c, flags);
  // "Notify the ->poll() wait list (may be outside lock)."
  if (pwake) yield* kernel(c).ops.ep_poll_safewake(c, ep, 0, 0);
}

/**
 * The `if (ep_mark_ready(epi)) { ... }` block shared by the callback and
 * ep_enqueue_process(): queue a newly READY item, activate its wakeup source (as posted;
 * the counter modes of wakeup.ts count it before the cmpxchg instead) and notify.
 */
function* ep_queue_if_idle(c: Ctx, ep: number, epi: number): Model<void> {
  const k = kernel(c);
  const counter = ws_mode(c) !== 'posted';
  if (counter) yield* ep_ws_get(c, ep, epi);
  if (!(yield* k.ops.ep_mark_ready(c, epi))) {
    if (counter) yield* ep_ws_put(c, ep, epi);
    return;
  }
  const q = queues(c, ep);
  yield* wfcq_enqueue(c, q.rdlhead, q.rdltail, rdlnode(c, epi));
  if (!counter && !k.bug('fault:no-stay-awake')) yield* k.ops.ep_pm_stay_awake(c, epi);
  yield* k.ops.ep_notify_waiters(c, ep);
}

/** ep_poll_callback() of the RFC: always returns 1. */
export function* ep_poll_callback(c: Ctx, wait: number, _mode: number, _sync: number,
  key: number): Model<number> {
  const epi = kernel(c).ops.ep_item_from_wait(c, wait);
  const ep: number = yield load(epi, 'ep', FN);
  // (The POLLFREE unhooking before this point is not modelled: no model file sends it.)
  yield smp_rmb(FN);
  const events: number = yield load(epi, 'events', FN);
  // A mask with no poll bits is a disabled item (a spent EPOLLONESHOT).
  if (!(events & ~EP_PRIVATE_BITS)) return 1;
  if (key && !(key & events)) return 1;
  yield* ep_queue_if_idle(c, ep, epi);
  return 1;
}

/** ep_enqueue_process(): the same queueing from process context (ep_insert, ep_modify). */
export function* ep_enqueue_process(c: Ctx, ep: number, epi: number): Model<void> {
  yield* ep_queue_if_idle(c, ep, epi);
}

/**
 * ep_ptable_queue_proc() before EPOLLEXCLUSIVE (v2.6.22 to v4.4): every hook is a
 * non-exclusive entry on the file's wait queue, so every set watching a file is woken.
 */
export function* ep_ptable_queue_proc_pre45(c: Ctx, _file: number, whead: number,
  pt: PollTable): Model<void> {
  const FN2 = 'ep_ptable_queue_proc';
  const epi = pt.epi;
  if (epi === 0) return;
  const pwq = c.m.alloc('eppoll_entry', { next: NULL, base: epi, wait: 0, whead });
  const wait = init_waitqueue_func_entry(c.m, 'ep_poll_callback', pwq);
  c.m.arena.objs[pwq]!.wait = wait;
  yield* add_wait_queue(c, whead, wait);
  const head: number = yield load(epi, 'pwqlist', FN2);
  yield store(pwq, 'next', head, FN2);
  yield store(epi, 'pwqlist', pwq, FN2);
  const nwait: number = yield load(epi, 'nwait', FN2);
  yield store(epi, 'nwait', nwait + 1, FN2);
}
