import { describe, expect, it } from 'vitest';
import {
  EINTR, schedule, schedule_hrtimeout_range, set_current_state, signal_pending,
  TASK_INTERRUPTIBLE, TASK_RUNNING, TASK_UNINTERRUPTIBLE, try_to_wake_up, wake_up_process,
} from '../../src/locks/sched.ts';
import { spin_lock, spin_lock_init, spin_unlock } from '../../src/locks/spinlock.ts';
import { local_irq_disable, local_irq_enable } from '../../src/locks/irq.ts';
import { DONE, SLEEPING, type Ctx } from '../../src/sim/context.ts';
import { READ_ONCE, WRITE_ONCE } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { global, kinds, machine, runRandom, spinUntil, vars } from './helpers.ts';

describe('locks: sched: sleep and wake', () => {
  it('set_current_state + schedule sleeps until wake_up_process, which returns 1', () => {
    const m = machine(2);
    const v = vars(m, { queued: 0 });
    const woke: number[] = [];
    const sleeper = m.addTask({
      name: 'S', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* set_current_state(c, TASK_UNINTERRUPTIBLE);
        yield WRITE_ONCE(v, 'queued', 1);
        yield* schedule(c);
      },
    });
    m.addTask({
      name: 'W', cpu: 1,
      body: function* (c: Ctx): Model<void> {
        yield* spinUntil(v, 'queued', 1);
        woke.push(yield* wake_up_process(c, sleeper.task));
        woke.push(yield* wake_up_process(c, sleeper.task));
      },
    });
    const out = runRandom(m);
    expect(out.status).toBe('done');
    expect(woke).toEqual([1, 0]);
    expect(global(m, sleeper.task, 'state')).toBe(TASK_RUNNING);
  });

  it('a wakeup before schedule() makes schedule() return at once (state back to RUNNING)', () => {
    for (let seed = 0; seed < 50; seed++) {
      const m = machine(2, 'tso', seed);
      const sleeper = m.addTask({
        name: 'S', cpu: 0,
        body: function* (c: Ctx): Model<void> {
          yield* set_current_state(c, TASK_UNINTERRUPTIBLE);
          yield* schedule(c);
        },
      });
      m.addTask({
        name: 'W', cpu: 1,
        body: function* (c: Ctx): Model<void> {
          // Retry until the state test succeeds: then the sleeper must end.
          while ((yield* try_to_wake_up(c, sleeper.task, TASK_UNINTERRUPTIBLE)) === 0) {
            if (sleeper.status === DONE) return;
          }
        },
      });
      const out = runRandom(m);
      expect(out.status).toBe('done');
    }
  });

  it('try_to_wake_up only wakes states in its mask', () => {
    const m = machine(2);
    const v = vars(m, { queued: 0 });
    const got: number[] = [];
    const s = m.addTask({
      name: 'S', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* set_current_state(c, TASK_UNINTERRUPTIBLE);
        yield WRITE_ONCE(v, 'queued', 1);
        yield* schedule(c);
      },
    });
    m.addTask({
      name: 'W', cpu: 1,
      body: function* (c: Ctx): Model<void> {
        yield* spinUntil(v, 'queued', 1);
        got.push(yield* try_to_wake_up(c, s.task, TASK_INTERRUPTIBLE));
      },
    });
    const out = runRandom(m);
    expect(got).toEqual([0]);
    expect(out.status).toBe('quiescent');
    expect(s.status).toBe(SLEEPING);
  });

  it('a signal wakes an interruptible sleeper (signal_pending), not an uninterruptible one',
    () => {
      for (const state of [TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE]) {
        for (let seed = 0; seed < 20; seed++) {
          const m = machine(1, 'sc', seed);
          let pending = false;
          const t = m.addTask({
            name: 'S', cpu: 0,
            body: function* (c: Ctx): Model<void> {
              yield* set_current_state(c, state);
              yield* schedule(c);
              pending = yield* signal_pending(c);
            },
          });
          m.addSignal(t, 1);
          const out = runRandom(m);
          if (state === TASK_INTERRUPTIBLE) {
            expect(out.status).toBe('done');
            expect(pending).toBe(true);
          } else {
            // TASK_UNINTERRUPTIBLE ignores signals: asleep for ever.
            expect(out.status).toBe('quiescent');
            expect(t.status).toBe(SLEEPING);
          }
        }
      }
    });
});

