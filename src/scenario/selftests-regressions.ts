/**
 * The regression cases of the kernel's epoll selftest (59, 60, 61, 64, 65): stress tests of
 * one race each, which the kernel repeats thousands of times and a model reproduces as a
 * small program explored under many schedules (conformance/selftests/CATALOGUE.md).
 */
import type { Scenario, SyscallSpec } from './types.ts';

const W = (set: string, timeout: number, extra: Partial<SyscallSpec> = {}): SyscallSpec =>
  ({ op: 'epoll_wait', set, maxevents: 1, timeout, ...extra }) as SyscallSpec;

/**
 * 59 (kernel bugzilla 205933): main waits (1 s timeout) for an ET eventfd that stays
 * readable; after each wait it lets a second thread re-arm the item with EPOLL_CTL_MOD,
 * which races main's next wait. A MOD of a ready item must queue it even while a waiter
 * runs, so every wait returns the event. The selftest's spin handshake is two eventfds;
 * time is `idle` so that a timeout expires only once the other thread has nothing to do.
 */
const EPOLL59: Scenario = {
  name: 'epoll59',
  description: 'selftest epoll59: EPOLL_CTL_MOD of a ready ET item racing epoll_wait',
  cpus: 2, time: 'idle',
  files: [{ name: 'efd', type: 'eventfd', init: 1 }, { name: 'go', type: 'eventfd' },
    { name: 'done', type: 'eventfd' }],
  sets: [{ name: 'e0' }],
  watches: [{ set: 'e0', fd: 'efd', events: ['IN', 'ERR', 'ET'] }],
  tasks: [
    { name: 'main', cpu: 0, program: [
      W('e0', 1000, { expect: 1 }), { op: 'write', fd: 'go', n: 1 },
      W('e0', 1000, { expect: 1 }), { op: 'poll', fd: 'done', events: ['IN'], timeout: -1 },
      { op: 'read', fd: 'done', n: 8 }, { op: 'write', fd: 'go', n: 1 },
      W('e0', 1000, { expect: 1 }),
    ] },
    { name: 'modder', cpu: 1, program: [0, 1].flatMap((): SyscallSpec[] => [
      { op: 'poll', fd: 'go', events: ['IN'], timeout: -1 }, { op: 'read', fd: 'go', n: 8 },
      { op: 'epoll_ctl', ctl: 'MOD', set: 'e0', fd: 'efd', events: ['IN', 'ERR', 'ET'],
        expect: 0 },
      { op: 'write', fd: 'done', n: 1 },
    ]) },
  ],
};

/**
 * 60: one set over N edge-triggered eventfds, N threads each waiting for one event (2 s);
 * once all are blocked, main writes every eventfd back to back. No wakeup may be lost when
 * many arrive at once: every thread returns with an event. (The selftest runs 10 threads
 * for 300 rounds; here 3 threads, one round, every interleaving of the burst.)
 */
const EPOLL60: Scenario = {
  name: 'epoll60',
  description: 'selftest epoll60: a burst of ET wakeups, one per blocked waiter',
  cpus: 3, time: 'idle',
  files: [0, 1, 2].map((i) => ({ name: `ev${i}`, type: 'eventfd' as const })),
  sets: [{ name: 'e0' }],
  watches: [0, 1, 2].map((i) => ({ set: 'e0', fd: `ev${i}`, events: ['IN', 'ET'] })),
  tasks: [
    ...[0, 1, 2].map((i) => ({ name: `waiter${i}`, cpu: i,
      program: [W('e0', 2000, { expect: 1, count: { tally: 'woken' } })] })),
    { name: 'main', cpu: 2, program: [{ op: 'sleep', ms: 1 },
      ...[0, 1, 2].map((i): SyscallSpec => ({ op: 'write', fd: `ev${i}`, n: 1 }))] },
  ],
  tallies: [{ name: 'woken', expect: 3, description: 'waiters that got an event' }],
};

/**
 * 61: an ET eventfd; one thread waits with an 11 ms timeout and, if it gets the event,
 * writes the eventfd again; one waits without a timeout; a third writes the eventfd after
 * about 11 ms. Time is `eager`, so the write races the timeout. Every thread must finish:
 * an event arriving as a timeout expires still wakes somebody (B7, 289caf5d8f6c).
 */
const EPOLL61: Scenario = {
  name: 'epoll61',
  description: 'selftest epoll61: a write racing a waiter\'s timeout must still wake someone',
  cpus: 3,
  files: [{ name: 'efd', type: 'eventfd' }],
  sets: [{ name: 'e0' }],
  watches: [{ set: 'e0', fd: 'efd', events: ['IN', 'ET', 'ERR', 'HUP'] }],
  tasks: [
    { name: 'timed', cpu: 0, program: [W('e0', 11),
      { op: 'write', fd: 'efd', n: 1, when: 'previous-positive' }] },
    { name: 'forever', cpu: 1, program: [W('e0', -1, { count: { tally: 'finished' } })] },
    { name: 'writer', cpu: 2, program: [{ op: 'sleep', ms: 11 },
      { op: 'write', fd: 'efd', n: 1 }] },
  ],
  tallies: [{ name: 'finished', expect: 1, description: 'the untimed waiter returned' }],
};

/**
 * 64 (kernel bugzilla 208943): two threads block on an LT socket first (time `idle`: the
 * write comes once both sleep), then main writes one byte: both threads wake.
 */
const EPOLL64: Scenario = {
  name: 'epoll64',
  description: 'selftest epoll64: one LT event must reach both blocked waiters',
  cpus: 3, time: 'idle',
  files: [{ name: 's', type: 'socketpair' }],
  sets: [{ name: 'e0' }],
  watches: [{ set: 'e0', fd: 's0', events: ['IN'] }],
  tasks: [
    { name: 'waiter0', cpu: 0, program: [W('e0', -1, { count: { tally: 'count' } })] },
    { name: 'waiter1', cpu: 1, program: [W('e0', -1, { count: { tally: 'count' } })] },
    { name: 'main', cpu: 2, program: [{ op: 'sleep', ms: 1 }, { op: 'write', fd: 's1', n: 1 }] },
  ],
  tallies: [{ name: 'count', expect: 2, description: 'waiters that got the event' }],
};

/**
 * 65: an LT eventfd that holds 99 and is never read; threads call epoll_wait(e0, 1, 0) over
 * and over. Every call must return the event: a timeout-0 wait must not see "empty" while
 * another thread is scanning the ready list (the kernel runs 64 threads; here 3, 3 calls).
 */
const EPOLL65: Scenario = {
  name: 'epoll65',
  description: 'selftest epoll65: timeout-0 waits racing each other\'s scans never miss',
  cpus: 3,
  files: [{ name: 'efd', type: 'eventfd', init: 99 }],
  sets: [{ name: 'e0' }],
  watches: [{ set: 'e0', fd: 'efd', events: ['IN'] }],
  tasks: [0, 1, 2].map((i) => ({ name: `t${i}`, cpu: i,
    program: [0, 1, 2].map(() => W('e0', 0, { expect: 1 })) })),
};

/** The regression cases, in case order. */
export function selftestRegressions(): Scenario[] {
  return [EPOLL59, EPOLL60, EPOLL61, EPOLL64, EPOLL65];
}
