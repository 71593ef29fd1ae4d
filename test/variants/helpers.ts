/**
 * Shared helpers of the variant tests: a seed sweep over scenarios that collects the first
 * failure of each (with its replay line), and a first-failing-seed search.
 *
 * Clean sweeps count every violation kind. (The P5 level-triggered rule once also fired for
 * an item whose wakeup was still in flight; it now applies only to items already queued
 * when the call began, and only to plain files, see src/eventpoll/ghost.ts.)
 */
import { simulate } from '../../src/api/simulate.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import type { Limits } from '../../src/sim/limits.ts';
import type { Violation } from '../../src/sim/violation.ts';

/** One sweep configuration. */
export interface Sweep {
  variant: string;
  scenarios: readonly (string | Scenario)[];
  seeds: number;
  memory?: 'sc' | 'tso';
  strategy?: string;
  firstSeed?: number;
  limits?: Partial<Limits>;
  /** Violation kinds not counted as failures (default: none). */
  ignoreKinds?: readonly string[];
}

/** The kinds a clean sweep ignores by default. */
export const IGNORED_KINDS: readonly string[] = [];

/** Runs every scenario over the seeds; returns one line per failing scenario. */
export function sweep(s: Sweep): string[] {
  const bad: string[] = [];
  for (const sc of s.scenarios) {
    const name = typeof sc === 'string' ? sc : sc.name;
    for (let i = 0; i < s.seeds; i++) {
      const seed = (s.firstSeed ?? 0) + i;
      const r = simulate({ variant: s.variant, scenario: sc, seed,
        ...(s.memory ? { memory: s.memory } : {}), ...(s.strategy ? { strategy: s.strategy } : {}),
        ...(s.limits ? { limits: s.limits } : {}) });
      const v = r.violations[0];
      if (v && !(s.ignoreKinds ?? IGNORED_KINDS).includes(v.kind)) {
        bad.push(`${name} seed ${seed}: ${v.property} ${v.message}\n  ${r.replay}`);
        break;
      }
    }
  }
  return bad;
}

/** The first seed in [from, from + budget) whose run violates something, or -1. */
export function firstFailing(variant: string, scenario: string | Scenario, budget: number,
  opts: { memory?: 'sc' | 'tso'; strategy?: string; from?: number; limits?: Partial<Limits> } = {}):
{ seed: number; violation?: Violation; runs: number } {
  const from = opts.from ?? 0;
  for (let seed = from; seed < from + budget; seed++) {
    const r = simulate({ variant, scenario, seed, ...(opts.memory ? { memory: opts.memory } : {}),
      ...(opts.strategy ? { strategy: opts.strategy } : {}),
      ...(opts.limits ? { limits: opts.limits } : {}) });
    const v = r.violations[0];
    if (v !== undefined) return { seed, violation: v, runs: seed - from + 1 };
  }
  return { seed: -1, runs: budget };
}
