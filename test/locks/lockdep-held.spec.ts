/**
 * Lockdep's held-lock stacks (src/locks/lockdep.ts) called directly on a hand-built machine:
 * lock_acquire / lock_acquired / lock_acquire_try / lock_release, recursion, the dependencies
 * check_prevs_add() records, when hardirq usage is recorded (at the attempt, deferred for a
 * hardirq on a lock its interrupted task holds, at local_irq_enable), the queries, and the
 * fast engine's copy of the state.
 */
import { describe, expect, it } from 'vitest';
import {
  ENABLED_HARDIRQ, ENABLED_HARDIRQ_READ, USED_IN_HARDIRQ, USED_IN_HARDIRQ_READ, type LockClass,
} from '../../src/locks/lockdep-graph.ts';
import {
  LD_MUTEX, LD_RWLOCK, LD_RWSEM, LD_SPIN, lock_acquire, lock_acquire_try, lock_acquired,
  lock_release, lockdep, lockdep_assert_held, lockdep_depth, lockdep_find, lockdep_hardirqs_on,
  lockdep_holders, lockdep_holds, type LockdepState,
} from '../../src/locks/lockdep.ts';
import { cloneStateFast } from '../../src/sim/clone.ts';
import type { Ctx } from '../../src/sim/context.ts';
import { fakeMachine, type FakeMachine } from './lockdep-fixture.ts';

/** lock_acquire + lock_acquired of a spinlock (write), subclass 0. */
function take(c: Ctx, l: number, kind = LD_SPIN, read = false, op = 'spin_lock'): void {
  lock_acquire(c, l, kind, read, 0, op);
  lock_acquired(c, l);
}

/** The class lockdep gave lock `l` (subclass 0). */
function classOf(fm: FakeMachine, l: number): LockClass {
  return lockdep(fm.m).graph.classOf(fm.m, l, 0);
}

/** The keys of the classes `k` was seen held before. */
function after(k: LockClass): string[] {
  return [...k.out.keys()].map((x) => x.key);
}

