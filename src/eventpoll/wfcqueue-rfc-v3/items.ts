/**
 * Eric Wong's wfcqueue RFC v3 (seed 002): ep_insert(), ep_modify(), ep_remove() and
 * ep_free(). eventpoll_release_file() is the v3.9 one, identical to v4.19's (imported).
 *
 * LOCKING: `ep->mtx` around all of these (do_epoll_ctl; ep_free takes epmutex then ep->mtx).
 * No lock is taken for the ready list: a ready item is queued with ep_enqueue_process()
 * (cmpxchg IDLE -> READY, then the wait-free enqueue). A removed item whose state is READY
 * is still on a queue that cannot be unlinked in O(1): it becomes a ZOMBIE, and the next
 * ep_send_events() (or ep_free()) reaps it; otherwise it is freed at once.
 *
 * Not modelled (as in the other variants): reverse_path_check, max_user_watches and the
 * error paths of ep_insert (whose zombie accounting the RFC adds).
 */
import { mutex_lock, mutex_unlock } from '../../locks/mutex.ts';
import { spin_lock, spin_unlock } from '../../locks/spinlock.ts';
import { waitqueue_active } from '../../locks/waitqueue.ts';
import { NULL } from '../../queues/arena.ts';
import {
  __wfcq_dequeue, __wfcq_first, __wfcq_next,
} from '../../queues/wfcqueue-kernel.ts';
import { wfcq_node_alloc } from '../../queues/wfcqueue.ts';
import { list_add_tail, list_del_init, listOwners } from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, smp_mb, store } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import { ep_pqueue } from '../mainline/items.ts';
import { alloc_epitem } from '../structs.ts';
import { EPOLLWAKEUP } from '../uapi.ts';
import { ep_modify_wakeup_source, f_lock } from '../classic-4.19/items.ts';
import {
  EP_STATE_IDLE, EP_STATE_READY, EP_STATE_ZOMBIE, ep_enqueue_process, queues,
} from './callback.ts';

/** ep_insert() of the RFC. */
export function* ep_insert(c: Ctx, ep: number, events: number, data: number, tfile: number,
  fd: number, _full_check: boolean): Model<number> {
  const m = c.m;
  const k = kernel(c);
  const epi = alloc_epitem(m, `epi:${m.arena.label(tfile)}`, { ep, file: tfile, fd, events,
    data });
  // wfcq_node_init(&epi->rdllink); epi->state = EP_STATE_IDLE (private until published).
  m.arena.objs[epi]!.rdlnode = wfcq_node_alloc(m, epi, `${m.arena.label(epi)}.rdllink`);
  k.ghost.arm(epi);
  if (events & EPOLLWAKEUP) yield* k.ops.ep_create_wakeup_source(c, ep, epi);
  const revents = yield* k.ops.ep_item_poll(c, epi, ep_pqueue(c, events, epi), 1);
  const fl = f_lock(c, tfile);
  yield* spin_lock(c, fl);
  yield* list_add_tail(c, m.arena.objs[epi]!.fllink as number, m.arena.objs[tfile]!.f_ep as number);
  yield* spin_unlock(c, fl);
  yield* k.ops.ep_rbtree_insert(c, ep, epi);
  // "If the file is already "ready" we drop it inside the ready list."
  if (revents & events) yield* ep_enqueue_process(c, ep, epi);
  return 0;
}

/** ep_modify() of the RFC (v3.9 base: the smp_mb() of 128dd1759d96 is there). */
export function* ep_modify(c: Ctx, ep: number, epi: number, events: number, data: number):
Model<number> {
  const FN = 'ep_modify';
  const k = kernel(c);
  yield store(epi, 'events', events, FN);
  yield store(epi, 'data', data, FN);
  k.ghost.arm(epi);
  yield* ep_modify_wakeup_source(c, ep, epi, events);
  // Pairs with the smp_rmb() in ep_poll_callback.
  if (!k.bug('B1')) yield smp_mb(FN);
  if ((yield* k.ops.ep_item_poll(c, epi, null, 1)) & events) {
    yield* ep_enqueue_process(c, ep, epi);
  }
  return 0;
}

/** ep_remove() of the RFC: frees the item, or leaves a ZOMBIE for ep_send_events. */
export function* ep_remove(c: Ctx, ep: number, epi: number, _force: boolean): Model<boolean> {
  const FN = 'ep_remove';
  const k = kernel(c);
  const file: number = yield load(epi, 'ffd_file', FN);
  // "Removes poll wait queue hooks, epi->state cannot change after this."
  if (!k.bug('fault:no-unregister-pollwait')) yield* k.ops.ep_unregister_pollwait(c, ep, epi);
  const fl = f_lock(c, file);
  yield* spin_lock(c, fl);
  yield* list_del_init(c, c.m.arena.objs[epi]!.fllink as number);
  yield* spin_unlock(c, fl);
  yield* list_del_init(c, c.m.arena.objs[epi]!.rbn as number);
  // "rely on ep_send_events to cleanup if we got enqueued"
  if ((yield load(epi, 'state', FN)) === EP_STATE_READY) {
    yield store(epi, 'state', EP_STATE_ZOMBIE, FN);
  } else {
    k.ops.ep_reap(c, ep, epi);
  }
  return true;
}

/** ep_free() of the RFC (the epoll file's last close): reaps pre-existing zombies too. */
export function* ep_clear_and_put(c: Ctx, ep: number): Model<void> {
  const k = kernel(c);
  const o = c.m.arena.objs[ep]!;
  if (yield* waitqueue_active(c, o.poll_wait as number)) {
    yield* k.ops.ep_poll_safewake(c, ep, 0, 0);
  }
  yield* mutex_lock(c, k.epnested_mutex);
  for (const epi of listOwners(c.m, o.rbr as number)) {
    yield* k.ops.ep_unregister_pollwait(c, ep, epi);
  }
  // "We only lock ep->mtx to prevent a lockdep warning."
  yield* mutex_lock(c, o.mtx as number);
  // Reap zombies, these are no longer in ep->rbr.
  yield* k.ops.ep_ready_prepare(c, ep);
  const q = queues(c, ep);
  let node = yield* __wfcq_first(c, q.txlhead, q.txltail);
  while (node !== NULL) {
    const n = yield* __wfcq_next(c, q.txlhead, q.txltail, node);
    const epi = c.m.arena.objs[node]!.owner as number;
    yield* __wfcq_dequeue(c, q.txlhead, q.txltail);
    if ((yield load(epi, 'state', 'ep_free')) === EP_STATE_ZOMBIE) k.ops.ep_reap(c, ep, epi);
    node = n;
  }
  for (const epi of listOwners(c.m, o.rbr as number)) {
    yield store(epi, 'state', EP_STATE_IDLE, 'ep_free'); // "prevent new zombies"
    yield* k.ops.ep_remove(c, ep, epi, true);
  }
  yield* mutex_unlock(c, o.mtx as number);
  yield* mutex_unlock(c, k.epnested_mutex);
  for (const f of ['rdlhead', 'rdltail', 'txlhead', 'txltail']) {
    c.m.free(c, o[f] as number, 'ep_free');
  }
  k.ops.ep_free(c, ep);
}
