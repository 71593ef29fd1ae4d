import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ctx } from '../../src/sim/context.ts';
import { SLEEPING } from '../../src/sim/context.ts';
import { Machine, type Observer } from '../../src/sim/machine.ts';
import { load, READ_ONCE, store, WRITE_ONCE } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { PctScheduler } from '../../src/sim/schedulers/pct.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import { schedule_hrtimeout_range, set_current_state } from '../../src/locks/sched.ts';
import { TASK_INTERRUPTIBLE } from '../../src/sim/context.ts';

/** A task that runs `n` steps with interrupts off, then `n` with them on. */
function irqMachine(seed: number, trace = false) {
  const m = new Machine({ ncpu: 1, seed, trace });
  const v = m.alloc('vars', { x: 0, irqs: 0, offSeen: 0 });
  m.addTask({
    name: 'T', cpu: 0,
    *body(c: Ctx): Model<void> {
      c.m.setIrqDisabled(c, 1);
      for (let i = 0; i < 5; i++) yield store(v, 'x', i, 'critical');
      c.m.setIrqDisabled(c, 0);
      for (let i = 0; i < 5; i++) yield store(v, 'x', 10 + i, 'open');
    },
  });
  m.addIrqSource({
    name: 'dev', cpu: 0, count: 3,
    *handler(c: Ctx): Model<void> {
      const x: number = yield load(v, 'x', 'handler');
      if (x >= 1 && x < 4) yield store(v, 'offSeen', 1, 'handler');
      const n: number = yield load(v, 'irqs', 'handler');
      yield store(v, 'irqs', n + 1, 'handler');
      expect(c.irq).toBe(true);
    },
  });
  return { m, v };
}

describe('sim: hardirq context', () => {
  it('an IRQ never arrives while its CPU has interrupts off (seeds 0..299)', () => {
    for (let seed = 0; seed < 300; seed++) {
      const { m, v } = irqMachine(seed);
      const out = m.run(new RandomScheduler());
      expect(out.status).toBe('done');
      expect(m.arena.objs[v]!.offSeen).toBe(0);
      expect(m.arena.objs[v]!.irqs).toBe(3);
    }
  });
  it('shows the IRQ nested over the task it interrupted in the trace', () => {
    for (let seed = 0; seed < 50; seed++) {
      const { m } = irqMachine(seed, true);
      const out = m.run(new RandomScheduler());
      const nested = out.trace!.find((e) => e.op === 'load' && e.fn === 'handler' && e.over === 'T');
      if (nested) {
        expect(nested.who).toBe('irq@0');
        return;
      }
    }
    throw new Error('no IRQ over a running task in 50 seeds');
  });
});

describe('sim: virtual time and signals', () => {
  function sleeper(time: 'eager' | 'idle', signal: boolean) {
    const m = new Machine({ ncpu: 2, seed: 1, time });
    const v = m.alloc('vars', { r: 99, flag: 0 });
    const t = m.addTask({
      name: 'S', cpu: 0,
      *body(c: Ctx): Model<void> {
        yield* set_current_state(c, TASK_INTERRUPTIBLE);
        const r = yield* schedule_hrtimeout_range(c, 5_000_000);
        yield store(v, 'r', r);
      },
    });
    m.addTask({ name: 'B', cpu: 1, *body(): Model<void> { for (let i = 0; i < 20; i++) yield WRITE_ONCE(v, 'flag', i); } });
    if (signal) m.addSignal(t, 1);
    return { m, v };
  }
  it('a sleeper times out at 5 ms of virtual time', () => {
    const { m, v } = sleeper('idle', false);
    const out = m.run(new RandomScheduler());
    expect(m.arena.objs[v]!.r).toBe(0);
    expect(out.time).toBe(5_000_000);
  });
  it('in idle mode the timer fires only once nothing else can run', () => {
    const { m } = sleeper('idle', false);
    const out = m.run(new RandomScheduler());
    expect(out.status).toBe('done');
  });
  it('a signal wakes an interruptible sleeper early (-EINTR) in some schedule', () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const m = new Machine({ ncpu: 1, seed });
      const v = m.alloc('vars', { r: 99 });
      const t = m.addTask({ name: 'S', cpu: 0, *body(c: Ctx): Model<void> {
        yield* set_current_state(c, TASK_INTERRUPTIBLE);
        yield store(v, 'r', yield* schedule_hrtimeout_range(c, 5_000_000));
      } });
      m.addSignal(t, 1);
      m.run(new RandomScheduler());
      seen.add(m.arena.objs[v]!.r as number);
    }
    expect([...seen].sort()).toEqual([-4, 0]);
  });
  it('a task asleep forever leaves the run quiescent, not done', () => {
    const m = new Machine({ ncpu: 1 });
    const t = m.addTask({ name: 'S', cpu: 0, *body(c: Ctx): Model<void> {
      yield* set_current_state(c, TASK_INTERRUPTIBLE);
      yield* schedule_hrtimeout_range(c, Infinity);
    } });
    const out = m.run(new RandomScheduler());
    expect(out.status).toBe('quiescent');
    expect(t.status).toBe(SLEEPING);
  });
});

