/**
 * The bug zoo as data: every entry of bug-zoo.md as a variant configuration with the bug,
 * its fixed counterpart (the same variant and scenarios with the fix), the scenario family
 * the finder explores, and the property the bug must violate.
 *
 * An entry whose variant or bug switch is not (yet) registered is `pending`: the harness
 * reports why and runs nothing, so the entry starts working as soon as the variant lands.
 * A fixed counterpart may be pending on its own (no switch or variant models the fix yet).
 */
import { getVariant, variantNames } from '../eventpoll/variant.ts';
import '../eventpoll/variants.ts';
import type { Scenario } from '../scenario/types.ts';
import type { PropertyId } from '../sim/violation.ts';
import {
  B1_IRQ, B1_PINGPONG, B11_IRQ_STORM, B20_ADD_VS_CALLBACK, B3_ADD_IRQ, B3_ADD_WAKES,
  B5_LT_PAIR, B5_LT_READY, B5_TIMEOUT0, B7_TIMEOUT_IRQ, B7_TIMEOUT_RACE, B8B_NETPOLL,
  PW1_PINGPONG, PW1_POLL_IRQ, PW1_POLL_WRITER, TWO_WAITERS_TWO_IRQS, TWO_WAITERS_WRITER,
  WF1_ET_TWICE, WF1_TWO_WAITERS, RW1_REVERSE_VS_CLOSE, RW1_UPWARDS_VS_CLOSE,
} from './scenarios.ts';

/** One zoo entry. */
export interface ZooEntry {
  /** The bug-zoo id (`B4`, `B5-t0`, `WF1`). */
  readonly id: string;
  /** One line: the bug. */
  readonly title: string;
  /** The configuration with the bug: `variant+SWITCH+...`. */
  readonly bug: string;
  /**
   * The same variant and scenarios with the fix, or a reason why no configuration models
   * the fix yet (`{ pending: why }`).
   */
  readonly fixed: string | { readonly pending: string };
  /** The scenario family (each is explored in turn: schedule i runs scenario i mod n). */
  readonly scenarios: readonly Scenario[];
  /** The property the bug violates. */
  readonly property: PropertyId;
  /** The violation kind, when one kind is expected (e.g. `lost-wakeup`). */
  readonly kind?: string;
  /** Where the configuration comes from and why it is faithful. */
  readonly notes: string;
  /** Schedules per seed family before the finder gives up. */
  readonly budget: number;
  /**
   * The finder's strategy for this entry when it is not the zoo's default (PCT): a race
   * that needs the lower-priority side to run again right after the other was preempted
   * (PW1) is out of reach of PCT's change points, which always rank the thread preempted
   * later above the one preempted earlier.
   */
  readonly strategy?: string;
}

