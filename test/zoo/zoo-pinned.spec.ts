/**
 * Every zoo bug at its pinned seed, with the expected property: one run per entry, kept
 * apart from the family searches of zoo-found.spec.ts so that the mutation groups can run it
 * per mutant (it is what kills a bug switch's mutants in the model code).
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { missing, ZOO } from '../../src/zoo/entries.ts';
import { entryStrategy } from '../../src/zoo/run.ts';
import { familySeed } from '../../src/zoo/search.ts';
import { PINS } from './pins.ts';

describe('zoo: every bug at its pinned seed', () => {
  for (const e of ZOO) {
    const pins = PINS[e.id];
    if (missing(e.bug) !== undefined || !pins) continue;
    const strategy = entryStrategy(e);
    const p0 = (strategy === 'random' ? pins.random! : pins.pct)[0]!;
    it(`${e.id}: ${e.bug} violates ${e.property} at seed ${p0.seed} (${strategy})`, () => {
      const i = p0.seed - familySeed(0, 0);
      const scenario = e.scenarios[i % e.scenarios.length]!;
      const r = simulate({ variant: e.bug, scenario, seed: p0.seed, strategy });
      expect(r.violations[0]?.property).toBe(e.property);
      if (e.kind) expect(r.violations[0]?.kind).toBe(e.kind);
    });
  }
});
