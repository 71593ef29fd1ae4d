/**
 * rw_semaphore (rwsem-spinlock, 2.6.22) at its edges, on deterministic schedules: the
 * writer woken by the last up_read() holds it (activity -1), the wake walk reads only
 * waiters (never the list head as one) and runs only when someone waits, lock classes
 * shared by several semaphores (down_write is a write acquisition), and the waiter reused
 * across slow paths.
 */
import { describe, expect, it } from 'vitest';
import { down_read, down_write, init_rwsem, up_read, up_write } from '../../src/locks/rwsem.ts';
import { SLEEPING, type Ctx } from '../../src/sim/context.ts';
import { Machine } from '../../src/sim/machine.ts';
import { load, WRITE_ONCE } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import {
  global, kinds, machine, spinUntil, vars, waiterAllocatedOnce,
} from './helpers.ts';

const first = (): ChoicesScheduler => new ChoicesScheduler([]);

describe('locks: rwsem: grants', () => {
  it('the writer woken by the last up_read() owns the semaphore (activity -1)', () => {
    const m = machine(2);
    const sem = init_rwsem(m, 'ep.sem');
    const v = vars(m, { held: 0 });
    const seen: unknown[] = [];
    let w: Ctx | undefined;
    m.addTask({
      name: 'W', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* spinUntil(v, 'held', 1);
        yield* down_write(c, sem);
        seen.push(global(m, sem, 'activity'));
        yield* up_write(c, sem);
        seen.push(global(m, sem, 'activity'));
      },
    });
    m.addTask({
      name: 'R', cpu: 1,
      body: function* (c: Ctx): Model<void> {
        yield* down_read(c, sem);
        yield WRITE_ONCE(v, 'held', 1);
        yield load(v, 'held');
        // W (CPU 0) ran until it slept in down_write.
        w = m.contexts().find((x) => x.name === 'W');
        seen.push(w!.status === SLEEPING, global(m, sem, 'activity'));
        yield* up_read(c, sem);
      },
    });
    const out = m.run(first());
    expect(out.violations).toEqual([]);
    expect(out.status).toBe('done');
    expect(seen).toEqual([true, 1, -1, 0]);
  });

  it('the wake walk loads only waiters, and only when someone waits (traced)', () => {
    const m = new Machine({ ncpu: 3, memory: 'sc', seed: 0, trace: true });
    const sem = init_rwsem(m, 'ep.sem');
    const v = vars(m, { held: 0 });
    for (const cpu of [0, 1]) {
      m.addTask({
        name: `R${cpu}`, cpu,
        body: function* (c: Ctx): Model<void> {
          yield* spinUntil(v, 'held', 1);
          yield* down_read(c, sem);
          yield* up_read(c, sem);
        },
      });
    }
    m.addTask({
      name: 'W', cpu: 2,
      body: function* (c: Ctx): Model<void> {
        yield* down_write(c, sem);
        yield WRITE_ONCE(v, 'held', 1);
        yield load(v, 'held');
        // Both readers sleep; up_write wakes both (the walk ends at the empty list).
        yield* up_write(c, sem);
        yield* down_write(c, sem);
        // Nobody waits now: up_write does not walk.
        yield* up_write(c, sem);
      },
    });
    const out = m.run(first());
    expect(out.violations).toEqual([]);
    expect(out.status).toBe('done');
    const walk = out.trace!.filter((e) => e.fn === '__rwsem_do_wake');
    const flags = walk.filter((e) => e.field === 'flags').map((e) => e.obj);
    expect(flags.length).toBeGreaterThan(0);
    for (const o of flags) expect(o).toMatch(/^rwsem_waiter@R[01]/);
    // One walk only (its first load is of the head): the second up_write found no waiter.
    expect(walk.filter((e) => e.op === 'load' && e.obj === 'ep.sem.wait_list').length).toBe(1);
  });
});

