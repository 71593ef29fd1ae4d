/**
 * ep_poll() of the rwlock era, in its two shapes.
 *
 * - Fixed (default): the ep_poll of v5.11 to v6.17 (Soheil Hassas Yeganeh's rewrite on top
 *   of 412895f03cbf, 65759097d804, 289caf5d8f6c, a16ceb139610): under
 *   write_lock_irq(&ep->lock) set TASK_INTERRUPTIBLE, do the final ep_events_available()
 *   and, only if nothing is available, queue an exclusive wait entry whose wake function
 *   removes it (ep_autoremove_wake_function); sleep; on a timeout, harvest anyway if a
 *   wakeup already dequeued the entry.
 * - `B6`: the v5.1 shape (a218cc491420 on top of Davidlohr Bueso's 4.20/5.0 rework):
 *   init_waitqueue_entry() (default_wake_function, no autoremove) queued once, then a loop
 *   with set_current_state(TASK_INTERRUPTIBLE) at its TOP, without any lock, while the
 *   entry is still queued: a second exclusive wakeup can hit this already-woken waiter and
 *   the next waiter is never tried (fixed by 412895f03cbf, v5.7). The entry is removed after
 *   the harvest.
 *
 * LOCKING: the waiter's queue add/remove and final test take write_lock_irq(&ep->lock),
 * which excludes the callbacks' read side: so the callback's waitqueue_active() and the
 * waiter's test are ordered by the lock (1b53734bd0b2).
 *
 * Bug switches honoured here (each restores a historical state of this function):
 * - `B3`: the wait entry is added and removed under `ep->wq.lock` only, not `ep->lock`
 *   (v5.1 to v5.5; fixed by 1b53734bd0b2). An ep_insert() under write_lock(ep->lock) can
 *   then test waitqueue_active() before the add is visible while the waiter's test misses
 *   the new item: needs TSO. In the fixed shape the whole final-check section uses
 *   `ep->wq.lock`.
 * - `B5`: the final ep_events_available() is done without the lock (fixed shape: before
 *   taking it, as before 65759097d804; v5.1 shape: the lockless test in the loop, as merged).
 *   With B5 off the v5.1 shape takes write_lock_irq(&ep->lock) around that test.
 * - `B6`: the v5.1 shape, see above.
 * - `B7`: a timed-out waiter returns 0 although a wakeup already chose it (fixed by
 *   289caf5d8f6c; in the v5.1 shape the fix is a locked re-test after the timeout).
 */
import { write_lock_irq, write_unlock_irq } from '../../locks/rwlock.ts';
import {
  __set_current_state, set_current_state, signal_pending,
} from '../../locks/sched.ts';
import { spin_lock_irq, spin_unlock_irq } from '../../locks/spinlock.ts';
import {
  __add_wait_queue_exclusive, __remove_wait_queue, init_wait, wq_lock,
} from '../../locks/waitqueue.ts';
import { list_empty, list_empty_careful } from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { TASK_INTERRUPTIBLE, TASK_RUNNING } from '../../sim/context.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import { ep_poll_waitqueue_entry } from '../mainline/wait.ts';
import { EINTR, type EpollEvent } from '../uapi.ts';
import { ep_set_mstimeout, schedule_until } from '../classic-4.19/wait.ts';

/** The lock ep_poll takes for its wait queue: `ep->lock` (write), or `ep->wq.lock` (B3). */
function* lockWq(c: Ctx, ep: number, b3: boolean): Model<void> {
  const o = c.m.arena.objs[ep]!;
  if (b3) yield* spin_lock_irq(c, wq_lock(c.m, o.wq as number));
  else yield* write_lock_irq(c, o.lock as number);
}

function* unlockWq(c: Ctx, ep: number, b3: boolean): Model<void> {
  const o = c.m.arena.objs[ep]!;
  if (b3) yield* spin_unlock_irq(c, wq_lock(c.m, o.wq as number));
  else yield* write_unlock_irq(c, o.lock as number);
}

/** ep_events_available() under write_lock_irq(&ep->lock). */
function* ep_events_available_locked(c: Ctx, ep: number): Model<boolean> {
  const lock = c.m.arena.objs[ep]!.lock as number;
  yield* write_lock_irq(c, lock);
  const eavail = yield* kernel(c).ops.ep_events_available(c, ep);
  yield* write_unlock_irq(c, lock);
  return eavail;
}

/** ep_poll() of the rwlock era: the fixed shape, or the v5.1 shape with `B6`. */
export function* ep_poll(c: Ctx, ep: number, out: EpollEvent[], maxevents: number,
  timeoutMs: number): Model<number> {
  if (kernel(c).bug('B6')) return yield* ep_poll_51(c, ep, out, maxevents, timeoutMs);
  return yield* ep_poll_fixed(c, ep, out, maxevents, timeoutMs);
}

