/**
 * fuzz(): many executions over scenarios and seeds, collecting the first failure of each
 * scenario. Execution i of a scenario uses seed `seed + i`, so any failure replays from its
 * own seed alone. An execution over a limit (the step limit: a livelock, an endless loop)
 * is a finding of its own (`limits`, `limit`), and the campaign goes on. No clock is read
 * here: callers that want speed figures time the call.
 */
import { configName, resolveVariant, type Variant } from '../eventpoll/variant.ts';
import { resolveScenario } from '../scenario/library.ts';
import type { Scenario } from '../scenario/types.ts';
import { LimitExceededError } from '../sim/errors.ts';
import type { MemoryMode } from '../sim/memory.ts';
import { PORTFOLIO_MEMBERS, portfolioMember } from '../sim/schedulers/portfolio.ts';
import { checkChunk, checkChunkResults, checkChunkSize, checkFuzzOptions } from './options.ts';
import {
  failureOf, rerunCommand, reverifyCommand, simulate, type Failure, type SimulateResult,
} from './simulate.ts';
import { verify, type VerifyResult } from './verify.ts';

/** Options of {@link fuzz}. */
export interface FuzzOptions {
  variant: string | Variant;
  bugs?: readonly string[];
  /** Scenarios (objects, library names or `gen:SEED`). */
  scenarios: readonly (Scenario | string)[];
  /** Executions per scenario. */
  schedules: number;
  /** First seed (default 0). */
  seed?: number;
  strategy?: string;
  memory?: MemoryMode;
  /** Stop a scenario at its first failure or execution over a limit (default true). */
  stopAtFirst?: boolean;
  /** Called after each execution with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** How replay commands name scenario objects (e.g. the JSON file they came from). */
  refs?: ReadonlyMap<Scenario, string>;
}

/**
 * An execution that went over one of its limits (the step limit, the context limit): it
 * never finished, so no property could be checked to the end. Most often a livelock or an
 * endless loop; reported as a finding of its own, beside violations.
 */
export interface LimitHit {
  /** The execution's seed. */
  seed: number;
  /** The limit and what was running, as the run said it (`seed 7: step limit 20000 ...`). */
  message: string;
  /** The command that runs it again (`run`: the schedule of an unfinished run is not kept). */
  replay: string;
  /** Executions of the scenario run up to it (1-based). */
  at: number;
}

/** What a run of executions found (a scenario's, or a chunk's). */
export interface FuzzTally {
  /** Executions run, those over a limit included. */
  schedules: number;
  /** Steps of the executions that finished. */
  steps: number;
  violations: number;
  /** Executions that went over a limit (see {@link LimitHit}). */
  limits: number;
  /** The first of them, if any. */
  limit?: LimitHit;
  /** The first failure, if any. */
  failure?: Failure;
  /** Its replay command. */
  replay?: string;
  /** Schedules of the scenario run up to the first failure (1-based), if any. */
  firstAt?: number;
  /**
   * With the `portfolio` strategy: the executions each member strategy ran, in the
   * portfolio's order (a member that ran none is absent).
   */
  members?: Record<string, number>;
  /** With the `portfolio` strategy: what its reduced search did (absent if it did not run). */
  verified?: VerifiedShare;
}

/** Per-scenario outcome. */
export interface ScenarioSummary extends FuzzTally {
  scenario: string;
}

/** The outcome of {@link fuzz}. */
export interface FuzzSummary {
  variant: string;
  schedules: number;
  steps: number;
  violations: number;
  /** Executions over a limit. */
  limits: number;
  /** With the `portfolio` strategy: executions per member strategy, over all scenarios. */
  members?: Record<string, number>;
  scenarios: ScenarioSummary[];
}

/**
 * One unit of fuzzing work: executions `from` to `to - 1` of scenario `index` of the
 * options (seeds `seed + from` ...). Plain data, so it can be run on another thread.
 */
export interface FuzzChunk {
  index: number;
  from: number;
  to: number;
  /**
   * The portfolio's reduced search (see {@link verifyShare}): this chunk runs `verify` for
   * at most `to - from` executions instead of seeds `from` to `to - 1`.
   */
  verify?: true;
}