/** The entries, in bug-zoo.md order. */
export const ZOO: readonly ZooEntry[] = [
  {
    id: 'B1',
    title: 'EPOLL_CTL_MOD without a barrier (TSO): the callback reads the old, disarmed mask',
    bug: 'mainline-6.18+B1',
    fixed: 'mainline-6.18',
    scenarios: [B1_IRQ, B1_PINGPONG],
    property: 'P1-lost-wakeup', kind: 'lost-wakeup',
    notes: 'mainline ep_modify without the smp_mb() of 128dd1759d96; the scenarios set TSO',
    budget: 20_000,
  },
  {
    id: 'B3',
    title: 'waitqueue_active outside the lock that orders it: ADD misses a sleeper (TSO)',
    bug: 'rwlock-5.1+B3',
    fixed: 'rwlock-5.1',
    scenarios: [B3_ADD_WAKES, B3_ADD_IRQ],
    property: 'P1-lost-wakeup', kind: 'lost-wakeup',
    notes: 'rwlock era: ep_poll adds its wait entry under ep->wq.lock only (fixed by ' +
      '1b53734bd0b2)',
    budget: 20_000,
  },
  {
    id: 'B4',
    title: 'ovflist push without a wakeup, after the end-of-scan wakeup was removed',
    bug: 'mainline-6.18+B4+no-done-scan-wake',
    fixed: 'mainline-6.18+no-done-scan-wake',
    scenarios: [TWO_WAITERS_TWO_IRQS, TWO_WAITERS_WRITER],
    property: 'P1-lost-wakeup', kind: 'lost-wakeup',
    notes: 'the 5.5 state (339ddb53d373 without 0c54a6a44bf3); fixed = 5.6, still without ' +
      'the done-scan wakeup',
    budget: 20_000,
  },
  {
    id: 'B5',
    title: 'lockless "events available?" across the scan window: a waiter sleeps with Y ready',
    bug: 'mainline-6.18+B5+no-done-scan-wake',
    fixed: 'mainline-6.18+no-done-scan-wake',
    scenarios: [B5_LT_PAIR, B5_LT_READY],
    property: 'P1-lost-wakeup', kind: 'lost-wakeup',
    notes: 'the 5.5-5.9 state: B5 bites because ep_done_scan no longer wakes (the commit ' +
      'message of 65759097d804 says so); fixed = 65759097d804 on the same base',
    budget: 20_000,
  },
  {
    id: 'B5-t0',
    title: 'the same window: epoll_wait(timeout 0) returns 0 while an LT event is ready',
    bug: 'mainline-6.18+B5-t0',
    fixed: 'mainline-6.18',
    scenarios: [B5_TIMEOUT0],
    property: 'P5-event-semantics', kind: 'lt-not-reported',
    notes: 'selftest epoll65: 6.18.0 starts ep_poll with a lockless ep_events_available(); ' +
      'fixed by "eventpoll: Fix epoll_wait() report false negative" (in the host 6.18.44, ' +
      'and in mainline-6.18), which harvests under ep->mtx first',
    budget: 20_000,
  },
  {
    id: 'B6',
    title: 'one woken waiter absorbs several exclusive wakeups; the other sleeps with an event',
    bug: 'rwlock-5.1+B6+no-scan-wake',
    fixed: 'rwlock-5.1+no-scan-wake',
    scenarios: [TWO_WAITERS_TWO_IRQS, TWO_WAITERS_WRITER],
    property: 'P1-lost-wakeup', kind: 'lost-wakeup',
    notes: 'the pre-5.7 ep_poll loop (no autoremove) in the 5.5 state; fixed = 412895f03cbf',
    budget: 20_000,
  },
  {
    id: 'B7',
    title: 'a timed-out waiter swallows the only wakeup of an ET event',
    bug: 'mainline-6.18+B7',
    fixed: 'mainline-6.18',
    scenarios: [B7_TIMEOUT_RACE, B7_TIMEOUT_IRQ],
    property: 'P1-lost-wakeup', kind: 'lost-wakeup',
    notes: 'mainline ep_poll without 289caf5d8f6c (selftest epoll61)',
    budget: 20_000,
  },
  {
    id: 'B8b',
    title: 'a backport without its prerequisites: autoremove on, B5 and B7 fixes off',
    bug: 'mainline-6.18+B5+B7',
    fixed: 'mainline-6.18',
    scenarios: [B8B_NETPOLL],
    property: 'P1-lost-wakeup', kind: 'lost-wakeup',
    notes: 'a16ceb139610 on a 5.4 stable kernel without 65759097d804 and 289caf5d8f6c',
    budget: 20_000,
  },
  {
    id: 'WF1',
    title: 'wfcqueue RFC v3: a callback between delivery and the IDLE reset is lost',
    bug: 'wfcqueue-rfc-v3',
    fixed: 'wfcqueue-rfc-v3-fixed',
    scenarios: [WF1_ET_TWICE, WF1_TWO_WAITERS],
    property: 'P1-lost-wakeup', kind: 'lost-wakeup',
    notes: 'the RFC as posted (Arve Hjønnevåg\'s review question)',
    budget: 20_000,
  },
  {
    id: 'B11',
    title: 'readers in hardirq starve epoll_wait\'s write_lock_irq (qrwlock reader bypass)',
    bug: 'rwlock-5.1',
    fixed: 'mainline-6.18',
    scenarios: [B11_IRQ_STORM],
    property: 'P7-liveness', kind: 'writer-starvation',
    notes: 'not a switch: the qrwlock model lets readers in interrupt context pass a waiting ' +
      'writer; the fix that shipped is the spinlock (0c43094f8cc9), i.e. mainline-6.18 ' +
      '(which has no reader bypass, so the sweep shows the spinlock design does not starve)',
    budget: 3000,
  },
  {
    id: 'B20',
    title: 'mixing lockless head and tail adds on rdllist corrupts it',
    bug: 'rwlock-5.1+B20',
    fixed: 'rwlock-5.1',
    scenarios: [B20_ADD_VS_CALLBACK],
    property: 'P2-list-integrity',
    notes: 'a mutant (no shipped bug): ctl queues with a lockless head add under read_lock',
    budget: 20_000,
  },
  {
    id: 'PW1',
    title: 'poll(2): __pollwake without its smp_wmb(): a re-poll reads stale readiness (lkmm)',
    bug: 'mainline-6.18+no-pollwake-wmb',
    fixed: 'mainline-6.18',
    scenarios: [PW1_PINGPONG, PW1_POLL_WRITER, PW1_POLL_IRQ],
    property: 'P1-lost-wakeup', kind: 'lost-wakeup',
    notes: 'fs/select.c: the smp_wmb() in __pollwake pairs with smp_store_mb() in ' +
      'poll_schedule_timeout (5f820f648c92): the poller that sees `triggered` must then see ' +
      'what the waker stored before it. A mutant without it; x86-TSO keeps stores in order, ' +
      'so only lkmm shows it',
    budget: 20_000,
    strategy: 'random',
  },
  {
    id: 'RW1',
    title: 'the loop-check walks read a closed set under RCU: ep_free() kfree\'d it (6.18)',
    bug: 'mainline-6.18+B-07712db8',
    fixed: 'mainline-6.18',
    scenarios: [RW1_UPWARDS_VS_CLOSE, RW1_REVERSE_VS_CLOSE],
    property: 'P3-memory-safety', kind: 'use-after-free',
    notes: 'ep_get_upwards_depth_proc() and reverse_path_check_proc() walk watcher lists ' +
      'under rcu_read_lock() with epnested_mutex only; the items are kfree_rcu\'d, but the ' +
      'watching eventpoll reached through epi->ep was freed with kfree() until 07712db80857 ' +
      '("eventpoll: defer struct eventpoll free to RCU grace period", 2026)',
    budget: 20_000,
  },
];

/** The entry with this id (case-insensitive), or undefined. */
export function zooEntry(id: string): ZooEntry | undefined {
  return ZOO.find((e) => e.id.toLowerCase() === id.toLowerCase());
}

/**
 * Why a configuration cannot run yet (its variant or a switch is not registered), or
 * undefined when it can.
 */
export function missing(config: string): string | undefined {
  const [name, ...bugs] = config.split('+');
  if (!variantNames().includes(name!)) return `variant ${name} is not registered yet`;
  const v = getVariant(name!);
  const absent = bugs.filter((b) => !v.bugs.some((s) => s.id === b));
  if (absent.length > 0) return `${name} has no switch ${absent.join(', ')} yet`;
  return undefined;
}

/** The fixed configuration of an entry, or undefined when it is pending. */
export function fixedConfig(e: ZooEntry): string | undefined {
  return typeof e.fixed === 'string' ? e.fixed : undefined;
}
