/**
 * POLLFREE (issue 10, item 4): a signalfd-like file (mainline-6.18's own file type) whose
 * wait queue is freed while a set watches it. wake_up_pollfree() runs ep_poll_callback with
 * POLLFREE, which unhooks the wait entry and clears `pwq->whead` (release store), so a later
 * ep_remove_wait_queue() skips the dead queue; a remover that read `whead` before that is an
 * RCU reader, and the free waits for it (synchronize_rcu, locks/rcu.ts).
 * Canary: `no-pollfree` (the branch removed) is P3 at a pinned seed.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/api/explore.ts';
import { simulate } from '../../src/api/simulate.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { budget } from '../budget.ts';

const POLLFREE_VS_CLOSE: Scenario = {
  name: 'pollfree-vs-close',
  description: 'the signal queue of a watched signalfd dies while the set is closed',
  cpus: 2,
  files: [{ name: 's', type: 'signalfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 's', events: ['IN'] }],
  tasks: [
    { name: 'T1', cpu: 0, program: [{ op: 'write', fd: 's', n: 0 }] },
    { name: 'T2', cpu: 1, program: [{ op: 'close', fd: 'ep', expect: 0 }] },
  ],
};

const SIGNALS: Scenario = {
  name: 'signalfd-wakes',
  description: 'a signal wakes a waiter on a set watching a signalfd; then the queue dies',
  cpus: 2,
  files: [{ name: 's', type: 'signalfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 's', events: ['IN'] }],
  tasks: [
    // Whether the wait sees the signal depends on the exit's timing: no expectations.
    { name: 'T1', cpu: 0, program: [{ op: 'epoll_wait', set: 'ep', maxevents: 1, timeout: -1 },
      { op: 'read', fd: 's', n: 128 }] },
    { name: 'T2', cpu: 1, program: [{ op: 'write', fd: 's', n: 1 },
      { op: 'write', fd: 's', n: 0 }] },
  ],
};

describe('POLLFREE: a watched wait queue freed by its owner', () => {
  it('without the branch: P3 at pinned PCT seed 2 (the dead queue\'s lock)', () => {
    const r = simulate({ variant: 'mainline-6.18+no-pollfree', scenario: POLLFREE_VS_CLOSE,
      seed: 2, strategy: 'pct' });
    expect(r.violations[0]).toMatchObject({ property: 'P3-memory-safety',
      kind: 'use-after-free' });
    expect(r.violations[0]!.message).toMatch(/use-after-free of s\.sighand\.signalfd_wqh/);
  });

  it('without the branch: the first bounded execution fails', () => {
    const r = explore({ variant: 'mainline-6.18+no-pollfree', scenario: POLLFREE_VS_CLOSE,
      preemptions: 2 });
    expect(r.failure?.violations[0]?.property).toBe('P3-memory-safety');
  });

  it('with it: clean on every schedule within 2 preemptions', () => {
    const r = explore({ variant: 'mainline-6.18', scenario: POLLFREE_VS_CLOSE,
      preemptions: 2 });
    expect(r.failure).toBeUndefined();
    expect(r.complete).toBe(true);
  });

  it('with it: clean over 5,000 random and 5,000 PCT seeds', () => {
    for (const strategy of ['random', 'pct']) {
      for (let seed = 0; seed < budget(5_000); seed++) {
        const r = simulate({ variant: 'mainline-6.18', scenario: POLLFREE_VS_CLOSE, seed,
          strategy });
        if (r.violations.length > 0) throw new Error(`${strategy} seed ${seed}: ${r.replay}`);
      }
    }
  }, 120_000);

  it('the file works as a watched file before its queue dies', () => {
    const got = new Set<string>();
    for (let seed = 0; seed < 300; seed++) {
      const r = simulate({ variant: 'mainline-6.18', scenario: SIGNALS, seed });
      expect(r.violations).toEqual([]);
      got.add(JSON.stringify(r.results.filter((x) => x.task === 'T1').map((x) => x.ret)));
    }
    // Woken by the signal (its read may come after the exit: EAGAIN), or asleep for good.
    expect(got).toContain('[1,"EAGAIN"]');
    expect(got).toContain('[]');
  });
});