/** What a portfolio's reduced search did on one scenario. */
export interface VerifiedShare {
  /** Executions the search ran (at most `slots`). */
  executions: number;
  /** Of those, cut short as equivalent to one already run. */
  blocked: number;
  /** Every schedule covered up to equivalence (`verify`'s "complete"). */
  complete: boolean;
  /** The executions the share had (`to - from` of its chunk). */
  slots: number;
}

/** What a chunk found: plain data, merged in chunk order by {@link mergeChunks}. */
export interface ChunkResult extends FuzzTally {
  index: number;
  from: number;
  variant: string;
}

/**
 * The executions of each scenario that a `portfolio` campaign gives to the reduced search
 * (`verify`, optimal DPOR): the last quarter, after the sampled members had the first three
 * quarters (most bugs fall to them within a few hundred schedules, docs/zoo.md). If the
 * search completes, every schedule of the scenario is covered up to equivalence: the
 * scenario is verified. 0 for other strategies.
 */
export function verifyShare(o: Pick<FuzzOptions, 'strategy' | 'schedules'>): number {
  return o.strategy === 'portfolio' ? Math.floor(o.schedules / 4) : 0;
}

/**
 * Runs one chunk; with `stopAtFirst` (default) it stops at the chunk's first failure or
 * execution over a limit. `onOne` is called after each finished execution with its result
 * (a caller can keep every failure), `onLimit` after each one over a limit; in a
 * {@link FuzzChunk.verify} chunk, `onOne` gets only the failure and `onExecution` is called
 * after each execution.
 */
export function runChunk(o: FuzzOptions, ch: FuzzChunk, onOne?: (r: SimulateResult) => void,
  onLimit?: (l: LimitHit) => void, onExecution?: () => void): ChunkResult {
  checkFuzzOptions(o, 'runChunk');
  checkChunk(ch, o.scenarios.length, o.schedules, verifyShare(o));
  if (ch.verify) return runVerifyChunk(o, ch, onOne, onExecution);
  const seed0 = o.seed ?? 0;
  const stop = o.stopAtFirst ?? true;
  const sc = o.scenarios[ch.index]!;
  const { scenario } = resolveScenario(sc);
  const portfolio = o.strategy === 'portfolio';
  const r0: ChunkResult = { index: ch.index, from: ch.from, variant: '', schedules: 0,
    steps: 0, violations: 0, limits: 0 };
  for (let i = ch.from; i < ch.to; i++) {
    const opts = {
      variant: o.variant, ...(o.bugs ? { bugs: o.bugs } : {}),
      scenario: typeof sc === 'string' ? sc : scenario, seed: (seed0 + i) >>> 0,
      ...(o.strategy ? { strategy: o.strategy } : {}), ...(o.memory ? { memory: o.memory } : {}),
      ...(typeof sc !== 'string' && o.refs?.has(sc) ? { scenarioRef: o.refs.get(sc)! } : {}),
    };
    let r: SimulateResult;
    try {
      r = simulate(opts);
    } catch (e) {
      if (!(e instanceof LimitExceededError)) throw e;
      // Over a limit: a finding of this execution, not the end of the campaign.
      r0.variant = configName(resolveVariant(o.variant, o.bugs));
      r0.schedules++;
      r0.limits++;
      if (portfolio) countMember(r0, portfolioMember(opts.seed, o.memory ?? scenario.memory));
      const hit: LimitHit = { seed: opts.seed, message: e.message, replay: rerunCommand(opts),
        at: i + 1 };
      r0.limit ??= hit;
      onLimit?.(hit);
      if (stop) break;
      continue;
    }
    r0.variant = r.variant;
    r0.schedules++;
    if (portfolio) countMember(r0, portfolioMember(opts.seed, r.memory));
    r0.steps += r.steps;
    onOne?.(r);
    if (r.violations.length > 0) {
      r0.violations++;
      if (!r0.failure) {
        r0.failure = failureOf(r, sc)!;
        r0.replay = r.replay;
        r0.firstAt = i + 1;
      }
      if (stop) break;
    }
  }
  return r0;
}

