/**
 * P5 spurious queueing (src/eventpoll/checkers/spurious.ts): no false reports, over many
 * schedules (kept apart from the canaries in spurious.spec.ts so that mutation testing can
 * run those alone).
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import '../../src/eventpoll/variants.ts';
import { variantNames } from '../../src/eventpoll/variant.ts';
import { LIBRARY } from '../../src/scenario/library.ts';
import { DISARMED, EXCL, OUT_WAKE } from './spurious-scenarios.ts';
import { budget } from '../budget.ts';

describe('P5 spurious queueing: no false reports', () => {
  it('mainline-6.18 is clean on the canaries\' scenarios over 10,008 schedules ' +
    '(random, pct, portfolio)', () => {
    let runs = 0;
    for (const sc of [OUT_WAKE, DISARMED, EXCL]) {
      for (const strategy of ['random', 'pct', 'portfolio']) {
        for (let seed = 0; seed < budget(1112); seed++) {
          const r = simulate({ variant: 'mainline-6.18', scenario: sc, seed, strategy });
          expect(r.violations).toEqual([]);
          runs++;
        }
      }
    }
    expect(runs).toBe(9 * budget(1112));
  }, 120_000);

  it('every built-in variant, every library scenario, 8 seeds each, sc/tso/lkmm', () => {
    let runs = 0;
    for (const variant of variantNames()) {
      for (const sc of LIBRARY) {
        for (let seed = 0; seed < 8; seed++) {
          const memory = (['sc', 'tso', 'lkmm'] as const)[seed % 3];
          let r;
          try {
            r = simulate({ variant, scenario: sc.name, seed, strategy: seed & 1 ? 'pct' : 'random',
              memory });
          } catch {
            continue; // over a limit: not this property's business
          }
          runs++;
          expect(r.violations.filter((v) => v.kind.startsWith('spurious'))).toEqual([]);
        }
      }
    }
    expect(runs).toBe(variantNames().length * LIBRARY.length * 8);
  }, 120_000);

});
