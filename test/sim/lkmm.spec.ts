/**
 * The lkmm memory mode in the machine: deterministic, replayable, shrinkable, shown in the
 * trace, refused with the valid names when misspelt, searched by verify; and the barriers
 * it models each have a canary (the same program without the barrier reaches the outcome).
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { verify } from '../../src/api/verify.ts';
import { validateScenario } from '../../src/scenario/validate.ts';
import { Machine } from '../../src/sim/machine.ts';
import { READ_ONCE, smp_load_acquire, smp_store_release, WRITE_ONCE } from '../../src/sim/mem.ts';
import { decodeSchedule, encodeSchedule, READ_BASE, tokenOf } from '../../src/sim/schedule.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import { shrinkSchedule } from '../../src/zoo/shrink.ts';
import { PW1_PINGPONG, PW1_POLL_WRITER } from '../../src/zoo/scenarios.ts';

const BUG = 'mainline-6.18+no-pollwake-wmb';

describe('lkmm: the mode in the machine', () => {
  it('same seed, same trace hash and schedule; different seeds differ', () => {
    const a = simulate({ variant: BUG, scenario: PW1_PINGPONG, seed: 7 });
    const b = simulate({ variant: BUG, scenario: PW1_PINGPONG, seed: 7 });
    const c = simulate({ variant: BUG, scenario: PW1_PINGPONG, seed: 8 });
    expect(a.hash).toBe(b.hash);
    expect(a.schedule).toBe(b.schedule);
    expect(c.hash).not.toBe(a.hash);
  });

  it('a failure replays from its schedule, stale reads (R tokens) included', () => {
    const f = simulate({ variant: BUG, scenario: PW1_PINGPONG, seed: 86, strategy: 'random' });
    expect(f.violations[0]?.property).toBe('P1-lost-wakeup');
    expect(f.schedule).toMatch(/R\d+\./);
    const r = simulate({ variant: BUG, scenario: PW1_PINGPONG, seed: 86, schedule: f.schedule });
    expect(r.hash).toBe(f.hash);
    expect(r.violations[0]?.message).toBe(f.violations[0]?.message);
    expect(encodeSchedule(decodeSchedule(f.schedule))).toBe(f.schedule);
    expect(tokenOf(READ_BASE + 2 * 256 + 3)).toBe('R515.');
  });

  it('the trace says which write a stale load read', () => {
    const f = simulate({ variant: BUG, scenario: PW1_PINGPONG, seed: 86, strategy: 'random',
      trace: true });
    const stale = f.trace!.filter((e) => e.value.includes('stale'));
    expect(stale.length).toBeGreaterThan(0);
    const by = '(written at step \\d+ by cpu\\d|the value before the run)';
    expect(stale[0]!.value).toMatch(new RegExp(`^\\d+ \\(stale: ${by}; newest \\d+\\)$`));
  });

  it('a failure shrinks and the shrunk schedule still fails', () => {
    const f = simulate({ variant: BUG, scenario: PW1_PINGPONG, seed: 86, strategy: 'random' });
    const s = shrinkSchedule({ variant: BUG, scenario: PW1_PINGPONG, seed: 86,
      schedule: f.schedule, property: 'P1-lost-wakeup', kind: 'lost-wakeup', maxRuns: 400 });
    expect(s.steps).toBeLessThanOrEqual(f.steps);
    const r = simulate({ variant: BUG, scenario: PW1_PINGPONG, seed: 86, schedule: s.schedule });
    expect(r.violations[0]?.property).toBe('P1-lost-wakeup');
  });

  it('an unknown mode is refused with the valid names, in every entry point', () => {
    expect(() => new Machine({ ncpu: 1, memory: 'arm' as never }))
      .toThrow(/unknown memory model 'arm': expected sc, tso, lkmm/);
    expect(() => simulate({ variant: BUG, scenario: PW1_PINGPONG, memory: 'arm' as never }))
      .toThrow(/'sc', 'tso' or 'lkmm'/);
    expect(() => validateScenario({ ...PW1_PINGPONG, memory: 'arm' }))
      .toThrow(/expected one of sc, tso, lkmm/);
  });

  it('verify (DPOR with each write a load may read) finds PW1 and proves the fix clean', () => {
    const bug = verify({ variant: BUG, scenario: PW1_POLL_WRITER });
    expect(Object.keys(bug.violations)).toEqual(['P1-lost-wakeup:lost-wakeup']);
    const fixed = verify({ variant: 'mainline-6.18', scenario: PW1_POLL_WRITER });
    expect(fixed.complete).toBe(true);
    expect(fixed.violations).toEqual({});
  });
});

/** Message passing on the machine: how often (of 300 seeds) the reader sees flag but not data. */
function mp(release: boolean): number {
  let seen = 0;
  for (let seed = 0; seed < 300; seed++) {
    const m = new Machine({ ncpu: 2, memory: 'lkmm', seed });
    const v = m.alloc('vars', { data: 0, flag: 0 });
    const r = [0, 0];
    m.addTask({ name: 'P0', cpu: 0, body: function* () {
      yield WRITE_ONCE(v, 'data', 1);
      yield release ? smp_store_release(v, 'flag', 1) : WRITE_ONCE(v, 'flag', 1);
    } });
    m.addTask({ name: 'P1', cpu: 1, body: function* () {
      r[0] = (yield release ? smp_load_acquire(v, 'flag') : READ_ONCE(v, 'flag')) as number;
      r[1] = (yield READ_ONCE(v, 'data')) as number;
    } });
    expect(m.run(new RandomScheduler()).status).toBe('done');
    if (r[0] === 1 && r[1] === 0) seen++;
  }
  return seen;
}

describe('lkmm: canary on the machine directly', () => {
  it('MP: reachable with plain accesses, not with release/acquire', () => {
    expect(mp(false)).toBeGreaterThan(0);
    expect(mp(true)).toBe(0);
  });
});

/**
 * S on the machine: P1 reads y = 1 and then stores x = 1, which may be placed in the
 * coherence order before P0's x = 2 (P1 has not seen it), so x ends 2. How often (of 300).
 */
function sShape(acquire: boolean, trace = false): { seen: number; placed: string[] } {
  let seen = 0;
  const placed: string[] = [];
  for (let seed = 0; seed < 300; seed++) {
    const m = new Machine({ ncpu: 2, memory: 'lkmm', seed, trace });
    const v = m.alloc('vars', { x: 0, y: 0 });
    let r = 0;
    m.addTask({ name: 'P0', cpu: 0, body: function* () {
      yield WRITE_ONCE(v, 'x', 2);
      yield acquire ? smp_store_release(v, 'y', 1) : WRITE_ONCE(v, 'y', 1);
    } });
    m.addTask({ name: 'P1', cpu: 1, body: function* () {
      r = (yield acquire ? smp_load_acquire(v, 'y') : READ_ONCE(v, 'y')) as number;
      yield WRITE_ONCE(v, 'x', 1);
    } });
    const res = m.run(new RandomScheduler());
    expect(res.status).toBe('done');
    if (r === 1 && m.arena.objs[v]!.x === 2) {
      seen++;
      for (const e of res.trace ?? []) if (e.value.includes('placed')) placed.push(e.value);
    }
  }
  return { seen, placed };
}

describe('lkmm: stores placed in the coherence order', () => {
  it('S: reachable with plain accesses, not with release/acquire; the trace says so', () => {
    const plain = sShape(false, true);
    expect(plain.seen).toBeGreaterThan(0);
    expect(plain.placed[0]).toBe('1 (placed before the newest write in coherence order: ' +
      'not the newest)');
    expect(sShape(true).seen).toBe(0);
  });
});
