/**
 * fs/eventpoll.c @ v6.18: item lifetime. ep_insert(), ep_ptable_queue_proc(), ep_modify(),
 * __ep_remove(), ep_unregister_pollwait(), ep_remove_safe(), ep_get(), ep_refcount_dec_and_test(),
 * ep_free(), ep_clear_and_put(), eventpoll_release_file(). Calls between them go through
 * the variant's table (`kernel(c).ops`), so each can be replaced alone.
 *
 * LOCKING: all of these run with `ep->mtx` held (ep_clear_and_put and
 * eventpoll_release_file take it themselves). `file->f_lock` protects the file's list of
 * watching items; `ep->lock` is taken only to touch rdllist. ep_insert of an epoll file
 * also holds that set's mutex (subclass 1) around the attach and the tree insert.
 *
 * RCU: `file->f_ep` is walked under rcu_read_lock() by ep_get_upwards_depth_proc()
 * (upwards.ts), so ep_insert() publishes with list_add_tail_rcu(), __ep_remove() unlinks
 * with list_del_rcu() and frees the item with kfree_rcu(), and ep_free() frees the eventpoll
 * with kfree_rcu() (07712db80857): the walk may still hold `epi->ep`.
 *
 * Bug switches honoured here:
 * - `B1`: ep_modify has no smp_mb() between storing the new mask and polling the file
 *   (before 128dd1759d96): under TSO the callback can read the old, disarmed mask.
 * - `B-07712db8`: ep_free() ends in kfree(ep), as 6.18 shipped (before 07712db80857,
 *   "eventpoll: defer struct eventpoll free to RCU grace period").
 */
import { mutex_lock, mutex_lock_nested, mutex_unlock } from '../../locks/mutex.ts';
import { kfree_rcu, rcu_read_lock, rcu_read_unlock } from '../../locks/rcu.ts';
import { spin_lock, spin_lock_init, spin_lock_irq, spin_unlock, spin_unlock_irq }
  from '../../locks/spinlock.ts';
import {
  add_wait_queue, add_wait_queue_exclusive, init_waitqueue_func_entry, remove_wait_queue,
  registerWakeFunction, waitqueue_active, wake_up,
} from '../../locks/waitqueue.ts';
import { NULL } from '../../queues/arena.ts';
import { list_add_tail, list_del_init, list_entry, listOwners } from '../../queues/list.ts';
import { list_add_tail_rcu, list_del_rcu } from '../../queues/list-rcu.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, smp_load_acquire, smp_mb, store, WRITE_ONCE, atomic_add_return }
  from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import type { PollTable } from '../file.ts';
import { kernel } from '../kernel.ts';
import { alloc_epitem } from '../structs.ts';
import { EINVAL, EPOLLEXCLUSIVE, EPOLLWAKEUP } from '../uapi.ts';
import { list_file } from '../ctl.ts';
import { wakeup_source_register } from '../wakeup-source.ts';
import { ep_poll_callback } from './callback.ts';
import { itemQueued } from '../checkers/queued.ts';
import { hasWaiter } from '../checkers/spurious.ts';

/**
 * The callback is registered once under its kernel name; it dispatches to the variant. The
 * ghost frame around it is for the spurious-queueing property (checkers/spurious.ts): kept
 * here, outside the variant's code, so that a variant's own filters are checked too.
 */
registerWakeFunction('ep_poll_callback', function* (c, wait, mode, sync, key) {
  const k = kernel(c);
  const epi = k.ops.ep_item_from_wait(c, wait);
  const f = k.ghost.callbackBegin(c, wait, epi, key, itemQueued(c.m, epi, c.cpu),
    hasWaiter(c.m, c.m.arena.objs[epi]!.ep as number));
  const ret = yield* k.ops.ep_poll_callback(c, wait, mode, sync, key);
  k.ghost.callbackEnd(f, ret);
  return ret;
});
void ep_poll_callback;

