import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schedule, TASK_UNINTERRUPTIBLE } from '../../src/locks/sched.ts';
import { spin_lock_irqsave, spin_unlock_irqrestore } from '../../src/locks/spinlock.ts';
import {
  __add_wait_queue_exclusive, __wake_up, __wake_up_common, add_wait_queue,
  add_wait_queue_exclusive, finish_wait, init_wait, init_waitqueue_entry,
  init_waitqueue_func_entry, init_waitqueue_head, prepare_to_wait, prepare_to_wait_exclusive,
  registerWakeFunction, remove_wait_queue, wake_up, wake_up_all, waitqueue_active,
  wq_has_sleeper,
  wq_head, wq_lock, WQ_FLAG_EXCLUSIVE,
} from '../../src/locks/waitqueue.ts';
import { checkList, list_entry, listOwners } from '../../src/queues/list.ts';
import { SLEEPING, type Ctx, type MachineAccess } from '../../src/sim/context.ts';
import { waitForCond } from './canary-scenarios.ts';
import { atomic_add_return, cmpxchg, load, READ_ONCE, WRITE_ONCE } from '../../src/sim/mem.ts';
import type { MemoryMode } from '../../src/sim/memory.ts';
import type { Model } from '../../src/sim/op.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import type { Scheduler } from '../../src/sim/scheduler.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import {
  failingSeeds, global, kinds, LazyDrainScheduler, machine, runRandom, spinUntil, vars,
} from './helpers.ts';

/** A wake function for tests: records (entry label, key) and returns `private`. */
const calls: string[] = [];
registerWakeFunction('test_record',
  function* (c: Ctx, wait: number, _mode: number, _sync: number, key: number): Model<number> {
    calls.push(`${c.m.arena.label(wait)}:${key.toString(16)}`);
    return (yield load(wait, 'private', 'test_record')) as number;
  });

