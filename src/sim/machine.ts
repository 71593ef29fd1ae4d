/**
 * The machine: N CPUs, tasks in process context, hardirq handlers, virtual time, signals and
 * the memory system, advanced one step at a time by a {@link Scheduler}.
 *
 * One choke point (`run`'s loop) takes every step: it collects the candidates (each a stable
 * choice id, see schedule.ts), asks the scheduler, records the choice, performs it, feeds the
 * trace hash, runs the observers and checks the limits.
 *
 * Execution model (stated simplifications):
 * - Tasks are pinned to their CPU; a CPU runs one task until it sleeps or exits (no
 *   preemption, no migration). Several tasks may share a CPU and switch at sleeps.
 * - Hardirqs do not nest: a CPU takes an IRQ only while its interrupts are enabled and no
 *   handler is running there; the handler runs to completion with interrupts off, but other
 *   CPUs interleave with it, and the task it interrupted cannot run until it returns.
 * - A context whose next op cannot run (a lock held elsewhere) is "spinning": it is not
 *   offered, so spinning costs no steps, yet it keeps its CPU. If nothing can be offered
 *   while contexts spin, that is a deadlock.
 * - Virtual time: see {@link TimeMode}.
 */
import { Arena, forgetCopyPlan } from '../queues/arena.ts';
import { CALL } from './call.ts';
import { cloneState, cloneStateFast } from './clone.ts';
import { POINTER_FIELDS, type Ctx, type HrTimer, type MachineAccess } from './context.ts';
import { DONE, READY, SLEEPING, TASK_INTERRUPTIBLE, TASK_RUNNING } from './context.ts';
import { engine } from './engine.ts';
import { LimitExceededError, quote, SimUsageError } from './errors.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { LKMM_WINDOW } from './lkmm.ts';
import { Memory, MEMORY_MODES, type MemoryMode } from './memory.ts';
import {
  custom, isFence, K, OP_NAMES, ORDER, rmwOf, type CustomOp, type Model, type Op,
} from './op.ts';
import { RcuState } from './rcu.ts';
import {
  ARRIVE_BASE, DRAIN_BASE, IRQ_BASE, isReadChoice, RCU_BASE, READ_BASE, SIGNAL_BASE,
  TIMER_BASE, tokenOf,
} from './schedule.ts';
import type { Scheduler } from './scheduler.ts';
import { TraceHash, type TraceEvent } from './trace.ts';
import type { Violation } from './violation.ts';

/**
 * How virtual time advances. `eager` (default): the earliest armed timer may expire at any
 * step (time jumps to its expiry, since any amount of time can pass between two steps), and a
 * timer stays a choice once due. `idle`: a timer is a choice only once due, and time jumps to
 * the next expiry only when nothing else can run.
 */
export type TimeMode = 'eager' | 'idle';

/** A task to run in process context on `cpu`. */
export interface TaskSpec {
  name: string;
  cpu: number;
  body: (c: Ctx) => Model<unknown>;
}

/** An interrupt source: up to `count` hardirqs on `cpu`, each running `handler`. */
export interface IrqSourceSpec {
  name: string;
  cpu: number;
  count: number;
  handler: (c: Ctx) => Model<unknown>;
}

/** An observer: reads the machine after steps and at the end; never mutates it. */
export interface Observer {
  readonly name: string;
  afterStep?(m: Machine): void;
  /**
   * Call afterStep only after steps that wrote memory (a store reached memory, a buffer
   * drained, a locked op): for checkers of memory state, whose verdict cannot change
   * otherwise. Incremental checking done once, in the step loop.
   */
  readonly afterWritesOnly?: boolean;
  /** `quiescent` is true when the run stopped because nothing could run. */
  atEnd?(m: Machine, quiescent: boolean): void;
}

/** Options of one machine. */
export interface MachineOptions {
  ncpu: number;
  memory?: MemoryMode;
  limits?: Partial<Limits>;
  /** Keep every step as a {@link TraceEvent} (off by default: the hash is always kept). */
  trace?: boolean;
  time?: TimeMode;
  /** The execution's seed, named in limit messages. */
  seed?: number;
}

/** How a run ended. */
export type RunStatus = 'done' | 'quiescent' | 'violation';

/** The result of {@link Machine.run}. */
export interface RunOutcome {
  status: RunStatus;
  violations: Violation[];
  steps: number;
  /** Every choice, as ids (encode with encodeSchedule). */
  schedule: number[];
  hash: string;
  trace: TraceEvent[] | undefined;
  /** Virtual time at the end, in ns. */
  time: number;
}

export { call } from './call.ts';

/** Thrown by `fault` to abandon the current op; caught by the run loop. */
class FaultAbort extends Error {}

/** One execution context (task or IRQ handler). */
class Context implements Ctx {
  fn = '';
  status = READY;
  local: Record<string, unknown> = {};
  pending: Op | null = null;
  gen: Model<unknown>;
  result: unknown = undefined;
  /** The task this IRQ interrupted (IRQ contexts only). */
  over: Context | null = null;
  /** The step at which this context last became unable to run (for messages). */
  waitingSince = -1;
  /** Fast engine: the generators suspended in a {@link call}, innermost last. */
  callers: Model<unknown>[] | null = null;
  constructor(
    readonly id: number,
    readonly name: string,
    readonly cpu: number,
    readonly irq: boolean,
    readonly task: number,
    readonly choice: number,
    readonly m: Machine,
    body: (c: Ctx) => Model<unknown>,
  ) {
    this.gen = body(this);
  }
}

interface Cpu {
  id: number;
  irqOff: number;
  irq: Context | null;
  cur: Context | null;
  tasks: Context[];
}

interface IrqSource extends IrqSourceSpec {
  remaining: number;
}

interface SignalSource {
  target: Context;
  remaining: number;
}

interface Timer extends HrTimer {
  armed: boolean;
}

/** The op a sleeping task resumes with: "returns from schedule()" once woken. */
const RESUME: CustomOp = {
  name: 'schedule (woken)',
  footprint: 'cpu',
  enabled: (_m, c) => c.status === READY,
  exec: (m, c) => {
    m.memory.resumed(c.cpu);
    return 0;
  },
  waitReason: () => 'asleep in schedule()',
};

/** A task's first step: enters its body. */
const TASK_START: CustomOp = { name: 'task start', footprint: 'cpu', exec: () => undefined };