describe('sim: TSO store buffers', () => {
  it('a CPU reads its own buffered store before others can', () => {
    const m = new Machine({ ncpu: 2, memory: 'tso', seed: 0 });
    const v = m.alloc('vars', { x: 0, mine: -1 });
    m.addTask({ name: 'P0', cpu: 0, *body(): Model<void> {
      yield store(v, 'x', 1);
      const r: number = yield READ_ONCE(v, 'x');
      yield store(v, 'mine', r);
    } });
    m.run(new RandomScheduler());
    expect(m.arena.objs[v]!.mine).toBe(1);
  });
});

describe('sim: strategies', () => {
  function workload(seed: number) {
    const m = new Machine({ ncpu: 3, seed });
    const v = m.alloc('vars', { x: 0 });
    for (let t = 0; t < 3; t++) {
      m.addTask({ name: `T${t}`, cpu: t, *body(): Model<void> {
        for (let i = 0; i < 4; i++) {
          const x: number = yield load(v, 'x');
          yield store(v, 'x', x + 1);
        }
      } });
    }
    return { m, v };
  }
  it('PCT is deterministic per seed and finds the lost update', () => {
    const a = workload(4).m.run(new PctScheduler(3));
    const b = workload(4).m.run(new PctScheduler(3));
    expect(a.hash).toBe(b.hash);
    let lost = false;
    for (let s = 0; s < 50 && !lost; s++) {
      const { m, v } = workload(s);
      m.run(new PctScheduler(2));
      lost = (m.arena.objs[v]!.x as number) < 12;
    }
    expect(lost).toBe(true);
  });
  it('the choices scheduler lets fast-check find and shrink a lost update', () => {
    const r = fc.check(fc.property(fc.array(fc.nat(7), { maxLength: 30 }), (ch) => {
      const { m, v } = workload(0);
      m.run(new ChoicesScheduler(ch));
      return m.arena.objs[v]!.x === 12;
    }), { seed: 3, numRuns: 300 });
    expect(r.failed).toBe(true);
    expect(r.counterexample![0].length).toBeLessThanOrEqual(4);
  });
});

describe('sim: observers', () => {
  it('run after every step and at the end, and see quiescence', () => {
    let steps = 0;
    let ended = false;
    const o: Observer = { name: 'count', afterStep: () => { steps++; }, atEnd: () => { ended = true; } };
    const { m } = irqMachine(2);
    m.addObserver(o);
    const out = m.run(new RandomScheduler());
    expect(steps).toBe(out.steps);
    expect(ended).toBe(true);
  });
  it('a write-only observer runs only after steps that wrote memory', () => {
    let calls = 0;
    let lastWrites = -1;
    const { m } = irqMachine(2);
    m.addObserver({ name: 'w', afterWritesOnly: true, afterStep(mm) {
      expect(mm.memory.writes).not.toBe(lastWrites);
      lastWrites = mm.memory.writes;
      calls++;
    } });
    const out = m.run(new RandomScheduler());
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThan(out.steps);
  });
});
