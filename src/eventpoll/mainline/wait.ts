/**
 * fs/eventpoll.c @ v6.18: ep_poll() (the body of epoll_wait), ep_events_available() and
 * ep_autoremove_wake_function().
 *
 * The waiter's protocol: under `ep->lock`, set TASK_INTERRUPTIBLE, do the final
 * availability check, and only if nothing is available queue an exclusive, auto-removing
 * wait entry on `ep->wq`; then sleep. Every producer tests `waitqueue_active(&ep->wq)` under
 * the same lock, which is why no barrier is needed (the kernel comment says so).
 *
 * Bug switches honoured here (each re-creates a historical state of this function):
 * - `B5`: the final ep_events_available() check runs before taking ep->lock
 *   (fixed by 65759097d804).
 * - `B6`: the wait entry is not removed on wakeup (before 412895f03cbf): a second wakeup
 *   can hit the same, already woken, waiter.
 * - `B7`: a waiter whose timeout fired returns 0 even if a wakeup already removed its
 *   entry (fixed by 289caf5d8f6c).
 * - `B5-t0`: the first pass looks at rdllist and ovflist without a lock before harvesting
 *   (6.18.0, before "eventpoll: Fix epoll_wait() report false negative"; the host's
 *   6.18.44 has the fix). Every other switch implies it too (see preFix).
 */
import { __add_wait_queue_exclusive, __remove_wait_queue, default_wake_function,
  init_wait, init_waitqueue_func_entry, registerWakeFunction } from '../../locks/waitqueue.ts';
import { spin_lock_irq, spin_unlock_irq } from '../../locks/spinlock.ts';
import {
  __set_current_state, schedule_hrtimeout_range, signal_pending,
} from '../../locks/sched.ts';
import { EP_UNACTIVE_PTR } from '../../queues/arena.ts';
import { list_del_init_careful, list_empty, list_empty_careful } from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { TASK_INTERRUPTIBLE, TASK_RUNNING } from '../../sim/context.ts';
import { READ_ONCE } from '../../sim/mem.ts';
import type { MachineAccess } from '../../sim/context.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import { EINTR, type EpollEvent } from '../uapi.ts';

/** ep_events_available(): `!list_empty_careful(rdllist) || ovflist != EP_UNACTIVE_PTR`. */
export function* ep_events_available(c: Ctx, ep: number): Model<boolean> {
  const rdllist = c.m.arena.objs[ep]!.rdllist as number;
  if (!(yield* list_empty_careful(c, rdllist))) return true;
  const ovflist: number = yield READ_ONCE(ep, 'ovflist', 'ep_events_available');
  return ovflist !== EP_UNACTIVE_PTR;
}

/** ep_autoremove_wake_function(): wake, then unconditionally dequeue the entry. */
export function* ep_autoremove_wake_function(c: Ctx, wait: number, mode: number,
  _sync = 0, _key = 0): Model<number> {
  const ret = yield* default_wake_function(c, wait, mode);
  // Pairs with list_empty_careful() in ep_poll: a later loop sees why it was woken.
  yield* list_del_init_careful(c, c.m.arena.objs[wait]!.entry as number);
  return ret;
}
// A wait entry names its wake function (plain data); these names dispatch to the running
// variant's table, so a variant that replaces the function changes what its waiters do.
registerWakeFunction('ep_autoremove_wake_function', function* (c, wait, mode, sync, key) {
  return yield* kernel(c).ops.ep_autoremove_wake_function(c, wait, mode, sync, key);
});

/**
 * The wake function of ep_poll's entry in eras that queue it with init_waitqueue_entry()
 * (default_wake_function): dispatched to the variant's `default_wake_function`, so that
 * replacing it changes epoll_wait's waiters and no other sleeper.
 */
export const EP_POLL_DEFAULT_WAKE = 'default_wake_function@ep_poll';
registerWakeFunction(EP_POLL_DEFAULT_WAKE, function* (c, wait, mode, sync, key) {
  return yield* kernel(c).ops.default_wake_function(c, wait, mode, sync, key);
});

