/**
 * locks/rcu.ts at its edges: the full barriers a grace period makes on every CPU (TSO: store
 * buffers written back), synchronize_rcu()'s one or two steps, the reports of an unbalanced
 * rcu_read_unlock() and of synchronize_rcu() inside a reader (with and without a function
 * name), and the deadlock report of a synchronize_rcu() that waits for a reader which spins
 * on a lock the caller holds.
 */
import { describe, expect, it } from 'vitest';
import { rcu_read_lock, rcu_read_unlock, synchronize_rcu } from '../../src/locks/rcu.ts';
import { spin_lock, spin_lock_init } from '../../src/locks/spinlock.ts';
import type { Ctx } from '../../src/sim/context.ts';
import { Machine } from '../../src/sim/machine.ts';
import { load, WRITE_ONCE } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { ReplayScheduler } from '../../src/sim/schedulers/replay.ts';
import { global, kinds, machine, spinUntil, vars } from './helpers.ts';

/** Always the first candidate: the task on the lowest CPU that can run, write-backs last. */
const first = (): ChoicesScheduler => new ChoicesScheduler([]);

describe('locks: rcu: grace periods are full barriers on every CPU (TSO)', () => {
  it('synchronize_rcu() with no reader inside writes back every CPU\'s store buffer', () => {
    const m = machine(2, 'tso');
    const x = vars(m);
    const seen: unknown[] = [];
    m.addTask({ name: 'W', cpu: 0, body: function* (): Model<void> {
      yield WRITE_ONCE(x, 'v', 1, 'writer');
    } });
    m.addTask({ name: 'S', cpu: 1, body: function* (c: Ctx): Model<void> {
      yield load(x, 'v', 'updater');
      seen.push(global(m, x, 'v'));
      yield* synchronize_rcu(c);
      seen.push(global(m, x, 'v'));
    } });
    const out = m.run(first());
    expect(out.violations).toEqual([]);
    expect(seen).toEqual([0, 1]);
  });

  it('a grace period that must wait does not write back other CPUs\' buffers at its start',
    () => {
      const m = machine(3, 'tso');
      const x = vars(m);
      const v = vars(m, { started: 0 });
      const seen: unknown[] = [];
      m.addTask({ name: 'W', cpu: 0, body: function* (): Model<void> {
        yield WRITE_ONCE(x, 'v', 1, 'writer');
      } });
      m.addTask({ name: 'R', cpu: 1, body: function* (c: Ctx): Model<void> {
        rcu_read_lock(c);
        yield* spinUntil(v, 'started', 1);
        // The updater's synchronize_rcu() has begun and waits for this reader.
        seen.push(global(m, x, 'v'), m.memory.pending(0));
        rcu_read_unlock(c);
      } });
      m.addTask({ name: 'S', cpu: 2, body: function* (c: Ctx): Model<void> {
        yield WRITE_ONCE(v, 'started', 1, 'updater');
        yield* synchronize_rcu(c);
        seen.push(global(m, x, 'v'));
      } });
      const out = m.run(first());
      expect(out.violations).toEqual([]);
      expect(out.status).toBe('done');
      expect(seen).toEqual([0, 1, 1]);
    });

  it('synchronize_rcu() returns after a full barrier of its own CPU (a hardirq\'s store)',
    () => {
      const m = machine(2, 'tso');
      const v = vars(m, { started: 0, y: 0 });
      const seen: unknown[] = [];
      m.addTask({ name: 'R', cpu: 0, body: function* (c: Ctx): Model<void> {
        rcu_read_lock(c);
        yield* spinUntil(v, 'started', 1);
        rcu_read_unlock(c);
      } });
      m.addTask({ name: 'S', cpu: 1, body: function* (c: Ctx): Model<void> {
        yield WRITE_ONCE(v, 'started', 1, 'updater');
        yield* synchronize_rcu(c);
        seen.push(m.memory.pending(1), global(m, v, 'y'));
      } });
      m.addIrqSource({ name: 'nic', cpu: 1, count: 1, handler: function* (): Model<void> {
        yield WRITE_ONCE(v, 'y', 1, 'nic');
      } });
      // R and S start, S stores and calls synchronize_rcu (grace period 1 waits for R), R
      // leaves; the grace period ends (Z0.); then a hardirq on S's CPU stores y (buffered),
      // and S's second step returns from synchronize_rcu.
      const out = m.run(new ReplayScheduler('abbbaZ0.Q0.Bb'));
      expect(out.violations).toEqual([]);
      expect(out.status).toBe('done');
      expect(seen).toEqual([0, 1]);
    });

  it('synchronize_rcu() with no reader inside is one step; waiting for a reader, two', () => {
    const ops = (reader: boolean): string[] => {
      const m = new Machine({ ncpu: 2, memory: 'tso', seed: 0, trace: true });
      const v = vars(m, { started: 0 });
      m.addTask({ name: 'R', cpu: 0, body: function* (c: Ctx): Model<void> {
        if (reader) rcu_read_lock(c);
        yield* spinUntil(v, 'started', 1);
        if (reader) rcu_read_unlock(c);
      } });
      m.addTask({ name: 'S', cpu: 1, body: function* (c: Ctx): Model<void> {
        yield WRITE_ONCE(v, 'started', 1, 'updater');
        yield* synchronize_rcu(c);
      } });
      const out = m.run(first());
      expect(out.violations).toEqual([]);
      expect(out.status).toBe('done');
      return out.trace!.filter((e) => e.op.startsWith('synchronize_rcu')).map((e) => e.op);
    };
    expect(ops(false)).toEqual(['synchronize_rcu']);
    expect(ops(true)).toEqual(['synchronize_rcu', 'synchronize_rcu (grace period over)']);
  });
});

