/**
 * Wakeup sources for EPOLLWAKEUP (drivers/base/power/wakeup.c, as fs/eventpoll.c uses them):
 * `ep->ws` covers a harvest in progress, `epi->ws` covers a queued item. Only the `active`
 * flag matters to the model (property P6 reads it); activation is a plain store under the
 * lock the caller holds, as `__pm_stay_awake` takes the source's own lock.
 */
import type { Ctx } from '../sim/context.ts';
import { load, store } from '../sim/mem.ts';
import type { Model } from '../sim/op.ts';

/** wakeup_source_register(). */
export function wakeup_source_register(c: Ctx, label: string): number {
  return c.m.alloc('wakeup_source', { active: 0 }, label);
}

/** __pm_stay_awake(ws); a NULL ws is ignored, as in the kernel. */
export function* __pm_stay_awake(_c: Ctx, ws: number): Model<void> {
  if (ws !== 0) yield store(ws, 'active', 1, '__pm_stay_awake');
}

/** __pm_relax(ws). */
export function* __pm_relax(_c: Ctx, ws: number): Model<void> {
  if (ws !== 0) yield store(ws, 'active', 0, '__pm_relax');
}

/** ws->active, read by ep_send_events. */
export function* ws_active(_c: Ctx, ws: number): Model<boolean> {
  if (ws === 0) return false;
  return (yield load(ws, 'active', 'ep_send_events')) === 1;
}

/** ep_wakeup_source(epi) / ep_pm_stay_awake(epi) read `epi->ws`. */
export function* ep_wakeup_source(_c: Ctx, epi: number): Model<number> {
  return (yield load(epi, 'ws', 'ep_wakeup_source')) as number;
}

/** ep_pm_stay_awake(epi) and ep_pm_stay_awake_rcu(epi). */
export function* ep_pm_stay_awake(c: Ctx, epi: number): Model<void> {
  const ws = yield* ep_wakeup_source(c, epi);
  yield* __pm_stay_awake(c, ws);
}
