/**
 * rwlock_t (qrwlock) at its edges: the _irq and _irqsave forms (IRQ state, lockdep's read
 * or write acquisition: nested readers are fine, a second writer of the class is
 * recursion), lock classes shared by several locks, write_trylock() (a failure changes
 * nothing; a success with IRQs on is a write usage), P7 writer starvation past bypassMax
 * naming the waiting writer, and the use-after-free / bad-unlock reports naming the call.
 */
import { describe, expect, it } from 'vitest';
import { lockdep_depth, lockdep_holds } from '../../src/locks/lockdep.ts';
import {
  _QR_BIAS, _QW_LOCKED, read_lock, read_lock_irq, read_lock_irqsave, read_unlock,
  read_unlock_irq, read_unlock_irqrestore, rwlock_init, write_lock, write_lock_irq,
  write_lock_irqsave, write_trylock, write_unlock, write_unlock_irq, write_unlock_irqrestore,
} from '../../src/locks/rwlock.ts';
import type { Ctx } from '../../src/sim/context.ts';
import type { Machine, RunOutcome } from '../../src/sim/machine.ts';
import { load, WRITE_ONCE } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { kinds, machine, spinUntil, vars } from './helpers.ts';

const first = (): ChoicesScheduler => new ChoicesScheduler([]);

/** Runs `body` as T0 on CPU 0 of a 1-CPU machine (after one real op), rwlock `rw`. */
function runT0(body: (c: Ctx, m: Machine, l: number) => Model<void>, cls?: string):
RunOutcome {
  const m = machine(1);
  const v = vars(m);
  const l = rwlock_init(m, 'rw', cls);
  m.addTask({
    name: 'T0', cpu: 0,
    body: function* (c: Ctx): Model<void> {
      yield load(v, 'v');
      yield* body(c, m, l);
    },
  });
  return m.run(first());
}

const word = (m: Machine, l: number): unknown[] =>
  [m.memory.readGlobal(l, 'cnts'), m.memory.readGlobal(l, 'wlocked')];

describe('locks: rwlock: the _irq and _irqsave forms', () => {
  it('read_lock_irq() nests as a reader and masks IRQs; read_unlock_irq() unmasks them', () => {
    const seen: unknown[] = [];
    const out = runT0(function* (c, m, l) {
      yield* read_lock_irq(c, l);
      yield* read_lock_irq(c, l);
      seen.push(word(m, l), m.irqDisabled(0), lockdep_depth(c));
      yield* read_unlock(c, l);
      yield* read_unlock_irq(c, l);
      seen.push(word(m, l), m.irqDisabled(0), lockdep_holds(m, c.id, l));
    });
    expect(out.violations).toEqual([]);
    expect(seen).toEqual([[2 * _QR_BIAS, 0], 1, 2, [0, 0], 0, false]);
  });

  it('read_lock_irqsave() twice is two readers, not recursion; flags restore in order', () => {
    const seen: unknown[] = [];
    const out = runT0(function* (c, m, l) {
      const f1 = yield* read_lock_irqsave(c, l);
      const f2 = yield* read_lock_irqsave(c, l);
      seen.push(f1, f2, word(m, l));
      yield* read_unlock_irqrestore(c, l, f2);
      seen.push(m.irqDisabled(0));
      yield* read_unlock_irqrestore(c, l, f1);
      seen.push(m.irqDisabled(0), word(m, l));
    });
    expect(out.violations).toEqual([]);
    expect(seen).toEqual([0, 1, [2 * _QR_BIAS, 0], 1, 0, [0, 0]]);
  });

  it('write_lock_irqsave() / write_unlock_irqrestore(): the word, IRQs and lockdep', () => {
    const seen: unknown[] = [];
    const out = runT0(function* (c, m, l) {
      const f = yield* write_lock_irqsave(c, l);
      seen.push(f, word(m, l), m.irqDisabled(0), lockdep_holds(m, c.id, l));
      yield* write_unlock_irqrestore(c, l, f);
      seen.push(word(m, l), m.irqDisabled(0), lockdep_holds(m, c.id, l));
    });
    expect(out.violations).toEqual([]);
    expect(seen).toEqual([0, [0, _QW_LOCKED], 1, true, [0, 0], 0, false]);
  });

  for (const [name, lock] of [['write_lock_irq', write_lock_irq],
    ['write_lock_irqsave', write_lock_irqsave]] as const) {
    it(`${name}() twice is recursive locking (a write acquisition)`, () => {
      const out = runT0(function* (c, _m, l) {
        yield* lock(c, l);
        yield* lock(c, l);
      });
      expect(kinds(out.violations)).toEqual(['P4-locking/recursive-locking']);
      expect(out.violations[0]!.message).toContain(`T0 (cpu0) ${name}(rw)`);
    });
  }

  it('two rwlocks of one class: taking both for write is recursion on the class', () => {
    const m = machine(1);
    const a = rwlock_init(m, 'ep1.lock', 'ep->lock');
    const b = rwlock_init(m, 'ep2.lock', 'ep->lock');
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* write_lock(c, a);
        yield* write_lock(c, b);
      },
    });
    const out = m.run(first());
    expect(kinds(out.violations)).toEqual(['P4-locking/recursive-locking']);
    expect(out.violations[0]!.message).toContain('while already holding ep->lock');
  });
});

