/**
 * The seed-driven strategies added for the portfolio: `preempt:K` keeps to its bound, and
 * `portfolio` runs, for each seed, exactly the execution its member strategy runs with that
 * seed (so a failure replays from the seed alone, and counts per member add up).
 */
import { describe, expect, it } from 'vitest';
import { fuzz, planChunks, runChunk, mergeChunks } from '../../src/api/fuzz.ts';
import { reverifyCommand, simulate } from '../../src/api/simulate.ts';
import { resolveScenario } from '../../src/scenario/library.ts';
import type { Scheduler } from '../../src/sim/scheduler.ts';
import { makeScheduler } from '../../src/sim/schedulers/index.ts';
import {
  PORTFOLIO, PORTFOLIO_LKMM, PORTFOLIO_MEMBERS, portfolioMember,
} from '../../src/sim/schedulers/portfolio.ts';

/** Wraps a scheduler and counts preemptions as `explore` counts them. */
function counting(inner: Scheduler): Scheduler & { preemptions: number } {
  let prev = -1;
  const w = {
    name: inner.name, preemptions: 0,
    begin(seed: number) {
      prev = -1;
      w.preemptions = 0;
      inner.begin(seed);
    },
    pick(ids: Int32Array, n: number, step: number) {
      const i = inner.pick(ids, n, step);
      let canRun = false;
      for (let k = 0; k < n; k++) if (ids[k] === prev) canRun = true;
      if (canRun && ids[i] !== prev) w.preemptions++;
      prev = ids[i]!;
      return i;
    },
    end(steps: number) {
      inner.end?.(steps);
    },
  };
  return w;
}

describe('preempt:K', () => {
  for (const k of [0, 1, 2, 3]) {
    it(`never preempts more than ${k} times (40 seeds, two scenarios)`, () => {
      let most = 0;
      for (const scenario of ['lt-two-waiters', 'harvest-vs-irq']) {
        for (let seed = 0; seed < 20; seed++) {
          const s = counting(makeScheduler(`preempt:${k}`));
          simulate({ variant: 'mainline-6.18', scenario, seed, scheduler: s });
          expect(s.preemptions).toBeLessThanOrEqual(k);
          most = Math.max(most, s.preemptions);
        }
      }
      // The bound is reached, not just respected (a sampler that never preempts would pass).
      expect(most).toBe(k);
    });
  }

  it('is deterministic per seed and differs from random', () => {
    const a = simulate({ variant: 'mainline-6.18', scenario: 'harvest-vs-irq', seed: 9,
      strategy: 'preempt:2' });
    const b = simulate({ variant: 'mainline-6.18', scenario: 'harvest-vs-irq', seed: 9,
      strategy: 'preempt:2' });
    const r = simulate({ variant: 'mainline-6.18', scenario: 'harvest-vs-irq', seed: 9 });
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(r.hash);
  });
});

describe('portfolio', () => {
  it('runs, for each seed, the execution of the member its seed selects', () => {
    for (let seed = 0; seed < 2 * PORTFOLIO.length; seed++) {
      const p = simulate({ variant: 'mainline-6.18', scenario: 'lt-two-waiters', seed,
        strategy: 'portfolio' });
      const m = simulate({ variant: 'mainline-6.18', scenario: 'lt-two-waiters', seed,
        strategy: portfolioMember(seed) });
      expect(p.hash).toBe(m.hash);
      expect(p.strategy).toBe('portfolio');
    }
  });

  it('under lkmm runs the lkmm table (random in five slots of eight), in simulate and fuzz', () => {
    const pw1 = 'zoo-pw1-poll-writer';
    const bug = 'mainline-6.18+no-pollwake-wmb';
    expect(PORTFOLIO_LKMM.filter((m) => m === 'random').length).toBe(5);
    for (let seed = 0; seed < PORTFOLIO_LKMM.length; seed++) {
      expect(portfolioMember(seed, 'lkmm')).toBe(PORTFOLIO_LKMM[seed]);
      const p = simulate({ variant: bug, scenario: pw1, seed, strategy: 'portfolio' });
      const m = simulate({ variant: bug, scenario: pw1, seed, strategy: PORTFOLIO_LKMM[seed] });
      expect(p.memory).toBe('lkmm');
      expect(p.hash).toBe(m.hash);
    }
    // The same seed under TSO runs the default table's member.
    const t = simulate({ variant: bug, scenario: pw1, seed: 0, strategy: 'portfolio',
      memory: 'tso' });
    expect(t.hash).toBe(simulate({ variant: bug, scenario: pw1, seed: 0, memory: 'tso',
      strategy: PORTFOLIO[0] }).hash);
    const sum = fuzz({ variant: bug, scenarios: [pw1], schedules: 16, strategy: 'portfolio',
      stopAtFirst: false });
    // 12 sampled (the last quarter is the reduced search's): seeds 0..11, random at slots
    // 0, 2, 4, 6, 7 of each eight.
    expect(sum.members!.random).toBe(7);
  });

  it('rotates through every member over consecutive seeds', () => {
    const seen = new Set<string>();
    for (let s = 1000; s < 1000 + PORTFOLIO.length; s++) seen.add(portfolioMember(s));
    expect([...seen].sort()).toEqual([...PORTFOLIO_MEMBERS].sort());
  });

  it('fuzz counts executions per member; chunked runs merge to the same summary', () => {
    const o = { variant: 'mainline-6.18', scenarios: ['lt-two-waiters', 'one-wakeup'],
      schedules: 37, strategy: 'portfolio', stopAtFirst: false };
    const whole = fuzz(o);
    const total = Object.values(whole.members!).reduce((a, n) => a + n, 0);
    expect(total).toBe(whole.schedules);
    expect(Object.keys(whole.members!)).toEqual([...PORTFOLIO_MEMBERS, 'dpor']);
    const chunked = mergeChunks(o, planChunks(o, 5).reverse().map((c) => runChunk(o, c)));
    expect(JSON.stringify(chunked)).toBe(JSON.stringify(whole));
    // Other strategies carry no member counts.
    expect(fuzz({ ...o, strategy: 'pct' }).members).toBeUndefined();
  });

  it('finds a bug only one family of members finds (B11: only PCT) within its budget', () => {
    // rwlock-5.1's qrwlock starvation (P7) is found by PCT and by nothing else in the zoo's
    // measurements: the portfolio must still find it, through its PCT members.
    const o = { variant: 'rwlock-5.1', scenarios: ['zoo-b11-irq-storm'], schedules: 1500,
      strategy: 'portfolio' };
    const sum = fuzz(o);
    const f = sum.scenarios[0]!.failure;
    expect(f?.violation.property).toBe('P7-liveness');
    expect(portfolioMember(f!.seed)).toMatch(/^pct:/);
  }, 120_000);
});

