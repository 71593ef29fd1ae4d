import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { ReplayDivergenceError, SimUsageError } from '../../src/sim/errors.ts';
import {
  ARRIVE_BASE, decodeSchedule, DRAIN_BASE, encodeSchedule, IRQ_BASE, SIGNAL_BASE, TIMER_BASE,
} from '../../src/sim/schedule.ts';

const choiceId = fc.oneof(
  fc.integer({ min: 0, max: 40 }),
  fc.integer({ min: 0, max: 20 }).map((n) => IRQ_BASE + n),
  fc.integer({ min: 0, max: 9 }).map((n) => ARRIVE_BASE + n),
  fc.integer({ min: 0, max: 9 }).map((n) => TIMER_BASE + n),
  fc.integer({ min: 0, max: 9 }).map((n) => DRAIN_BASE + n),
  fc.integer({ min: 0, max: 9 }).map((n) => SIGNAL_BASE + n),
);

describe('sim: schedule encoding', () => {
  it('round-trips any choice list (fast-check seed 1)', () => {
    fc.assert(fc.property(fc.array(choiceId, { maxLength: 200 }), (ids) => {
      expect(decodeSchedule(encodeSchedule(ids))).toEqual(ids);
    }), { seed: 1, numRuns: 500 });
  });
  it('is compact for runs', () => {
    expect(encodeSchedule([0, 0, 0, 1, IRQ_BASE + 1, IRQ_BASE + 1, ARRIVE_BASE + 2]))
      .toBe('a3bB2Q2.');
  });
  it('names the bad character of a malformed schedule', () => {
    expect(() => decodeSchedule('ab$c')).toThrow(SimUsageError);
    expect(() => decodeSchedule('ab$c')).toThrow(/character 3/);
    expect(() => decodeSchedule('Q12')).toThrow(/must be followed by a number and '\.'/);
    expect(() => decodeSchedule('a1')).toThrow(/bad repeat count/);
  });
});

describe('sim: replay', () => {
  const base = { variant: 'mainline-6.18', scenario: 'et-two-waiters', seed: 3 } as const;
  it('reproduces a run exactly from its schedule', () => {
    const r = simulate(base);
    const again = simulate({ ...base, schedule: r.schedule });
    expect(again.hash).toBe(r.hash);
    expect(again.results).toEqual(r.results);
  });
  it('reports a divergence with the step and what was offered', () => {
    const r = simulate(base);
    const bad = r.schedule.replace(/^([a-z])/, (m) => (m === 'a' ? 'c' : 'a'));
    expect(() => simulate({ ...base, schedule: bad })).toThrow(ReplayDivergenceError);
    expect(() => simulate({ ...base, schedule: bad })).toThrow(/diverged at step 0: the schedule asks for/);
  });
  it('reports a schedule that ends before the run does', () => {
    const r = simulate(base);
    const short = encodeSchedule(decodeSchedule(r.schedule).slice(0, 5));
    expect(() => simulate({ ...base, schedule: short })).toThrow(/schedule ended after 5 choices/);
  });
  it('a forced prefix then continues with the strategy', () => {
    const r = simulate(base);
    const prefix = encodeSchedule(decodeSchedule(r.schedule).slice(0, 10));
    const p = simulate({ ...base, prefix });
    expect(decodeSchedule(p.schedule).slice(0, 10)).toEqual(decodeSchedule(prefix));
  });
});
