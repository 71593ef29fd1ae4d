/**
 * The narrow interface model code sees: its own context (`Ctx`) and a small view of the
 * machine (`MachineAccess`). `src/eventpoll`, `src/locks` and `src/queues` import only this,
 * `op.ts`, `mem.ts` and small helpers (errors, limits, the CLONE protocol of clone.ts) from
 * `src/sim`, never a scheduler or the machine itself (test/tidy.spec.ts keeps the list).
 */
import type { Arena } from '../queues/arena.ts';
import type { Memory } from './memory.ts';
import type { Model } from './op.ts';
import type { Limits } from './limits.ts';
import type { RcuState } from './rcu.ts';
import type { Violation } from './violation.ts';

/** Context status. */
export const READY = 0;
export const SLEEPING = 1;
export const DONE = 2;

/** An execution context: a task in process context or a hardirq handler. */
export interface Ctx {
  /** Unique id of the context within the run (creation order). */
  readonly id: number;
  /** Short name for traces: the task's name, or `irq@CPU`. */
  readonly name: string;
  /** The CPU it runs on (tasks are pinned; an IRQ runs where it arrived). */
  readonly cpu: number;
  /** True for a hardirq handler. */
  readonly irq: boolean;
  /** The `task_struct` handle of a task (0 for an IRQ context). */
  readonly task: number;
  /** The kernel function running now, named in trace lines of ops that do not name one. */
  fn: string;
  /** The machine. */
  readonly m: MachineAccess;
  /** READY, SLEEPING or DONE. */
  status: number;
  /** Free slot for the primitives (e.g. the wait entry a task sleeps on). */
  local: Record<string, unknown>;
}

/**
 * What a task asleep in a sleeping lock's slow path waits for: kept in `c.local.blockedOn`
 * by the lock (mutex, rw_semaphore) from queueing until it owns the lock, so that a run
 * that ends with the task still asleep can name the lock, its holders and a wait-for cycle.
 */
export interface BlockedOn {
  /** The lock call, e.g. `mutex_lock`. */
  readonly op: string;
  /** The lock's handle. */
  readonly lock: number;
  /** The task handles holding the lock now (empty when none or unknown). */
  readonly holders: (m: MachineAccess, lock: number) => number[];
}

/** A timer the machine can fire: runs `fn` as a hardirq on `cpu` once chosen. */
export interface HrTimer {
  readonly id: number;
  readonly cpu: number;
  expires: number;
  armed: boolean;
  running: boolean;
  /** The hardirq callback (e.g. `hrtimer_wakeup`). */
  readonly fn: (c: Ctx) => Model<unknown>;
  readonly name: string;
}

/** What primitives and model code may ask of the machine. */
export interface MachineAccess {
  readonly arena: Arena;
  readonly memory: Memory;
  /** Steps taken so far. */
  readonly step: number;
  /** Virtual time in nanoseconds. */
  readonly now: number;
  /** Slots for subsystems layered on the machine (lockdep, eventpoll bookkeeping). */
  readonly ext: Record<string, unknown>;
  /** RCU's read-side sections and grace periods (the kernel API is locks/rcu.ts). */
  readonly rcu: RcuState;
  /** Number of CPUs. */
  readonly ncpu: number;
  /** Allocates a kernel object (kmalloc is not a shared access: the object is private). */
  alloc<K2 extends string>(kind: K2, fields: Record<string, number | string>, label?: string):
  number;
  /** kfree: poisons the slot; a double free is reported. `fn` names the caller. */
  free(c: Ctx, h: number, fn?: string): void;
  /** Reports a violation; the run stops after the current step. */
  report(v: Omit<Violation, 'step'>): void;
  /** Reports a violation and aborts the current op at once. */
  fault(c: Ctx, property: Violation['property'], kind: string, message: string): never;
  /** Interrupt state of a CPU: 0 when enabled, else the disable depth. */
  irqDisabled(cpu: number): number;
  /**
   * Sets the interrupt state of the context's CPU (0 = enabled). Interrupt masking is
   * CPU-local, so it is not a scheduling point: an IRQ that could arrive "just before" it
   * can equally arrive before the preceding step, which the scheduler already offers.
   */
  setIrqDisabled(c: Ctx, depth: number): void;
  /** The limits of this run. */
  readonly limits: Limits;
  /** Makes a sleeping task runnable again (the core of try_to_wake_up). */
  wakeTask(task: number): boolean;
  /** The context of a task handle. */
  taskCtx(task: number): Ctx | undefined;
  /** Arms a timer (creating it if `t` is undefined). */
  timerStart(c: Ctx, name: string, expiresNs: number, fn: (c: Ctx) => Model<unknown>): HrTimer;
  /** Disarms a timer; returns true if it was armed. */
  timerCancel(t: HrTimer): boolean;
  /** The context running on a CPU now (its IRQ handler if one is active). */
  runningOn(cpu: number): Ctx | undefined;
  /** The task an IRQ context interrupted, if any. */
  interrupted(c: Ctx): Ctx | undefined;
  /** Appends a free-form note to the trace (when tracing), not a step. */
  note(c: Ctx, text: string): void;
  /** All contexts created so far. */
  contexts(): readonly Ctx[];
}

/** `task_struct.state` TASK_RUNNING (include/linux/sched.h). */
export const TASK_RUNNING = 0;
/** TASK_INTERRUPTIBLE: asleep, woken by a signal too. */
export const TASK_INTERRUPTIBLE = 1;
/** TASK_UNINTERRUPTIBLE: asleep, deaf to signals. */
export const TASK_UNINTERRUPTIBLE = 2;

/**
 * Fields that hold pointers, rendered by label (`epi#7`) in traces. Model modules add
 * theirs at load time (a fixed set per build, so traces stay deterministic).
 */
export const POINTER_FIELDS = new Set<string>(['next', 'prev', 'head', 'tail']);
