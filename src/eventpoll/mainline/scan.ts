/**
 * fs/eventpoll.c @ v6.18: the harvest. ep_start_scan(), ep_done_scan(), ep_send_events(),
 * ep_item_poll() and __ep_eventpoll_poll(), calling each other through the variant's table.
 *
 * LOCKING: the harvester holds `ep->mtx` for the whole scan, so ctl and other harvesters
 * are excluded; `ep->lock` is held only to steal `rdllist` (setting `ovflist` to NULL so that
 * callbacks chain onto it instead) and to put everything back. Between the two, the private
 * txlist is walked without `ep->lock`: that window is where callbacks race the harvest.
 *
 * Bug switches honoured here:
 * - `no-done-scan-wake` (B10, 339ddb53d373 in 5.5): ep_done_scan does not wake ep->wq.
 */
import { mutex_lock, mutex_lock_nested, mutex_unlock } from '../../locks/mutex.ts';
import { spin_lock, spin_lock_irq, spin_unlock, spin_unlock_irq } from '../../locks/spinlock.ts';
import { waitqueue_active, wake_up } from '../../locks/waitqueue.ts';
import { EP_UNACTIVE_PTR, NULL } from '../../queues/arena.ts';
import {
  list_add, list_add_tail, list_del_init, list_entry, list_head_alloc, list_splice,
  list_splice_init,
} from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, READ_ONCE, store, WRITE_ONCE } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { poll_wait, vfs_poll, type PollTable } from '../file.ts';
import { kernel } from '../kernel.ts';
import type { WaitCall } from '../ghost.ts';
import { EPOLLET, EPOLLIN, EPOLLONESHOT, EPOLLRDNORM, EP_PRIVATE_BITS, type EpollEvent }
  from '../uapi.ts';
import { __pm_relax, __pm_stay_awake, ep_wakeup_source, ws_active } from '../wakeup-source.ts';

/** ep_start_scan(): steal rdllist into txlist and start chaining callbacks on ovflist. */
export function* ep_start_scan(c: Ctx, ep: number, txlist: number): Model<void> {
  const o = c.m.arena.objs[ep]!;
  // fault:scan-no-irq takes ep->lock without masking interrupts (a P4 canary): an
  // interrupt on this CPU whose callback wants ep->lock then spins forever.
  const plain = kernel(c).bug('fault:scan-no-irq');
  if (plain) yield* spin_lock(c, o.lock as number);
  else yield* spin_lock_irq(c, o.lock as number);
  yield* list_splice_init(c, o.rdllist as number, txlist);
  yield WRITE_ONCE(ep, 'ovflist', NULL, 'ep_start_scan');
  if (plain) yield* spin_unlock(c, o.lock as number);
  else yield* spin_unlock_irq(c, o.lock as number);
}

/** ep_done_scan(): requeue ovflist (reversed to FIFO), put txlist back, wake if ready. */
export function* ep_done_scan(c: Ctx, ep: number, txlist: number): Model<void> {
  const FN = 'ep_done_scan';
  const k = kernel(c);
  const o = c.m.arena.objs[ep]!;
  const rdllist = o.rdllist as number;
  yield* spin_lock_irq(c, o.lock as number);
  let nepi: number = yield READ_ONCE(ep, 'ovflist', FN);
  while (nepi !== NULL) {
    const epi = nepi;
    nepi = yield load(epi, 'next', FN);
    yield store(epi, 'next', EP_UNACTIVE_PTR, FN);
    // The item may already be on txlist; the splice below handles those.
    if (!(yield* k.ops.ep_is_linked(c, epi))) {
      // ovflist is LIFO: adding each at the head restores FIFO order.
      yield* list_add(c, c.m.arena.objs[epi]!.rdllink as number, rdllist);
      yield* k.ops.ep_pm_stay_awake(c, epi);
    }
  }
  yield WRITE_ONCE(ep, 'ovflist', EP_UNACTIVE_PTR, FN);
  yield* list_splice(c, txlist, rdllist);
  yield* __pm_relax(c, (yield load(ep, 'ws', FN)) as number);
  if (!k.bug('no-done-scan-wake')) {
    const next: number = yield READ_ONCE(rdllist, 'next', FN);
    if (next !== rdllist && (yield* waitqueue_active(c, o.wq as number))) {
      yield* wake_up(c, o.wq as number);
    }
  }
  yield* spin_unlock_irq(c, o.lock as number);
}

