/**
 * Variant `singlepass-2.6.22`: fs/eventpoll.c of v2.6.22, with Davide Libenzi's single-pass
 * ep_send_events() (seed 003). `ep->sem`, an rw_semaphore, is held for reading during the
 * transfer and for writing by epoll_ctl and by eventpoll_release_file; `ep->lock` is an
 * rwlock taken for writing (IRQs saved) by the callback and everything else that touches
 * rdllist; there is no ovflist and no EPOLLWAKEUP, EPOLLEXCLUSIVE or wakeup key; waiters queue
 * non-exclusively. The transfer steals rdllist, then polls, copies and list_del()s each item
 * in one pass, keeps still-ready LT items on a private injlist, and hands the others back to
 * the callback with smp_mb() + INIT_LIST_HEAD().
 *
 * Seed 003's five ways to be hit during a transfer are the scenarios of
 * src/scenario/singlepass.ts. Known differences from later eras that the library shows
 * (documented in test/variants/singlepass.spec.ts): an ET edge arriving while its item is
 * in transit is swallowed (invariant I-a2), bug B1 is present (ep_modify has no barrier;
 * under TSO), and an epoll file polls "readable" whenever its rdllist is not empty.
 *
 * Model layout: `ep->lock` is the rwlock and also the lock of `ep->wq`; `ep->sem` is the
 * rw_semaphore; `ep->mtx` is the adapter mutex explained in items.ts.
 *
 * A hole in seed 003's item 5, found by the simulator (test/variants/singlepass.spec.ts):
 * INIT_LIST_HEAD() is two stores, `next = self` then `prev = self`. A callback that runs
 * between them (on another CPU, or as an interrupt on the harvesting CPU itself, which has
 * interrupts enabled during the transfer) reads `next == self`, takes the item for unlinked
 * and adds it to rdllist; the harvester's second store then overwrites the `prev` that the
 * add just set, and rdllist is corrupt (P2). The "we're already past it" of the seed holds
 * only if the re-initialisation is one store, or stores `prev` first: switch
 * `init-prev-first` does that, and the corruption goes away.
 *
 * Switches: `transit-del-init` (a mutant, to show item 5's argument is load-bearing) and
 * `init-prev-first` (a what-if fix of the window above, not historical).
 */
import { mutex_init } from '../../locks/mutex.ts';
import { rwlock_init } from '../../locks/rwlock.ts';
import { init_rwsem } from '../../locks/rwsem.ts';
import { init_waitqueue_head } from '../../locks/waitqueue.ts';
import type { Ctx } from '../../sim/context.ts';
import { default_wake_function } from '../../locks/waitqueue.ts';
import { COMMON_OPS } from '../common.ts';
import { ep_is_linked, ep_item_from_wait } from '../mainline/callback.ts';
import { ep_free_kfree } from '../mainline/items.ts';
import { alloc_eventpoll } from '../structs.ts';
import { registerVariant, type Variant } from '../variant.ts';
import { ep_rbtree_insert } from '../classic-4.19/items.ts';
import { ep_ptable_queue_proc_pre45 } from '../wfcqueue-rfc-v3/callback.ts';
import { ep_poll_callback, ep_poll_safewake } from './callback.ts';
import {
  ep_clear_and_put, ep_insert, ep_modify, ep_remove, ep_unlink, ep_unregister_pollwait,
  eventpoll_release_file,
} from './items.ts';
import { ep_eventpoll_poll, ep_events_transfer } from './send.ts';
import { ep_poll } from './wait.ts';

/** The LOCKING comment of v2.6.22 (its own words, shortened). */
export const SINGLEPASS_LOCKING = `\
1) epmutex (mutex; the model's global epnested_mutex): ep_free vs eventpoll_release_file
2) ep->sem (rw_semaphore): read-held during the event transfer loop, write-held by
   epoll_ctl and eventpoll_release_file
3) ep->lock (rwlock, IRQ-safe): rdllist, the rb-tree and ep->wq; the callback takes it
   for writing
The acquire order is 1 -> 2 -> 3.`;

/** ep_alloc() of v2.6.22. */
function ep_alloc(c: Ctx, label: string): number {
  const m = c.m;
  const lock = rwlock_init(m, `${label}.lock`, 'ep->lock');
  const wq = init_waitqueue_head(m, `${label}.wq`, 'ep->lock');
  m.arena.objs[wq]!.lock = lock;
  const ep = alloc_eventpoll(m, label, {
    lock,
    mtx: mutex_init(m, `${label}.mtx`, 'ep->mtx (ctl adapter)'),
    wq,
    poll_wait: init_waitqueue_head(m, `${label}.poll_wait`, 'ep->poll_wait.lock'),
  });
  m.arena.objs[ep]!.sem = init_rwsem(m, `${label}.sem`, 'ep->sem');
  return ep;
}

/** singlepass-2.6.22. */
export const singlepass: Variant = registerVariant({
  name: 'singlepass-2.6.22',
  follows: 'fs/eventpoll.c v2.6.22 (seed 003): ep->sem rw_semaphore read-held during the ' +
    'single-pass ep_send_events with injlist and smp_mb+INIT_LIST_HEAD hand-back, rwlock ' +
    'ep->lock, no ovflist, non-exclusive waiters',
  locking: SINGLEPASS_LOCKING,
  lockOrder: ['epnested_mutex', 'ep->mtx (ctl adapter)', 'ep->sem', 'ep->lock'],
  bugs: [
    { id: 'transit-del-init', summary: 'mutant: ep_send_events list_del_init()s the item in ' +
      'transit, so it looks unlinked and a callback re-queues it under the harvester ' +
      '(breaks seed 003 item 5)' },
    { id: 'init-prev-first', summary: 'what-if fix: the hand-back re-initialises rdllink ' +
      'with prev first and next last, closing the window between INIT_LIST_HEAD\'s stores' },
  ],
  features: { wakeupSources: false, exclusive: false, keyedWakeups: false },
  knownViolations: [{ property: 'P1-lost-wakeup', why: 'invariant I-a2 of this design ' +
    '(send.ts): an ET edge that arrives while its item is in transit (after the poll, before ' +
    'INIT_LIST_HEAD()) is swallowed, which is harmless only to a reader that reads until ' +
    'EAGAIN; the library\'s ET scenarios do not' },
  { property: 'P2-list-integrity', why: 'the hole in seed 003\'s item 5 ' +
    '(see the file comment): INIT_LIST_HEAD()\'s two stores hand the item back, and a ' +
    'callback between them re-adds it, whose prev the second store overwrites; ' +
    '+init-prev-first closes it' }],
  // No ep_item_poll, ep_events_available, ovflist scan or wakeup sources in this era: the
  // transfer polls f_op->poll directly and ep_poll tests rdllist itself.
  ops: {
    ...COMMON_OPS,
    ep_alloc,
    ep_poll_callback,
    ep_poll,
    // 2.6.22's ep_events_transfer(): the steal, the single pass and the hand-back.
    ep_send_events: ep_events_transfer,
    ep_eventpoll_poll,
    ep_insert,
    ep_modify,
    ep_remove,
    ep_clear_and_put,
    eventpoll_release_file,
    // kfree(ep) at once, as v2.6.22 does.
    ep_free: ep_free_kfree,
    ep_poll_safewake,
    // 2.6.22 hooks every item non-exclusively (no EPOLLEXCLUSIVE yet).
    ep_ptable_queue_proc: ep_ptable_queue_proc_pre45,
    ep_unregister_pollwait,
    ep_rbtree_insert,
    ep_is_linked,
    ep_item_from_wait,
    ep_unlink,
    default_wake_function,
  },
});