describe('locks: waitqueue: queue order', () => {
  it('non-exclusive at the head, exclusive at the tail, __add_wait_queue_exclusive at the head',
    () => {
      const m = machine(1);
      const wq = init_waitqueue_head(m, 'wq');
      let order: number[] = [];
      m.addTask({
        name: 'T0', cpu: 0,
        body: function* (c: Ctx): Model<void> {
          const e = (l: string) => init_waitqueue_entry(m, c.task, l);
          const [a, b, x1, x2, y] = [e('a'), e('b'), e('x1'), e('x2'), e('y')];
          yield* add_wait_queue(c, wq, a);
          yield* add_wait_queue_exclusive(c, wq, x1);
          yield* add_wait_queue_exclusive(c, wq, x2);
          yield* add_wait_queue(c, wq, b);
          const f = yield* spin_lock_irqsave(c, wq_lock(m, wq));
          yield* __add_wait_queue_exclusive(c, wq, y);
          yield* spin_unlock_irqrestore(c, wq_lock(m, wq), f);
          order = listOwners(m, wq_head(m, wq));
          expect(global(m, y, 'flags')).toBe(WQ_FLAG_EXCLUSIVE);
          expect(global(m, a, 'flags')).toBe(0);
        },
      });
      expect(runRandom(m).violations).toEqual([]);
      expect(order.map((h) => m.arena.label(h))).toEqual(['y', 'b', 'a', 'x1', 'x2']);
    });

  it('remove_wait_queue unlinks an entry from the middle of the queue', () => {
    const m = machine(1);
    const wq = init_waitqueue_head(m, 'wq');
    let order: string[] = [];
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        const [a, b, x] = ['a', 'b', 'x'].map((l) => init_waitqueue_entry(m, c.task, l));
        for (const w of [x, b, a]) yield* add_wait_queue(c, wq, w!);
        yield* remove_wait_queue(c, wq, b!);
        order = listOwners(m, wq_head(m, wq)).map((h) => m.arena.label(h));
        expect(checkList(m, wq_head(m, wq))).toBeUndefined();
        expect(yield* waitqueue_active(c, wq)).toBe(true);
      },
    });
    expect(runRandom(m).violations).toEqual([]);
    expect(order).toEqual(['a', 'x']);
  });

  it('prepare_to_wait adds an entry at the head once; queued in the middle, it stays there ' +
    'and stops being exclusive', () => {
    const m = machine(1);
    const wq = init_waitqueue_head(m, 'wq');
    const orders: string[][] = [];
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        const [a, x, b] = ['a', 'x', 'b'].map((l) => init_wait(c, l));
        yield* add_wait_queue(c, wq, b!);
        yield* add_wait_queue_exclusive(c, wq, x!);
        yield* prepare_to_wait(c, wq, a!, TASK_UNINTERRUPTIBLE);
        orders.push(listOwners(m, wq_head(m, wq)).map((h) => m.arena.label(h)));
        expect(global(m, x!, 'flags')).toBe(WQ_FLAG_EXCLUSIVE);
        // x sits between b and nothing; a at the head: re-preparing x and a adds nothing.
        yield* prepare_to_wait(c, wq, x!, TASK_UNINTERRUPTIBLE);
        yield* prepare_to_wait(c, wq, a!, TASK_UNINTERRUPTIBLE);
        orders.push(listOwners(m, wq_head(m, wq)).map((h) => m.arena.label(h)));
        expect(global(m, x!, 'flags')).toBe(0);
        yield* finish_wait(c, wq, b!);
        orders.push(listOwners(m, wq_head(m, wq)).map((h) => m.arena.label(h)));
        yield* finish_wait(c, wq, a!);
        yield* finish_wait(c, wq, x!);
      },
    });
    expect(runRandom(m).violations).toEqual([]);
    expect(orders).toEqual([['a', 'b', 'x'], ['a', 'b', 'x'], ['a', 'x']]);
  });

  it('prepare_to_wait_exclusive queues at the tail and says whether the queue was empty', () => {
    const m = machine(1);
    const wq = init_waitqueue_head(m, 'wq');
    const seen: boolean[] = [];
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        const w1 = init_wait(c, 'w1');
        const w2 = init_wait(c, 'w2');
        seen.push(yield* prepare_to_wait_exclusive(c, wq, w1, TASK_UNINTERRUPTIBLE));
        seen.push(yield* prepare_to_wait_exclusive(c, wq, w2, TASK_UNINTERRUPTIBLE));
        seen.push(yield* prepare_to_wait_exclusive(c, wq, w2, TASK_UNINTERRUPTIBLE));
        expect(listOwners(m, wq_head(m, wq)).map((h) => m.arena.label(h))).toEqual(['w1', 'w2']);
        yield* finish_wait(c, wq, w1);
        yield* finish_wait(c, wq, w2);
        seen.push(yield* waitqueue_active(c, wq));
      },
    });
    expect(runRandom(m).violations).toEqual([]);
    expect(seen).toEqual([true, false, false, false]);
  });
});

/** Queue [n1, x1, x2, x3] of test_record entries returning `rets`; runs one __wake_up. */
function walk(nr: number, rets: [number, number, number, number]): { calls: string[], n: number } {
  const m = machine(1);
  const wq = init_waitqueue_head(m, 'wq');
  let n = -1;
  m.addTask({
    name: 'T0', cpu: 0,
    body: function* (c: Ctx): Model<void> {
      const e = (l: string, r: number) => init_waitqueue_func_entry(m, 'test_record', r, l);
      yield* add_wait_queue_exclusive(c, wq, e('x1', rets[1]));
      yield* add_wait_queue_exclusive(c, wq, e('x2', rets[2]));
      yield* add_wait_queue_exclusive(c, wq, e('x3', rets[3]));
      yield* add_wait_queue(c, wq, e('n1', rets[0]));
      calls.length = 0;
      n = yield* __wake_up(c, wq, TASK_UNINTERRUPTIBLE, nr, 0x41);
    },
  });
  expect(runRandom(m).violations).toEqual([]);
  return { calls: calls.slice(), n };
}

