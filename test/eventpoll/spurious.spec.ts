/**
 * P5, spurious queueing and wake-ups (src/eventpoll/checkers/spurious.ts): each of
 * ep_poll_callback's filters removed (a canary fault) is found at a pinned seed, and the
 * unmodified variants are clean on the same scenarios and on the library's.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import '../../src/eventpoll/variants.ts';
import { variantNames } from '../../src/eventpoll/variant.ts';
import { LIBRARY } from '../../src/scenario/library.ts';

/** An ET item is harvested, then a read of its eventfd wakes writers (key EPOLLOUT). */
const OUT_WAKE: Scenario = {
  name: 'spurious-out-wake', description: 'an EPOLLIN item and an EPOLLOUT wake-up',
  cpus: 2, files: [{ name: 'e', type: 'eventfd' }], sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ET'] }],
  tasks: [{ name: 'T0', cpu: 0, program: [{ op: 'write', fd: 'e', n: 1 },
    { op: 'epoll_wait', set: 'ep', maxevents: 1, timeout: -1 },
    { op: 'read', fd: 'e', n: 8 }] },
  { name: 'T1', cpu: 1, program: [{ op: 'write', fd: 'e', n: 1 }] }],
};

/**
 * A ONESHOT item is delivered (so disarmed), then its pipe's writer closes: pipe_release
 * wakes the readers with no key, which passes the interest filter.
 */
const DISARMED: Scenario = {
  name: 'spurious-disarmed', description: 'a spent ONESHOT item woken with no key',
  cpus: 2, files: [{ name: 'p', type: 'pipe' }], sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'pr', events: ['IN', 'ONESHOT'] }],
  tasks: [{ name: 'T0', cpu: 0, program: [{ op: 'write', fd: 'pw', n: 1 },
    { op: 'epoll_wait', set: 'ep', maxevents: 1, timeout: -1 },
    { op: 'close', fd: 'pw' }] },
  { name: 'T1', cpu: 1, program: [{ op: 'write', fd: 'pw', n: 1 }] }],
};

/** Two EXCLUSIVE sets on one eventfd, a waiter on the second only. */
const EXCL: Scenario = {
  name: 'spurious-exclusive', description: 'an exclusive set without a waiter first',
  cpus: 2, files: [{ name: 'e', type: 'eventfd' }], sets: [{ name: 'ep1' }, { name: 'ep2' }],
  watches: [{ set: 'ep1', fd: 'e', events: ['IN', 'EXCLUSIVE'] },
    { set: 'ep2', fd: 'e', events: ['IN', 'EXCLUSIVE'] }],
  tasks: [{ name: 'T2', cpu: 0, program: [
    { op: 'epoll_wait', set: 'ep2', maxevents: 1, timeout: -1 }] }],
  irqs: [{ name: 'dev', cpu: 1, fd: 'e', count: 1 }],
};

const CANARIES = [
  { fault: 'fault:callback-no-interest-filter', scenario: OUT_WAKE, kind: 'spurious-queue',
    message: /queued epi:e for a wakeup with key 0x4, none of its events 0x19/ },
  { fault: 'fault:callback-no-disarm-filter', scenario: DISARMED, kind: 'spurious-queue',
    message: /queued epi:pr, which was disarmed/ },
  { fault: 'fault:callback-wq-always-active', scenario: EXCL, kind: 'spurious-exclusive-wake',
    message: /EXCLUSIVE epi:e returned 1 .* ep1 had no waiter/ },
];

function firstFailing(variant: string, scenario: Scenario, n: number, strategy = 'random'):
number {
  for (let seed = 0; seed < n; seed++) {
    if (simulate({ variant, scenario, seed, strategy }).violations.length > 0) return seed;
  }
  return -1;
}

describe('P5 spurious queueing: canaries (seeds 0..199)', () => {
  for (const variant of ['mainline-6.18', 'classic-4.19', 'exclusive-4.5']) {
    for (const k of CANARIES) {
      it(`${variant}+${k.fault}: found at seed 0, the unmodified variant clean`, () => {
        expect(firstFailing(`${variant}+${k.fault}`, k.scenario, 200)).toBe(0);
        const r = simulate({ variant: `${variant}+${k.fault}`, scenario: k.scenario, seed: 0 });
        expect(r.violations[0]?.property).toBe('P5-event-semantics');
        expect(r.violations[0]?.kind).toBe(k.kind);
        expect(r.violations[0]?.message).toMatch(k.message);
        expect(firstFailing(variant, k.scenario, 200)).toBe(-1);
      });
    }
  }
});

describe('P5 spurious queueing: no false reports', () => {
  it('mainline-6.18 is clean on the canaries\' scenarios over 10,008 schedules ' +
    '(random, pct, portfolio)', () => {
    let runs = 0;
    for (const sc of [OUT_WAKE, DISARMED, EXCL]) {
      for (const strategy of ['random', 'pct', 'portfolio']) {
        for (let seed = 0; seed < 1112; seed++) {
          const r = simulate({ variant: 'mainline-6.18', scenario: sc, seed, strategy });
          expect(r.violations).toEqual([]);
          runs++;
        }
      }
    }
    expect(runs).toBe(10_008);
  }, 120_000);

  it('every built-in variant, every library scenario, 8 seeds each, sc/tso/lkmm', () => {
    let runs = 0;
    for (const variant of variantNames()) {
      for (const sc of LIBRARY) {
        for (let seed = 0; seed < 8; seed++) {
          const memory = (['sc', 'tso', 'lkmm'] as const)[seed % 3];
          let r;
          try {
            r = simulate({ variant, scenario: sc.name, seed, strategy: seed & 1 ? 'pct' : 'random',
              memory });
          } catch {
            continue; // over a limit: not this property's business
          }
          runs++;
          expect(r.violations.filter((v) => v.kind.startsWith('spurious'))).toEqual([]);
        }
      }
    }
    expect(runs).toBe(variantNames().length * LIBRARY.length * 8);
  }, 120_000);

  it('2.6.22 had no keyed wakeups: its callback may queue for any key, and is not reported',
    () => {
      const r = simulate({ variant: 'singlepass-2.6.22', scenario: OUT_WAKE, seed: 0 });
      expect(r.violations).toEqual([]);
    });
});
