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
import { resolveVariant } from '../eventpoll/variant.ts';
import { buildMachine } from '../scenario/build.ts';
import type { Scenario } from '../scenario/types.ts';
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

/** Shrinks a failing run. Throws if the input does not fail as described. */
export function shrinkSchedule(input: ShrinkInput): ShrinkResult {
  const cfg = resolveVariant(input.variant);
  const maxRuns = input.maxRuns ?? 1500;
  let runs = 0;
  const build = () => buildMachine(input.scenario, { cfg, seed: input.seed,
    ...(input.memory ? { memory: input.memory } : {}) }).machine;
  const failsAs = (v: { property: string; kind: string } | undefined) =>
    v !== undefined && v.property === input.property && v.kind === input.kind;

  // The original run, as a choice list.
  const rec = new StickyRecorder(new ReplayScheduler(input.schedule));
  const original = build().run(rec);
  runs++;
  if (!failsAs(original.violations[0])) {
    throw new Error(`shrink: the given schedule does not violate ${input.property} ` +
      `(${input.kind}) on ${input.variant}`);
  }
  const cache = new Map<string, Tried>();
  const tryChoices = (choices: readonly number[]): Tried | undefined => {
    const key = choices.join(',');
    const hit = cache.get(key);
    if (hit) return hit;
    if (runs >= maxRuns) return undefined;
    runs++;
    const sched = new StickyChoicesScheduler(choices);
    const out = build().run(sched);
    const t: Tried = { fails: failsAs(out.violations[0]), steps: out.steps,
      used: trimZeros(choices.slice(0, sched.used)) };
    cache.set(key, t);
    return t;
  };
  let best: Tried = { fails: true, steps: original.steps, used: trimZeros([...rec.choices]) };
  const accept = (cand: readonly number[]): boolean => {
    const t = tryChoices(cand);
    if (!t || !t.fails || !smaller(t, best)) return false;
    best = t;
    return true;
  };

  // 1. Cut the tail: the shortest prefix that still fails with the default fallback.
  let lo = 0;
  let hi = best.used.length;
  while (lo < hi && runs < maxRuns) {
    const mid = (lo + hi) >> 1;
    const t = tryChoices(best.used.slice(0, mid));
    if (t?.fails) hi = mid;
    else lo = mid + 1;
  }
  accept(best.used.slice(0, hi));

  // 2. Zero out, then delete, chunks of halving size; 3. lower single decisions.
  let progress = true;
  while (progress && runs < maxRuns) {
    progress = false;
    for (let chunk = Math.max(1, best.used.length >> 1); chunk >= 1 && runs < maxRuns;
      chunk >>= 1) {
      for (let at = 0; at < best.used.length && runs < maxRuns; at += chunk) {
        const cur = best.used;
        const zeroed = cur.map((x, i) => (i >= at && i < at + chunk ? 0 : x));
        if (nonZero(zeroed) < nonZero(cur) && accept(zeroed)) progress = true;
        else if (accept([...cur.slice(0, at), ...cur.slice(at + chunk)])) progress = true;
      }
    }
    // Move each chosen switch one decision earlier or later (a switch that is needed but
    // placed early by the strategy often works one step off, and may then merge or vanish).
    for (let i = 0; i < best.used.length && runs < maxRuns; i++) {
      if (best.used[i] === 0) continue;
      for (const j of [i - 1, i + 1]) {
        if (j < 0) continue;
        const cand = [...best.used];
        [cand[i], cand[j]] = [cand[j] ?? 0, cand[i]!];
        if (accept(cand)) {
          progress = true;
          break;
        }
      }
    }
    for (let i = 0; i < best.used.length && runs < maxRuns; i++) {
      for (let v = 1; v < best.used[i]!; v++) {
        const cand = [...best.used];
        cand[i] = v;
        if (accept(cand)) {
          progress = true;
          break;
        }
      }
    }
  }

  const shrunk = build().run(new StickyChoicesScheduler(best.used));
  const final: SimulateResult = simulate({ variant: input.variant, scenario: input.scenario,
    scenarioRef: input.scenario.name, seed: input.seed, schedule: encodeSchedule(shrunk.schedule),
    ...(input.memory ? { memory: input.memory } : {}) });
  if (!failsAs(final.violations[0])) throw new Error('shrink: the shrunk schedule does not replay');
  return {
    originalSteps: original.steps, originalDecisions: nonZero(rec.choices),
    steps: final.steps, decisions: nonZero(best.used), choices: best.used,
    schedule: final.schedule, replay: final.replay, runs,
  };
}