/** ep_item_poll(): the item's current readiness, masked by its interest. */
export function* ep_item_poll(c: Ctx, epi: number, pt: PollTable | null, depth: number):
Model<number> {
  const file: number = yield load(epi, 'ffd_file', 'ep_item_poll');
  // epi_fget(): a file in its final fput is treated as not ready.
  const count: number = yield READ_ONCE(file, 'f_count', 'epi_fget');
  if (count === 0) return 0;
  const events: number = yield load(epi, 'events', 'ep_item_poll');
  const table: PollTable = pt ?? { qproc: null, key: events, epi: 0 };
  table.key = events;
  let res: number;
  if (c.m.arena.objs[file]!.f_op !== 'eventpoll') res = yield* vfs_poll(c, file, table);
  else res = yield* kernel(c).ops.ep_eventpoll_poll(c, file, table, depth);
  return res & events;
}

/** Ghost: reports a P5 complaint about a delivered event. */
export function deliveredCheck(c: Ctx, epi: number, revents: number): void {
  const k = kernel(c);
  const why = k.ghost.delivered(c.local.call as WaitCall | undefined, epi, revents);
  if (why !== undefined) {
    c.m.report({ property: 'P5-event-semantics', kind: 'bad-event', message: why,
      ctx: c.id, cpu: c.cpu });
  }
}

/** ep_send_events() of v6.18. */
export function* ep_send_events(c: Ctx, ep: number, out: EpollEvent[], maxevents: number):
Model<number> {
  const FN = 'ep_send_events';
  const k = kernel(c);
  const o = c.m.arena.objs[ep]!;
  const txlist = list_head_alloc(c.m, 0, `txlist@${c.name}`);
  let res = 0;
  yield* mutex_lock(c, o.mtx as number);
  yield* k.ops.ep_start_scan(c, ep, txlist);
  // Items cannot vanish while we hold ep->mtx, so txlist is walked without ep->lock.
  let pos: number = yield load(txlist, 'next', FN);
  while (pos !== txlist) {
    const tmp: number = yield load(pos, 'next', FN);
    if (res >= maxevents) break;
    const epi = list_entry(c.m, pos);
    // Activate ep->ws before relaxing epi->ws so that auto-suspend cannot slip in.
    const ws = yield* ep_wakeup_source(c, epi);
    if (ws !== 0) {
      if (yield* ws_active(c, ws)) yield* __pm_stay_awake(c, (yield load(ep, 'ws', FN)) as number);
      yield* __pm_relax(c, ws);
    }
    yield* list_del_init(c, pos);
    k.ghost.consume(epi);
    const revents = yield* k.ops.ep_item_poll(c, epi, null, 1);
    if (revents) {
      const data: number = yield load(epi, 'data', FN);
      out.push({ events: revents, data });
      deliveredCheck(c, epi, revents);
      res++;
      const events: number = yield load(epi, 'events', FN);
      if (events & EPOLLONESHOT) {
        if (!k.bug('fault:no-oneshot-disarm')) {
          yield store(epi, 'events', events & EP_PRIVATE_BITS, FN);
        }
      } else if (!(events & EPOLLET)) {
        // LT: requeue so the next epoll_wait polls it again. Only we add to rdllist now:
        // callbacks go to ovflist and ctl is locked out by ep->mtx.
        yield* list_add_tail(c, pos, o.rdllist as number);
        yield* k.ops.ep_pm_stay_awake(c, epi);
      }
    }
    pos = tmp;
  }
  yield* k.ops.ep_done_scan(c, ep, txlist);
  yield* mutex_unlock(c, o.mtx as number);
  c.m.free(c, txlist);
  return res;
}

/** __ep_eventpoll_poll(): an epoll file is readable when some queued item polls ready. */
export function* ep_eventpoll_poll(c: Ctx, file: number, pt: PollTable | null, depth: number):
Model<number> {
  const FN = 'ep_eventpoll_poll';
  const ops = kernel(c).ops;
  const ep = c.m.arena.objs[file]!.private_data as number;
  const o = c.m.arena.objs[ep]!;
  yield* poll_wait(c, file, o.poll_wait as number, pt);
  const txlist = list_head_alloc(c.m, 0, `txlist@${c.name}`);
  let res = 0;
  yield* mutex_lock_nested(c, o.mtx as number, depth);
  yield* ops.ep_start_scan(c, ep, txlist);
  let pos: number = yield load(txlist, 'next', FN);
  while (pos !== txlist) {
    const tmp: number = yield load(pos, 'next', FN);
    const epi = list_entry(c.m, pos);
    if (yield* ops.ep_item_poll(c, epi, null, depth + 1)) {
      res = EPOLLIN | EPOLLRDNORM;
      break;
    }
    // Queued but not ready for what the caller asked: drop it here.
    yield* __pm_relax(c, yield* ep_wakeup_source(c, epi));
    yield* list_del_init(c, pos);
    pos = tmp;
  }
  yield* ops.ep_done_scan(c, ep, txlist);
  yield* mutex_unlock(c, o.mtx as number);
  c.m.free(c, txlist);
  return res;
}
