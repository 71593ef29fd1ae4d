/**
 * Every eventpoll property is shown to catch a real violation: each canary (a historical bug
 * switch or an injected fault) is found from a pinned seed and within a search budget, and
 * the unmodified mainline variant is clean on the same scenario over the same budget.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';

interface Canary {
  property: string;
  bug: string;
  scenario: string;
  /** The first failing seed, found by search and pinned here. */
  seed: number;
  kind: string;
}

const BUDGET = 200;
const CANARIES: Canary[] = [
  { property: 'P1-lost-wakeup', bug: 'B5', scenario: 'lt-two-waiters', seed: 0,
    kind: 'lost-wakeup' },
  { property: 'P2-list-integrity', bug: 'fault:callback-no-linked-check',
    scenario: 'mixed-producers', seed: 0, kind: 'list-corruption' },
  { property: 'P3-memory-safety', bug: 'fault:no-unregister-pollwait',
    scenario: 'del-vs-callback', seed: 0, kind: 'use-after-free' },
  { property: 'P4-locking', bug: 'fault:scan-no-irq', scenario: 'harvest-vs-irq', seed: 0,
    kind: 'irq-lock-inversion' },
  { property: 'P4-locking', bug: 'fault:ctl-no-epnested-mutex', scenario: 'cross-nested-add',
    seed: 0, kind: 'deadlock' },
  { property: 'P5-event-semantics', bug: 'fault:no-oneshot-disarm', scenario: 'oneshot-twice',
    seed: 0, kind: 'bad-event' },
  { property: 'P6-wakeup-source', bug: 'fault:no-stay-awake', scenario: 'wakeup-source',
    seed: 0, kind: 'no-wakeup-source' },
];

function firstFailing(variant: string, scenario: string): number {
  for (let seed = 0; seed < BUDGET; seed++) {
    if (simulate({ variant, scenario, seed }).violations.length > 0) return seed;
  }
  return -1;
}

describe('eventpoll: property canaries (mainline-6.18, seeds 0..199)', () => {
  for (const k of CANARIES) {
    describe(`${k.property} via ${k.bug} on ${k.scenario}`, () => {
      it(`is found at pinned seed ${k.seed}`, () => {
        const r = simulate({ variant: `mainline-6.18+${k.bug}`, scenario: k.scenario,
          seed: k.seed });
        expect(r.violations[0]?.property).toBe(k.property);
        expect(r.violations[0]?.kind).toBe(k.kind);
      });
      it('is found by a seed search within the budget', () => {
        expect(firstFailing(`mainline-6.18+${k.bug}`, k.scenario)).toBe(k.seed);
      });
      it('the unmodified variant is clean over the same budget', () => {
        expect(firstFailing('mainline-6.18', k.scenario)).toBe(-1);
      });
      it('the failure replays to the same trace hash', () => {
        const r = simulate({ variant: `mainline-6.18+${k.bug}`, scenario: k.scenario,
          seed: k.seed });
        const again = simulate({ variant: `mainline-6.18+${k.bug}`, scenario: k.scenario,
          seed: k.seed, schedule: r.schedule, trace: true });
        expect(again.hash).toBe(r.hash);
        expect(again.violations).toEqual(r.violations);
      });
    });
  }
});
