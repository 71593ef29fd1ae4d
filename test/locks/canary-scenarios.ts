/**
 * The planted-bug scenarios of canaries.spec.ts, each with its correct twin. Every function
 * runs one seed and returns what the canary checks.
 */
import { mutex_init, mutex_lock, mutex_unlock, mutex_wait_list } from '../../src/locks/mutex.ts';
import { read_lock, read_unlock, rwlock_init, write_lock_irq, write_unlock_irq }
  from '../../src/locks/rwlock.ts';
import { __set_current_state, schedule, TASK_UNINTERRUPTIBLE } from '../../src/locks/sched.ts';
import { spin_lock, spin_lock_init, spin_lock_irq, spin_unlock, spin_unlock_irq }
  from '../../src/locks/spinlock.ts';
import {
  add_wait_queue, finish_wait, init_wait, init_waitqueue_entry, init_waitqueue_head,
  prepare_to_wait, remove_wait_queue, wake_up,
} from '../../src/locks/waitqueue.ts';
import { SLEEPING, type Ctx } from '../../src/sim/context.ts';
import type { RunOutcome } from '../../src/sim/machine.ts';
import { atomic_add_return, load, READ_ONCE, store, WRITE_ONCE } from '../../src/sim/mem.ts';
import type { MemoryMode } from '../../src/sim/memory.ts';
import type { Model } from '../../src/sim/op.ts';
import { global, increment, machine, runRandom, vars } from './helpers.ts';

/**
 * The proper sleep protocol: prepare_to_wait (queue, then set the state), test `v.cond`,
 * schedule; finish_wait. Shared by the lost-wakeup canary and the TSO wakeup tests.
 */
export function* waitForCond(c: Ctx, wq: number, v: number): Model<void> {
  const wait = init_wait(c);
  for (;;) {
    yield* prepare_to_wait(c, wq, wait, TASK_UNINTERRUPTIBLE);
    if (((yield READ_ONCE(v, 'cond')) as number) !== 0) break;
    yield* schedule(c);
  }
  yield* finish_wait(c, wq, wait);
}

/** Canary 2: a waiter asleep forever at quiescence while its condition is true. */
export function lostWakeup(seed: number, buggy: boolean, mode: MemoryMode = 'sc'): boolean {
  const m = machine(2, mode, seed);
  const wq = init_waitqueue_head(m, 'wq');
  const v = vars(m, { cond: 0 });
  const waiter = m.addTask({
    name: 'waiter', cpu: 0,
    body: buggy
      ? function* (c: Ctx): Model<void> {
        // BUG: tests the condition before queueing, and sets its state after queueing.
        const wait = init_waitqueue_entry(m, c.task);
        if (((yield READ_ONCE(v, 'cond')) as number) === 0) {
          yield* add_wait_queue(c, wq, wait);
          yield* __set_current_state(c, TASK_UNINTERRUPTIBLE);
          yield* schedule(c);
        }
        yield* remove_wait_queue(c, wq, wait);
      }
      : (c: Ctx) => waitForCond(c, wq, v),
  });
  m.addTask({
    name: 'waker', cpu: 1,
    body: function* (c: Ctx): Model<void> {
      yield WRITE_ONCE(v, 'cond', 1);
      yield* wake_up(c, wq);
    },
  });
  const out = runRandom(m);
  if (out.violations.length > 0) throw new Error(out.violations[0]!.message);
  return out.status === 'quiescent' && waiter.status === SLEEPING && global(m, v, 'cond') === 1;
}

/** Canary 4: the same lock in process context and in a hardirq on the same CPU. */
export function irqUnsafe(seed: number, buggy: boolean, mode: MemoryMode = 'sc'): RunOutcome {
  const m = machine(2, mode, seed);
  const l = spin_lock_init(m, 'dev.lock');
  const v = vars(m);
  for (let cpu = 0; cpu < 2; cpu++) {
    m.addTask({
      name: `T${cpu}`, cpu,
      body: function* (c: Ctx): Model<void> {
        for (let k = 0; k < 2; k++) {
          // BUG when plain spin_lock: an interrupt on this CPU can take the lock too.
          yield* (buggy ? spin_lock(c, l) : spin_lock_irq(c, l));
          yield* increment(v);
          yield* (buggy ? spin_unlock(c, l) : spin_unlock_irq(c, l));
        }
      },
    });
  }
  m.addIrqSource({
    name: 'dev-irq', cpu: 0, count: 2,
    handler: function* (c: Ctx): Model<void> {
      yield* spin_lock(c, l);
      yield* increment(v);
      yield* spin_unlock(c, l);
    },
  });
  return runRandom(m);
}

/**
 * Canary 5 (B11): readers on three CPUs with overlapping sections keep a write_lock_irq
 * waiting. `irqReaders`: they are hardirqs, which qrwlock lets pass a waiting writer; else
 * they are tasks, which queue behind it.
 */
export function starvation(seed: number, irqReaders: boolean, bypassMax = 8,
  mode: MemoryMode = 'sc'): RunOutcome {
  const m = machine(4, mode, seed, { bypassMax });
  const l = rwlock_init(m, 'ep.lock');
  const v = vars(m);
  m.addTask({
    name: 'writer', cpu: 0,
    body: function* (c: Ctx): Model<void> {
      yield* write_lock_irq(c, l);
      yield* increment(v);
      yield* write_unlock_irq(c, l);
    },
  });
  const reader = function* (c: Ctx): Model<void> {
    yield* read_lock(c, l);
    for (let k = 0; k < 3; k++) yield load(v, 'v', 'reader');
    yield* read_unlock(c, l);
  };
  for (let cpu = 1; cpu < 4; cpu++) {
    if (irqReaders) {
      m.addIrqSource({ name: `nic${cpu}`, cpu, count: 12, handler: reader });
    } else {
      m.addTask({
        name: `R${cpu}`, cpu,
        body: function* (c: Ctx): Model<void> {
          for (let k = 0; k < 12; k++) yield* reader(c);
        },
      });
    }
  }
  return runRandom(m);
}

/**
 * Canary 6 (B15): two users of an object drop their reference under its mutex; the last
 * one frees it. `buggy`: the "last" decision is made under the mutex and the free follows
 * the unlock, while the previous holder may still be inside mutex_unlock. Fixed: each user
 * drops its reference with an atomic after its own mutex_unlock has returned.
 */
export function mutexUseAfterFree(seed: number, buggy: boolean, mode: MemoryMode = 'sc',
  users = 2): RunOutcome {
  const m = machine(users, mode, seed);
  const obj = m.alloc('obj', { users, data: 0 }, 'obj');
  const mu = mutex_init(m, 'obj.mutex');
  const kfreeObj = (c: Ctx): void => {
    c.fn = 'obj_put';
    m.free(c, mutex_wait_list(m, mu));
    m.free(c, mu);
    m.free(c, obj);
  };
  const user = function* (c: Ctx): Model<void> {
    yield* mutex_lock(c, mu);
    yield* increment(obj, 'data');
    if (buggy) {
      const users = ((yield load(obj, 'users')) as number) - 1;
      yield store(obj, 'users', users);
      yield* mutex_unlock(c, mu);
      if (users === 0) kfreeObj(c);
    } else {
      yield* mutex_unlock(c, mu);
      if (((yield atomic_add_return(obj, 'users', -1)) as number) === 0) kfreeObj(c);
    }
  };
  for (let i = 0; i < users; i++) m.addTask({ name: `T${i}`, cpu: i, body: user });
  return runRandom(m);
}