describe('locks: rwsem: lockdep and per-task objects', () => {
  it('two semaphores of one class: down_write() on both is recursion; down_read() is not',
    () => {
      const run = (read: boolean): string[] => {
        const m = machine(1);
        const a = init_rwsem(m, 'ep1.sem', 'ep->sem');
        const b = init_rwsem(m, 'ep2.sem', 'ep->sem');
        m.addTask({
          name: 'T0', cpu: 0,
          body: function* (c: Ctx): Model<void> {
            yield* (read ? down_read(c, a) : down_write(c, a));
            yield* (read ? down_read(c, b) : down_write(c, b));
            yield* (read ? up_read(c, b) : up_write(c, b));
            yield* (read ? up_read(c, a) : up_write(c, a));
          },
        });
        return kinds(m.run(first()).violations);
      };
      expect(run(false)).toEqual(['P4-locking/recursive-locking']);
      expect(run(true)).toEqual([]);
    });

  it('a task\'s rwsem_waiter is allocated once, however often it sleeps', () => {
    expect(waiterAllocatedOnce((m) => {
      const sem = init_rwsem(m, 'ep.sem');
      return { lock: (c) => down_write(c, sem), unlock: (c) => up_write(c, sem) };
    })).toBeGreaterThan(2);
  });
});

describe('locks: rwsem: TSO', () => {
  it('the stack waiter\'s fill is private: never a buffered store (no write-back of flags)',
    () => {
      let fills = 0;
      for (let seed = 0; seed < 20; seed++) {
        const m = new Machine({ ncpu: 2, memory: 'tso', seed, trace: true });
        const sem = init_rwsem(m, 'ep.sem');
        const v = vars(m);
        for (let i = 0; i < 2; i++) {
          m.addTask({
            name: `T${i}`, cpu: i,
            body: function* (c: Ctx): Model<void> {
              for (let k = 0; k < 3; k++) {
                yield* down_write(c, sem);
                yield load(v, 'v');
                yield* up_write(c, sem);
              }
            },
          });
        }
        const out = m.run(new RandomScheduler());
        expect(out.violations).toEqual([]);
        const ev = out.trace!;
        // The waker reads flags of a queued waiter: the fill happened (in memory at once).
        fills += ev.filter((e) => e.fn === '__rwsem_do_wake' && e.field === 'flags').length;
        expect(ev.filter((e) => e.op === 'store-buffer write-back' &&
          e.obj.startsWith('rwsem_waiter@') && e.field === 'flags')).toEqual([]);
      }
      expect(fills).toBeGreaterThan(0);
    });
});

describe('locks: rwsem: lkmm', () => {
  it('a reused stack waiter is filled by its own CPU: no lost update or wakeup (lkmm, 0..199)',
    () => {
      // Three tasks take the semaphore twice each (two writes, one read section between):
      // the second slow path of a task re-fills its waiter, which the waker must then see
      // (before the fix it could read the previous grant's task = NULL, seeds 5, 106, 154).
      for (let seed = 0; seed < 200; seed++) {
        const m = new Machine({ ncpu: 3, memory: 'lkmm', seed });
        const sem = init_rwsem(m, 'ep.sem');
        const v = vars(m, { x: 0 });
        for (let i = 0; i < 3; i++) {
          m.addTask({
            name: `T${i}`, cpu: i,
            body: function* (c: Ctx): Model<void> {
              for (let k = 0; k < 2; k++) {
                if ((i + k) % 2 === 0) {
                  yield* down_write(c, sem);
                  const x = (yield load(v, 'x')) as number;
                  yield WRITE_ONCE(v, 'x', x + 1);
                  yield* up_write(c, sem);
                } else {
                  yield* down_read(c, sem);
                  yield load(v, 'x');
                  yield* up_read(c, sem);
                }
              }
            },
          });
        }
        const out = m.run(new RandomScheduler());
        const what = `seed ${seed}: ${out.status} ${kinds(out.violations).join(',')}`;
        expect(what).toBe(`seed ${seed}: done `);
        expect(global(m, v, 'x')).toBe(3);
      }
    });
});