/** ep_ptable_queue_proc(): hook the item onto one of the file's wait queues. */
export function* ep_ptable_queue_proc(c: Ctx, _file: number, whead: number, pt: PollTable):
Model<void> {
  const epi = pt.epi;
  // Stryker disable next-line ConditionalExpression: unreachable (qproc set => epi set)
  if (epi === 0) return;
  const pwq = c.m.alloc('eppoll_entry', { next: NULL, base: epi, wait: 0, whead });
  const wait = init_waitqueue_func_entry(c.m, 'ep_poll_callback', pwq);
  c.m.arena.objs[pwq]!.wait = wait;
  c.m.arena.embed(wait, pwq);
  const events: number = yield load(epi, 'events', 'ep_ptable_queue_proc');
  if (events & EPOLLEXCLUSIVE) yield* add_wait_queue_exclusive(c, whead, wait);
  else yield* add_wait_queue(c, whead, wait);
  const head: number = yield load(epi, 'pwqlist', 'ep_ptable_queue_proc');
  yield store(pwq, 'next', head, 'ep_ptable_queue_proc');
  yield store(epi, 'pwqlist', pwq, 'ep_ptable_queue_proc');
  const nwait: number = yield load(epi, 'nwait', 'ep_ptable_queue_proc');
  // Stryker disable next-line ArithmeticOperator: nwait is never read in this era
  yield store(epi, 'nwait', nwait + 1, 'ep_ptable_queue_proc');
}

/**
 * The poll table of ep_insert() (struct ep_pqueue): the running variant's
 * ep_ptable_queue_proc hooks the item `epi` on every wait queue the file's poll names.
 */
export function ep_pqueue(c: Ctx, events: number, epi: number): PollTable {
  return { qproc: kernel(c).ops.ep_ptable_queue_proc, key: events, epi };
}

/** ep_create_wakeup_source(). */
export function* ep_create_wakeup_source(c: Ctx, ep: number, epi: number): Model<void> {
  if ((yield load(ep, 'ws', 'ep_create_wakeup_source')) === 0) {
    yield store(ep, 'ws', wakeup_source_register(c, `${c.m.arena.label(ep)}.ws`),
      'ep_create_wakeup_source');
  }
  yield store(epi, 'ws', wakeup_source_register(c, `${c.m.arena.label(epi)}.ws`),
    'ep_create_wakeup_source');
}

/**
 * The tail of ep_insert() and ep_modify() of v6.18 (inline there; a function of its own in
 * the model so that it can be replaced alone): under ep->lock, queue a ready item that is
 * not linked and wake ep->wq; returns whether poll_wait needs a safewake.
 */
export function* queue_if_ready(c: Ctx, ep: number, epi: number): Model<boolean> {
  const ops = kernel(c).ops;
  const o = c.m.arena.objs[ep]!;
  let pwake = false;
  yield* spin_lock_irq(c, o.lock as number);
  if (!(yield* ops.ep_is_linked(c, epi))) {
    yield* list_add_tail(c, c.m.arena.objs[epi]!.rdllink as number, o.rdllist as number);
    yield* ops.ep_pm_stay_awake(c, epi);
    if (yield* waitqueue_active(c, o.wq as number)) yield* wake_up(c, o.wq as number);
    if (yield* waitqueue_active(c, o.poll_wait as number)) pwake = true;
  }
  yield* spin_unlock_irq(c, o.lock as number);
  return pwake;
}

/** ep_rbtree_insert(): the rb-tree is a list kept in (file, fd) order (see structs.ts). */
export function* ep_rbtree_insert(c: Ctx, ep: number, epi: number): Model<void> {
  const head = c.m.arena.objs[ep]!.rbr as number;
  const key = c.m.arena.objs[epi]!;
  let pos: number = yield load(head, 'next', 'ep_rbtree_insert');
  while (pos !== head) {
    const other = c.m.arena.objs[list_entry(c.m, pos)]!;
    const cmp = (other.ffd_file as number) - (key.ffd_file as number) ||
      (other.ffd_fd as number) - (key.ffd_fd as number);
    if (cmp > 0) break;
    pos = yield load(pos, 'next', 'ep_rbtree_insert');
  }
  yield* list_add_tail(c, key.rbn as number, pos);
}

