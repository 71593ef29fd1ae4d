/**
 * spinlock_t and arch_spinlock_t at their edges: spin_is_locked() on a free lock, lockdep's
 * view of the _irq / _irqsave / _nested forms (a second acquisition of the class is
 * recursion; a nested subclass is not), the usage a spin_trylock() with IRQs on records,
 * and the use-after-free / bad-unlock reports naming the variant that was called. Also the
 * shared helpers of access.ts: a spinner on a freed lock that was held faults at once.
 */
import { describe, expect, it } from 'vitest';
import { ctxName } from '../../src/locks/access.ts';
import { arch_spin_lock } from '../../src/locks/arch-spinlock.ts';
import { lockdep_depth } from '../../src/locks/lockdep.ts';
import {
  spin_is_locked, spin_lock, spin_lock_init, spin_lock_irq, spin_lock_irqsave,
  spin_lock_irqsave_nested, spin_trylock, spin_unlock, spin_unlock_irq,
  spin_unlock_irqrestore,
} from '../../src/locks/spinlock.ts';
import type { Ctx } from '../../src/sim/context.ts';
import type { Machine, RunOutcome } from '../../src/sim/machine.ts';
import { load } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { kinds, machine, vars } from './helpers.ts';

/** Always the first candidate (the task on the lowest CPU; IRQs and write-backs last). */
const first = (): ChoicesScheduler => new ChoicesScheduler([]);

/** Runs `body` as T0 on CPU 0 of a 1-CPU machine, after one real op. */
function runT0(body: (c: Ctx, m: Machine) => Model<void>, setup?: (m: Machine) => void):
RunOutcome {
  const m = machine(1);
  const v = vars(m);
  setup?.(m);
  m.addTask({
    name: 'T0', cpu: 0,
    body: function* (c: Ctx): Model<void> {
      yield load(v, 'v');
      yield* body(c, m);
    },
  });
  return m.run(first());
}

describe('locks: spinlock: state', () => {
  it('spin_is_locked() is false on a free lock, true while held, false again after', () => {
    const seen: boolean[] = [];
    let l = 0;
    const out = runT0(function* (c) {
      seen.push(yield* spin_is_locked(c, l));
      yield* spin_lock(c, l);
      seen.push(yield* spin_is_locked(c, l));
      yield* spin_unlock(c, l);
      seen.push(yield* spin_is_locked(c, l));
    }, (m) => { l = spin_lock_init(m, 'l'); });
    expect(out.violations).toEqual([]);
    expect(seen).toEqual([false, true, false]);
  });
});

describe('locks: spinlock: lockdep of the _irq, _irqsave and _nested forms', () => {
  const twice = (lock: (c: Ctx, l: number) => Model<unknown>): RunOutcome => {
    let l = 0;
    return runT0(function* (c) {
      yield* lock(c, l);
      yield* lock(c, l);
    }, (m) => { l = spin_lock_init(m, 'ep.lock'); });
  };

  it('spin_lock_irq() twice on one lock is recursive locking (a write acquisition)', () => {
    const out = twice(spin_lock_irq);
    expect(kinds(out.violations)).toEqual(['P4-locking/recursive-locking']);
    expect(out.violations[0]!.message).toContain('T0 (cpu0) spin_lock_irq(ep.lock)');
  });

  it('spin_lock_irqsave() twice on one lock is recursive locking', () => {
    const out = twice(spin_lock_irqsave);
    expect(kinds(out.violations)).toEqual(['P4-locking/recursive-locking']);
    expect(out.violations[0]!.message).toContain('T0 (cpu0) spin_lock_irqsave(ep.lock)');
  });

  it('spin_lock_irqsave_nested() twice with one subclass is recursive locking', () => {
    let a = 0;
    let b = 0;
    const out = runT0(function* (c) {
      yield* spin_lock_irqsave_nested(c, a, 1);
      yield* spin_lock_irqsave_nested(c, b, 1);
    }, (m) => {
      a = spin_lock_init(m, 'ep1.poll_wait.lock', 'poll_wait');
      b = spin_lock_init(m, 'ep2.poll_wait.lock', 'poll_wait');
    });
    expect(kinds(out.violations)).toEqual(['P4-locking/recursive-locking']);
    expect(out.violations[0]!.message)
      .toContain('T0 (cpu0) spin_lock_irqsave_nested(ep2.poll_wait.lock)');
  });

  it('spin_lock_irqsave_nested() of a deeper subclass nests; flags save and restore', () => {
    let a = 0;
    let b = 0;
    const seen: number[] = [];
    const out = runT0(function* (c, m) {
      const fa = yield* spin_lock_irqsave(c, a);
      const fb = yield* spin_lock_irqsave_nested(c, b, 1);
      seen.push(fa, fb, m.irqDisabled(0), m.memory.readGlobal(b, 'locked') as number,
        lockdep_depth(c));
      yield* spin_unlock_irqrestore(c, b, fb);
      seen.push(m.irqDisabled(0));
      yield* spin_unlock_irqrestore(c, a, fa);
      seen.push(m.irqDisabled(0), lockdep_depth(c));
    }, (m) => {
      a = spin_lock_init(m, 'ep1.poll_wait.lock', 'poll_wait');
      b = spin_lock_init(m, 'ep2.poll_wait.lock', 'poll_wait');
    });
    expect(out.violations).toEqual([]);
    expect(seen).toEqual([0, 1, 1, 1, 2, 1, 0, 0]);
  });

  it('spin_trylock() with IRQs on records a write usage: a hardirq user is {HARDIRQ-ON-W}',
    () => {
      const m = machine(1);
      const l = spin_lock_init(m, 'ep.lock');
      const v = vars(m);
      m.addTask({
        name: 'T0', cpu: 0,
        body: function* (c: Ctx): Model<void> {
          yield load(v, 'v');
          expect(yield* spin_trylock(c, l)).toBe(true);
          yield* spin_unlock(c, l);
        },
      });
      m.addIrqSource({
        name: 'nic', cpu: 0, count: 1,
        handler: function* (c: Ctx): Model<void> {
          yield* spin_lock(c, l);
          yield* spin_unlock(c, l);
        },
      });
      const out = m.run(first());
      expect(kinds(out.violations)).toEqual(['P4-locking/irq-unsafe-lock']);
      const msg = out.violations[0]!.message;
      expect(msg).toMatch(/^inconsistent \{IN-HARDIRQ-W\} -> \{HARDIRQ-ON-W\} usage of lock /);
      expect(msg).toContain('and with IRQs enabled by T0 (cpu0) spin_trylock(ep.lock)');
    });
});

