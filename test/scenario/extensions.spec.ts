/**
 * The scenario extensions for the kernel selftests: poll with a timeout, calls made only
 * after a positive result (`when`), tallies counted by calls and checked at the end of a
 * run, and the time mode. Each malformed field is reported by its path.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { validateScenario } from '../../src/scenario/validate.ts';

const BASE: Scenario = {
  name: 'ext', cpus: 2,
  files: [{ name: 'e', type: 'eventfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'e', events: ['IN'] }],
  tasks: [
    { name: 'P', cpu: 0, program: [
      { op: 'poll', fd: 'ep', events: ['IN'], timeout: -1 },
      { op: 'epoll_wait', set: 'ep', maxevents: 1, timeout: 0, when: 'previous-positive',
        count: { tally: 'got' } },
    ] },
    { name: 'W', cpu: 1, program: [{ op: 'write', fd: 'e', n: 1 }] },
  ],
  tallies: [{ name: 'got', expect: 1 }],
};

function bad(change: (s: Record<string, unknown>) => void): string {
  const s = JSON.parse(JSON.stringify(BASE)) as Record<string, unknown>;
  change(s);
  try {
    validateScenario(s);
  } catch (e) {
    return (e as Error).message;
  }
  return 'valid';
}

const prog = (s: Record<string, unknown>, t: number): Record<string, unknown>[] =>
  (s.tasks as { program: Record<string, unknown>[] }[])[t]!.program;

describe('scenario: selftest extensions are validated by field path', () => {
  it('accepts the base scenario', () => expect(bad(() => {})).toBe('valid'));
  it.each([
    [(s: Record<string, unknown>) => { prog(s, 0)[1]!.count = { tally: 'nope' }; },
      "tasks[0].program[1].count.tally: unknown tally 'nope'"],
    [(s: Record<string, unknown>) => { prog(s, 0)[1]!.count = { tally: 'got', add: 1, or: 2 }; },
      'tasks[0].program[1].count: give add or or, not both'],
    [(s: Record<string, unknown>) => { prog(s, 0)[0]!.when = 'previous-positive'; },
      'tasks[0].program[0].when: the first call of a program has no previous call'],
    [(s: Record<string, unknown>) => { prog(s, 0)[1]!.when = 'always'; },
      "tasks[0].program[1].when: expected 'previous-positive'"],
    [(s: Record<string, unknown>) => { prog(s, 0)[0]!.timeout = 1.5; },
      'tasks[0].program[0].timeout: expected an integer'],
    [(s: Record<string, unknown>) => { s.tallies = [{ name: 'got', expect: 1 },
      { name: 'got', expect: 2 }]; }, "tallies[1].name: tally 'got' is defined twice"],
    [(s: Record<string, unknown>) => { s.tallies = [{ name: 'got', expect: [3, 2] }]; },
      'tallies[0].expect: expected an integer or a range [min, max]'],
    [(s: Record<string, unknown>) => { s.tallies = [{ name: 'got', expect: 1 },
      { name: 'unused', expect: 0 }]; }, "tallies[1].name: no call counts into 'unused'"],
    [(s: Record<string, unknown>) => { s.time = 'lazy'; }, "time: expected 'eager' or 'idle'"],
  ])('rejects case %#', (change, message) => {
    expect(bad(change)).toContain(message);
  });
});

describe('scenario: selftest extensions at run time', () => {
  it('a poller wakes, collects and counts; the tally holds on every seed', () => {
    for (let seed = 0; seed < 50; seed++) {
      const r = simulate({ variant: 'mainline-6.18', scenario: BASE, seed });
      expect(r.violations).toEqual([]);
      expect(r.results.filter((x) => x.task === 'P').map((x) => x.ret)).toEqual([1, 1]);
    }
  });
  it('a call after a non-positive result is skipped and recorded as skipped', () => {
    const sc: Scenario = { ...BASE, tallies: [{ name: 'got', expect: 0 }], tasks: [
      { name: 'P', cpu: 0, program: [
        { op: 'poll', fd: 'ep', events: ['IN'], timeout: 5 },
        { op: 'epoll_wait', set: 'ep', maxevents: 1, timeout: 0, when: 'previous-positive',
          count: { tally: 'got' } },
      ] }] };
    const r = simulate({ variant: 'mainline-6.18', scenario: sc, seed: 0 });
    expect(r.results.map((x) => x.ret)).toEqual([0, 'skipped']);
    expect(r.violations).toEqual([]);
  });
  it('a tally that misses its expectation is an assertion violation at the end', () => {
    const r = simulate({ variant: 'mainline-6.18', scenario: { ...BASE,
      tallies: [{ name: 'got', expect: [2, 3], description: 'two or three' }] }, seed: 0 });
    expect(r.violations[0]?.property).toBe('assertion');
    expect(r.violations[0]?.kind).toBe('tally');
    expect(r.violations[0]?.message).toBe("tally 'got' is 1 at the end of the run, " +
      'expected [2,3] (two or three)');
  });
  it('or-counting and idle time: a sleep ends only once everything else waits', () => {
    const sc: Scenario = {
      name: 'ext-idle', cpus: 2, time: 'idle',
      files: [{ name: 'e', type: 'eventfd' }], sets: [{ name: 'ep' }],
      watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ET'] }],
      tasks: [
        { name: 'W', cpu: 0, program: [{ op: 'epoll_wait', set: 'ep', maxevents: 1,
          timeout: 1000, count: { tally: 'bits', or: 4 } }] },
        { name: 'late', cpu: 1, program: [{ op: 'sleep', ms: 1 }, { op: 'write', fd: 'e', n: 1 }] },
      ],
      tallies: [{ name: 'bits', expect: 4 }],
    };
    for (let seed = 0; seed < 30; seed++) {
      const r = simulate({ variant: 'mainline-6.18', scenario: sc, seed });
      expect(r.violations).toEqual([]);
    }
  });
});