/** The simulated machine. */
export class Machine implements MachineAccess {
  readonly arena = new Arena();
  readonly memory: Memory;
  readonly ncpu: number;
  readonly limits: Limits;
  readonly ext: Record<string, unknown> = {};
  /** Read-side sections, grace periods and their callbacks (sim/rcu.ts). */
  readonly rcu = new RcuState();
  readonly seed: number;
  step = 0;
  now = 0;
  /**
   * Counts side effects that partial-order reduction must see (sim/por.ts): arming or
   * cancelling a timer, and wake-ups. Not hashed, so traces do not change.
   */
  effects = 0;
  wakes = 0;
  private readonly cpus: Cpu[] = [];
  private readonly all: Context[] = [];
  private readonly tasks: Context[] = [];
  private readonly byTask = new Map<number, Context>();
  private readonly sources: IrqSource[] = [];
  private readonly signals: SignalSource[] = [];
  private readonly timers: Timer[] = [];
  /** The armed timers only (the per-step scan must not grow with every timer ever made). */
  private armed: Timer[] = [];
  /** Per observer: memory.writes when it last ran (see Observer.afterWritesOnly). */
  private readonly seenWrites: number[] = [];
  private readonly observers: Observer[] = [];
  private readonly violations: Violation[] = [];
  private readonly schedule: number[] = [];
  private readonly hash = new TraceHash();
  private readonly events: TraceEvent[] | undefined;
  private readonly timeMode: TimeMode;
  private ids = new Int32Array(64);
  private current: Context | null = null;
  /** True while setup() runs: nothing is traced. */
  private inSetup = false;
  /** The engine (engine.ts), read once here: false runs the baseline paths. */
  readonly fast = engine() === 'fast';
  /**
   * The fast engine applies plain loads and stores inline (as `apply` does them) under the
   * memory models it knows; another model's accesses go through `apply`.
   */
  private readonly plainInline: boolean;
  /** lkmm: which readable write the load of this step reads (0: the newest). */
  private readPick = 0;

  constructor(opts: MachineOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    const n = opts.ncpu;
    if (!Number.isInteger(n) || n < 1 || n > this.limits.cpusMax) {
      throw new SimUsageError('E_BAD_CPUS',
        `bad CPU count ${quote(n)}: expected an integer from 1 to ${this.limits.cpusMax}`);
    }
    const mode = opts.memory ?? 'sc';
    if (!MEMORY_MODES.includes(mode)) {
      throw new SimUsageError('E_BAD_MEMORY', `unknown memory model ${quote(mode)}: ` +
        `expected ${MEMORY_MODES.join(', ')}`);
    }
    const time = opts.time ?? 'eager';
    if (time !== 'eager' && time !== 'idle') {
      throw new SimUsageError('E_BAD_TIME', `unknown time mode ${quote(time)}: ` +
        'expected eager or idle');
    }
    this.ncpu = n;
    this.timeMode = time;
    this.seed = opts.seed ?? 0;
    this.memory = new Memory(this.arena, n, mode);
    this.plainInline = mode === 'sc' || mode === 'tso';
    this.events = opts.trace ? [] : undefined;
    for (let i = 0; i < n; i++) {
      this.cpus.push({ id: i, irqOff: 0, irq: null, cur: null, tasks: [] });
    }
  }

  // ---- setup -------------------------------------------------------------------------

  /** Adds a task; its body starts at the first step the scheduler gives it. */
  addTask(spec: TaskSpec): Ctx {
    const cpu = this.cpuOf(spec.cpu, `task '${spec.name}'`);
    const task = this.arena.alloc('task_struct', { state: TASK_RUNNING, sigpending: 0 },
      spec.name);
    const c = this.newContext(spec.name, cpu.id, false, task, this.tasks.length, spec.body);
    this.tasks.push(c);
    this.byTask.set(task, c);
    cpu.tasks.push(c);
    // The body starts at the task's first step, not now: its first local code may touch
    // state that later setup (or another task's first step) expects untouched.
    c.pending = custom(TASK_START, task, undefined, undefined, spec.name);
    return c;
  }

  /** Adds an interrupt source. */
  addIrqSource(spec: IrqSourceSpec): number {
    this.cpuOf(spec.cpu, `IRQ source '${spec.name}'`);
    if (!Number.isInteger(spec.count) || spec.count < 0) {
      throw new SimUsageError('E_BAD_IRQ', `IRQ source '${spec.name}': bad count ${spec.count}`);
    }
    this.sources.push({ name: spec.name, cpu: spec.cpu, count: spec.count,
      handler: spec.handler, remaining: spec.count });
    this.reserve();
    return this.sources.length - 1;
  }

  /** Adds a signal source: up to `count` signals delivered to `task` at chosen moments. */
  addSignal(task: Ctx, count = 1): number {
    const target = this.byTask.get(task.task);
    if (!target) throw new SimUsageError('E_BAD_SIGNAL', `signal target is not a task`);
    this.signals.push({ target, remaining: count });
    this.reserve();
    return this.signals.length - 1;
  }

  /**
   * Runs `body` to completion before the run, on CPU 0, with no scheduling choices and no
   * trace (setting up files, sets and registrations). Every store is made visible at once.
   * An op that cannot run (a lock held by nobody who could release it) is a usage error.
   */
  setup(name: string, body: (c: Ctx) => Model<unknown>): unknown {
    const c = this.newContext(name, 0, false, 0, -1, body);
    this.current = c;
    this.inSetup = true;
    // Objects may gain fields: a copy plan made from this machine before is stale.
    forgetCopyPlan(this.arena);
    // Under lkmm, setup runs with every store visible at once: no views, no older writes.
    const lk = this.memory.lk;
    this.memory.lk = null;
    try {
      this.runSetup(name, c);
    } finally {
      this.memory.lk = lk;
    }
    this.current = null;
    this.inSetup = false;
    if (this.violations.length > 0) {
      throw new SimUsageError('E_SETUP', `setup '${name}' violated a property: ` +
        this.violations[0]!.message);
    }
    return c.result;
  }

  private runSetup(name: string, c: Context): void {
    this.start(c);
    while (c.status !== DONE) {
      const op = c.pending!;
      if (c.status === SLEEPING || !this.enabled(c)) {
        throw new SimUsageError('E_SETUP', `setup '${name}' blocked in ` +
          `${op.x?.name ?? OP_NAMES[op.k]}: setup must not wait for other contexts`);
      }
      const result = this.apply(c, op);
      this.memory.drain(0);
      if (this.fast) this.advance(c, result);
      else this.resume(c, result);
    }
  }

