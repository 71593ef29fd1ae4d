/**
 * The finder: schedules-to-first-failure of a zoo entry, per strategy and seed family.
 *
 * Seed families: family f runs seeds `f * FAMILY_STRIDE + i` for i = 0, 1, 2, ..., and
 * execution i runs scenario `i mod n` of the entry's family, so a failure replays from its
 * own (scenario, seed) alone and families never share a seed. No clock is read here.
 */
import { simulate, type SimulateResult } from '../api/simulate.ts';
import type { Scenario } from '../scenario/types.ts';
import { SimError } from '../sim/errors.ts';
import type { ZooEntry } from './entries.ts';

/** Distance between the first seeds of two families. */
export const FAMILY_STRIDE = 1_000_000;

/** The seed of execution `i` of family `family`. */
export function familySeed(family: number, i: number): number {
  return (family * FAMILY_STRIDE + i) >>> 0;
}

/** What one execution found, reduced to what the zoo reports. */
export interface Finding {
  /** 1-based: how many schedules ran up to and including this one. */
  schedules: number;
  seed: number;
  scenario: Scenario;
  strategy: string;
  /** The violated property (or `limit` when the run hit a limit). */
  property: string;
  kind: string;
  message: string;
  steps: number;
  /** The recorded schedule (compact text); empty for a limit. */
  schedule: string;
  /** The replay command. */
  replay: string;
}

/** Runs execution `i` of a family on `config`; returns a Finding if it failed. */
export function runExecution(config: string, scenarios: readonly Scenario[], strategy: string,
  family: number, i: number): Finding | undefined {
  const scenario = scenarios[i % scenarios.length]!;
  const seed = familySeed(family, i);
  let r: SimulateResult;
  try {
    r = simulate({ variant: config, scenario, scenarioRef: scenario.name, seed, strategy });
  } catch (e) {
    if (!(e instanceof SimError) || e.code !== 'E_LIMIT') throw e;
    return { schedules: i + 1, seed, scenario, strategy, property: 'limit', kind: e.code,
      message: e.message, steps: 0, schedule: '', replay: '' };
  }
  const v = r.violations[0];
  if (v === undefined) return undefined;
  return { schedules: i + 1, seed, scenario, strategy, property: v.property, kind: v.kind,
    message: v.message, steps: r.steps, schedule: r.schedule, replay: r.replay };
}

/** Options of {@link firstFailure}. */
export interface FirstFailureOptions {
  strategy: string;
  family: number;
  /** Give up after this many schedules. */
  budget: number;
  /** Called every 100 schedules with the count so far. */
  onProgress?: (schedules: number) => void;
}

/** Runs seeds 0, 1, 2, ... of a family until the first failure or the budget. */
export function firstFailure(config: string, scenarios: readonly Scenario[],
  o: FirstFailureOptions): Finding | undefined {
  for (let i = 0; i < o.budget; i++) {
    const f = runExecution(config, scenarios, o.strategy, o.family, i);
    if (f) return f;
    if (o.onProgress && (i + 1) % 100 === 0) o.onProgress(i + 1);
  }
  return undefined;
}

/** The outcome of a clean sweep. */
export interface Sweep {
  strategy: string;
  /** Schedules run (all of them when clean). */
  schedules: number;
  /** The first failure, if any. */
  failure?: Finding;
}

/** Runs `schedules` executions of family 0 on `config`, stopping at the first failure. */
export function sweep(config: string, scenarios: readonly Scenario[], strategy: string,
  schedules: number, onProgress?: (n: number) => void): Sweep {
  for (let i = 0; i < schedules; i++) {
    const f = runExecution(config, scenarios, strategy, 0, i);
    if (f) return { strategy, schedules: i + 1, failure: f };
    if (onProgress && (i + 1) % 100 === 0) onProgress(i + 1);
  }
  return { strategy, schedules };
}

/** Median of schedules-to-first-failure; a family that found nothing counts as infinite. */
export function median(xs: readonly (number | undefined)[]): number | undefined {
  const s = xs.map((x) => x ?? Infinity).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const h = s.length >> 1;
  const m = s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
  return Number.isFinite(m) ? m : undefined;
}

/** Maximum; undefined when some family found nothing (the maximum is then unknown). */
export function maximum(xs: readonly (number | undefined)[]): number | undefined {
  if (xs.length === 0 || xs.some((x) => x === undefined)) return undefined;
  return Math.max(...(xs as number[]));
}

/** Whether a finding is the entry's expected violation. */
export function expected(e: ZooEntry, f: Finding): boolean {
  return f.property === e.property && (e.kind === undefined || f.kind === e.kind);
}
