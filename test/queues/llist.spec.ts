import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIST_POISON1, NULL } from '../../src/queues/arena.ts';
import {
  checkLlist, checkLlistChain, init_llist_head, llist_add, llist_add_batch, llist_del_all,
  llist_del_first, llist_empty, llist_head_alloc, llist_node_alloc, llist_reverse_order,
  llistNodes,
} from '../../src/queues/llist.ts';
import type { Machine } from '../../src/sim/machine.ts';
import { store } from '../../src/sim/mem.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import {
  atEnd, fcParams, fifoPerProducer, interleave, machine, runTask, solo,
} from './helpers.ts';

function nodes(m: Machine, n: number, tag = 'n'): number[] {
  return Array.from({ length: n }, (_, i) => llist_node_alloc(m, 0, `${tag}${i}`));
}

describe('queues: llist: single-threaded', () => {
  it('llist_add pushes at the head and says whether the list was empty', () => {
    const m = solo();
    const head = llist_head_alloc(m, 'head');
    const n = nodes(m, 3);
    const { value } = runTask(m, function* (c) {
      yield* init_llist_head(c, head);
      const r: boolean[] = [yield* llist_empty(c, head)];
      for (const x of n) r.push(yield* llist_add(c, x, head));
      r.push(yield* llist_empty(c, head));
      return r;
    });
    expect(value).toEqual([true, true, false, false, false]);
    expect(llistNodes(m, m.arena.objs[head]!.first as number)).toEqual([n[2], n[1], n[0]]);
    expect(checkLlist(m, head)).toBeUndefined();
  });

  it('llist_del_all takes the chain; llist_reverse_order restores FIFO order', () => {
    const m = solo();
    const head = llist_head_alloc(m, 'head');
    const n = nodes(m, 3);
    const { value } = runTask(m, function* (c) {
      for (const x of n) yield* llist_add(c, x, head);
      const all = yield* llist_del_all(c, head);
      const empty = yield* llist_empty(c, head);
      return { first: llist_reverse_order(c, all), empty, none: llist_reverse_order(c, NULL) };
    });
    expect(value!.empty).toBe(true);
    expect(value!.none).toBe(NULL);
    expect(llistNodes(m, value!.first)).toEqual(n);
    expect(checkLlistChain(m, value!.first)).toBeUndefined();
  });

  it('llist_add_batch pushes a private chain in one cmpxchg', () => {
    const m = solo({ trace: true });
    const head = llist_head_alloc(m, 'head');
    const n = nodes(m, 3);
    const { out } = runTask(m, function* (c) {
      yield* llist_add(c, n[0]!, head);
      yield store(n[1]!, 'next', n[2]!, 'setup');
      yield* llist_add_batch(c, n[1]!, n[2]!, head);
    });
    expect(llistNodes(m, m.arena.objs[head]!.first as number)).toEqual([n[1], n[2], n[0]]);
    expect(out.trace!.filter((e) => e.fn === 'llist_add_batch').map((e) => e.op))
      .toEqual(['READ_ONCE', 'store', 'cmpxchg']);
  });

  it('llist_del_first removes the newest node, then NULL', () => {
    const m = solo();
    const head = llist_head_alloc(m, 'head');
    const n = nodes(m, 2);
    const { value } = runTask(m, function* (c) {
      for (const x of n) yield* llist_add(c, x, head);
      return [yield* llist_del_first(c, head), yield* llist_del_first(c, head),
        yield* llist_del_first(c, head)];
    });
    expect(value).toEqual([n[1], n[0], NULL]);
  });

  it('llist_reverse_order of a freed node is P3; checkLlist finds cycles', () => {
    const m = solo();
    const head = llist_head_alloc(m, 'head');
    const n = nodes(m, 2);
    const { out } = runTask(m, function* (c) {
      for (const x of n) yield* llist_add(c, x, head);
      c.m.free(c, n[0]!);
      llist_reverse_order(c, yield* llist_del_all(c, head));
    });
    expect(out.violations[0]!.property).toBe('P3-memory-safety');
    expect(out.violations[0]!.message).toMatch(/llist_reverse_order: use-after-free of n0/);
    const m2 = solo();
    const h2 = llist_head_alloc(m2, 'h2');
    const k = nodes(m2, 2);
    const o = m2.arena.objs;
    o[h2]!.first = k[0]!;
    o[k[0]!]!.next = k[1]!;
    o[k[1]!]!.next = k[0]!;
    expect(checkLlist(m2, h2)).toMatch(/cycle/);
  });
});

