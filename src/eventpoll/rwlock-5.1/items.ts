/**
 * fs/eventpoll.c @ a218cc491420 (v5.1): ep_insert(), ep_modify() and ep_remove(), which take
 * write_lock_irq(&ep->lock) wherever v4.19 took `ep->wq.lock`, and wake `ep->wq` with
 * wake_up() (its own lock). ep_free() and eventpoll_release_file() are the v4.19 ones
 * (unchanged, imported from classic-4.19).
 *
 * LOCKING: `ep->mtx` (from do_epoll_ctl) around all of these; the write side of `ep->lock`
 * to touch rdllist, which waits until no callback is inside a lockless add.
 *
 * Bug switches honoured here (mutants for B20, not history: the constraint of seed 000 and of
 * the list_add_tail_lockless() comment, "adding element either to head or to tail can work
 * in parallel, any mix will corrupt the list"):
 * - `B20`: the queueing at the end of ep_insert()/ep_modify() takes only the READ side of
 *   ep->lock, like the callback, and adds the item with a lockless HEAD add
 *   (list_add_lockless_head_MUTANT) while callbacks add at the tail.
 * - `B20-plain`: the same, but with a plain list_add_tail(): a plain list operation
 *   concurrent with lockless adds (I-d1).
 * - `B1`: ep_modify() without smp_mb() (as in classic-4.19).
 */
import { read_lock_irq, read_unlock_irq, write_lock_irq, write_unlock_irq }
  from '../../locks/rwlock.ts';
import { waitqueue_active, wake_up } from '../../locks/waitqueue.ts';
import { list_add_tail, list_del_init } from '../../queues/list.ts';
import { list_add_lockless_head_MUTANT } from '../../queues/list-lockless.ts';
import { spin_lock, spin_unlock } from '../../locks/spinlock.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, smp_mb, store } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import { ep_pqueue } from '../mainline/items.ts';
import { alloc_epitem } from '../structs.ts';
import { EPOLLWAKEUP } from '../uapi.ts';
import { ep_modify_wakeup_source, epi_free, f_lock } from '../classic-4.19/items.ts';

/**
 * The queueing at the end of ep_insert()/ep_modify() of v5.1 (the table's `queue_if_ready`):
 * under write_lock_irq, add the item if it is not linked and wake; returns whether
 * `poll_wait` needs a safewake.
 */
export function* ep_queue_ready(c: Ctx, ep: number, epi: number): Model<boolean> {
  const k = kernel(c);
  const o = c.m.arena.objs[ep]!;
  const lock = o.lock as number;
  const mutant = k.bug('B20') || k.bug('B20-plain');
  let pwake = false;
  if (mutant) yield* read_lock_irq(c, lock);
  else yield* write_lock_irq(c, lock);
  if (!(yield* k.ops.ep_is_linked(c, epi))) {
    const link = c.m.arena.objs[epi]!.rdllink as number;
    if (k.bug('B20')) yield* list_add_lockless_head_MUTANT(c, link, o.rdllist as number);
    else yield* list_add_tail(c, link, o.rdllist as number);
    yield* k.ops.ep_pm_stay_awake(c, epi);
    if (yield* waitqueue_active(c, o.wq as number)) yield* wake_up(c, o.wq as number);
    if (yield* waitqueue_active(c, o.poll_wait as number)) pwake = true;
  }
  if (mutant) yield* read_unlock_irq(c, lock);
  else yield* write_unlock_irq(c, lock);
  return pwake;
}

/** ep_insert() of v5.1. */
export function* ep_insert(c: Ctx, ep: number, events: number, data: number, tfile: number,
  fd: number, _full_check: boolean): Model<number> {
  const k = kernel(c);
  const epi = alloc_epitem(c.m, `epi:${c.m.arena.label(tfile)}`, { ep, file: tfile, fd,
    events, data });
  k.ghost.arm(epi);
  if (events & EPOLLWAKEUP) yield* k.ops.ep_create_wakeup_source(c, ep, epi);
  const revents = yield* k.ops.ep_item_poll(c, epi, ep_pqueue(c, events, epi), 1);
  const fl = f_lock(c, tfile);
  yield* spin_lock(c, fl);
  yield* list_add_tail(c, c.m.arena.objs[epi]!.fllink as number,
    c.m.arena.objs[tfile]!.f_ep as number);
  yield* spin_unlock(c, fl);
  yield* k.ops.ep_rbtree_insert(c, ep, epi);
  const pwake = revents ? yield* k.ops.queue_if_ready(c, ep, epi) : false;
  if (pwake) yield* k.ops.ep_poll_safewake(c, ep, 0, 0);
  return 0;
}

/** ep_modify() of v5.1. */
export function* ep_modify(c: Ctx, ep: number, epi: number, events: number, data: number):
Model<number> {
  const FN = 'ep_modify';
  const k = kernel(c);
  yield store(epi, 'events', events, FN);
  yield store(epi, 'data', data, FN);
  k.ghost.arm(epi);
  yield* ep_modify_wakeup_source(c, ep, epi, events);
  if (!k.bug('B1')) yield smp_mb(FN);
  const pwake = (yield* k.ops.ep_item_poll(c, epi, null, 1))
    ? yield* k.ops.queue_if_ready(c, ep, epi) : false;
  if (pwake) yield* k.ops.ep_poll_safewake(c, ep, 0, 0);
  return 0;
}

/** ep_remove() of v5.1; always frees the item. */
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
  yield* write_lock_irq(c, lock);
  if (yield* k.ops.ep_is_linked(c, epi)) {
    yield* list_del_init(c, c.m.arena.objs[epi]!.rdllink as number);
  }
  yield* write_unlock_irq(c, lock);
  const ws: number = yield load(epi, 'ws', FN);
  if (ws !== 0) c.m.free(c, ws, FN);
  epi_free(c, epi, FN);
  return true;
}
