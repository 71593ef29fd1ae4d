/**
 * The wfcqueue RFC v3 (seeds 001/002): WF1, Arve Hjønnevåg's window, is found from pinned
 * seeds on the RFC as posted and nowhere on the fixed variant over 100x the mean number of
 * schedules the bug needed; the fix needs its barrier under TSO; and seed 001's open
 * EPOLLWAKEUP question (is an atomic counter in struct eventpoll enough?) is answered by P6.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { resolveVariant } from '../../src/eventpoll/variant.ts';
import { buildMachine } from '../../src/scenario/build.ts';
import { resolveScenario, scenarioNames } from '../../src/scenario/library.ts';
import { makeScheduler } from '../../src/sim/schedulers/index.ts';
import { firstFailing, sweep } from './helpers.ts';

const RFC = 'wfcqueue-rfc-v3';
const FIXED = 'wfcqueue-rfc-v3-fixed';
/** Scenarios where WF1 shows (an ET event during a delivery, with no read in between). */
const WF1_WITNESSES = ['wfcq-et-redeliver', 'wfcq-et-two-waiters', 'et-two-waiters'];
/** The P6 scenario: fails on both RFC variants as posted (see the EPOLLWAKEUP block). */
const P6_SCENARIO = 'wakeup-source';
/** Every scenario with EPOLLWAKEUP items (P6 fails on both RFC variants as posted). */
const P6_SCENARIOS = [P6_SCENARIO, 'wfcq-wakeup-et'];

describe('variants: wfcqueue RFC v3: clean where WF1 and EPOLLWAKEUP are not involved', () => {
  const others = scenarioNames().filter((s) => !WF1_WITNESSES.includes(s) &&
    !P6_SCENARIOS.includes(s));
  it(`${RFC} and ${FIXED}: the other library scenarios, SC and TSO, 30 seeds`, () => {
    for (const variant of [RFC, FIXED]) {
      for (const memory of ['sc', 'tso'] as const) {
        expect(sweep({ variant, scenarios: others, seeds: 30, memory })).toEqual([]);
      }
    }
  });
  it(`${FIXED}: every library scenario but the EPOLLWAKEUP ones, PCT, 50 seeds`, () => {
    const all = scenarioNames().filter((s) => !P6_SCENARIOS.includes(s));
    expect(sweep({ variant: FIXED, scenarios: all, seeds: 50, strategy: 'pct' })).toEqual([]);
  });
});

describe('variants: WF1 (Arve Hjønnevåg\'s window) on the RFC as posted', () => {
  const pins = [
    { scenario: 'wfcq-et-two-waiters', seed: 117, strategy: 'random' },
    { scenario: 'wfcq-et-redeliver', seed: 13, strategy: 'pct' },
    { scenario: 'et-two-waiters', seed: 101, strategy: 'pct' },
  ];
  for (const p of pins) {
    it(`is a lost wakeup on ${p.scenario} at ${p.strategy} seed ${p.seed}, and replays`, () => {
      const r = simulate({ variant: RFC, scenario: p.scenario, seed: p.seed,
        strategy: p.strategy });
      expect(r.violations[0]?.property).toBe('P1-lost-wakeup');
      expect(r.violations[0]?.message).toMatch(/\(ET\) has an undelivered wakeup/);
      const again = simulate({ variant: RFC, scenario: p.scenario, seed: p.seed,
        schedule: r.schedule });
      expect(again.hash).toBe(r.hash);
    });
  }
  it('PCT needs about 40 schedules per failure on wfcq-et-redeliver (seeds 0..399)', () => {
    let fails = 0;
    for (let seed = 0; seed < 400; seed++) {
      if (simulate({ variant: RFC, scenario: 'wfcq-et-redeliver', seed, strategy: 'pct' })
        .violations.length > 0) fails++;
    }
    expect(fails).toBeGreaterThanOrEqual(4);
  });
});

describe(`variants: ${FIXED} closes WF1`, () => {
  it('wfcq-et-redeliver, PCT, 4,100 schedules (100x the ~41 the bug needs): nothing', () => {
    expect(firstFailing(FIXED, 'wfcq-et-redeliver', 4100, { strategy: 'pct' }).seed).toBe(-1);
  });
  it('the WF1 witnesses under TSO, PCT and random, 300 seeds: nothing', () => {
    for (const strategy of ['pct', 'random']) {
      expect(sweep({ variant: FIXED, scenarios: WF1_WITNESSES, seeds: 300, memory: 'tso',
        strategy })).toEqual([]);
    }
  });
  it('the fix needs its smp_mb() under TSO (fix-no-mb: PCT seed 60), not under SC', () => {
    const r = simulate({ variant: `${FIXED}+fix-no-mb`, scenario: 'wfcq-et-redeliver',
      seed: 60, strategy: 'pct', memory: 'tso' });
    expect(r.violations[0]?.property).toBe('P1-lost-wakeup');
    expect(firstFailing(`${FIXED}+fix-no-mb`, 'wfcq-et-redeliver', 300,
      { strategy: 'pct' }).seed).toBe(-1);
  });
});

/** Runs a scenario and says whether some set's ep->ws is still active with nothing READY. */
function wsLeaks(variant: string, scenario: string, seed: number): boolean {
  const built = buildMachine(resolveScenario(scenario).scenario,
    { cfg: resolveVariant(variant), seed, checkers: [] });
  const m = built.machine;
  m.run(makeScheduler('random'));
  return built.kernel.eventpolls.some((ep) => {
    const o = m.arena.objs[ep]!;
    if (!m.arena.isLive(ep) || o.ws === 0 || m.memory.readGlobal(o.ws as number, 'active') !== 1) {
      return false;
    }
    return m.arena.live('epitem').every((epi) => m.memory.readGlobal(epi, 'state') !== 1);
  });
}

describe('variants: seed 001\'s EPOLLWAKEUP question, answered by P6 on wakeup-source', () => {
  it('as posted: P6 fails (seed 1: queued READY before __pm_stay_awake), ep->ws never relaxes',
    () => {
      const r = simulate({ variant: RFC, scenario: P6_SCENARIO, seed: 1 });
      expect(r.violations[0]?.property).toBe('P6-wakeup-source');
      for (let seed = 0; seed < 5; seed++) expect(wsLeaks(RFC, 'wfcq-wakeup-et', seed)).toBe(true);
    });
  it('an atomic counter in struct eventpoll (ws-counter): P6 fails at seed 6', () => {
    const r = simulate({ variant: `${RFC}+ws-counter`, scenario: P6_SCENARIO, seed: 6 });
    expect(r.violations[0]?.property).toBe('P6-wakeup-source');
  });
  it('the counter updated with its stay_awake/relax under ws->lock: P6 holds, no leak', () => {
    for (const variant of [`${RFC}+ws-counter-locked`, `${FIXED}+ws-counter-locked`]) {
      for (const memory of ['sc', 'tso'] as const) {
        expect(sweep({ variant, scenarios: [P6_SCENARIO], seeds: 500, memory })).toEqual([]);
      }
      for (let seed = 0; seed < 20; seed++) {
        expect(wsLeaks(variant, 'wfcq-wakeup-et', seed)).toBe(false);
      }
    }
  });
});