describe('locks: sched: schedule_hrtimeout_range', () => {
  it('times out (returns 0) when nobody wakes the task', () => {
    const m = machine(1);
    let r = -1;
    m.addTask({
      name: 'S', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* set_current_state(c, TASK_INTERRUPTIBLE);
        r = yield* schedule_hrtimeout_range(c, 5_000_000);
      },
    });
    const out = runRandom(m);
    expect(out.status).toBe('done');
    expect(r).toBe(0);
    expect(out.time).toBe(5_000_000);
  });

  it('returns -EINTR when woken before the timer fires, 0 when the timer won', () => {
    const results = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const m = machine(2, 'sc', seed);
      const v = vars(m, { armed: 0 });
      let r = 1;
      const s = m.addTask({
        name: 'S', cpu: 0,
        body: function* (c: Ctx): Model<void> {
          yield* set_current_state(c, TASK_INTERRUPTIBLE);
          yield WRITE_ONCE(v, 'armed', 1);
          r = yield* schedule_hrtimeout_range(c, 1_000);
        },
      });
      m.addTask({
        name: 'W', cpu: 1,
        body: function* (c: Ctx): Model<void> {
          yield* spinUntil(v, 'armed', 1);
          yield* wake_up_process(c, s.task);
        },
      });
      const out = runRandom(m);
      expect(out.violations).toEqual([]);
      expect(out.status).toBe('done');
      expect([0, -EINTR]).toContain(r);
      results.add(r);
    }
    expect([...results].sort()).toEqual([-EINTR, 0]);
  });

  it('Infinity is a plain schedule() (asleep for ever); 0 returns at once', () => {
    const m = machine(1);
    let r = 1;
    const s = m.addTask({
      name: 'S', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* set_current_state(c, TASK_INTERRUPTIBLE);
        r = yield* schedule_hrtimeout_range(c, 0);
        yield* set_current_state(c, TASK_INTERRUPTIBLE);
        yield* schedule_hrtimeout_range(c, Infinity);
      },
    });
    const out = m.run(new ChoicesScheduler([]));
    expect(r).toBe(0);
    expect(out.status).toBe('quiescent');
    expect(s.status).toBe(SLEEPING);
  });
});

describe('locks: sched: scheduling while atomic', () => {
  it('schedule() holding a spinlock names the lock and where it was taken', () => {
    const m = machine(1);
    const l = spin_lock_init(m, 'ep.lock');
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        c.fn = 'ep_poll';
        yield* spin_lock(c, l);
        yield* schedule(c);
        yield* spin_unlock(c, l);
      },
    });
    const out = runRandom(m);
    expect(kinds(out.violations)).toEqual(['P4-locking/sleep-in-atomic']);
    const msg = out.violations[0]!.message;
    expect(msg).toMatch(/T0 \(cpu0\) calls schedule in ep_poll at step \d+ while holding ep\.lock/);
    expect(msg).toMatch(/taken by T0 \(cpu0\) spin_lock\(ep\.lock\) in ep_poll/);
  });

  it('schedule() with interrupts disabled, and in a hardirq, are reported', () => {
    const m = machine(1);
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield READ_ONCE(c.task, 'state');
        local_irq_disable(c);
        yield* schedule(c);
        local_irq_enable(c);
      },
    });
    expect(runRandom(m).violations[0]!.message).toContain('with interrupts disabled');
    const m2 = machine(1);
    m2.addIrqSource({ name: 'irq', cpu: 0, count: 1, handler: (c: Ctx) => schedule(c) });
    expect(runRandom(m2).violations[0]!.message).toContain('in hardirq context');
  });
});
