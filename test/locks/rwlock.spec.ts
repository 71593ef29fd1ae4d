import { describe, expect, it } from 'vitest';
import { lockdep_holds } from '../../src/locks/lockdep.ts';
import {
  _QR_BIAS, _QW_LOCKED, read_lock, read_lock_irqsave, read_unlock, read_unlock_irqrestore,
  rwlock_init, write_lock, write_lock_irq, write_trylock, write_unlock, write_unlock_irq,
} from '../../src/locks/rwlock.ts';
import type { Ctx } from '../../src/sim/context.ts';
import { load, WRITE_ONCE } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { failingSeeds, kinds, machine, runRandom, spinUntil, vars } from './helpers.ts';

describe('locks: rwlock: unit', () => {
  it('read_lock adds a reader bias; write_lock sets the locked byte; unlocks undo them', () => {
    const m = machine(1);
    const l = rwlock_init(m, 'rw');
    const seen: unknown[] = [];
    const word = (): unknown[] =>
      [m.memory.readGlobal(l, 'cnts'), m.memory.readGlobal(l, 'wlocked')];
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* read_lock(c, l);
        yield* read_lock(c, l);
        seen.push(word(), lockdep_holds(m, c.id, l));
        yield* read_unlock(c, l);
        yield* read_unlock(c, l);
        yield* write_lock(c, l);
        seen.push(word());
        yield* write_unlock(c, l);
        seen.push(word(), lockdep_holds(m, c.id, l));
      },
    });
    expect(runRandom(m).violations).toEqual([]);
    expect(seen).toEqual([[2 * _QR_BIAS, 0], true, [0, _QW_LOCKED], [0, 0], false]);
  });

  it('write_trylock fails while a reader holds the lock', () => {
    const m = machine(1);
    const l = rwlock_init(m, 'rw');
    const seen: boolean[] = [];
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        const f = yield* read_lock_irqsave(c, l);
        seen.push(yield* write_trylock(c, l));
        yield* read_unlock_irqrestore(c, l, f);
        seen.push(yield* write_trylock(c, l));
        yield* write_unlock(c, l);
      },
    });
    expect(runRandom(m).violations).toEqual([]);
    expect(seen).toEqual([false, true]);
  });

  it('TSO: write_unlock is a buffered byte store that keeps concurrent reader counts', () => {
    const m = machine(2, 'tso');
    const l = rwlock_init(m, 'rw');
    const seen: unknown[] = [];
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* write_lock_irq(c, l);
        yield* write_unlock_irq(c, l);
        seen.push(m.memory.readGlobal(l, 'wlocked'), m.memory.read(0, l, 'wlocked'));
      },
    });
    runRandom(m);
    expect(seen).toEqual([_QW_LOCKED, 0]);
  });
});

/**
 * R holds a read lock until `go` is set; W write-locks in between; the third reader sets
 * `go` once it has the read lock. A hardirq reader passes the waiting writer; a task queues
 * behind it, and then R, W and the task wait on each other for ever.
 */
function readerBehindWriter(seed: number, irq: boolean) {
  const m = machine(3, 'sc', seed);
  const l = rwlock_init(m, 'rw');
  const v = vars(m, { go: 0 });
  m.addTask({
    name: 'R', cpu: 0,
    body: function* (c: Ctx): Model<void> {
      yield* read_lock(c, l);
      yield* spinUntil(v, 'go', 1);
      yield* read_unlock(c, l);
    },
  });
  m.addTask({
    name: 'W', cpu: 1,
    body: function* (c: Ctx): Model<void> {
      yield* write_lock_irq(c, l);
      yield* write_unlock_irq(c, l);
    },
  });
  const third = function* (c: Ctx): Model<void> {
    yield* read_lock(c, l);
    yield WRITE_ONCE(v, 'go', 1);
    yield* read_unlock(c, l);
  };
  if (irq) m.addIrqSource({ name: 'nic', cpu: 2, count: 1, handler: third });
  else m.addTask({ name: 'R2', cpu: 2, body: third });
  const out = runRandom(m);
  return { out, bypass: m.arena.objs[l]!.bypass as number };
}

