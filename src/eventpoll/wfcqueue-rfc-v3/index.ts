/**
 * Variants `wfcqueue-rfc-v3` and `wfcqueue-rfc-v3-fixed`: Eric Wong, "[RFC v3 1/2] epoll:
 * avoid spinlock contention with wfcqueue" (2013-03-21, seeds 001/002), on its v3.9-rc base,
 * exactly as posted: `epi->state` IDLE/READY/ZOMBIE changed by cmpxchg in the callback, a
 * wait-free ready queue (rdlhead/rdltail) spliced under `ep->mtx` onto a transaction queue
 * (txlhead/txltail), no ovflist, no ep_scan_ready_list, zombies reaped by ep_send_events,
 * ep_notify_waiters() with spin_trylock, and EPOLLWAKEUP as posted (nothing relaxes ep->ws;
 * a callback in the WF1 window activates nothing).
 *
 * `wfcqueue-rfc-v3-fixed` is the smallest change we found that closes WF1 (Arve
 * Hjønnevåg's window, see send.ts): in ep_send_events, move `epi->state = EP_STATE_IDLE`
 * from after the delivery to right after the dequeue, followed by smp_mb(), and re-queue an
 * LT item through ep_mark_ready() instead of unconditionally. Why it is enough: a callback
 * either runs its cmpxchg before the reset (the state is READY, it queues nothing, but its
 * event is already visible to the poll that follows the barrier, so it is delivered now) or
 * after it (it wins the cmpxchg and queues the item again, so it is delivered next time).
 * The barrier is needed under TSO: without it the reset can sit in the store buffer while
 * the poll reads the old count and the callback's cmpxchg still sees READY (switch
 * `fix-no-mb` on the fixed variant shows that). Cost: an item can now be queued again while
 * its harvester still works on it (a spurious but harmless re-poll later), which is what the
 * old ovflist did as well.
 *
 * Model layout: `ep->lock` (the field the checkers read) is `ep->wqlock`, and `ep->wq` uses
 * it as its lock ("ep->wqlock protects the waitqueues"); the item's wfcq_node is the arena
 * object `epi->rdlnode` (label `epi:X.rdllink`), the list_head `epi->rdllink` is unused.
 */
import { mutex_init } from '../../locks/mutex.ts';
import { spin_lock_init } from '../../locks/spinlock.ts';
import { init_waitqueue_head } from '../../locks/waitqueue.ts';
import { wfcq_alloc } from '../../queues/wfcqueue.ts';
import type { Ctx } from '../../sim/context.ts';
import { POINTER_FIELDS } from '../../sim/context.ts';
import { default_wake_function } from '../../locks/waitqueue.ts';
import { COMMON_OPS } from '../common.ts';
import { ep_item_from_wait } from '../mainline/callback.ts';
import {
  ep_create_wakeup_source, ep_free, ep_unregister_pollwait,
} from '../mainline/items.ts';
import { alloc_eventpoll } from '../structs.ts';
import { registerVariant, type EpOps, type KnownViolation, type Variant } from '../variant.ts';
import { ep_pm_stay_awake } from '../wakeup-source.ts';
import { ep_poll_safewake } from '../classic-4.19/callback.ts';
import { B1 } from '../classic-4.19/index.ts';
import { ep_rbtree_insert, eventpoll_release_file } from '../classic-4.19/items.ts';
import { ep_item_poll } from '../classic-4.19/scan.ts';
import {
  ep_mark_ready, ep_notify_waiters, ep_poll_callback, ep_ptable_queue_proc_pre45,
} from './callback.ts';
import { ep_clear_and_put, ep_insert, ep_modify, ep_remove } from './items.ts';
import {
  ep_eventpoll_poll, ep_events_available, ep_poll_readyevents_proc, ep_ready_prepare, ep_reap,
  ep_send_events_with,
} from './send.ts';
import { ep_poll } from './wait.ts';

for (const f of ['rdlhead', 'rdltail', 'txlhead', 'txltail', 'rdlnode', 'p']) {
  POINTER_FIELDS.add(f);
}

/** The LOCKING comment of the RFC (its own text, shortened). */
export const WFCQ_LOCKING = `\
1) epmutex (mutex; the model's global epnested_mutex)
2) ep->mtx (mutex): ctl, the event transfer loop, release; it also protects the dequeue side
   of the ready queue (rdlhead splice) and the transaction queue (txlhead/txltail)
3) ep->wqlock (spinlock): only the wait queues; callbacks take it with trylock
The ready queue is appended to without any lock (wfcqueue enqueue), after winning the
cmpxchg of epi->state from IDLE to READY.`;