/** The keys of a tally's member counts, in order: the sampled members, then the search. */
const MEMBER_KEYS: readonly string[] = [...PORTFOLIO_MEMBERS, 'dpor'];

/**
 * A portfolio's reduced search on one scenario, within its share of executions; a failure
 * replays from its schedule (the search has no seed).
 */
function runVerifyChunk(o: FuzzOptions, ch: FuzzChunk, onOne?: (r: SimulateResult) => void,
  onExecution?: () => void): ChunkResult {
  const sc = o.scenarios[ch.index]!;
  const ref = typeof sc !== 'string' ? o.refs?.get(sc) : undefined;
  const slots = ch.to - ch.from;
  const r0: ChunkResult = { index: ch.index, from: ch.from,
    variant: configName(resolveVariant(o.variant, o.bugs)), schedules: 0, steps: 0,
    violations: 0, limits: 0 };
  let v: VerifyResult;
  try {
    v = verify({ variant: o.variant, ...(o.bugs ? { bugs: o.bugs } : {}), scenario: sc,
      ...(o.memory ? { memory: o.memory } : {}), maxExecutions: slots,
      keepGoing: !(o.stopAtFirst ?? true), onProgress: () => onExecution?.() });
  } catch (e) {
    if (!(e instanceof LimitExceededError)) throw e;
    // An execution of the search over a limit: a finding, and the end of the search.
    r0.schedules = 1;
    r0.limits = 1;
    r0.limit = { seed: 0, message: e.message, at: ch.from + 1,
      replay: reverifyCommand({ variant: o.variant, ...(o.bugs ? { bugs: o.bugs } : {}),
        scenario: sc, ...(o.memory ? { memory: o.memory } : {}),
        ...(ref !== undefined ? { scenarioRef: ref } : {}) }, slots) };
    r0.verified = { executions: 1, blocked: 0, complete: false, slots };
    countMember(r0, 'dpor');
    return r0;
  }
  r0.schedules = v.executions;
  r0.steps = v.steps;
  r0.violations = v.failed;
  r0.verified = { executions: v.executions, blocked: v.blocked, complete: v.complete, slots };
  countMember(r0, 'dpor', v.executions);
  if (v.failure) {
    // verify() names a scenario object '<scenario.json>'; the campaign may know its file.
    const f = ref === undefined ? v.failure : simulate({ variant: o.variant,
      ...(o.bugs ? { bugs: o.bugs } : {}), scenario: sc, schedule: v.failure.schedule,
      ...(o.memory ? { memory: o.memory } : {}), scenarioRef: ref });
    onOne?.(f);
    r0.failure = { ...failureOf(f, sc)!, strategy: 'dpor' };
    r0.replay = f.replay;
    r0.firstAt = ch.from + v.firstFailureAt!;
  }
  return r0;
}

/** Adds `n` executions of member strategy `m` to a tally, keeping the portfolio's order. */
function countMember(t: FuzzTally, m: string, n = 1): void {
  const old = t.members ?? {};
  if (old[m] !== undefined) {
    old[m] += n;
    return;
  }
  // Rebuilt in portfolio order, so that the key order does not depend on which ran first.
  const next: Record<string, number> = {};
  for (const k of MEMBER_KEYS) {
    if (k === m) next[k] = n;
    else if (old[k] !== undefined) next[k] = old[k];
  }
  t.members = next;
}

/**
 * The chunks of a campaign, scenario by scenario, each at most `size` executions long.
 * A single chunk per scenario (the default) is the sequential campaign.
 */
export function planChunks(o: FuzzOptions, size = Infinity): FuzzChunk[] {
  checkFuzzOptions(o, 'planChunks');
  checkChunkSize(size, o.scenarios.length, o.schedules);
  const out: FuzzChunk[] = [];
  const v = verifyShare(o);
  const sampled = o.schedules - v;
  for (let index = 0; index < o.scenarios.length; index++) {
    for (let from = 0; from < sampled; from += size) {
      out.push({ index, from, to: Math.min(sampled, from + size) });
    }
    // The reduced search is one chunk whatever the size: it cannot be cut.
    if (v > 0) out.push({ index, from: sampled, to: o.schedules, verify: true });
  }
  return out;
}

