import { describe, expect, it } from 'vitest';
import {
  local_irq_disable, local_irq_enable, local_irq_restore, local_irq_save,
} from '../../src/locks/irq.ts';
import { lockdep, lockdep_depth } from '../../src/locks/lockdep.ts';
import { mutex_init, mutex_lock, mutex_unlock } from '../../src/locks/mutex.ts';
import {
  spin_lock, spin_lock_init, spin_lock_irq, spin_trylock, spin_unlock, spin_unlock_irq,
} from '../../src/locks/spinlock.ts';
import type { Ctx } from '../../src/sim/context.ts';
import type { Machine } from '../../src/sim/machine.ts';
import { load } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { kinds, machine, runRandom } from './helpers.ts';

/** Takes `locks` in order (spinlocks), then releases them in reverse. */
function* nest(c: Ctx, locks: number[]): Model<void> {
  for (const l of locks) yield* spin_lock(c, l);
  for (let i = locks.length - 1; i >= 0; i--) yield* spin_unlock(c, locks[i]!);
}

/** Runs T0 to completion before T1 starts (choice 0 is always the lowest task). */
function sequential(m: Machine, a: (c: Ctx) => Model<void>, b: (c: Ctx) => Model<void>) {
  m.addTask({ name: 'T0', cpu: 0, body: a });
  m.addTask({ name: 'T1', cpu: 1, body: b });
  return m.run(new ChoicesScheduler([]));
}

describe('locks: lockdep: lock order', () => {
  it('A->B then B->A (no deadlock happened) is a lock inversion naming both sites', () => {
    const m = machine(2);
    const a = spin_lock_init(m, 'ep.mtx-like', 'A');
    const b = spin_lock_init(m, 'ep.lock-like', 'B');
    const out = sequential(m,
      function* (c) { c.fn = 'ep_insert'; yield* nest(c, [a, b]); },
      function* (c) { c.fn = 'ep_poll_callback'; yield* nest(c, [b, a]); });
    expect(kinds(out.violations)).toEqual(['P4-locking/lock-inversion']);
    const v = out.violations[0]!;
    expect(v.message).toMatch(/^possible circular locking dependency: A taken by T1 \(cpu1\) /);
    const [now, old] = v.details!;
    expect(now).toMatch(/^new: A taken by T1 \(cpu1\) spin_lock\(ep\.mtx-like\) in /);
    expect(now).toMatch(/ep_poll_callback at step \d+ while holding B \(taken by T1 .*callback/);
    expect(old).toMatch(/^old: B taken by T0 \(cpu0\) spin_lock\(ep\.lock-like\) in /);
    expect(old).toMatch(/ep_insert at step \d+ while holding A \(taken by T0 .*in ep_insert/);
    expect(v.details).toHaveLength(2);
  });

  it('a three-class cycle A->B, B->C, C->A is found through the graph', () => {
    const m = machine(1);
    const [a, b, c3] = ['A', 'B', 'C'].map((n) => spin_lock_init(m, n)) as [number, number, number];
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* nest(c, [a, b]);
        yield* nest(c, [b, c3]);
        yield* nest(c, [c3, a]);
      },
    });
    const out = runRandom(m);
    expect(kinds(out.violations)).toEqual(['P4-locking/lock-inversion']);
    expect(out.violations[0]!.details).toHaveLength(3);
  });

  it('a trylock adds no dependency (it cannot deadlock)', () => {
    const m = machine(1);
    const a = spin_lock_init(m, 'A');
    const b = spin_lock_init(m, 'B');
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* spin_lock(c, a);
        expect(yield* spin_trylock(c, b)).toBe(true);
        yield* spin_unlock(c, b);
        yield* spin_unlock(c, a);
        yield* nest(c, [b, a]);
      },
    });
    expect(runRandom(m).violations).toEqual([]);
  });

  it('sleeping locks join the graph: mutex A -> spinlock B -> mutex A', () => {
    const m = machine(1);
    const mu = mutex_init(m, 'ep.mtx');
    const l = spin_lock_init(m, 'ep.lock');
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* mutex_lock(c, mu);
        yield* spin_lock(c, l);
        yield* spin_unlock(c, l);
        yield* mutex_unlock(c, mu);
        yield* spin_lock(c, l);
        yield* mutex_lock(c, mu);
      },
    });
    // Both problems, in the kernel's order: might_sleep() first, then lock_acquire().
    expect(kinds(runRandom(m).violations)).toEqual(['P4-locking/sleep-in-atomic',
      'P4-locking/lock-inversion']);
  });

  it('with lockdep disabled nothing is checked or kept', () => {
    const m = machine(2);
    lockdep(m).enabled = false;
    const a = spin_lock_init(m, 'A');
    const b = spin_lock_init(m, 'B');
    const out = sequential(m, (c) => nest(c, [a, b]), (c) => nest(c, [b, a]));
    expect(out.violations).toEqual([]);
    expect(lockdep_depth(m.contexts()[0]!)).toBe(0);
  });
});

