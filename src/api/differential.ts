/**
 * differential(): the same scenario and seed on two variants, and the first observable
 * difference between them.
 *
 * What "the same schedule" means. Two variants take different numbers of steps for the same
 * syscall, so a step-level schedule of one means nothing to the other. The default
 * alignment, `syscalls`, keeps what a user of the syscalls can see the same: variant A runs
 * under the seeded strategy and its *macro order* is recorded: the order in which tasks
 * start their syscalls and in which interrupt sources fire. Variant B then runs under the
 * same strategy and seed, with one rule: a task may start its k-th syscall, and an IRQ
 * source may fire, only when that event is next in A's macro order. The strategy draws once
 * per step over all candidates, as in A's run; when the draw is a macro event out of order,
 * B takes the next candidate that is allowed. Steps inside a syscall (and in IRQ handlers,
 * timer expiries, store-buffer write-backs and signals) stay free, so each variant
 * interleaves its own kernel code as the seed says, and a variant compared with itself
 * makes exactly the same choices. If B cannot follow (nothing allowed is offered: say a
 * task of B sleeps where A's did not), B takes the drawn candidate and the result counts an
 * alignment divergence; a difference found after one is reported with that caveat.
 * `seed` alignment just runs both variants with the same strategy and seed, nothing more.
 *
 * Observables: each task's syscall results in program order (return value and the events
 * of epoll_wait), the violation (property and kind), and the final state: every file's
 * readiness and, per epoll set, each registered item's mask and whether it still holds a
 * deliverable event. Internal state (list layout, step counts, locks) is not compared: it
 * differs between designs by construction. Differences are ranked by {@link Severity}:
 * under `syscalls` alignment the kernel steps still interleave per variant, so "the other
 * waiter got the event" can be scheduling, while a violation or a call that never returns
 * is what the designs do differently.
 */
import '../eventpoll/variants.ts';
import { deliverable, fileReady } from '../eventpoll/checkers/deliverable.ts';
import { resolveVariant, configName, type Variant } from '../eventpoll/variant.ts';
import { buildMachine, type Built } from '../scenario/build.ts';
import { flagNames } from '../scenario/flags.ts';
import { resolveScenario } from '../scenario/library.ts';
import type { Scenario } from '../scenario/types.ts';
import { parseSeed, quote, SimUsageError } from '../sim/errors.ts';
import type { Limits } from '../sim/limits.ts';
import type { MemoryMode } from '../sim/memory.ts';
import { listOwners } from '../queues/list.ts';
import { ARRIVE_BASE, encodeSchedule, IRQ_BASE, TIMER_BASE } from '../sim/schedule.ts';
import type { Scheduler } from '../sim/scheduler.ts';
import { makeScheduler } from '../sim/schedulers/index.ts';
import {
  limitsArg, memoryArg, optionsArg, scenarioArg, strategyArg, stringArg, variantArg,
} from './options.ts';
import { simulate } from './simulate.ts';

/** How the two runs are lined up (see the module comment). */
export type Alignment = 'syscalls' | 'seed';

/** Options of {@link differential}. */
export interface DifferentialOptions {
  variantA: string | Variant;
  variantB: string | Variant;
  /** A scenario object or a library name. */
  scenario: Scenario | string;
  seed?: number;
  /** `random` (default), `pct` or `pct:D`. */
  strategy?: string;
  memory?: MemoryMode;
  /** Default `syscalls`. */
  align?: Alignment;
  limits?: Partial<Limits>;
  /** How replay commands name the scenario (default: its name). */
  scenarioRef?: string;
}

/** What one variant's run showed. */
export interface Observation {
  variant: string;
  steps: number;
  /** Per task, in program order: `op -> ret [events]`; a call that never returned is absent. */
  results: Record<string, string[]>;
  /** The first violation as `property (kind): message`, if any. */
  violation?: string;
  /** Final state: `file:NAME` or `set:NAME/ITEM` -> description. */
  final: Record<string, string>;
  /** The recorded schedule and its replay command. */
  schedule: string;
  replay: string;
}

/**
 * How much a difference says, most first: a different violation; a call that returned in
 * one variant and never in the other; a different return value; the same count with other
 * events (often just which waiter got which event, i.e. scheduling); the final state.
 */
export type Severity = 'violation' | 'blocked' | 'return' | 'events' | 'final';

const SEVERITY_ORDER: readonly Severity[] = ['violation', 'blocked', 'return', 'events', 'final'];