/** ep_alloc() of the RFC. */
function ep_alloc(c: Ctx, label: string): number {
  const m = c.m;
  const wqlock = spin_lock_init(m, `${label}.wqlock`, 'ep->wqlock');
  const wq = init_waitqueue_head(m, `${label}.wq`, 'ep->wqlock');
  m.arena.objs[wq]!.lock = wqlock;
  const ep = alloc_eventpoll(m, label, {
    lock: wqlock,
    mtx: mutex_init(m, `${label}.mtx`, 'ep->mtx'),
    wq,
    poll_wait: init_waitqueue_head(m, `${label}.poll_wait`, 'ep->poll_wait.lock'),
  });
  const rdl = wfcq_alloc(m, `${label}.rdl`);
  const txl = wfcq_alloc(m, `${label}.txl`);
  const o = m.arena.objs[ep]!;
  o.rdlhead = rdl.head;
  o.rdltail = rdl.tail;
  o.txlhead = txl.head;
  o.txltail = txl.tail;
  // Seed 001's counter idea (wakeup.ts): the count and the lock of the set's source.
  o.ws_count = 0;
  o.ws_lock = spin_lock_init(m, `${label}.ws.lock`, 'ws->lock');
  return ep;
}

const OPS_AS_POSTED: EpOps = {
  ...COMMON_OPS,
  ep_alloc,
  ep_poll_callback,
  ep_poll,
  ep_send_events: ep_send_events_with({ resetFirst: false }),
  ep_eventpoll_poll,
  ep_insert,
  ep_modify,
  ep_remove,
  ep_clear_and_put,
  eventpoll_release_file,
  ep_free,
  ep_poll_safewake,
  // The RFC's v3.9 base hooks every item non-exclusively.
  ep_ptable_queue_proc: ep_ptable_queue_proc_pre45,
  ep_unregister_pollwait,
  ep_rbtree_insert,
  ep_item_from_wait,
  ep_item_poll,
  ep_events_available,
  default_wake_function,
  ep_pm_stay_awake,
  ep_create_wakeup_source,
  ep_mark_ready,
  ep_notify_waiters,
  ep_ready_prepare,
  ep_poll_readyevents_proc,
  ep_reap,
};

/** Seed 001's EPOLLWAKEUP question, as switches on both RFC variants (see wakeup.ts). */
const WS_SWITCHES = [
  { id: 'ws-counter', summary: 'EPOLLWAKEUP by an atomic count of READY wakeup items in ' +
    'struct eventpoll, 0->1 activating and 1->0 relaxing ep->ws (Eric Wong\'s idea, seed 001)' },
  { id: 'ws-counter-locked', summary: 'the same count, each update done together with its ' +
    'stay_awake/relax under the wakeup source\'s lock' },
];

/**
 * Why both RFC variants fail P6: EPOLLWAKEUP is as posted in both (the WF1 fix touches the
 * event transfer only). See wakeup.ts and test/variants/wfcqueue.spec.ts.
 */
const P6_AS_POSTED: KnownViolation = {
  property: 'P6-wakeup-source',
  why: 'EPOLLWAKEUP is as posted: the callback marks the item READY and queues it before ' +
    '__pm_stay_awake(), and nothing relaxes ep->ws, so an item can sit queued with no ' +
    'active wakeup source (seed 001 asked whether a counter would do: +ws-counter still ' +
    'fails, +ws-counter-locked holds)',
};

/** wfcqueue-rfc-v3: the RFC as posted. */
export const wfcqueueRfc: Variant = registerVariant({
  name: 'wfcqueue-rfc-v3',
  follows: 'Eric Wong, "[RFC v3 1/2] epoll: avoid spinlock contention with wfcqueue" ' +
    '(2013-03-21, seeds 001/002) on v3.9-rc, as posted',
  locking: WFCQ_LOCKING,
  lockOrder: ['epnested_mutex', 'ep->mtx', 'ep->wqlock'],
  bugs: [B1, ...WS_SWITCHES],
  features: { wakeupSources: true, exclusive: false },
  knownViolations: [
    { property: 'P1-lost-wakeup', why: 'WF1 (Arve Hjønnevåg\'s window): ep_send_events ' +
      'resets epi->state to IDLE after delivering, so a callback in between loses its ' +
      'cmpxchg and queues nothing; the -fixed variant closes it' },
    P6_AS_POSTED,
  ],
  ops: OPS_AS_POSTED,
});

/** wfcqueue-rfc-v3-fixed: the RFC with the WF1 fix (see the file comment). */
export const wfcqueueRfcFixed: Variant = registerVariant({
  name: 'wfcqueue-rfc-v3-fixed',
  follows: 'the wfcqueue RFC v3 with the WF1 fix: ep_send_events resets epi->state to IDLE ' +
    '(+ smp_mb) before polling, and re-queues LT items through ep_mark_ready',
  locking: WFCQ_LOCKING,
  lockOrder: ['epnested_mutex', 'ep->mtx', 'ep->wqlock'],
  bugs: [
    { id: 'fix-no-mb', summary: 'the WF1 fix without its smp_mb(): the early IDLE store can ' +
      'still be in the store buffer when the poll reads the file (TSO)' },
    B1, ...WS_SWITCHES,
  ],
  features: { wakeupSources: true, exclusive: false },
  knownViolations: [P6_AS_POSTED],
  ops: { ...OPS_AS_POSTED, ep_send_events: ep_send_events_with({ resetFirst: true }) },
});
