import { describe, expect, it } from 'vitest';
import { lockdep, lockdep_holds } from '../../src/locks/lockdep.ts';
import {
  lockdep_assert_held, spin_is_locked, spin_lock, spin_lock_init, spin_lock_irq,
  spin_lock_irqsave, spin_trylock, spin_unlock, spin_unlock_irq, spin_unlock_irqrestore,
} from '../../src/locks/spinlock.ts';
import type { Ctx } from '../../src/sim/context.ts';
import { load } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { Machine } from '../../src/sim/machine.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { kinds, LazyDrainScheduler, machine, runRandom, vars } from './helpers.ts';

describe('locks: spinlock: unit', () => {
  it('spin_lock sets the word and lockdep holds it; spin_unlock clears both', () => {
    const m = machine(1);
    const l = spin_lock_init(m, 'l');
    const seen: unknown[] = [];
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* spin_lock(c, l);
        seen.push(m.memory.readGlobal(l, 'locked'), lockdep_holds(m, c.id, l));
        seen.push(yield* spin_is_locked(c, l));
        yield* spin_unlock(c, l);
        seen.push(m.memory.readGlobal(l, 'locked'), lockdep_holds(m, c.id, l));
      },
    });
    const out = runRandom(m);
    expect(out.status).toBe('done');
    expect(seen).toEqual([1, true, true, 0, false]);
  });

  it('spin_trylock fails while another context holds the lock, succeeds when free', () => {
    const m = machine(2);
    const l = spin_lock_init(m, 'l');
    const v = vars(m, { go: 0 });
    let tried: boolean[] = [];
    m.addTask({
      name: 'holder', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* spin_lock(c, l);
        // Wait (in steps) until the other CPU has tried once.
        while (((yield load(v, 'go')) as number) === 0) { /* spin */ }
        yield* spin_unlock(c, l);
      },
    });
    m.addTask({
      name: 'trier', cpu: 1,
      body: function* (c: Ctx): Model<void> {
        while (!(yield* spin_is_locked(c, l))) { /* wait for the holder */ }
        tried.push(yield* spin_trylock(c, l));
        m.memory.writeGlobal(v, 'go', 1);
        while (!(yield* spin_trylock(c, l))) { /* retry */ }
        tried.push(true);
        yield* spin_unlock(c, l);
      },
    });
    const out = m.run(new LazyDrainScheduler());
    expect(out.violations).toEqual([]);
    expect(tried).toEqual([false, true]);
    tried = [];
  });

  it('spin_lock_irq keeps interrupts of its CPU out until spin_unlock_irq (seeds 0..99)', () => {
    for (let seed = 0; seed < 100; seed++) {
      const m = machine(1, 'sc', seed);
      const l = spin_lock_init(m, 'l');
      let inside = false;
      let bad = 0;
      m.addTask({
        name: 'T0', cpu: 0,
        body: function* (c: Ctx): Model<void> {
          yield* spin_lock_irq(c, l);
          inside = true;
          for (let k = 0; k < 3; k++) yield load(l, 'locked');
          inside = false;
          yield* spin_unlock_irq(c, l);
        },
      });
      m.addIrqSource({
        name: 'irq', cpu: 0, count: 3,
        handler: function* (): Model<void> {
          if (inside) bad++;
          yield load(l, 'locked');
        },
      });
      const out = runRandom(m);
      expect(out.status).toBe('done');
      expect(bad).toBe(0);
    }
  });

  it('spin_lock_irqsave returns the state found; restores nest', () => {
    const m = machine(1);
    const a = spin_lock_init(m, 'a');
    const b = spin_lock_init(m, 'b');
    const seen: number[] = [];
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        const fa = yield* spin_lock_irqsave(c, a);
        const fb = yield* spin_lock_irqsave(c, b);
        seen.push(fa, fb);
        yield* spin_unlock_irqrestore(c, b, fb);
        seen.push(m.irqDisabled(0));
        yield* spin_unlock_irqrestore(c, a, fa);
        seen.push(m.irqDisabled(0));
      },
    });
    expect(runRandom(m).violations).toEqual([]);
    expect(seen).toEqual([0, 1, 1, 0]);
  });

  it('TSO: the unlock waits in the store buffer; other CPUs see the lock held', () => {
    const m = machine(2, 'tso');
    const l = spin_lock_init(m, 'l');
    const seen: unknown[] = [];
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* spin_lock(c, l);
        yield* spin_unlock(c, l);
        seen.push(m.memory.read(0, l, 'locked'), m.memory.read(1, l, 'locked'));
      },
    });
    runRandom(m);
    expect(seen).toEqual([0, 1]);
  });

  it('TSO: a second CPU takes the lock only after the unlock is written back', () => {
    for (let seed = 0; seed < 30; seed++) {
      const m = new Machine({ ncpu: 2, memory: 'tso', seed, trace: true });
      const l = spin_lock_init(m, 'l');
      const body = function* (c: Ctx): Model<void> {
        yield* spin_lock(c, l);
        yield load(l, 'owner');
        yield* spin_unlock(c, l);
      };
      m.addTask({ name: 'T0', cpu: 0, body });
      m.addTask({ name: 'T1', cpu: 1, body });
      const out = m.run(new LazyDrainScheduler());
      expect(out.status).toBe('done');
      const ev = out.trace!.filter((e) => e.step >= 0);
      const unlock = ev.findIndex((e) => e.op === 'spin_unlock');
      const second = ev.findIndex((e, i) => i > unlock && e.op === 'spin_lock');
      const wb = ev.findIndex((e, i) => i > unlock && e.op === 'store-buffer write-back' &&
        e.field === 'locked');
      expect(wb).toBeGreaterThan(unlock);
      expect(second).toBeGreaterThan(wb);
    }
  });

  it('spin_unlock_irq re-enables interrupts', () => {
    const m = machine(1);
    const l = spin_lock_init(m, 'l');
    const seen: number[] = [];
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* spin_lock_irq(c, l);
        seen.push(m.irqDisabled(0));
        yield* spin_unlock_irq(c, l);
        seen.push(m.irqDisabled(0));
      },
    });
    runRandom(m);
    expect(seen).toEqual([1, 0]);
  });
});

