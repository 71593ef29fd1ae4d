/**
 * RCU grace periods (locks/rcu.ts over sim/rcu.ts, issue 10): a grace period ends as a
 * scheduler choice (`Z0.`) once every reader that was inside when it started has left; a
 * kfree_rcu'd object is freed then, so a pre-existing reader may still use it and a use
 * after the end is P3. Canaries: a plain kfree and a reader that unlocks too early are P3 at
 * pinned seeds; the correct forms are clean over 10,000 random and 10,000 PCT schedules.
 */
import { describe, expect, it } from 'vitest';
import {
  kfree_rcu, rcu_read_lock, rcu_read_unlock, synchronize_rcu,
} from '../../src/locks/rcu.ts';
import { mutex_init, mutex_lock } from '../../src/locks/mutex.ts';
import { schedule, set_current_state, TASK_UNINTERRUPTIBLE } from '../../src/locks/sched.ts';
import type { Ctx } from '../../src/sim/context.ts';
import { Machine, type RunOutcome } from '../../src/sim/machine.ts';
import { load, READ_ONCE, WRITE_ONCE } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { RcuState } from '../../src/sim/rcu.ts';
import {
  decodeSchedule, encodeSchedule, RCU_BASE, tokenOf,
} from '../../src/sim/schedule.ts';
import { PctScheduler } from '../../src/sim/schedulers/pct.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import { ReplayScheduler } from '../../src/sim/schedulers/replay.ts';
import { firstFailing, machine } from './helpers.ts';

type Free = 'kfree_rcu' | 'kfree' | 'synchronize_rcu';

/**
 * A reader dereferences `gp->p` twice inside one read-side section (or, with `early`, the
 * second time after rcu_read_unlock()); an updater unpublishes the object and frees it.
 */
function build(seed: number, free: Free, early = false, trace = false): Machine {
  const m = new Machine({ ncpu: 2, seed, trace });
  const obj = m.alloc('obj', { x: 1 }, 'obj');
  const gp = m.alloc('gp', { p: obj }, 'gp');
  m.addTask({ name: 'R', cpu: 0, body: function* (c: Ctx): Model<void> {
    rcu_read_lock(c);
    const p = (yield READ_ONCE(gp, 'p', 'reader')) as number;
    if (p !== 0) yield load(p, 'x', 'reader');
    if (early) rcu_read_unlock(c);
    if (p !== 0) yield load(p, 'x', 'reader');
    if (!early) rcu_read_unlock(c);
  } });
  m.addTask({ name: 'U', cpu: 1, body: function* (c: Ctx): Model<void> {
    yield WRITE_ONCE(gp, 'p', 0, 'updater');
    if (free === 'kfree_rcu') kfree_rcu(c, obj, 'updater');
    else if (free === 'kfree') c.m.free(c, obj, 'updater');
    else {
      yield* synchronize_rcu(c);
      c.m.free(c, obj, 'updater');
    }
  } });
  return m;
}

function run(seed: number, free: Free, strategy: 'random' | 'pct', early = false): RunOutcome {
  const m = build(seed, free, early);
  return m.run(strategy === 'pct' ? new PctScheduler() : new RandomScheduler());
}

describe('RCU: the grace-period state (sim/rcu.ts)', () => {
  it('a grace period cannot end while a reader that was inside at its start is', () => {
    const r = new RcuState();
    r.enter(0);
    expect(r.need()).toBe(1);
    expect(r.endable()).toBe(false);
    r.enter(1); // a reader that enters later is not waited for
    r.exit(0);
    expect(r.endable()).toBe(true);
  });

  it('with no reader inside, the need is met at once (no grace period)', () => {
    const r = new RcuState();
    expect(r.need()).toBe(0);
    expect(r.active).toBe(false);
  });

  it('a need while one is in progress waits for the next; callbacks run in order', () => {
    const r = new RcuState();
    r.enter(0);
    const a = r.need();
    r.queue({ gp: a, h: 5, func: 'kfree_rcu', fn: 'f', ctx: 1, step: 0 });
    r.enter(1);
    const b = r.need();
    expect(b).toBe(a + 1);
    r.queue({ gp: b, h: 6, func: 'kfree_rcu', fn: 'f', ctx: 1, step: 1 });
    r.exit(0);
    expect(r.end().map((cb) => cb.h)).toEqual([5]);
    // The next grace period started at once, with reader 1 inside.
    expect(r.active).toBe(true);
    expect(r.endable()).toBe(false);
    r.exit(1);
    expect(r.end().map((cb) => cb.h)).toEqual([6]);
    expect(r.active).toBe(false);
  });

  it('nesting: only the outermost unlock is a quiescent state', () => {
    const r = new RcuState();
    r.enter(0);
    r.enter(0);
    r.need();
    r.exit(0);
    expect(r.endable()).toBe(false);
    r.exit(0);
    expect(r.endable()).toBe(true);
  });

  it('the choice encodes as Z0. and decodes back', () => {
    expect(tokenOf(RCU_BASE)).toBe('Z0.');
    expect(decodeSchedule(encodeSchedule([0, RCU_BASE, 1]))).toEqual([0, RCU_BASE, 1]);
  });
});