describe("portfolio: the reduced search's share", () => {
  const base = { variant: 'mainline-6.18', scenarios: ['one-wakeup', 'close-vs-close'],
    schedules: 800, strategy: 'portfolio', stopAtFirst: false };

  it('is the last quarter of each scenario, one chunk whatever the chunk size', () => {
    const plan = planChunks(base, 100);
    const v = plan.filter((c) => c.verify);
    expect(v).toEqual([{ index: 0, from: 600, to: 800, verify: true },
      { index: 1, from: 600, to: 800, verify: true }]);
    expect(plan.filter((c) => !c.verify).every((c) => c.to <= 600)).toBe(true);
    expect(() => runChunk(base, { index: 0, from: 500, to: 700 })).toThrow(/reduced search/);
    expect(() => runChunk(base, { index: 0, from: 700, to: 800, verify: true }))
      .toThrow(/a verify chunk must be the last 200 executions/);
    expect(planChunks({ ...base, strategy: 'pct' }).some((c) => c.verify)).toBe(false);
  });

  it('verifies small scenarios, and the summary does not depend on the chunking', () => {
    const whole = fuzz(base);
    expect(whole.scenarios.map((s) => s.verified)).toEqual([
      { executions: 84, blocked: 0, complete: true, slots: 200 },
      { executions: 64, blocked: 4, complete: true, slots: 200 }]);
    // 600 sampled executions and the search's own count.
    expect(whole.scenarios.map((s) => s.schedules)).toEqual([684, 664]);
    expect(whole.members!.dpor).toBe(148);
    const chunked = mergeChunks(base, planChunks(base, 7).reverse()
      .map((c) => runChunk(base, c)));
    expect(JSON.stringify(chunked)).toBe(JSON.stringify(whole));
  }, 120_000);

  it('finds a bug the sampled members missed, and its failure replays from the schedule', () => {
    // The pre-8c2e52ebbe88 order (P3 after close vs close): DPOR's 5th execution; the 30
    // sampled executions before it do not reach it.
    const o = { variant: 'mainline-6.18', bugs: ['B-8c2e52eb'], scenarios: ['close-vs-close'],
      schedules: 40, strategy: 'portfolio' };
    const s = fuzz(o).scenarios[0]!;
    expect(s.failure?.strategy).toBe('dpor');
    expect(s.firstAt).toBe(35);
    expect(s.schedules).toBe(35);
    const r = simulate({ variant: 'mainline-6.18', bugs: ['B-8c2e52eb'],
      scenario: 'close-vs-close', schedule: s.failure!.schedule });
    expect(r.violations[0]?.property).toBe(s.failure!.violation.property);
    expect(s.replay).toMatch(/--schedule /);
  }, 120_000);
});

describe("portfolio: the reduced search's commands", () => {
  it('a failure of a scenario object replays under the name the campaign gave it', () => {
    const { scenario } = resolveScenario('close-vs-close');
    const o = { variant: 'mainline-6.18', bugs: ['B-8c2e52eb'], scenarios: [scenario],
      schedules: 40, strategy: 'portfolio', refs: new Map([[scenario, 'cvc.json']]) };
    const s = fuzz(o).scenarios[0]!;
    expect(s.failure?.strategy).toBe('dpor');
    expect(s.replay).toMatch(/ --scenario cvc\.json --seed 0 --schedule /);
  });

  it('an execution over a limit is run again with verify, within the share', () => {
    expect(reverifyCommand({ variant: 'mainline-6.18', bugs: ['B5'], scenario: 'one-wakeup',
      memory: 'tso' }, 250)).toBe('npx eventpoll-sim verify --variant mainline-6.18+B5 ' +
      '--scenario one-wakeup --max-executions 250 --memory tso');
  });
});