describe('locks: rcu: misuse reports', () => {
  it('rcu_read_unlock() outside a read-side section is rcu-unbalanced, naming the function',
    () => {
      for (const fn of ['ep_item_poll', '']) {
        const m = machine(1);
        const x = vars(m);
        m.addTask({ name: 'T0', cpu: 0, body: function* (c: Ctx): Model<void> {
          yield load(x, 'v');
          c.fn = fn;
          rcu_read_unlock(c);
        } });
        const out = m.run(first());
        expect(kinds(out.violations)).toEqual(['P4-locking/rcu-unbalanced']);
        const where = fn === '' ? '' : ` in ${fn}`;
        expect(out.violations[0]!.message).toBe('T0 (cpu0) calls rcu_read_unlock() outside a ' +
          `read-side critical section${where} at step 1`);
      }
    });

  it('synchronize_rcu() inside a reader names the function it was called in, if any', () => {
    for (const fn of ['ep_remove', '']) {
      const m = machine(1);
      const x = vars(m);
      m.addTask({ name: 'T0', cpu: 0, body: function* (c: Ctx): Model<void> {
        yield load(x, 'v');
        c.fn = fn;
        rcu_read_lock(c);
        yield* synchronize_rcu(c);
      } });
      const out = m.run(first());
      expect(kinds(out.violations)[0]).toBe('P4-locking/sleep-in-atomic');
      const where = fn === '' ? '' : ` in ${fn}`;
      expect(out.violations[0]!.message).toBe('Illegal synchronize_rcu() in RCU read-side ' +
        `critical section: T0 (cpu0)${where} at step 1`);
    }
  });

  it('synchronize_rcu() holding a lock a reader spins on: the deadlock names the reader', () => {
    const m = machine(2);
    const l = spin_lock_init(m, 'ep.lock');
    const v = vars(m, { held: 0 });
    m.addTask({ name: 'R', cpu: 0, body: function* (c: Ctx): Model<void> {
      rcu_read_lock(c);
      yield* spinUntil(v, 'held', 1);
      yield* spin_lock(c, l);
    } });
    m.addTask({ name: 'S', cpu: 1, body: function* (c: Ctx): Model<void> {
      yield* spin_lock(c, l);
      yield WRITE_ONCE(v, 'held', 1);
      yield* synchronize_rcu(c);
    } });
    const out = m.run(first());
    expect(kinds(out.violations)).toEqual(['P4-locking/deadlock']);
    expect(out.violations[0]!.details).toEqual([
      'R (cpu0) spinning on ep.lock (held by S)',
      'S (cpu1) waiting in synchronize_rcu for grace period 1 (readers still inside: R)',
    ]);
  });
});
