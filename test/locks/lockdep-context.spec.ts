/**
 * The context checks of lockdep (src/locks/lockdep-context.ts) called directly on a
 * hand-built machine: a hardirq spinning on a lock its interrupted task holds
 * (irq-self-deadlock), might_sleep() in atomic context (sleep-in-atomic), and
 * local_irq_enable() in a hardirq handler.
 */
import { describe, expect, it } from 'vitest';
import {
  lockdep_irq_enable_in_hardirq, lockdep_irq_spin, lockdep_sleep_check,
} from '../../src/locks/lockdep-context.ts';
import {
  LD_MUTEX, LD_RWLOCK, LD_RWSEM, LD_SPIN, lock_acquire, lock_acquired, lockdep,
} from '../../src/locks/lockdep.ts';
import type { Ctx } from '../../src/sim/context.ts';
import { fakeMachine } from './lockdep-fixture.ts';

function take(c: Ctx, l: number, kind = LD_SPIN, read = false, op = 'spin_lock'): void {
  lock_acquire(c, l, kind, read, 0, op);
  lock_acquired(c, l);
}

describe('lockdep context: a hardirq spinning on its interrupted task\'s lock', () => {
  it('irq-self-deadlock with both sites, reported once', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 1, 'ep_poll');
    const l = fm.lock('ep.lock');
    fm.setStep(4);
    fm.irqOff[1] = 1;
    take(t, l, LD_SPIN, false, 'spin_lock_irqsave');
    fm.irqOff[1] = 0;
    const irq = fm.irq(1, t);
    fm.setStep(6);
    lock_acquire(irq, l, LD_SPIN, false, 0, 'spin_lock');
    fm.setStep(7);
    lockdep_irq_spin(irq, l);
    expect(fm.reports).toHaveLength(1);
    const r = fm.reports[0]!;
    expect(r.property).toBe('P4-locking');
    expect(r.kind).toBe('irq-self-deadlock');
    expect(r.ctx).toBe(irq.id);
    expect(r.cpu).toBe(1);
    expect(r.message).toBe('deadlock: hardirq irq@1 (cpu1) spin_lock(ep.lock) at step 6 spins ' +
      'on ep.lock, held by the task it interrupted on cpu1: T0 (cpu1) ' +
      'spin_lock_irqsave(ep.lock) in ep_poll at step 4; the task cannot release it until the ' +
      'handler returns');
    expect(r.details).toEqual(['hardirq: irq@1 (cpu1) spin_lock(ep.lock) at step 6',
      'holder: T0 (cpu1) spin_lock_irqsave(ep.lock) in ep_poll at step 4']);
    lockdep_irq_spin(irq, l);
    expect(fm.reports).toHaveLength(1);
  });

  it('without its own attempt recorded, the hardirq is named by context and step', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const l = fm.lock('dev.lock');
    take(t, l);
    const irq = fm.irq(0, t);
    fm.setStep(3);
    lockdep_irq_spin(irq, l);
    expect(fm.reports[0]!.details![0]).toBe('hardirq: irq@0 (cpu0) at step 3');
  });

  it('nothing when the interrupted task does not hold the lock, or there is none', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const l = fm.lock('dev.lock');
    lock_acquire(t, l, LD_SPIN, false, 0, 'spin_lock'); // waiting, not holding
    const irq = fm.irq(0, t);
    lockdep_irq_spin(irq, l);
    lockdep_irq_spin(fm.irq(1), l);
    expect(fm.reports).toEqual([]);
    // Not marked as reported either: once the task holds it, the report comes.
    lock_acquired(t, l);
    lockdep_irq_spin(irq, l);
    expect(fm.reports.map((r) => r.kind)).toEqual(['irq-self-deadlock']);
  });

  it('nothing with lockdep off', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const l = fm.lock('dev.lock');
    take(t, l);
    lockdep(fm.m).enabled = false;
    lockdep_irq_spin(fm.irq(0, t), l);
    expect(fm.reports).toEqual([]);
  });
});

