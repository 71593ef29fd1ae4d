/**
 * rwlock-5.1 (a218cc491420, seed 000): the fixed default is clean on the library and on the
 * era witnesses; each bug switch, alone or in its historical combination, fails the way the
 * history says, from a pinned seed; and "v5.1 as merged" is clean where the end-of-scan
 * wakeup still covered its latent bugs.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { eraScenario, ERA_SCENARIOS } from '../../src/scenario/eras.ts';
import { scenarioNames } from '../../src/scenario/library.ts';
import { firstFailing, sweep } from './helpers.ts';

const V = 'rwlock-5.1';
const AS_MERGED = `${V}+B3+B4+B5+B6+B7`;
const V55 = `${AS_MERGED}+no-scan-wake`;

describe(`variants: ${V} (fixed default) is clean`, () => {
  it('library scenarios, SC and TSO, random, 50 seeds', () => {
    for (const memory of ['sc', 'tso'] as const) {
      expect(sweep({ variant: V, scenarios: scenarioNames(), seeds: 50, memory })).toEqual([]);
    }
  });
  it('library scenarios, SC, PCT, 60 seeds', () => {
    expect(sweep({ variant: V, scenarios: scenarioNames(), seeds: 60, strategy: 'pct' }))
      .toEqual([]);
  });
  it('era witnesses (except the IRQ storm), SC random and TSO PCT, 100 seeds', () => {
    const eras = ERA_SCENARIOS.filter((s) => s.name !== 'era.irq-storm');
    expect(sweep({ variant: V, scenarios: eras, seeds: 100 })).toEqual([]);
    expect(sweep({ variant: V, scenarios: eras, seeds: 100, memory: 'tso', strategy: 'pct' }))
      .toEqual([]);
  });
});

/** A predicted failure: found at the pinned seed with the expected property. */
interface Predicted {
  what: string;
  variant: string;
  scenario: string;
  seed: number;
  memory?: 'sc' | 'tso';
  strategy?: string;
  property: string;
  /** The same search finds nothing on this configuration over `clean` seeds. */
  cleanOn?: string;
  clean?: number;
}

const PREDICTED: Predicted[] = [
  { what: 'B3 (as merged in 5.1): ep_insert misses the waiter added under ep->wq.lock (TSO)',
    variant: AS_MERGED, scenario: 'era.add-while-waiting', seed: 170, memory: 'tso',
    strategy: 'pct', property: 'P1-lost-wakeup', cleanOn: `${V}+B4+B5+B6+B7`, clean: 200 },
  { what: 'B4 with the 5.5 state: an ovflist push nobody wakes for',
    variant: `${V}+B4+no-scan-wake`, scenario: 'era.two-files-two-waiters', seed: 0,
    property: 'P1-lost-wakeup', cleanOn: `${V}+B4`, clean: 200 },
  { what: 'v5.5 as a whole (B3..B7 + no-scan-wake)', variant: V55,
    scenario: 'era.two-files-two-waiters', seed: 1, property: 'P1-lost-wakeup',
    cleanOn: AS_MERGED, clean: 200 },
  { what: 'B5: the final check outside the lock', variant: `${V}+B5`,
    scenario: 'lt-two-waiters', seed: 0, property: 'P1-lost-wakeup', cleanOn: V, clean: 200 },
  { what: 'B6: a second exclusive wakeup hits the already-woken waiter',
    variant: `${V}+B6+no-scan-wake`, scenario: 'era.two-files-two-waiters', seed: 13,
    strategy: 'pct', property: 'P1-lost-wakeup', cleanOn: `${V}+no-scan-wake`, clean: 200 },
  { what: 'B7: a timed-out waiter swallows the only wakeup', variant: `${V}+B7`,
    scenario: 'era.timeout-races-irq', seed: 105, strategy: 'pct',
    property: 'P1-lost-wakeup', cleanOn: V, clean: 200 },
  { what: 'B10: no end-of-scan wakeup loses the second LT waiter',
    variant: `${V}+no-scan-wake`, scenario: 'lt-two-waiters', seed: 0,
    property: 'P1-lost-wakeup', cleanOn: V, clean: 200 },
  { what: 'B20: a lockless head add mixed with the callbacks\' tail adds',
    variant: `${V}+B20`, scenario: 'era.mod-vs-irq', seed: 25, strategy: 'pct',
    property: 'P2-list-integrity', cleanOn: V, clean: 200 },
  { what: 'B20-plain: a plain list_add_tail concurrent with lockless adds',
    variant: `${V}+B20-plain`, scenario: 'era.mod-vs-irq', seed: 152, strategy: 'pct',
    property: 'P2-list-integrity' },
  { what: 'B11: IRQ readers on three CPUs starve ep_poll\'s write_lock_irq',
    variant: V, scenario: 'era.irq-storm', seed: 0, strategy: 'pct', property: 'P7-liveness' },
];

function run(p: Predicted, variant: string, seed: number) {
  const sc = p.scenario.startsWith('era.') ? eraScenario(p.scenario) : p.scenario;
  return simulate({ variant, scenario: sc, seed, ...(p.memory ? { memory: p.memory } : {}),
    ...(p.strategy ? { strategy: p.strategy } : {}) });
}

describe(`variants: ${V}: predicted failures from pinned seeds`, () => {
  for (const p of PREDICTED) {
    it(`${p.what}: ${p.variant} on ${p.scenario}, seed ${p.seed}`, () => {
      const r = run(p, p.variant, p.seed);
      expect(r.violations[0]?.property).toBe(p.property);
      const again = simulate({ variant: p.variant, scenario: p.scenario.startsWith('era.')
        ? eraScenario(p.scenario) : p.scenario, seed: p.seed, schedule: r.schedule,
      ...(p.memory ? { memory: p.memory } : {}) });
      expect(again.hash).toBe(r.hash);
      if (p.cleanOn !== undefined) {
        const sc = p.scenario.startsWith('era.') ? eraScenario(p.scenario) : p.scenario;
        const f = firstFailing(p.cleanOn, sc, p.clean!, {
          ...(p.memory ? { memory: p.memory } : {}),
          ...(p.strategy ? { strategy: p.strategy } : {}),
        });
        expect(f.seed, `${p.cleanOn}: ${f.violation?.message}`).toBe(-1);
      }
    });
  }
});
