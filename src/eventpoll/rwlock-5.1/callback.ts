/**
 * fs/eventpoll.c @ a218cc491420 (v5.1, "epoll: use rwlock in order to reduce
 * ep_poll_callback() contention", Roman Penyaev): ep_poll_callback() under the READ side of
 * `ep->lock`, so callbacks on different CPUs run concurrently. The ready list is appended to
 * with list_add_tail_lockless() and `ovflist` with chain_epi_lockless() (src/queues), whose
 * cmpxchg steps detect a concurrent add of the same item from another CPU (an item can be
 * hooked on several wait queues of one file, whose wakeups are not serialised).
 *
 * LOCKING: read_lock_irqsave(&ep->lock) around the queueing; `ep->wq` has its own lock again
 * (taken by wake_up()); ep_poll_safewake() runs outside ep->lock. Every other path that
 * touches rdllist or ovflist takes write_lock_irq(&ep->lock), which waits for all readers:
 * that is what makes the lockless adds safe, and what interrupt-context readers can starve
 * (B11: qrwlock lets a reader in hardirq pass a waiting writer).
 *
 * Bug switches honoured here:
 * - `B4`: after chaining onto ovflist, `goto out_unlock` without waking (the v5.1 code as
 *   merged; harmless while ep_scan_ready_list() ends with a wakeup, a lost wakeup once
 *   339ddb53d373 (v5.5, switch `no-scan-wake`) removed it; fixed by 0c54a6a44bf3, v5.7).
 *   Off: the 5.7 code (`chain_epi_lockless()` with its own pre-check, then fall through to
 *   the wakeup).
 */
import { read_lock_irqsave, read_unlock_irqrestore } from '../../locks/rwlock.ts';
import { waitqueue_active, wake_up } from '../../locks/waitqueue.ts';
import { EP_UNACTIVE_PTR } from '../../queues/arena.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, READ_ONCE } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import { exclusiveWake } from '../mainline/callback.ts';
import { EP_PRIVATE_BITS, EPOLLEXCLUSIVE } from '../uapi.ts';

const FN = 'ep_poll_callback';

/** ep_poll_callback() of v5.1 (`B4` on) or v5.7+ (`B4` off). */
export function* ep_poll_callback(c: Ctx, wait: number, _mode: number, _sync: number,
  key: number): Model<number> {
  const k = kernel(c);
  const ops = k.ops;
  const epi = ops.ep_item_from_wait(c, wait);
  const ep: number = yield load(epi, 'ep', FN);
  const o = c.m.arena.objs[ep]!;
  const pollflags = key;
  let pwake = false;
  let ewake = 0;
  const flags = yield* read_lock_irqsave(c, o.lock as number);
  const events: number = yield load(epi, 'events', FN);
  out_unlock: {
    if (!(events & ~EP_PRIVATE_BITS)) break out_unlock;
    if (pollflags && !(pollflags & events)) break out_unlock;
    if ((yield READ_ONCE(ep, 'ovflist', FN)) !== EP_UNACTIVE_PTR) {
      // 5.1: `if (epi->next == EP_UNACTIVE_PTR && chain_epi_lockless(epi))`; 5.7 moved
      // the same pre-check into chain_epi_lockless(): one plain read either way.
      const chained = yield* ops.chain_epi_lockless(c, ep, epi, true);
      if (chained && !k.bug('fault:no-stay-awake')) yield* ops.ep_pm_stay_awake(c, epi);
      if (k.bug('B4')) break out_unlock;
    } else if (!(yield* ops.ep_is_linked(c, epi))) {
      const link = c.m.arena.objs[epi]!.rdllink as number;
      const added = yield* ops.list_add_tail_lockless(c, link, o.rdllist as number);
      if (added && !k.bug('fault:no-stay-awake')) yield* ops.ep_pm_stay_awake(c, epi);
    }
    if (yield* waitqueue_active(c, o.wq as number)) {
      ewake = exclusiveWake(events, pollflags);
      yield* wake_up(c, o.wq as number);
    }
    if (yield* waitqueue_active(c, o.poll_wait as number)) pwake = true;
  }
  yield* read_unlock_irqrestore(c, o.lock as number, flags);
  if (pwake) yield* ops.ep_poll_safewake(c, ep, 0, 0);
  if (!((yield load(epi, 'events', FN)) & EPOLLEXCLUSIVE)) ewake = 1;
  return ewake;
}