  /**
   * Starts this new machine from the state another machine's setup() left (its arena, trace
   * hash, write count, finished setup contexts and `ext` state, deep-copied), so one
   * prepared setup serves many runs. The result is the state this machine would have had
   * after running the same setup itself; `shared` lists objects in `ext` to share rather
   * than copy (immutable configuration). The template must not have run or added tasks.
   */
  restoreSetup(template: Machine, shared: readonly object[] = []): void {
    if (this.all.length !== 0 || template.tasks.length !== 0 || template.sources.length !== 0
      || template.signals.length !== 0 || template.timers.length !== 0 || template.step !== 0
      || template.ncpu !== this.ncpu || template.memory.mode !== this.memory.mode
      || template.memory.buffered !== 0 || template.violations.length !== 0) {
      throw new SimUsageError('E_RESTORE', 'restoreSetup: the template must be a machine ' +
        'that only ran setup(), with the same CPUs and memory model, into a new machine');
    }
    if (this.fast) this.arena.copyFromFast(template.arena);
    else this.arena.copyFrom(template.arena);
    this.hash.h = template.hash.h;
    this.memory.writes = template.memory.writes;
    this.now = template.now;
    for (let i = 0; i < this.ncpu; i++) this.cpus[i]!.irqOff = template.cpus[i]!.irqOff;
    const memo = new Map<object, unknown>([[template, this], [template.arena, this.arena],
      [template.memory, this.memory]]);
    for (const o of shared) memo.set(o, o);
    for (const t of template.all) {
      const c = this.newContext(t.name, t.cpu, t.irq, t.task, t.choice, finished);
      c.status = DONE;
      c.pending = null;
      c.result = t.result;
      c.fn = t.fn;
      memo.set(t, c);
    }
    this.rcu.copyFrom(template.rcu);
    const clone = this.fast ? cloneStateFast : cloneState;
    for (const key of Object.keys(template.ext)) {
      this.ext[key] = clone(template.ext[key], memo);
    }
  }

  /** Adds an observer (a checker). */
  addObserver(o: Observer): void {
    this.observers.push(o);
    this.seenWrites.push(-1);
  }

  // ---- MachineAccess -------------------------------------------------------------------

  alloc(kind: string, fields: Record<string, number | string>, label?: string): number {
    return this.arena.alloc(kind, fields, label);
  }

  free(c: Ctx, h: number, fn?: string): void {
    // kfree() orders this CPU's earlier stores before the memory can be reused (SLUB's
    // freelist update is a locked operation), so they are written back first.
    this.memory.drain(c.cpu);
    const err = this.arena.free(h, { step: this.step, ctx: c.id, fn: fn ?? c.fn });
    if (err !== undefined) {
      this.fault(c, 'P3-memory-safety', err.startsWith('double') ? 'double-free' : 'bad-free',
        err);
    }
  }

  report(v: Omit<Violation, 'step'>): void {
    this.violations.push({ ...v, step: this.step });
  }

  fault(c: Ctx, property: Violation['property'], kind: string, message: string): never {
    this.report({ property, kind, message, ctx: c.id, cpu: c.cpu });
    throw new FaultAbort(message);
  }

  irqDisabled(cpu: number): number {
    return this.cpus[cpu]!.irqOff;
  }

  setIrqDisabled(c: Ctx, depth: number): void {
    this.cpus[c.cpu]!.irqOff = depth;
    if (this.events) this.note(c, depth === 0 ? 'irqs on' : 'irqs off');
  }

  wakeTask(task: number): boolean {
    const c = this.byTask.get(task);
    if (!c || c.status !== SLEEPING) return false;
    c.status = READY;
    this.wakes++;
    return true;
  }

  taskCtx(task: number): Ctx | undefined {
    return this.byTask.get(task);
  }

  timerStart(c: Ctx, name: string, expiresNs: number, fn: (c: Ctx) => Model<unknown>):
  HrTimer {
    const t: Timer = {
      id: this.timers.length, cpu: c.cpu, expires: expiresNs, armed: true, running: false,
      fn, name,
    };
    this.timers.push(t);
    this.armed.push(t);
    this.reserve();
    this.effects++;
    return t;
  }

  timerCancel(t: HrTimer): boolean {
    const was = t.armed;
    (t as Timer).armed = false;
    if (was) {
      this.armed = this.armed.filter((x) => x !== t);
      this.effects++;
    }
    return was;
  }

  runningOn(cpu: number): Ctx | undefined {
    const c = this.cpus[cpu]!;
    return c.irq ?? c.cur ?? undefined;
  }

  interrupted(c: Ctx): Ctx | undefined {
    return (c as Context).over ?? undefined;
  }

  note(c: Ctx, text: string): void {
    if (!this.events || this.inSetup) return;
    this.events.push({
      step: -1, cpu: c.cpu, ctx: c.id, who: c.name, choice: '', fn: c.fn, op: 'note',
      obj: '', field: '', value: text, time: this.now,
    });
  }

  contexts(): readonly Ctx[] {
    return this.all;
  }

  /** All violations reported so far. */
  get reported(): readonly Violation[] {
    return this.violations;
  }

  /**
   * What a candidate choice id would do next, for partial-order reduction: the pending op of
   * the context it steps (null for IRQ arrivals, timers, write-backs and signals, and once a
   * task finished), the CPU it runs on and the task_struct of a task or a signal's target.
   * Reads only; called between steps.
   */
  choiceInfo(id: number): { op: Op | null; cpu: number; task: number } {
    if (id < IRQ_BASE) {
      const c = this.tasks[id]!;
      return { op: c.pending, cpu: c.cpu, task: c.task };
    }
    if (id < ARRIVE_BASE) {
      return { op: this.cpus[id - IRQ_BASE]!.irq?.pending ?? null, cpu: id - IRQ_BASE, task: 0 };
    }
    if (id < TIMER_BASE) return { op: null, cpu: this.sources[id - ARRIVE_BASE]!.cpu, task: 0 };
    if (id < DRAIN_BASE) return { op: null, cpu: this.timers[id - TIMER_BASE]!.cpu, task: 0 };
    if (id < SIGNAL_BASE) return { op: null, cpu: id - DRAIN_BASE, task: 0 };
    if (id >= RCU_BASE) return { op: null, cpu: -1, task: 0 };
    if (isReadChoice(id)) {
      const cpu = this.cpus[id & 255]!;
      const c = cpu.irq ?? cpu.cur;
      return { op: c?.pending ?? null, cpu: id & 255, task: c?.task ?? 0 };
    }
    const t = this.signals[id - SIGNAL_BASE]!.target;
    return { op: null, cpu: t.cpu, task: t.task };
  }

