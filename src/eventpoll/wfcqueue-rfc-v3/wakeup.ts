/**
 * EPOLLWAKEUP in the wfcqueue RFC: as posted, and Eric Wong's follow-up idea from seed 001
 * ("perhaps adding an atomic counter to struct eventpoll (or each epitem) will work? If we
 * go with atomic counter in struct eventpoll, is per-epitem wakeup_source still necessary?"),
 * which no patch ever implemented. We model the counter the way the question frames it:
 *
 * - `ws-counter`: `ep->ws_count` counts the EPOLLWAKEUP items that are READY (queued or in
 *   transit). An item about to be marked READY first does `atomic_inc_return()` and, on the
 *   0 -> 1 transition, `__pm_stay_awake(ep->ws)`; if it then loses the cmpxchg it gives the
 *   count back. Whoever takes an item out of READY (the IDLE reset in ep_send_events, the
 *   reaping of a zombie) does `atomic_dec_and_test()` and, on 1 -> 0, `__pm_relax(ep->ws)`.
 *   No per-item source is activated at all.
 * - `ws-counter-locked`: the same counter, but each update and its stay_awake/relax are done
 *   together under a spinlock (the wakeup source's own `ws->lock`, which __pm_stay_awake and
 *   __pm_relax take anyway), so a transition and its (de)activation cannot be reordered.
 *
 * P6 ("while an item is queued or in transit, some wakeup source is active") is what the
 * answer is checked against: see test/variants/wfcqueue.spec.ts for what holds.
 */
import { spin_lock_irqsave, spin_unlock_irqrestore } from '../../locks/spinlock.ts';
import type { Ctx } from '../../sim/context.ts';
import { atomic_add_return, load, store } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import { __pm_relax, __pm_stay_awake } from '../wakeup-source.ts';

/** How EPOLLWAKEUP is handled: as posted, or with the counter of seed 001. */
export type WsMode = 'posted' | 'counter' | 'counter-locked';

/** The mode the run's switches select. */
export function ws_mode(c: Ctx): WsMode {
  const k = kernel(c);
  if (k.bug('ws-counter-locked')) return 'counter-locked';
  if (k.bug('ws-counter')) return 'counter';
  return 'posted';
}

function* ep_ws(c: Ctx, ep: number): Model<number> {
  return (yield load(ep, 'ws', 'ep_ws_count')) as number;
}

/** Counts one more READY wakeup item (0 -> 1 activates ep->ws); counter modes only. */
export function* ep_ws_get(c: Ctx, ep: number, epi: number): Model<void> {
  const FN = 'ep_ws_get';
  const mode = ws_mode(c);
  if (mode === 'posted' || (yield load(epi, 'ws', FN)) === 0) return;
  if (mode === 'counter') {
    if ((yield atomic_add_return(ep, 'ws_count', 1, FN)) === 1) {
      yield* __pm_stay_awake(c, yield* ep_ws(c, ep));
    }
    return;
  }
  const lock = c.m.arena.objs[ep]!.ws_lock as number;
  const flags = yield* spin_lock_irqsave(c, lock);
  const n = ((yield load(ep, 'ws_count', FN)) as number) + 1;
  yield store(ep, 'ws_count', n, FN);
  if (n === 1) yield* __pm_stay_awake(c, yield* ep_ws(c, ep));
  yield* spin_unlock_irqrestore(c, lock, flags);
}

/** Counts one READY wakeup item less (1 -> 0 relaxes ep->ws); counter modes only. */
export function* ep_ws_put(c: Ctx, ep: number, epi: number): Model<void> {
  const FN = 'ep_ws_put';
  const mode = ws_mode(c);
  if (mode === 'posted' || (yield load(epi, 'ws', FN)) === 0) return;
  if (mode === 'counter') {
    if ((yield atomic_add_return(ep, 'ws_count', -1, FN)) === 0) {
      yield* __pm_relax(c, yield* ep_ws(c, ep));
    }
    return;
  }
  const lock = c.m.arena.objs[ep]!.ws_lock as number;
  const flags = yield* spin_lock_irqsave(c, lock);
  const n = ((yield load(ep, 'ws_count', FN)) as number) - 1;
  yield store(ep, 'ws_count', n, FN);
  if (n === 0) yield* __pm_relax(c, yield* ep_ws(c, ep));
  yield* spin_unlock_irqrestore(c, lock, flags);
}
