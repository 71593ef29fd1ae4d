/**
 * Variant `exclusive-4.5`: EPOLLEXCLUSIVE as merged in df0108c5da56 "epoll: add
 * EPOLLEXCLUSIVE flag" (Jason Baron, v4.5-rc1; the part of seed 004's thread that shipped).
 * fs/eventpoll.c of v4.5 has the same structure as v4.19 (classic-4.19: ep->mtx,
 * ep_scan_ready_list with ovflist and the end-of-scan wakeup, the 4.x ep_poll), except that
 * the ready-list lock is a separate `ep->lock` spinlock which also protects `ep->wq` (the
 * 4.19 tree had folded it into ep->wq.lock), and the callback's return value is the merged
 * one. Everything else is imported from classic-4.19 unchanged.
 *
 * EPOLLEXCLUSIVE as merged:
 * - ep_ptable_queue_proc() hooks an item with the flag with add_wait_queue_exclusive() (at
 *   the tail of the file's wait queue, after the non-exclusive hooks);
 * - ep_poll_callback() returns `ewake`, 1 only if this set's ep->wq had a waiter (whatever the
 *   wakeup key; 4.6's "epoll: restrict EPOLLEXCLUSIVE to POLLIN and POLLOUT" added the key
 *   test that classic-4.19 has), so __wake_up_common() stops after the first exclusive hook
 *   whose set had a sleeping waiter: "at least 1 epfd, but may still potentially queue an
 *   event to all epfds";
 * - epoll_ctl refuses the flag on MOD and on an epoll target (the shared do_epoll_ctl also
 *   applies 4.6's EPOLLEXCLUSIVE_OK_BITS and its refusal to MOD an exclusive item).
 *
 * Model layout: `ep->lock` is a spinlock of class `ep->lock`, and `ep->wq` uses it as its
 * lock (wake_up_locked() under ep->lock, as the code does).
 */
import { mutex_init } from '../../locks/mutex.ts';
import { spin_lock_init } from '../../locks/spinlock.ts';
import { init_waitqueue_head } from '../../locks/waitqueue.ts';
import type { Ctx } from '../../sim/context.ts';
import { alloc_eventpoll } from '../structs.ts';
import { registerVariant, type Variant } from '../variant.ts';
import { B1, classic } from '../classic-4.19/index.ts';
import { ep_poll_callback } from './callback.ts';

/** The LOCKING comment of v4.5, in our words. */
export const EXCLUSIVE_LOCKING = `\
1) epmutex (mutex; the model's global epnested_mutex)
2) ep->mtx (mutex): ctl, the whole harvest (ep_scan_ready_list), release
3) ep->lock (spinlock, IRQ-safe): rdllist, ovflist and ep->wq (manipulated with the
   unlocked wait-queue helpers under ep->lock)
The acquire order is 1 -> 2 -> 3.`;

/** ep_alloc() of v4.5: `spin_lock_init(&ep->lock)`; ep->wq is used under it. */
export function ep_alloc_45(c: Ctx, label: string): number {
  const m = c.m;
  const lock = spin_lock_init(m, `${label}.lock`, 'ep->lock');
  const wq = init_waitqueue_head(m, `${label}.wq`, 'ep->lock');
  m.arena.objs[wq]!.lock = lock;
  return alloc_eventpoll(m, label, {
    lock,
    mtx: mutex_init(m, `${label}.mtx`, 'ep->mtx'),
    wq,
    poll_wait: init_waitqueue_head(m, `${label}.poll_wait`, 'ep->poll_wait.lock'),
  });
}

/** exclusive-4.5. */
export const exclusive45: Variant = registerVariant({
  name: 'exclusive-4.5',
  follows: 'fs/eventpoll.c v4.5 with df0108c5da56 (EPOLLEXCLUSIVE as merged, seed 004): ' +
    'exclusive hooks, ep_poll_callback returns ewake (1 iff the set had a waiter)',
  locking: EXCLUSIVE_LOCKING,
  lockOrder: ['epnested_mutex', 'ep->mtx', 'ep->lock'],
  bugs: [B1],
  features: { wakeupSources: true, exclusive: true },
  ops: { ...classic.ops, ep_alloc: ep_alloc_45, ep_poll_callback },
});
