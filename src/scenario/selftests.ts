/**
 * The threaded cases of the kernel's epoll selftest (tools/testing/selftests/filesystems/
 * epoll/epoll_wakeup_test.c) as scenarios, `epoll09` … `epoll65`, written from what each
 * case sets up and asserts (conformance/selftests/CATALOGUE.md); the single-threaded cases
 * are `.ops` scripts beside the catalogue.
 *
 * Cases 9-58 share one shape: watched socketpairs (`s`, and `t` for a second socket), sets
 * `e0` (and `e1`, `e2`), a main thread on CPU 0, a waiter thread on CPU 1 and an emitter on
 * CPU 2 that sleeps 100 ms and writes one byte to each watched socket. A thread is `W`
 * (epoll_wait(set, max, -1)) or `P` (poll(set, POLLIN, -1), then epoll_wait(set, max, 0)),
 * and counts into the tally `count` when its epoll_wait returns an event: by adding 1, or
 * by OR-ing a bit (the "2 or 3" cases). The selftest's emitter interrupts threads still
 * blocked after a second; here a call still blocked when the run ends simply never counts.
 *
 * Three cases, 16, 56 and 58 (two ET sources, a poller among the threads), assert 2 only
 * because the emitter's two writes come microseconds apart while a woken poller takes far
 * longer to collect: a poller woken by the first write may run poll() and its
 * epoll_wait(0) to the end before the second write, find the first event already taken,
 * and return empty-handed; then the second event stays queued for nobody. That is the
 * kernel's behaviour too, on such a schedule, so what holds in every schedule is 1 or 2
 * (never 0: no event is lost); the selftest's 2 is the common outcome
 * (test/conformance/selftests-threaded.spec.ts checks both).
 */
import type { CountSpec, FileSpec, Scenario, SyscallSpec, TaskSpec, WatchSpec } from './types.ts';
import { selftestRegressions } from './selftests-regressions.ts';

type Mode = 'lt' | 'et';
type Thread = 'W' | 'P';

const events = (m: Mode): string[] => (m === 'et' ? ['IN', 'ET'] : ['IN']);

/** A thread's program: W or P on `set`, counting into `count`. */
export function threadProgram(kind: Thread, set: string, max: number, count: CountSpec):
SyscallSpec[] {
  if (kind === 'W') return [{ op: 'epoll_wait', set, maxevents: max, timeout: -1, count }];
  return [
    { op: 'poll', fd: set, events: ['IN'], timeout: -1 },
    { op: 'epoll_wait', set, maxevents: max, timeout: 0, when: 'previous-positive', count },
  ];
}

/** The emitter: sleeps 100 ms, then writes one byte to the peer of each watched socket. */
function emitter(sockets: readonly string[]): TaskSpec {
  const program: SyscallSpec[] = [{ op: 'sleep', ms: 100 }];
  for (const s of sockets) program.push({ op: 'write', fd: `${s}1`, n: 1 });
  return { name: 'emitter', cpu: 2, program };
}

interface Shape {
  n: number;
  what: string;
  sockets: readonly string[];
  sets: readonly string[];
  watches: readonly WatchSpec[];
  main: { kind: Thread; set: string; max: number; count: CountSpec };
  waiter: { kind: Thread; set: string; max: number; count: CountSpec };
  expect: number | [number, number];
}

const ADD: CountSpec = { tally: 'count' };
/** The timing-dependent cases (see the file comment): the selftest's 2, or 1. */
export const TIMING: [number, number] = [1, 2];

function scenario(s: Shape): Scenario {
  const files: FileSpec[] = s.sockets.map((name) => ({ name, type: 'socketpair' }));
  return {
    name: `epoll${String(s.n).padStart(2, '0')}`,
    description: `selftest epoll${s.n}: ${s.what}`,
    cpus: 3, files, sets: s.sets.map((name) => ({ name })), watches: [...s.watches],
    tasks: [
      { name: 'main', cpu: 0, program: threadProgram(s.main.kind, s.main.set, s.main.max,
        s.main.count) },
      { name: 'waiter', cpu: 1, program: threadProgram(s.waiter.kind, s.waiter.set,
        s.waiter.max, s.waiter.count) },
      emitter(s.sockets),
    ],
    tallies: [{ name: 'count', expect: s.expect, description: typeof s.expect === 'number'
      ? 'threads that got an event' : s.expect === TIMING ? 'threads that got an event; ' +
      'the selftest says 2, and 1 when a poller collects between the two writes'
        : 'main (on e1) ORs 2, waiter (on e0) ORs 1' }],
  };
}

