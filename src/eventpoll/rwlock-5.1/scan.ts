/**
 * fs/eventpoll.c @ a218cc491420 (v5.1): ep_scan_ready_list() under the WRITE side of the
 * rwlock `ep->lock`, with c141175d011f's FIFO order (ovflist, which is LIFO, is drained
 * with list_add at the head) and the end-of-scan wakeup that v5.5 removed.
 *
 * LOCKING: `ep->mtx` for the whole scan; write_lock_irq(&ep->lock) to steal rdllist (and
 * set ovflist = NULL) and again to requeue ovflist and put the txlist back. The write lock
 * waits for every callback that is adding locklessly, so the plain list operations here
 * never meet a half-done lockless add (invariant I-d1). ep_send_events_proc() and
 * ep_read_events_proc() are the v4.19 ones, unchanged in v5.1 (imported).
 *
 * Bug switch honoured here:
 * - `no-scan-wake`: no wakeup of `ep->wq` / `poll_wait` at the end of the scan
 *   (339ddb53d373 "fs/epoll: remove unnecessary wakeups of nested epoll", v5.5; the wakeup
 *   of ep->wq came back in ep_done_scan with Davidlohr Bueso's 2021 fix, v5.13). Alone it
 *   loses the wakeup of a second waiter for LT items re-added or left over by a harvest
 *   (B10); it is also what makes B4, B5 (5.1 shape) and B6 reachable.
 */
import { mutex_lock_nested, mutex_unlock } from '../../locks/mutex.ts';
import { write_lock_irq, write_unlock_irq } from '../../locks/rwlock.ts';
import { waitqueue_active, wake_up } from '../../locks/waitqueue.ts';
import { EP_UNACTIVE_PTR, NULL } from '../../queues/arena.ts';
import { list_add, list_empty, list_head_alloc, list_splice, list_splice_init }
  from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, READ_ONCE, store, WRITE_ONCE } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import type { ScanProc } from '../variant.ts';
import { __pm_relax } from '../wakeup-source.ts';

/** ep_scan_ready_list() of v5.1. */
export function* ep_scan_ready_list<P>(c: Ctx, ep: number, sproc: ScanProc<P>, priv: P,
  depth: number, ep_locked: boolean): Model<number> {
  const FN = 'ep_scan_ready_list';
  const k = kernel(c);
  const o = c.m.arena.objs[ep]!;
  const lock = o.lock as number;
  const rdllist = o.rdllist as number;
  const txlist = list_head_alloc(c.m, 0, `txlist@${c.name}`);
  let pwake = false;
  if (!ep_locked) yield* mutex_lock_nested(c, o.mtx as number, depth);
  yield* write_lock_irq(c, lock);
  yield* list_splice_init(c, rdllist, txlist);
  yield WRITE_ONCE(ep, 'ovflist', NULL, FN);
  yield* write_unlock_irq(c, lock);
  const res = yield* sproc(c, ep, txlist, priv);
  yield* write_lock_irq(c, lock);
  let nepi: number = yield READ_ONCE(ep, 'ovflist', FN);
  while (nepi !== NULL) {
    const epi = nepi;
    if (!(yield* k.ops.ep_is_linked(c, epi))) {
      // ->ovflist is LIFO, so adding each at the head restores FIFO order.
      yield* list_add(c, c.m.arena.objs[epi]!.rdllink as number, rdllist);
      yield* k.ops.ep_pm_stay_awake(c, epi);
    }
    nepi = yield load(epi, 'next', FN);
    yield store(epi, 'next', EP_UNACTIVE_PTR, FN);
  }
  yield WRITE_ONCE(ep, 'ovflist', EP_UNACTIVE_PTR, FN);
  yield* list_splice(c, txlist, rdllist);
  yield* __pm_relax(c, (yield load(ep, 'ws', FN)) as number);
  if (!k.bug('no-scan-wake') && !(yield* list_empty(c, rdllist, FN))) {
    if (yield* waitqueue_active(c, o.wq as number)) yield* wake_up(c, o.wq as number);
    if (yield* waitqueue_active(c, o.poll_wait as number)) pwake = true;
  }
  yield* write_unlock_irq(c, lock);
  if (!ep_locked) yield* mutex_unlock(c, o.mtx as number);
  c.m.free(c, txlist, FN);
  if (pwake) yield* k.ops.ep_poll_safewake(c, ep, 0, 0);
  return res;
}