describe('locks: lockdep: hardirq usage', () => {
  it('taken in hardirq and, at another time, with IRQs on: irq-unsafe-lock (seeds 0..29)', () => {
    for (let seed = 0; seed < 30; seed++) {
      const m = machine(2, 'sc', seed);
      const l = spin_lock_init(m, 'dev.lock');
      m.addTask({ name: 'T0', cpu: 0, body: (c) => nest(c, [l]) });
      m.addIrqSource({ name: 'dev', cpu: 1, count: 1, handler: (c) => nest(c, [l]) });
      expect(kinds(runRandom(m).violations)).toEqual(['P4-locking/irq-unsafe-lock']);
    }
  });

  it('local_irq_enable while holding a lock makes it IRQ-unsafe', () => {
    const m = machine(2);
    const l = spin_lock_init(m, 'l');
    const out = sequential(m,
      function* (c) {
        yield* spin_lock_irq(c, l);
        local_irq_enable(c);
        yield load(l, 'locked');
        local_irq_disable(c);
        yield* spin_unlock_irq(c, l);
      },
      function* (c) {
        yield* spin_lock_irq(c, l); // fine so far...
        yield* spin_unlock_irq(c, l);
      });
    expect(out.violations).toEqual([]);
    const m2 = machine(2);
    const l2 = spin_lock_init(m2, 'l');
    m2.addTask({
      name: 'T0', cpu: 0,
      body: function* (c) {
        yield* spin_lock_irq(c, l2);
        local_irq_enable(c);
        yield load(l2, 'locked');
        yield* spin_unlock(c, l2);
      },
    });
    m2.addIrqSource({ name: 'dev', cpu: 1, count: 1, handler: (c) => nest(c, [l2]) });
    const v = runRandom(m2).violations[0]!;
    expect(v.kind).toBe('irq-unsafe-lock');
    expect(v.message).toContain('local_irq_enable(l)');
  });

  it('an IRQ-safe class held while taking an IRQ-unsafe one: irq-lock-inversion (0..29)',
    () => {
      for (let seed = 0; seed < 30; seed++) {
        const m = machine(2, 'sc', seed);
        const a = spin_lock_init(m, 'A');
        const b = spin_lock_init(m, 'B');
        m.addTask({
          name: 'T0', cpu: 0,
          body: function* (c: Ctx): Model<void> {
            yield* spin_lock_irq(c, a);
            yield* spin_lock(c, b);
            yield* spin_unlock(c, b);
            yield* spin_unlock_irq(c, a);
            yield* nest(c, [b]); // B with IRQs on
          },
        });
        m.addIrqSource({ name: 'dev', cpu: 1, count: 1, handler: (c) => nest(c, [a]) });
        const out = runRandom(m);
        expect(kinds(out.violations)).toEqual(['P4-locking/irq-lock-inversion']);
        expect(out.violations[0]!.details!.join('\n')).toMatch(
          /\{IN-HARDIRQ-W\}: irq@1[^\n]*\n\{HARDIRQ-ON-W\}: T0[^\n]*\nB taken by T0/);
      }
    });

  it('local_irq_enable inside a hardirq handler is reported and ignored', () => {
    const m = machine(1);
    const l = spin_lock_init(m, 'l');
    m.addIrqSource({
      name: 'dev', cpu: 0, count: 1,
      handler: function* (c: Ctx): Model<void> {
        yield* spin_lock_irq(c, l);
        yield* spin_unlock_irq(c, l);
      },
    });
    expect(kinds(runRandom(m).violations)).toEqual(['P4-locking/irq-enable-in-hardirq']);
  });
});

describe('locks: irq flags', () => {
  it('disable is not counted; save/restore nest', () => {
    const m = machine(1);
    const seen: number[] = [];
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield load(c.task, 'state');
        local_irq_disable(c);
        local_irq_disable(c);
        local_irq_enable(c);
        seen.push(m.irqDisabled(0));
        const f1 = local_irq_save(c);
        const f2 = local_irq_save(c);
        local_irq_restore(c, f2);
        seen.push(m.irqDisabled(0));
        local_irq_restore(c, f1);
        seen.push(m.irqDisabled(0), f1, f2);
      },
    });
    expect(runRandom(m).violations).toEqual([]);
    expect(seen).toEqual([0, 1, 0, 0, 1]);
  });
});
