/**
 * struct mutex at its edges, on deterministic schedules (always the task on the lowest CPU
 * that can run): the owner word while waiters sleep (WAITERS, never a handoff asked before
 * a wakeup, nor by a waiter that is not first), a handed-off mutex (PICKUP) taken only by
 * the task named, __mutex_handoff(NULL), a failed mutex_trylock() that changes nothing,
 * the holders a sleeping waiter's BlockedOn names, the stand-in owner of a context without
 * a task, the waiter reused across slow paths, and a use-after-free naming the call.
 */
import { describe, expect, it } from 'vitest';
import { lockdep_depth } from '../../src/locks/lockdep.ts';
import {
  MUTEX_FLAG_HANDOFF, MUTEX_FLAG_PICKUP, MUTEX_FLAG_WAITERS, mutex_init, mutex_is_locked,
  mutex_lock, mutex_trylock, mutex_unlock,
} from '../../src/locks/mutex.ts';
import { wake_up_process } from '../../src/locks/sched.ts';
import { SLEEPING, type BlockedOn, type Ctx } from '../../src/sim/context.ts';
import type { Machine } from '../../src/sim/machine.ts';
import { load, WRITE_ONCE } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import {
  global, kinds, machine, spinUntil, vars, waiterAllocatedOnce,
} from './helpers.ts';

const first = (): ChoicesScheduler => new ChoicesScheduler([]);

/**
 * H (on the highest CPU) takes the mutex and lets the waiters W0.. (one per lower CPU) run:
 * each runs until it sleeps in mutex_lock, in CPU order. Then `whileHeld` runs in H, which
 * unlocks afterwards; every waiter then takes and releases the mutex in turn.
 */
function contended(nwait: number, whileHeld: (c: Ctx, m: Machine, mu: number,
  waiters: Ctx[]) => Model<void>): { m: Machine; mu: number; waiters: Ctx[]; h: Ctx } {
  const m = machine(nwait + 1);
  const mu = mutex_init(m, 'ep.mtx');
  const v = vars(m, { held: 0 });
  const waiters: Ctx[] = [];
  for (let i = 0; i < nwait; i++) {
    waiters.push(m.addTask({
      name: `W${i}`, cpu: i,
      body: function* (c: Ctx): Model<void> {
        yield* spinUntil(v, 'held', 1);
        yield* mutex_lock(c, mu);
        yield* mutex_unlock(c, mu);
      },
    }));
  }
  const h = m.addTask({
    name: 'H', cpu: nwait,
    body: function* (c: Ctx): Model<void> {
      yield* mutex_lock(c, mu);
      yield WRITE_ONCE(v, 'held', 1);
      yield* whileHeld(c, m, mu, waiters);
      yield* mutex_unlock(c, mu);
    },
  });
  const out = m.run(first());
  expect(out.violations).toEqual([]);
  expect(out.status).toBe('done');
  expect(global(m, mu, 'owner')).toBe(0);
  return { m, mu, waiters, h };
}

describe('locks: mutex: the owner word while waiters sleep', () => {
  it('a contended mutex_lock() sets WAITERS and sleeps without asking for a handoff', () => {
    let word = -1;
    let asleep = false;
    const { h } = contended(1, function* (_c, m, mu, waiters) {
      yield load(mu, 'owner');
      asleep = waiters[0]!.status === SLEEPING;
      word = m.memory.readGlobal(mu, 'owner') as number;
    });
    expect(asleep).toBe(true);
    expect(word).toBe((h.task << 3) | MUTEX_FLAG_WAITERS);
  });

  it('a spurious wakeup of the second waiter does not ask for a handoff (not first)', () => {
    let word = -1;
    const asleep: boolean[] = [];
    const { h } = contended(2, function* (c, m, mu, waiters) {
      yield* wake_up_process(c, waiters[1]!.task);
      // W1 (lower CPU than H) ran again, failed its trylock and went back to sleep.
      yield load(mu, 'owner');
      asleep.push(...waiters.map((w) => w.status === SLEEPING));
      word = m.memory.readGlobal(mu, 'owner') as number;
    });
    expect(asleep).toEqual([true, true]);
    expect(word).toBe((h.task << 3) | MUTEX_FLAG_WAITERS);
  });

  it('the holders a sleeping waiter names: the owner; none once free or freed', () => {
    let blocked: BlockedOn | undefined;
    let holders: number[] = [];
    const { m, mu, h } = contended(1, function* (_c, m, mu, waiters) {
      yield load(mu, 'owner');
      blocked = waiters[0]!.local.blockedOn as BlockedOn;
      holders = blocked.holders(m, mu);
    });
    expect(blocked).toMatchObject({ op: 'mutex_lock', lock: mu });
    expect(holders).toEqual([h.task]);
    expect(blocked!.holders(m, mu)).toEqual([]);
    // A freed mutex whose word still names a task: nobody holds freed memory.
    m.memory.writeGlobal(mu, 'owner', h.task << 3);
    m.setup('free', function* (c: Ctx): Model<void> {
      c.m.free(c, mu, 'kfree');
    });
    expect(blocked!.holders(m, mu)).toEqual([]);
  });
});