describe('locks: rwlock: qrwlock reader/writer fairness (seeds 0..59)', () => {
  it('a hardirq reader passes a waiting writer (never deadlocks; bypass seen)', () => {
    let bypassed = 0;
    for (let s = 0; s < 60; s++) {
      const r = readerBehindWriter(s, true);
      expect(r.out.violations).toEqual([]);
      expect(r.out.status).toBe('done');
      bypassed += r.bypass;
    }
    expect(bypassed).toBeGreaterThan(0);
  });

  it('a task reader queues behind a waiting writer (some seeds deadlock R, W, R2)', () => {
    const stuck = failingSeeds(60, (s) => readerBehindWriter(s, false).out.violations.length > 0);
    expect(stuck.length).toBeGreaterThan(0);
    const v = readerBehindWriter(stuck[0]!, false).out.violations[0]!;
    expect(v.kind).toBe('deadlock');
    expect(v.message).toContain('W (cpu1) waiting in queued_write_lock_slowpath for 1 reader(s)');
    expect(v.message).toMatch(/R2 \(cpu2\) spinning on rw\.wait_lock/);
  });
});

describe('locks: rwlock: lockdep', () => {
  it('write_lock with IRQs on + read_lock in a hardirq on that CPU is always P4 (seeds 0..49)',
    () => {
      const seen = new Set<string>();
      for (let s = 0; s < 50; s++) {
        const m = machine(1, 'sc', s);
        const l = rwlock_init(m, 'ep.lock');
        m.addTask({
          name: 'T0', cpu: 0,
          body: function* (c: Ctx): Model<void> {
            yield* write_lock(c, l);
            yield load(l, 'cnts');
            yield* write_unlock(c, l);
          },
        });
        m.addIrqSource({
          name: 'cb', cpu: 0, count: 1,
          handler: function* (c: Ctx): Model<void> {
            yield* read_lock(c, l);
            yield* read_unlock(c, l);
          },
        });
        const k = kinds(runRandom(m).violations);
        expect(k[0]).toMatch(/^P4-locking\/(irq-unsafe-lock|irq-self-deadlock)$/);
        seen.add(k[0]!);
      }
      expect([...seen].sort()).toEqual(['P4-locking/irq-self-deadlock',
        'P4-locking/irq-unsafe-lock']);
    });

  it('a hardirq writer queued behind another writer, over its own CPU\'s reader: P4', () => {
    const seen = new Set<string>();
    for (let s = 0; s < 40; s++) {
      const m = machine(2, 'sc', s);
      const l = rwlock_init(m, 'ep.lock');
      m.addTask({
        name: 'R', cpu: 0,
        body: function* (c: Ctx): Model<void> {
          yield* read_lock(c, l);
          for (let k = 0; k < 6; k++) yield load(l, 'cnts');
          yield* read_unlock(c, l);
        },
      });
      m.addTask({
        name: 'W', cpu: 1,
        body: function* (c: Ctx): Model<void> {
          yield* write_lock_irq(c, l);
          yield* write_unlock_irq(c, l);
        },
      });
      m.addIrqSource({
        name: 'cb', cpu: 0, count: 1,
        handler: function* (c: Ctx): Model<void> {
          yield* write_lock(c, l);
          yield* write_unlock(c, l);
        },
      });
      const k = kinds(runRandom(m).violations)[0]!;
      expect(k).toMatch(/^P4-locking\/(irq-self-deadlock|irq-unsafe-lock)$/);
      seen.add(k);
    }
    expect(seen.size).toBe(2);
  });

  it('read_lock in hardirq and read_lock with IRQs on is fine (readers never block readers)',
    () => {
      for (let s = 0; s < 30; s++) {
        const m = machine(1, 'sc', s);
        const l = rwlock_init(m, 'ep.lock');
        const reader = function* (c: Ctx): Model<void> {
          yield* read_lock(c, l);
          yield load(l, 'cnts');
          yield* read_unlock(c, l);
        };
        m.addTask({ name: 'T0', cpu: 0, body: reader });
        m.addIrqSource({ name: 'cb', cpu: 0, count: 2, handler: reader });
        const out = runRandom(m);
        expect(out.violations).toEqual([]);
        expect(out.status).toBe('done');
      }
    });
});
