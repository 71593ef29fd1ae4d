/**
 * fs/eventpoll.c @ v6.18: ep_poll_callback() and ep_poll_safewake().
 *
 * ep_poll_callback runs with the watched file's wait-queue lock held, in whatever context
 * issued the wakeup (a hardirq for a device interrupt). 6.18 takes `ep->lock` as a
 * spinlock (0c43094f8cc9 "eventpoll: Replace rwlock with spinlock"), so the ovflist push is
 * a plain load/store under the lock again.
 *
 * Bug switches honoured here:
 * - `B4`: return without waking after chaining onto ovflist (the 5.5 state before
 *   0c54a6a44bf3).
 * - `no-pollfree`: no POLLFREE branch (before 971316f0503a, 3.14): the entry stays on a
 *   wait queue its owner is about to free, and `whead` still names it.
 */
import { spin_lock_irqsave, spin_unlock_irqrestore } from '../../locks/spinlock.ts';
import {
  wait_entry_list, waitqueue_active, wake_up, wake_up_locked_poll,
} from '../../locks/waitqueue.ts';
import { spin_lock_irqsave_nested } from '../../locks/spinlock.ts';
import { EP_UNACTIVE_PTR, NULL } from '../../queues/arena.ts';
import { list_add_tail, list_del_init, list_empty } from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, READ_ONCE, smp_store_release, store, WRITE_ONCE } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import {
  EP_PRIVATE_BITS, EPOLLEXCLUSIVE, EPOLLIN, EPOLLINOUT_BITS, EPOLLOUT, POLLFREE,
} from '../uapi.ts';

const FN = 'ep_poll_callback';

/** ep_item_from_wait(): wait entry -> eppoll_entry -> epitem. */
export function ep_item_from_wait(c: Ctx, wait: number): number {
  const pwq = c.m.arena.objs[wait]!.private as number;
  return c.m.arena.objs[pwq]!.base as number;
}

/** ep_is_linked(): `!list_empty(&epi->rdllink)`. */
export function* ep_is_linked(c: Ctx, epi: number): Model<boolean> {
  const link = c.m.arena.objs[epi]!.rdllink as number;
  return !(yield* list_empty(c, link, 'ep_is_linked'));
}

/** The EXCLUSIVE return value: 1 only if the key matches the item's IN/OUT interest. */
export function exclusiveWake(events: number, pollflags: number): number {
  if (!(events & EPOLLEXCLUSIVE) || pollflags & POLLFREE) return 0;
  switch (pollflags & EPOLLINOUT_BITS) {
    case EPOLLIN: return events & EPOLLIN ? 1 : 0;
    case EPOLLOUT: return events & EPOLLOUT ? 1 : 0;
    case 0: return 1;
    default: return 0;
  }
}

