/**
 * schedule_hrtimeout_range() on deterministic schedules (traced): a timeout sleeps until
 * the timer fires; a wakeup first returns -EINTR and cancels the timer, which must not wake
 * a later sleep; a timer that fired before the task checked means no schedule(); Infinity
 * is a plain schedule() and 0 returns at once, neither touching a timer.
 */
import { describe, expect, it } from 'vitest';
import {
  EINTR, schedule, schedule_hrtimeout_range, set_current_state, TASK_INTERRUPTIBLE,
  TASK_RUNNING, TASK_UNINTERRUPTIBLE, try_to_wake_up,
} from '../../src/locks/sched.ts';
import { SLEEPING, type Ctx } from '../../src/sim/context.ts';
import { Machine, type RunOutcome } from '../../src/sim/machine.ts';
import type { Model } from '../../src/sim/op.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { global } from './helpers.ts';

interface Run { out: RunOutcome; r: number; s: Ctx; m: Machine }

/**
 * S sleeps interruptibly in schedule_hrtimeout_range(ns), then (with `after`) sleeps again
 * uninterruptibly with no timeout. With `waker`, W wakes S's first sleep once it can.
 */
function sleeper(ns: number, waker: boolean, after: boolean, choices: number[] = []): Run {
  const m = new Machine({ ncpu: 2, memory: 'sc', seed: 0, trace: true });
  let r = 1;
  const s = m.addTask({
    name: 'S', cpu: 0,
    body: function* (c: Ctx): Model<void> {
      yield* set_current_state(c, TASK_INTERRUPTIBLE);
      r = yield* schedule_hrtimeout_range(c, ns);
      if (after) {
        yield* set_current_state(c, TASK_UNINTERRUPTIBLE);
        yield* schedule(c);
      }
    },
  });
  if (waker) {
    m.addTask({
      name: 'W', cpu: 1,
      body: function* (c: Ctx): Model<void> {
        while ((yield* try_to_wake_up(c, s.task, TASK_INTERRUPTIBLE)) === 0) { /* retry */ }
      },
    });
  }
  const out = m.run(new ChoicesScheduler(choices));
  expect(out.violations).toEqual([]);
  return { out, r, s, m };
}

const opsOf = (out: RunOutcome, who: string): string[] =>
  out.trace!.filter((e) => e.who === who).map((e) => e.op);

describe('locks: sched: schedule_hrtimeout_range', () => {
  it('nobody wakes the task: it sleeps until the timer fires and returns 0', () => {
    const { out, r, s, m } = sleeper(5_000, false, false);
    expect(out.status).toBe('done');
    expect(r).toBe(0);
    expect(out.time).toBe(5_000);
    expect(opsOf(out, 'S')).toContain('schedule');
    expect(global(m, s.task, 'state')).toBe(TASK_RUNNING);
  });

  it('woken first: -EINTR, and the cancelled timer does not wake the next sleep', () => {
    const { out, r, s } = sleeper(5_000, true, true);
    expect(r).toBe(-EINTR);
    expect(out.status).toBe('quiescent');
    expect(s.status).toBe(SLEEPING);
    expect(out.trace!.some((e) => e.fn === 'hrtimer_wakeup')).toBe(false);
  });

  it('the timer fired before the task checked: no schedule(), returns 0', () => {
    // The first real choice is between S's check and the timer: take the timer.
    const { out, r } = sleeper(5_000, false, false, [1]);
    expect(r).toBe(0);
    expect(out.trace!.some((e) => e.fn === 'hrtimer_wakeup')).toBe(true);
    expect(opsOf(out, 'S')).not.toContain('schedule');
  });

  it('Infinity is a plain schedule(): woken, it returns -EINTR; no timer, no check', () => {
    const { out, r } = sleeper(Infinity, true, false);
    expect(out.status).toBe('done');
    expect(r).toBe(-EINTR);
    expect(opsOf(out, 'S')).toContain('schedule');
    expect(out.trace!.filter((e) => e.fn === 'schedule_hrtimeout_range')).toEqual([]);
  });

  it('0 returns 0 at once, in TASK_RUNNING, without sleeping or arming a timer', () => {
    const { out, r, s, m } = sleeper(0, false, false);
    expect(out.status).toBe('done');
    expect(r).toBe(0);
    expect(opsOf(out, 'S')).not.toContain('schedule');
    expect(out.trace!.some((e) => e.fn === 'hrtimer_wakeup')).toBe(false);
    expect(global(m, s.task, 'state')).toBe(TASK_RUNNING);
  });
});