describe('lockdep: lock_acquire and lock_acquired', () => {
  it('the attempt pushes a pending entry with its site; lock_acquired makes it held', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 1, 'ep_poll');
    const l = fm.lock('ep.lock');
    fm.setStep(5);
    lock_acquire(t, l, LD_SPIN, false, 0, 'spin_lock_irq');
    expect(lockdep_depth(t)).toBe(1);
    expect(lockdep_holds(fm.m, t.id, l)).toBe(false);
    const h = lockdep_find(lockdep(fm.m), t.id, l, false)!;
    expect(h).toBeDefined();
    expect(lockdep_find(lockdep(fm.m), t.id, l, true)).toBeUndefined();
    expect(h.acquired).toBe(false);
    expect(h.trylock).toBe(false);
    expect(h.read).toBe(false);
    expect(h.kind).toBe(LD_SPIN);
    expect(h.cls.key).toBe('ep.lock');
    expect(h.site).toEqual({ ctx: 'T0', cpu: 1, step: 5, fn: 'ep_poll', op: 'spin_lock_irq',
      lock: 'ep.lock' });
    lock_acquired(t, l);
    expect(lockdep_holds(fm.m, t.id, l)).toBe(true);
    expect(h.acquired).toBe(true);
    expect(fm.reports).toEqual([]);
  });

  it('lockdep_find returns the entry of that lock only', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const a = fm.lock('A');
    const b = fm.lock('B');
    take(t, a);
    expect(lockdep_find(lockdep(fm.m), t.id, b, false)).toBeUndefined();
    expect(lockdep_holds(fm.m, t.id, b)).toBe(false);
    expect(lockdep_find(lockdep(fm.m), t.id + 1, a, false)).toBeUndefined();
  });

  it('with IRQs on, usage is recorded at the attempt (before lock_acquired)', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const a = fm.lock('A');
    const b = fm.lock('B');
    fm.setStep(3);
    lock_acquire(t, a, LD_SPIN, false, 0, 'spin_lock');
    expect(classOf(fm, a).usage).toBe(ENABLED_HARDIRQ);
    expect(classOf(fm, a).usageSite[2]!.step).toBe(3);
    lock_acquire(t, b, LD_RWLOCK, true, 0, 'read_lock');
    expect(classOf(fm, b).usage).toBe(ENABLED_HARDIRQ_READ);
  });

  it('with IRQs off no usage is recorded, not even when IRQs are on by lock_acquired', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const a = fm.lock('A');
    fm.irqOff[0] = 1;
    lock_acquire(t, a, LD_SPIN, false, 0, 'spin_lock_irqsave');
    fm.irqOff[0] = 0;
    lock_acquired(t, a);
    expect(classOf(fm, a).usage).toBe(0);
    // ... nor on another CPU's IRQ state.
    const u = fm.task('T1', 1);
    const b = fm.lock('B');
    fm.irqOff[0] = 1;
    take(u, b);
    expect(classOf(fm, b).usage).toBe(ENABLED_HARDIRQ);
  });

  it('sleeping locks (mutex, rw_semaphore) have no hardirq usage', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const mu = fm.lock('ep.mtx');
    const rw = fm.lock('mm.sem');
    take(t, mu, LD_MUTEX, false, 'mutex_lock');
    take(t, rw, LD_RWSEM, true, 'down_read');
    expect(classOf(fm, mu).usage).toBe(0);
    expect(classOf(fm, rw).usage).toBe(0);
    lockdep_hardirqs_on(t);
    expect(classOf(fm, mu).usage).toBe(0);
    expect(classOf(fm, rw).usage).toBe(0);
  });

  it('a hardirq on an idle CPU marks IN-HARDIRQ at the attempt', () => {
    const fm = fakeMachine();
    const irq = fm.irq(1);
    const l = fm.lock('dev.lock');
    lock_acquire(irq, l, LD_SPIN, false, 0, 'spin_lock');
    expect(classOf(fm, l).usage).toBe(USED_IN_HARDIRQ);
    expect(classOf(fm, l).usageSite[0]!.ctx).toBe('irq@1');
  });

  it('a hardirq whose interrupted task holds another lock, or only waits for this one, ' +
    'marks at the attempt', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 1);
    const other = fm.lock('other');
    const l = fm.lock('dev.lock');
    fm.irqOff[1] = 1;
    take(t, other);
    lock_acquire(t, l, LD_SPIN, false, 0, 'spin_lock'); // still spinning
    const irq = fm.irq(1, t);
    lock_acquire(irq, l, LD_RWLOCK, true, 0, 'read_lock');
    expect(classOf(fm, l).usage).toBe(USED_IN_HARDIRQ_READ);
    expect(fm.reports).toEqual([]);
  });

  it('a hardirq taking a lock its interrupted task holds: usage deferred to lock_acquired',
    () => {
      const fm = fakeMachine();
      const t = fm.task('T0', 1, 'ep_poll');
      const l = fm.lock('ep.rwlock');
      fm.irqOff[1] = 1;
      take(t, l, LD_RWLOCK, true, 'read_lock_irqsave');
      const irq = fm.irq(1, t);
      fm.setStep(9);
      lock_acquire(irq, l, LD_RWLOCK, true, 0, 'read_lock');
      expect(classOf(fm, l).usage).toBe(0);
      expect(lockdep_find(lockdep(fm.m), irq.id, l, false)!.usageDone).toBe(false);
      fm.setStep(11);
      lock_acquired(irq, l);
      expect(classOf(fm, l).usage).toBe(USED_IN_HARDIRQ_READ);
      expect(classOf(fm, l).usageSite[1]).toMatchObject({ ctx: 'irq@1', step: 9,
        op: 'read_lock' });
      expect(fm.reports).toEqual([]);
    });

  it('lock_acquired of a lock not attempted changes nothing', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const a = fm.lock('A');
    const b = fm.lock('B');
    take(t, a);
    lock_acquired(t, b);
    expect(lockdep_depth(t)).toBe(1);
    const u = fm.task('T1', 1);
    lock_acquire(u, a, LD_SPIN, false, 0, 'spin_lock');
    lock_acquired(u, b);
    expect(lockdep_holds(fm.m, u.id, a)).toBe(false);
    // A context that never took a lock.
    const w = fm.task('T2', 1);
    lock_acquired(w, a);
    expect(lockdep_depth(w)).toBe(0);
  });

  it('lock_acquired finds the pending entry under a held one', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const a = fm.lock('A');
    const b = fm.lock('B');
    lock_acquire(t, a, LD_SPIN, false, 0, 'spin_lock');
    lock_acquire_try(t, b, LD_SPIN, false, 'spin_trylock');
    lock_acquired(t, a);
    expect(lockdep_holds(fm.m, t.id, a)).toBe(true);
    expect(lockdep_holds(fm.m, t.id, b)).toBe(true);
  });

  it('with lockdep turned off in between, lock_acquired records nothing', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const a = fm.lock('A');
    lock_acquire(t, a, LD_SPIN, false, 0, 'spin_lock');
    lockdep(fm.m).enabled = false;
    lock_acquired(t, a);
    expect(lockdep_find(lockdep(fm.m), t.id, a, false)!.acquired).toBe(false);
  });
});

