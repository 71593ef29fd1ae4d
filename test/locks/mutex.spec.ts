import { describe, expect, it } from 'vitest';
import {
  MUTEX_FLAG_HANDOFF, MUTEX_FLAG_PICKUP, MUTEX_FLAG_WAITERS, mutex_init, mutex_is_locked,
  mutex_lock, mutex_lock_nested, mutex_trylock, mutex_unlock,
} from '../../src/locks/mutex.ts';
import { spin_lock, spin_lock_init, spin_unlock } from '../../src/locks/spinlock.ts';
import { SLEEPING, type Ctx } from '../../src/sim/context.ts';
import type { Machine } from '../../src/sim/machine.ts';
import { load } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { global, increment, kinds, machine, runRandom, vars } from './helpers.ts';

describe('locks: mutex: unit', () => {
  it('uncontended: the owner word names the task; mutex_is_locked follows it', () => {
    const m = machine(1);
    const mu = mutex_init(m, 'mu');
    const seen: unknown[] = [];
    const t = m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* mutex_lock(c, mu);
        seen.push(global(m, mu, 'owner'), yield* mutex_is_locked(c, mu));
        yield* mutex_unlock(c, mu);
        seen.push(global(m, mu, 'owner'), yield* mutex_is_locked(c, mu));
      },
    });
    expect(runRandom(m).violations).toEqual([]);
    expect(seen).toEqual([t.task << 3, true, 0, false]);
  });

  it('mutex_trylock fails while held and never sleeps', () => {
    const m = machine(1);
    const mu = mutex_init(m, 'mu');
    const seen: boolean[] = [];
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        seen.push(yield* mutex_trylock(c, mu));
        seen.push(yield* mutex_trylock(c, mu));
        yield* mutex_unlock(c, mu);
      },
    });
    const out = runRandom(m);
    // The second trylock fails; lockdep does not count trylocks as recursion.
    expect(out.violations).toEqual([]);
    expect(seen).toEqual([true, false]);
  });

  it('a contended locker sleeps, the flag WAITERS is set, and unlock wakes it', () => {
    let slept = 0;
    let waiters = 0;
    for (let seed = 0; seed < 40; seed++) {
      const m = machine(2, 'tso', seed);
      const mu = mutex_init(m, 'mu');
      const v = vars(m);
      const tasks: Ctx[] = [];
      const body = function* (c: Ctx): Model<void> {
        yield* mutex_lock(c, mu);
        for (let k = 0; k < 20; k++) yield load(v, 'v');
        yield* mutex_unlock(c, mu);
      };
      for (let i = 0; i < 2; i++) tasks.push(m.addTask({ name: `T${i}`, cpu: i, body }));
      m.addObserver({
        name: 'watch',
        afterStep: (mm: Machine) => {
          if (tasks.some((t) => t.status === SLEEPING)) slept++;
          if (((mm.memory.readGlobal(mu, 'owner') as number) & MUTEX_FLAG_WAITERS) !== 0) waiters++;
        },
      });
      const out = runRandom(m);
      expect(out.violations).toEqual([]);
      expect(out.status).toBe('done');
      expect(global(m, mu, 'owner')).toBe(0);
    }
    expect(slept).toBeGreaterThan(0);
    expect(waiters).toBeGreaterThan(0);
  });

  it('a woken first waiter that loses the race asks for a handoff and gets it (PICKUP)', () => {
    let handoff = 0;
    let pickup = 0;
    for (let seed = 0; seed < 30; seed++) {
      const m = machine(3, 'sc', seed);
      const mu = mutex_init(m, 'mu');
      const v = vars(m);
      for (let i = 0; i < 3; i++) {
        m.addTask({
          name: `T${i}`, cpu: i,
          body: function* (c: Ctx): Model<void> {
            for (let k = 0; k < 4; k++) {
              yield* mutex_lock(c, mu);
              yield* increment(v);
              yield* mutex_unlock(c, mu);
            }
          },
        });
      }
      m.addObserver({
        name: 'watch',
        afterStep: (mm: Machine) => {
          const o = mm.memory.readGlobal(mu, 'owner') as number;
          if ((o & MUTEX_FLAG_HANDOFF) !== 0) handoff++;
          if ((o & MUTEX_FLAG_PICKUP) !== 0) pickup++;
        },
      });
      const out = runRandom(m);
      expect(out.violations).toEqual([]);
      expect(out.status).toBe('done');
      expect(global(m, v, 'v')).toBe(12);
    }
    expect(handoff).toBeGreaterThan(0);
    expect(pickup).toBeGreaterThan(0);
  });
});

