/**
 * differential(): a variant compared with itself shows nothing and follows its own macro
 * order exactly; a bug switch shows up as a violation difference on the seeds where the
 * bug bites, with both runs replayable. Seeds 0..59 (pinned counts).
 */
import { describe, expect, it } from 'vitest';
import { differential } from '../../src/api/differential.ts';
import { simulate } from '../../src/api/simulate.ts';
import { TWO_WAITERS_TWO_IRQS } from '../../src/zoo/scenarios.ts';

const FIXED = 'mainline-6.18+no-done-scan-wake';
const BUGGY = 'mainline-6.18+B4+no-done-scan-wake';

describe('differential: syscall-order alignment', () => {
  it('a variant against itself: no difference, no divergence (seeds 0..19)', () => {
    for (let seed = 0; seed < 20; seed++) {
      const r = differential({ variantA: FIXED, variantB: FIXED,
        scenario: TWO_WAITERS_TWO_IRQS, seed });
      expect(r.differences).toEqual([]);
      expect(r.divergences).toBe(0);
      expect(r.a.schedule).toBe(r.b.schedule);
    }
  });

  it('B4 against its fix: violation differences on 2 of seeds 0..59, most severe first', () => {
    const seeds: number[] = [];
    for (let seed = 0; seed < 60; seed++) {
      const r = differential({ variantA: FIXED, variantB: BUGGY,
        scenario: TWO_WAITERS_TWO_IRQS, seed });
      if (r.differences[0]?.severity === 'violation') {
        seeds.push(seed);
        expect(r.a.violation).toBeUndefined();
        expect(r.b.violation).toMatch(/^P1-lost-wakeup/);
        // Both printed runs replay exactly.
        const b = simulate({ variant: BUGGY, scenario: TWO_WAITERS_TWO_IRQS, seed,
          schedule: r.b.schedule });
        expect(b.violations[0]?.property).toBe('P1-lost-wakeup');
      }
    }
    expect(seeds.length).toBe(2);
  });

  it('seed alignment runs both variants on the same seed, nothing more', () => {
    const r = differential({ variantA: FIXED, variantB: FIXED, scenario: TWO_WAITERS_TWO_IRQS,
      seed: 7, align: 'seed' });
    expect(r.align).toBe('seed');
    expect(r.differences).toEqual([]);
  });

  it('reports a call that never returned as "blocked"', () => {
    for (let seed = 0; seed < 60; seed++) {
      const r = differential({ variantA: FIXED, variantB: BUGGY,
        scenario: TWO_WAITERS_TWO_IRQS, seed });
      const blocked = r.differences.find((d) => d.severity === 'blocked');
      if (blocked) {
        expect([blocked.a, blocked.b]).toContain('(never returned)');
        return;
      }
    }
    throw new Error('no blocked call in seeds 0..59');
  });
});
