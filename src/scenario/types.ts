/**
 * Scenarios: plain, JSON-serialisable descriptions of a concurrent epoll workload, so they
 * can be generated, shrunk, stored, sent to another worker or machine and replayed.
 */
import type { CustomFileSpec } from '../eventpoll/file.ts';

/** Event flags: names (`"IN"`, `"ET"`, ...) or a number. */
export type Flags = readonly string[] | number;

/** A file of a built-in type, created before the run. */
export type BuiltinFileSpec =
  | { name: string; type: 'eventfd'; init?: number; sem?: boolean }
  /** Ends are named `<name>r` and `<name>w`. */
  | { name: string; type: 'pipe' }
  /** Ends are named `<name>0` and `<name>1`. */
  | { name: string; type: 'socketpair' }
  | { name: string; type: 'regular' };

/**
 * A watched file created before the run: a built-in type, or a type the variant adds
 * (`Variant.fileTypes`, see docs/own-variant.md), whose other fields go to its `create`.
 */
export type FileSpec = BuiltinFileSpec | CustomFileSpec;

export type { CustomFileSpec };

/** An epoll set created before the run. */
export interface SetSpec {
  name: string;
}

/** An epoll_ctl(ADD) made before the run. `fd` names a file end or another set. */
export interface WatchSpec {
  set: string;
  fd: string;
  events: Flags;
}

/** Expected result of a syscall: an exact value, or an inclusive range `[min, max]`. */
export type Expect = number | readonly [number, number];

/**
 * What a call that returns more than 0 contributes to a scenario-level tally (see
 * {@link TallySpec}): `add` (default 1) is added to it, or `or` is OR-ed into it (the kernel
 * selftests' `__sync_fetch_and_add` and `__sync_fetch_and_or` on a shared counter).
 */
export type CountSpec =
  | { tally: string; add?: number }
  | { tally: string; or: number };

/** Options every call of a program may carry. */
export interface CallOptions {
  /**
   * `previous-positive`: make this call only if the task's previous call returned more than
   * 0, else skip it (recorded with the result `skipped`). The selftests' "if poll() found
   * the set ready, collect with epoll_wait(0)".
   */
  when?: 'previous-positive';
  /** Count this call into a tally when it returns more than 0. */
  count?: CountSpec;
}

/** One syscall of a task's program. */
export type SyscallSpec = CallOptions & (
  | { op: 'epoll_wait'; set: string; maxevents: number; timeout: number; expect?: Expect }
  | { op: 'epoll_ctl'; ctl: 'ADD' | 'MOD' | 'DEL'; set: string; fd: string; events?: Flags;
    expect?: Expect }
  | { op: 'write'; fd: string; n: number; expect?: Expect }
  | { op: 'read'; fd: string; n: number; expect?: Expect }
  | { op: 'close'; fd: string; expect?: Expect }
  | { op: 'dup'; fd: string; as: string }
  /**
   * poll(2) on one descriptor. `timeout` in ms: 0 (the default) polls once, a positive one
   * sleeps up to that long, a negative one until the descriptor is ready (or a signal).
   */
  | { op: 'poll'; fd: string; events: Flags; timeout?: number; expect?: Expect }
  | { op: 'shutdown'; fd: string; how: 'rd' | 'wr' | 'rdwr' }
  /** Sleeps `ms` (uninterruptible), e.g. a thread that writes after a delay. */
  | { op: 'sleep'; ms: number }
);

/**
 * A scenario-level expectation on a tally that calls count into (see {@link CountSpec}),
 * checked when the run ends: calls still blocked then never returned, so they do not count
 * (the selftests' emitter interrupts them with a signal). `expect` is a value or an
 * inclusive range: "2 or 3 threads got the event" is `[2, 3]`.
 */
export interface TallySpec {
  name: string;
  expect: Expect;
  /** One line: what the tally counts. */
  description?: string;
}

/** A task in process context, pinned to a CPU, running a program of syscalls. */
export interface TaskSpec {
  name: string;
  cpu: number;
  program: readonly SyscallSpec[];
}

/** A device interrupt source: up to `count` wakeups of `fd` raised as hardirqs on `cpu`. */
export interface IrqSpec {
  name: string;
  cpu: number;
  /** An eventfd (eventfd_signal from the interrupt handler). */
  fd: string;
  count: number;
}

/** A signal source: up to `count` signals sent to `task` at moments the scheduler picks. */
export interface SignalSpec {
  task: string;
  count?: number;
}

/** A scenario. */
export interface Scenario {
  name: string;
  /** One line: what the scenario exercises. */
  description?: string;
  cpus: number;
  memory?: 'sc' | 'tso' | 'lkmm';
  files?: readonly FileSpec[];
  sets?: readonly SetSpec[];
  watches?: readonly WatchSpec[];
  tasks: readonly TaskSpec[];
  irqs?: readonly IrqSpec[];
  signals?: readonly SignalSpec[];
  /**
   * Whether the P5 rule "an LT item stays reported while ready" is checked on timeout-0
   * waits: only meaningful when no other task harvests the same set concurrently.
   */
  strictLevelTrigger?: boolean;
  /** Scenario-level expectations, checked at the end of every run. */
  tallies?: readonly TallySpec[];
  /**
   * How virtual time advances (the machine's TimeMode). `eager` (default): an armed timer
   * may fire at any step, so timeouts and sleeps race everything else. `idle`: a timer fires
   * only once nothing else can run, so timeouts and sleeps are long compared with the
   * threads' work (a 1 s timeout that must not expire while another thread is busy).
   */
  time?: 'eager' | 'idle';
}