describe('lockdep: recursion', () => {
  it('taking a held lock again: recursive-locking, the same lock named so', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0, 'ep_insert');
    const l = fm.lock('ep.lock');
    fm.setStep(2);
    take(t, l);
    fm.setStep(4);
    lock_acquire(t, l, LD_SPIN, false, 0, 'spin_lock_irq');
    expect(fm.reports).toHaveLength(1);
    const r = fm.reports[0]!;
    expect(r.property).toBe('P4-locking');
    expect(r.kind).toBe('recursive-locking');
    expect(r.ctx).toBe(t.id);
    expect(r.message).toBe('possible recursive locking: T0 (cpu0) spin_lock_irq(ep.lock) in ' +
      'ep_insert at step 4 while already holding ep.lock, taken by T0 (cpu0) ' +
      'spin_lock(ep.lock) in ep_insert at step 2 (the same lock: it can never be granted)');
    expect(r.details).toEqual([
      'new: T0 (cpu0) spin_lock_irq(ep.lock) in ep_insert at step 4',
      'held: T0 (cpu0) spin_lock(ep.lock) in ep_insert at step 2']);
  });

  it('another lock of a held class: recursive-locking, without the same-lock remark', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const a = fm.lock('ep1.lock', 'ep.lock');
    const b = fm.lock('ep2.lock', 'ep.lock');
    take(t, a);
    lock_acquire(t, b, LD_SPIN, false, 0, 'spin_lock');
    expect(fm.reports).toHaveLength(1);
    expect(fm.reports[0]!.message).toMatch(/spin_lock\(ep2\.lock\) at step 0 while already holding ep\.lock, taken by T0 \(cpu0\) spin_lock\(ep1\.lock\) at step 0$/);
    // _nested: another subclass is another class.
    const u = fm.task('T1', 1);
    take(u, a);
    lock_acquire(u, b, LD_SPIN, false, 1, 'spin_lock_nested');
    expect(fm.reports).toHaveLength(1);
    expect(after(classOf(fm, a))).toEqual(['ep.lock/1']);
  });

  it('read after read is fine (and adds no dependency on itself); a write with a read is not',
    () => {
      const fm = fakeMachine();
      const t = fm.task('T0', 0);
      const l = fm.lock('rw');
      take(t, l, LD_RWLOCK, true, 'read_lock');
      take(t, l, LD_RWLOCK, true, 'read_lock');
      expect(fm.reports).toEqual([]);
      expect(classOf(fm, l).out.size).toBe(0);
      lock_acquire(t, l, LD_RWLOCK, false, 0, 'write_lock');
      expect(fm.reports.map((r) => r.kind)).toEqual(['recursive-locking']);
      const u = fm.task('T1', 1);
      const w = fm.lock('rw2');
      take(u, w, LD_RWLOCK, false, 'write_lock');
      lock_acquire(u, w, LD_RWLOCK, true, 0, 'read_lock');
      expect(fm.reports.map((r) => r.kind)).toEqual(['recursive-locking', 'recursive-locking']);
    });
});