  /** The context whose step is running now (for primitives that need "current"). */
  get running(): Ctx | null {
    return this.current;
  }

  /**
   * For observers, after a step: the context whose op that step ran, or null when it was
   * an IRQ arrival, a timer expiry, a write-back or a signal delivery (no op ran).
   */
  lastStepContext(): Ctx | null {
    const id = this.schedule[this.schedule.length - 1];
    // A task's or IRQ handler's step, or a load or store taking an lkmm alternative: the
    // step ran that context's op and left it as `current`.
    if (id === undefined || (id >= ARRIVE_BASE && !isReadChoice(id))) return null;
    return this.current;
  }

  // ---- the run loop --------------------------------------------------------------------

  /** Runs to completion, quiescence, a violation or a limit, choosing with `sched`. */
  run(sched: Scheduler): RunOutcome {
    return this.fast ? this.runFast(sched) : this.runBaseline(sched);
  }

  /**
   * The fast engine's loop: the same steps, choices, hash and observer calls as
   * {@link runBaseline}, with less work per step: the observers that look after steps are
   * listed once, a task's step (the common choice) is performed without the dispatch of
   * `perform`, and the op is applied and hashed inline.
   */
  private runFast(sched: Scheduler): RunOutcome {
    sched.begin(this.seed);
    const obs: Observer[] = [];
    const writesOnly: boolean[] = [];
    const seen: number[] = [];
    for (let i = 0; i < this.observers.length; i++) {
      const o = this.observers[i]!;
      if (o.afterStep === undefined) continue;
      obs.push(o);
      writesOnly.push(o.afterWritesOnly === true);
      seen.push(this.seenWrites[i]!);
    }
    const nobs = obs.length;
    const violations = this.violations;
    const schedule = this.schedule;
    const hash = this.hash;
    const tasks = this.tasks;
    const cpus = this.cpus;
    const mem = this.memory;
    const stepsMax = this.limits.stepsMax;
    let quiescent = false;
    try {
      while (violations.length === 0) {
        let n = this.collect();
        if (n === 0 && this.advanceIdleTime()) n = this.collect();
        if (n === 0) {
          quiescent = true;
          this.checkStuck();
          break;
        }
        const id = this.ids[sched.pick(this.ids, n, this.step)]!;
        schedule.push(id);
        hash.h = Math.imul(hash.h ^ id, 0x01000193);
        if (id < IRQ_BASE) {
          const c = tasks[id]!;
          cpus[c.cpu]!.cur = c;
          this.executeFast(c);
        } else if (id < ARRIVE_BASE) {
          this.executeFast(cpus[id - IRQ_BASE]!.irq!);
        } else {
          this.perform(id);
        }
        this.step++;
        if (nobs !== 0) {
          const writes = mem.writes;
          for (let i = 0; i < nobs; i++) {
            if (writesOnly[i]) {
              if (seen[i] === writes) continue;
              seen[i] = writes;
            }
            obs[i]!.afterStep!(this);
          }
        }
        if (violations.length > 0) break;
        if (this.step >= stepsMax) this.overLimit();
      }
    } catch (e) {
      if (!(e instanceof FaultAbort)) throw e;
      this.step++;
    }
    return this.end(sched, quiescent);
  }

  /** {@link execute} with the plain memory ops applied inline (the same result and hash). */
  private executeFast(c: Context): void {
    this.current = c;
    const op = c.pending!;
    const k = op.k;
    let result: unknown;
    if (k <= K.WRITE_ONCE && this.plainInline) {
      const h = op.h;
      const arena = this.arena;
      if (!(h > 0 && h < arena.objs.length && arena.freed[h] === 0)) this.badPointer(c, op);
      if ((k & 1) === 0) {
        result = this.memory.read(c.cpu, h, op.f);
      } else {
        this.memory.write(c.cpu, h, op.f, op.v);
        result = op.v;
      }
      const hash = this.hash;
      hash.h = Math.imul(Math.imul(hash.h ^ k, 0x01000193) ^ h, 0x01000193);
      hash.mixValue(result);
    } else {
      result = this.apply(c, op);
    }
    if (this.events) this.recordOp(c, op, result);
    if (c.status === SLEEPING) {
      c.pending = custom(RESUME, c.task, undefined, undefined, 'schedule');
      this.cpus[c.cpu]!.cur = null;
      return;
    }
    this.advance(c, result);
  }

  /**
   * Fast engine: resumes `c` with `value` up to its next op. A yielded {@link call} runs its
   * generator as a subroutine (the caller waits on `callers`) with no `yield*` frame in
   * between, so the steps under it resume one generator fewer; its return value resumes
   * the caller, in the same step, as `yield*` would.
   */
  private advance(c: Context, value: unknown): void {
    let r: IteratorResult<Op, unknown>;
    try {
      r = c.gen.next(value);
    } catch (e) {
      r = this.unwind(c, e);
    }
    this.settle(c, r);
  }

  /** Follows calls and returns from `r` to `c`'s next op (or its end). */
  private settle(c: Context, r: IteratorResult<Op, unknown>): void {
    for (;;) {
      if (r.done === true) {
        const up = c.callers === null ? undefined : c.callers.pop();
        if (up === undefined) {
          this.finish(c, r.value);
          return;
        }
        c.gen = up;
        try {
          r = up.next(r.value);
        } catch (e) {
          r = this.unwind(c, e);
        }
        continue;
      }
      const op = r.value;
      if (op.k === CALL) {
        (c.callers ??= []).push(c.gen);
        c.gen = op.v as Model<unknown>;
        op.v = null;
        try {
          r = c.gen.next(undefined);
        } catch (e) {
          r = this.unwind(c, e);
        }
        continue;
      }
      c.pending = op;
      return;
    }
  }