/**
 * Merges chunk results into the summary the sequential campaign gives, whatever the
 * chunking and the order the chunks ran in: per scenario, chunks are taken in seed order,
 * and with `stopAtFirst` nothing after the first chunk with a finding (a failure, or an
 * execution over a limit) counts.
 */
export function mergeChunks(o: FuzzOptions, results: readonly ChunkResult[]): FuzzSummary {
  checkFuzzOptions(o, 'mergeChunks');
  checkChunkResults(results, o.scenarios.length, o.schedules, o.stopAtFirst ?? true);
  return sumChunks(o, results);
}

/**
 * Adds up chunk results as {@link mergeChunks} does, without checking that they cover the
 * campaign (for a part of one: a shard, or a run stopped by a time limit or a signal). A
 * scenario none of whose chunks ran has zero counts.
 */
export function sumChunks(o: FuzzOptions, results: readonly ChunkResult[]): FuzzSummary {
  const stop = o.stopAtFirst ?? true;
  const sum: FuzzSummary = { variant: '', schedules: 0, steps: 0, violations: 0, limits: 0,
    scenarios: [] };
  const byScenario = o.scenarios.map(() => [] as ChunkResult[]);
  for (const r of results) byScenario[r.index]!.push(r);
  for (let index = 0; index < o.scenarios.length; index++) {
    const s: ScenarioSummary = { scenario: resolveScenario(o.scenarios[index]!).name,
      schedules: 0, steps: 0, violations: 0, limits: 0 };
    sum.scenarios.push(s);
    for (const r of byScenario[index]!.sort((x, y) => x.from - y.from)) {
      if (r.variant !== '') sum.variant = r.variant;
      if (addChunk(s, r) && stop) break;
    }
    sum.schedules += s.schedules;
    sum.steps += s.steps;
    sum.violations += s.violations;
    sum.limits += s.limits;
    for (const k of MEMBER_KEYS) {
      if (s.members?.[k] !== undefined) countMember(sum, k, s.members[k]);
    }
  }
  if (sum.variant === '') sum.variant = typeof o.variant === 'string' ? o.variant : o.variant.name;
  return sum;
}

/**
 * Adds a chunk's result to its scenario's tally (chunks taken in seed order), keeping the
 * first failure and the first execution over a limit; true when the chunk found either
 * (with stop-at-first, nothing after it counts).
 */
export function addChunk(s: FuzzTally, r: FuzzTally): boolean {
  s.schedules += r.schedules;
  s.steps += r.steps;
  s.violations += r.violations;
  s.limits += r.limits;
  for (const k of MEMBER_KEYS) {
    if (r.members?.[k] !== undefined) countMember(s, k, r.members[k]);
  }
  if (r.failure && !s.failure) {
    s.failure = r.failure;
    s.replay = r.replay!;
    s.firstAt = r.firstAt!;
  }
  if (r.limit && !s.limit) s.limit = r.limit;
  if (r.verified) s.verified = { ...r.verified };
  return r.failure !== undefined || r.limit !== undefined;
}

/** Runs the campaign (on this thread; the CLI's `--jobs` spreads chunks over threads). */
export function fuzz(o: FuzzOptions): FuzzSummary {
  checkFuzzOptions(o, 'fuzz');
  for (const s of o.scenarios) resolveScenario(s);
  const total = o.scenarios.length * o.schedules;
  const results: ChunkResult[] = [];
  let done = 0;
  const tick = (): void => o.onProgress?.(++done, total);
  for (const ch of planChunks(o)) {
    const r = runChunk(o, ch, ch.verify ? undefined : tick, tick, tick);
    results.push(r);
    // A scenario stopped at its first finding counts its skipped executions as done.
    if (r.schedules < ch.to - ch.from) {
      done += ch.to - ch.from - r.schedules;
      o.onProgress?.(done, total);
    }
  }
  return mergeChunks(o, results);
}
