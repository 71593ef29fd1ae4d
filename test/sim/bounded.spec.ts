/** Bounded exhaustive search: complete within a bound on mainline, a failure on a bug. */
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/api/explore.ts';
import { Machine } from '../../src/sim/machine.ts';
import { load, store } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { BoundedScheduler } from '../../src/sim/schedulers/bounded.ts';

function lostUpdate(sched: BoundedScheduler): number {
  const m = new Machine({ ncpu: 2 });
  const v = m.alloc('vars', { x: 0 });
  for (let t = 0; t < 2; t++) {
    m.addTask({ name: `T${t}`, cpu: t, *body(): Model<void> {
      const x: number = yield load(v, 'x');
      yield store(v, 'x', x + 1);
    } });
  }
  m.run(sched);
  return m.arena.objs[v]!.x as number;
}

describe('sim: bounded exhaustive search', () => {
  it('with 0 preemptions explores the serial schedules only, and misses the race', () => {
    const s = new BoundedScheduler();
    const seen: number[] = [];
    let prefix: number[] | undefined = [];
    while (prefix !== undefined) {
      s.setPrefix(prefix);
      seen.push(lostUpdate(s));
      prefix = s.next(0);
    }
    expect(seen.every((x) => x === 2)).toBe(true);
  });
  it('with 1 preemption finds the lost update', () => {
    const s = new BoundedScheduler();
    const seen = new Set<number>();
    let prefix: number[] | undefined = [];
    while (prefix !== undefined) {
      s.setPrefix(prefix);
      seen.add(lostUpdate(s));
      prefix = s.next(1);
    }
    expect([...seen].sort()).toEqual([1, 2]);
  });
  it('mainline-6.18 on lt-two-waiters: complete and clean within 1 preemption', () => {
    const r = explore({ variant: 'mainline-6.18', scenario: 'lt-two-waiters', preemptions: 1 });
    expect(r.complete).toBe(true);
    expect(r.failure).toBeUndefined();
    expect(r.executions).toBe(1388);
  });
  it('finds B5 on lt-two-waiters within 2 preemptions', () => {
    const r = explore({ variant: 'mainline-6.18+B5', scenario: 'lt-two-waiters', preemptions: 2 });
    expect(r.failure?.violations[0]?.property).toBe('P1-lost-wakeup');
    expect(r.executions).toBe(820);
  });
});