describe('lockdep: check_prevs_add', () => {
  it('A, B, C nested: A -> B and B -> C, each from the lock just below', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const [a, b, c] = ['A', 'B', 'C'].map((x) => fm.lock(x)) as [number, number, number];
    take(t, a);
    take(t, b);
    take(t, c);
    expect(after(classOf(fm, a))).toEqual(['B']);
    expect(after(classOf(fm, b))).toEqual(['C']);
  });

  it('above a trylock, the dependency comes from below it too: X -> B and A -> B', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const [x, a, b] = ['X', 'A', 'B'].map((n) => fm.lock(n)) as [number, number, number];
    take(t, x);
    lock_acquire_try(t, a, LD_SPIN, false, 'spin_trylock');
    take(t, b);
    expect(after(classOf(fm, x))).toEqual(['B']); // the trylock itself adds none
    expect(after(classOf(fm, a))).toEqual(['B']);
  });

  it('a trylock is held at once and counts for usage; it has no order of its own', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const a = fm.lock('A');
    const b = fm.lock('B');
    take(t, a);
    lock_acquire_try(t, b, LD_RWLOCK, true, 'read_trylock');
    const h = lockdep_find(lockdep(fm.m), t.id, b, true)!;
    expect(h).toBeDefined();
    expect(h.trylock).toBe(true);
    expect(h.read).toBe(true);
    expect(h.usageDone).toBe(true);
    expect(classOf(fm, b).usage).toBe(ENABLED_HARDIRQ_READ);
    expect(classOf(fm, a).out.size).toBe(0);
  });
});

describe('lockdep: lock_release', () => {
  it('releasing a lock in the middle keeps the others, in order', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const [a, b, c, d] = ['A', 'B', 'C', 'D'].map((n) => fm.lock(n)) as number[];
    take(t, a!);
    take(t, b!);
    take(t, c!);
    lock_release(t, b!, 'spin_unlock');
    expect(lockdep_depth(t)).toBe(2);
    expect(lockdep_holds(fm.m, t.id, a!)).toBe(true);
    expect(lockdep_holds(fm.m, t.id, b!)).toBe(false);
    expect(lockdep_holds(fm.m, t.id, c!)).toBe(true);
    take(t, d!); // from the top one: C
    expect(after(classOf(fm, c!))).toEqual(['D']);
    expect(after(classOf(fm, a!))).toEqual(['B']);
    expect(fm.reports).toEqual([]);
  });

  it('releasing a lock not held: bad-unlock-balance', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 1, 'ep_remove');
    const l = fm.lock('ep.lock');
    fm.setStep(7);
    lock_release(t, l, 'spin_unlock');
    const u = fm.task('T1', 0);
    take(u, l);
    lock_release(u, fm.lock('other'), 'spin_unlock');
    expect(fm.reports.map((r) => r.message)).toEqual([
      'bad unlock balance: T0 (cpu1) spin_unlock(ep.lock) in ep_remove at step 7, but it ' +
      'does not hold it',
      'bad unlock balance: T1 (cpu0) spin_unlock(other) at step 7, but it does not hold it']);
    expect(fm.reports[0]!.kind).toBe('bad-unlock-balance');
    expect(fm.reports[0]!.ctx).toBe(t.id);
    expect(lockdep_depth(u)).toBe(1);
  });

  it('with lockdep off, nothing is kept and nothing is reported', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const l = fm.lock('A');
    lockdep(fm.m).enabled = false;
    take(t, l);
    lock_acquire_try(t, l, LD_SPIN, false, 'spin_trylock');
    lock_release(t, l, 'spin_unlock');
    lockdep_assert_held(t, l);
    lockdep_hardirqs_on(t);
    expect(lockdep_depth(t)).toBe(0);
    expect(fm.reports).toEqual([]);
  });
});

