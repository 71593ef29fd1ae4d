/**
 * Eric Wong's wfcqueue RFC v3 (seed 002): ep_ready_prepare(), ep_events_available(),
 * ep_reap(), ep_send_events() and ep_poll_readyevents_proc()/ep_eventpoll_poll().
 *
 * LOCKING: everything here runs under `ep->mtx`, which "also protects rdlhead, txlhead,
 * and txltail" on the dequeue side: ep_ready_prepare() splices the whole ready queue
 * (rdlhead/rdltail, which callbacks append to without any lock) onto the transaction queue
 * (txlhead/txltail), and ep_send_events() dequeues from the transaction queue. Callbacks can
 * only enqueue an item whose state they moved IDLE -> READY; ep_send_events() puts the state
 * back to IDLE after delivering an ET or ONESHOT item, WITHOUT a barrier ("rely on ep->mtx
 * release for write barrier"); LT items stay READY and are re-enqueued on rdlhead.
 *
 * WF1 (Arve Hjønnevåg's review): a callback that runs after the item was dequeued and polled
 * but before `epi->state = EP_STATE_IDLE` fails its cmpxchg (the state is still READY) and
 * queues nothing; the reset then makes the item IDLE with its new event forgotten.
 *
 * The WF1 fix (variant wfcqueue-rfc-v3-fixed, see fixed.ts): reset the state to IDLE right
 * after the dequeue, with smp_mb(), BEFORE polling; an LT item is then re-queued through
 * ep_mark_ready() (a callback may have re-queued it already). Any callback after the reset
 * queues the item again; any event before it is seen by the poll.
 *
 * EPOLLWAKEUP as posted: ep_send_events() activates `ep->ws` when the item's source was
 * active and relaxes the item's source, as the old ep_send_events_proc() did, but nothing
 * relaxes `ep->ws` any more (the old ep_scan_ready_list() did; "Oops, I left that out"),
 * and a callback that loses the WF1 race activates nothing.
 */
import { mutex_lock_nested, mutex_unlock } from '../../locks/mutex.ts';
import { NULL } from '../../queues/arena.ts';
import {
  __wfcq_dequeue, __wfcq_first, __wfcq_next, __wfcq_splice, wfcq_empty, wfcq_enqueue,
  wfcq_node_init, WFCQ_RET_SRC_EMPTY,
} from '../../queues/wfcqueue-kernel.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, smp_mb, store } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { poll_wait, type PollTable } from '../file.ts';
import { kernel } from '../kernel.ts';
import { deliveredCheck } from '../mainline/scan.ts';
import { EP_PRIVATE_BITS, EPOLLET, EPOLLIN, EPOLLONESHOT, EPOLLRDNORM, type EpollEvent }
  from '../uapi.ts';
import { __pm_relax, __pm_stay_awake, ep_wakeup_source, ws_active } from '../wakeup-source.ts';
import { epi_free } from '../classic-4.19/items.ts';
import { EP_STATE_IDLE, EP_STATE_READY, EP_STATE_ZOMBIE, queues, rdlnode } from './callback.ts';
import { ep_ws_get, ep_ws_put, ws_mode } from './wakeup.ts';

/** ep_ready_prepare(): splice newly queued items onto the transaction list (ep->mtx held). */
export function* ep_ready_prepare(c: Ctx, ep: number): Model<number> {
  const q = queues(c, ep);
  return yield* __wfcq_splice(c, q.txlhead, q.txltail, q.rdlhead, q.rdltail);
}

/** ep_events_available() of the RFC: splices, then tests the transaction list. */
export function* ep_events_available(c: Ctx, ep: number): Model<boolean> {
  const ret = yield* kernel(c).ops.ep_ready_prepare(c, ep);
  if (ret !== WFCQ_RET_SRC_EMPTY) return true;
  const q = queues(c, ep);
  return !(yield* wfcq_empty(c, q.txlhead, q.txltail));
}

/** ep_reap(): free a zombie (or an item removed from a dying set). */
export function ep_reap(c: Ctx, _ep: number, epi: number): void {
  const FN = 'ep_reap';
  const o = c.m.arena.objs[epi]!;
  if (o.ws !== 0) c.m.free(c, o.ws as number, FN);
  c.m.free(c, o.rdlnode as number, FN);
  epi_free(c, epi, FN);
}

/** Options of ep_send_events: the RFC as posted, or with the WF1 fix. */
export interface SendOptions {
  /** Reset the state to IDLE before polling (the WF1 fix). */
  readonly resetFirst: boolean;
}

/**
 * ep_send_events() of the RFC (`resetFirst` false) or with the WF1 fix (true). Iterates
 * with __wfcq_for_each_safe: the next node is found before the current one is dequeued.
 */
export function ep_send_events_with(opts: SendOptions):
(c: Ctx, ep: number, out: EpollEvent[], maxevents: number) => Model<number> {
  return function* ep_send_events(c, ep, out, maxevents) {
    const q = queues(c, ep);
    let eventcnt = 0;
    let node = yield* __wfcq_first(c, q.txlhead, q.txltail);
    let n = node !== NULL ? yield* __wfcq_next(c, q.txlhead, q.txltail, node) : NULL;
    while (node !== NULL) {
      const epi = c.m.arena.objs[node]!.owner as number;
      yield* __wfcq_dequeue(c, q.txlhead, q.txltail);
      if (yield* ep_send_one(c, ep, epi, out, opts)) {
        // "if (++eventcnt == maxevents) n = NULL; /* stop iteration */"
        if (++eventcnt === maxevents) n = NULL;
      }
      node = n;
      n = node !== NULL ? yield* __wfcq_next(c, q.txlhead, q.txltail, node) : NULL;
    }
    return eventcnt;
  };
}