/** init_waitqueue_entry(&wait, current) of ep_poll: see {@link EP_POLL_DEFAULT_WAKE}. */
export function ep_poll_waitqueue_entry(m: MachineAccess, task: number, label?: string):
number {
  return init_waitqueue_func_entry(m, EP_POLL_DEFAULT_WAKE, task, label);
}

/**
 * Whether this configuration is a kernel from before the false-negative fix: `B5-t0` or any
 * historical bug switch of the variant is on (the injected `fault:` canaries are not
 * history, so they keep the fixed ep_poll).
 */
function preFix(k: ReturnType<typeof kernel>): boolean {
  for (const id of k.cfg.bugs) {
    if (k.cfg.variant.bugs.some((b) => b.id === id)) return true;
  }
  return false;
}

/** ep_poll() of v6.18: returns the number of events or -EINTR; 0 on timeout. */
export function* ep_poll(c: Ctx, ep: number, out: EpollEvent[], maxevents: number,
  timeoutMs: number): Model<number> {
  const k = kernel(c);
  const o = c.m.arena.objs[ep]!;
  let timed_out = timeoutMs === 0;
  // Stryker disable next-line EqualityOperator: timeout 0 never reads expires
  const expires = timeoutMs > 0 ? c.m.now + timeoutMs * 1_000_000 : Infinity;
  // "eventpoll: Fix epoll_wait() report false negative" (kernel selftest epoll65; the host's
  // 6.18.44 has it: 9 million concurrent timeout-0 waits never missed): the first pass
  // harvests under ep->mtx instead of a lockless ep_events_available(), which could see an
  // empty rdllist and an inactive ovflist while another thread's scan held the events, and
  // return 0 with LT events ready. `B5-t0` restores the lockless check of 6.18.0, and so
  // does every historical switch: each re-creates a kernel from before that 2025 fix.
  let eavail = preFix(k) ? yield* k.ops.ep_events_available(c, ep) : true;
  for (;;) {
    if (eavail) {
      const res = yield* k.ops.ep_send_events(c, ep, out, maxevents);
      if (res) return res;
    }
    if (timed_out) return 0;
    if (yield* signal_pending(c)) return -EINTR;
    const wait = init_wait(c);
    if (!k.bug('B6')) c.m.arena.objs[wait]!.func = 'ep_autoremove_wake_function';
    else c.m.arena.objs[wait]!.func = EP_POLL_DEFAULT_WAKE;
    const entry = c.m.arena.objs[wait]!.entry as number;
    if (k.bug('B5')) eavail = yield* k.ops.ep_events_available(c, ep);
    yield* spin_lock_irq(c, o.lock as number);
    yield* __set_current_state(c, TASK_INTERRUPTIBLE);
    if (!k.bug('B5')) eavail = yield* k.ops.ep_events_available(c, ep);
    if (!eavail) yield* __add_wait_queue_exclusive(c, o.wq as number, wait);
    yield* spin_unlock_irq(c, o.lock as number);
    if (!eavail) {
      const left = expires - c.m.now;
      timed_out = left <= 0 || (yield* schedule_hrtimeout_range(c, left)) === 0;
    }
    yield* __set_current_state(c, TASK_RUNNING);
    eavail = true;
    if (!(yield* list_empty_careful(c, entry))) {
      yield* spin_lock_irq(c, o.lock as number);
      // Timed out but already dequeued by a wakeup: harvest instead of returning 0.
      if (timed_out) eavail = k.bug('B7') ? false : yield* list_empty(c, entry);
      yield* __remove_wait_queue(c, o.wq as number, wait);
      yield* spin_unlock_irq(c, o.lock as number);
    } else if (timed_out && k.bug('B7')) {
      eavail = false;
    }
    c.m.free(c, wait);
  }
}