/** ep_poll_callback() of v6.18. */
export function* ep_poll_callback(c: Ctx, wait: number, _mode: number, _sync: number,
  key: number): Model<number> {
  const k = kernel(c);
  const epi = k.ops.ep_item_from_wait(c, wait);
  const ep: number = yield load(epi, 'ep', FN);
  const pollflags = key;
  let ewake = 0;
  let pwake = false;
  const lock = c.m.arena.objs[ep]!.lock as number;
  const flags = yield* spin_lock_irqsave(c, lock);
  const events: number = yield load(epi, 'events', FN);
  unlock: {
    // A mask with no poll bits is a disabled item (a spent EPOLLONESHOT).
    if (!(events & ~EP_PRIVATE_BITS) && !k.bug('fault:callback-no-disarm-filter')) break unlock;
    if (pollflags && !(pollflags & events) && !k.bug('fault:callback-no-interest-filter')) {
      break unlock;
    }
    const ovflist: number = yield READ_ONCE(ep, 'ovflist', FN);
    if (ovflist !== EP_UNACTIVE_PTR) {
      // A scan is running: chain onto ovflist; ep_done_scan requeues it.
      const next: number = yield load(epi, 'next', FN);
      if (next === EP_UNACTIVE_PTR) {
        yield store(epi, 'next', ovflist, FN);
        yield WRITE_ONCE(ep, 'ovflist', epi, FN);
        if (!k.bug('fault:no-stay-awake')) yield* k.ops.ep_pm_stay_awake_rcu(c, epi);
      }
      if (k.bug('B4')) break unlock;
    } else if (k.bug('fault:callback-no-linked-check') || !(yield* k.ops.ep_is_linked(c, epi))) {
      yield* list_add_tail(c, c.m.arena.objs[epi]!.rdllink as number,
        c.m.arena.objs[ep]!.rdllist as number);
      if (!k.bug('fault:no-stay-awake')) yield* k.ops.ep_pm_stay_awake_rcu(c, epi);
    }
    const wq = c.m.arena.objs[ep]!.wq as number;
    if ((yield* waitqueue_active(c, wq)) || k.bug('fault:callback-wq-always-active')) {
      ewake = exclusiveWake(events, pollflags);
      yield* wake_up(c, wq);
    }
    if (yield* waitqueue_active(c, c.m.arena.objs[ep]!.poll_wait as number)) pwake = true;
  }
  yield* spin_unlock_irqrestore(c, lock, flags);
  // ep_poll_safewake() must run outside ep->lock.
  if (pwake) yield* k.ops.ep_poll_safewake(c, ep, epi, 0);
  // Stryker disable next-line ConditionalExpression: non-exclusive: only ret < 0 counts
  if (!(events & EPOLLEXCLUSIVE)) ewake = 1;
  if (pollflags & POLLFREE && !k.bug('no-pollfree')) {
    // The wait queue head is going away (wake_up_pollfree()). Not __remove_wait_queue():
    // a racing ep_remove_wait_queue() that read whead before the NULL below may still do
    // its own remove_wait_queue() after us, so the entry must stay self-linked.
    yield* list_del_init(c, wait_entry_list(c.m, wait));
    // Once whead is NULL nothing protects ep, epi or even wait (ep_remove_wait_queue no
    // longer takes whead->lock, which our caller holds).
    const pwq = c.m.arena.objs[wait]!.private as number;
    yield smp_store_release(pwq, 'whead', NULL, FN);
  }
  return ewake;
}

/**
 * ep_poll_safewake(): wake the pollers of this epoll file (an outer epoll set's callback,
 * or a poll(2) waiter). The nesting depth is bounded by ELOOP checks at ADD time.
 */
export function* ep_poll_safewake(c: Ctx, ep: number, epi: number, pollflags: number):
Model<void> {
  const poll_wait = c.m.arena.objs[ep]!.poll_wait as number;
  let nests = 0;
  if (epi !== 0) {
    const file = c.m.arena.objs[epi]!.ffd_file as number;
    const src = c.m.arena.objs[file]!;
    nests = src.f_op === 'eventpoll'
      ? (yield load(src.private_data as number, 'nests', 'ep_poll_safewake')) as number : 1;
  }
  const lock = c.m.arena.objs[poll_wait]!.lock as number;
  // spin_lock_irqsave_nested(&ep->poll_wait.lock, flags, nests): a wakeup travelling up a
  // chain of nested sets holds each set's poll_wait.lock while taking the next one's, so
  // the kernel tells lockdep the depth (CONFIG_DEBUG_LOCK_ALLOC); a plain irqsave would be
  // reported as recursive locking.
  const flags = yield* spin_lock_irqsave_nested(c, lock, nests);
  yield store(ep, 'nests', nests + 1, 'ep_poll_safewake');
  kernel(c).ghost.edge(c.m.arena.objs[ep]!.file as number);
  yield* wake_up_locked_poll(c, poll_wait, EPOLLIN | pollflags);
  yield store(ep, 'nests', 0, 'ep_poll_safewake');
  yield* spin_unlock_irqrestore(c, lock, flags);
}
