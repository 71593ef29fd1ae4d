/**
 * fs/eventpoll.c @ 002b343669c4 (v4.19/4.20 era): ep_poll() and ep_events_available().
 *
 * LOCKING: the waiter holds `ep->wq.lock` (the ready-list lock of this era) from the
 * availability test through queueing itself with init_waitqueue_entry() +
 * __add_wait_queue_exclusive() (default_wake_function: the entry is NOT removed on wakeup)
 * and each `set_current_state(TASK_INTERRUPTIBLE)` + re-test at the top of the loop; it drops
 * the lock only around schedule_hrtimeout_range() and removes its entry under the lock after
 * the loop. Every producer tests `waitqueue_active(&ep->wq)` under the same lock, so no
 * barrier is needed, and because the re-test at the loop top runs under the lock a second
 * wakeup can never hit this already-woken entry (compare bug B6 in the rwlock era).
 *
 * Not modelled: busy polling (CONFIG_NET_RX_BUSY_POLL) and fatal signals.
 */
import { spin_lock_irqsave, spin_unlock_irqrestore } from '../../locks/spinlock.ts';
import {
  __set_current_state, schedule_hrtimeout_range, set_current_state, signal_pending,
} from '../../locks/sched.ts';
import { __add_wait_queue_exclusive, __remove_wait_queue } from '../../locks/waitqueue.ts';
import { EP_UNACTIVE_PTR } from '../../queues/arena.ts';
import { list_empty } from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { TASK_INTERRUPTIBLE, TASK_RUNNING } from '../../sim/context.ts';
import { load } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import { ep_poll_waitqueue_entry } from '../mainline/wait.ts';
import { EINTR, type EpollEvent } from '../uapi.ts';

/** ep_events_available() of v4.19: `!list_empty(&ep->rdllist) || ovflist != UNACTIVE`. */
export function* ep_events_available(c: Ctx, ep: number): Model<boolean> {
  const FN = 'ep_events_available';
  if (!(yield* list_empty(c, c.m.arena.objs[ep]!.rdllist as number, FN))) return true;
  return (yield load(ep, 'ovflist', FN)) !== EP_UNACTIVE_PTR;
}

/**
 * The absolute expiry of a timeout in ms (ep_set_mstimeout()), Infinity for -1. The model's
 * schedule_hrtimeout_range() takes the time left, so callers pass `expires - now`.
 */
export function ep_set_mstimeout(c: Ctx, timeoutMs: number): number {
  return timeoutMs > 0 ? c.m.now + timeoutMs * 1_000_000 : Infinity;
}

/** schedule_hrtimeout_range(to, slack, HRTIMER_MODE_ABS): 0 when the timer fired. */
export function* schedule_until(c: Ctx, expires: number): Model<number> {
  const left = expires - c.m.now;
  if (left <= 0) {
    yield* __set_current_state(c, TASK_RUNNING);
    return 0;
  }
  return yield* schedule_hrtimeout_range(c, left);
}

/** ep_poll() of v4.19: the count of events, 0 on timeout, or -EINTR. */
export function* ep_poll(c: Ctx, ep: number, out: EpollEvent[], maxevents: number,
  timeoutMs: number): Model<number> {
  const k = kernel(c);
  const o = c.m.arena.objs[ep]!;
  const lock = o.lock as number;
  const wq = o.wq as number;
  const expires = ep_set_mstimeout(c, timeoutMs);
  let res = 0;
  // "Avoid the unnecessary trip to the wait queue loop" for a non-blocking caller.
  let timed_out = timeoutMs === 0;
  let skipWait = timed_out;
  for (;;) {
    // fetch_events: (ep_busy_loop() is not modelled)
    let flags = yield* spin_lock_irqsave(c, lock);
    if (!skipWait && !(yield* k.ops.ep_events_available(c, ep))) {
      const wait = ep_poll_waitqueue_entry(c.m, c.task, `wait@${c.name}`);
      yield* __add_wait_queue_exclusive(c, wq, wait);
      for (;;) {
        // Set the state before the test, so a wakeup in between is not lost.
        yield* set_current_state(c, TASK_INTERRUPTIBLE);
        if ((yield* k.ops.ep_events_available(c, ep)) || timed_out) break;
        if (yield* signal_pending(c)) {
          res = -EINTR;
          break;
        }
        yield* spin_unlock_irqrestore(c, lock, flags);
        if ((yield* schedule_until(c, expires)) === 0) timed_out = true;
        flags = yield* spin_lock_irqsave(c, lock);
      }
      yield* __remove_wait_queue(c, wq, wait);
      yield* __set_current_state(c, TASK_RUNNING);
      c.m.free(c, wait, 'ep_poll');
    }
    skipWait = false;
    // check_events: is it worth to try to dig for events?
    const eavail = yield* k.ops.ep_events_available(c, ep);
    yield* spin_unlock_irqrestore(c, lock, flags);
    if (res || !eavail) return res;
    res = yield* k.ops.ep_send_events(c, ep, out, maxevents);
    if (res || timed_out) return res;
  }
}