  /**
   * An exception out of a callee goes into its caller, at the call, as out of `yield*`
   * (a caller may catch it); rethrown once no caller is left.
   */
  private unwind(c: Context, err: unknown): IteratorResult<Op, unknown> {
    let e = err;
    for (;;) {
      const up = c.callers === null ? undefined : c.callers.pop();
      if (up === undefined) throw e;
      c.gen = up;
      try {
        return up.throw(e);
      } catch (e2) {
        e = e2;
      }
    }
  }

  /** The baseline engine's loop (sim/engine.ts), as it was before issue 15. */
  private runBaseline(sched: Scheduler): RunOutcome {
    sched.begin(this.seed);
    let quiescent = false;
    try {
      while (this.violations.length === 0) {
        let n = this.collect();
        if (n === 0 && this.advanceIdleTime()) n = this.collect();
        if (n === 0) {
          quiescent = true;
          this.checkStuck();
          break;
        }
        const idx = sched.pick(this.ids, n, this.step);
        const id = this.ids[idx]!;
        this.schedule.push(id);
        this.hash.mix(id);
        this.perform(id);
        this.memory.lk?.endStep();
        this.step++;
        this.observe();
        if (this.violations.length > 0) break;
        if (this.step >= this.limits.stepsMax) this.overLimit();
      }
    } catch (e) {
      if (!(e instanceof FaultAbort)) throw e;
      this.step++;
    }
    return this.end(sched, quiescent);
  }

  /** The end of a run: the observers' final checks and the outcome. */
  private end(sched: Scheduler, quiescent: boolean): RunOutcome {
    this.current = null;
    if (this.violations.length === 0) {
      for (const o of this.observers) o.atEnd?.(this, quiescent);
    }
    sched.end?.(this.step);
    const allDone = this.all.every((c) => c.status === DONE);
    const status: RunStatus = this.violations.length > 0 ? 'violation'
      : allDone ? 'done' : 'quiescent';
    return {
      status, violations: this.violations, steps: this.step, schedule: this.schedule,
      hash: this.hash.hex(), trace: this.events, time: this.now,
    };
  }

  /** Runs the observers after a step; skips write-only observers when nothing was written. */
  private observe(): void {
    const writes = this.memory.writes;
    for (let i = 0; i < this.observers.length; i++) {
      const o = this.observers[i]!;
      if (o.afterStep === undefined) continue;
      if (o.afterWritesOnly) {
        if (this.seenWrites[i] === writes) continue;
        this.seenWrites[i] = writes;
      }
      o.afterStep(this);
    }
  }

  /**
   * Fills `ids` with this step's candidates; returns how many. The order (CPUs, then IRQ
   * arrivals, timers, store-buffer drains, signals, the end of a grace period, lkmm's older
   * writes) is part of every recorded schedule.
   */
  private collect(): number {
    // reserve() keeps room for every possible candidate, so the loops store without checks.
    const ids = this.ids;
    let n = 0;
    const cpus = this.cpus;
    for (let i = 0; i < cpus.length; i++) {
      const cpu = cpus[i]!;
      const irq = cpu.irq;
      if (irq !== null) {
        if (irq.pending!.k !== K.CUSTOM || this.enabled(irq)) ids[n++] = irq.choice;
        continue;
      }
      const cur = cpu.cur;
      if (cur !== null) {
        if (cur.pending!.k !== K.CUSTOM || this.enabled(cur)) ids[n++] = cur.choice;
      } else {
        const tasks = cpu.tasks;
        for (let j = 0; j < tasks.length; j++) {
          const t = tasks[j]!;
          if (t.status === READY && this.enabled(t)) ids[n++] = t.choice;
        }
      }
    }
    const sources = this.sources;
    for (let k = 0; k < sources.length; k++) {
      const s = sources[k]!;
      if (s.remaining > 0) {
        const cpu = cpus[s.cpu]!;
        if (cpu.irqOff === 0 && cpu.irq === null) ids[n++] = ARRIVE_BASE + k;
      }
    }
    if (this.armed.length > 0) n = this.collectTimers(n);
    if (this.memory.buffered !== 0) {
      const bufs = this.memory.buffers;
      for (let c = 0; c < bufs.length; c++) {
        if (bufs[c]!.length > 0) ids[n++] = DRAIN_BASE + c;
      }
    }
    const signals = this.signals;
    for (let k = 0; k < signals.length; k++) {
      const s = signals[k]!;
      if (s.remaining > 0 && s.target.status !== DONE) ids[n++] = SIGNAL_BASE + k;
    }
    if (this.rcu.active && this.rcu.waiting.length === 0) ids[n++] = RCU_BASE;
    if (this.memory.lk !== null) n = this.collectReads(n);
    return n;
  }

  /**
   * lkmm: for each CPU whose running context's next op is a load, one more candidate per
   * older write it may read (the plain step reads the newest); for a store, one per place
   * before newer writes it may take in the coherence order (the plain step: the newest).
   */
  private collectReads(n: number): number {
    const lk = this.memory.lk!;
    for (let i = 0; i < this.cpus.length; i++) {
      const cpu = this.cpus[i]!;
      const c = cpu.irq ?? cpu.cur;
      if (c === null || c.pending === null) continue;
      const k = c.pending.k;
      const load = k === K.LOAD || k === K.READ_ONCE || k === K.LOAD_ACQUIRE;
      if (!load && k !== K.STORE && k !== K.WRITE_ONCE && k !== K.STORE_RELEASE) continue;
      if (!this.arena.isLive(c.pending.h)) continue;
      const more = load ? lk.choices(i, c.pending.h, c.pending.f)
        : lk.storeChoices(i, c.pending.h, c.pending.f);
      for (let j = 1; j <= more; j++) this.ids[n++] = READ_BASE + j * 256 + i;
    }
    return n;
  }

  private collectTimers(n: number): number {
    let min = Infinity;
    for (const t of this.armed) if (t.expires < min) min = t.expires;
    if (min === Infinity) return n;
    const horizon = this.timeMode === 'eager' ? Math.max(this.now, min) : this.now;
    for (const t of this.armed) {
      if (t.armed && t.expires <= horizon && this.irqOpen(t.cpu)) {
        this.ids[n++] = TIMER_BASE + t.id;
      }
    }
    return n;
  }

