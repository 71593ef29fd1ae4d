import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EP_UNACTIVE_PTR, NULL } from '../../src/queues/arena.ts';
import {
  chain_epi_locked, chain_epi_lockless, checkOvflist, ovflistItems, type OvflistFields,
} from '../../src/queues/ovflist.ts';
import type { Machine } from '../../src/sim/machine.ts';
import type { MemoryMode } from '../../src/sim/memory.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import { atEnd, everyStep, fcParams, machine, runTask, solo } from './helpers.ts';

/** An eventpoll with an active (scanning) ovflist and `n` unchained epitems. */
function setup(m: Machine, n: number): { ep: number; epi: number[] } {
  const ep = m.alloc('eventpoll', { ovflist: NULL }, 'ep');
  const epi: number[] = [];
  for (let i = 0; i < n; i++) epi.push(m.alloc('epitem', { next: EP_UNACTIVE_PTR }, `epi${i}`));
  return { ep, epi };
}

describe('queues: ovflist: single-threaded', () => {
  it('chain_epi_lockless chains newest first and refuses an item already chained', () => {
    const m = solo();
    const { ep, epi } = setup(m, 3);
    const { value } = runTask(m, function* (c) {
      const r: boolean[] = [];
      for (const e of epi) r.push(yield* chain_epi_lockless(c, ep, e));
      r.push(yield* chain_epi_lockless(c, ep, epi[0]!));
      r.push(yield* chain_epi_lockless(c, ep, epi[1]!, true));
      return r;
    });
    expect(value).toEqual([true, true, true, false, false]);
    expect(checkOvflist(m, ep)).toBeUndefined();
    expect(ovflistItems(m, ep)).toEqual([epi[2], epi[1], epi[0]]);
  });

  it('steps: cmpxchg, xchg, store; the precheck adds a plain load and skips the cmpxchg', () => {
    const m = solo({ trace: true });
    const { ep, epi } = setup(m, 1);
    const { out } = runTask(m, function* (c) {
      yield* chain_epi_lockless(c, ep, epi[0]!, true);
      yield* chain_epi_lockless(c, ep, epi[0]!, true);
    });
    expect(out.trace!.filter((e) => e.step >= 0 && e.op !== 'task start').map((e) => e.op))
      .toEqual(['load', 'cmpxchg', 'xchg', 'store', 'load']);
  });

  it('chain_epi_locked: plain accesses (classic) or READ_ONCE/WRITE_ONCE (v6.18)', () => {
    for (const once of [false, true]) {
      const m = solo({ trace: true });
      const { ep, epi } = setup(m, 2);
      const { value, out } = runTask(m, function* (c) {
        const a = yield* chain_epi_locked(c, ep, epi[0]!, once);
        const b = yield* chain_epi_locked(c, ep, epi[1]!, once);
        const again = yield* chain_epi_locked(c, ep, epi[1]!, once);
        return [a, b, again];
      });
      expect(value).toEqual([true, true, false]);
      expect(ovflistItems(m, ep)).toEqual([epi[1], epi[0]]);
      const ops = out.trace!.filter((e) => e.step >= 0 && e.op !== 'task start').slice(0, 4).map((e) => e.op);
      expect(ops).toEqual(once ? ['load', 'READ_ONCE', 'store', 'WRITE_ONCE']
        : ['load', 'load', 'store', 'store']);
      expect(out.trace!.find((e) => e.op !== 'task start')!.fn).toBe('ep_poll_callback');
    }
  });

  it('takes custom field names', () => {
    const f: OvflistFields = { ovflist: 'ovf', next: 'link' };
    const m = solo();
    const ep = m.alloc('eventpoll', { ovf: NULL });
    const e = m.alloc('epitem', { link: EP_UNACTIVE_PTR });
    runTask(m, (c) => chain_epi_lockless(c, ep, e, false, f));
    expect(ovflistItems(m, ep, 10, f)).toEqual([e]);
    expect(checkOvflist(m, ep, 10, f)).toBeUndefined();
  });
});

describe('queues: checkOvflist', () => {
  it('accepts an inactive chain and an empty active one', () => {
    const m = solo();
    const { ep } = setup(m, 0);
    expect(checkOvflist(m, ep)).toBeUndefined();
    m.arena.objs[ep]!.ovflist = EP_UNACTIVE_PTR;
    expect(checkOvflist(m, ep)).toBeUndefined();
    expect(ovflistItems(m, ep)).toEqual([]);
  });

  it('reports a chained item whose next is EP_UNACTIVE_PTR, a cycle and a freed item', () => {
    const m = solo();
    const { ep, epi } = setup(m, 2);
    const o = m.arena.objs;
    o[ep]!.ovflist = epi[0]!;
    o[epi[0]!]!.next = epi[1]!;
    expect(checkOvflist(m, ep))
      .toMatch(/epi1 is chained \(item 1\) but its next is EP_UNACTIVE_PTR/);
    o[epi[1]!]!.next = epi[0]!;
    expect(checkOvflist(m, ep)).toMatch(/cycle/);
    o[epi[1]!]!.next = NULL;
    expect(checkOvflist(m, ep)).toBeUndefined();
    runTask(m, function* (c) { c.m.free(c, epi[1]!); });
    expect(checkOvflist(m, ep)).toMatch(/epi0->next: use-after-free of epi1/);
  });
});

