/**
 * fs/eventpoll.c @ 002b343669c4 (v4.19/4.20 era): item lifetime. ep_insert(), ep_modify(),
 * ep_remove(), ep_free() and eventpoll_release_file(), plus ep_rbtree_insert() and the
 * small helpers the older variants share.
 *
 * LOCKING: ep_insert/ep_modify/ep_remove run under `ep->mtx` (taken by do_epoll_ctl);
 * `file->f_lock` protects the file's `f_ep_links`; `ep->wq.lock` is taken only to touch
 * `rdllist`. `epmutex` (the model's global `epnested_mutex`, which is what the 6.4 rework
 * renamed it to) serialises ep_free() against eventpoll_release_file().
 *
 * Reused from mainline, where the code is the same: ep_ptable_queue_proc() (add_wait_queue
 * or add_wait_queue_exclusive by EPOLLEXCLUSIVE), ep_unregister_pollwait() (with the
 * POLLFREE-safe smp_load_acquire of `whead`), ep_create_wakeup_source() and ep_free()'s
 * final kfree of the eventpoll.
 *
 * Not modelled (stated): reverse_path_check(), max_user_watches, allocation failures
 * (`epi->nwait < 0`), RCU grace periods (the hooks are gone before the free, so no callback
 * can reach a freed item), ep_destroy_wakeup_source()'s synchronize_rcu() (the source is
 * dropped, not freed, as mainline does).
 *
 * Bug switch honoured here:
 * - `B1`: ep_modify() without the smp_mb() between storing the new mask and polling (the
 *   state before 128dd1759d96, v3.9).
 */
import { mutex_lock, mutex_lock_nested, mutex_unlock } from '../../locks/mutex.ts';
import {
  spin_lock, spin_lock_init, spin_lock_irq, spin_lock_irqsave, spin_unlock, spin_unlock_irq,
  spin_unlock_irqrestore,
} from '../../locks/spinlock.ts';
import { waitqueue_active, wake_up_locked } from '../../locks/waitqueue.ts';
import { list_add_tail, list_del_init, list_entry, listOwners } from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, smp_mb, store } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import { ep_pqueue } from '../mainline/items.ts';
import { alloc_epitem } from '../structs.ts';
import { EPOLLWAKEUP } from '../uapi.ts';

/** `&file->f_lock`, created on first use (a file nobody watches never needs it). */
export function f_lock(c: Ctx, file: number): number {
  const fo = c.m.arena.objs[file]!;
  if (fo.f_lock === 0) {
    fo.f_lock = spin_lock_init(c.m, `${c.m.arena.label(file)}.f_lock`, 'f_lock');
  }
  return fo.f_lock as number;
}

/**
 * ep_rbtree_insert(): the rb-tree is modelled as a list kept in (file, fd) order, walked
 * only under the lock that protects it (`ep->mtx` here, `ep->lock` in 2.6.22).
 */
export function* ep_rbtree_insert(c: Ctx, ep: number, epi: number): Model<void> {
  const FN = 'ep_rbtree_insert';
  const head = c.m.arena.objs[ep]!.rbr as number;
  const key = c.m.arena.objs[epi]!;
  let pos: number = yield load(head, 'next', FN);
  while (pos !== head) {
    const other = c.m.arena.objs[list_entry(c.m, pos)]!;
    const cmp = (other.ffd_file as number) - (key.ffd_file as number) ||
      (other.ffd_fd as number) - (key.ffd_fd as number);
    if (cmp > 0) break;
    pos = yield load(pos, 'next', FN);
  }
  yield* list_add_tail(c, key.rbn as number, pos);
}

/** kmem_cache_free(epi_cache, epi) with its embedded list heads. */
export function epi_free(c: Ctx, epi: number, fn: string): void {
  const o = c.m.arena.objs[epi]!;
  for (const f of ['rdllink', 'fllink', 'rbn']) c.m.free(c, o[f] as number, fn);
  c.m.free(c, epi, fn);
}

/**
 * The tail of ep_insert() and ep_modify() in v4.19 (the table's `queue_if_ready`): with
 * `ep->wq.lock` held by the caller, queue the item if it is not linked and wake `ep->wq`;
 * returns whether `poll_wait` needs a safewake.
 */
export function* ep_queue_ready_locked(c: Ctx, ep: number, epi: number): Model<boolean> {
  const ops = kernel(c).ops;
  const o = c.m.arena.objs[ep]!;
  let pwake = false;
  if (!(yield* ops.ep_is_linked(c, epi))) {
    yield* list_add_tail(c, c.m.arena.objs[epi]!.rdllink as number, o.rdllist as number);
    yield* ops.ep_pm_stay_awake(c, epi);
    if (yield* waitqueue_active(c, o.wq as number)) yield* wake_up_locked(c, o.wq as number);
    if (yield* waitqueue_active(c, o.poll_wait as number)) pwake = true;
  }
  return pwake;
}

/** ep_insert() of v4.19. */
export function* ep_insert(c: Ctx, ep: number, events: number, data: number, tfile: number,
  fd: number, _full_check: boolean): Model<number> {
  const k = kernel(c);
  const epi = alloc_epitem(c.m, `epi:${c.m.arena.label(tfile)}`, { ep, file: tfile, fd,
    events, data });
  k.ghost.arm(epi);
  if (events & EPOLLWAKEUP) yield* k.ops.ep_create_wakeup_source(c, ep, epi);
  // Attach to the poll hooks: from here on the callback can hit the new item.
  const revents = yield* k.ops.ep_item_poll(c, epi, ep_pqueue(c, events, epi), 1);
  const fl = f_lock(c, tfile);
  yield* spin_lock(c, fl);
  yield* list_add_tail(c, c.m.arena.objs[epi]!.fllink as number,
    c.m.arena.objs[tfile]!.f_ep as number);
  yield* spin_unlock(c, fl);
  yield* k.ops.ep_rbtree_insert(c, ep, epi);
  const lock = c.m.arena.objs[ep]!.lock as number;
  const flags = yield* spin_lock_irqsave(c, lock);
  const pwake = revents ? yield* k.ops.queue_if_ready(c, ep, epi) : false;
  yield* spin_unlock_irqrestore(c, lock, flags);
  if (pwake) yield* k.ops.ep_poll_safewake(c, ep, 0, 0);
  return 0;
}

