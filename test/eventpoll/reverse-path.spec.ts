/**
 * reverse_path_check() of v6.18 (src/eventpoll/mainline/reverse-path.ts): the path limits
 * (the host kernel agrees: conformance/fidelity/paths.ops), and the walk under RCU as the
 * second reader of 07712db80857's use-after-free (the zoo's RW1, on its scenario):
 * `B-07712db8` (6.18's kfree(ep)) is P3 at pinned PCT seed 89 (portfolio 192; random finds
 * none in 4,000), the fixed form clean over 10,002 schedules of the zoo's strategies.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { RW1_REVERSE_VS_CLOSE } from '../../src/zoo/scenarios.ts';
import { budget } from '../budget.ts';

/** T1 adds e into x, which w watches (a full check); a watches e too, and T2 closes a. */
const REVERSE_VS_CLOSE = RW1_REVERSE_VS_CLOSE;

/** e <- A <- B <- C <- D <- E0..E{n-1}; then T adds F on top of D. */
function pathLimit(n: number): Scenario {
  const tops = Array.from({ length: n }, (_, i) => `E${i}`);
  return {
    name: `path-limit-${n}`, description: 'n sets on top of a chain of four', cpus: 1,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: ['A', 'B', 'C', 'D', ...tops, 'F'].map((name) => ({ name })),
    watches: [{ set: 'A', fd: 'e', events: ['IN'] }, { set: 'B', fd: 'A', events: ['IN'] },
      { set: 'C', fd: 'B', events: ['IN'] }, { set: 'D', fd: 'C', events: ['IN'] },
      ...tops.map((set) => ({ set, fd: 'D', events: ['IN'] }))],
    tasks: [{ name: 'T', cpu: 0, program: [{ op: 'epoll_ctl', ctl: 'ADD', set: 'F', fd: 'D',
      events: ['IN'] }] }],
  };
}

describe('reverse_path_check (mainline-6.18)', () => {
  it('path_limits[4] is 10: the 10th path four sets up is allowed, the 11th is EINVAL', () => {
    expect(simulate({ variant: 'mainline-6.18', scenario: pathLimit(9) }).results[0]?.ret)
      .toBe(0);
    expect(simulate({ variant: 'mainline-6.18', scenario: pathLimit(10) }).results[0]?.ret)
      .toBe('EINVAL');
    // The older eras' tables have no reverse check (stated in docs/fidelity.md).
    expect(simulate({ variant: 'classic-4.19', scenario: pathLimit(10) }).results[0]?.ret)
      .toBe(0);
  });

  it('B-07712db8: the walk reads a closed set (P3) at pinned PCT seed 89, portfolio 192', () => {
    const r = simulate({ variant: 'mainline-6.18+B-07712db8', scenario: REVERSE_VS_CLOSE,
      seed: 89, strategy: 'pct' });
    expect(r.violations[0]).toMatchObject({ property: 'P3-memory-safety',
      kind: 'use-after-free' });
    expect(r.violations[0]!.message).toMatch(
      /^T1 in reverse_path_check_proc: READ_ONCE of \.next: use-after-free of a\.f_ep /);
    const p = simulate({ variant: 'mainline-6.18+B-07712db8', scenario: REVERSE_VS_CLOSE,
      seed: 192, strategy: 'portfolio' });
    expect(p.violations[0]?.kind).toBe('use-after-free');
  });

  it('fixed (kfree_rcu(ep)): clean over 10,002 schedules (random, pct, portfolio)', () => {
    let runs = 0;
    for (const strategy of ['random', 'pct', 'portfolio']) {
      for (let seed = 0; seed < budget(3334); seed++) {
        const r = simulate({ variant: 'mainline-6.18', scenario: REVERSE_VS_CLOSE, seed,
          strategy });
        expect(r.violations).toEqual([]);
        runs++;
      }
    }
    expect(runs).toBe(3 * budget(3334));
  }, 120_000);
});
