/**
 * EPOLL_CTL_MOD turning EPOLLWAKEUP off against a callback (issue 10, RCU): v6.18's
 * ep_destroy_wakeup_source() clears epi->ws, waits in synchronize_rcu() and frees the
 * source; the callback activates it in ep_pm_stay_awake_rcu(), an RCU reader. The mutant
 * `ws-no-synchronize-rcu` frees it at once: P3 at pinned PCT seed 308 (portfolio 308, random
 * 1696); the fixed form is clean over 10,002 schedules of the zoo's strategies.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { budget } from '../budget.ts';

const WS_VS_CALLBACK: Scenario = {
  name: 'ws-destroy-vs-callback',
  description: 'MOD drops EPOLLWAKEUP while an interrupt\'s callback activates the source',
  cpus: 2,
  files: [{ name: 'e', type: 'eventfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'e', events: ['IN', 'WAKEUP'] }],
  tasks: [{ name: 'T1', cpu: 0, program: [{ op: 'epoll_ctl', ctl: 'MOD', set: 'ep', fd: 'e',
    events: ['IN'], expect: 0 }] }],
  irqs: [{ name: 'dev', cpu: 1, fd: 'e', count: 1 }],
};

describe('RCU: ep_destroy_wakeup_source against ep_pm_stay_awake_rcu', () => {
  it('ws-no-synchronize-rcu: the callback activates a freed source (P3), pinned seeds', () => {
    for (const [seed, strategy] of [[308, 'pct'], [308, 'portfolio'], [1696, 'random']] as const) {
      const r = simulate({ variant: 'mainline-6.18+ws-no-synchronize-rcu',
        scenario: WS_VS_CALLBACK, seed, strategy });
      expect(r.violations[0]).toMatchObject({ property: 'P3-memory-safety',
        kind: 'use-after-free' });
      expect(r.violations[0]!.message).toMatch(
        /^irq@1 in __pm_stay_awake: store of \.active: use-after-free of epi:e\.ws /);
    }
  });

  it('fixed: clean over 10,002 schedules (random, pct, portfolio), and the source is freed',
    () => {
      let runs = 0;
      for (const strategy of ['random', 'pct', 'portfolio']) {
        for (let seed = 0; seed < budget(3334); seed++) {
          const r = simulate({ variant: 'mainline-6.18', scenario: WS_VS_CALLBACK, seed,
            strategy });
          expect(r.violations).toEqual([]);
          runs++;
        }
      }
      expect(runs).toBe(3 * budget(3334));
      const t = simulate({ variant: 'mainline-6.18', scenario: WS_VS_CALLBACK, seed: 0,
        trace: true });
      expect(t.trace!.some((e) => e.fn === 'ep_destroy_wakeup_source')).toBe(true);
    }, 120_000);
});