/** The EPOLLWAKEUP part of ep_modify(): create or drop the item's wakeup source. */
export function* ep_modify_wakeup_source(c: Ctx, ep: number, epi: number, events: number):
Model<void> {
  const FN = 'ep_modify';
  if (events & EPOLLWAKEUP) {
    if ((yield load(epi, 'ws', FN)) === 0) yield* kernel(c).ops.ep_create_wakeup_source(c, ep, epi);
  } else if ((yield load(epi, 'ws', FN)) !== 0) {
    // ep_destroy_wakeup_source(): RCU_INIT_POINTER(epi->ws, NULL); synchronize_rcu().
    yield store(epi, 'ws', 0, FN);
  }
}

/** ep_modify() of v4.19. */
export function* ep_modify(c: Ctx, ep: number, epi: number, events: number, data: number):
Model<number> {
  const FN = 'ep_modify';
  const k = kernel(c);
  // Set the new mask before polling, or an event between the two could be missed.
  yield store(epi, 'events', events, FN);
  yield store(epi, 'data', data, FN);
  k.ghost.arm(epi);
  yield* ep_modify_wakeup_source(c, ep, epi, events);
  // Flush the mask to other CPUs (the callback takes ep->wq.lock, we did not), and pair
  // with wq_has_sleeper(): the callback or the poll below (or both) sees the readiness.
  if (!k.bug('B1')) yield smp_mb(FN);
  let pwake = false;
  if (yield* k.ops.ep_item_poll(c, epi, null, 1)) {
    const lock = c.m.arena.objs[ep]!.lock as number;
    yield* spin_lock_irq(c, lock);
    pwake = yield* k.ops.queue_if_ready(c, ep, epi);
    yield* spin_unlock_irq(c, lock);
  }
  if (pwake) yield* k.ops.ep_poll_safewake(c, ep, 0, 0);
  return 0;
}

/** ep_remove() of v4.19; always frees the item (returns true). */
export function* ep_remove(c: Ctx, ep: number, epi: number, _force: boolean): Model<boolean> {
  const FN = 'ep_remove';
  const k = kernel(c);
  const file: number = yield load(epi, 'ffd_file', FN);
  if (!k.bug('fault:no-unregister-pollwait')) yield* k.ops.ep_unregister_pollwait(c, ep, epi);
  const fl = f_lock(c, file);
  yield* spin_lock(c, fl);
  yield* list_del_init(c, c.m.arena.objs[epi]!.fllink as number);
  yield* spin_unlock(c, fl);
  yield* list_del_init(c, c.m.arena.objs[epi]!.rbn as number);
  const lock = c.m.arena.objs[ep]!.lock as number;
  const flags = yield* spin_lock_irqsave(c, lock);
  if (yield* k.ops.ep_is_linked(c, epi)) {
    yield* list_del_init(c, c.m.arena.objs[epi]!.rdllink as number);
  }
  yield* spin_unlock_irqrestore(c, lock, flags);
  // wakeup_source_unregister(ep_wakeup_source(epi)); call_rcu(&epi->rcu, epi_rcu_free).
  const ws: number = yield load(epi, 'ws', FN);
  if (ws !== 0) c.m.free(c, ws, FN);
  epi_free(c, epi, FN);
  return true;
}

/** ep_free() of v4.19 (ep_eventpoll_release): the epoll file's last close. */
export function* ep_clear_and_put(c: Ctx, ep: number): Model<void> {
  const k = kernel(c);
  const o = c.m.arena.objs[ep]!;
  // "We need to release all tasks waiting for these file."
  if (yield* waitqueue_active(c, o.poll_wait as number)) {
    yield* k.ops.ep_poll_safewake(c, ep, 0, 0);
  }
  yield* mutex_lock(c, k.epnested_mutex);
  for (const epi of listOwners(c.m, o.rbr as number)) {
    yield* k.ops.ep_unregister_pollwait(c, ep, epi);
  }
  // ep->mtx is taken only to keep lockdep quiet: no one else can reach the set now.
  yield* mutex_lock(c, o.mtx as number);
  for (const epi of listOwners(c.m, o.rbr as number)) yield* k.ops.ep_remove(c, ep, epi, true);
  yield* mutex_unlock(c, o.mtx as number);
  yield* mutex_unlock(c, k.epnested_mutex);
  k.ops.ep_free(c, ep);
}

/** eventpoll_release_file() of v4.19: the last close of a watched file. */
export function* eventpoll_release_file(c: Ctx, file: number): Model<void> {
  const k = kernel(c);
  const fo = c.m.arena.objs[file]!;
  yield* mutex_lock(c, k.epnested_mutex);
  // list_for_each_entry_safe over f_ep_links: no f_lock needed, the file is dying.
  for (const epi of listOwners(c.m, fo.f_ep as number)) {
    const ep: number = yield load(epi, 'ep', 'eventpoll_release_file');
    const mtx = c.m.arena.objs[ep]!.mtx as number;
    yield* mutex_lock_nested(c, mtx, 0);
    yield* k.ops.ep_remove(c, ep, epi, true);
    yield* mutex_unlock(c, mtx);
  }
  yield* mutex_unlock(c, k.epnested_mutex);
}
