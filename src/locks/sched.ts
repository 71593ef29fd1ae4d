/**
 * kernel/sched/core.c, include/linux/sched.h, kernel/time/sleep_timeout.c @ v6.18: the
 * sleep/wake protocol, reduced to what wait queues and sleeping locks need.
 *
 * A task sleeps only through `set_current_state(); <check>; schedule()`. schedule() does
 * not sleep if the state is back to TASK_RUNNING (a waker got there first) or if the task
 * is TASK_INTERRUPTIBLE with a signal pending. try_to_wake_up() is a full barrier, tests the
 * state against the mask and makes the task runnable; that pairing is what makes a lost
 * wakeup impossible when the protocol is followed, and a task asleep forever when it is not.
 *
 * LOCKING: `task_struct.state` is written by its task (set_current_state: xchg, a full
 * barrier; __set_current_state: a plain store that may be buffered under TSO) and by wakers
 * under p->pi_lock (a locked op: here one custom step that drains and writes memory).
 * schedule() takes the runqueue lock (drains this CPU's buffer) before reading the state.
 */
import type { Ctx, HrTimer, MachineAccess } from '../sim/context.ts';
import {
  SLEEPING, TASK_INTERRUPTIBLE, TASK_RUNNING, TASK_UNINTERRUPTIBLE,
} from '../sim/context.ts';
import { load, READ_ONCE, store, WRITE_ONCE, xchg } from '../sim/mem.ts';
import { custom, type CustomOp, type Model, type Op } from '../sim/op.ts';
import { lockdep_sleep_check } from './lockdep-context.ts';

export { TASK_INTERRUPTIBLE, TASK_RUNNING, TASK_UNINTERRUPTIBLE } from '../sim/context.ts';

/** `TASK_NORMAL`: the mask of wake_up() and wake_up_process(). */
export const TASK_NORMAL = TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE;
/** `EINTR`. */
export const EINTR = 4;

/** `set_current_state(state)`: smp_store_mb(current->__state, state), an xchg on x86. */
export function* set_current_state(c: Ctx, state: number): Model<void> {
  yield xchg(c.task, 'state', state, 'set_current_state');
}

/** `__set_current_state(state)`: a plain store, no barrier. */
export function* __set_current_state(c: Ctx, state: number): Model<void> {
  yield WRITE_ONCE(c.task, 'state', state, '__set_current_state');
}

/** `might_sleep()`: reports sleeping in atomic context (P4); not a step. */
export function might_sleep(c: Ctx, op: string): void {
  lockdep_sleep_check(c, op);
}

const SCHEDULE: CustomOp = {
  name: 'schedule',
  footprint: 'object',
  exec(m: MachineAccess, c: Ctx): number {
    // A hardirq cannot sleep; schedule() already reported it. Never park an IRQ context.
    // Stryker disable next-line ConditionalExpression: reported first; the run ends after this step
    if (c.irq) return 0;
    m.memory.drain(c.cpu);
    const state = m.memory.readGlobal(c.task, 'state');
    if (state === TASK_RUNNING) return 0;
    if (state === TASK_INTERRUPTIBLE && m.memory.readGlobal(c.task, 'sigpending') !== 0) {
      // signal_pending_state(): do not sleep, become runnable again.
      m.memory.writeGlobal(c.task, 'state', TASK_RUNNING);
      return 0;
    }
    c.status = SLEEPING;
    return 0;
  },
};

/**
 * `schedule()`: sleeps unless the task is TASK_RUNNING again or interruptible with a signal
 * pending. Reports scheduling while atomic (hardirq, IRQs off, a spinlock or rwlock held).
 */
export function* schedule(c: Ctx): Model<void> {
  lockdep_sleep_check(c, 'schedule');
  yield custom(SCHEDULE, c.task, 0, 0, 'schedule');
}

const TTWU: CustomOp = {
  name: 'try_to_wake_up',
  footprint: 'object',
  exec(m: MachineAccess, c: Ctx, o: Op): number {
    // raw_spin_lock_irqsave(&p->pi_lock) + smp_mb__after_spinlock(): a full barrier.
    m.memory.drain(c.cpu);
    const state = m.memory.readGlobal(o.h, 'state') as number;
    if ((state & (o.v as number)) === 0) return 0;
    m.memory.writeGlobal(o.h, 'state', TASK_RUNNING);
    m.wakeTask(o.h);
    return 1;
  },
};

/** `try_to_wake_up(p, state, wake_flags)`: 1 if `task` was in `stateMask` and is woken. */
export function* try_to_wake_up(_c: Ctx, task: number, stateMask: number): Model<number> {
  return (yield custom(TTWU, task, stateMask, 0, 'try_to_wake_up')) as number;
}

/** `wake_up_process(p)`: try_to_wake_up(p, TASK_NORMAL, 0). */
export function* wake_up_process(c: Ctx, task: number): Model<number> {
  return yield* try_to_wake_up(c, task, TASK_NORMAL);
}

/** `signal_pending(current)`: test of TIF_SIGPENDING. */
export function* signal_pending(c: Ctx): Model<boolean> {
  return (yield READ_ONCE(c.task, 'sigpending', 'signal_pending')) !== 0;
}

/** kernel/time/hrtimer.c: hrtimer_wakeup(), the hardirq callback of a sleeper's timer. */
function* hrtimer_wakeup(c: Ctx, sleeper: number): Model<number> {
  const task = (yield load(sleeper, 'task', 'hrtimer_wakeup')) as number;
  yield store(sleeper, 'task', 0, 'hrtimer_wakeup');
  // Stryker disable next-line ConditionalExpression: fires once, for a task (a hardirq cancels)
  if (task !== 0) yield* wake_up_process(c, task);
  return 0;
}

/** hrtimer_cancel(): waits for a running callback, then disarms. */
const HRTIMER_CANCEL: CustomOp = {
  name: 'hrtimer_cancel',
  enabled: (_m: MachineAccess, _c: Ctx, o: Op) => !(o.v as HrTimer).running,
  exec(m: MachineAccess, _c: Ctx, o: Op): number {
    return m.timerCancel(o.v as HrTimer) ? 1 : 0;
  },
  waitReason: () => 'waiting in hrtimer_cancel for the running callback',
};

/**
 * `schedule_hrtimeout_range(&expires, delta, HRTIMER_MODE_REL)`: sleeps (after the caller
 * set its state) until woken or until `ns` from now. Returns 0 when the timer fired (timed
 * out) and -EINTR otherwise. `ns === Infinity` is a plain schedule(); `ns <= 0` returns 0
 * at once in TASK_RUNNING.
 */
export function* schedule_hrtimeout_range(c: Ctx, ns: number): Model<number> {
  const m = c.m;
  if (ns === Infinity) {
    yield* schedule(c);
    return -EINTR;
  }
  if (ns <= 0) {
    yield* __set_current_state(c, TASK_RUNNING);
    return 0;
  }
  // The hrtimer_sleeper lives on the stack (never freed: see mutex.ts on stack objects).
  const t = m.alloc('hrtimer_sleeper', { task: c.task });
  const timer = m.timerStart(c, 'hrtimer_wakeup', m.now + ns, (ic) => hrtimer_wakeup(ic, t));
  if (((yield load(t, 'task', 'schedule_hrtimeout_range')) as number) !== 0) {
    yield* schedule(c);
  }
  yield custom(HRTIMER_CANCEL, t, timer, 0, 'schedule_hrtimeout_range');
  yield* __set_current_state(c, TASK_RUNNING);
  const left = (yield load(t, 'task', 'schedule_hrtimeout_range')) as number;
  return left === 0 ? 0 : -EINTR;
}
