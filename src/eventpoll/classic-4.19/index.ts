/**
 * Variant `classic-4.19`: fs/eventpoll.c as in torvalds/linux @ 002b343669c4 (a v4.19/4.20
 * tree): the "classic" design the seeds 000 and 002 set out to change. `ep->mtx` for the
 * harvest, ctl and release; ONE spinlock for the ready list, which in this era is the lock of
 * the set's own wait queue (`ep->wq.lock`); `ep_scan_ready_list()` stealing `rdllist` into a
 * txlist and sending callbacks to `ovflist` meanwhile, with the end-of-scan wakeup of
 * `ep->wq` and `poll_wait`; ep_send_events_proc() re-adding LT items without the lock;
 * ep_poll() with a non-autoremoving exclusive wait entry and the whole wait loop under the lock.
 *
 * Model layout: `ep->lock` (the field the checkers read) is the SAME spinlock object as
 * `ep->wq.lock`, lock class `ep->wq.lock`.
 *
 * Bug switches: `B1` (ep_modify without smp_mb, the pre-3.9 state; see items.ts).
 */
import { mutex_init } from '../../locks/mutex.ts';
import { init_waitqueue_head } from '../../locks/waitqueue.ts';
import type { Ctx } from '../../sim/context.ts';
import { default_wake_function } from '../../locks/waitqueue.ts';
import { COMMON_OPS } from '../common.ts';
import { ep_is_linked, ep_item_from_wait } from '../mainline/callback.ts';
import {
  ep_create_wakeup_source, ep_free_kfree, ep_ptable_queue_proc, ep_unregister_pollwait,
} from '../mainline/items.ts';
import { alloc_eventpoll } from '../structs.ts';
import { registerVariant, type BugSwitch, type EpOps, type Variant } from '../variant.ts';
import { ep_pm_stay_awake } from '../wakeup-source.ts';
import { ep_poll_callback, ep_poll_safewake } from './callback.ts';
import {
  ep_clear_and_put, ep_insert, ep_modify, ep_queue_ready_locked, ep_rbtree_insert, ep_remove,
  eventpoll_release_file,
} from './items.ts';
import {
  ep_eventpoll_poll, ep_item_poll, ep_read_events_proc, ep_scan_ready_list, ep_send_events,
  ep_send_events_proc,
} from './scan.ts';
import { ep_events_available, ep_poll } from './wait.ts';

/** The LOCKING comment of v4.19, in our words. */
export const CLASSIC_LOCKING = `\
1) epmutex (mutex; the model's global epnested_mutex): ep_free vs eventpoll_release_file,
   and "full check" ADDs (epoll in epoll, or a watched set)
2) ep->mtx (mutex): ctl, the whole harvest (ep_scan_ready_list), release; nested by depth
3) ep->wq.lock (spinlock, IRQ-safe): rdllist, ovflist and ep->wq itself; taken by
   ep_poll_callback in any context, inside the watched file's wait-queue lock
The acquire order is 1 -> 2 -> 3.`;

/** ep_alloc() of v4.19: the ready-list lock is the wait queue's own lock. */
export function ep_alloc_wq_locked(c: Ctx, label: string): number {
  const m = c.m;
  const wq = init_waitqueue_head(m, `${label}.wq`, 'ep->wq.lock');
  return alloc_eventpoll(m, label, {
    lock: m.arena.objs[wq]!.lock as number,
    mtx: mutex_init(m, `${label}.mtx`, 'ep->mtx'),
    wq,
    poll_wait: init_waitqueue_head(m, `${label}.poll_wait`, 'ep->poll_wait.lock'),
  });
}

/** B1, shared by the variants whose ep_modify has the barrier. */
export const B1: BugSwitch = { id: 'B1', summary: 'ep_modify without smp_mb() between ' +
  'storing the new mask and polling the file (before 128dd1759d96, v3.9)' };

/**
 * The table of v4.19 (exclusive-4.5 and roundrobin-rfc start from it, rwlock-5.1 and the
 * wfcqueue RFC take parts): the functions mainline shares unchanged (ep_ptable_queue_proc,
 * ep_unregister_pollwait, ep_free, ep_create_wakeup_source, ...) come from mainline's
 * modules, the rest is this era's own.
 */
export const CLASSIC_OPS: EpOps = {
  ...COMMON_OPS,
  ep_alloc: ep_alloc_wq_locked,
  ep_poll_callback,
  ep_poll,
  ep_send_events,
  ep_eventpoll_poll,
  ep_insert,
  ep_modify,
  ep_remove,
  ep_clear_and_put,
  eventpoll_release_file,
  // v4.19's ep_free() ends in kfree(ep): no RCU reader reaches an eventpoll there.
  ep_free: ep_free_kfree,
  ep_poll_safewake,
  ep_ptable_queue_proc,
  ep_unregister_pollwait,
  ep_rbtree_insert,
  ep_is_linked,
  ep_item_from_wait,
  ep_item_poll,
  ep_events_available,
  ep_scan_ready_list,
  ep_send_events_proc,
  ep_read_events_proc,
  default_wake_function,
  queue_if_ready: ep_queue_ready_locked,
  ep_pm_stay_awake,
  ep_create_wakeup_source,
};

/** classic-4.19. */
export const classic: Variant = registerVariant({
  name: 'classic-4.19',
  follows: 'fs/eventpoll.c @ 002b343669c4 (v4.19/4.20): ep->mtx, ep->wq.lock as the ' +
    'ready-list spinlock, ep_scan_ready_list with ovflist and end-of-scan wakeup, ' +
    'non-autoremove exclusive wait entry',
  locking: CLASSIC_LOCKING,
  lockOrder: ['epnested_mutex', 'ep->mtx', 'ep->wq.lock'],
  bugs: [B1],
  features: { wakeupSources: true, exclusive: true },
  ops: CLASSIC_OPS,
});
