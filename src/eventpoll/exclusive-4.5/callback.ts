/**
 * fs/eventpoll.c @ v4.5 (df0108c5da56 "epoll: add EPOLLEXCLUSIVE flag"): ep_poll_callback().
 *
 * LOCKING: as in v4.19 (classic-4.19/callback.ts) with `ep->lock` for `ep->wq.lock`: the
 * callback takes ep->lock with IRQs saved, inside the watched file's wait-queue lock, chains
 * onto ovflist during a scan (returning without a wakeup), else queues on rdllist and wakes
 * ep->wq with wake_up_locked().
 *
 * The return value as merged: `ewake = 1` when `waitqueue_active(&ep->wq)` (a thread of
 * this set is waiting), and an EPOLLEXCLUSIVE item returns `ewake`; any other item returns
 * 1. The ovflist and "disabled" and "key does not match" paths leave ewake 0, so an
 * exclusive wakeup walks on to the next exclusive hook. (The POLLFREE unhooking at the top
 * is not modelled: no model file sends POLLFREE.)
 */
import { spin_lock_irqsave, spin_unlock_irqrestore } from '../../locks/spinlock.ts';
import { waitqueue_active, wake_up_locked } from '../../locks/waitqueue.ts';
import { EP_UNACTIVE_PTR } from '../../queues/arena.ts';
import { list_add_tail } from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, store } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import { EP_PRIVATE_BITS, EPOLLEXCLUSIVE } from '../uapi.ts';
import { __pm_stay_awake } from '../wakeup-source.ts';

const FN = 'ep_poll_callback';

/** ep_poll_callback() of v4.5. */
export function* ep_poll_callback(c: Ctx, wait: number, _mode: number, _sync: number,
  key: number): Model<number> {
  const k = kernel(c);
  const epi = k.ops.ep_item_from_wait(c, wait);
  const ep: number = yield load(epi, 'ep', FN);
  const o = c.m.arena.objs[ep]!;
  const lock = o.lock as number;
  // fault:no-stay-awake (a P6 canary, see variant.ts): queue without activating a source.
  const noStayAwake = k.bug('fault:no-stay-awake');
  let pwake = false;
  let ewake = 0;
  const flags = yield* spin_lock_irqsave(c, lock);
  const events: number = yield load(epi, 'events', FN);
  out_unlock: {
    if (!(events & ~EP_PRIVATE_BITS) && !k.bug('fault:callback-no-disarm-filter')) {
      break out_unlock;
    }
    if (key && !(key & events) && !k.bug('fault:callback-no-interest-filter')) {
      break out_unlock;
    }
    const ovflist: number = yield load(ep, 'ovflist', FN);
    if (ovflist !== EP_UNACTIVE_PTR) {
      if ((yield load(epi, 'next', FN)) === EP_UNACTIVE_PTR) {
        yield store(epi, 'next', ovflist, FN);
        yield store(ep, 'ovflist', epi, FN);
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
      ewake = 1;
      yield* wake_up_locked(c, o.wq as number);
    }
    if (yield* waitqueue_active(c, o.poll_wait as number)) pwake = true;
  }
  yield* spin_unlock_irqrestore(c, lock, flags);
  if (pwake) yield* k.ops.ep_poll_safewake(c, ep, 0, 0);
  if ((yield load(epi, 'events', FN)) & EPOLLEXCLUSIVE) return ewake;
  return 1;
}
