/**
 * singlepass-2.6.22 (seed 003): the five ways a transfer can be hit hold as Davide Libenzi
 * argued, except for one window the simulator found in item 5's hand-back (INIT_LIST_HEAD
 * is two stores); the variant differs from later eras where the history says it does.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { scenarioNames } from '../../src/scenario/library.ts';
import { SINGLEPASS_SCENARIOS } from '../../src/scenario/singlepass.ts';
import { zooScenario } from '../../src/zoo/scenarios.ts';
import { firstFailing, sweep } from './helpers.ts';

const V = 'singlepass-2.6.22';
const ITEMS = SINGLEPASS_SCENARIOS.map((s) => s.name);
/**
 * Invariant I-a2 of this era: an ET edge that arrives while its item is in transit is
 * swallowed (safe only when the user reads until EAGAIN, which these scenarios do not).
 */
const I_A2 = ['et-two-waiters', 'wfcq-et-redeliver', 'wfcq-et-two-waiters'];

describe(`variants: ${V}: seed 003's five items`, () => {
  it('all five hold under SC and TSO, random, 200 seeds', () => {
    for (const memory of ['sc', 'tso'] as const) {
      expect(sweep({ variant: V, scenarios: ITEMS, seeds: 200, memory })).toEqual([]);
    }
  });
  it('items 1, 4 and 5 hold under PCT too, 200 seeds', () => {
    const items = ITEMS.filter((n) => /^sp[145]-/.test(n));
    expect(sweep({ variant: V, scenarios: items, seeds: 200, strategy: 'pct' })).toEqual([]);
  });
  it('item 5\'s hand-back has a window: INIT_LIST_HEAD stores next, then prev; a callback ' +
    'in between adds the item and the prev store corrupts rdllist (sp3, PCT seed 25)', () => {
    const r = simulate({ variant: V, scenario: 'sp3-close-during-transfer', seed: 25,
      strategy: 'pct' });
    expect(r.violations[0]?.property).toBe('P2-list-integrity');
    expect(r.violations[0]?.message).toMatch(/rdllink->prev is epi:b\.rdllink/);
  });
  it('storing prev first (init-prev-first) closes it: all five, PCT, SC and TSO, 300 seeds',
    () => {
      for (const memory of ['sc', 'tso'] as const) {
        expect(sweep({ variant: `${V}+init-prev-first`, scenarios: ITEMS, seeds: 300, memory,
          strategy: 'pct' })).toEqual([]);
      }
    });
  it('the list_del() trick is load-bearing: with list_del_init() in transit a callback ' +
    're-queues the item under the harvester (transit-del-init, sp5 PCT seed 13)', () => {
    const r = simulate({ variant: `${V}+transit-del-init`, scenario:
      'sp5-callback-during-transfer', seed: 13, strategy: 'pct' });
    expect(r.violations[0]?.property).toBe('P2-list-integrity');
  });
});

describe(`variants: ${V} on the library`, () => {
  const others = scenarioNames().filter((s) => !I_A2.includes(s) && !ITEMS.includes(s));
  it('clean except the I-a2 scenarios, SC and TSO, random, 60 seeds', () => {
    for (const memory of ['sc', 'tso'] as const) {
      expect(sweep({ variant: V, scenarios: others, seeds: 60, memory })).toEqual([]);
    }
  });
  it('with init-prev-first, clean except the I-a2 scenarios under PCT, 60 seeds', () => {
    expect(sweep({ variant: `${V}+init-prev-first`, scenarios: others, seeds: 60,
      strategy: 'pct' })).toEqual([]);
  });
  it('I-a2: an ET edge during the transfer is swallowed (wfcq-et-redeliver, PCT seed 13)',
    () => {
      const r = simulate({ variant: V, scenario: 'wfcq-et-redeliver', seed: 13,
        strategy: 'pct' });
      expect(r.violations[0]?.property).toBe('P1-lost-wakeup');
      expect(firstFailing('classic-4.19', 'wfcq-et-redeliver', 200, { strategy: 'pct' }).seed)
        .toBe(-1);
    });
  it('B1 is present in this era (ep_modify stores the mask and polls with no barrier): ' +
    'zoo-b1-oneshot-irq, TSO PCT seed 3; nothing under SC', () => {
    const sc = zooScenario('zoo-b1-oneshot-irq')!;
    const r = simulate({ variant: V, scenario: sc, seed: 3, memory: 'tso', strategy: 'pct' });
    expect(r.violations[0]?.property).toBe('P1-lost-wakeup');
    expect(firstFailing(V, sc, 300, { memory: 'sc', strategy: 'pct' }).seed).toBe(-1);
  });
});