describe('queues: chain_epi_lockless: interleavings', () => {
  /**
   * Three CPUs chain overlapping sets of items (each item wanted by up to three CPUs) while a
   * hardirq on CPU 0 chains one more. Afterwards every wanted item is chained exactly once,
   * exactly one caller per item returned true, and the chain is well formed after every step.
   */
  function scenario(memory: MemoryMode, seed: number, precheck: boolean, wants: number[][]) {
    const m = machine(3, memory, seed);
    const { ep, epi } = setup(m, 6);
    let wins = 0;
    wants.forEach((w, cpu) => m.addTask({
      name: `P${cpu}`, cpu,
      body: function* (c) {
        for (const i of w) if (yield* chain_epi_lockless(c, ep, epi[i]!, precheck)) wins++;
      },
    }));
    m.addIrqSource({
      name: 'irq', cpu: 0, count: 1,
      handler: function* (c) { if (yield* chain_epi_lockless(c, ep, epi[5]!, precheck)) wins++; },
    });
    m.addObserver(everyStep('ovflist', (mm) => checkOvflist(mm, ep)));
    const want = new Set([...wants.flat(), 5]);
    m.addObserver(atEnd('ovflist-members', (mm) => {
      const got = ovflistItems(mm, ep);
      if (got.length !== want.size) return `${got.length} chained, want ${want.size}`;
      if (new Set(got).size !== got.length) return 'an item is chained twice';
      for (const i of want) if (!got.includes(epi[i]!)) return `epi${i} lost`;
      if (wins !== want.size) return `${wins} callers won, want ${want.size}`;
      return undefined;
    }));
    return m;
  }

  const wantsArb = fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
    { minLength: 3, maxLength: 3 });

  for (const memory of ['sc', 'tso', 'lkmm'] as const) {
    it(`every item chained once, one winner each (${memory}, fc seed 23)`, () => {
      fc.assert(fc.property(wantsArb, fc.boolean(), fc.array(fc.nat(), { maxLength: 100 }),
        (wants, precheck, choices) => {
          const out = scenario(memory, 0, precheck, wants).run(new ChoicesScheduler(choices));
          expect(out.violations).toEqual([]);
          expect(out.status).toBe('done');
        }), fcParams(23, 150));
    });
  }

  it('without ep->lock, the classic plain chain loses items (seed search, sc)', () => {
    let first = -1;
    for (let seed = 0; seed < 500 && first < 0; seed++) {
      const m = machine(2, 'sc', seed);
      const { ep, epi } = setup(m, 2);
      for (let cpu = 0; cpu < 2; cpu++) {
        m.addTask({ name: `P${cpu}`, cpu, body: (c) => chain_epi_locked(c, ep, epi[cpu]!) });
      }
      m.run(new RandomScheduler());
      if (ovflistItems(m, ep).length !== 2) first = seed;
    }
    expect(first).toBeGreaterThanOrEqual(0);
  });
});

describe('queues: ovflist: defaults and bounds', () => {
  it('by default chain_epi_lockless has no precheck and chain_epi_locked plain accesses', () => {
    const m = solo({ trace: true });
    const { ep, epi } = setup(m, 2);
    const { value, out } = runTask(m, function* (c) {
      return [yield* chain_epi_lockless(c, ep, epi[0]!), yield* chain_epi_locked(c, ep, epi[1]!)];
    });
    expect(value).toEqual([true, true]);
    expect(ovflistItems(m, ep)).toEqual([epi[1], epi[0]]);
    expect(out.trace!.filter((e) => e.step >= 0 && e.op !== 'task start').map((e) => e.op))
      .toEqual(['cmpxchg', 'xchg', 'store', 'load', 'load', 'store', 'store']);
  });

  it('a chain longer than max is reported as a cycle; max items are walked', () => {
    const m = solo();
    const { ep, epi } = setup(m, 3);
    const o = m.arena.objs;
    o[ep]!.ovflist = epi[0]!;
    o[epi[0]!]!.next = epi[1]!;
    o[epi[1]!]!.next = epi[2]!;
    o[epi[2]!]!.next = NULL;
    expect(checkOvflist(m, ep, 3)).toBeUndefined();
    expect(checkOvflist(m, ep, 2)).toBe(
      'ovflist of ep: not NULL terminated after 2 items (a cycle)');
    expect(ovflistItems(m, ep, 2)).toEqual([epi[0], epi[1]]);
    expect(ovflistItems(m, ep, 3)).toEqual(epi);
  });
});