/** One observable difference. */
export interface Difference {
  kind: 'results' | 'violation' | 'final';
  severity: Severity;
  /** The task, or the state key. */
  where: string;
  /** For results: the 0-based syscall index in the task's program. */
  index?: number;
  a: string;
  b: string;
}

/** The outcome of {@link differential}. */
export interface DifferentialResult {
  scenario: string;
  seed: number;
  align: Alignment;
  a: Observation;
  b: Observation;
  /** Every difference, most severe first (then task order, then program order). */
  differences: Difference[];
  /** Steps at which B could not follow A's macro order (0 when aligned). */
  divergences: number;
}

/** A macro event: a task starting syscall k (`t<task>:<k>`) or an IRQ arrival (`q<k>`). */
type Macro = string;

/** Tracks which task steps start a syscall. */
class SyscallTracker {
  private readonly started: number[];
  constructor(private readonly built: Built, private readonly names: readonly string[]) {
    this.started = names.map(() => -1);
  }

  private completed(t: number): number {
    const name = this.names[t];
    let n = 0;
    for (const r of this.built.results) if (r.task === name) n++;
    return n;
  }

  /** The macro event a choice id stands for now, or undefined for a micro step. */
  macro(id: number): Macro | undefined {
    if (id < IRQ_BASE) {
      const k = this.completed(id);
      return this.started[id] === k ? undefined : `t${id}:${k}`;
    }
    if (id >= ARRIVE_BASE && id < TIMER_BASE) return `q${id - ARRIVE_BASE}`;
    return undefined;
  }

  /** Notes that `id` was chosen. */
  chose(id: number): void {
    if (id < IRQ_BASE) this.started[id] = this.completed(id);
  }
}

/** Wraps a strategy: records the macro order (mode A) or follows one (mode B). */
class MacroScheduler implements Scheduler {
  readonly name = 'macro';
  readonly order: Macro[] = [];
  divergences = 0;
  private tracker!: SyscallTracker;

  constructor(private readonly inner: Scheduler, private readonly follow?: Macro[]) {}

  attach(t: SyscallTracker): void {
    this.tracker = t;
  }

  begin(seed: number): void {
    this.inner.begin(seed);
  }

  /** A micro step, or the macro event that is next in A's order. */
  private allowed(id: number): boolean {
    const mac = this.tracker.macro(id);
    return mac === undefined || mac === this.follow![0];
  }

  pick(ids: Int32Array, n: number, step: number): number {
    // One draw of the strategy per step, over all candidates, exactly as in the recorded
    // run: a variant compared with itself then makes the same choices. Only when the draw
    // is a macro event out of A's order does B take the next allowed candidate instead.
    let idx = this.inner.pick(ids, n, step);
    if (this.follow !== undefined && this.follow.length > 0 && !this.allowed(ids[idx]!)) {
      let j = -1;
      for (let k = 1; k < n; k++) {
        if (this.allowed(ids[(idx + k) % n]!)) {
          j = (idx + k) % n;
          break;
        }
      }
      if (j < 0) this.divergences++;
      else idx = j;
    }
    const id = ids[idx]!;
    const mac = this.tracker.macro(id);
    if (mac !== undefined) {
      this.order.push(mac);
      if (this.follow) {
        const at = this.follow.indexOf(mac);
        if (at >= 0) this.follow.splice(at, 1);
      }
    }
    this.tracker.chose(id);
    return idx;
  }
}

/**
 * A table keyed by names from the scenario: no prototype, so a task named `__proto__` or
 * `constructor` is a key like any other (and JSON.stringify keeps it).
 */
function table<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function describeFinal(built: Built): Record<string, string> {
  const m = built.machine;
  const k = built.kernel;
  const out = table<string>();
  for (const f of k.files) {
    const label = m.arena.label(f);
    out[`file:${label}`] = m.arena.isLive(f) ? `ready ${flagNames(fileReady(m, f))}` : 'closed';
  }
  for (const ep of k.eventpolls) {
    const o = m.arena.objs[ep];
    if (!m.arena.isLive(ep) || o === undefined || typeof o.rbr !== 'number') continue;
    for (const epi of listOwners(m, o.rbr)) {
      const events = m.arena.objs[epi]!.events as number;
      const why = deliverable(m, epi);
      out[`set:${m.arena.label(ep)}/${m.arena.label(epi)}`] =
        `${flagNames(events)}${why === undefined ? '' : ', deliverable'}`;
    }
  }
  return out;
}

function resultsOf(built: Built, names: readonly string[]): Record<string, string[]> {
  const out = table<string[]>();
  for (const n of names) out[n] = [];
  for (const r of built.results) {
    out[r.task]!.push(`${r.op} -> ${r.ret}${r.events?.length ? ' ' + r.events.join(' ') : ''}`);
  }
  return out;
}

