/**
 * Variant `mainline-6.18`: fs/eventpoll.c as in the host kernel (6.18 line).
 *
 * ep->lock is a spinlock again (0c43094f8cc9, 2025); ep_poll uses auto-removing wait
 * entries (412895f03cbf, a16ceb139610), does the final availability check under ep->lock
 * (65759097d804) and re-checks after a timeout (289caf5d8f6c); ep_done_scan wakes waiters
 * when it leaves items on rdllist.
 */
import { mutex_init } from '../../locks/mutex.ts';
import { spin_lock_init } from '../../locks/spinlock.ts';
import { init_waitqueue_head } from '../../locks/waitqueue.ts';
import { default_wake_function } from '../../locks/waitqueue.ts';
import { COMMON_OPS } from '../common.ts';
import { SIGNALFD } from '../files/signalfd.ts';
import { alloc_eventpoll } from '../structs.ts';
import { registerVariant, type Variant } from '../variant.ts';
import {
  ep_destroy_wakeup_source, ep_pm_stay_awake, ep_pm_stay_awake_rcu,
} from '../wakeup-source.ts';
import { ep_is_linked, ep_item_from_wait, ep_poll_callback, ep_poll_safewake } from './callback.ts';
import {
  ep_clear_and_put, ep_create_wakeup_source, ep_free, ep_insert, ep_modify,
  ep_ptable_queue_proc, ep_rbtree_insert, ep_remove, ep_unregister_pollwait,
  eventpoll_release_file, queue_if_ready,
} from './items.ts';
import { ep_get_upwards_depth_proc } from './upwards.ts';
import { reverse_path_check, reverse_path_check_proc } from './reverse-path.ts';
import { ep_done_scan, ep_eventpoll_poll, ep_item_poll, ep_send_events, ep_start_scan }
  from './scan.ts';
import { ep_autoremove_wake_function, ep_events_available, ep_poll } from './wait.ts';

/** The LOCKING comment of v6.18 (in our words). */
export const MAINLINE_LOCKING = `\
1) epnested_mutex (mutex): only for ADDs that can build loops or deep paths
2) ep->mtx (mutex): ctl, the harvest, release; nested by depth for nested sets
3) ep->lock (spinlock, IRQ-safe): rdllist, ovflist; taken by ep_poll_callback in any
   context, always inside the watched file's wait-queue lock
ep->wq.lock is taken inside ep->lock (wake_up from the callback).`;

/** mainline-6.18. */
export const mainline: Variant = registerVariant({
  name: 'mainline-6.18',
  follows: 'fs/eventpoll.c v6.18 (the host kernel): spinlock ep->lock, ovflist, ' +
    'autoremove wait entries, locked final check, timeout re-check, done-scan wakeup',
  locking: MAINLINE_LOCKING,
  lockOrder: ['epnested_mutex', 'ep->mtx', 'ep->lock', 'ep->wq.lock'],
  bugs: [
    { id: 'B1', summary: 'ep_modify without smp_mb() after storing the mask (pre-3.9)' },
    { id: 'B4', summary: 'ep_poll_callback returns without waking after an ovflist push ' +
      '(5.5 before 0c54a6a44bf3)' },
    { id: 'B5', summary: 'final ep_events_available() check outside ep->lock ' +
      '(before 65759097d804)' },
    { id: 'B6', summary: 'wait entries are not removed on wakeup (before 412895f03cbf)' },
    { id: 'B7', summary: 'a timed-out waiter returns 0 although a wakeup dequeued it ' +
      '(before 289caf5d8f6c)' },
    { id: 'B5-t0', summary: 'ep_poll starts with a lockless ep_events_available(): a ' +
      'timeout-0 wait can return 0 while a concurrent scan holds LT events (6.18.0, before ' +
      '"eventpoll: Fix epoll_wait() report false negative"; selftest epoll65)' },
    { id: 'no-done-scan-wake', summary: 'ep_done_scan does not wake ep->wq ' +
      '(339ddb53d373, 5.5)' },
    { id: 'no-pollfree', summary: 'ep_poll_callback ignores POLLFREE: the wait entry stays ' +
      'on a wait queue its owner frees, and ep_remove_wait_queue later uses the freed ' +
      'whead (before 971316f0503a)' },
    { id: 'no-pollwake-wmb', summary: '__pollwake without the smp_wmb() that pairs with ' +
      'smp_store_mb() in poll_schedule_timeout() (5f820f648c92): a poll(2) caller that sees ' +
      'triggered may re-poll stale readiness and then sleep for good (lkmm only)' },
    { id: 'B-8c2e52eb', summary: 'ep_clear_and_put and eventpoll_release_file drop the ' +
      'set\'s reference while holding ep->mtx: the last one frees the eventpoll (and its ' +
      'mutex) while the other close is still in mutex_unlock (before 8c2e52ebbe88)' },
    { id: 'B-07712db8', summary: 'ep_free ends in kfree(ep), as 6.18 shipped: the upward ' +
      'loop check (ep_get_upwards_depth_proc, under rcu_read_lock) can still read a closed ' +
      'set through epi->ep (before 07712db80857)' },
    { id: 'ws-no-synchronize-rcu', summary: 'mutant: ep_destroy_wakeup_source frees the ' +
      'item\'s wakeup source without synchronize_rcu(), while a callback in ' +
      'ep_pm_stay_awake_rcu may still hold it' },
  ],
  features: { wakeupSources: true, exclusive: true, setRefcount: true },
  // A file whose wait queue dies while watched (POLLFREE): see files/signalfd.ts.
  fileTypes: [SIGNALFD],
  ops: {
    ...COMMON_OPS,
    ep_alloc(c, label) {
      const m = c.m;
      return alloc_eventpoll(m, label, {
        lock: spin_lock_init(m, `${label}.lock`, 'ep->lock'),
        mtx: mutex_init(m, `${label}.mtx`, 'ep->mtx'),
        wq: init_waitqueue_head(m, `${label}.wq`, 'ep->wq.lock'),
        poll_wait: init_waitqueue_head(m, `${label}.poll_wait`, 'ep->poll_wait.lock'),
      });
    },
    ep_poll_callback,
    ep_poll,
    ep_send_events,
    ep_eventpoll_poll,
    ep_insert,
    ep_modify,
    ep_remove,
    ep_clear_and_put,
    eventpoll_release_file,
    ep_free,
    ep_poll_safewake,
    ep_ptable_queue_proc,
    ep_unregister_pollwait,
    ep_rbtree_insert,
    ep_is_linked,
    ep_item_from_wait,
    ep_item_poll,
    ep_events_available,
    ep_start_scan,
    ep_done_scan,
    ep_autoremove_wake_function,
    // Only ep_poll's entries under switch B6 (no autoremove) use it.
    default_wake_function,
    queue_if_ready,
    ep_pm_stay_awake,
    ep_pm_stay_awake_rcu,
    ep_create_wakeup_source,
    ep_destroy_wakeup_source,
    // v6.18's upward loop check, an RCU reader (upwards.ts); the common one takes no step.
    ep_get_upwards_depth_proc,
    reverse_path_check,
    reverse_path_check_proc,
  },
});
