/**
 * fs/eventpoll.c @ 002b343669c4 (v4.19/4.20 era): the harvest. ep_scan_ready_list() with its
 * two scan procedures ep_send_events_proc() and ep_read_events_proc(), ep_send_events(),
 * ep_item_poll() and ep_eventpoll_poll().
 *
 * LOCKING: the scanner holds `ep->mtx` for the whole scan (ctl, release and other scanners
 * are out). It takes `ep->wq.lock` twice: to steal `rdllist` into a private txlist and set
 * `ovflist = NULL` (callbacks chain there from now on), and at the end to requeue `ovflist`,
 * put the txlist leftovers back and wake `ep->wq` (and, outside the lock, `poll_wait`) if
 * anything is ready. In between, the txlist is walked with no spinlock, and the LT re-add
 * to `rdllist` is done WITHOUT the lock: legal because producers go to ovflist and ctl is
 * locked out by `ep->mtx` (invariant I-b3 of the history notes).
 *
 * Differences from the kernel (stated): the `locked` argument is always false for a nested
 * set, because the shared do_epoll_ctl() does not take the target set's mutex on an ADD of
 * an epoll file (4.19 did, under epmutex); the scan takes it itself instead.
 */
import { mutex_lock_nested, mutex_unlock } from '../../locks/mutex.ts';
import { spin_lock_irq, spin_unlock_irq } from '../../locks/spinlock.ts';
import { waitqueue_active, wake_up_locked } from '../../locks/waitqueue.ts';
import { EP_UNACTIVE_PTR, NULL } from '../../queues/arena.ts';
import {
  list_add_tail, list_del_init, list_empty, list_entry, list_head_alloc, list_splice,
  list_splice_init,
} from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, store } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { poll_wait, vfs_poll, type PollTable } from '../file.ts';
import { kernel } from '../kernel.ts';
import { deliveredCheck } from '../mainline/scan.ts';
import { EP_PRIVATE_BITS, EPOLLET, EPOLLIN, EPOLLONESHOT, EPOLLRDNORM, type EpollEvent }
  from '../uapi.ts';
import type { ScanProc, SendEventsData } from '../variant.ts';
import { __pm_relax, __pm_stay_awake, ep_wakeup_source, ws_active } from '../wakeup-source.ts';

export type { ScanProc, SendEventsData };

/** ep_scan_ready_list() of v4.19. */
export function* ep_scan_ready_list<P>(c: Ctx, ep: number, sproc: ScanProc<P>, priv: P,
  depth: number, ep_locked: boolean): Model<number> {
  const FN = 'ep_scan_ready_list';
  const ops = kernel(c).ops;
  const o = c.m.arena.objs[ep]!;
  const lock = o.lock as number;
  const rdllist = o.rdllist as number;
  const txlist = list_head_alloc(c.m, 0, `txlist@${c.name}`);
  let pwake = false;
  if (!ep_locked) yield* mutex_lock_nested(c, o.mtx as number, depth);
  // Steal the ready list; from now on callbacks chain onto ovflist.
  yield* spin_lock_irq(c, lock);
  yield* list_splice_init(c, rdllist, txlist);
  yield store(ep, 'ovflist', NULL, FN);
  yield* spin_unlock_irq(c, lock);
  const res = yield* sproc(c, ep, txlist, priv);
  yield* spin_lock_irq(c, lock);
  // for (nepi = ep->ovflist; (epi = nepi) != NULL; nepi = epi->next, epi->next = UNACTIVE)
  let nepi: number = yield load(ep, 'ovflist', FN);
  while (nepi !== NULL) {
    const epi = nepi;
    // Items still on txlist are put back by the splice below.
    if (!(yield* ops.ep_is_linked(c, epi))) {
      yield* list_add_tail(c, c.m.arena.objs[epi]!.rdllink as number, rdllist);
      yield* ops.ep_pm_stay_awake(c, epi);
    }
    nepi = yield load(epi, 'next', FN);
    yield store(epi, 'next', EP_UNACTIVE_PTR, FN);
  }
  yield store(ep, 'ovflist', EP_UNACTIVE_PTR, FN);
  // Quickly re-inject the items left on txlist.
  yield* list_splice(c, txlist, rdllist);
  yield* __pm_relax(c, (yield load(ep, 'ws', FN)) as number);
  if (!(yield* list_empty(c, rdllist, FN))) {
    if (yield* waitqueue_active(c, o.wq as number)) yield* wake_up_locked(c, o.wq as number);
    if (yield* waitqueue_active(c, o.poll_wait as number)) pwake = true;
  }
  yield* spin_unlock_irq(c, lock);
  if (!ep_locked) yield* mutex_unlock(c, o.mtx as number);
  c.m.free(c, txlist, FN);
  if (pwake) yield* ops.ep_poll_safewake(c, ep, 0, 0);
  return res;
}