describe('locks: mutex: handoff (hand-built owner words)', () => {
  it('a handed-off mutex (PICKUP) goes only to the task named; the pickup clears PICKUP',
    () => {
      const m = machine(2);
      const mu = mutex_init(m, 'ep.mtx');
      const got: boolean[] = [];
      const words: number[] = [];
      const other = m.addTask({
        name: 'other', cpu: 0,
        body: function* (c: Ctx): Model<void> {
          got.push(yield* mutex_trylock(c, mu));
          words.push(m.memory.readGlobal(mu, 'owner') as number);
        },
      });
      const named = m.addTask({
        name: 'named', cpu: 1,
        body: function* (c: Ctx): Model<void> {
          got.push(yield* mutex_trylock(c, mu));
          words.push(m.memory.readGlobal(mu, 'owner') as number);
          yield* mutex_unlock(c, mu);
        },
      });
      const handed = (named.task << 3) | MUTEX_FLAG_PICKUP | MUTEX_FLAG_WAITERS;
      m.memory.writeGlobal(mu, 'owner', handed);
      const out = m.run(first());
      expect(out.violations).toEqual([]);
      expect(got).toEqual([false, true]);
      expect(words).toEqual([handed, (named.task << 3) | MUTEX_FLAG_WAITERS]);
      expect(other.status).not.toBe(SLEEPING);
    });

  it('__mutex_handoff(NULL): HANDOFF asked but nobody waits: the mutex ends up free', () => {
    const m = machine(1);
    const mu = mutex_init(m, 'ep.mtx');
    const seen: unknown[] = [];
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* mutex_lock(c, mu);
        const w = m.memory.readGlobal(mu, 'owner') as number;
        m.memory.writeGlobal(mu, 'owner', w | MUTEX_FLAG_HANDOFF);
        yield* mutex_unlock(c, mu);
        seen.push(m.memory.readGlobal(mu, 'owner'), yield* mutex_is_locked(c, mu));
      },
    });
    const out = m.run(first());
    expect(out.violations).toEqual([]);
    expect(seen).toEqual([0, false]);
  });
});

describe('locks: mutex: mutex_trylock', () => {
  it('a failed mutex_trylock() leaves the owner word alone and lockdep empty', () => {
    const m = machine(2);
    const mu = mutex_init(m, 'ep.mtx');
    const v = vars(m, { held: 0, tried: 0 });
    const seen: unknown[] = [];
    const h = m.addTask({
      name: 'H', cpu: 1,
      body: function* (c: Ctx): Model<void> {
        yield* mutex_lock(c, mu);
        yield WRITE_ONCE(v, 'held', 1);
        yield* spinUntil(v, 'tried', 1);
        yield* mutex_unlock(c, mu);
      },
    });
    m.addTask({
      name: 'T', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* spinUntil(v, 'held', 1);
        seen.push(yield* mutex_trylock(c, mu));
        seen.push(m.memory.readGlobal(mu, 'owner'), lockdep_depth(c));
        yield WRITE_ONCE(v, 'tried', 1);
      },
    });
    const out = m.run(first());
    expect(out.violations).toEqual([]);
    expect(seen).toEqual([false, h.task << 3, 0]);
  });

  it('mutex_trylock() of a freed mutex is a use-after-free in mutex_trylock', () => {
    const m = machine(1);
    const mu = mutex_init(m, 'ep.mtx');
    const v = vars(m);
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield load(v, 'v');
        c.m.free(c, mu, 'ep_free');
        yield* mutex_trylock(c, mu);
      },
    });
    const out = m.run(first());
    expect(kinds(out.violations)).toEqual(['P3-memory-safety/use-after-free']);
    expect(out.violations[0]!.message)
      .toMatch(/^T0 in mutex_trylock: access to \.owner: use-after-free of ep\.mtx/);
  });
});

describe('locks: mutex: per-context objects', () => {
  it('a context without a task owns the mutex as one stand-in task, every time', () => {
    const m = machine(1);
    const mu = mutex_init(m, 'ep.mtx');
    const words: number[] = [];
    m.setup('setup', function* (c: Ctx): Model<void> {
      for (let i = 0; i < 2; i++) {
        yield* mutex_lock(c, mu);
        words.push(m.memory.readGlobal(mu, 'owner') as number);
        yield* mutex_unlock(c, mu);
      }
    });
    expect(words[0]).not.toBe(0);
    expect(words[1]).toBe(words[0]);
    expect(m.arena.label(words[0]! >>> 3)).toBe('setup (no task)');
    expect(m.memory.readGlobal(words[0]! >>> 3, 'state')).toBe(0);
  });

  it('a task\'s mutex_waiter is allocated once, however often it sleeps', () => {
    expect(waiterAllocatedOnce((m) => {
      const mu = mutex_init(m, 'ep.mtx');
      return { lock: (c) => mutex_lock(c, mu), unlock: (c) => mutex_unlock(c, mu) };
    })).toBeGreaterThan(2);
  });
});