  /** In idle time mode, jumps to the next timer when nothing else can run. */
  private advanceIdleTime(): boolean {
    if (this.timeMode !== 'idle') return false;
    let min = Infinity;
    for (const t of this.armed) {
      if (t.expires < min && this.irqOpen(t.cpu)) min = t.expires;
    }
    if (min === Infinity || min <= this.now) return false;
    this.now = min;
    return true;
  }

  /**
   * Grows `ids` to hold every candidate there can be (contexts, IRQ sources, armed timers,
   * store buffers, signals); called where one of those is added, not per step.
   */
  private reserve(): void {
    const most = this.all.length + this.sources.length + this.armed.length + this.ncpu +
      this.signals.length + 1 + (this.memory.lk !== null ? this.ncpu * LKMM_WINDOW : 0);
    if (this.ids.length < most) this.ids = new Int32Array(most * 2);
  }

  private irqOpen(cpu: number): boolean {
    const c = this.cpus[cpu]!;
    return c.irqOff === 0 && c.irq === null;
  }

  private enabled(c: Context): boolean {
    const op = c.pending!;
    if (op.k !== K.CUSTOM) return true;
    const en = op.x!.enabled;
    if (en === undefined || en(this, c, op)) {
      c.waitingSince = -1;
      return true;
    }
    if (c.waitingSince < 0) c.waitingSince = this.step;
    return false;
  }

  /** Performs the chosen candidate. */
  private perform(id: number): void {
    if (id < IRQ_BASE) {
      const c = this.tasks[id]!;
      this.cpus[c.cpu]!.cur = c;
      this.execute(c);
    } else if (id < ARRIVE_BASE) {
      this.execute(this.cpus[id - IRQ_BASE]!.irq!);
    } else if (id < TIMER_BASE) {
      const s = this.sources[id - ARRIVE_BASE]!;
      s.remaining--;
      this.enterIrq(s.cpu, s.name, s.handler, id);
    } else if (id < DRAIN_BASE) {
      const t = this.timers[id - TIMER_BASE]!;
      if (t.expires > this.now) this.now = t.expires;
      t.armed = false;
      this.armed = this.armed.filter((x) => x !== t);
      t.running = true;
      this.enterIrq(t.cpu, `hrtimer:${t.name}`, (c) => runTimer(t, c), id);
    } else if (id < SIGNAL_BASE) {
      this.drainOne(id - DRAIN_BASE, id);
    } else if (id < READ_BASE) {
      this.deliverSignal(this.signals[id - SIGNAL_BASE]!, id);
    } else if (id < RCU_BASE) {
      const cpu = this.cpus[id & 255]!;
      this.readPick = (id - READ_BASE) >> 8;
      this.execute(cpu.irq ?? cpu.cur!);
    } else {
      this.endGracePeriod(id);
    }
  }

  /**
   * The end of an RCU grace period (sim/rcu.ts), chosen once no reader it waits for is
   * left: its callbacks free their objects, in the order they were queued. A grace period
   * implies a full barrier on every CPU between the readers' sections and the callbacks
   * (Documentation/RCU/Design/Memory-Ordering), so the store buffers are written back first.
   */
  private endGracePeriod(id: number): void {
    const gp = this.rcu.completed + 1;
    const due = this.rcu.end();
    const lk = this.memory.lk;
    for (let cpu = 0; cpu < this.ncpu; cpu++) {
      if (lk !== null) lk.fence(cpu);
      else this.memory.drain(cpu);
    }
    this.hash.mix(gp);
    if (this.events) {
      this.record(id, -1, -1, 'rcu', 'rcu_gp', `grace period ${gp} ends`, 0, '', '');
    }
    for (const cb of due) {
      const err = this.arena.free(cb.h, { step: this.step, ctx: -1,
        fn: `${cb.func} (queued in ${cb.fn} by ctx ${cb.ctx} at step ${cb.step}), ` +
          `after grace period ${gp}` });
      this.hash.mix(cb.h);
      if (this.events) this.record(-1, -1, -1, 'rcu', cb.func, 'kfree', cb.h, '', '');
      if (err !== undefined) {
        this.report({ property: 'P3-memory-safety',
          kind: err.startsWith('double') ? 'double-free' : 'bad-free',
          message: `${cb.func} queued in ${cb.fn} at step ${cb.step}: ${err}`, ctx: -1, cpu: -1 });
      }
    }
  }

  private drainOne(cpu: number, id: number): void {
    const e = this.memory.buffers[cpu]![0]!;
    const bad = this.arena.badAccess(e.h);
    this.memory.drainOne(cpu);
    this.hash.mix(e.h);
    this.hash.mixValue(e.v);
    if (this.events) {
      this.record(id, cpu, -1, `cpu${cpu}`, '', 'store-buffer write-back', e.h, e.f, e.v);
    }
    if (bad !== undefined) {
      this.report({ property: 'P3-memory-safety', kind: 'use-after-free',
        message: `buffered store to ${this.arena.label(e.h)}.${e.f} drained after free: ${bad}`,
        ctx: -1, cpu });
    }
  }

  private deliverSignal(s: SignalSource, id: number): void {
    s.remaining--;
    const t = s.target;
    this.memory.writeGlobal(t.task, 'sigpending', 1);
    // signal_wake_up(): an interruptible sleeper is made runnable.
    if (this.memory.readGlobal(t.task, 'state') === TASK_INTERRUPTIBLE) {
      this.memory.writeGlobal(t.task, 'state', TASK_RUNNING);
      this.wakeTask(t.task);
    }
    if (this.events) {
      this.record(id, t.cpu, t.id, t.name, 'signal_wake_up', 'signal', t.task, 'sigpending', 1);
    }
  }

  private enterIrq(cpu: number, name: string, body: (c: Ctx) => Model<unknown>, id: number):
  void {
    const c = this.cpus[cpu]!;
    const ctx = this.newContext(`irq@${cpu}`, cpu, true, 0, IRQ_BASE + cpu, body);
    ctx.over = c.cur;
    c.irq = ctx;
    c.irqOff = 1;
    ctx.fn = name;
    if (this.events) this.record(id, cpu, ctx.id, ctx.name, name, 'irq_enter', 0, '', '');
    this.current = ctx;
    this.start(ctx);
  }

  private newContext(name: string, cpu: number, irq: boolean, task: number, choice: number,
    body: (c: Ctx) => Model<unknown>): Context {
    if (this.all.length >= this.limits.contextsMax) {
      throw new LimitExceededError(`seed ${this.seed}: more than ${this.limits.contextsMax} ` +
        `contexts at step ${this.step}; likely cause: an IRQ source with a huge count`);
    }
    const c = new Context(this.all.length, name, cpu, irq, task, choice, this, body);
    this.all.push(c);
    this.reserve();
    return c;
  }