/**
 * ep_item_poll() of v4.19: the item's readiness masked by its interest. A nested epoll
 * file is polled through its f_op (this variant's ep_eventpoll_poll), which scans it.
 * There is no epi_fget() check in this era.
 */
export function* ep_item_poll(c: Ctx, epi: number, pt: PollTable | null, depth: number):
Model<number> {
  const FN = 'ep_item_poll';
  const events: number = yield load(epi, 'events', FN);
  const table: PollTable = pt ?? { qproc: null, key: events, epi: 0 };
  table.key = events;
  const file: number = yield load(epi, 'ffd_file', FN);
  if (c.m.arena.objs[file]!.f_op !== 'eventpoll') return (yield* vfs_poll(c, file, table)) & events;
  return (yield* kernel(c).ops.ep_eventpoll_poll(c, file, table, depth)) & events;
}

/** ep_send_events_proc() of v4.19 (identical in v5.1). */
export function* ep_send_events_proc(c: Ctx, ep: number, head: number, esed: SendEventsData):
Model<number> {
  const FN = 'ep_send_events_proc';
  const k = kernel(c);
  const rdllist = c.m.arena.objs[ep]!.rdllist as number;
  esed.res = 0;
  while (esed.res < esed.maxevents) {
    const first: number = yield load(head, 'next', FN);
    if (first === head) break;
    const epi = list_entry(c.m, first);
    // Activate ep->ws before relaxing epi->ws, so that auto-suspend cannot slip in.
    const ws = yield* ep_wakeup_source(c, epi);
    if (ws !== 0) {
      if (yield* ws_active(c, ws)) yield* __pm_stay_awake(c, (yield load(ep, 'ws', FN)) as number);
      yield* __pm_relax(c, ws);
    }
    yield* list_del_init(c, first);
    k.ghost.consume(epi);
    const revents = yield* k.ops.ep_item_poll(c, epi, null, 1);
    if (!revents) continue;
    const data: number = yield load(epi, 'data', FN);
    esed.events.push({ events: revents, data });
    deliveredCheck(c, epi, revents);
    esed.res++;
    const events: number = yield load(epi, 'events', FN);
    if (events & EPOLLONESHOT) {
      const disarmed = events & EP_PRIVATE_BITS;
      if (!k.bug('fault:no-oneshot-disarm')) yield store(epi, 'events', disarmed, FN);
    } else if (!(events & EPOLLET)) {
      // LT: back on the ready list, without the lock (see the file header).
      yield* list_add_tail(c, first, rdllist);
      yield* k.ops.ep_pm_stay_awake(c, epi);
    }
  }
  return 0;
}

/**
 * ep_send_events() of v4.19 (identical in v4.5 and v5.1, which differ in the variant's
 * ep_scan_ready_list()).
 */
export function* ep_send_events(c: Ctx, ep: number, out: EpollEvent[], maxevents: number):
Model<number> {
  const ops = kernel(c).ops;
  const esed: SendEventsData = { maxevents, events: out, res: 0 };
  yield* ops.ep_scan_ready_list(c, ep, ops.ep_send_events_proc, esed, 0, false);
  return esed.res;
}

/** ep_read_events_proc() of v4.19 (identical in v5.1): is some queued item ready? */
export function* ep_read_events_proc(c: Ctx, _ep: number, head: number, depth: number):
Model<number> {
  const FN = 'ep_read_events_proc';
  let pos: number = yield load(head, 'next', FN);
  while (pos !== head) {
    const tmp: number = yield load(pos, 'next', FN);
    const epi = list_entry(c.m, pos);
    if (yield* kernel(c).ops.ep_item_poll(c, epi, null, depth + 1)) return EPOLLIN | EPOLLRDNORM;
    // Queued by a callback but not ready for what the caller asked: drop it here.
    yield* __pm_relax(c, yield* ep_wakeup_source(c, epi));
    yield* list_del_init(c, pos);
    pos = tmp;
  }
  return 0;
}

/**
 * ep_eventpoll_poll() of v4.19 (and the nested branch of ep_item_poll, which differs only
 * in the depth passed); the same in v4.5 and v5.1.
 */
export function* ep_eventpoll_poll(c: Ctx, file: number, pt: PollTable | null, depth: number):
Model<number> {
  const ops = kernel(c).ops;
  const ep = c.m.arena.objs[file]!.private_data as number;
  yield* poll_wait(c, file, c.m.arena.objs[ep]!.poll_wait as number, pt);
  return yield* ops.ep_scan_ready_list(c, ep, ops.ep_read_events_proc, depth, depth, false);
}