describe('locks: mutex: misuse and lockdep', () => {
  it('mutex_lock in a hardirq is sleeping in atomic context', () => {
    const m = machine(1);
    const mu = mutex_init(m, 'mu');
    m.addIrqSource({
      name: 'irq', cpu: 0, count: 1,
      handler: function* (c: Ctx): Model<void> {
        yield* mutex_lock(c, mu);
        yield* mutex_unlock(c, mu);
      },
    });
    const out = runRandom(m);
    expect(kinds(out.violations)[0]).toBe('P4-locking/sleep-in-atomic');
    expect(out.violations[0]!.message).toContain('calls mutex_lock');
    expect(out.violations[0]!.message).toContain('in hardirq context');
  });

  it('mutex_lock under a spinlock is sleeping in atomic context, naming the spinlock', () => {
    const m = machine(1);
    const mu = mutex_init(m, 'ep.mtx');
    const l = spin_lock_init(m, 'ep.lock');
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* spin_lock(c, l);
        yield* mutex_lock(c, mu);
        yield* mutex_unlock(c, mu);
        yield* spin_unlock(c, l);
      },
    });
    const out = runRandom(m);
    expect(kinds(out.violations)[0]).toBe('P4-locking/sleep-in-atomic');
    expect(out.violations[0]!.message).toMatch(/while holding ep\.lock, taken by T0 \(cpu0\)/);
  });

  it('two mutexes of one class nest only with mutex_lock_nested', () => {
    const run = (nested: boolean): string[] => {
      const m = machine(1);
      const outer = mutex_init(m, 'ep1.mtx', 'ep->mtx');
      const inner = mutex_init(m, 'ep2.mtx', 'ep->mtx');
      m.addTask({
        name: 'T0', cpu: 0,
        body: function* (c: Ctx): Model<void> {
          yield* mutex_lock(c, outer);
          yield* (nested ? mutex_lock_nested(c, inner, 1) : mutex_lock(c, inner));
          yield* mutex_unlock(c, inner);
          yield* mutex_unlock(c, outer);
        },
      });
      return kinds(runRandom(m).violations);
    };
    expect(run(false)).toEqual(['P4-locking/recursive-locking']);
    expect(run(true)).toEqual([]);
  });

  it('mutex_unlock by a task that does not own it is a bad unlock balance', () => {
    const m = machine(1);
    const mu = mutex_init(m, 'mu');
    m.addTask({ name: 'T0', cpu: 0, body: (c: Ctx) => mutex_unlock(c, mu) });
    expect(kinds(runRandom(m).violations)).toEqual(['P4-locking/bad-unlock-balance']);
  });
});

describe('locks: mutex: contexts without a task', () => {
  it('a setup context holds a mutex visibly (owner word not free) and releases it', () => {
    const m = machine(1);
    const mu = mutex_init(m, 'ep.mtx');
    const seen: unknown[] = [];
    m.setup('setup', function* (c: Ctx): Model<void> {
      yield* mutex_lock(c, mu);
      seen.push(yield* mutex_is_locked(c, mu), yield* mutex_trylock(c, mu));
      yield* mutex_unlock(c, mu);
      seen.push(yield* mutex_is_locked(c, mu));
    });
    expect(seen).toEqual([true, false, false]);
  });
});
