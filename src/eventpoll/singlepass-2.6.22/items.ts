/**
 * fs/eventpoll.c @ v2.6.22 (seed 003): ep_insert(), ep_modify(), ep_unlink(), ep_remove(),
 * ep_free() and eventpoll_release_file(), and the `down_write(&ep->sem)` that
 * sys_epoll_ctl() wraps around them.
 *
 * LOCKING: epoll_ctl holds `ep->sem` for writing for the whole operation, so it excludes
 * every transfer (seed 003, item 2); eventpoll_release_file() takes `epmutex`, then each
 * set's `ep->sem` for writing (item 3); ep_free() takes only `epmutex` ("no one has
 * references to it anymore": item 1, the fget() of sys_epoll_wait keeps the set alive).
 * The rb-tree and rdllist are changed under `ep->lock` (write, IRQs saved).
 *
 * Model adapter (stated): the shared do_epoll_ctl() serialises on `ep->mtx`, which 2.6.22
 * did not have, and looks the item up before calling in; this variant's ops take `ep->sem`
 * for writing inside, around the operation. To keep the item found by that lookup valid, as
 * the sem plus ep_find()'s `usecnt` reference did, eventpoll_release_file() also takes
 * `ep->mtx` around `ep->sem`. Nothing else takes the mutex, so transfers (sem read) still
 * run concurrently with each other, and ctl still waits for them.
 *
 * ep_modify() stores the new mask and polls without any barrier: bug B1 is present in this
 * era (fixed in v3.9 by 128dd1759d96); a TSO run can lose a re-armed ONESHOT event.
 */
import { mutex_lock, mutex_unlock } from '../../locks/mutex.ts';
import { write_lock_irqsave, write_unlock_irqrestore } from '../../locks/rwlock.ts';
import { down_write, up_write } from '../../locks/rwsem.ts';
import { spin_lock, spin_unlock } from '../../locks/spinlock.ts';
import { waitqueue_active } from '../../locks/waitqueue.ts';
import { list_add_tail, list_del_init, list_empty, listOwners } from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, store, xchg } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import { ep_pqueue, ep_unregister_pollwait as unhook_all } from '../mainline/items.ts';
import { alloc_epitem } from '../structs.ts';
import { epi_free, f_lock } from '../classic-4.19/items.ts';
import { ep_queue_wake_locked } from './callback.ts';
import { ep_file_poll } from './send.ts';

/**
 * ep_unregister_pollwait() of v2.6.22: `nwait = xchg(&epi->nwait, 0)` guards the unhook
 * (the unhooking loop itself is the later kernels', unchanged).
 */
export function* ep_unregister_pollwait(c: Ctx, ep: number, epi: number): Model<void> {
  const nwait: number = yield xchg(epi, 'nwait', 0, 'ep_unregister_pollwait');
  if (nwait) yield* unhook_all(c, ep, epi);
}

/** ep_insert() of v2.6.22 (ep->sem held for writing). */
function* ep_insert_locked(c: Ctx, ep: number, events: number, data: number, tfile: number,
  fd: number): Model<number> {
  const m = c.m;
  const ops = kernel(c).ops;
  const epi = alloc_epitem(m, `epi:${m.arena.label(tfile)}`, { ep, file: tfile, fd, events,
    data });
  kernel(c).ghost.arm(epi);
  const revents = yield* ep_file_poll(c, epi, ep_pqueue(c, events, epi));
  const fl = f_lock(c, tfile);
  yield* spin_lock(c, fl);
  yield* list_add_tail(c, m.arena.objs[epi]!.fllink as number, m.arena.objs[tfile]!.f_ep as number);
  yield* spin_unlock(c, fl);
  const lock = m.arena.objs[ep]!.lock as number;
  const flags = yield* write_lock_irqsave(c, lock);
  yield* ops.ep_rbtree_insert(c, ep, epi);
  const pwake = revents & events ? yield* ep_queue_wake_locked(c, ep, epi, false) : false;
  yield* write_unlock_irqrestore(c, lock, flags);
  if (pwake) yield* ops.ep_poll_safewake(c, ep, 0, 0);
  return 0;
}

/** ep_modify() of v2.6.22 (ep->sem held for writing): no barrier (B1). */
function* ep_modify_locked(c: Ctx, ep: number, epi: number, events: number, data: number):
Model<number> {
  const FN = 'ep_modify';
  // "Set the new event interest mask before calling f_op->poll()."
  yield store(epi, 'events', events, FN);
  kernel(c).ghost.arm(epi);
  const revents = yield* ep_file_poll(c, epi, null);
  const lock = c.m.arena.objs[ep]!.lock as number;
  const flags = yield* write_lock_irqsave(c, lock);
  yield store(epi, 'data', data, FN);
  let pwake = false;
  // An item no longer on the rb-tree is on its way to removal: do nothing.
  const rbn = c.m.arena.objs[epi]!.rbn as number;
  if (!(yield* list_empty(c, rbn, FN)) && revents & events) {
    pwake = yield* ep_queue_wake_locked(c, ep, epi, false);
  }
  yield* write_unlock_irqrestore(c, lock, flags);
  if (pwake) yield* kernel(c).ops.ep_poll_safewake(c, ep, 0, 0);
  return 0;
}

