/**
 * Every fixed counterpart stays clean: the same scenarios on the configuration with the fix,
 * under the zoo's default strategy, for a multiple of the schedules the bug needed (its
 * worst pinned family). CI checks 10x (ZOO_FIXED_MULTIPLE overrides it); `npm run zoo`
 * checks 100x of the worst of 10 families, with both strategies.
 */
import { describe, expect, it } from 'vitest';
import { fixedConfig, missing, ZOO } from '../../src/zoo/entries.ts';
import { entryStrategy } from '../../src/zoo/run.ts';
import { sweep } from '../../src/zoo/search.ts';
import { PINS, worst } from './pins.ts';

const MULTIPLE = Number(process.env.ZOO_FIXED_MULTIPLE ?? 10);

describe(`zoo: fixed counterparts are clean (CI: ${MULTIPLE}x the worst pinned family, ` +
  'at least 1000; npm run zoo: 100x)', () => {
  for (const e of ZOO) {
    const fixed = fixedConfig(e);
    const pins = PINS[e.id];
    if (fixed === undefined || pins === undefined || missing(fixed) !== undefined) {
      it.skip(`${e.id}: fixed counterpart pending (${fixed === undefined
        ? (e.fixed as { pending: string }).pending : missing(fixed) ?? 'no pins'})`, () => {});
      continue;
    }
    const strategy = entryStrategy(e);
    const n = Math.max(1000, MULTIPLE * worst(strategy === 'random' ? pins.random! : pins.pct));
    it(`${e.id}: ${fixed} is clean over ${n} schedules (${strategy})`, () => {
      const r = sweep(fixed, e.scenarios, strategy, n);
      expect(r.failure?.replay ?? 'clean').toBe('clean');
      expect(r.schedules).toBe(n);
    });
  }
});