describe('lockdep: local_irq_enable with locks held (lockdep_hardirqs_on)', () => {
  it('held spinning locks become IRQ-unsafe at the enable site', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0, 'ep_poll');
    const s = fm.lock('s');
    const r = fm.lock('r');
    const w = fm.lock('w');
    fm.irqOff[0] = 1;
    take(t, s);
    take(t, r, LD_RWLOCK, true, 'read_lock');
    take(t, w, LD_RWLOCK, false, 'write_lock');
    expect(classOf(fm, s).usage).toBe(0);
    fm.irqOff[0] = 0;
    fm.setStep(8);
    lockdep_hardirqs_on(t);
    expect(classOf(fm, s).usage).toBe(ENABLED_HARDIRQ);
    expect(classOf(fm, r).usage).toBe(ENABLED_HARDIRQ_READ);
    expect(classOf(fm, w).usage).toBe(ENABLED_HARDIRQ);
    expect(classOf(fm, s).usageSite[2]).toEqual({ ctx: 'T0', cpu: 0, step: 8, fn: 'ep_poll',
      op: 'local_irq_enable', lock: 's' });
  });

  it('a lock still being waited for does not become IRQ-unsafe', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const s = fm.lock('s');
    fm.irqOff[0] = 1;
    lock_acquire(t, s, LD_SPIN, false, 0, 'spin_lock');
    fm.irqOff[0] = 0;
    lockdep_hardirqs_on(t);
    expect(classOf(fm, s).usage).toBe(0);
    const u = fm.task('T1', 1);
    lockdep_hardirqs_on(u); // holds nothing
    expect(fm.reports).toEqual([]);
  });

  it('enabling IRQs while holding a lock a hardirq takes: irq-unsafe-lock', () => {
    const fm = fakeMachine();
    const irq = fm.irq(1);
    const t = fm.task('T0', 0);
    const l = fm.lock('dev.lock');
    take(irq, l);
    lock_release(irq, l, 'spin_unlock');
    fm.irqOff[0] = 1;
    take(t, l, LD_SPIN, false, 'spin_lock_irq');
    expect(fm.reports).toEqual([]);
    fm.irqOff[0] = 0;
    lockdep_hardirqs_on(t);
    expect(fm.reports.map((r) => r.kind)).toEqual(['irq-unsafe-lock']);
    expect(fm.reports[0]!.message).toContain('local_irq_enable(dev.lock)');
  });
});

describe('lockdep: queries', () => {
  it('lockdep_holders: the tasks holding the lock, in context order, no hardirq, no waiter',
    () => {
      const fm = fakeMachine();
      const t0 = fm.task('T0', 0);
      const t1 = fm.task('T1', 1);
      const irq = fm.irq(1, t1);
      const t2 = fm.task('T2', 0);
      const t3 = fm.task('T3', 1);
      const l = fm.lock('mm.sem');
      take(t2, l, LD_RWSEM, true, 'down_read');
      take(irq, l, LD_RWLOCK, true, 'read_lock');
      take(t0, l, LD_RWSEM, true, 'down_read');
      lock_acquire(t3, l, LD_RWSEM, false, 0, 'down_write');
      expect(lockdep_holders(fm.m, l)).toEqual([t0.task, t2.task]);
      expect(lockdep_holders(fm.m, fm.lock('x'))).toEqual([]);
    });

  it('lockdep_assert_held: lock-not-held when not held, or only waited for', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 1, 'ep_modify');
    const u = fm.task('T1', 0);
    const l = fm.lock('ep.mtx');
    take(u, l, LD_MUTEX, false, 'mutex_lock');
    lockdep_assert_held(u, l);
    expect(fm.reports).toEqual([]);
    fm.setStep(3);
    lock_acquire(t, l, LD_MUTEX, false, 0, 'mutex_lock');
    lockdep_assert_held(t, l);
    lock_acquire(u, fm.lock('m2'), LD_MUTEX, false, 0, 'mutex_lock');
    lockdep_assert_held(u, fm.lock('m3'));
    expect(fm.reports.map((r) => [r.kind, r.ctx, r.message])).toEqual([
      ['lock-not-held', t.id,
        'lockdep_assert_held(ep.mtx) failed: T0 (cpu1) in ep_modify at step 3 does not hold it'],
      ['lock-not-held', u.id, 'lockdep_assert_held(m3) failed: T1 (cpu0) at step 3 does not ' +
        'hold it']]);
  });
});