/** The fixed shape (v5.11 to v6.17). */
function* ep_poll_fixed(c: Ctx, ep: number, out: EpollEvent[], maxevents: number,
  timeoutMs: number): Model<number> {
  const k = kernel(c);
  const b3 = k.bug('B3');
  const wq = c.m.arena.objs[ep]!.wq as number;
  let timed_out = timeoutMs === 0;
  const expires = ep_set_mstimeout(c, timeoutMs);
  // Racy by design: a non-blocking caller "should not care".
  let eavail = yield* k.ops.ep_events_available(c, ep);
  for (;;) {
    if (eavail) {
      const res = yield* k.ops.ep_send_events(c, ep, out, maxevents);
      if (res) return res;
    }
    if (timed_out) return 0;
    if (yield* signal_pending(c)) return -EINTR;
    const wait = init_wait(c, `wait@${c.name}`);
    c.m.arena.objs[wait]!.func = 'ep_autoremove_wake_function';
    const entry = c.m.arena.objs[wait]!.entry as number;
    if (k.bug('B5')) eavail = yield* k.ops.ep_events_available(c, ep);
    yield* lockWq(c, ep, b3);
    // Barrierless: the callback tests waitqueue_active() under the same lock.
    yield* __set_current_state(c, TASK_INTERRUPTIBLE);
    if (!k.bug('B5')) eavail = yield* k.ops.ep_events_available(c, ep);
    if (!eavail) yield* __add_wait_queue_exclusive(c, wq, wait);
    yield* unlockWq(c, ep, b3);
    if (!eavail) timed_out = (yield* schedule_until(c, expires)) === 0;
    yield* __set_current_state(c, TASK_RUNNING);
    eavail = true;
    if (!(yield* list_empty_careful(c, entry))) {
      yield* lockWq(c, ep, b3);
      // Timed out but already dequeued by a wakeup: harvest instead of returning 0.
      if (timed_out) eavail = k.bug('B7') ? false : yield* list_empty(c, entry);
      yield* __remove_wait_queue(c, wq, wait);
      yield* unlockWq(c, ep, b3);
    } else if (timed_out && k.bug('B7')) {
      eavail = false;
    }
    c.m.free(c, wait, 'ep_poll');
  }
}

/** What the v5.1 wait loop leaves behind. */
interface Wait51 {
  eavail: boolean;
  wait: number;
  res: number;
  timed_out: boolean;
}

/** The v5.1 shape (`B6`). */
function* ep_poll_51(c: Ctx, ep: number, out: EpollEvent[], maxevents: number,
  timeoutMs: number): Model<number> {
  const k = kernel(c);
  const b3 = k.bug('B3');
  const wq = c.m.arena.objs[ep]!.wq as number;
  const expires = ep_set_mstimeout(c, timeoutMs);
  let res = 0;
  let timed_out = false;
  let wait = 0;
  let eavail = false;
  if (timeoutMs === 0) {
    // "We still need lock because we could race and not see an epi being added to the
    // ready list while in irq callback."
    timed_out = true;
    eavail = yield* ep_events_available_locked(c, ep);
  }
  for (;;) {
    if (!timed_out) {
      // fetch_events: (ep_busy_loop() is not modelled)
      eavail = yield* k.ops.ep_events_available(c, ep);
      if (!eavail) {
        const w = yield* ep_wait_51(c, ep, wq, wait, expires, b3);
        ({ eavail, wait, res, timed_out } = w);
      }
    }
    // send_events:
    if (res || !eavail) break;
    res = yield* k.ops.ep_send_events(c, ep, out, maxevents);
    if (res || timed_out) break;
  }
  if (wait !== 0) {
    yield* lockWq(c, ep, b3);
    yield* __remove_wait_queue(c, wq, wait);
    yield* unlockWq(c, ep, b3);
    c.m.free(c, wait, 'ep_poll');
  }
  return res;
}

/** The v5.1 wait: queue the entry once (`if (!waiter)`), then loop with set_current_state()
 * at the top, the entry still queued. */
function* ep_wait_51(c: Ctx, ep: number, wq: number, waitIn: number, expires: number,
  b3: boolean): Model<Wait51> {
  const k = kernel(c);
  const w: Wait51 = { eavail: false, wait: waitIn, res: 0, timed_out: false };
  if (w.wait === 0) {
    w.wait = ep_poll_waitqueue_entry(c.m, c.task, `wait@${c.name}`);
    yield* lockWq(c, ep, b3);
    yield* __add_wait_queue_exclusive(c, wq, w.wait);
    yield* unlockWq(c, ep, b3);
  }
  for (;;) {
    // A wakeup that finds us INTERRUPTIBLE again here is one that the next exclusive
    // waiter will never get (B6).
    yield* set_current_state(c, TASK_INTERRUPTIBLE);
    w.eavail = k.bug('B5') ? yield* k.ops.ep_events_available(c, ep)
      : yield* ep_events_available_locked(c, ep);
    if (w.eavail) break;
    if (yield* signal_pending(c)) {
      w.res = -EINTR;
      break;
    }
    if ((yield* schedule_until(c, expires)) === 0) {
      w.timed_out = true;
      break;
    }
  }
  yield* __set_current_state(c, TASK_RUNNING);
  // The fix of 289caf5d8f6c in this shape: a timed-out waiter re-tests under the lock.
  if (w.timed_out && !k.bug('B7')) w.eavail = yield* ep_events_available_locked(c, ep);
  return w;
}