describe('lockdep context: might_sleep() in atomic context', () => {
  it('in hardirq', () => {
    const fm = fakeMachine();
    const irq = fm.irq(1);
    fm.setStep(2);
    expect(lockdep_sleep_check(irq, 'mutex_lock')).toBe(true);
    expect(fm.reports).toHaveLength(1);
    const r = fm.reports[0]!;
    expect(r.kind).toBe('sleep-in-atomic');
    expect(r.property).toBe('P4-locking');
    expect(r.ctx).toBe(irq.id);
    expect(r.cpu).toBe(1);
    expect(r.message).toBe('BUG: sleeping function called from invalid context: irq@1 (cpu1) ' +
      'calls mutex_lock at step 2 in hardirq context');
  });

  it('with interrupts disabled, naming the caller', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0, 'ep_poll');
    fm.irqOff[0] = 1;
    expect(lockdep_sleep_check(t, 'schedule')).toBe(true);
    expect(fm.reports[0]!.message).toBe('BUG: sleeping function called from invalid context: ' +
      'T0 (cpu0) calls schedule in ep_poll at step 0 with interrupts disabled');
  });

  it('inside an RCU read-side critical section', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    fm.rcuDepth.set(t.id, 1);
    expect(lockdep_sleep_check(t, 'schedule')).toBe(true);
    expect(fm.reports[0]!.message).toMatch(/calls schedule at step 0 inside an RCU read-side critical section$/);
  });

  it('holding a spinlock or an rwlock, named with where it was taken', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0, 'ep_insert');
    const mu = fm.lock('ep.mtx');
    const rw = fm.lock('ep.rwlock');
    const sp = fm.lock('ep.lock');
    fm.setStep(3);
    take(t, mu, LD_MUTEX, false, 'mutex_lock');
    take(t, rw, LD_RWLOCK, true, 'read_lock');
    take(t, sp);
    expect(lockdep_sleep_check(t, 'mutex_lock')).toBe(true);
    expect(fm.reports[0]!.message).toBe('BUG: sleeping function called from invalid context: ' +
      'T0 (cpu0) calls mutex_lock in ep_insert at step 3 while holding ep.rwlock, taken by ' +
      'T0 (cpu0) read_lock(ep.rwlock) in ep_insert at step 3');
  });

  it('fine in process context holding only sleeping locks, or waiting for a spinlock', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    const mu = fm.lock('ep.mtx');
    const sem = fm.lock('mm.sem');
    take(t, mu, LD_MUTEX, false, 'mutex_lock');
    take(t, sem, LD_RWSEM, true, 'down_read');
    lock_acquire(t, fm.lock('ep.lock'), LD_SPIN, false, 0, 'spin_lock');
    expect(lockdep_sleep_check(t, 'mutex_lock')).toBe(false);
    expect(lockdep_sleep_check(fm.task('T1', 1), 'schedule')).toBe(false);
    expect(fm.reports).toEqual([]);
  });

  it('with lockdep off, held spinlocks are not known, the other checks still hold', () => {
    const fm = fakeMachine();
    const t = fm.task('T0', 0);
    take(t, fm.lock('ep.lock'));
    lockdep(fm.m).enabled = false;
    expect(lockdep_sleep_check(t, 'schedule')).toBe(false);
    fm.irqOff[0] = 1;
    expect(lockdep_sleep_check(t, 'schedule')).toBe(true);
  });
});

describe('lockdep context: local_irq_enable() in a hardirq handler', () => {
  it('irq-enable-in-hardirq naming the handler when known', () => {
    const fm = fakeMachine();
    const irq = fm.irq(1);
    fm.setStep(5);
    lockdep_irq_enable_in_hardirq(irq);
    irq.fn = 'ep_poll_callback';
    lockdep_irq_enable_in_hardirq(irq);
    expect(fm.reports.map((r) => [r.property, r.kind, r.ctx, r.cpu])).toEqual([
      ['P4-locking', 'irq-enable-in-hardirq', irq.id, 1],
      ['P4-locking', 'irq-enable-in-hardirq', irq.id, 1]]);
    expect(fm.reports.map((r) => r.message)).toEqual([
      'irq@1 (cpu1) enables interrupts inside a hardirq handler at step 5',
      'irq@1 (cpu1) enables interrupts inside a hardirq handler (ep_poll_callback) at step 5']);
  });
});
