/**
 * fs/eventpoll.c @ v2.6.22 (Davide Libenzi's single-pass transfer, seed 003):
 * ep_poll_callback() and ep_poll_safewake().
 *
 * LOCKING: the callback takes the WRITE side of the rwlock `ep->lock` with IRQs saved (it
 * may run in hardirq context, inside the watched file's wait-queue lock), so callbacks of one
 * set are serialised against each other and against everything else that touches rdllist.
 * `ep->wq` is manipulated only under `ep->lock` ("epoll: use unlocked wqueue operations",
 * 2006), so the model makes the wait queue's lock that same rwlock.
 *
 * The linked test is the whole protocol of the single-pass transfer: an item whose `rdllink`
 * is not empty (on rdllist, on a harvester's txlist or injlist, or list_del'd with poisoned
 * pointers, which are never its own address) is left alone; it becomes visible to the
 * callback only after the harvester's smp_mb() + INIT_LIST_HEAD(). There is no key test in
 * this era (the wakeup key did not exist yet): any wakeup queues the item.
 */
import { write_lock_irqsave, write_unlock_irqrestore } from '../../locks/rwlock.ts';
import { waitqueue_active, wake_up, wake_up_locked } from '../../locks/waitqueue.ts';
import { list_add_tail } from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { load } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import { EPOLLET, EPOLLONESHOT } from '../uapi.ts';

const FN = 'ep_poll_callback';

/** EP_PRIVATE_BITS of v2.6.22: only ONESHOT and ET existed. */
export const EP_PRIVATE_BITS_2622 = EPOLLONESHOT | EPOLLET;

/**
 * ep_poll_safewake() of v2.6.22: `wake_up(wq)` on the set's poll_wait, after the psw
 * bookkeeping that refuses loops and nesting deeper than EP_MAX_POLLWAKE_NESTS (not
 * modelled: nesting is bounded by the ELOOP checks of the shared epoll_ctl).
 */
export function* ep_poll_safewake(c: Ctx, ep: number, _epi = 0, _pollflags = 0): Model<void> {
  kernel(c).ghost.edge(c.m.arena.objs[ep]!.file as number);
  yield* wake_up(c, c.m.arena.objs[ep]!.poll_wait as number);
}

/**
 * With `ep->lock` held for writing: wake every waiter of `ep->wq` (they are non-exclusive:
 * `__wake_up_locked(&ep->wq, TASK_UNINTERRUPTIBLE | TASK_INTERRUPTIBLE)`) and report
 * whether `poll_wait` has pollers (the caller safewakes them after unlocking).
 */
export function* ep_wake_locked(c: Ctx, ep: number): Model<boolean> {
  const o = c.m.arena.objs[ep]!;
  if (yield* waitqueue_active(c, o.wq as number)) yield* wake_up_locked(c, o.wq as number);
  return yield* waitqueue_active(c, o.poll_wait as number);
}

/**
 * The queue-and-wake block of the callback, ep_insert and ep_modify, with `ep->lock` held
 * for writing: add the item if it is not linked, and wake. The callback wakes even when the
 * item was already linked (its `is_linked:` label); ep_insert/ep_modify do not.
 */
export function* ep_queue_wake_locked(c: Ctx, ep: number, epi: number, wakeIfLinked: boolean):
Model<boolean> {
  const o = c.m.arena.objs[ep]!;
  if (yield* kernel(c).ops.ep_is_linked(c, epi)) {
    if (!wakeIfLinked) return false;
  } else {
    yield* list_add_tail(c, c.m.arena.objs[epi]!.rdllink as number, o.rdllist as number);
  }
  return yield* ep_wake_locked(c, ep);
}

/** ep_poll_callback() of v2.6.22: always returns 1. */
export function* ep_poll_callback(c: Ctx, wait: number, _mode: number, _sync: number,
  _key: number): Model<number> {
  const ops = kernel(c).ops;
  const epi = ops.ep_item_from_wait(c, wait);
  const ep: number = yield load(epi, 'ep', FN);
  const lock = c.m.arena.objs[ep]!.lock as number;
  let pwake = false;
  const flags = yield* write_lock_irqsave(c, lock);
  const events: number = yield load(epi, 'events', FN);
  // is_disabled: a mask with no poll bits (a spent EPOLLONESHOT).
  if (events & ~EP_PRIVATE_BITS_2622) pwake = yield* ep_queue_wake_locked(c, ep, epi, true);
  yield* write_unlock_irqrestore(c, lock, flags);
  if (pwake) yield* ops.ep_poll_safewake(c, ep, 0, 0);
  return 1;
}