describe('lockdep: the fast engine copy of the state', () => {
  function prepared() {
    const fm = fakeMachine();
    const t0 = fm.task('T0', 0);
    const t1 = fm.task('T1', 1, 'ep_poll');
    const a = fm.lock('A');
    const b = fm.lock('B');
    const c = fm.lock('C');
    take(t1, a);
    take(t1, c);
    lock_release(t1, c, 'spin_unlock'); // a spare record above depth
    lock_acquire(t1, b, LD_RWLOCK, true, 0, 'read_lock');
    const ld = lockdep(fm.m);
    ld.selfDeadlocked.add(7);
    return { fm, t0, t1, a, b, c, ld };
  }

  it('copies the held-lock stacks entry by entry, with the graph, and nothing shared', () => {
    const p = prepared();
    const memo = new Map<object, unknown>();
    const s = cloneStateFast(p.ld, memo);
    expect(s).not.toBe(p.ld);
    expect(memo.get(p.ld)).toBe(s);
    expect(s.enabled).toBe(true);
    expect(s.graph).toBe(memo.get(p.ld.graph));
    expect(s.graph).not.toBe(p.ld.graph);
    expect(s.stacks).toHaveLength(p.ld.stacks.length);
    expect(s.stacks[p.t0.id]).toBeUndefined();
    const st = s.stacks[p.t1.id]!;
    const orig = p.ld.stacks[p.t1.id]!;
    expect(st.depth).toBe(2);
    expect(st.e).toHaveLength(2); // the spare record stays behind
    for (let i = 0; i < 2; i++) {
      const h = st.e[i]!;
      const o = orig.e[i]!;
      expect(h).not.toBe(o);
      expect(h.cls).toBe(memo.get(o.cls));
      expect(h.site).toEqual(o.site);
      expect(h.site).not.toBe(o.site);
      expect({ ...h, cls: 0, site: 0 }).toEqual({ ...o, cls: 0, site: 0 });
    }
    expect(st.e[0]!.lock).toBe(p.a);
    expect(st.e[1]!.acquired).toBe(false);
    expect(st.e[1]!.read).toBe(true);
    expect([...s.selfDeadlocked]).toEqual([7]);
    s.selfDeadlocked.add(8);
    expect([...p.ld.selfDeadlocked]).toEqual([7]);
  });

  it('the copy carries on independently (and copies again)', () => {
    const p = prepared();
    p.ld.enabled = false;
    const memo = new Map<object, unknown>();
    const s = cloneStateFast(p.ld, memo);
    expect(s.enabled).toBe(false);
    const s2: LockdepState = cloneStateFast(s, new Map<object, unknown>());
    expect(s2.stacks[p.t1.id]!.depth).toBe(2);
    expect(s2.stacks[p.t1.id]!.e[1]!.site.op).toBe('read_lock');
    // Running on the copy: a second machine whose lockdep state is the copy.
    const fm2 = fakeMachine();
    fm2.task('T0', 0);
    const t1 = fm2.task('T1', 1);
    (fm2.m.ext as Record<string, unknown>).lockdep = s;
    s.enabled = true;
    lock_acquired(t1, p.b);
    expect(lockdep_holds(fm2.m, t1.id, p.b)).toBe(true);
    expect(lockdep_holds(p.fm.m, p.t1.id, p.b)).toBe(false);
    expect(s.stacks[p.t1.id]!.e[1]!.cls.usage).toBe(ENABLED_HARDIRQ_READ);
  });
});
