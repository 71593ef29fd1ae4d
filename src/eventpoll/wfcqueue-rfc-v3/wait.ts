/**
 * Eric Wong's wfcqueue RFC v3 (seed 002): ep_poll().
 *
 * LOCKING: the waiter holds `ep->mtx` from its first availability test (which splices the
 * ready queue, so it needs the mutex) to the end, except around schedule: it queues itself
 * exclusively on `ep->wq` under `ep->wqlock`, then loops with set_current_state() at the
 * top, re-testing (and re-splicing) under `ep->mtx`, dropping the mutex only to sleep. The
 * entry is a default_wake_function one (no autoremove), removed under `ep->wqlock` after the
 * loop. After the harvest, if events are still available, it calls ep_notify_waiters() ("we
 * may not have transferred everything, wake up others"), which is the RFC's answer to the
 * callbacks' failed trylocks.
 */
import { mutex_lock, mutex_unlock } from '../../locks/mutex.ts';
import { set_current_state, signal_pending } from '../../locks/sched.ts';
import { spin_lock_irqsave, spin_unlock_irqrestore } from '../../locks/spinlock.ts';
import { __add_wait_queue_exclusive, __remove_wait_queue } from '../../locks/waitqueue.ts';
import type { Ctx } from '../../sim/context.ts';
import { TASK_INTERRUPTIBLE, TASK_RUNNING } from '../../sim/context.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import { EINTR, type EpollEvent } from '../uapi.ts';
import { ep_poll_waitqueue_entry } from '../mainline/wait.ts';
import { ep_set_mstimeout, schedule_until } from '../classic-4.19/wait.ts';

/** ep_poll() of the RFC: the count of events, 0 on timeout, or -EINTR. */
export function* ep_poll(c: Ctx, ep: number, out: EpollEvent[], maxevents: number,
  timeoutMs: number): Model<number> {
  const k = kernel(c);
  const o = c.m.arena.objs[ep]!;
  const mtx = o.mtx as number;
  const wqlock = o.lock as number;
  const expires = ep_set_mstimeout(c, timeoutMs);
  let timeout = timeoutMs !== 0;
  let res = 0;
  yield* mutex_lock(c, mtx);
  let eavail = yield* k.ops.ep_events_available(c, ep);
  let needWait = !eavail && timeout;
  for (;;) {
    if (needWait) {
      // wait_queue_loop:
      const wait = ep_poll_waitqueue_entry(c.m, c.task, `wait@${c.name}`);
      let flags = yield* spin_lock_irqsave(c, wqlock);
      yield* __add_wait_queue_exclusive(c, o.wq as number, wait);
      yield* spin_unlock_irqrestore(c, wqlock, flags);
      for (;;) {
        yield* set_current_state(c, TASK_INTERRUPTIBLE);
        eavail = yield* k.ops.ep_events_available(c, ep);
        if (eavail || !timeout) break;
        if (yield* signal_pending(c)) {
          res = -EINTR;
          break;
        }
        yield* mutex_unlock(c, mtx);
        if ((yield* schedule_until(c, expires)) === 0) timeout = false;
        yield* mutex_lock(c, mtx);
      }
      flags = yield* spin_lock_irqsave(c, wqlock);
      yield* __remove_wait_queue(c, o.wq as number, wait);
      yield* spin_unlock_irqrestore(c, wqlock, flags);
      yield* set_current_state(c, TASK_RUNNING);
      c.m.free(c, wait, 'ep_poll');
    }
    if (res) break;
    res = yield* k.ops.ep_send_events(c, ep, out, maxevents);
    if (res || !timeout) break;
    needWait = true;
  }
  eavail = yield* k.ops.ep_events_available(c, ep);
  yield* mutex_unlock(c, mtx);
  // "we may not have transferred everything, wake up others"
  if (eavail) yield* k.ops.ep_notify_waiters(c, ep);
  return res;
}