describe('locks: waitqueue: __wake_up_common', () => {
  it('wakes every non-exclusive entry and stops after nr_exclusive successful exclusive ones',
    () => {
      expect(walk(1, [1, 1, 1, 1])).toEqual({ calls: ['n1:41', 'x1:41'], n: 1 });
      expect(walk(2, [1, 1, 1, 1])).toEqual({ calls: ['n1:41', 'x1:41', 'x2:41'], n: 2 });
      expect(walk(0, [1, 1, 1, 1]).calls).toEqual(['n1:41', 'x1:41', 'x2:41', 'x3:41']);
    });

  it('an entry returning 0 does not use up the budget; a negative return stops the walk', () => {
    expect(walk(1, [1, 0, 1, 1])).toEqual({ calls: ['n1:41', 'x1:41', 'x2:41'], n: 1 });
    expect(walk(1, [1, 0, 0, 0])).toEqual({ calls: ['n1:41', 'x1:41', 'x2:41', 'x3:41'], n: 0 });
    expect(walk(1, [1, -1, 1, 1]).calls).toEqual(['n1:41', 'x1:41']);
    // With budget to spare, only the negative return can stop the walk there.
    expect(walk(0, [1, -1, 1, 1]).calls).toEqual(['n1:41', 'x1:41']);
    expect(walk(3, [1, 1, -1, 1]).calls).toEqual(['n1:41', 'x1:41', 'x2:41']);
    expect(walk(0, [-1, 1, 1, 1]).calls).toEqual(['n1:41']);
  });

  it('__wake_up_common without the queue lock fails lockdep_assert_held', () => {
    const m = machine(1);
    const wq = init_waitqueue_head(m, 'ep.wq');
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        yield* __wake_up_common(c, wq, TASK_UNINTERRUPTIBLE, 1, 0, 0);
      },
    });
    const out = runRandom(m);
    expect(kinds(out.violations)).toEqual(['P4-locking/lock-not-held']);
    expect(out.violations[0]!.message).toContain('lockdep_assert_held(ep.wq.lock)');
  });

  it('waking a queue that holds a freed entry is a use-after-free', () => {
    const m = machine(1);
    const wq = init_waitqueue_head(m, 'wq');
    m.addTask({
      name: 'T0', cpu: 0,
      body: function* (c: Ctx): Model<void> {
        const w = init_waitqueue_entry(m, c.task, 'pwq');
        yield* add_wait_queue(c, wq, w);
        c.fn = 'ep_remove (forgot remove_wait_queue)';
        m.free(c, w);
        yield* wake_up(c, wq);
      },
    });
    const out = runRandom(m);
    expect(kinds(out.violations)).toEqual(['P3-memory-safety/use-after-free']);
    // The walk's first access is the entry's list_head, a member freed with pwq.
    expect(out.violations[0]!.message).toMatch(/use-after-free of .*, with pwq\)$/);
  });
});

describe('locks: waitqueue: wake functions', () => {
  it('autoremove_wake_function unlinks the woken entry; default_wake_function leaves it', () => {
    for (let seed = 0; seed < 30; seed++) {
      const m = machine(3, 'tso', seed);
      const wq = init_waitqueue_head(m, 'wq');
      const v = vars(m, { queued: 0 });
      let left: string[] = [];
      for (const [name, auto] of [['A', true], ['D', false]] as const) {
        m.addTask({
          name, cpu: auto ? 0 : 1,
          body: function* (c: Ctx): Model<void> {
            const w = auto ? init_wait(c, name) : init_waitqueue_entry(m, c.task, name);
            yield* prepare_to_wait(c, wq, w, TASK_UNINTERRUPTIBLE);
            yield atomic_add_return(v, 'queued', 1);
            yield* schedule(c);
            yield* finish_wait(c, wq, w);
          },
        });
      }
      m.addTask({
        name: 'W', cpu: 2,
        body: function* (c: Ctx): Model<void> {
          yield* spinUntil(v, 'queued', 2);
          yield* wake_up_all(c, wq);
          // The queue as this CPU sees it right after the walk (nobody else can have run).
          left = ownersView(m, 2, wq_head(m, wq)).map((h) => m.arena.label(h));
        },
      });
      const out = runRandom(m);
      expect(out.violations).toEqual([]);
      expect(out.status).toBe('done');
      expect(left).toEqual(['D']);
      expect(listOwners(m, wq_head(m, wq))).toEqual([]);
    }
  });
});

