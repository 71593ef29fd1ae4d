/**
 * mainline-6.18 is clean: every library scenario and a set of generated ones, under SC and
 * TSO, with the random and PCT strategies. The budget is sized for CI; `npm run fuzz:long`
 * runs a million schedules.
 */
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../src/api/fuzz.ts';
import { scenarioNames } from '../../src/scenario/library.ts';
import { budget } from '../budget.ts';

const CONFIGS = [
  { memory: 'sc', strategy: 'random', schedules: budget(300) },
  { memory: 'tso', strategy: 'random', schedules: budget(300) },
  { memory: 'sc', strategy: 'pct', schedules: budget(200) },
] as const;

describe('eventpoll: mainline-6.18 is clean', () => {
  for (const c of CONFIGS) {
    it(`on every library scenario (${c.memory}, ${c.strategy}, ${c.schedules} seeds each)`, () => {
      const sum = fuzz({ variant: 'mainline-6.18', scenarios: scenarioNames(),
        schedules: c.schedules, memory: c.memory, strategy: c.strategy });
      const bad = sum.scenarios.filter((s) => s.failure).map((s) =>
        `${s.scenario}: ${s.failure!.violation.message}\n  ${s.replay}`);
      expect(bad).toEqual([]);
      expect(sum.schedules).toBe(scenarioNames().length * c.schedules);
    });
  }
  it('on 100 generated scenarios (gen:0..99, 20 seeds each, sc and tso)', () => {
    const scenarios = Array.from({ length: 100 }, (_, i) => `gen:${i}`);
    for (const memory of ['sc', 'tso'] as const) {
      const sum = fuzz({ variant: 'mainline-6.18', scenarios, schedules: budget(20), memory });
      const bad = sum.scenarios.filter((s) => s.failure).map((s) =>
        `${s.scenario}: ${s.failure!.violation.message}\n  ${s.replay}`);
      expect(bad).toEqual([]);
    }
  });
});
