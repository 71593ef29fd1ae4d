/**
 * The sleeping-deadlock observer on hand-built task states (no run): a wait-for cycle is P4
 * with only the tasks on the cycle in the message, anything else left asleep on a lock is
 * P7; each task's state in the details (blocked and by whom, exited, runnable, asleep in
 * epoll_wait or elsewhere); holders that are not tasks; nothing before quiescence.
 */
import { describe, expect, it } from 'vitest';
import { sleepingLocks } from '../../src/eventpoll/checkers/sleeping-locks.ts';
import { Arena } from '../../src/queues/arena.ts';
import { type BlockedOn, DONE, READY, SLEEPING } from '../../src/sim/context.ts';
import type { Machine } from '../../src/sim/machine.ts';
import type { Violation } from '../../src/sim/violation.ts';

interface FakeTask {
  id: number; name: string; cpu: number; irq: boolean; task: number; fn: string;
  status: number; local: Record<string, unknown>;
}

/** A machine stand-in: an arena for labels, the given contexts, and the reports. */
function world() {
  const arena = new Arena();
  const ctxs: FakeTask[] = [];
  const reports: Omit<Violation, 'step'>[] = [];
  const holders = new Map<number, number[]>();
  const m = {
    arena, contexts: () => ctxs, report: (v: Omit<Violation, 'step'>) => { reports.push(v); },
  } as unknown as Machine;
  const lock = (label: string, ...by: number[]) => {
    const h = arena.alloc('mutex', {}, label);
    holders.set(h, by);
    return h;
  };
  const task = (name: string, status = READY, fn = '') => {
    const t: FakeTask = { id: ctxs.length, name, cpu: ctxs.length, irq: false,
      task: arena.alloc('task_struct', {}, `task:${name}`), fn, status, local: {} };
    ctxs.push(t);
    return t;
  };
  const block = (t: FakeTask, lk: number, op = 'mutex_lock') => {
    t.status = SLEEPING;
    const b: BlockedOn = { op, lock: lk, holders: (_m, l) => holders.get(l) ?? [] };
    t.local.blockedOn = b;
  };
  const hold = (lk: number, ...by: number[]) => holders.set(lk, by);
  return { m, arena, ctxs, reports, lock, task, block, hold };
}

describe('sleeping locks: the observer on hand-built tasks', () => {
  it('nothing is judged before quiescence', () => {
    const w = world();
    const t = w.task('T1');
    w.block(t, w.lock('A'));
    sleepingLocks.atEnd!(w.m, false);
    expect(w.reports).toEqual([]);
    sleepingLocks.atEnd!(w.m, true);
    expect(w.reports).toHaveLength(1);
  });

  it('a lone waiter on a lock nobody holds: P7, no other tasks in the message', () => {
    const w = world();
    const t = w.task('T1');
    w.block(t, w.lock('A'));
    sleepingLocks.atEnd!(w.m, true);
    expect(w.reports).toEqual([{ property: 'P7-liveness', kind: 'asleep-forever',
      message: 'T1 waits for A (mutex_lock) held by nobody, and nothing can wake it any more',
      ctx: t.id, cpu: t.cpu, details: ['T1 waits for A (mutex_lock) held by nobody'] }]);
  });

  it('every other task\'s state is in the details: exited, runnable, asleep elsewhere', () => {
    const w = world();
    const t1 = w.task('T1');
    const ep = w.arena.alloc('eventpoll', {}, 'ep');
    const done = w.task('T2', DONE);
    // An exited task's stale blockedOn does not make it a waiter.
    w.block(done, w.lock('B'));
    done.status = DONE;
    w.task('T3', READY);
    const inWait = w.task('T4', SLEEPING);
    inWait.local.waitingOn = ep;
    w.task('T5', SLEEPING, 'do_nanosleep');
    w.task('T6', SLEEPING, '');
    const a = w.lock('A');
    w.hold(a, done.task);
    w.block(t1, a, 'down_write');
    sleepingLocks.atEnd!(w.m, true);
    expect(w.reports).toHaveLength(1);
    const r = w.reports[0]!;
    expect(r).toMatchObject({ property: 'P7-liveness', ctx: t1.id, cpu: t1.cpu });
    expect(r.details).toEqual(['T1 waits for A (down_write) held by T2', 'T2 has exited',
      'T3 is runnable', 'T4 asleep in epoll_wait on ep', 'T5 asleep in do_nanosleep',
      'T6 asleep in schedule()']);
    expect(r.message).toBe('T1 waits for A (down_write) held by T2, and nothing can wake it ' +
      `any more: ${r.details!.slice(1).join('; ')}`);
  });

  it('a holder that is not a task is named by its label; IRQ contexts are not tasks', () => {
    const w = world();
    const t1 = w.task('T1');
    const irq = w.task('irq@0', SLEEPING);
    (irq as { irq: boolean }).irq = true;
    const stranger = w.arena.alloc('task_struct', {}, 'kworker');
    w.block(t1, w.lock('A', stranger));
    sleepingLocks.atEnd!(w.m, true);
    expect(w.reports[0]!.message).toBe('T1 waits for A (mutex_lock) held by kworker, and ' +
      'nothing can wake it any more');
    expect(w.reports[0]!.details).toEqual(['T1 waits for A (mutex_lock) held by kworker']);
  });

  it('ABBA: P4 with the cycle only, not the task that waits on it from outside', () => {
    const w = world();
    const t0 = w.task('T0');
    const t1 = w.task('T1');
    const t2 = w.task('T2');
    const a = w.lock('A');
    const b = w.lock('B');
    const c = w.lock('C');
    w.hold(a, t1.task);
    w.hold(b, t2.task);
    w.hold(c, t1.task);
    // T0 waits for C, held by T1; T1 and T2 wait for each other.
    w.block(t0, c);
    w.block(t1, b);
    w.block(t2, a);
    sleepingLocks.atEnd!(w.m, true);
    expect(w.reports).toHaveLength(1);
    expect(w.reports[0]).toMatchObject({ property: 'P4-locking', kind: 'deadlock',
      ctx: t1.id, cpu: t1.cpu,
      message: 'sleeping deadlock: T1 waits for B (mutex_lock) held by T2; ' +
        'T2 waits for A (mutex_lock) held by T1' });
    expect(w.reports[0]!.details).toHaveLength(3);
  });

  it('the cycle is followed through the first holder that is a task', () => {
    const w = world();
    const t1 = w.task('T1');
    const t2 = w.task('T2');
    const stranger = w.arena.alloc('task_struct', {}, 'kworker');
    const a = w.lock('A', t1.task);
    // B is held by a reader that is no task here, and by T2.
    const b = w.lock('B', stranger, t2.task);
    w.block(t1, b, 'down_read');
    w.block(t2, a);
    sleepingLocks.atEnd!(w.m, true);
    expect(w.reports[0]).toMatchObject({ property: 'P4-locking',
      message: 'sleeping deadlock: T1 waits for B (down_read) held by kworker, T2; ' +
        'T2 waits for A (mutex_lock) held by T1' });
  });
});
