/**
 * Seed 004: EPOLLEXCLUSIVE as merged (exclusive-4.5) and the proposed round-robin policy
 * layer (roundrobin-rfc). What holds: the flag wakes one set instead of the herd; the
 * policy wakes exactly one attached set per wakeup, in turn. What does not: a turn can go to
 * a set with no waiting thread while another set has one, and with a level-triggered source
 * (Andy Lutomirski's question) a waiter can sleep forever with the source ready.
 */
import { describe, expect, it } from 'vitest';
import { resolveVariant } from '../../src/eventpoll/variant.ts';
import { rrLog, type RrDecision } from '../../src/eventpoll/roundrobin-rfc/policy.ts';
import { buildMachine } from '../../src/scenario/build.ts';
import { scenarioNames } from '../../src/scenario/library.ts';
import { roundrobinScenario } from '../../src/scenario/roundrobin.ts';
import { makeScheduler } from '../../src/sim/schedulers/index.ts';
import type { Violation } from '../../src/sim/violation.ts';
import { sweep } from './helpers.ts';

interface Run {
  violation: Violation | undefined;
  log: RrDecision[];
  /** epoll_wait calls that returned events. */
  returned: number;
}

function run(variant: string, scenario: string, seed: number, strategy = 'random'): Run {
  const b = buildMachine(roundrobinScenario(scenario), { cfg: resolveVariant(variant), seed });
  const out = b.machine.run(makeScheduler(strategy));
  return { violation: out.violations[0], log: rrLog(b.machine),
    returned: b.results.filter((r) => r.op === 'epoll_wait' && (r.ret as number) > 0).length };
}

/** Whether each decision picked the set after the previous one's, in rotation order. */
function inTurn(log: RrDecision[]): boolean {
  return log.every((d, i) => {
    if (i === 0) return true;
    const prev = log[i - 1]!;
    return d.chosen === prev.attached[(prev.attached.indexOf(prev.chosen) + 1) %
      prev.attached.length];
  });
}

describe('variants: exclusive-4.5 (df0108c5da56)', () => {
  it('is clean on the library, SC and TSO random and SC PCT, 40 seeds', () => {
    for (const [memory, strategy] of [['sc', 'random'], ['tso', 'random'], ['sc', 'pct']]) {
      expect(sweep({ variant: 'exclusive-4.5', scenarios: scenarioNames(), seeds: 40,
        memory: memory as 'sc' | 'tso', strategy })).toEqual([]);
    }
  });
  it('one write wakes one of three exclusive sets\' waiters (the herd without: all three)',
    () => {
      for (let seed = 0; seed < 100; seed++) {
        expect(run('exclusive-4.5', 'excl-herd', seed).returned).toBe(1);
        expect(run('exclusive-4.5', 'excl-herd-plain', seed).returned).toBe(3);
      }
    });
});

describe('variants: roundrobin-rfc (seed 004\'s policy layer)', () => {
  it('without a policy set it is exclusive-4.5: clean on the library, 30 seeds', () => {
    expect(sweep({ variant: 'roundrobin-rfc', scenarios: scenarioNames(), seeds: 30 }))
      .toEqual([]);
  });
  it('holds its promise: each of the 6 wakeups goes to exactly one set, in turn', () => {
    for (const strategy of ['random', 'pct']) {
      for (let seed = 0; seed < 100; seed++) {
        const r = run('roundrobin-rfc', 'rr-three-workers', seed, strategy);
        expect(r.violation).toBeUndefined();
        expect(r.log.length).toBe(6);
        expect(inTurn(r.log)).toBe(true);
      }
    }
  });
  it('but a turn can go to a busy set while another set has a waiter, and a worker can ' +
    'then sleep forever with all six events written (PCT)', () => {
    let wasted = 0;
    let stranded = 0;
    for (let seed = 0; seed < 100; seed++) {
      const r = run('roundrobin-rfc', 'rr-three-workers', seed, 'pct');
      wasted += r.log.filter((d) => !d.hadWaiter && d.waiterElsewhere).length;
      if (r.returned < 6) stranded++;
    }
    expect(wasted).toBeGreaterThan(0);
    expect(stranded).toBeGreaterThan(0);
  });
  it('Andy Lutomirski\'s concern: with a level-triggered source a waiter sleeps forever ' +
    'while the source is ready (P1), with or without rr-skip-idle; plain nesting wakes all',
  () => {
    for (let seed = 0; seed < 20; seed++) {
      for (const v of ['roundrobin-rfc', 'roundrobin-rfc+rr-skip-idle']) {
        const r = run(v, 'rr-lt-busy-worker', seed);
        expect(r.violation?.property).toBe('P1-lost-wakeup');
        expect(r.violation?.message).toMatch(/LT epi:rr is ready/);
      }
      expect(run('exclusive-4.5', 'rr-lt-busy-worker', seed).violation).toBeUndefined();
    }
  });
});
