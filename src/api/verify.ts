/**
 * verify(): every schedule of a scenario up to equivalence, by dynamic partial-order
 * reduction (optimal DPOR: wakeup trees and sleep sets, sim/schedulers/dpor.ts), with or
 * without a preemption bound. Two schedules are equivalent when they order every pair of dependent
 * steps the same way (sim/por.ts); one of each class is run. A complete search without a
 * bound covers every schedule; the first failure is returned with its replay otherwise.
 */
import { configName, resolveVariant, type Variant } from '../eventpoll/variant.ts';
import { buildMachine, type Built } from '../scenario/build.ts';
import { resolveScenario } from '../scenario/library.ts';
import type { Scenario } from '../scenario/types.ts';
import { intArg, quote, SimUsageError } from '../sim/errors.ts';
import type { MemoryMode } from '../sim/memory.ts';
import { encodeSchedule } from '../sim/schedule.ts';
import { DporScheduler, SleepBlocked, type PorMode } from '../sim/schedulers/dpor.ts';
import {
  boolArg, bugsArg, functionArg, memoryArg, optionsArg, scenarioArg, variantArg,
} from './options.ts';
import { PREEMPTIONS_MAX } from './explore.ts';
import { simulate, type SimulateResult } from './simulate.ts';

/** Options of {@link verify}. */
export interface VerifyOptions {
  variant: string | Variant;
  bugs?: readonly string[];
  scenario: Scenario | string;
  /** A preemption bound (default: none, every schedule). */
  preemptions?: number;
  /** Stop after this many executions (default 1,000,000). */
  maxExecutions?: number;
  memory?: MemoryMode;
  /**
   * `dpor` (default: optimal DPOR's wakeup trees without a bound, source sets with one),
   * `source` (source sets always) or `none`: the unreduced depth-first search, for comparison.
   */
  reduction?: PorMode;
  /**
   * Search within these preemption bounds first, in order, then with `preemptions` (for
   * finding bugs: a bounded search reaches shallow bugs in fewer executions; the counts add
   * up). Default none.
   */
  boundsFirst?: readonly number[];
  /** Go on after a violation (default false: stop at the first). */
  keepGoing?: boolean;
  /** Collect the distinct outcomes (see {@link outcomeOf}); costs a state walk per run. */
  outcomes?: boolean;
  /** Called after each execution with the count so far. */
  onProgress?: (executions: number) => void;
  /** Asked before each execution after the first: true ends the search (`stopped`). */
  shouldStop?: () => boolean;
}

/** The outcome of {@link verify}. */
export interface VerifyResult {
  /** Executions run, including those cut short by sleep sets. */
  executions: number;
  /** Of those, executions cut short because they were equivalent to one already run. */
  blocked: number;
  /**
   * Wakeup-tree branches dropped because their first process was not enabled when reached
   * (present only when not 0; the dependency relation says it cannot happen).
   */
  stale?: number;
  steps: number;
  /** True when every schedule (within the bound, if any) was covered up to equivalence. */
  complete: boolean;
  stopped?: boolean;
  /** The bound, or null for none. */
  preemptions: number | null;
  reduction: PorMode;
  /** Executions that ended in a violation, by `property:kind`. */
  violations: Record<string, number>;
  /** Executions that ended in a violation (one may count under several keys above). */
  failed: number;
  /** The first failing execution, traced, with its replay command. */
  failure?: SimulateResult;
  /** The index (1-based) of the execution that failed first. */
  firstFailureAt?: number;
  /** The distinct outcomes, sorted (with `outcomes: true`). */
  outcomes?: string[];
}

/**
 * One execution's outcome, independent of the order of independent steps: the violations by
 * property and kind when it failed (the state at the stop depends on where the run stopped),
 * else the syscall results of each task in order and a fingerprint of the final state (every
 * arena object and its fields, an item's epoll_data by name, what was freed, buffered stores,
 * the contexts' states, virtual time). The trace hash mixes the order of steps in, so it is
 * not an outcome.
 */
export function outcomeOf(b: Built, status: string, violations: readonly
{ property: string; kind: string }[]): string {
  if (violations.length > 0) {
    return `violation ${violations.map((v) => `${v.property}:${v.kind}`).join(',')}`;
  }
  const m = b.machine;
  const byTask = new Map<string, string[]>();
  for (const r of b.results) {
    let l = byTask.get(r.task);
    if (l === undefined) byTask.set(r.task, l = []);
    l.push(`${r.op}=${String(r.ret)}${r.events ? `[${r.events.join(' ')}]` : ''}`);
  }
  const results = [...byTask.keys()].sort().map((t) => `${t}: ${byTask.get(t)!.join('; ')}`);
  const h = new Fnv();
  const objs = m.arena.objs;
  for (let i = 0; i < objs.length; i++) {
    const o = objs[i]!;
    h.add(`#${i}${m.arena.freed[i]}`);
    for (const k of Object.keys(o)) {
      // epoll_data is numbered in order of first use (see Built.dataNames): use the name.
      const v = k === 'data' && o.kind === 'epitem'
        ? b.dataNames[o[k] as number] ?? o[k] : o[k];
      h.add(`${k}=${String(v)}`);
    }
  }
  for (const b2 of m.memory.buffers) for (const e of b2) h.add(`sb ${e.h}.${e.f}=${String(e.v)}`);
  for (const c of m.contexts()) h.add(`ctx ${c.name} ${c.status}`);
  for (const [k, v] of b.tallies) h.add(`tally ${k}=${v}`);
  h.add(`now ${m.now}`);
  return `${status} ${results.join(' | ')} state=${h.hex()}`;
}