  /**
   * Runs a new context's local code up to its first op. A fault there (model code that
   * fails before its first access) is recorded like any other and stops the run.
   */
  private start(c: Context): void {
    try {
      if (this.fast) this.advance(c, undefined);
      else this.resume(c, undefined);
    } catch (e) {
      if (!(e instanceof FaultAbort)) throw e;
      this.finish(c, undefined);
    }
  }

  /** Performs `c`'s pending op, then runs its local code up to the next op. */
  private execute(c: Context): void {
    this.current = c;
    const op = c.pending!;
    const result = this.apply(c, op);
    if (this.events) this.recordOp(c, op, result);
    if (c.status === SLEEPING) {
      c.pending = custom(RESUME, c.task, undefined, undefined, 'schedule');
      this.cpus[c.cpu]!.cur = null;
      return;
    }
    this.resume(c, result);
  }

  private resume(c: Context, value: unknown): void {
    // Inside a call (from a trampolined build of the model): as in the fast engine.
    if (c.callers !== null) {
      this.advance(c, value);
      return;
    }
    const r = c.gen.next(value);
    if (r.done) this.finish(c, r.value);
    else if (r.value.k === CALL) this.settle(c, r);
    else c.pending = r.value;
  }

  private finish(c: Context, value: unknown): void {
    c.status = DONE;
    c.result = value;
    c.pending = null;
    // A context that ends inside a read-side section would hold off every grace period.
    if (this.rcu.depthOf(c.id) > 0) {
      this.report({ property: 'P4-locking', kind: 'rcu-unbalanced', message: `${c.name} ` +
        `(cpu${c.cpu}) ends inside an RCU read-side critical section (rcu_read_lock() ` +
        'without rcu_read_unlock())', ctx: c.id, cpu: c.cpu });
    }
    const cpu = this.cpus[c.cpu]!;
    if (c.irq) {
      cpu.irq = null;
      cpu.irqOff = 0;
      if (this.events) this.record(-1, c.cpu, c.id, c.name, c.fn, 'irq_exit', 0, '', '');
    } else if (cpu.cur === c) {
      cpu.cur = null;
    }
  }

  /** Performs one op atomically and returns its result. */
  private apply(c: Context, op: Op): unknown {
    const mem = this.memory;
    const h = op.h;
    const k = op.k;
    if (k <= K.ATOMIC_ADD_RETURN || (k >= K.STORE_RELEASE && !isFence(k))) {
      if (k !== K.CUSTOM && !(h > 0 && h < this.arena.objs.length && this.arena.freed[h] === 0)) {
        this.badPointer(c, op);
      }
    }
    let result: unknown;
    if (mem.lk !== null) mem.lk.step = this.step;
    if (mem.lk !== null && k !== K.CUSTOM) {
      result = this.applyLkmm(c, op);
      this.hash.mix(k);
      this.hash.mix(h);
      this.hash.mixValue(result);
      return result;
    }
    if (k > K.CUSTOM) return this.applyExtra(c, op);
    switch (k) {
      case K.LOAD: case K.READ_ONCE: case K.LOAD_ACQUIRE:
        result = mem.read(c.cpu, h, op.f);
        break;
      case K.STORE: case K.WRITE_ONCE: case K.STORE_RELEASE:
        mem.write(c.cpu, h, op.f, op.v);
        result = op.v;
        break;
      case K.XCHG:
        mem.drain(c.cpu);
        result = mem.readGlobal(h, op.f);
        mem.writeGlobal(h, op.f, op.v);
        break;
      case K.CMPXCHG:
        mem.drain(c.cpu);
        result = mem.readGlobal(h, op.f);
        if (result === op.o) mem.writeGlobal(h, op.f, op.v);
        break;
      case K.ATOMIC_ADD_RETURN:
        mem.drain(c.cpu);
        result = (mem.readGlobal(h, op.f) as number) + (op.v as number);
        mem.writeGlobal(h, op.f, result);
        break;
      case K.SMP_MB:
        mem.drain(c.cpu);
        break;
      case K.SMP_RMB: case K.SMP_WMB:
        break;
      default:
        result = op.x!.exec(this, c, op);
    }
    this.hash.mix(k);
    this.hash.mix(h);
    this.hash.mixValue(result);
    return result;
  }

  /**
   * The ops added with the lkmm mode, under SC and TSO: the ordered atomics are locked
   * instructions like the full ones (x86), the smp_mb__*() helpers compiler barriers.
   */
  private applyExtra(c: Context, op: Op): unknown {
    const r = rmwOf(op.k);
    let result: unknown;
    if (r >= 0) {
      const mem = this.memory;
      mem.drain(c.cpu);
      const old = mem.readGlobal(op.h, op.f);
      const base = r >> 2;
      if (base === K.XCHG) {
        result = old;
        mem.writeGlobal(op.h, op.f, op.v);
      } else if (base === K.CMPXCHG) {
        result = old;
        if (old === op.o) mem.writeGlobal(op.h, op.f, op.v);
      } else {
        result = (old as number) + (op.v as number);
        mem.writeGlobal(op.h, op.f, result);
        if (op.k === K.ATOMIC_ADD) result = undefined;
      }
    }
    this.hash.mix(op.k);
    this.hash.mix(op.h);
    this.hash.mixValue(result);
    return result;
  }

