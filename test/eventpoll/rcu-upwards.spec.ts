/**
 * A reader racing a free under RCU (issue 10): v6.18's ep_get_upwards_depth_proc() walks
 * `ep->refs` under rcu_read_lock() holding epnested_mutex only, so a concurrent close of a
 * watching set frees what it stands on. The item is kfree_rcu'd (__ep_remove); the eventpoll
 * was kfree'd at once in 6.18 and is kfree_rcu'd since 07712db80857 ("eventpoll: defer
 * struct eventpoll free to RCU grace period"). Canary: `B-07712db8` (6.18's kfree(ep)) is
 * P3 at pinned PCT seed 60 (portfolio: seed 96; random schedules do not find it in 20,000:
 * the walk must be held off for the whole close); the fixed form is clean over 10,000
 * schedules of each of the zoo's strategies (random, pct, portfolio), on every schedule
 * within 2 preemptions and in the reduced search within 3.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { explore } from '../../src/api/explore.ts';
import { simulate } from '../../src/api/simulate.ts';
import { verify } from '../../src/api/verify.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { setEngine, type Engine } from '../../src/sim/engine.ts';
import { sweep } from '../../src/zoo/search.ts';
import { budget } from '../budget.ts';

/** T1's ADD of set d into x walks up from x (a watches x); T2 closes a meanwhile. */
const UPWARDS_VS_CLOSE: Scenario = {
  name: 'upwards-walk-vs-close',
  description: 'the upward loop check of an ADD reads a watching set that is being closed',
  cpus: 2,
  sets: [{ name: 'x' }, { name: 'a' }, { name: 'd' }],
  watches: [{ set: 'a', fd: 'x', events: ['IN'] }],
  tasks: [
    { name: 'T1', cpu: 0, program: [{ op: 'epoll_ctl', ctl: 'ADD', set: 'x', fd: 'd',
      events: ['IN'], expect: 0 }] },
    { name: 'T2', cpu: 1, program: [{ op: 'close', fd: 'a', expect: 0 }] },
  ],
};

/** The same walk against a DEL of the item it stands on, then the close. */
const UPWARDS_VS_DEL: Scenario = {
  ...UPWARDS_VS_CLOSE,
  name: 'upwards-walk-vs-del',
  description: 'the upward loop check stands on an item that is removed, then its set closed',
  tasks: [
    UPWARDS_VS_CLOSE.tasks[0]!,
    { name: 'T2', cpu: 1, program: [{ op: 'epoll_ctl', ctl: 'DEL', set: 'a', fd: 'x',
      expect: 0 }, { op: 'close', fd: 'a', expect: 0 }] },
  ],
};

const SCENARIOS = [UPWARDS_VS_CLOSE, UPWARDS_VS_DEL];

describe('RCU: the upward loop check against a close (07712db80857)', () => {
  it('6.18 as shipped (B-07712db8): P3 at pinned PCT seed 60, the freed set read by the walk',
    () => {
      const r = simulate({ variant: 'mainline-6.18+B-07712db8', scenario: UPWARDS_VS_CLOSE,
        seed: 60, strategy: 'pct' });
      expect(r.violations[0]).toMatchObject({ property: 'P3-memory-safety',
        kind: 'use-after-free' });
      expect(r.violations[0]!.message).toMatch(new RegExp('T1 in ep_get_upwards_depth_proc: ' +
        'READ_ONCE of \\.next: use-after-free of a\\.f_ep \\(freed at step \\d+ by ctx 2 ' +
        'in ep_free'));
      // The next PCT seed that fails reads the freed set itself.
      const g = simulate({ variant: 'mainline-6.18+B-07712db8', scenario: UPWARDS_VS_CLOSE,
        seed: 96, strategy: 'pct' });
      expect(g.violations[0]!.message)
        .toMatch(/T1 in ep_get_upwards_depth_proc: load of \.gen: use-after-free of a /);
    });

  it('B-07712db8: the portfolio finds it at seed 96; the bounded and reduced searches too',
    () => {
      const r = simulate({ variant: 'mainline-6.18+B-07712db8', scenario: UPWARDS_VS_CLOSE,
        seed: 96, strategy: 'portfolio' });
      expect(r.violations[0]?.kind).toBe('use-after-free');
      const b = explore({ variant: 'mainline-6.18+B-07712db8', scenario: UPWARDS_VS_CLOSE,
        preemptions: 1 });
      expect(b.failure?.violations[0]?.kind).toBe('use-after-free');
      const d = verify({ variant: 'mainline-6.18+B-07712db8', scenario: UPWARDS_VS_CLOSE,
        maxExecutions: 2000 });
      expect(d.failure?.violations[0]?.kind).toBe('use-after-free');
    });

  it('fixed: clean on every schedule within 2 preemptions, and reduced within 3', () => {
    const b = explore({ variant: 'mainline-6.18', scenario: UPWARDS_VS_CLOSE, preemptions: 2 });
    expect(b.failure).toBeUndefined();
    expect(b.complete).toBe(true);
    const d = verify({ variant: 'mainline-6.18', scenario: UPWARDS_VS_CLOSE, preemptions: 3 });
    expect(d.failure).toBeUndefined();
    expect(d.complete).toBe(true);
  });

  it('the fixed form\'s runs include grace periods that wait for the walk', () => {
    let waited = 0;
    for (let seed = 0; seed < 200; seed++) {
      const r = simulate({ variant: 'mainline-6.18', scenario: UPWARDS_VS_CLOSE, seed,
        strategy: 'pct' });
      if (r.schedule.includes('Z0.')) waited++;
    }
    expect(waited).toBeGreaterThan(0);
  });

  for (const strategy of ['random', 'pct', 'portfolio']) {
    it(`fixed: clean over 10,000 ${strategy} schedules`, () => {
      const s = sweep('mainline-6.18', SCENARIOS, strategy, budget(10_000));
      expect(s.failure?.replay ?? 'clean').toBe('clean');
      expect(s.schedules).toBe(budget(10_000));
    });
  }
});

describe('RCU: grace-period choices run the same on both engines', () => {
  afterEach(() => setEngine('fast'));

  it('baseline = fast on the walk scenarios, with and without the fix, SC and TSO, traced', () => {
    const run = (e: Engine, o: Parameters<typeof simulate>[0]): string => {
      setEngine(e);
      return JSON.stringify(simulate(o));
    };
    let withGp = 0;
    for (const variant of ['mainline-6.18', 'mainline-6.18+B-07712db8']) {
      for (const scenario of SCENARIOS) {
        for (const memory of ['sc', 'tso'] as const) {
          for (let seed = 0; seed < 40; seed++) {
            const o = { variant, scenario, seed, memory, strategy: 'pct', trace: true };
            const fast = run('fast', o);
            expect(run('baseline', o), `${variant} ${scenario.name} ${memory} ${seed}`)
              .toBe(fast);
            if (fast.includes('grace period')) withGp++;
          }
        }
      }
    }
    expect(withGp).toBeGreaterThan(4);
  });
});