describe('locks: spinlock: misuse reports name the variant called', () => {
  it('spin_lock_irqsave() on a freed lock: use-after-free in spin_lock_irqsave', () => {
    let l = 0;
    const out = runT0(function* (c, m) {
      m.free(c, l, 'release');
      yield* spin_lock_irqsave(c, l);
    }, (m) => { l = spin_lock_init(m, 'l'); });
    expect(kinds(out.violations)).toEqual(['P3-memory-safety/use-after-free']);
    expect(out.violations[0]!.message).toMatch(/^T0 in spin_lock_irqsave: access to \.locked: /);
  });

  it('spin_unlock_irq() of a freed lock: use-after-free in spin_unlock_irq', () => {
    let l = 0;
    const out = runT0(function* (c, m) {
      yield* spin_lock_irq(c, l);
      m.free(c, l, 'release');
      yield* spin_unlock_irq(c, l);
    }, (m) => { l = spin_lock_init(m, 'l'); });
    expect(kinds(out.violations)).toEqual(['P3-memory-safety/use-after-free']);
    expect(out.violations[0]!.message).toMatch(/^T0 in spin_unlock_irq: access to \.locked: /);
  });

  it('spin_unlock_irqrestore() of a lock not held: bad unlock balance naming the call', () => {
    let l = 0;
    const out = runT0(function* (c) {
      yield* spin_unlock_irqrestore(c, l, 0);
    }, (m) => { l = spin_lock_init(m, 'ep.lock'); });
    expect(kinds(out.violations)).toEqual(['P4-locking/bad-unlock-balance']);
    expect(out.violations[0]!.message)
      .toMatch(/^bad unlock balance: T0 \(cpu0\) spin_unlock_irqrestore\(ep\.lock\)/);
  });

  it('a spinner on a lock its holder freed faults with a use-after-free, not a deadlock',
    () => {
      const m = machine(2);
      const l = spin_lock_init(m, 'l');
      const v = vars(m, { freed: 0 });
      m.addTask({
        name: 'T0', cpu: 0,
        body: function* (c: Ctx): Model<void> {
          yield* spin_lock(c, l);
          c.m.free(c, l, 'release');
          yield load(v, 'freed');
        },
      });
      m.addTask({
        name: 'T1', cpu: 1,
        body: function* (c: Ctx): Model<void> {
          yield load(v, 'freed');
          yield* spin_lock(c, l);
        },
      });
      const out = m.run(first());
      expect(kinds(out.violations)).toEqual(['P3-memory-safety/use-after-free']);
      expect(out.violations[0]!.message)
        .toMatch(/^T1 in spin_lock: access to \.locked: use-after-free of l \(freed at/);
    });

  it('arch_spin_lock() on a freed word that was held faults, naming the caller', () => {
    const m = machine(1);
    const mu = m.alloc('mutex', { owner: 0, wait_lock: 1 }, 'mu');
    const v = vars(m);
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield load(v, 'v');
        c.m.free(c, mu, 'kfree_mu');
        yield* arch_spin_lock(c, mu, 'wait_lock', '__mutex_unlock_slowpath');
      },
    });
    const out = m.run(first());
    expect(kinds(out.violations)).toEqual(['P3-memory-safety/use-after-free']);
    expect(out.violations[0]!.message)
      .toMatch(/^T0 in __mutex_unlock_slowpath: access to \.wait_lock: use-after-free of mu/);
  });
});

describe('locks: access: ctxName', () => {
  it('names a context by id, -1 as nobody, an unknown id as ctxN', () => {
    const m = machine(1);
    const t = m.addTask({ name: 'epoll_wait', cpu: 0, body: function* (): Model<void> {} });
    expect(ctxName(m, t.id)).toBe('epoll_wait');
    expect(ctxName(m, -1)).toBe('nobody');
    expect(ctxName(m, 42)).toBe('ctx42');
  });
});