describe('locks: spinlock: misuse', () => {
  it('lockdep_assert_held reports lock-not-held, and is silent when held', () => {
    const m = machine(1);
    const l = spin_lock_init(m, 'ep.lock');
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* spin_lock(c, l);
        lockdep_assert_held(c, l);
        yield* spin_unlock(c, l);
        c.fn = 'ep_start_scan';
        lockdep_assert_held(c, l);
      },
    });
    const out = runRandom(m);
    expect(kinds(out.violations)).toEqual(['P4-locking/lock-not-held']);
    expect(out.violations[0]!.message).toContain('lockdep_assert_held(ep.lock) failed: T0');
    expect(out.violations[0]!.message).toContain('in ep_start_scan');
  });

  it('taking a spinlock twice is recursive-locking (the same lock)', () => {
    const m = machine(1);
    const l = spin_lock_init(m, 'l');
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* spin_lock(c, l);
        yield* spin_lock(c, l);
      },
    });
    const out = runRandom(m);
    expect(kinds(out.violations)[0]).toBe('P4-locking/recursive-locking');
    expect(out.violations[0]!.message).toContain('the same lock');
  });

  it('spin_unlock of a lock not held is a bad unlock balance', () => {
    const m = machine(1);
    const l = spin_lock_init(m, 'l');
    m.addTask({ name: 'T0', cpu: 0, body: (c: Ctx) => spin_unlock(c, l) });
    expect(kinds(runRandom(m).violations)).toEqual(['P4-locking/bad-unlock-balance']);
  });

  it('spin_lock on a freed lock is a use-after-free naming the free', () => {
    const m = machine(1);
    const l = spin_lock_init(m, 'l');
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        c.fn = 'release';
        m.free(c, l);
        yield* spin_lock(c, l);
      },
    });
    const out = runRandom(m);
    expect(kinds(out.violations)).toEqual(['P3-memory-safety/use-after-free']);
    expect(out.violations[0]!.message).toMatch(/^T0 in spin_lock: access to \.locked: /);
    expect(out.violations[0]!.message).toMatch(/use-after-free of l \(freed at .* in release\)/);
  });

  it('with lockdep off, an ABBA deadlock message names who holds what', () => {
    const m = machine(2);
    lockdep(m).enabled = false;
    const a = spin_lock_init(m, 'a');
    const b = spin_lock_init(m, 'b');
    const abba = (x: number, y: number) => function* (c: Ctx): Model<void> {
      yield* spin_lock(c, x);
      yield load(x, 'locked');
      yield* spin_lock(c, y);
    };
    m.addTask({ name: 'T0', cpu: 0, body: abba(a, b) });
    m.addTask({ name: 'T1', cpu: 1, body: abba(b, a) });
    const out = m.run(new ChoicesScheduler([0, 1, 0, 1]));
    expect(kinds(out.violations)).toEqual(['P4-locking/deadlock']);
    expect(out.violations[0]!.message).toContain('T0 (cpu0) spinning on b (held by T1)');
    expect(out.violations[0]!.message).toContain('T1 (cpu1) spinning on a (held by T0)');
  });
});
