/**
 * Wait queues at their edges: WQ_FLAG_PRIORITY entries stay ahead of __add_wait_queue's
 * new entries, an autoremove entry whose task was already running stays queued, the
 * _locked wakeups (budget and key), a queue head freed after the wakeup that unlinked the
 * entry (finish_wait must not touch it), init_wait_entry() re-arming an entry, lock
 * classes shared by several heads, and an entry whose wake function is not registered.
 */
import { describe, expect, it } from 'vitest';
import { schedule, TASK_RUNNING, TASK_UNINTERRUPTIBLE } from '../../src/locks/sched.ts';
import { spin_lock_irqsave, spin_unlock_irqrestore } from '../../src/locks/spinlock.ts';
import {
  __add_wait_queue, add_wait_queue, add_wait_queue_exclusive, finish_wait, init_wait,
  init_wait_entry, init_waitqueue_entry, init_waitqueue_func_entry, init_waitqueue_head,
  prepare_to_wait, registerWakeFunction, wait_entry_list, wake_up, wake_up_locked,
  wake_up_locked_poll, waitqueue_active, wq_head, wq_lock, WQ_FLAG_EXCLUSIVE,
  WQ_FLAG_PRIORITY,
} from '../../src/locks/waitqueue.ts';
import { listOwners } from '../../src/queues/list.ts';
import { type Ctx } from '../../src/sim/context.ts';
import type { Machine, RunOutcome } from '../../src/sim/machine.ts';
import { load, store } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { global, kinds, machine, spinUntil, vars } from './helpers.ts';

const first = (): ChoicesScheduler => new ChoicesScheduler([]);

/** A wake function for these tests: records the key and returns `private`. */
const keys: number[] = [];
registerWakeFunction('test_key',
  function* (_c: Ctx, wait: number, _mode: number, _sync: number, key: number): Model<number> {
    keys.push(key);
    return (yield load(wait, 'private', 'test_key')) as number;
  });

/** Runs `body` as T0 on a 1-CPU machine with wait queue `wq` (after one real op). */
function runT0(body: (c: Ctx, m: Machine, wq: number) => Model<void>): RunOutcome {
  const m = machine(1);
  const v = vars(m);
  const wq = init_waitqueue_head(m, 'wq');
  m.addTask({
    name: 'T0', cpu: 0,
    body: function* (c: Ctx): Model<void> {
      yield load(v, 'v');
      yield* body(c, m, wq);
    },
  });
  return m.run(first());
}

const labels = (m: Machine, wq: number): string[] =>
  listOwners(m, wq_head(m, wq)).map((h) => m.arena.label(h));

describe('locks: waitqueue: WQ_FLAG_PRIORITY', () => {
  it('__add_wait_queue puts a new entry after the priority entries, before the others', () => {
    let order: string[] = [];
    const out = runT0(function* (c, m, wq) {
      const e = (l: string, flags: number): number => {
        const w = init_waitqueue_entry(m, c.task, l);
        m.memory.writeGlobal(w, 'flags', flags);
        return w;
      };
      const [p1, p2, a, b] = [e('p1', WQ_FLAG_PRIORITY), e('p2', WQ_FLAG_PRIORITY),
        e('a', 0), e('b', 0)];
      const f = yield* spin_lock_irqsave(c, wq_lock(m, wq));
      yield* __add_wait_queue(c, wq, a!);
      yield* __add_wait_queue(c, wq, p2!);
      yield* __add_wait_queue(c, wq, p1!);
      yield* __add_wait_queue(c, wq, b!);
      yield* spin_unlock_irqrestore(c, wq_lock(m, wq), f);
      order = labels(m, wq);
    });
    expect(out.violations).toEqual([]);
    // p2 went first (empty queue), p1 after it (p2 is a priority entry), b after both.
    expect(order).toEqual(['p2', 'p1', 'b', 'a']);
  });
});

