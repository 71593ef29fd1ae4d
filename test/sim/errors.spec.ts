import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { Machine } from '../../src/sim/machine.ts';
import { LimitExceededError, parseSeed, SimUsageError } from '../../src/sim/errors.ts';
import { makeScheduler } from '../../src/sim/schedulers/index.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import { load } from '../../src/sim/mem.ts';
import type { Ctx } from '../../src/sim/context.ts';
import type { Model } from '../../src/sim/op.ts';

describe('sim: bad input gives a typed one-line error', () => {
  it('0 CPUs', () => {
    expect(() => new Machine({ ncpu: 0 })).toThrow(SimUsageError);
    expect(() => new Machine({ ncpu: 0 })).toThrow('bad CPU count 0: expected an integer from 1 to 64');
  });
  it('an unknown scheduler', () => {
    expect(() => makeScheduler('fifo')).toThrow("unknown scheduler 'fifo': expected one of portfolio, random, pct, pct:DEPTH, preempt:K");
  });
  it('an unknown memory model', () => {
    expect(() => new Machine({ ncpu: 1, memory: 'arm' as never })).toThrow(/unknown memory model 'arm'/);
  });
  it('a bad seed', () => {
    expect(() => parseSeed('12x')).toThrow("bad seed '12x': expected an integer from 0 to 4294967295");
    expect(() => parseSeed('-1')).toThrow(SimUsageError);
    expect(parseSeed('0x10')).toBe(16);
  });
  it('an unknown variant, bug switch or scenario', () => {
    expect(() => simulate({ variant: 'nope', scenario: 'lt-two-waiters' })).toThrow(/unknown variant 'nope': expected one of mainline-6.18/);
    expect(() => simulate({ variant: 'mainline-6.18+B99', scenario: 'lt-two-waiters' })).toThrow(/has no bug switch 'B99'/);
    expect(() => simulate({ variant: 'mainline-6.18', scenario: 'nope' })).toThrow(/unknown scenario 'nope'/);
  });
  it('a task on a CPU that does not exist', () => {
    const m = new Machine({ ncpu: 2 });
    expect(() => m.addTask({ name: 'T', cpu: 5, body: function* () {} })).toThrow("task 'T': CPU 5 does not exist (the machine has CPUs 0..1)");
  });
  it('a step limit names the seed, the step and a likely cause', () => {
    const m = new Machine({ ncpu: 1, seed: 77, limits: { stepsMax: 50 } });
    const v = m.alloc('x', { a: 0 });
    m.addTask({ name: 'spin', cpu: 0, body: function* (_c: Ctx): Model<void> { for (;;) yield load(v, 'a'); } });
    expect(() => m.run(new RandomScheduler())).toThrow(LimitExceededError);
    expect(() => {
      const m2 = new Machine({ ncpu: 1, seed: 77, limits: { stepsMax: 50 } });
      const v2 = m2.alloc('x', { a: 0 });
      m2.addTask({ name: 'spin', cpu: 0, body: function* (): Model<void> { for (;;) yield load(v2, 'a'); } });
      m2.run(new RandomScheduler());
    }).toThrow(/seed 77: step limit 50 reached; likely cause: an unbounded loop/);
  });
});