interface Run {
  obs: Observation;
  order: Macro[];
  divergences: number;
}

function runOne(variant: string | Variant, sc: Scenario, o: DifferentialOptions, seed: number,
  follow?: Macro[]): Run {
  const cfg = resolveVariant(variant);
  const memory = o.memory ?? sc.memory ?? 'sc';
  const built = buildMachine(sc, { cfg, seed, memory,
    ...(o.limits ? { limits: o.limits } : {}) });
  const names = sc.tasks.map((t) => t.name);
  const sched = new MacroScheduler(makeScheduler(o.strategy ?? 'random', memory),
    follow ? [...follow] : undefined);
  sched.attach(new SyscallTracker(built, names));
  const out = built.machine.run(sched);
  const schedule = encodeSchedule(out.schedule);
  const name = configName(cfg);
  const v = out.violations[0];
  // The replay command comes from a strict replay, which also checks determinism.
  const again = simulate({ variant, scenario: sc, seed, memory, schedule,
    scenarioRef: o.scenarioRef ?? sc.name });
  const obs: Observation = { variant: name, steps: out.steps, results: resultsOf(built, names),
    final: describeFinal(built), schedule, replay: again.replay };
  if (v) obs.violation = `${v.property} (${v.kind}): ${v.message}`;
  return { obs, order: sched.order, divergences: sched.divergences };
}

function compare(a: Observation, b: Observation, tasks: readonly string[]): Difference[] {
  const diffs: Difference[] = [];
  for (const t of tasks) {
    const ra = a.results[t] ?? [];
    const rb = b.results[t] ?? [];
    for (let i = 0; i < Math.max(ra.length, rb.length); i++) {
      if (ra[i] !== rb[i]) {
        const ret = (x: string | undefined) => x?.replace(/^\S+ -> (\S+).*$/, '$1');
        const severity: Severity = ra[i] === undefined || rb[i] === undefined ? 'blocked'
          : ret(ra[i]) !== ret(rb[i]) ? 'return' : 'events';
        diffs.push({ kind: 'results', severity, where: t, index: i,
          a: ra[i] ?? '(never returned)', b: rb[i] ?? '(never returned)' });
        break;
      }
    }
  }
  const va = a.violation?.replace(/:.*$/, '');
  const vb = b.violation?.replace(/:.*$/, '');
  if (va !== vb) {
    diffs.push({ kind: 'violation', severity: 'violation', where: 'run',
      a: a.violation ?? 'none', b: b.violation ?? 'none' });
  }
  for (const key of new Set([...Object.keys(a.final), ...Object.keys(b.final)])) {
    if (a.final[key] !== b.final[key]) {
      diffs.push({ kind: 'final', severity: 'final', where: key, a: a.final[key] ?? 'absent',
        b: b.final[key] ?? 'absent' });
    }
  }
  const rank = (d: Difference) => SEVERITY_ORDER.indexOf(d.severity);
  return diffs.map((d, i) => ({ d, i })).sort((x, y) => rank(x.d) - rank(y.d) || x.i - y.i)
    .map((x) => x.d);
}

/** Runs the scenario on both variants and compares what they showed. */
export function differential(o: DifferentialOptions): DifferentialResult {
  const x = optionsArg(o, 'differential');
  variantArg(x.variantA, 'differential: variantA');
  variantArg(x.variantB, 'differential: variantB');
  scenarioArg(x.scenario, 'differential: scenario');
  strategyArg(x.strategy, 'differential: strategy');
  memoryArg(x.memory, 'differential: memory');
  limitsArg(x.limits, 'differential: limits');
  stringArg(x.scenarioRef, 'differential: scenarioRef');
  if (x.align !== undefined && x.align !== 'syscalls' && x.align !== 'seed') {
    throw new SimUsageError('E_BAD_ARGUMENT', `differential: align: expected 'syscalls' or ` +
      `'seed', got ${quote(x.align)}`);
  }
  const seed = parseSeed(o.seed ?? 0);
  const { scenario, name } = resolveScenario(o.scenario);
  const align = o.align ?? 'syscalls';
  const a = runOne(o.variantA, scenario, o, seed);
  const b = runOne(o.variantB, scenario, o, seed, align === 'syscalls' ? a.order : undefined);
  const tasks = scenario.tasks.map((t) => t.name);
  return { scenario: name, seed, align, a: a.obs, b: b.obs,
    differences: compare(a.obs, b.obs, tasks), divergences: b.divergences };
}
