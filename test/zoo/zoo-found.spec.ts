/**
 * Every zoo bug is re-found from seeds, with no forced schedule: by the finder at the pinned
 * count in seed families 0..2 (the pinned seed alone: zoo-pinned.spec.ts), with
 * a median of at most 1000 schedules under the zoo's default strategy (PCT) and under fuzz's
 * default (the portfolio). Where uniform random also finds the bug within 3000 schedules,
 * its pins are checked too.
 */
import { describe, expect, it } from 'vitest';
import { missing, ZOO } from '../../src/zoo/entries.ts';
import { entryStrategy } from '../../src/zoo/run.ts';
import { firstFailure, median } from '../../src/zoo/search.ts';
import { PINS, PORTFOLIO_PINS, type FamilyPins } from './pins.ts';

function checkFamilies(config: string, scenarios: Parameters<typeof firstFailure>[1],
  strategy: string, pins: FamilyPins): (number | undefined)[] {
  return pins.map((p, family) => {
    const budget = (p?.schedules ?? 3000);
    const f = firstFailure(config, scenarios, { strategy, family, budget });
    expect(f ? { schedules: f.schedules, seed: f.seed } : null).toEqual(p);
    return f?.schedules;
  });
}

describe('zoo: every bug is found from seeds (families 0..2)', () => {
  for (const e of ZOO) {
    const why = missing(e.bug);
    const pins = PINS[e.id];
    describe(`${e.id} on ${e.bug} (${e.property})`, () => {
      if (why !== undefined) {
        it.skip(`pending: ${why}`, () => {});
        return;
      }
      it('has pinned seeds', () => expect(pins).toBeDefined());
      if (!pins) return;
      // An entry with its own strategy (PW1: random) is pinned under it.
      const strategy = entryStrategy(e);
      const main = strategy === 'random' ? pins.random! : pins.pct;
      it(`${strategy}: first failures at the pins, median <= 1000`, () => {
        const got = checkFamilies(e.bug, e.scenarios, strategy, main);
        expect(median(got)).toBeLessThanOrEqual(1000);
      });
      const pp = PORTFOLIO_PINS[e.id];
      it(`portfolio (fuzz's default): first failures at the pins, median <= 1000`, () => {
        expect(pp).toBeDefined();
        const got = checkFamilies(e.bug, e.scenarios, 'portfolio', pp!);
        expect(median(got)).toBeLessThanOrEqual(1000);
      });
      if (pins.random && strategy !== 'random') {
        const rp = pins.random;
        it('random: first failures at the pins', () => {
          checkFamilies(e.bug, e.scenarios, 'random', rp);
        });
      }
    });
  }
});
