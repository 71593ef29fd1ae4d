/**
 * `eventpoll-sim/vitest`: a matcher and helpers for vitest. Importing this module registers
 * the matcher `toHaveNoViolations()` with vitest's `expect` and types it.
 *
 * ```ts
 * import { expect, it } from 'vitest';
 * import { simulate, fuzz } from 'eventpoll-sim';
 * import { SEARCH_TIMEOUT_MS, expectNoViolation } from 'eventpoll-sim/vitest';
 *
 * it('seed 7 is clean', () => {
 *   expect(simulate({ variant: 'mainline-6.18', scenario: 'et-two-waiters', seed: 7 }))
 *     .toHaveNoViolations();
 * });
 * it('the patch keeps every property', () => {
 *   expectNoViolation({ variant: 'my-variant', scenario: 'lt-two-waiters', numRuns: 200 });
 * }, SEARCH_TIMEOUT_MS);
 * ```
 *
 * A failure message names the property, draws the interleaving per CPU and ends with the
 * command that replays it.
 *
 * @packageDocumentation
 */
import { expect } from 'vitest';
import './eventpoll/variants.ts';
import { checkNoViolation, type CheckOptions, type CheckOutcome } from './api/check.ts';
import type { FuzzSummary } from './api/fuzz.ts';
import { replay, simulate, type SimulateResult } from './api/simulate.ts';
import { resolveScenario } from './scenario/library.ts';
import { renderColumns } from './sim/trace.ts';

/**
 * A timeout (ms) for a test that searches for a failure and shrinks it: about 10x what a
 * failing 200-run `checkNoViolation` with shrinking took on a 2-core machine (up to 3 s; see
 * docs/testing.md). vitest's default of 5 s is too short for a shrink.
 */
export const SEARCH_TIMEOUT_MS = 30_000;

/** What {@link toHaveNoViolations} accepts. */
export type SimulationOutcome = SimulateResult | FuzzSummary | CheckOutcome;

function isSimulateResult(r: unknown): r is SimulateResult {
  return typeof r === 'object' && r !== null && Array.isArray((r as SimulateResult).violations);
}
function isFuzzSummary(r: unknown): r is FuzzSummary {
  return typeof r === 'object' && r !== null && Array.isArray((r as FuzzSummary).scenarios);
}
function isCheckOutcome(r: unknown): r is CheckOutcome {
  return typeof r === 'object' && r !== null && typeof (r as CheckOutcome).ok === 'boolean';
}

/** The interleaving of a failing simulate() result, per CPU (replayed if it has no trace). */
function explainRun(r: SimulateResult, scenario?: string | object): string {
  const v = r.violations[0]!;
  let columns = '';
  let full = r;
  if (!r.trace && scenario !== undefined) {
    full = simulate({ variant: r.variant, scenario: scenario as string, seed: r.seed,
      memory: r.memory, schedule: r.schedule, trace: true });
  }
  if (full.trace && scenario !== undefined) {
    const cpus = resolveScenario(scenario as string).scenario.cpus;
    columns = `\n${renderColumns(full.trace, cpus)}\n`;
  }
  return `${v.property} violated (${v.kind}): ${v.message}\n` +
    `variant ${r.variant}, scenario ${r.scenario}, seed ${r.seed}, ${r.steps} steps\n` +
    `${columns}\nreplay: ${r.replay}`;
}

/** A readable account of what went wrong in an outcome, or null when it is clean. */
export function describeViolations(received: unknown): string | null {
  if (isCheckOutcome(received) && !isSimulateResult(received)) {
    return received.ok ? null : received.report ?? 'a property was violated';
  }
  if (isSimulateResult(received)) {
    if (received.violations.length === 0) return null;
    // A library scenario replays by name; an object scenario cannot be recovered here.
    let scen: string | undefined;
    try {
      scen = resolveScenario(received.scenario).name;
    } catch {
      scen = undefined;
    }
    return explainRun(received, scen);
  }
  if (isFuzzSummary(received)) {
    // An execution over a limit (a livelock, an endless loop) fails the matcher too.
    const limits = received.limits ?? 0;
    if (received.violations === 0 && limits === 0) return null;
    const parts = [`${received.violations} violation(s)` +
      `${limits > 0 ? ` and ${limits} execution(s) over a limit` : ''} in ` +
      `${received.schedules} schedules of ${received.variant}`];
    for (const s of received.scenarios) {
      if (s.limit) {
        parts.push(`\n--- ${s.scenario}, seed ${s.limit.seed}: over a limit: ${s.limit.message}` +
          `\nrun again: ${s.limit.replay}`);
      }
      if (!s.failure) continue;
      const f = s.failure;
      let body = `${f.violation.property}: ${f.violation.message}`;
      try {
        const r = replay({ variant: f.variant, scenario: f.scenario, seed: f.seed,
          memory: f.memory, schedule: f.schedule });
        body = explainRun(r, f.scenario);
      } catch {
        // The failure could not be replayed here (e.g. an unregistered variant): the
        // message and the replay command still say what failed.
      }
      parts.push(`\n--- ${s.scenario}, seed ${f.seed}\n${body}` +
        (s.replay && !body.includes(s.replay) ? `\nreplay: ${s.replay}` : ''));
    }
    return parts.join('\n');
  }
  throw new TypeError('toHaveNoViolations() expects the result of simulate(), fuzz() or ' +
    'checkNoViolation()');
}

/** The matchers this module registers. */
export const matchers = {
  /**
   * Passes when a simulate(), fuzz() or checkNoViolation() outcome found no violation (nor,
   * for fuzz(), an execution over a limit).
   */
  toHaveNoViolations(received: unknown) {
    const text = describeViolations(received);
    return {
      pass: text === null,
      message: () => text ?? 'expected a violation, but the run was clean',
    };
  },
};

expect.extend(matchers);

declare module 'vitest' {
  interface Matchers<T = any> {
    /** The simulate()/fuzz()/checkNoViolation() outcome found no violation. */
    toHaveNoViolations(): T;
  }
}

/**
 * Runs {@link checkNoViolation} and fails the test with the shrunk interleaving and the
 * replay command if a property is violated. Give the test {@link SEARCH_TIMEOUT_MS}.
 */
export function expectNoViolation(o: CheckOptions): CheckOutcome {
  const out = checkNoViolation(o);
  expect(out).toHaveNoViolations();
  return out;
}

/**
 * Runs {@link checkNoViolation} and fails the test unless a violation is found (a canary:
 * shows that the search and the properties can catch the planted bug). Returns the outcome,
 * whose `failure` holds the shrunk run.
 */
export function expectViolation(o: CheckOptions): CheckOutcome {
  const out = checkNoViolation(o);
  expect(out.ok, 'expected a violation, but every run was clean').toBe(false);
  return out;
}