/** The owners of a list as CPU `cpu` sees it (its store buffer forwarded). */
function ownersView(m: MachineAccess, cpu: number, head: number): number[] {
  const out: number[] = [];
  for (let p = m.memory.read(cpu, head, 'next') as number; p !== head;
    p = m.memory.read(cpu, p, 'next') as number) out.push(list_entry(m, p));
  return out;
}

/**
 * Waiter: prepare_to_wait, test, schedule. Waker: set cond, then (maybe) wake_up. Store
 * buffers are written back only when nothing else can run (a legal TSO schedule).
 */
function sbWakeup(seed: number, mode: MemoryMode, barrier: boolean): boolean {
  const m = machine(2, mode, seed);
  const wq = init_waitqueue_head(m, 'wq');
  const v = vars(m, { cond: 0 });
  const waiter = m.addTask({
    name: 'waiter', cpu: 0, body: (c: Ctx) => waitForCond(c, wq, v),
  });
  m.addTask({
    name: 'waker', cpu: 1,
    body: function* (c: Ctx): Model<void> {
      yield WRITE_ONCE(v, 'cond', 1);
      const active = barrier ? yield* wq_has_sleeper(c, wq) : yield* waitqueue_active(c, wq);
      if (active) yield* wake_up(c, wq);
    },
  });
  const out = m.run(new LazyDrainScheduler());
  return out.status === 'quiescent' && waiter.status === SLEEPING;
}

describe('locks: waitqueue: lockless waitqueue_active needs its barrier (budget 100)', () => {
  it('TSO without smp_mb: the waker misses the sleeper (store buffering)', () => {
    expect(failingSeeds(100, (s) => sbWakeup(s, 'tso', false)).length).toBeGreaterThan(0);
  });
  it('TSO with wq_has_sleeper, and SC without it, never lose the wakeup', () => {
    expect(failingSeeds(100, (s) => sbWakeup(s, 'tso', true))).toEqual([]);
    expect(failingSeeds(100, (s) => sbWakeup(s, 'sc', false))).toEqual([]);
  });
});

/** N consumers each wait (exclusively) for a token; a producer posts N tokens + wake_up. */
function tokens(mode: MemoryMode, sched: Scheduler, seed = 0, n = 3) {
  const m = machine(2, mode, seed);
  const wq = init_waitqueue_head(m, 'wq');
  const v = vars(m, { tokens: 0 });
  for (let i = 0; i < n; i++) {
    m.addTask({
      name: `C${i}`, cpu: i % 2,
      body: function* (c: Ctx): Model<void> {
        const wait = init_wait(c);
        for (;;) {
          yield* prepare_to_wait_exclusive(c, wq, wait, TASK_UNINTERRUPTIBLE);
          let t = (yield READ_ONCE(v, 'tokens')) as number;
          let got = false;
          while (t > 0 && !got) {
            const was = (yield cmpxchg(v, 'tokens', t, t - 1)) as number;
            got = was === t;
            t = was;
          }
          if (got) break;
          yield* schedule(c);
        }
        yield* finish_wait(c, wq, wait);
      },
    });
  }
  m.addTask({
    name: 'P', cpu: 1,
    body: function* (c: Ctx): Model<void> {
      for (let i = 0; i < n; i++) {
        yield atomic_add_return(v, 'tokens', 1);
        yield* wake_up(c, wq);
      }
    },
  });
  return m.run(sched);
}

describe('locks: waitqueue: exclusive wakeups are delivered (fast-check seed 0x3a1e)', () => {
  it('every consumer gets its token and ends (choice lists, SC and TSO)', () => {
    fc.assert(fc.property(fc.constantFrom<MemoryMode>('sc', 'tso'),
      fc.array(fc.nat(), { maxLength: 300 }), (mode, choices) => {
        const out = tokens(mode, new ChoicesScheduler(choices));
        expect(out.violations).toEqual([]);
        expect(out.status).toBe('done');
      }), { seed: 0x3a1e, numRuns: 80 });
  });

  it('random scheduler, seeds 0..99', () => {
    for (let seed = 0; seed < 100; seed++) {
      const out = tokens(seed % 2 === 0 ? 'sc' : 'tso', new RandomScheduler(), seed);
      expect(out.violations).toEqual([]);
      expect(out.status).toBe('done');
    }
  });
});
