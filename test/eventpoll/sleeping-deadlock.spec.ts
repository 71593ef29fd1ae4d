/**
 * Sleeping deadlocks (issue 10, item 1): a task left asleep at the end of a run on a mutex
 * or rw_semaphore is a violation, P4 with the wait-for cycle when there is one, P7 when the
 * lock's holder is gone or asleep elsewhere. Tasks asleep in epoll_wait stay P1's to judge.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { sleepingLocks } from '../../src/eventpoll/checkers/sleeping-locks.ts';
import { mutex_init, mutex_lock, mutex_unlock } from '../../src/locks/mutex.ts';
import { down_read, down_write, init_rwsem, up_read } from '../../src/locks/rwsem.ts';
import type { Ctx } from '../../src/sim/context.ts';
import type { Model } from '../../src/sim/op.ts';
import { budget } from '../budget.ts';
import { cli } from '../cli/helpers.ts';
import { machine, runRandom } from '../locks/helpers.ts';

const FAULT = 'mainline-6.18+fault:ctl-no-epnested-mutex';
const CYCLE = 'T1 waits for ep2.mtx (mutex_lock) held by T2; ' +
  'T2 waits for ep1.mtx (mutex_lock) held by T1';

describe('sleeping deadlock: two ADDs of two sets into each other', () => {
  it('the ABBA on the two ep->mtx is P4 at pinned seed 0, with the cycle', () => {
    const r = simulate({ variant: FAULT, scenario: 'cross-nested-add', seed: 0 });
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ property: 'P4-locking', kind: 'deadlock' });
    expect(r.violations[0]!.message).toBe(`sleeping deadlock: ${CYCLE}`);
  });

  it('eventpoll-sim run exits 1 and prints the cycle', () => {
    const r = cli(['run', '--variant', FAULT, '--scenario', 'cross-nested-add', '--seed', '0']);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toContain(CYCLE);
    expect(r.out + r.err).toContain('P4-locking');
  });

  it('with epnested_mutex the same scenario is clean (one ADD gets ELOOP), over 10,002 ' +
    'schedules (random, pct, portfolio)', () => {
    let runs = 0;
    for (const strategy of ['random', 'pct', 'portfolio']) {
      for (let seed = 0; seed < budget(3334); seed++) {
        const r = simulate({ variant: 'mainline-6.18', scenario: 'cross-nested-add', seed,
          strategy });
        expect(r.violations).toEqual([]);
        expect(r.results.map((x) => x.ret).sort()).toEqual([0, 'ELOOP']);
        runs++;
      }
    }
    expect(runs).toBe(3 * budget(3334));
  }, 120_000);
});

/** A machine with the sleeping-lock observer and the given task bodies, one per CPU. */
function run(seed: number, bodies: ((c: Ctx, locks: number[]) => Model<void>)[],
  mk: (c: Ctx) => number[]) {
  const m = machine(bodies.length, 'sc', seed);
  const locks = m.setup('locks', function* (c) {
    yield* [];
    return mk(c);
  }) as number[];
  bodies.forEach((b, i) => m.addTask({ name: `T${i + 1}`, cpu: i, body: (c) => b(c, locks) }));
  m.addObserver(sleepingLocks);
  return runRandom(m);
}

describe('sleeping deadlock: the observer on plain lock programs', () => {
  const mutexes = (c: Ctx) => [mutex_init(c.m, 'A'), mutex_init(c.m, 'B')];

  it('a mutex whose owner exited holding it is P7 asleep-forever', () => {
    let seen = false;
    for (let seed = 0; seed < 20; seed++) {
      const out = run(seed, [
        function* (c, [a]) { yield* mutex_lock(c, a!); },
        function* (c, [a]) { yield* mutex_lock(c, a!); yield* mutex_unlock(c, a!); },
      ], mutexes);
      const v = out.violations[0];
      if (v === undefined) continue;      // T2 took it first and finished
      seen = true;
      expect(v).toMatchObject({ property: 'P7-liveness', kind: 'asleep-forever' });
      expect(v.message).toBe('T2 waits for A (mutex_lock) held by T1, and nothing can wake ' +
        'it any more: T1 has exited');
    }
    expect(seen).toBe(true);
  });

  it('a rwsem waiter behind a holder that exited is P7, naming the holder', () => {
    let seen = false;
    for (let seed = 0; seed < 20; seed++) {
      const out = run(seed, [
        function* (c, [s]) { yield* down_read(c, s!); },
        function* (c, [s]) { yield* down_write(c, s!); },
      ], (c) => [init_rwsem(c.m, 'S')]);
      const v = out.violations[0];
      if (v === undefined) continue;
      seen = true;
      expect(v.property).toBe('P7-liveness');
      const tail = ', and nothing can wake it any more: ';
      expect([`T1 waits for S (down_read) held by T2${tail}T2 has exited`,
        `T2 waits for S (down_write) held by T1${tail}T1 has exited`]).toContain(v.message);
    }
    expect(seen).toBe(true);
  });

  it('locks released in any order leave no report', () => {
    for (let seed = 0; seed < 50; seed++) {
      const out = run(seed, [
        function* (c, [a, b]) {
          yield* mutex_lock(c, a!); yield* mutex_lock(c, b!);
          yield* mutex_unlock(c, b!); yield* mutex_unlock(c, a!);
        },
        function* (c, [a, b]) {
          yield* mutex_lock(c, a!); yield* mutex_lock(c, b!);
          yield* mutex_unlock(c, a!); yield* mutex_unlock(c, b!);
        },
      ], mutexes);
      expect(out.violations).toEqual([]);
      expect(out.status).toBe('done');
    }
    for (let seed = 0; seed < 50; seed++) {
      const out = run(seed, [
        function* (c, [s]) { yield* down_read(c, s!); yield* up_read(c, s!); },
        function* (c, [s]) { yield* down_read(c, s!); yield* up_read(c, s!); },
      ], (c) => [init_rwsem(c.m, 'S')]);
      expect(out.violations).toEqual([]);
    }
  });
});
