/**
 * classic-4.19 (fs/eventpoll.c @ 002b343669c4) is clean on every library scenario under SC
 * and TSO, with the random and PCT strategies, and on generated scenarios.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { scenarioNames } from '../../src/scenario/library.ts';
import { sweep } from './helpers.ts';

const V = 'classic-4.19';

describe(`variants: ${V} is clean (seeds 0..N-1)`, () => {
  it('library scenarios, SC, random, 60 seeds', () => {
    expect(sweep({ variant: V, scenarios: scenarioNames(), seeds: 60, memory: 'sc' })).toEqual([]);
  });
  it('library scenarios, TSO, random, 60 seeds', () => {
    expect(sweep({ variant: V, scenarios: scenarioNames(), seeds: 60, memory: 'tso' })).toEqual([]);
  });
  it('library scenarios, SC, PCT, 60 seeds', () => {
    expect(sweep({ variant: V, scenarios: scenarioNames(), seeds: 60, strategy: 'pct' }))
      .toEqual([]);
  });
  it('generated scenarios gen:0..59, TSO, 10 seeds each', () => {
    const gen = Array.from({ length: 60 }, (_, i) => `gen:${i}`);
    expect(sweep({ variant: V, scenarios: gen, seeds: 10, memory: 'tso' })).toEqual([]);
  });
  it('EPOLLWAKEUP: P6 catches the fault:no-stay-awake canary at seed 0 on every variant ' +
    'with wakeup sources and a per-item activation', () => {
    for (const v of [V, 'rwlock-5.1', 'exclusive-4.5', 'wfcqueue-rfc-v3-fixed']) {
      const r = simulate({ variant: `${v}+fault:no-stay-awake`, scenario: 'wakeup-source',
        seed: 0 });
      expect(r.violations[0]?.property, v).toBe('P6-wakeup-source');
    }
  });
  it('the ready-list lock is ep->wq.lock itself, and it accepts B1', () => {
    const r = simulate({ variant: `${V}+B1`, scenario: 'oneshot-rearm', seed: 0 });
    expect(r.variant).toBe(`${V}+B1`);
  });
});
