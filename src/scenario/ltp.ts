/**
 * The threaded halves of two LTP tests (linux-test-project/ltp, testcases/kernel/syscalls/
 * epoll_wait/), whose single-threaded cores are `.ops` scripts in conformance/ltp/:
 *
 * - `ltp_epoll_wait15`: one pipe watched (IN|ET) by several sets, one waiter blocked on
 *   each; one write wakes every waiter.
 * - `ltp_epoll_wait16`: the same with EPOLLEXCLUSIVE; each write wakes exactly one waiter
 *   (the thundering-herd avoidance of 4.5). The writer reads the byte back between rounds,
 *   so each round's write is a new edge; after two rounds exactly two waiters returned.
 *
 * LTP uses 8 waiters; here 3, with `idle` time so that each write comes once every waiter
 * sleeps, as LTP's process-state wait arranges.
 */
import type { Scenario, SyscallSpec } from './types.ts';

const SETS = [0, 1, 2];

function herd(name: string, what: string, exclusive: boolean, writer: SyscallSpec[],
  expect: number): Scenario {
  return {
    name, description: what, cpus: 3, time: 'idle',
    files: [{ name: 'p', type: 'pipe' }],
    sets: SETS.map((i) => ({ name: `w${i}` })),
    watches: SETS.map((i) => ({ set: `w${i}`, fd: 'pr',
      events: exclusive ? ['IN', 'ET', 'EXCLUSIVE'] : ['IN', 'ET'] })),
    tasks: [
      ...SETS.map((i) => ({ name: `waiter${i}`, cpu: i, program: [{ op: 'epoll_wait' as const,
        set: `w${i}`, maxevents: 1, timeout: -1, count: { tally: 'woken' } }] })),
      { name: 'writer', cpu: 2, program: writer },
    ],
    tallies: [{ name: 'woken', expect, description: 'waiters that returned with the event' }],
  };
}

/** The LTP scenarios. */
export const LTP_SCENARIOS: readonly Scenario[] = [
  herd('ltp_epoll_wait15', 'LTP epoll_wait15: one write wakes the waiters of every set',
    false, [{ op: 'sleep', ms: 1 }, { op: 'write', fd: 'pw', n: 1 }], SETS.length),
  herd('ltp_epoll_wait16', 'LTP epoll_wait16: with EPOLLEXCLUSIVE each write wakes one waiter',
    true, [
      { op: 'sleep', ms: 1 }, { op: 'write', fd: 'pw', n: 1 },
      { op: 'sleep', ms: 1 }, { op: 'read', fd: 'pr', n: 1, expect: 1 },
      { op: 'write', fd: 'pw', n: 1 },
    ], 2),
];