/** ep_insert() of v6.18. */
export function* ep_insert(c: Ctx, ep: number, events: number, data: number, tfile: number,
  fd: number, full_check: boolean): Model<number> {
  const k = kernel(c);
  const epi = alloc_epitem(c.m, `epi:${c.m.arena.label(tfile)}`, { ep, file: tfile, fd,
    events, data });
  k.ghost.arm(epi);
  // 6.18 takes this reference after the rb-tree insert (and tep->mtx's unlock); here it
  // comes first, under the same ep->mtx, while the set's own reference is held: no effect.
  yield* ep_get(c, ep);
  const fo = c.m.arena.objs[tfile]!;
  // A nested set's mutex (subclass 1) covers the attach and the tree insert: its holders
  // (a harvest, a ctl on it) never see the new watcher half attached.
  const tepMtx = fo.f_op === 'eventpoll'
    ? c.m.arena.objs[fo.private_data as number]!.mtx as number : 0;
  if (tepMtx !== 0) yield* mutex_lock_nested(c, tepMtx, 1);
  // Attach to the file's list of watchers under f_lock.
  if (fo.f_lock === 0) {
    fo.f_lock = spin_lock_init(c.m, `${c.m.arena.label(tfile)}.f_lock`, 'f_lock');
  }
  // attach_epitem(): hlist_add_head_rcu(), since the upward loop check walks f_ep under RCU.
  yield* spin_lock(c, fo.f_lock as number);
  yield* list_add_tail_rcu(c, c.m.arena.objs[epi]!.fllink as number, fo.f_ep as number);
  yield* spin_unlock(c, fo.f_lock as number);
  if (full_check && tepMtx === 0) list_file(c, tfile);
  yield* k.ops.ep_rbtree_insert(c, ep, epi);
  if (tepMtx !== 0) yield* mutex_unlock(c, tepMtx);
  // The new link may add too many wakeup paths to the files below it.
  if (full_check && (yield* k.ops.reverse_path_check(c)) !== 0) {
    yield* k.ops.ep_remove_safe(c, ep, epi);
    return -EINVAL;
  }
  if (events & EPOLLWAKEUP) yield* k.ops.ep_create_wakeup_source(c, ep, epi);
  // Poll the file with ep_ptable_queue_proc: this hooks the item on its wait queue(s).
  const revents = yield* k.ops.ep_item_poll(c, epi, ep_pqueue(c, events, epi), 1);
  const pwake = revents ? yield* k.ops.queue_if_ready(c, ep, epi) : false;
  if (pwake) yield* k.ops.ep_poll_safewake(c, ep, 0, 0);
  return 0;
}

/** ep_modify() of v6.18. */
export function* ep_modify(c: Ctx, ep: number, epi: number, events: number, data: number):
Model<number> {
  const FN = 'ep_modify';
  const k = kernel(c);
  // Set the new mask before polling, or an event between the two could be missed.
  yield store(epi, 'events', events, FN);
  yield store(epi, 'data', data, FN);
  k.ghost.arm(epi);
  if (events & EPOLLWAKEUP) {
    if ((yield load(epi, 'ws', FN)) === 0) yield* k.ops.ep_create_wakeup_source(c, ep, epi);
  } else if ((yield load(epi, 'ws', FN)) !== 0) {
    yield* k.ops.ep_destroy_wakeup_source(c, epi);
  }
  // Flush the mask to other CPUs, and pair with wq_has_sleeper(): the callback or the poll
  // below (or both) must see the readiness.
  if (!k.bug('B1')) yield smp_mb(FN);
  const revents = yield* k.ops.ep_item_poll(c, epi, null, 1);
  const pwake = revents ? yield* k.ops.queue_if_ready(c, ep, epi) : false;
  if (pwake) yield* k.ops.ep_poll_safewake(c, ep, 0, 0);
  return 0;
}

/** ep_unregister_pollwait(): unhook every eppoll_entry of the item. */
export function* ep_unregister_pollwait(c: Ctx, _ep: number, epi: number): Model<void> {
  const FN = 'ep_unregister_pollwait';
  let pwq: number = yield load(epi, 'pwqlist', FN);
  while (pwq !== NULL) {
    const next: number = yield load(pwq, 'next', FN);
    yield store(epi, 'pwqlist', next, FN);
    // ep_remove_wait_queue(): whead is cleared by POLLFREE with a release store; the RCU
    // read side keeps a whead read before that alive (its owner frees it after a grace
    // period), so remove_wait_queue() may still take its lock.
    rcu_read_lock(c);
    const whead: number = yield smp_load_acquire(pwq, 'whead', 'ep_remove_wait_queue');
    const wait = c.m.arena.objs[pwq]!.wait as number;
    if (whead !== NULL) yield* remove_wait_queue(c, whead, wait);
    rcu_read_unlock(c);
    c.m.free(c, wait, FN);
    c.m.free(c, pwq, FN);
    pwq = next;
  }
}

