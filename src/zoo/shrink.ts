/**
 * A schedule shrinker: from a failing run, a short failing interleaving with few
 * non-default decisions.
 *
 * The failing run is first re-expressed as a choice list read by the
 * {@link StickyChoicesScheduler}: one number per step that offered more than one candidate,
 * where 0 means "keep running what ran last" and past the end of the list every choice is 0
 * (a deterministic fallback). So the non-zero choices are the context switches the failure
 * needs. A candidate list "still fails" when its run violates the same property with the
 * same kind. Delta debugging then works on that list: cut the tail, zero out chunks (a
 * zero is the default decision), delete chunks, move single decisions by one place, and
 * lower them. A candidate is kept only if it fails and is smaller by (non-default
 * decisions, steps, list length), so the process always ends; it is also bounded by
 * `maxRuns` executions. Everything is deterministic.
 *
 * The result is replayable exactly: the shrunk run's own schedule (every step, as choice
 * ids) comes back with its replay command.
 */
import { simulate, type SimulateResult } from '../api/simulate.ts';
import { resolveVariant, type VariantConfig } from '../eventpoll/variant.ts';
import { buildMachine } from '../scenario/build.ts';
import type { Scenario } from '../scenario/types.ts';
import type { Machine } from '../sim/machine.ts';
import type { MemoryMode } from '../sim/memory.ts';
import { encodeSchedule } from '../sim/schedule.ts';
import { ReplayScheduler } from '../sim/schedulers/replay.ts';
import { StickyChoicesScheduler, StickyRecorder } from './sticky.ts';

/** A failing run to shrink. */
export interface ShrinkInput {
  /** `variant+SWITCH...`. */
  variant: string;
  scenario: Scenario;
  seed: number;
  /** The failing run's schedule (compact text, as simulate() returns it). */
  schedule: string;
  memory?: MemoryMode;
  /** The violation to preserve. */
  property: string;
  kind: string;
  /** Executions the shrinker may spend (default 1500). */
  maxRuns?: number;
}

/** The shrunk interleaving. */
export interface ShrinkResult {
  /** Steps of the original failing run. */
  originalSteps: number;
  /** Context switches the original run chose. */
  originalDecisions: number;
  /** Steps of the shrunk run: the length of the interleaving to read. */
  steps: number;
  /** Context switches the shrunk run still chooses (non-zero choices). */
  decisions: number;
  /** The shrunk choice list (for the StickyChoicesScheduler). */
  choices: number[];
  /** The shrunk run's full schedule (compact text) and its replay command. */
  schedule: string;
  replay: string;
  /** Executions spent. */
  runs: number;
}

interface Tried {
  fails: boolean;
  steps: number;
  /** The choices actually consumed, trailing zeros dropped. */
  used: number[];
}

function nonZero(xs: readonly number[]): number {
  let n = 0;
  for (const x of xs) if (x !== 0) n++;
  return n;
}

function trimZeros(xs: number[]): number[] {
  let end = xs.length;
  while (end > 0 && xs[end - 1] === 0) end--;
  return xs.slice(0, end);
}

/** Lexicographic order on (decisions, steps, length). */
function smaller(a: Tried, b: Tried): boolean {
  const da = nonZero(a.used);
  const db = nonZero(b.used);
  if (da !== db) return da < db;
  if (a.steps !== b.steps) return a.steps < b.steps;
  return a.used.length < b.used.length;
}

/** The state of one shrink: the executions spent, a cache, and the best list so far. */
class Shrinker {
  runs = 0;
  best: Tried;
  readonly original: { steps: number; decisions: number };
  private readonly cfg: VariantConfig;
  private readonly maxRuns: number;
  private readonly cache = new Map<string, Tried>();

  constructor(private readonly input: ShrinkInput) {
    this.cfg = resolveVariant(input.variant);
    this.maxRuns = input.maxRuns ?? 1500;
    // The original run, as a choice list.
    const rec = new StickyRecorder(new ReplayScheduler(input.schedule));
    const out = this.build().run(rec);
    this.runs++;
    if (!this.failsAs(out.violations[0])) {
      throw new Error(`shrink: the given schedule does not violate ${input.property} ` +
        `(${input.kind}) on ${input.variant}`);
    }
    this.original = { steps: out.steps, decisions: nonZero(rec.choices) };
    this.best = { fails: true, steps: out.steps, used: trimZeros([...rec.choices]) };
  }

  get spent(): boolean {
    return this.runs >= this.maxRuns;
  }

