/**
 * Wakeup sources for EPOLLWAKEUP (drivers/base/power/wakeup.c, as fs/eventpoll.c uses them):
 * `ep->ws` covers a harvest in progress, `epi->ws` covers a queued item. Only the `active`
 * flag matters to the model (property P6 reads it); activation is a plain store under the
 * lock the caller holds, as `__pm_stay_awake` takes the source's own lock.
 */
import { rcu_read_lock, rcu_read_unlock, synchronize_rcu } from '../locks/rcu.ts';
import type { Ctx } from '../sim/context.ts';
import { load, READ_ONCE, store, WRITE_ONCE } from '../sim/mem.ts';
import type { Model } from '../sim/op.ts';
import { kernel } from './kernel.ts';

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

/**
 * ep_pm_stay_awake_rcu() of v6.18 (since 3.9): the callback's form, which holds no ep->mtx:
 * `epi->ws` is read with rcu_dereference() inside rcu_read_lock(), so that a concurrent
 * ep_destroy_wakeup_source() waits for it before freeing the source.
 */
export function* ep_pm_stay_awake_rcu(c: Ctx, epi: number): Model<void> {
  rcu_read_lock(c);
  const ws = (yield READ_ONCE(epi, 'ws', 'ep_pm_stay_awake_rcu')) as number;
  yield* __pm_stay_awake(c, ws);
  rcu_read_unlock(c);
}

/**
 * ep_destroy_wakeup_source() of v6.18: EPOLL_CTL_MOD turned EPOLLWAKEUP off. `epi->ws` is
 * cleared (RCU_INIT_POINTER), synchronize_rcu() waits for every callback that may have read
 * it, and the source is unregistered (freed). The mutant switch `ws-no-synchronize-rcu`
 * frees it at once.
 */
export function* ep_destroy_wakeup_source(c: Ctx, epi: number): Model<void> {
  const FN = 'ep_destroy_wakeup_source';
  const ws = (yield load(epi, 'ws', FN)) as number;
  yield WRITE_ONCE(epi, 'ws', 0, FN);
  if (!kernel(c).bug('ws-no-synchronize-rcu')) yield* synchronize_rcu(c);
  c.m.free(c, ws, 'wakeup_source_unregister');
}
