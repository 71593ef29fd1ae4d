/**
 * Variant `rwlock-5.1`: fs/eventpoll.c after a218cc491420 "epoll: use rwlock in order to
 * reduce ep_poll_callback() contention" (Roman Penyaev, v5.1; seed 000), with c141175d011f
 * (FIFO ready list) and c3e320b61581 (unified wakeup-source activation) before it.
 * `ep->lock` is an rwlock: ep_poll_callback() takes the READ side and queues with
 * list_add_tail_lockless()/chain_epi_lockless(); every other path takes write_lock_irq.
 * ep_scan_ready_list() still exists (5.1 had it), with its end-of-scan wakeup.
 *
 * The default (no switches) is the rwlock design with every later fix applied, i.e. the
 * state just before 0c43094f8cc9 went back to a spinlock (v5.13 to v6.17), kept in the v5.1
 * function layout. Each switch puts back one historical state:
 *
 * | combination                          | state                                          |
 * | ------------------------------------ | ---------------------------------------------- |
 * | `+B3+B4+B5+B6+B7`                    | v5.1 as merged                                  |
 * | `+B3+B4+B5+B6+B7+no-scan-wake`       | v5.5 (339ddb53d373)                             |
 * | `+B4+B5+B6+B7+no-scan-wake`          | v5.6 (1b53734bd0b2 fixed B3)                    |
 * | `+B7+no-scan-wake`                   | v5.7 (0c54a6a44bf3, 412895f03cbf, 65759097d804) |
 * | `+no-scan-wake`                      | v5.10 to v5.12 (289caf5d8f6c fixed B7)          |
 * | (none)                               | fixed: v5.13 to v6.17                           |
 *
 * (Release numbers of the fixes are inferred from their commit dates.)
 *
 * B4, and B5/B6 in the v5.1 shape, only bite together with `no-scan-wake`: as merged in
 * 5.1 the end-of-scan wakeup covered them, which is why they appeared in 5.5. B3 (under TSO)
 * and B7 bite alone. B11 is not a switch: the qrwlock model lets callbacks in hardirq pass a
 * waiting writer, so IRQs on several CPUs can starve the write_lock_irq() of ep_poll() or of
 * a scan (reported by the rwlock as P7 writer starvation past `limits.bypassMax`).
 */
import { mutex_init } from '../../locks/mutex.ts';
import { rwlock_init } from '../../locks/rwlock.ts';
import { init_waitqueue_head } from '../../locks/waitqueue.ts';
import { list_add_tail_lockless } from '../../queues/list-lockless.ts';
import { chain_epi_lockless } from '../../queues/ovflist.ts';
import { alloc_eventpoll } from '../structs.ts';
import { registerVariant, type Variant } from '../variant.ts';
import { ep_autoremove_wake_function, ep_events_available } from '../mainline/wait.ts';
import { B1, CLASSIC_OPS } from '../classic-4.19/index.ts';
import { ep_poll_callback } from './callback.ts';
import { ep_insert, ep_modify, ep_queue_ready, ep_remove } from './items.ts';
import { ep_scan_ready_list } from './scan.ts';
import { ep_poll } from './wait.ts';

/** The LOCKING comment of v5.1, in our words. */
export const RWLOCK_LOCKING = `\
1) epmutex (mutex; the model's global epnested_mutex): ep_free vs eventpoll_release_file,
   and "full check" ADDs
2) ep->mtx (mutex): ctl, the whole harvest (ep_scan_ready_list), release
3) ep->lock (rwlock, IRQ-safe): rdllist and ovflist. ep_poll_callback takes the READ side
   (read_lock_irqsave) and adds locklessly (tail only); everything else takes write_lock_irq,
   which waits for all readers. ep->wq has its own lock again, taken inside ep->lock.
The acquire order is 1 -> 2 -> 3 -> ep->wq.lock.`;

/** rwlock-5.1. */
export const rwlock51: Variant = registerVariant({
  name: 'rwlock-5.1',
  follows: 'fs/eventpoll.c @ a218cc491420 (v5.1, seed 000): rwlock ep->lock, read_lock in ' +
    'ep_poll_callback, list_add_tail_lockless, chain_epi_lockless, ep_scan_ready_list; ' +
    'default = every later fix applied (v5.13-v6.17 behaviour)',
  locking: RWLOCK_LOCKING,
  lockOrder: ['epnested_mutex', 'ep->mtx', 'ep->lock', 'ep->wq.lock'],
  knownViolations: [{ property: 'P7-liveness', why: 'B11 (not a switch): qrwlock lets ' +
    'readers in hardirq context (ep_poll_callback\'s read_lock) pass a waiting writer, so ' +
    'an interrupt storm can starve epoll_wait\'s write_lock_irq; the fix that shipped is ' +
    'the spinlock of mainline-6.18 (0c43094f8cc9)' }],
  bugs: [
    { id: 'B3', summary: 'ep_poll adds/removes its wait entry under ep->wq.lock only, not ' +
      'ep->lock (v5.1-v5.5; fixed by 1b53734bd0b2); needs TSO' },
    { id: 'B4', summary: 'ep_poll_callback returns without waking after chaining to ' +
      'ovflist (v5.1 code; a lost wakeup with no-scan-wake; fixed by 0c54a6a44bf3)' },
    { id: 'B5', summary: 'the final ep_events_available() check is made without ep->lock ' +
      '(fixed by 65759097d804)' },
    { id: 'B6', summary: 'the v5.1 ep_poll: no autoremove, set_current_state at the loop top ' +
      'while the entry is queued (fixed by 412895f03cbf)' },
    { id: 'B7', summary: 'a timed-out waiter returns 0 although a wakeup chose it (fixed by ' +
      '289caf5d8f6c)' },
    { id: 'no-scan-wake', summary: 'no wakeup at the end of ep_scan_ready_list ' +
      '(339ddb53d373, v5.5; B10 alone, and what exposes B4/B5/B6)' },
    { id: 'B20', summary: 'mutant: ep_insert/ep_modify queue under read_lock with a lockless ' +
      'HEAD add, mixed with the callbacks\' tail adds (list corruption)' },
    { id: 'B20-plain', summary: 'mutant: ep_insert/ep_modify queue under read_lock with a ' +
      'plain list_add_tail, concurrent with lockless adds (list corruption)' },
    B1,
  ],
  features: { wakeupSources: true, exclusive: true },
  // v4.19's table (its ep_send_events, ep_eventpoll_poll, scan procedures, ep_free and
  // eventpoll_release_file are unchanged in v5.1) with v5.1's own functions.
  ops: {
    ...CLASSIC_OPS,
    ep_alloc(c, label) {
      const m = c.m;
      return alloc_eventpoll(m, label, {
        lock: rwlock_init(m, `${label}.lock`, 'ep->lock'),
        mtx: mutex_init(m, `${label}.mtx`, 'ep->mtx'),
        wq: init_waitqueue_head(m, `${label}.wq`, 'ep->wq.lock'),
        poll_wait: init_waitqueue_head(m, `${label}.poll_wait`, 'ep->poll_wait.lock'),
      });
    },
    ep_poll_callback,
    ep_poll,
    ep_insert,
    ep_modify,
    ep_remove,
    ep_scan_ready_list,
    ep_events_available,
    ep_autoremove_wake_function,
    queue_if_ready: ep_queue_ready,
    list_add_tail_lockless,
    chain_epi_lockless,
  },
});