/** __ep_remove() of v6.18: returns false when a racing release owns the item. */
export function* ep_remove(c: Ctx, ep: number, epi: number, force: boolean): Model<boolean> {
  const FN = '__ep_remove';
  const k = kernel(c);
  const file: number = yield load(epi, 'ffd_file', FN);
  if (!k.bug('fault:no-unregister-pollwait')) yield* k.ops.ep_unregister_pollwait(c, ep, epi);
  const fo = c.m.arena.objs[file]!;
  yield* spin_lock(c, fo.f_lock as number);
  if ((yield load(epi, 'dying', FN)) && !force) {
    yield* spin_unlock(c, fo.f_lock as number);
    return false;
  }
  // hlist_del_rcu(): a reader of f_ep standing on the item still finds the rest of the list.
  yield* list_del_rcu(c, c.m.arena.objs[epi]!.fllink as number);
  yield* spin_unlock(c, fo.f_lock as number);
  yield* list_del_init(c, c.m.arena.objs[epi]!.rbn as number);
  const o = c.m.arena.objs[ep]!;
  yield* spin_lock_irq(c, o.lock as number);
  if (yield* k.ops.ep_is_linked(c, epi)) {
    yield* list_del_init(c, c.m.arena.objs[epi]!.rdllink as number);
  }
  yield* spin_unlock_irq(c, o.lock as number);
  // wakeup_source_unregister(ep_wakeup_source(epi)), then kfree_rcu(epi, rcu): no callback
  // can still run on the item (its hooks are gone), but the upward loop check may stand on
  // its fllink. Its members (rdllink, fllink, rbn) go with it.
  const ws: number = yield load(epi, 'ws', FN);
  if (ws !== 0) c.m.free(c, ws, FN);
  kfree_rcu(c, epi, FN);
  return true;
}

/** Whether the set's refcount is a real refcount_t in this variant (6.4+; see features). */
function refcounted(c: Ctx): boolean {
  return kernel(c).cfg.variant.features.setRefcount === true;
}

/**
 * refcount_warn_saturate() (lib/refcount.c): the kernel warns and saturates the count; the
 * model reports and leaves the count as it is (the set is never freed either way).
 */
function refcountWarn(c: Ctx, ep: number, what: string): void {
  c.m.report({ property: 'P3-memory-safety', kind: 'refcount', message: `refcount_t: ${what}; ` +
    `use-after-free (${c.m.arena.label(ep)}.refcount)`, ctx: c.id, cpu: c.cpu });
}

/** A WARN_ON_ONCE() of fs/eventpoll.c that fired (reported each time; a run stops at one). */
function warnOn(c: Ctx, fn: string, what: string): void {
  c.m.report({ property: 'assertion', kind: 'warn-on', message: `WARN_ON_ONCE in ${fn}: ${what}`,
    ctx: c.id, cpu: c.cpu });
}

/** ep_get(): refcount_inc() of the set; from 0 it is refcount_t's "addition on 0". */
export function* ep_get(c: Ctx, ep: number): Model<void> {
  const now: number = yield atomic_add_return(ep, 'refcount', 1, 'ep_get');
  if (now === 1 && refcounted(c)) refcountWarn(c, ep, 'addition on 0');
}

/**
 * ep_refcount_dec_and_test(): true when the set's last reference is gone. refcount_t warns
 * on a drop below 0, and 6.18 warns when the last one goes with items still in the tree
 * (the check reads the tree without a step: it is a debug check, not a racing access).
 */
export function* ep_refcount_dec_and_test(c: Ctx, ep: number): Model<boolean> {
  const FN = 'ep_refcount_dec_and_test';
  const now: number = yield atomic_add_return(ep, 'refcount', -1, FN);
  if (!refcounted(c)) return now === 0;
  if (now < 0) refcountWarn(c, ep, 'underflow');
  const rbr = c.m.arena.objs[ep]!.rbr as number;
  if (now === 0 && c.m.memory.readGlobal(rbr, 'next') !== rbr) {
    warnOn(c, FN, `${c.m.arena.label(ep)} loses its last reference with items in ep->rbr`);
  }
  return now === 0;
}

/**
 * ep_remove_safe(): remove the item; its reference on the set is never the last one, and
 * 6.18 warns if it was (the set then leaks: nobody frees it).
 */
export function* ep_remove_safe(c: Ctx, ep: number, epi: number): Model<void> {
  const ops = kernel(c).ops;
  if (!(yield* ops.ep_remove(c, ep, epi, false))) return;
  if ((yield* ops.ep_refcount_dec_and_test(c, ep)) && refcounted(c)) {
    warnOn(c, 'ep_remove_safe', `an item held the last reference of ${c.m.arena.label(ep)}`);
  }
}