/** A 64-bit FNV-1a over strings, as two 32-bit halves (only for outcome fingerprints). */
class Fnv {
  private a = 0x811c9dc5;
  private b = 0x050c5d1f;

  add(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      this.a = Math.imul(this.a ^ c, 0x01000193);
      this.b = Math.imul(this.b ^ c, 0x01000193) ^ (this.a >>> 7);
    }
    this.a = Math.imul(this.a ^ 0xff, 0x01000193);
  }

  hex(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') +
      (this.b >>> 0).toString(16).padStart(8, '0');
  }
}

/** Runs the reduced (or, with `reduction: 'none'`, the full) search. */
export function verify(o: VerifyOptions): VerifyResult {
  const x = optionsArg(o, 'verify');
  variantArg(x.variant, 'verify: variant');
  bugsArg(x.bugs, 'verify: bugs');
  scenarioArg(x.scenario, 'verify: scenario');
  memoryArg(x.memory, 'verify: memory');
  boolArg(x.keepGoing, 'verify: keepGoing');
  boolArg(x.outcomes, 'verify: outcomes');
  functionArg(x.onProgress, 'verify: onProgress');
  functionArg(x.shouldStop, 'verify: shouldStop');
  const bound = o.preemptions === undefined ? null
    : intArg(o.preemptions, 'verify: preemptions', 0, PREEMPTIONS_MAX);
  const max = intArg(o.maxExecutions ?? 1_000_000, 'verify: maxExecutions', 1, 1_000_000_000);
  const mode = o.reduction ?? 'dpor';
  if (mode !== 'dpor' && mode !== 'source' && mode !== 'none') {
    throw new SimUsageError('E_BAD_ARGUMENT', 'verify: reduction: expected dpor, source or ' +
      `none, got ` +
      quote(mode));
  }
  const cfg = resolveVariant(o.variant, o.bugs);
  const { scenario } = resolveScenario(o.scenario);
  const memory = o.memory ?? scenario.memory ?? 'sc';
  if (x.boundsFirst !== undefined && (!Array.isArray(x.boundsFirst) || x.boundsFirst.length > 8)) {
    throw new SimUsageError('E_BAD_ARGUMENT', `verify: boundsFirst: expected an array of ` +
      `at most 8 preemption bounds, got ${quote(x.boundsFirst)}`);
  }
  const passes = (o.boundsFirst ?? []).map((k, i) =>
    intArg(k, `verify: boundsFirst[${i}]`, 0, PREEMPTIONS_MAX));
  passes.push(bound ?? Infinity);
  let sched = new DporScheduler(mode, passes[0]!);
  let blocked = 0;
  let stale = 0;
  const outcomes = o.outcomes ? new Set<string>() : undefined;
  const violations: Record<string, number> = {};
  let executions = 0;
  let failed = 0;
  let steps = 0;
  let failure: SimulateResult | undefined;
  let firstFailureAt: number | undefined;
  let more = true;
  const result = (complete: boolean, stopped = false): VerifyResult => ({
    executions, blocked: blocked + sched.blocked, steps, complete,
    ...(stale + sched.stale > 0 ? { stale: stale + sched.stale } : {}),
    ...(stopped ? { stopped } : {}),
    preemptions: bound, reduction: mode, violations, failed,
    ...(failure ? { failure, firstFailureAt } : {}),
    ...(outcomes ? { outcomes: [...outcomes].sort() } : {}),
  });
  while (more && executions < max) {
    if (executions > 0 && o.shouldStop?.()) return result(false, true);
    const built = buildMachine(scenario, { cfg, seed: 0, memory });
    sched.attach(built.machine);
    let quiescent = false;
    executions++;
    try {
      const out = built.machine.run(sched);
      steps += out.steps;
      quiescent = out.status !== 'violation';
      if (out.violations.length > 0) {
        failed++;
        for (const v of out.violations) {
          const key = `${v.property}:${v.kind}`;
          violations[key] = (violations[key] ?? 0) + 1;
        }
        if (failure === undefined) {
          firstFailureAt = executions;
          failure = simulate({ variant: o.variant, ...(o.bugs ? { bugs: o.bugs } : {}),
            scenario: o.scenario, schedule: encodeSchedule(out.schedule), trace: true,
            ...(o.memory ? { memory: o.memory } : {}) });
        }
      }
      outcomes?.add(outcomeOf(built, out.status, out.violations));
      if (failure !== undefined && !o.keepGoing) {
        o.onProgress?.(executions);
        return result(false);
      }
    } catch (e) {
      if (!(e instanceof SleepBlocked)) throw e;
      steps += built.machine.step;
    }
    o.onProgress?.(executions);
    more = sched.next(quiescent);
    if (!more && passes.length > 1) {
      // The next bound: a new search (its first executions repeat the bounded ones).
      passes.shift();
      blocked += sched.blocked;
      stale += sched.stale;
      sched = new DporScheduler(mode, passes[0]!);
      more = true;
    }
  }
  return result(!more);
}

/** The name a result's configuration goes by (for reports). */
export function verifyConfigName(o: Pick<VerifyOptions, 'variant' | 'bugs'>): string {
  return configName(resolveVariant(o.variant, o.bugs));
}
