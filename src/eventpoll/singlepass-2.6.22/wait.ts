/**
 * fs/eventpoll.c @ v2.6.22 (seed 003): ep_poll().
 *
 * LOCKING: the availability test, the queueing of the wait entry and every re-test run with
 * `ep->lock` held for writing (IRQs saved); the lock is dropped only around
 * schedule_timeout(). The entry is NON-exclusive (`__add_wait_queue`, no EPOLLEXCLUSIVE in
 * this era): every wakeup wakes every waiter, and the ones that find nothing go back to
 * sleep ("In case we get 0 events and there's still timeout left over, we go trying again
 * in search of more luck").
 *
 * The jiffies timeout is modelled as the machine's hrtimer: `jtimeout` is the time left.
 */
import { write_lock_irqsave, write_unlock_irqrestore } from '../../locks/rwlock.ts';
import { set_current_state, signal_pending } from '../../locks/sched.ts';
import { __add_wait_queue, __remove_wait_queue } from '../../locks/waitqueue.ts';
import { list_empty } from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { TASK_INTERRUPTIBLE, TASK_RUNNING } from '../../sim/context.ts';
import type { Model } from '../../sim/op.ts';
import { EINTR, type EpollEvent } from '../uapi.ts';
import { kernel } from '../kernel.ts';
import { ep_poll_waitqueue_entry } from '../mainline/wait.ts';
import { ep_set_mstimeout, schedule_until } from '../classic-4.19/wait.ts';

/** ep_poll() of v2.6.22. */
export function* ep_poll(c: Ctx, ep: number, out: EpollEvent[], maxevents: number,
  timeoutMs: number): Model<number> {
  const FN = 'ep_poll';
  const o = c.m.arena.objs[ep]!;
  const lock = o.lock as number;
  const rdllist = o.rdllist as number;
  const expires = ep_set_mstimeout(c, timeoutMs);
  // jtimeout: MAX_SCHEDULE_TIMEOUT for -1, 0 for 0, else the time left.
  let jtimeout = timeoutMs !== 0;
  for (;;) {
    // retry:
    let flags = yield* write_lock_irqsave(c, lock);
    let res = 0;
    if (yield* list_empty(c, rdllist, FN)) {
      const wait = ep_poll_waitqueue_entry(c.m, c.task, `wait@${c.name}`);
      yield* __add_wait_queue(c, o.wq as number, wait);
      for (;;) {
        // Set the state before the test, so that a callback's wakeup is not lost.
        yield* set_current_state(c, TASK_INTERRUPTIBLE);
        if (!(yield* list_empty(c, rdllist, FN)) || !jtimeout) break;
        if (yield* signal_pending(c)) {
          res = -EINTR;
          break;
        }
        yield* write_unlock_irqrestore(c, lock, flags);
        jtimeout = (yield* schedule_until(c, expires)) !== 0;
        flags = yield* write_lock_irqsave(c, lock);
      }
      yield* __remove_wait_queue(c, o.wq as number, wait);
      yield* set_current_state(c, TASK_RUNNING);
      c.m.free(c, wait, FN);
    }
    // "Is it worth to try to dig for events ?"
    const eavail = !(yield* list_empty(c, rdllist, FN));
    yield* write_unlock_irqrestore(c, lock, flags);
    if (res || !eavail) return res;
    // The table's ep_send_events is ep_events_transfer() in this era.
    res = yield* kernel(c).ops.ep_send_events(c, ep, out, maxevents);
    if (res || !jtimeout) return res;
  }
}
