/**
 * lock_is_busy(): whether an observer may walk what a lock protects, for every lock kind,
 * idle and held, read from global memory; a freed or NULL lock is not busy; anything else
 * is a usage error.
 */
import { describe, expect, it } from 'vitest';
import { lock_is_busy } from '../../src/locks/busy.ts';
import { mutex_init, mutex_lock, mutex_unlock } from '../../src/locks/mutex.ts';
import {
  read_lock, read_unlock, rwlock_init, write_lock, write_unlock,
} from '../../src/locks/rwlock.ts';
import { down_read, down_write, init_rwsem, up_read, up_write } from '../../src/locks/rwsem.ts';
import { spin_lock, spin_lock_init, spin_unlock } from '../../src/locks/spinlock.ts';
import type { Ctx } from '../../src/sim/context.ts';
import type { Model } from '../../src/sim/op.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { machine, vars } from './helpers.ts';

describe('locks: lock_is_busy', () => {
  it('spinlock_t: idle, held, released', () => {
    const m = machine(1);
    const l = spin_lock_init(m, 'ep.lock');
    const seen: boolean[] = [lock_is_busy(m, l)];
    m.setup('setup', function* (c: Ctx): Model<void> {
      yield* spin_lock(c, l);
      seen.push(lock_is_busy(m, l));
      yield* spin_unlock(c, l);
      seen.push(lock_is_busy(m, l));
    });
    expect(seen).toEqual([false, true, false]);
  });

  it('rwlock_t: busy with a reader (cnts) and with a writer (wlocked) alike', () => {
    const m = machine(1);
    const l = rwlock_init(m, 'ep.lock');
    const seen: boolean[] = [lock_is_busy(m, l)];
    m.setup('setup', function* (c: Ctx): Model<void> {
      yield* read_lock(c, l);
      seen.push(lock_is_busy(m, l));
      yield* read_unlock(c, l);
      seen.push(lock_is_busy(m, l));
      yield* write_lock(c, l);
      seen.push(lock_is_busy(m, l));
      yield* write_unlock(c, l);
      seen.push(lock_is_busy(m, l));
    });
    expect(seen).toEqual([false, true, false, true, false]);
  });

  it('struct mutex and rw_semaphore: busy while a task owns them (read or write)', () => {
    const m = machine(1);
    const mu = mutex_init(m, 'ep.mtx');
    const sem = init_rwsem(m, 'ep.sem');
    const seen: boolean[][] = [[lock_is_busy(m, mu), lock_is_busy(m, sem)]];
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* mutex_lock(c, mu);
        yield* down_read(c, sem);
        seen.push([lock_is_busy(m, mu), lock_is_busy(m, sem)]);
        yield* up_read(c, sem);
        yield* mutex_unlock(c, mu);
        seen.push([lock_is_busy(m, mu), lock_is_busy(m, sem)]);
        yield* down_write(c, sem);
        seen.push([lock_is_busy(m, mu), lock_is_busy(m, sem)]);
        yield* up_write(c, sem);
        seen.push([lock_is_busy(m, mu), lock_is_busy(m, sem)]);
      },
    });
    expect(m.run(new ChoicesScheduler([])).violations).toEqual([]);
    expect(seen).toEqual([[false, false], [true, true], [false, false], [false, true],
      [false, false]]);
  });

  it('a NULL lock and a freed (even held) lock are not busy', () => {
    const m = machine(1);
    const l = spin_lock_init(m, 'ep.lock');
    const rw = rwlock_init(m, 'rw');
    m.setup('setup', function* (c: Ctx): Model<void> {
      yield* spin_lock(c, l);
      yield* write_lock(c, rw);
      m.free(c, l);
      m.free(c, rw);
    });
    expect(lock_is_busy(m, 0)).toBe(false);
    expect(lock_is_busy(m, l)).toBe(false);
    expect(lock_is_busy(m, rw)).toBe(false);
  });

  it('an object that is not a lock is a usage error naming it', () => {
    const m = machine(1);
    const v = vars(m);
    expect(() => lock_is_busy(m, v)).toThrow(/lock_is_busy: vars is a vars, not a lock/);
  });
});
