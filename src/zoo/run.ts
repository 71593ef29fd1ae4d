/**
 * Runs one zoo entry: the finder per strategy over seed families, the shrinker on the
 * shortest failure found, and the clean sweep of the fixed counterpart over a multiple of
 * the schedules the bug needed. Returns plain data for the table, JSON and the tests.
 */
import { fixedConfig, missing, type ZooEntry } from './entries.ts';
import {
  expected, firstFailure, maximum, median, sweep, type Finding, type Sweep,
} from './search.ts';
import { shrinkSchedule, type ShrinkResult } from './shrink.ts';

/** The strategies the zoo compares, in table order. */
export const ZOO_STRATEGIES = ['random', 'pct', 'portfolio'] as const;

/**
 * The zoo's default strategy: PCT (depth 3). Uniform random walk offers every enabled
 * interrupt source, timer and store-buffer write-back at every step, so these fire within a
 * few steps of becoming possible; a bug that needs one of them held back for tens of steps
 * (B1, B6, B11, and the late write of B7) is then exponentially unlikely. PCT's priorities
 * hold a low-priority source back for as long as the run lasts (docs/zoo.md has the data).
 */
export const ZOO_DEFAULT_STRATEGY = 'pct';

/** The strategy an entry's bug is pinned and swept with: its own, else the default. */
export function entryStrategy(e: ZooEntry): string {
  return e.strategy ?? ZOO_DEFAULT_STRATEGY;
}

/** Options of {@link runEntry}. */
export interface ZooRunOptions {
  /** Seed families per strategy (default 10). */
  families?: number;
  /** Override the entry's per-family budget. */
  budget?: number;
  /**
   * The fixed sweep runs, with each strategy, this multiple (default 100) of the schedules
   * the bug needed: the worst family of the default strategy (see {@link fixedTarget}).
   */
  fixedMultiple?: number;
  /** ...but at least this many schedules per strategy (default 1000). */
  fixedMin?: number;
  /** Skip the fixed sweep. */
  skipFixed?: boolean;
  /** Skip the shrinker. */
  skipShrink?: boolean;
  /** Executions the shrinker may spend (default 1500). */
  shrinkRuns?: number;
  /** Progress: a phase label and a count. */
  onProgress?: (phase: string, n: number) => void;
}

/** Schedules-to-first-failure of one strategy. */
export interface StrategyStats {
  strategy: string;
  /**
   * Per family: schedules up to the first failure, or null when there was none within the
   * budget or the first failure was another property (listed in `unexpected`).
   */
  perFamily: (number | null)[];
  /** Per family: the failing seed, or null. */
  seeds: (number | null)[];
  median: number | null;
  /** Null when some family found nothing. */
  max: number | null;
  /** Families whose first failure was not the expected property. */
  unexpected: { family: number; property: string; message: string; replay: string }[];
}

/** The fixed counterpart's sweep for one strategy. */
export interface FixedStats {
  strategy: string;
  /** Schedules the sweep had to run (the multiple of the bug's worst family). */
  target: number;
  schedules: number;
  clean: boolean;
  failure?: { seed: number; scenario: string; property: string; message: string; replay: string };
}

/** Everything measured for one entry. */
export interface EntryReport {
  id: string;
  title: string;
  bug: string;
  fixed: string;
  property: string;
  status: 'found' | 'not-found' | 'unexpected' | 'pending';
  pending?: string;
  budget: number;
  families: number;
  strategies: StrategyStats[];
  /** The first expected failure found (shortest run), with its violation. */
  example?: { seed: number; scenario: string; strategy: string; property: string;
    kind: string; message: string; steps: number; replay: string };
  shrunk?: ShrinkResult;
  fixedPending?: string;
  fixedRuns: FixedStats[];
}

function strategyStats(e: ZooEntry, strategy: string, families: number, budget: number,
  found: Finding[], o: ZooRunOptions): StrategyStats {
  const s: StrategyStats = { strategy, perFamily: [], seeds: [], median: null, max: null,
    unexpected: [] };
  for (let f = 0; f < families; f++) {
    const hit = firstFailure(e.bug, e.scenarios, { strategy, family: f, budget,
      onProgress: (n) => o.onProgress?.(`${e.id} ${strategy} family ${f}`, n) });
    // A family whose first failure is another property did not find this bug.
    const ok = hit !== undefined && expected(e, hit);
    s.perFamily.push(ok ? hit.schedules : null);
    s.seeds.push(ok ? hit.seed : null);
    if (hit && !ok) {
      s.unexpected.push({ family: f, property: `${hit.property} (${hit.kind})`,
        message: hit.message, replay: hit.replay });
    } else if (hit) {
      found.push(hit);
    }
  }
  const xs = s.perFamily.map((x) => x ?? undefined);
  s.median = median(xs) ?? null;
  s.max = maximum(xs) ?? null;
  return s;
}