describe('queues: llist: interleavings', () => {
  /**
   * Two producer tasks and a hardirq producer llist_add; a consumer takes the list twice with
   * llist_del_all and reverses each batch. Batches, then the reversed remainder, hold every
   * node exactly once in per-producer order.
   */
  function scenario(memory: 'sc' | 'tso' | 'lkmm', seed: number) {
    const m = machine(3, memory, seed);
    const head = llist_head_alloc(m, 'head');
    const prods = [nodes(m, 3, 'a'), nodes(m, 3, 'b'), nodes(m, 2, 'i')];
    const batches: number[] = [];
    [0, 1].forEach((p) => m.addTask({
      name: `P${p}`, cpu: p,
      body: function* (c) { for (const x of prods[p]!) yield* llist_add(c, x, head); },
    }));
    let k = 0;
    m.addIrqSource({
      name: 'irq', cpu: 1, count: 2,
      handler: (c) => llist_add(c, prods[2]![k++]!, head),
    });
    m.addTask({
      name: 'C', cpu: 2,
      body: function* (c) {
        // Under TSO the reversed links may still sit in this CPU's store buffer, so the
        // batches are walked at the end, when every buffer has been written back.
        for (let i = 0; i < 2; i++) {
          batches.push(llist_reverse_order(c, yield* llist_del_all(c, head)));
        }
      },
    });
    m.addObserver(atEnd('llist', (mm) => checkLlist(mm, head) ?? fifoPerProducer(
      [...batches.flatMap((b) => llistNodes(mm, b)),
        ...llistNodes(mm, mm.arena.objs[head]!.first as number).reverse()], prods)));
    return m;
  }

  for (const memory of ['sc', 'tso', 'lkmm'] as const) {
    it(`adds + del_all: no loss, no duplicate, FIFO per producer (${memory}, fc seed 47)`, () => {
      fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 120 }), (choices) => {
        const out = scenario(memory, 0).run(new ChoicesScheduler(choices));
        expect(out.violations).toEqual([]);
        expect(out.status).toBe('done');
      }), fcParams(47, 150));
    });
  }

  it('random schedules, seeds 0..299 (tso)', () => {
    for (let seed = 0; seed < 300; seed++) {
      const out = scenario('tso', seed).run(new RandomScheduler());
      if (out.status !== 'done') throw new Error(`seed ${seed}: ${out.violations[0]?.message}`);
    }
  });
});

describe('queues: llist: details', () => {
  it('init_llist_head empties a list (first = NULL)', () => {
    const m = solo();
    const head = llist_head_alloc(m, 'head');
    const n = nodes(m, 1);
    const { value } = runTask(m, function* (c) {
      yield* llist_add(c, n[0]!, head);
      const before = yield* llist_empty(c, head);
      yield* init_llist_head(c, head);
      return [before, yield* llist_empty(c, head)];
    });
    expect(value).toEqual([false, true]);
    expect(m.arena.objs[head]!.first).toBe(NULL);
  });

  it('llist_del_first uncontended: acquire load, READ_ONCE, one cmpxchg', () => {
    const m = solo({ trace: true });
    const head = llist_head_alloc(m, 'head');
    const n = nodes(m, 2);
    const { value, out } = runTask(m, function* (c) {
      for (const x of n) yield* llist_add(c, x, head);
      return yield* llist_del_first(c, head);
    });
    expect(value).toBe(n[1]);
    expect(llistNodes(m, m.arena.objs[head]!.first as number)).toEqual([n[0]]);
    expect(out.trace!.filter((e) => e.fn === 'llist_del_first').map((e) => e.op))
      .toEqual(['smp_load_acquire', 'READ_ONCE', 'cmpxchg']);
  });

  it('llist_del_first racing an llist_add: the failed cmpxchg retries on the new first', () => {
    const m = solo();
    const head = llist_head_alloc(m, 'head');
    const n = nodes(m, 3);
    const { value, out } = runTask(m, function* (c) {
      yield* llist_add(c, n[0]!, head);
      yield* llist_add(c, n[1]!, head);
      // del_first has read first (n1) and n1->next when n2 is pushed.
      return yield* interleave(llist_del_first(c, head), 2, llist_add(c, n[2]!, head));
    });
    expect(out.status).toBe('done');
    expect(value).toEqual([n[2], false]);
    expect(llistNodes(m, m.arena.objs[head]!.first as number)).toEqual([n[1], n[0]]);
  });

  it('llist_reverse_order: a freed node is a use-after-free, a poison pointer a bad pointer', () => {
    for (const [bad, kind] of [['freed', 'use-after-free'], ['poison', 'bad-pointer']] as const) {
      const m = solo();
      const n = nodes(m, 2);
      m.arena.objs[n[0]!]!.next = n[1]!;
      if (bad === 'freed') m.arena.free(n[1]!, { step: 1, ctx: 0, fn: 'kfree' });
      else m.arena.objs[n[1]!]!.next = LIST_POISON1;
      const { out } = runTask(m, function* (c) { llist_reverse_order(c, n[0]!); });
      expect(out.violations[0]!.property).toBe('P3-memory-safety');
      expect(out.violations[0]!.kind).toBe(kind);
      expect(out.violations[0]!.message).toMatch(/^T\d+ in llist_reverse_order: /);
    }
  });

  it('checkLlistChain: a NULL-terminated chain longer than max is reported', () => {
    const m = solo();
    const n = nodes(m, 3);
    m.arena.objs[n[0]!]!.next = n[1]!;
    m.arena.objs[n[1]!]!.next = n[2]!;
    expect(checkLlistChain(m, n[0]!, 3)).toBeUndefined();
    expect(checkLlistChain(m, n[0]!, 2, 'c')).toBe(
      'llist c: not NULL terminated after 2 nodes (a cycle)');
    expect(llistNodes(m, n[0]!, 2)).toEqual([n[0], n[1]]);
  });
});