  build(): Machine {
    return buildMachine(this.input.scenario, { cfg: this.cfg, seed: this.input.seed,
      ...(this.input.memory ? { memory: this.input.memory } : {}) }).machine;
  }

  failsAs(v: { property: string; kind: string } | undefined): boolean {
    return v !== undefined && v.property === this.input.property && v.kind === this.input.kind;
  }

  /** Runs a choice list (cached); undefined once the budget is spent. */
  tryChoices(choices: readonly number[]): Tried | undefined {
    const key = choices.join(',');
    const hit = this.cache.get(key);
    if (hit) return hit;
    if (this.spent) return undefined;
    this.runs++;
    const sched = new StickyChoicesScheduler(choices);
    const out = this.build().run(sched);
    const t: Tried = { fails: this.failsAs(out.violations[0]), steps: out.steps,
      used: trimZeros(choices.slice(0, sched.used)) };
    this.cache.set(key, t);
    return t;
  }

  /** Keeps `cand` if it still fails and is smaller than the best so far. */
  accept(cand: readonly number[]): boolean {
    const t = this.tryChoices(cand);
    if (!t || !t.fails || !smaller(t, this.best)) return false;
    this.best = t;
    return true;
  }

  /** The shortest prefix that still fails with the default fallback. */
  cutTail(): void {
    let lo = 0;
    let hi = this.best.used.length;
    while (lo < hi && !this.spent) {
      const mid = (lo + hi) >> 1;
      if (this.tryChoices(this.best.used.slice(0, mid))?.fails) hi = mid;
      else lo = mid + 1;
    }
    this.accept(this.best.used.slice(0, hi));
  }

  /** Zero out, else delete, chunks of halving size. */
  chunks(): boolean {
    let progress = false;
    for (let chunk = Math.max(1, this.best.used.length >> 1); chunk >= 1 && !this.spent;
      chunk >>= 1) {
      for (let at = 0; at < this.best.used.length && !this.spent; at += chunk) {
        const cur = this.best.used;
        const zeroed = cur.map((x, i) => (i >= at && i < at + chunk ? 0 : x));
        if (nonZero(zeroed) < nonZero(cur) && this.accept(zeroed)) progress = true;
        else if (this.accept([...cur.slice(0, at), ...cur.slice(at + chunk)])) progress = true;
      }
    }
    return progress;
  }

  /**
   * Move each chosen switch one decision earlier or later (a switch that is needed but
   * placed early by the strategy often works one step off, and may then merge or vanish).
   */
  moves(): boolean {
    let progress = false;
    for (let i = 0; i < this.best.used.length && !this.spent; i++) {
      if (this.best.used[i] === 0) continue;
      for (const j of [i - 1, i + 1]) {
        if (j < 0) continue;
        const cand = [...this.best.used];
        [cand[i], cand[j]] = [cand[j] ?? 0, cand[i]!];
        if (this.accept(cand)) {
          progress = true;
          break;
        }
      }
    }
    return progress;
  }

  /** Lower single decisions (a smaller index is an earlier candidate). */
  lowers(): boolean {
    let progress = false;
    for (let i = 0; i < this.best.used.length && !this.spent; i++) {
      for (let v = 1; v < this.best.used[i]!; v++) {
        const cand = [...this.best.used];
        cand[i] = v;
        if (this.accept(cand)) {
          progress = true;
          break;
        }
      }
    }
    return progress;
  }
}

/** Shrinks a failing run. Throws if the input does not fail as described. */
export function shrinkSchedule(input: ShrinkInput): ShrinkResult {
  const sh = new Shrinker(input);
  sh.cutTail();
  let progress = true;
  while (progress && !sh.spent) {
    // Evaluated in this order, each pass on the result of the previous one.
    const c = sh.chunks();
    const m = sh.moves();
    const l = sh.lowers();
    progress = c || m || l;
  }
  const shrunk = sh.build().run(new StickyChoicesScheduler(sh.best.used));
  const final: SimulateResult = simulate({ variant: input.variant, scenario: input.scenario,
    scenarioRef: input.scenario.name, seed: input.seed,
    schedule: encodeSchedule(shrunk.schedule),
    ...(input.memory ? { memory: input.memory } : {}) });
  if (!sh.failsAs(final.violations[0])) {
    throw new Error('shrink: the shrunk schedule does not replay');
  }
  return {
    originalSteps: sh.original.steps, originalDecisions: sh.original.decisions,
    steps: final.steps, decisions: nonZero(sh.best.used), choices: sh.best.used,
    schedule: final.schedule, replay: final.replay, runs: sh.runs,
  };
}
