/**
 * Scenarios: plain, JSON-serialisable descriptions of a concurrent epoll workload, so they
 * can be generated, shrunk, stored, sent to another worker or machine and replayed.
 */

/** Event flags: names (`"IN"`, `"ET"`, ...) or a number. */
export type Flags = readonly string[] | number;

/** A watched file created before the run. */
export type FileSpec =
  | { name: string; type: 'eventfd'; init?: number; sem?: boolean }
  /** Ends are named `<name>r` and `<name>w`. */
  | { name: string; type: 'pipe' }
  /** Ends are named `<name>0` and `<name>1`. */
  | { name: string; type: 'socketpair' }
  | { name: string; type: 'regular' };

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

/** One syscall of a task's program. */
export type SyscallSpec =
  | { op: 'epoll_wait'; set: string; maxevents: number; timeout: number; expect?: Expect }
  | { op: 'epoll_ctl'; ctl: 'ADD' | 'MOD' | 'DEL'; set: string; fd: string; events?: Flags;
    expect?: Expect }
  | { op: 'write'; fd: string; n: number; expect?: Expect }
  | { op: 'read'; fd: string; n: number; expect?: Expect }
  | { op: 'close'; fd: string; expect?: Expect }
  | { op: 'dup'; fd: string; as: string }
  | { op: 'poll'; fd: string; events: Flags; expect?: Expect }
  | { op: 'shutdown'; fd: string; how: 'rd' | 'wr' | 'rdwr' }
  | { op: 'sleep'; ms: number };

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
  memory?: 'sc' | 'tso';
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
}