/** The loop body of ep_send_events for one dequeued item; returns whether it delivered. */
function* ep_send_one(c: Ctx, ep: number, epi: number, out: EpollEvent[], opts: SendOptions):
Model<boolean> {
  const FN = 'ep_send_events';
  const k = kernel(c);
  // "no barrier needed, splicing txl should be enough"
  const state: number = yield load(epi, 'state', FN);
  const counter = ws_mode(c) !== 'posted';
  if (state === EP_STATE_ZOMBIE) {
    if (counter) yield* ep_ws_put(c, ep, epi);
    k.ops.ep_reap(c, ep, epi);
    return false;
  }
  if (state !== EP_STATE_READY) {
    c.m.report({ property: 'assertion', kind: 'warn-on', message: `WARN_ON(state != ` +
      `EP_STATE_READY): ${c.m.arena.label(epi)} dequeued in state ${state}`, ctx: c.id,
    cpu: c.cpu });
  }
  yield* wfcq_node_init(c, rdlnode(c, epi));
  if (opts.resetFirst) {
    // The WF1 fix: from here on a callback can queue the item again, and the poll below
    // sees every event that came before (the barrier pairs with the callback's cmpxchg).
    yield store(epi, 'state', EP_STATE_IDLE, FN);
    if (!k.bug('fix-no-mb')) yield smp_mb(FN);
    if (counter) yield* ep_ws_put(c, ep, epi);
  }
  // Activate ep->ws before relaxing epi->ws, so that auto-suspend cannot slip in.
  const ws = counter ? 0 : yield* ep_wakeup_source(c, epi);
  if (ws !== 0) {
    if (yield* ws_active(c, ws)) yield* __pm_stay_awake(c, (yield load(ep, 'ws', FN)) as number);
    yield* __pm_relax(c, ws);
  }
  k.ghost.consume(epi);
  const revents = yield* k.ops.ep_item_poll(c, epi, null, 1);
  if (revents) {
    const data: number = yield load(epi, 'data', FN);
    out.push({ events: revents, data });
    deliveredCheck(c, epi, revents);
    const events: number = yield load(epi, 'events', FN);
    if (events & EPOLLONESHOT) {
      const disarmed = events & EP_PRIVATE_BITS;
      if (!k.bug('fault:no-oneshot-disarm')) yield store(epi, 'events', disarmed, FN);
    } else if (!(events & EPOLLET)) {
      // LT: back on the ready list (the fix re-marks it READY first).
      if (opts.resetFirst && counter) yield* ep_ws_get(c, ep, epi);
      if (!opts.resetFirst || (yield* k.ops.ep_mark_ready(c, epi))) {
        const q = queues(c, ep);
        yield* wfcq_enqueue(c, q.rdlhead, q.rdltail, rdlnode(c, epi));
        if (!counter) yield* k.ops.ep_pm_stay_awake(c, epi);
      } else if (counter) {
        yield* ep_ws_put(c, ep, epi);
      }
      return true;
    }
  }
  // "reset item state for EPOLLONESHOT and EPOLLET; no barrier here, rely on ep->mtx
  // release for write barrier" (as posted; the fix did this before the poll).
  if (!opts.resetFirst) {
    yield store(epi, 'state', EP_STATE_IDLE, FN);
    if (counter) yield* ep_ws_put(c, ep, epi);
  }
  return revents !== 0;
}

/** ep_poll_readyevents_proc() of the RFC: is some queued, non-zombie item ready? */
export function* ep_poll_readyevents_proc(c: Ctx, ep: number, depth: number): Model<number> {
  const FN = 'ep_poll_readyevents_proc';
  const ops = kernel(c).ops;
  const o = c.m.arena.objs[ep]!;
  const q = queues(c, ep);
  let ret = 0;
  yield* mutex_lock_nested(c, o.mtx as number, depth + 1);
  yield* ops.ep_ready_prepare(c, ep);
  // __wfcq_for_each: read-only; ep->mtx prevents dequeue and epi invalidation.
  for (let node = yield* __wfcq_first(c, q.txlhead, q.txltail); node !== NULL;
    node = yield* __wfcq_next(c, q.txlhead, q.txltail, node)) {
    const epi = c.m.arena.objs[node]!.owner as number;
    if ((yield load(epi, 'state', FN)) === EP_STATE_ZOMBIE) continue;
    if (yield* ops.ep_item_poll(c, epi, null, depth + 1)) {
      ret = EPOLLIN | EPOLLRDNORM;
      break;
    }
    // "We cannot remove it here, ep_send_events will recheck and remove if possible."
    if (ws_mode(c) === 'posted') yield* __pm_relax(c, yield* ep_wakeup_source(c, epi));
  }
  yield* mutex_unlock(c, o.mtx as number);
  return ret;
}

/** ep_eventpoll_poll() of the RFC (v3.9: through ep_call_nested, not modelled). */
export function* ep_eventpoll_poll(c: Ctx, file: number, pt: PollTable | null, depth: number):
Model<number> {
  const ep = c.m.arena.objs[file]!.private_data as number;
  yield* poll_wait(c, file, c.m.arena.objs[ep]!.poll_wait as number, pt);
  return yield* kernel(c).ops.ep_poll_readyevents_proc(c, ep, depth);
}