/** Cases 9-16: e0 over one or two sockets; main W, waiter W or P, both on e0. */
function oneSet(): Scenario[] {
  const rows: [number, Mode, 1 | 2, Thread, number, number | [number, number]][] = [
    [9, 'lt', 1, 'W', 1, 2], [10, 'et', 1, 'W', 1, 1], [11, 'lt', 2, 'W', 2, 2],
    [12, 'et', 2, 'W', 1, 2], [13, 'lt', 1, 'P', 1, 2], [14, 'et', 1, 'P', 1, 1],
    [15, 'lt', 2, 'P', 2, 2], [16, 'et', 2, 'P', 1, TIMING],
  ];
  return rows.map(([n, mode, nsock, kind, max, expect]) => {
    const sockets = nsock === 2 ? ['s', 't'] : ['s'];
    return scenario({
      n, what: `e0 -${mode}-> ${nsock} socket(s); W and ${kind} on e0 (max ${max})`, sockets,
      sets: ['e0'],
      watches: sockets.map((so) => ({ set: 'e0', fd: `${so}0`, events: events(mode) })),
      main: { kind: 'W', set: 'e0', max, count: ADD },
      waiter: { kind, set: 'e0', max, count: ADD }, expect,
    });
  });
}

/** The two-level chain e0 -outer-> e1 -inner-> s0 (the inner registration first). */
function chain(outer: Mode, inner: Mode): WatchSpec[] {
  return [{ set: 'e1', fd: 's0', events: events(inner) },
    { set: 'e0', fd: 'e1', events: events(outer) }];
}

/** Cases 25-32: the chain, two threads on the outer set e0. */
function twoOnOuter(): Scenario[] {
  const modes: [Mode, Mode][] = [['lt', 'lt'], ['lt', 'et'], ['et', 'lt'], ['et', 'et']];
  return ([['W', 25], ['P', 29]] as const).flatMap(([kind, base]) => modes.map(([o, i], k) =>
    scenario({
      n: base + k, what: `e0 -${o}-> e1 -${i}-> s0; W and ${kind} on e0`, sockets: ['s'],
      sets: ['e0', 'e1'], watches: chain(o, i), main: { kind: 'W', set: 'e0', max: 1, count: ADD },
      waiter: { kind, set: 'e0', max: 1, count: ADD }, expect: o === 'lt' ? 2 : 1,
    })));
}

/**
 * Cases 33-48: the chain, main on the inner set e1, waiter on e0. With an ET leaf the
 * inner thread must get the event and the outer one may lose the race: main ORs 2,
 * waiter ORs 1, and the tally is 2 or 3. (46 and 48 draw main as a poller but block in
 * epoll_wait on e1, like 42 and 44.)
 */
function onePerLevel(): Scenario[] {
  const modes: [Mode, Mode][] = [['lt', 'lt'], ['lt', 'et'], ['et', 'lt'], ['et', 'et']];
  const pairs: [number, Thread, Thread][] = [[33, 'W', 'W'], [37, 'P', 'W'], [41, 'W', 'P'],
    [45, 'P', 'P']];
  return pairs.flatMap(([base, mainKind, waiterKind]) => modes.map(([o, i], k) => {
    const race = i === 'et';
    const kind: Thread = race && base === 45 ? 'W' : mainKind;
    return scenario({
      n: base + k, what: `e0 -${o}-> e1 -${i}-> s0; main ${kind} on e1, waiter ` +
        `${waiterKind} on e0`, sockets: ['s'], sets: ['e0', 'e1'], watches: chain(o, i),
      main: { kind, set: 'e1', max: 1, count: race ? { tally: 'count', or: 2 } : ADD },
      waiter: { kind: waiterKind, set: 'e0', max: 1, count: race ? { tally: 'count', or: 1 }
        : ADD },
      expect: race ? [2, 3] : 2,
    });
  }));
}

/** Cases 53-58: e0 over e1 and e2 (each LT over a socket), two threads on e0. */
function tree(): Scenario[] {
  const rows: [number, Mode, Thread, Thread][] = [[53, 'lt', 'W', 'W'], [54, 'et', 'W', 'W'],
    [55, 'lt', 'W', 'P'], [56, 'et', 'W', 'P'], [57, 'lt', 'P', 'P'], [58, 'et', 'P', 'P']];
  return rows.map(([n, mode, a, b]) => scenario({
    n, what: `e0 -${mode}-> {e1 -lt-> s0, e2 -lt-> t0}; ${a} and ${b} on e0`,
    sockets: ['s', 't'], sets: ['e0', 'e1', 'e2'],
    watches: [{ set: 'e1', fd: 's0', events: ['IN'] }, { set: 'e2', fd: 't0', events: ['IN'] },
      { set: 'e0', fd: 'e1', events: events(mode) }, { set: 'e0', fd: 'e2', events: events(mode) }],
    main: { kind: a, set: 'e0', max: 1, count: ADD }, waiter: { kind: b, set: 'e0', max: 1,
      count: ADD }, expect: mode === 'et' && b === 'P' ? TIMING : 2,
  }));
}

/** Every threaded selftest case, in case order. */
export const SELFTESTS: readonly Scenario[] = [
  ...oneSet(), ...twoOnOuter(), ...onePerLevel(), ...tree(), ...selftestRegressions(),
];

/** The selftest case numbers covered by {@link SELFTESTS}. */
export function selftestCases(): number[] {
  return SELFTESTS.map((s) => Number(/^epoll(\d+)$/.exec(s.name)?.[1] ?? -1))
    .filter((n) => n >= 0);
}