/** ep_unlink() of v2.6.22 (ep->lock held for writing): -ENOENT if already unlinked. */
export function* ep_unlink(c: Ctx, _ep: number, epi: number): Model<boolean> {
  const FN = 'ep_unlink';
  const rbn = c.m.arena.objs[epi]!.rbn as number;
  if (yield* list_empty(c, rbn, FN)) return false;
  // Clear the mask, so the transfer loop sends nothing for the unlinked item.
  yield store(epi, 'events', 0, FN);
  yield* list_del_init(c, rbn);
  if (yield* kernel(c).ops.ep_is_linked(c, epi)) {
    yield* list_del_init(c, c.m.arena.objs[epi]!.rdllink as number);
  }
  return true;
}

/** ep_remove() of v2.6.22 (the caller holds ep->sem for writing, or epmutex in ep_free). */
function* ep_remove_locked(c: Ctx, ep: number, epi: number): Model<boolean> {
  const FN = 'ep_remove';
  const k = kernel(c);
  const file: number = yield load(epi, 'ffd_file', FN);
  // Unhook without ep->lock: the callback takes ep->lock inside the wait-queue lock.
  if (!k.bug('fault:no-unregister-pollwait')) yield* k.ops.ep_unregister_pollwait(c, ep, epi);
  const fl = f_lock(c, file);
  yield* spin_lock(c, fl);
  const fllink = c.m.arena.objs[epi]!.fllink as number;
  if (!(yield* list_empty(c, fllink, FN))) yield* list_del_init(c, fllink);
  yield* spin_unlock(c, fl);
  const lock = c.m.arena.objs[ep]!.lock as number;
  const flags = yield* write_lock_irqsave(c, lock);
  const unlinked = yield* k.ops.ep_unlink(c, ep, epi);
  yield* write_unlock_irqrestore(c, lock, flags);
  if (!unlinked) return false;
  // ep_release_epitem(): the last usecnt reference frees it.
  epi_free(c, epi, FN);
  return true;
}

/** sys_epoll_ctl(ADD): down_write(&ep->sem) around ep_insert(). */
export function* ep_insert(c: Ctx, ep: number, events: number, data: number, tfile: number,
  fd: number, _full_check: boolean): Model<number> {
  const sem = c.m.arena.objs[ep]!.sem as number;
  yield* down_write(c, sem);
  const r = yield* ep_insert_locked(c, ep, events, data, tfile, fd);
  yield* up_write(c, sem);
  return r;
}

/** sys_epoll_ctl(MOD): down_write(&ep->sem) around ep_modify(). */
export function* ep_modify(c: Ctx, ep: number, epi: number, events: number, data: number):
Model<number> {
  const sem = c.m.arena.objs[ep]!.sem as number;
  yield* down_write(c, sem);
  const r = yield* ep_modify_locked(c, ep, epi, events, data);
  yield* up_write(c, sem);
  return r;
}

/**
 * ep_remove() as the ops table sees it: from sys_epoll_ctl(DEL) (`force` false) it takes
 * `ep->sem` for writing; from ep_free/eventpoll_release_file (`force` true) the caller has.
 */
export function* ep_remove(c: Ctx, ep: number, epi: number, force: boolean): Model<boolean> {
  if (force) return yield* ep_remove_locked(c, ep, epi);
  const sem = c.m.arena.objs[ep]!.sem as number;
  yield* down_write(c, sem);
  const r = yield* ep_remove_locked(c, ep, epi);
  yield* up_write(c, sem);
  return r;
}

/** ep_free() of v2.6.22 (ep_eventpoll_close): the epoll file's last close. */
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
  // "by write-holding "sem" we can be sure that no file cleanup code will hit us": in fact
  // epmutex is what excludes eventpoll_release_file here.
  for (const epi of listOwners(c.m, o.rbr as number)) yield* k.ops.ep_remove(c, ep, epi, true);
  yield* mutex_unlock(c, k.epnested_mutex);
  k.ops.ep_free(c, ep);
}

/** eventpoll_release_file() of v2.6.22: the last close of a watched file. */
export function* eventpoll_release_file(c: Ctx, file: number): Model<void> {
  const FN = 'eventpoll_release_file';
  const k = kernel(c);
  const f_ep = c.m.arena.objs[file]!.f_ep as number;
  yield* mutex_lock(c, k.epnested_mutex);
  for (;;) {
    const first: number = yield load(f_ep, 'next', FN);
    if (first === f_ep) break;
    const epi = c.m.arena.objs[first]!.owner as number;
    const ep: number = yield load(epi, 'ep', FN);
    const o = c.m.arena.objs[ep]!;
    yield* list_del_init(c, first);
    // The adapter's ep->mtx (see the file comment), then down_write(&ep->sem).
    yield* mutex_lock(c, o.mtx as number);
    yield* down_write(c, o.sem as number);
    yield* k.ops.ep_remove(c, ep, epi, true);
    yield* up_write(c, o.sem as number);
    yield* mutex_unlock(c, o.mtx as number);
  }
  yield* mutex_unlock(c, k.epnested_mutex);
}
