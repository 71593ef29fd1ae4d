/**
 * fs/eventpoll.c @ 002b343669c4 (v4.19/4.20 era): ep_poll_callback() and ep_poll_safewake().
 *
 * LOCKING: the callback runs with the watched file's wait-queue lock held, in whatever
 * context issued the wakeup (a hardirq for a device). It takes `ep->wq.lock`, which in this
 * era IS the ready-list lock (there is no separate `ep->lock`), so the wakeup of `ep->wq` is
 * a `wake_up_locked()`. While a scan runs (`ep->ovflist != EP_UNACTIVE_PTR`) the item is
 * chained onto `ovflist` and the callback returns WITHOUT waking anybody: the end-of-scan
 * wakeup in ep_scan_ready_list() covers it.
 *
 * Every shared access is a yield point: the loads of `epi->ep`, `epi->event.events`,
 * `epi->next`, `ep->ovflist`, the list operations and the wait-queue tests.
 */
import { spin_lock_irqsave, spin_unlock_irqrestore } from '../../locks/spinlock.ts';
import { waitqueue_active, wake_up_locked, wake_up_poll } from '../../locks/waitqueue.ts';
import { EP_UNACTIVE_PTR } from '../../queues/arena.ts';
import { list_add_tail } from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, store } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import { exclusiveWake } from '../mainline/callback.ts';
import { EP_PRIVATE_BITS, EPOLLEXCLUSIVE, EPOLLIN } from '../uapi.ts';
import { __pm_stay_awake } from '../wakeup-source.ts';

const FN = 'ep_poll_callback';

/**
 * ep_poll_safewake() without CONFIG_DEBUG_LOCK_ALLOC: `wake_up_poll(wq, EPOLLIN)` on the
 * set's `poll_wait` (the pollers of the epoll file itself: an outer set, or poll(2)). The
 * ghost records the epoll file's wakeup, as every wakeup of a watched file does. Nesting is
 * bounded by the ELOOP checks at ADD time (ep_call_nested's bookkeeping is not modelled).
 * (`epi` and `pollflags` are the 6.x arguments of the table's signature, unused here.)
 */
export function* ep_poll_safewake(c: Ctx, ep: number, _epi = 0, _pollflags = 0): Model<void> {
  kernel(c).ghost.edge(c.m.arena.objs[ep]!.file as number);
  yield* wake_up_poll(c, c.m.arena.objs[ep]!.poll_wait as number, EPOLLIN);
}

/** ep_poll_callback() of v4.19. */
export function* ep_poll_callback(c: Ctx, wait: number, _mode: number, _sync: number,
  key: number): Model<number> {
  const k = kernel(c);
  const epi = k.ops.ep_item_from_wait(c, wait);
  const ep: number = yield load(epi, 'ep', FN);
  const o = c.m.arena.objs[ep]!;
  const lock = o.lock as number;
  const pollflags = key;
  // fault:no-stay-awake (a P6 canary, see variant.ts): queue without activating a source.
  const noStayAwake = k.bug('fault:no-stay-awake');
  let pwake = false;
  let ewake = 0;
  const flags = yield* spin_lock_irqsave(c, lock);
  const events: number = yield load(epi, 'events', FN);
  out_unlock: {
    // A mask with no poll bits is a disabled item (a spent EPOLLONESHOT).
    if (!(events & ~EP_PRIVATE_BITS) && !k.bug('fault:callback-no-disarm-filter')) {
      break out_unlock;
    }
    if (pollflags && !(pollflags & events) && !k.bug('fault:callback-no-interest-filter')) {
      break out_unlock;
    }
    const ovflist: number = yield load(ep, 'ovflist', FN);
    if (ovflist !== EP_UNACTIVE_PTR) {
      // A scan is running: chain onto ovflist (LIFO) and leave the wakeup to the scan.
      if ((yield load(epi, 'next', FN)) === EP_UNACTIVE_PTR) {
        yield store(epi, 'next', ovflist, FN);
        yield store(ep, 'ovflist', epi, FN);
        // "Activate ep->ws since epi->ws may get deactivated at any time."
        if ((yield load(epi, 'ws', FN)) !== 0 && !noStayAwake) {
          yield* __pm_stay_awake(c, (yield load(ep, 'ws', FN)) as number);
        }
      }
      break out_unlock;
    }
    if (!(yield* k.ops.ep_is_linked(c, epi))) {
      yield* list_add_tail(c, c.m.arena.objs[epi]!.rdllink as number, o.rdllist as number);
      if (!noStayAwake) yield* k.ops.ep_pm_stay_awake(c, epi);
    }
    if ((yield* waitqueue_active(c, o.wq as number)) ||
      k.bug('fault:callback-wq-always-active')) {
      ewake = exclusiveWake(events, pollflags);
      yield* wake_up_locked(c, o.wq as number);
    }
    if (yield* waitqueue_active(c, o.poll_wait as number)) pwake = true;
  }
  yield* spin_unlock_irqrestore(c, lock, flags);
  // "We have to call this outside the lock."
  if (pwake) yield* k.ops.ep_poll_safewake(c, ep, 0, 0);
  if (!((yield load(epi, 'events', FN)) & EPOLLEXCLUSIVE)) ewake = 1;
  return ewake;
}
