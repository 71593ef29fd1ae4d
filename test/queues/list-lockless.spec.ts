import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { list_add_lockless_head_MUTANT, list_add_tail_lockless } from
  '../../src/queues/list-lockless.ts';
import { checkList, list_empty, list_head_alloc, listOwners } from '../../src/queues/list.ts';
import type { MemoryMode } from '../../src/sim/memory.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import { fcParams, machine, runTask, solo } from './helpers.ts';
import { lockless } from './lockless-scenario.ts';

const T = list_add_tail_lockless;

describe('queues: list_add_tail_lockless: single-threaded', () => {
  it('adds at the tail in order, and a second add of the same entry returns false', () => {
    const m = solo();
    const head = list_head_alloc(m, 0, 'head');
    const own = [1, 2, 3].map((i) => m.alloc('epitem', { id: i }));
    const links = own.map((o) => list_head_alloc(m, o));
    const { value } = runTask(m, function* (c) {
      const r: boolean[] = [];
      for (const l of links) r.push(yield* T(c, l, head));
      r.push(yield* T(c, links[1]!, head));
      r.push(yield* list_empty(c, links[0]!));
      return r;
    });
    expect(value).toEqual([true, true, true, false, false]);
    expect(checkList(m, head)).toBeUndefined();
    expect(listOwners(m, head)).toEqual(own);
  });

  it('takes exactly four steps: cmpxchg, xchg and two plain stores', () => {
    const m = solo({ trace: true });
    const head = list_head_alloc(m, 0, 'head');
    const l = list_head_alloc(m, 0, 'l');
    const { out } = runTask(m, (c) => T(c, l, head));
    expect(out.trace!.filter((e) => e.step >= 0 && e.op !== 'task start').map((e) => e.op))
      .toEqual(['cmpxchg', 'xchg', 'store', 'store']);
    expect(out.trace!.filter((e) => e.op !== 'task start')
      .every((e) => e.fn === 'list_add_tail_lockless')).toBe(true);
  });

  it('the head mutant alone adds at the head correctly', () => {
    const m = solo();
    const head = list_head_alloc(m, 0, 'head');
    const own = [1, 2, 3].map((i) => m.alloc('epitem', { id: i }));
    const links = own.map((o) => list_head_alloc(m, o));
    runTask(m, function* (c) {
      for (const l of links) yield* list_add_lockless_head_MUTANT(c, l, head);
    });
    expect(checkList(m, head)).toBeUndefined();
    expect(listOwners(m, head)).toEqual([...own].reverse());
  });

  it('the head mutant returns true for a fresh entry, false for one already added', () => {
    const m = solo();
    const head = list_head_alloc(m, 0, 'head');
    const own = [1, 2].map((i) => m.alloc('epitem', { id: i }));
    const links = own.map((o) => list_head_alloc(m, o));
    const { value } = runTask(m, function* (c) {
      const r: boolean[] = [];
      for (const l of links) r.push(yield* list_add_lockless_head_MUTANT(c, l, head));
      r.push(yield* list_add_lockless_head_MUTANT(c, links[0]!, head));
      return r;
    });
    expect(value).toEqual([true, true, false]);
    expect(checkList(m, head)).toBeUndefined();
    expect(listOwners(m, head)).toEqual([own[1], own[0]]);
  });
});

describe('queues: list_add_tail_lockless: interleavings', () => {
  const modes: MemoryMode[] = ['sc', 'tso', 'lkmm'];

  for (const memory of modes) {
    it(`two CPUs adding the same entry: exactly one wins (${memory}, fc seed 101)`, () => {
      fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 40 }), (choices) => {
        const m = machine(2, memory);
        const head = list_head_alloc(m, 0, 'head');
        const l = list_head_alloc(m, m.alloc('epitem', {}), 'l');
        const wins: boolean[] = [];
        for (let cpu = 0; cpu < 2; cpu++) {
          m.addTask({
            name: `P${cpu}`, cpu, body: function* (c) { wins.push(yield* T(c, l, head)); },
          });
        }
        const out = m.run(new ChoicesScheduler(choices));
        expect(out.status).toBe('done');
        expect(wins.filter((w) => w).length).toBe(1);
        expect(checkList(m, head)).toBeUndefined();
        expect(listOwners(m, head).length).toBe(1);
      }), fcParams(101, 200));
    });

    it(`3 CPUs x 3 adds + 2 hardirq adds stay intact, FIFO per producer (${memory}, fc seed 7)`,
      () => {
        fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 120 }), (choices) => {
          const s = lockless({
            memory, adders: [T, T, T], per: 3, fifo: true,
            irq: { cpu: 1, count: 2, adder: T },
          });
          const out = s.m.run(new ChoicesScheduler(choices));
          expect(out.violations).toEqual([]);
          expect(out.status).toBe('done');
          expect(s.lostRace).toBe(false);
        }), fcParams(7, 150));
      });
  }

  it('random schedules, seeds 0..299 (tso): intact, FIFO per producer', () => {
    for (let seed = 0; seed < 300; seed++) {
      const s = lockless({
        memory: 'tso', seed, adders: [T, T, T], per: 3, fifo: true,
        irq: { cpu: 2, count: 3, adder: T },
      });
      const out = s.m.run(new RandomScheduler());
      if (out.status !== 'done') throw new Error(`seed ${seed}: ${JSON.stringify(out.violations)}`);
    }
  });
});