describe('RCU: kfree_rcu against a reader (machine)', () => {
  it('the object is freed only after the reader that saw it left (trace order)', () => {
    let seen = 0;
    for (let seed = 0; seed < 500; seed++) {
      const r = buildTraced(seed).run(new RandomScheduler());
      expect(r.violations).toEqual([]);
      const ev = r.trace!;
      const end = ev.findIndex((e) => e.op.startsWith('grace period'));
      if (end < 0) continue;
      seen++;
      const freed = ev.findIndex((e) => e.fn === 'kfree_rcu' && e.op === 'kfree');
      const lastRead = ev.map((e) => e.fn === 'reader').lastIndexOf(true);
      expect(freed).toBeGreaterThan(end);
      expect(end).toBeGreaterThan(lastRead);
    }
    expect(seen).toBeGreaterThan(50);
  });

  it('a grace period is a choice: replay of the schedule gives the same trace', () => {
    const seed = firstFailing(500, (s) => run(s, 'kfree_rcu', 'random').schedule
      .includes(RCU_BASE));
    expect(seed).toBeGreaterThanOrEqual(0);
    const a = buildTraced(seed).run(new RandomScheduler());
    const b = buildTraced(seed).run(new RandomScheduler());
    expect(b.hash).toBe(a.hash);
    expect(encodeSchedule(a.schedule)).toContain('Z0.');
    const c = buildTraced(seed).run(new ReplayScheduler(encodeSchedule(a.schedule)));
    expect(c.hash).toBe(a.hash);
    const lines = (o: RunOutcome): string[] => o.trace!.map((e) => `${e.who} ${e.op}`);
    expect(lines(c)).toEqual(lines(a));
  });

  it('canary: a plain kfree is P3 (first at random seed 2)', () => {
    expect(firstFailing(100, (s) => run(s, 'kfree', 'random').violations.length > 0)).toBe(2);
    const r = run(2, 'kfree', 'random');
    expect(r.violations[0]).toMatchObject({ property: 'P3-memory-safety',
      kind: 'use-after-free' });
  });

  it('canary: a reader that unlocks before its last use is P3 (first at random seed 2)', () => {
    expect(firstFailing(100, (s) => run(s, 'kfree_rcu', 'random', true).violations.length > 0))
      .toBe(2);
    expect(run(2, 'kfree_rcu', 'random', true).violations[0]!.message)
      .toMatch(/R in reader: load of \.x: use-after-free of obj/);
  });

  it('a use after the grace period that waited for the reader ended is P3 (random seed 22)',
    () => {
      expect(run(22, 'kfree_rcu', 'random', true).violations[0]!.message).toBe('R in reader: ' +
        'load of .x: use-after-free of obj (freed at step 5 by ctx -1 in kfree_rcu (queued in ' +
        'updater by ctx 1 at step 3), after grace period 1)');
    });

  it('kfree_rcu and synchronize_rcu are clean over 10,000 random and 10,000 PCT seeds', () => {
    for (const free of ['kfree_rcu', 'synchronize_rcu'] as const) {
      for (const strategy of ['random', 'pct'] as const) {
        for (let seed = 0; seed < 10_000; seed++) {
          const r = run(seed, free, strategy);
          if (r.violations.length > 0) {
            throw new Error(`${free} ${strategy} seed ${seed}: ${r.violations[0]!.message}`);
          }
        }
      }
    }
  });
});

describe('RCU: read-side sections do not sleep', () => {
  it('schedule() inside rcu_read_lock() is sleep-in-atomic (P4)', () => {
    const m = machine(1);
    m.addTask({ name: 'T', cpu: 0, body: function* (c: Ctx): Model<void> {
      rcu_read_lock(c);
      yield* set_current_state(c, TASK_UNINTERRUPTIBLE);
      yield* schedule(c);
    } });
    const r = m.run(new RandomScheduler());
    expect(r.violations[0]).toMatchObject({ property: 'P4-locking', kind: 'sleep-in-atomic' });
    expect(r.violations[0]!.message).toMatch(/inside an RCU read-side critical section/);
  });

  it('mutex_lock() inside rcu_read_lock() is sleep-in-atomic (P4)', () => {
    const m = machine(1);
    const mtx = mutex_init(m, 'mtx', 'mtx');
    m.addTask({ name: 'T', cpu: 0, body: function* (c: Ctx): Model<void> {
      rcu_read_lock(c);
      yield* mutex_lock(c, mtx);
    } });
    const r = m.run(new RandomScheduler());
    expect(r.violations[0]).toMatchObject({ property: 'P4-locking', kind: 'sleep-in-atomic' });
  });

  it('a context that ends inside a read-side section is reported (P4)', () => {
    const m = machine(1);
    const v = m.alloc('v', { x: 0 });
    m.addTask({ name: 'T', cpu: 0, body: function* (c: Ctx): Model<void> {
      rcu_read_lock(c);
      yield load(v, 'x', 'reader');
    } });
    const r = m.run(new RandomScheduler());
    expect(r.violations[0]).toMatchObject({ property: 'P4-locking', kind: 'rcu-unbalanced' });
  });

  it('synchronize_rcu() inside rcu_read_lock() is reported (P4)', () => {
    const m = machine(1);
    m.addTask({ name: 'T', cpu: 0, body: function* (c: Ctx): Model<void> {
      rcu_read_lock(c);
      yield* synchronize_rcu(c);
    } });
    const r = m.run(new RandomScheduler());
    expect(r.violations[0]!.message).toMatch(/Illegal synchronize_rcu\(\)/);
  });
});

function buildTraced(seed: number): Machine {
  return build(seed, 'kfree_rcu', false, true);
}
