/**
 * P5, spurious queueing and wake-ups (src/eventpoll/checkers/spurious.ts): each of
 * ep_poll_callback's filters removed (a canary fault) is found at a pinned seed, and the
 * unmodified variants are clean on the same scenarios and on the library's.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { DISARMED, EXCL, OUT_WAKE } from './spurious-scenarios.ts';

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

describe('P5 spurious queueing: eras', () => {
  it('2.6.22 had no keyed wakeups: its callback may queue for any key, and is not reported',
    () => {
      const r = simulate({ variant: 'singlepass-2.6.22', scenario: OUT_WAKE, seed: 0 });
      expect(r.violations).toEqual([]);
    });
});