/**
 * ep_free() of v6.18 with 07712db80857: the eventpoll's last reference is gone;
 * wakeup_source_unregister(ep->ws), then kfree_rcu(ep, rcu), because
 * ep_get_upwards_depth_proc() may still hold `epi->ep` under RCU. Its members (the lists,
 * locks, wait queues and `refs`, the epoll file's f_ep) go with it. `B-07712db8`: kfree(ep).
 */
export function ep_free(c: Ctx, ep: number): void {
  const o = c.m.arena.objs[ep]!;
  if (o.ws !== 0) c.m.free(c, o.ws as number, 'ep_free');
  if (kernel(c).bug('B-07712db8')) c.m.free(c, ep, 'ep_free');
  else kfree_rcu(c, ep, 'ep_free');
}

/**
 * ep_free()'s frees before f2e467a48287 (v6.17: no RCU reader reaches an eventpoll): the
 * lists, the wakeup source and kfree(ep) at once. The older variants' ep_free.
 */
export function ep_free_kfree(c: Ctx, ep: number): void {
  const o = c.m.arena.objs[ep]!;
  for (const f of ['rdllist', 'rbr', 'refs']) c.m.free(c, o[f] as number, 'ep_free');
  if (o.ws !== 0) c.m.free(c, o.ws as number, 'ep_free');
  c.m.free(c, ep, 'ep_free');
}

/**
 * ep_clear_and_put(): the epoll file's last close. As fixed by 8c2e52ebbe88 ("eventpoll:
 * don't decrement ep refcount while still holding the ep mutex", 6.16, in 6.18.y): the
 * set's reference is dropped after mutex_unlock(), because the unlock still touches the
 * mutex after releasing it, and a racing eventpoll_release_file() that drops the last
 * reference frees the eventpoll and its mutex with it. `B-8c2e52eb` restores the old order.
 */
export function* ep_clear_and_put(c: Ctx, ep: number): Model<void> {
  const k = kernel(c);
  const ops = k.ops;
  const o = c.m.arena.objs[ep]!;
  if (yield* waitqueue_active(c, o.poll_wait as number)) yield* ops.ep_poll_safewake(c, ep, 0, 0);
  yield* mutex_lock(c, o.mtx as number);
  for (const epi of listOwners(c.m, o.rbr as number)) {
    yield* ops.ep_unregister_pollwait(c, ep, epi);
  }
  for (const epi of listOwners(c.m, o.rbr as number)) yield* ops.ep_remove_safe(c, ep, epi);
  if (k.bug('B-8c2e52eb')) {
    const dispose = yield* ops.ep_refcount_dec_and_test(c, ep);
    yield* mutex_unlock(c, o.mtx as number);
    if (dispose) ops.ep_free(c, ep);
    return;
  }
  yield* mutex_unlock(c, o.mtx as number);
  if (yield* ops.ep_refcount_dec_and_test(c, ep)) ops.ep_free(c, ep);
}

/**
 * eventpoll_release_file(): a watched file's last close removes it from every set; the
 * set's reference is dropped after mutex_unlock() (8c2e52ebbe88, see ep_clear_and_put).
 */
export function* eventpoll_release_file(c: Ctx, file: number): Model<void> {
  const FN = 'eventpoll_release_file';
  const k = kernel(c);
  const ops = k.ops;
  const fo = c.m.arena.objs[file]!;
  // Stryker disable next-line ConditionalExpression: unreachable: a watched file only
  if (fo.f_lock === 0) return;
  for (;;) {
    yield* spin_lock(c, fo.f_lock as number);
    const first: number = yield load(fo.f_ep as number, 'next', FN);
    if (first === fo.f_ep) {
      yield* spin_unlock(c, fo.f_lock as number);
      return;
    }
    const epi = list_entry(c.m, first);
    yield WRITE_ONCE(epi, 'dying', 1, FN);
    yield* spin_unlock(c, fo.f_lock as number);
    const ep: number = yield load(epi, 'ep', FN);
    const mtx = c.m.arena.objs[ep]!.mtx as number;
    yield* mutex_lock(c, mtx);
    if (k.bug('B-8c2e52eb')) {
      const dispose = (yield* ops.ep_remove(c, ep, epi, true)) &&
        (yield* ops.ep_refcount_dec_and_test(c, ep));
      yield* mutex_unlock(c, mtx);
      if (dispose) ops.ep_free(c, ep);
      continue;
    }
    const dispose = yield* ops.ep_remove(c, ep, epi, true);
    yield* mutex_unlock(c, mtx);
    if (dispose && (yield* ops.ep_refcount_dec_and_test(c, ep))) ops.ep_free(c, ep);
  }
}
