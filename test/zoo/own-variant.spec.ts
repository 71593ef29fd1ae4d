/**
 * The worked example of docs/own-variant.md runs as written: examples/my-callback.ts
 * registers `my-callback` (ep_poll_callback without ovflist) and `my-callback-fixed`; the
 * patch is caught as list corruption from a seed, the failure shrinks and replays, and the
 * fixed version is clean. Seeds are pinned (family 0 of the zoo's seed families).
 */
import { describe, expect, it } from 'vitest';
import { MY_LT_HARVEST } from '../../examples/my-callback.ts';
import { assertNoViolation, checkNoViolation, fuzz, simulate } from '../../src/index.ts';
import { firstFailure } from '../../src/zoo/search.ts';
import { shrinkSchedule } from '../../src/zoo/shrink.ts';

describe('docs/own-variant.md: my-callback (seed family 0, pinned)', () => {
  it('fuzz finds list corruption in my-callback within 50 schedules', () => {
    const sum = fuzz({ variant: 'my-callback', scenarios: [MY_LT_HARVEST], schedules: 50 });
    const s = sum.scenarios[0]!;
    expect(s.failure?.violation.property).toBe('P2-list-integrity');
    expect(s.firstAt).toBe(3);
  });

  it('the zoo finder finds it at the pinned seeds (random 3, pct 20)', () => {
    const r = firstFailure('my-callback', [MY_LT_HARVEST], { strategy: 'random', family: 0,
      budget: 1000 });
    const p = firstFailure('my-callback', [MY_LT_HARVEST], { strategy: 'pct', family: 0,
      budget: 1000 });
    expect([r?.schedules, r?.property]).toEqual([3, 'P2-list-integrity']);
    expect([p?.schedules, p?.property]).toEqual([20, 'P2-list-integrity']);
  });

  it('the failure shrinks and its replay command reproduces it', () => {
    const f = firstFailure('my-callback', [MY_LT_HARVEST], { strategy: 'random', family: 0,
      budget: 1000 })!;
    const s = shrinkSchedule({ variant: 'my-callback', scenario: MY_LT_HARVEST, seed: f.seed,
      schedule: f.schedule, property: f.property, kind: f.kind });
    // The numbers and the schedule docs/own-variant.md shows.
    expect([f.seed, s.originalSteps, s.originalDecisions]).toEqual([2, 70, 42]);
    expect([s.steps, s.decisions, s.schedule]).toEqual([47, 7, 'a14Q1.C2aC2aC10a16']);
    expect(s.replay).toContain('--variant my-callback --scenario my-lt-harvest');
    const again = simulate({ variant: 'my-callback', scenario: MY_LT_HARVEST, seed: f.seed,
      schedule: s.schedule, trace: true });
    expect(again.violations[0]?.property).toBe('P2-list-integrity');
    expect(again.steps).toBe(s.steps);
  });

  it('my-callback-fixed is clean over 2000 schedules per strategy', () => {
    for (const strategy of ['random', 'pct']) {
      const sum = fuzz({ variant: 'my-callback-fixed', scenarios: [MY_LT_HARVEST],
        schedules: 2000, strategy });
      expect(sum.violations).toBe(0);
    }
  });

  it('assertNoViolation (the vitest helper) passes for the fixed variant', () => {
    expect(() => assertNoViolation({ variant: 'my-callback-fixed', scenario: MY_LT_HARVEST,
      numRuns: 200 })).not.toThrow();
  });

  it('assertNoViolation fails for the patch, with a shrunk interleaving and a replay line', () => {
    const out = checkNoViolation({ variant: 'my-callback', scenario: MY_LT_HARVEST,
      numRuns: 200 });
    expect(out.ok).toBe(false);
    expect(out.report).toContain('P2-list-integrity');
    expect(out.report).toContain('npx eventpoll-sim replay --variant my-callback');
  });
});

describe('docs/own-variant.md: the files the CLI walk-through uses', () => {
  it('examples/my-lt-harvest.json is the example scenario, as JSON', async () => {
    const { readFileSync } = await import('node:fs');
    const json = JSON.parse(readFileSync(new URL('../../examples/my-lt-harvest.json',
      import.meta.url), 'utf8')) as unknown;
    expect(json).toEqual(JSON.parse(JSON.stringify(MY_LT_HARVEST)));
  });
});