/**
 * The schedules the bug needed: the maximum over families of the default strategy; if a
 * family of it found nothing, the largest count any strategy needed, or else the budget.
 */
export function bugNeeded(rep: Pick<EntryReport, 'strategies' | 'budget'>): number {
  const def = rep.strategies.find((s) => s.strategy === ZOO_DEFAULT_STRATEGY);
  if (def?.max !== null && def?.max !== undefined) return def.max;
  const all = rep.strategies.flatMap((s) => s.perFamily).filter((x): x is number => x !== null);
  return all.length > 0 ? Math.max(...all) : rep.budget;
}

/** Schedules each strategy's fixed sweep runs. */
export function fixedTarget(rep: Pick<EntryReport, 'strategies' | 'budget'>, o: ZooRunOptions):
number {
  return Math.max(o.fixedMin ?? 1000, (o.fixedMultiple ?? 100) * bugNeeded(rep));
}

function fixedSweep(config: string, e: ZooEntry, strategy: string, target: number,
  o: ZooRunOptions): FixedStats {
  const r: Sweep = sweep(config, e.scenarios, strategy, target,
    (n) => o.onProgress?.(`${e.id} fixed ${strategy}`, n));
  const out: FixedStats = { strategy, target, schedules: r.schedules,
    clean: r.failure === undefined };
  if (r.failure) {
    out.failure = { seed: r.failure.seed, scenario: r.failure.scenario.name,
      property: `${r.failure.property} (${r.failure.kind})`, message: r.failure.message,
      replay: r.failure.replay };
  }
  return out;
}

/** Context switches in a schedule: one per token of its run-length encoding. */
function switches(schedule: string): number {
  return (schedule.match(/[A-Za-z]/g) ?? []).length;
}

/**
 * Shrinks the four failures with the fewest context switches (the result depends on where
 * shrinking starts) and keeps the smallest: fewest chosen switches, then fewest steps.
 */
function shrinkBest(e: ZooEntry, found: readonly Finding[], o: ZooRunOptions): ShrinkResult {
  o.onProgress?.(`${e.id} shrink`, 0);
  const starts = [...found].sort((a, b) => switches(a.schedule) - switches(b.schedule) ||
    a.steps - b.steps || a.seed - b.seed).slice(0, 4);
  let best: ShrinkResult | undefined;
  for (const f of starts) {
    const r = shrinkSchedule({ variant: e.bug, scenario: f.scenario, seed: f.seed,
      schedule: f.schedule, property: f.property, kind: f.kind,
      ...(o.shrinkRuns !== undefined ? { maxRuns: o.shrinkRuns } : {}) });
    if (!best || r.decisions < best.decisions ||
      (r.decisions === best.decisions && r.steps < best.steps)) best = r;
  }
  return best!;
}

/** Runs one entry. */
export function runEntry(e: ZooEntry, o: ZooRunOptions = {}): EntryReport {
  const families = o.families ?? 10;
  const budget = o.budget ?? e.budget;
  const fixed = fixedConfig(e);
  const rep: EntryReport = {
    id: e.id, title: e.title, bug: e.bug, fixed: fixed ?? '-', property: e.property,
    status: 'pending', budget, families, strategies: [], fixedRuns: [],
  };
  const why = missing(e.bug);
  if (why !== undefined) {
    rep.pending = why;
    return rep;
  }
  const found: Finding[] = [];
  for (const strategy of ZOO_STRATEGIES) {
    rep.strategies.push(strategyStats(e, strategy, families, budget, found, o));
  }
  const anyUnexpected = rep.strategies.some((s) => s.unexpected.length > 0);
  rep.status = found.length > 0 ? 'found' : anyUnexpected ? 'unexpected' : 'not-found';
  if (found.length > 0) {
    const best = [...found].sort((a, b) => a.steps - b.steps || a.seed - b.seed)[0]!;
    rep.example = { seed: best.seed, scenario: best.scenario.name, strategy: best.strategy,
      property: best.property, kind: best.kind, message: best.message, steps: best.steps,
      replay: best.replay };
    if (!o.skipShrink) rep.shrunk = shrinkBest(e, found, o);
  }
  if (fixed === undefined) {
    rep.fixedPending = (e.fixed as { pending: string }).pending;
  } else if (missing(fixed) !== undefined) {
    rep.fixedPending = missing(fixed);
  } else if (!o.skipFixed && rep.status === 'found') {
    const target = fixedTarget(rep, o);
    for (const strategy of ZOO_STRATEGIES) {
      rep.fixedRuns.push(fixedSweep(fixed, e, strategy, target, o));
    }
  }
  return rep;
}