describe('locks: rwlock: write_trylock', () => {
  it('a failed write_trylock() records nothing; a later write_unlock is unbalanced', () => {
    const seen: unknown[] = [];
    const out = runT0(function* (c, m, l) {
      yield* read_lock(c, l);
      seen.push(yield* write_trylock(c, l), lockdep_depth(c), word(m, l));
      yield* read_unlock(c, l);
      seen.push(lockdep_depth(c));
    });
    expect(out.violations).toEqual([]);
    expect(seen).toEqual([false, 1, [_QR_BIAS, 0], 0]);
  });

  it('write_trylock() with IRQs on is a write usage: a hardirq reader is then unsafe', () => {
    const m = machine(1);
    const l = rwlock_init(m, 'ep.lock');
    const v = vars(m);
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield load(v, 'v');
        expect(yield* write_trylock(c, l)).toBe(true);
        yield* write_unlock(c, l);
      },
    });
    m.addIrqSource({
      name: 'nic', cpu: 0, count: 1,
      handler: function* (c: Ctx): Model<void> {
        yield* read_lock(c, l);
        yield* read_unlock(c, l);
      },
    });
    const out = m.run(first());
    expect(kinds(out.violations)).toEqual(['P4-locking/irq-unsafe-lock']);
    const msg = out.violations[0]!.message;
    expect(msg).toMatch(/^inconsistent \{IN-HARDIRQ-R\} -> \{HARDIRQ-ON-W\} usage of lock /);
    expect(msg).toContain('and with IRQs enabled by T0 (cpu0) write_trylock(ep.lock)');
  });
});

describe('locks: rwlock: P7 writer starvation', () => {
  /** R holds a read lock; W waits on cpu1; `irqs` hardirq readers on cpu2 pass it. */
  function starve(irqs: number): { out: RunOutcome; w: Ctx } {
    const m = machine(3, 'sc', 0, { bypassMax: 2 });
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
    const w = m.addTask({
      name: 'W', cpu: 1,
      body: function* (c: Ctx): Model<void> {
        yield* write_lock_irq(c, l);
        yield* write_unlock_irq(c, l);
      },
    });
    let n = 0;
    m.addIrqSource({
      name: 'nic', cpu: 2, count: irqs,
      handler: function* (c: Ctx): Model<void> {
        yield* read_lock(c, l);
        yield* read_unlock(c, l);
        if (++n === irqs) yield WRITE_ONCE(v, 'go', 1);
      },
    });
    return { out: m.run(first()), w };
  }

  it('up to bypassMax readers may pass a waiting writer', () => {
    const { out } = starve(2);
    expect(out.violations).toEqual([]);
    expect(out.status).toBe('done');
  });

  it('one more is writer starvation, reported against the writer', () => {
    const { out, w } = starve(3);
    expect(kinds(out.violations)).toEqual(['P7-liveness/writer-starvation']);
    const v = out.violations[0]!;
    expect(v.message).toMatch(new RegExp('^writer starvation: W \\(cpu1\\) has waited for ' +
      'write_lock\\(rw\\) since step \\d+ while 3 readers took the lock \\(more than ' +
      'bypassMax 2\\); the last was irq@2 \\(cpu2\\) in interrupt context'));
    expect([v.ctx, v.cpu]).toEqual([w.id, 1]);
  });
});

describe('locks: rwlock: misuse reports name the call', () => {
  it('read_lock() of a freed rwlock: use-after-free in read_lock', () => {
    const out = runT0(function* (c, m, l) {
      m.free(c, l, 'kfree');
      yield* read_lock(c, l);
    });
    expect(kinds(out.violations)).toEqual(['P3-memory-safety/use-after-free']);
    expect(out.violations[0]!.message).toMatch(/^T0 in read_lock: access to \.cnts: /);
  });

  it('write_unlock_irq() of a freed rwlock: use-after-free in write_unlock_irq', () => {
    const out = runT0(function* (c, m, l) {
      yield* write_lock_irq(c, l);
      m.free(c, l, 'kfree');
      yield* write_unlock_irq(c, l);
    });
    expect(kinds(out.violations)).toEqual(['P3-memory-safety/use-after-free']);
    expect(out.violations[0]!.message).toMatch(/^T0 in write_unlock_irq: access to \.wlocked: /);
  });

  it('read_unlock_irq() and write_unlock_irqrestore() of a lock not held name themselves',
    () => {
      const a = runT0(function* (c, _m, l) {
        yield* read_unlock_irq(c, l);
      });
      expect(kinds(a.violations)).toEqual(['P4-locking/bad-unlock-balance']);
      expect(a.violations[0]!.message)
        .toMatch(/^bad unlock balance: T0 \(cpu0\) read_unlock_irq\(rw\)/);
      const b = runT0(function* (c, _m, l) {
        yield* write_unlock_irqrestore(c, l, 0);
      });
      expect(kinds(b.violations)).toEqual(['P4-locking/bad-unlock-balance']);
      expect(b.violations[0]!.message)
        .toMatch(/^bad unlock balance: T0 \(cpu0\) write_unlock_irqrestore\(rw\)/);
    });

  it('a reader waiting for a writer that frees the lock faults in the slow path\'s wait', () => {
    const m = machine(2);
    const l = rwlock_init(m, 'rw');
    const v = vars(m, { held: 0 });
    m.addTask({
      name: 'R', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* spinUntil(v, 'held', 1);
        yield* read_lock(c, l);
      },
    });
    m.addTask({
      name: 'W', cpu: 1,
      body: function* (c: Ctx): Model<void> {
        yield* write_lock(c, l);
        yield WRITE_ONCE(v, 'held', 1);
        yield load(v, 'held');
        c.m.free(c, l, 'kfree');
      },
    });
    const out = m.run(first());
    expect(kinds(out.violations)).toEqual(['P3-memory-safety/use-after-free']);
    expect(out.violations[0]!.message)
      .toMatch(/^R in queued_read_lock_slowpath: access to \.cnts: use-after-free of rw/);
  });
});