  /**
   * One op under lkmm (sim/lkmm.ts): loads read the write the scheduler picked, stores and
   * barriers update the views; an atomic RMW reads and writes the newest write at once,
   * with the ordering of its kind (the full ones between two smp_mb()).
   */
  private applyLkmm(c: Context, op: Op): unknown {
    const lk = this.memory.lk!;
    const cpu = c.cpu;
    const pick = this.readPick;
    this.readPick = 0;
    switch (op.k) {
      case K.LOAD: case K.READ_ONCE:
        return lk.load(cpu, op.h, op.f, pick, false);
      case K.LOAD_ACQUIRE:
        return lk.load(cpu, op.h, op.f, pick, true);
      case K.STORE: case K.WRITE_ONCE: case K.STORE_RELEASE:
        lk.store(cpu, op.h, op.f, op.v, op.k === K.STORE_RELEASE, false, pick);
        this.memory.writes++;
        return op.v;
      case K.SMP_RMB:
        lk.rmb(cpu);
        return undefined;
      case K.SMP_WMB:
        lk.wmb(cpu);
        return undefined;
      case K.SMP_MB: case K.SMP_MB_BEFORE_ATOMIC: case K.SMP_MB_AFTER_ATOMIC:
      case K.SMP_MB_AFTER_SPINLOCK:
        lk.fence(cpu);
        return undefined;
      default:
    }
    const r = rmwOf(op.k);
    const base = r >> 2;
    // A cmpxchg that fails is an unordered load (Documentation/atomic_t.txt).
    const fails = base === K.CMPXCHG && this.arena.objs[op.h]![op.f] !== op.o;
    const order = fails ? ORDER.RELAXED : r & 3;
    if (order === ORDER.MB) lk.fence(cpu);
    const old = lk.load(cpu, op.h, op.f, 0, order === ORDER.ACQUIRE);
    let result: unknown = old;
    let write = true;
    let v = op.v;
    if (base === K.CMPXCHG) write = old === op.o;
    else if (base === K.ATOMIC_ADD_RETURN) v = result = (old as number) + (op.v as number);
    if (write) {
      lk.store(cpu, op.h, op.f, v, order === ORDER.RELEASE || order === ORDER.MB);
      this.memory.writes++;
    }
    if (order === ORDER.MB) lk.fence(cpu);
    return op.k === K.ATOMIC_ADD ? undefined : result;
  }

  private badPointer(c: Context, op: Op): never {
    const why = this.arena.badAccess(op.h) ?? 'bad pointer';
    const kind = why.startsWith('use-after-free') ? 'use-after-free' : 'bad-pointer';
    return this.fault(c, 'P3-memory-safety', kind,
      `${c.name} in ${op.fn ?? c.fn}: ${OP_NAMES[op.k]} of .${op.f}: ${why}`);
  }

  // ---- ends and limits -------------------------------------------------------------------

  /** At quiescence, contexts that still want to run but cannot are deadlocked. */
  private checkStuck(): void {
    const stuck: string[] = [];
    let first: Context | undefined;
    const asleep: string[] = [];
    for (const c of this.all) {
      if (c.status === SLEEPING) asleep.push(`${c.name} (cpu${c.cpu}) asleep in schedule()`);
      if (c.status !== READY || c.pending === null) continue;
      const irq = this.cpus[c.cpu]!.irq;
      const op = c.pending;
      const why = irq !== null && irq !== c && irq.over === c
        ? `interrupted by ${irq.name}` : op.x?.waitReason?.(this, c, op) ??
        `waiting in ${op.x?.name ?? '?'}`;
      stuck.push(`${c.name} (cpu${c.cpu}) ${why}`);
      first ??= c;
    }
    if (first === undefined) return;
    stuck.push(...asleep);
    this.report({
      property: 'P4-locking', kind: 'deadlock',
      message: `deadlock: nothing can run; ${stuck.join('; ')}`,
      ctx: first.id, cpu: first.cpu, details: stuck,
    });
  }

  private overLimit(): never {
    const waiting = this.all.filter((c) => c.status === READY && c.waitingSince >= 0)
      .map((c) => `${c.name} has waited since step ${c.waitingSince}`);
    const hint = waiting.length > 0 ? `; ${waiting.join(', ')} (a spin loop that never ` +
      `makes progress?)` : '; likely cause: an unbounded loop in a task or a livelock';
    throw new LimitExceededError(`seed ${this.seed}: step limit ${this.limits.stepsMax} ` +
      `reached${hint}`);
  }

  private cpuOf(cpu: number, what: string): Cpu {
    const c = this.cpus[cpu];
    if (!Number.isInteger(cpu) || c === undefined) {
      throw new SimUsageError('E_BAD_CPU', `${what}: CPU ${cpu} does not exist ` +
        `(the machine has CPUs 0..${this.ncpu - 1})`);
    }
    return c;
  }

  // ---- trace -----------------------------------------------------------------------------

  private recordOp(c: Context, op: Op, result: unknown): void {
    const name = op.k === K.CUSTOM ? op.x!.name : OP_NAMES[op.k]!;
    const shown = isFence(op.k) ? '' : result;
    this.record(this.schedule[this.schedule.length - 1]!, c.cpu, c.id, c.name, op.fn ?? c.fn,
      name, op.h, op.f, shown, c.over?.name);
    const lk = this.memory.lk;
    if (lk !== null && lk.note.stale && (op.k === K.LOAD || op.k === K.READ_ONCE ||
      op.k === K.LOAD_ACQUIRE)) {
      const e = this.events![this.events!.length - 1]!;
      const by = lk.note.step < 0 ? 'the value before the run'
        : `written at step ${lk.note.step} by cpu${lk.note.cpu}`;
      e.value = `${e.value} (stale: ${by}; newest ${this.show(op.f, lk.note.newest)})`;
      lk.note.stale = false;
    } else if (lk !== null && lk.note.placed > 0) {
      const e = this.events![this.events!.length - 1]!;
      const n = lk.note.placed;
      e.value = `${e.value} (placed before the ${n === 1 ? 'newest write' : `${n} newest ` +
        'writes'} in coherence order: not the newest)`;
      lk.note.placed = 0;
    }
  }

  private record(id: number, cpu: number, ctx: number, who: string, fn: string, opName: string,
    h: number, field: string, value: unknown, over?: string): void {
    const e: TraceEvent = {
      step: id < 0 ? -1 : this.step, cpu, ctx, who, choice: id < 0 ? '' : tokenOf(id), fn,
      op: opName, obj: h > 0 ? this.arena.label(h) : '', field, value: this.show(field, value),
      time: this.now,
    };
    if (over !== undefined) e.over = over;
    this.events!.push(e);
  }

  private show(field: string, v: unknown): string {
    if (v === undefined || v === '') return '';
    if (typeof v === 'number' && POINTER_FIELDS.has(field)) return this.arena.label(v);
    return String(v);
  }
}


/** The body of a context restored as already finished. */
function* finished(): Model<unknown> {
  return undefined;
}

/** Runs a timer's callback and marks it finished. */
function* runTimer(t: Timer, c: Ctx): Model<unknown> {
  const r = yield* t.fn(c);
  t.running = false;
  return r;
}