describe('locks: waitqueue: wakeups', () => {
  it('autoremove_wake_function keeps the entry of a task that was already running', () => {
    const seen: unknown[] = [];
    const out = runT0(function* (c, _m, wq) {
      const wait = init_wait(c, 'wait');
      yield* add_wait_queue(c, wq, wait);
      // T0 is TASK_RUNNING: try_to_wake_up fails, the entry must stay queued.
      seen.push(yield* wake_up(c, wq), yield* waitqueue_active(c, wq));
    });
    expect(out.violations).toEqual([]);
    expect(seen).toEqual([0, true]);
  });

  it('wake_up_locked() / wake_up_locked_poll(): under the held lock, one exclusive, the key',
    () => {
      keys.length = 0;
      const seen: number[] = [];
      const out = runT0(function* (c, m, wq) {
        const e = (l: string, ret: number, flags: number): number => {
          const w = init_waitqueue_func_entry(m, 'test_key', ret, l);
          m.memory.writeGlobal(w, 'flags', flags);
          return w;
        };
        yield* add_wait_queue(c, wq, e('n', 1, 0));
        yield* add_wait_queue_exclusive(c, wq, e('x1', 1, WQ_FLAG_EXCLUSIVE));
        yield* add_wait_queue_exclusive(c, wq, e('x2', 1, WQ_FLAG_EXCLUSIVE));
        const f = yield* spin_lock_irqsave(c, wq_lock(m, wq));
        seen.push(yield* wake_up_locked(c, wq));
        seen.push(yield* wake_up_locked_poll(c, wq, 0x41));
        yield* spin_unlock_irqrestore(c, wq_lock(m, wq), f);
      });
      expect(out.violations).toEqual([]);
      // Each walk: n (non-exclusive), then x1 uses up the budget of one; x2 is never called.
      expect(keys).toEqual([0, 0, 0x41, 0x41]);
      expect(seen).toEqual([0, 0]);
    });

  it('wake_up_locked() without the lock is lock-not-held', () => {
    const out = runT0(function* (c, _m, wq) {
      c.fn = 'ep_poll_callback';
      yield* wake_up_locked(c, wq);
    });
    expect(kinds(out.violations)).toEqual(['P4-locking/lock-not-held']);
    expect(out.violations[0]!.message).toContain('lockdep_assert_held(wq.lock) failed: T0');
  });

  it('an entry whose wake function is not registered is a model error naming it', () => {
    const m = machine(1);
    const wq = init_waitqueue_head(m, 'wq');
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        const w = init_waitqueue_entry(m, c.task, 'w');
        m.arena.objs[w]!.func = 'no_such_wake_function';
        yield* add_wait_queue(c, wq, w);
        yield* wake_up(c, wq);
      },
    });
    expect(() => m.run(first()))
      .toThrow(/__wake_up_common: no wake function 'no_such_wake_function'/);
  });
});

describe('locks: waitqueue: finish_wait and init_wait_entry', () => {
  it('finish_wait after the wakeup unlinked the entry does not touch the (freed) head', () => {
    const m = machine(2);
    const wq = init_waitqueue_head(m, 'wq');
    const v = vars(m, { queued: 0 });
    const seen: unknown[] = [];
    m.addTask({
      name: 'W', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* spinUntil(v, 'queued', 1);
        // S's entry is not exclusive: no exclusive wakeup counted; autoremove unlinked it.
        seen.push(yield* wake_up(c, wq), yield* waitqueue_active(c, wq));
        // The last user of the head frees it (as wake_up_pollfree's callers do).
        c.m.free(c, wq, 'kfree');
      },
    });
    m.addTask({
      name: 'S', cpu: 1,
      body: function* (c: Ctx): Model<void> {
        const wait = init_wait(c, 'wait');
        yield* prepare_to_wait(c, wq, wait, TASK_UNINTERRUPTIBLE);
        yield store(v, 'queued', 1);
        yield* schedule(c);
        yield* finish_wait(c, wq, wait);
        seen.push(global(m, c.task, 'state'));
      },
    });
    const out = m.run(first());
    expect(out.violations).toEqual([]);
    expect(out.status).toBe('done');
    expect(seen).toEqual([0, false, TASK_RUNNING]);
  });

  it('init_wait_entry() re-arms an entry for the current task, unlinked', () => {
    const seen: unknown[] = [];
    let task = 0;
    const out = runT0(function* (c, m) {
      task = c.task;
      const w = init_waitqueue_func_entry(m, 'test_key', 7, 'w');
      const entry = wait_entry_list(m, w);
      m.memory.writeGlobal(entry, 'next', 0);
      yield* init_wait_entry(c, w, WQ_FLAG_EXCLUSIVE);
      seen.push(m.arena.objs[w]!.func, global(m, w, 'flags'), global(m, w, 'private'),
        global(m, entry, 'next') === entry, global(m, entry, 'prev') === entry);
    });
    expect(out.violations).toEqual([]);
    expect(seen).toEqual(['autoremove_wake_function', WQ_FLAG_EXCLUSIVE, task, true, true]);
  });
});

describe('locks: waitqueue: lock classes', () => {
  it('two heads of one class: holding both locks is recursion on the class', () => {
    const m = machine(1);
    const a = init_waitqueue_head(m, 'ep1.wq', 'ep->wq.lock');
    const b = init_waitqueue_head(m, 'ep2.wq', 'ep->wq.lock');
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        const fa = yield* spin_lock_irqsave(c, wq_lock(m, a));
        const fb = yield* spin_lock_irqsave(c, wq_lock(m, b));
        yield* spin_unlock_irqrestore(c, wq_lock(m, b), fb);
        yield* spin_unlock_irqrestore(c, wq_lock(m, a), fa);
      },
    });
    const out = m.run(first());
    expect(kinds(out.violations)).toEqual(['P4-locking/recursive-locking']);
    expect(out.violations[0]!.message).toContain('while already holding ep->wq.lock');
  });
});
