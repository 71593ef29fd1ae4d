import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NULL } from '../../src/queues/arena.ts';
import {
  __cds_wfcq_dequeue_blocking, __cds_wfcq_first_blocking, __cds_wfcq_next_blocking,
  __cds_wfcq_splice_blocking, CDS_WFCQ_RET_DEST_EMPTY, CDS_WFCQ_RET_DEST_NON_EMPTY,
  CDS_WFCQ_RET_SRC_EMPTY, cds_wfcq_empty, cds_wfcq_enqueue, cds_wfcq_init, cds_wfcq_node_init,
  checkWfcq, wfcq_alloc, wfcq_node_alloc, WFCQ_IMPL, wfcqNodes,
} from '../../src/queues/wfcqueue.ts';
import {
  __wfcq_dequeue, __wfcq_first, __wfcq_next, __wfcq_splice, wfcq_empty, wfcq_enqueue,
  wfcq_init, wfcq_node_init, WFCQ_RET_DEST_NON_EMPTY,
} from '../../src/queues/wfcqueue-kernel.ts';
import { Machine } from '../../src/sim/machine.ts';
import { READ_ONCE, WRITE_ONCE, xchg } from '../../src/sim/mem.ts';
import { custom, type Model } from '../../src/sim/op.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import {
  atEnd, fcParams, fifoPerProducer, interleave, machine, runTask, solo,
} from './helpers.ts';

function nodes(m: Machine, n: number, tag = 'n'): number[] {
  return Array.from({ length: n }, (_, i) => wfcq_node_alloc(m, 0, `${tag}${i}`));
}

describe('queues: wfcqueue: single-threaded', () => {
  it('enqueue reports a non-empty queue; dequeue is FIFO and returns NULL when empty', () => {
    const m = solo();
    const q = wfcq_alloc(m, 'q');
    const n = nodes(m, 3);
    const { value } = runTask(m, function* (c) {
      yield* cds_wfcq_init(c, q.head, q.tail);
      const r: unknown[] = [yield* cds_wfcq_empty(c, q.head, q.tail)];
      for (const x of n) r.push(yield* cds_wfcq_enqueue(c, q.head, q.tail, x));
      r.push(yield* cds_wfcq_empty(c, q.head, q.tail));
      for (let i = 0; i < 4; i++) r.push(yield* __cds_wfcq_dequeue_blocking(c, q.head, q.tail));
      r.push(yield* cds_wfcq_empty(c, q.head, q.tail));
      return r;
    });
    expect(value).toEqual([true, false, true, true, false, n[0], n[1], n[2], NULL, true]);
    expect(checkWfcq(m, q.head, q.tail, true)).toBeUndefined();
  });

  it('first/next iterate without dequeuing', () => {
    const m = solo();
    const q = wfcq_alloc(m);
    const n = nodes(m, 3);
    const { value } = runTask(m, function* (c) {
      const seen: number[] = [];
      if ((yield* __cds_wfcq_first_blocking(c, q.head, q.tail)) !== NULL) seen.push(-1);
      for (const x of n) yield* cds_wfcq_enqueue(c, q.head, q.tail, x);
      for (let it = yield* __cds_wfcq_first_blocking(c, q.head, q.tail); it !== NULL;
        it = yield* __cds_wfcq_next_blocking(c, q.head, q.tail, it)) seen.push(it);
      return seen;
    });
    expect(value).toEqual(n);
    expect(wfcqNodes(m, q.head, q.tail)).toEqual(n);
  });

  it('splice moves everything and says which queue was empty', () => {
    const m = solo();
    const src = wfcq_alloc(m, 'src');
    const dst = wfcq_alloc(m, 'dst');
    const n = nodes(m, 4);
    const { value } = runTask(m, function* (c) {
      const r: number[] = [yield* __cds_wfcq_splice_blocking(c, dst.head, dst.tail, src.head,
        src.tail)];
      yield* cds_wfcq_enqueue(c, src.head, src.tail, n[0]!);
      yield* cds_wfcq_enqueue(c, src.head, src.tail, n[1]!);
      r.push(yield* __cds_wfcq_splice_blocking(c, dst.head, dst.tail, src.head, src.tail));
      yield* cds_wfcq_enqueue(c, src.head, src.tail, n[2]!);
      yield* cds_wfcq_enqueue(c, src.head, src.tail, n[3]!);
      r.push(yield* __cds_wfcq_splice_blocking(c, dst.head, dst.tail, src.head, src.tail));
      return r;
    });
    expect(value).toEqual([CDS_WFCQ_RET_SRC_EMPTY, CDS_WFCQ_RET_DEST_EMPTY,
      CDS_WFCQ_RET_DEST_NON_EMPTY]);
    expect(wfcqNodes(m, dst.head, dst.tail)).toEqual(n);
    expect(wfcqNodes(m, src.head, src.tail)).toEqual([]);
    expect(checkWfcq(m, dst.head, dst.tail, true)).toBeUndefined();
    expect(checkWfcq(m, src.head, src.tail, true)).toBeUndefined();
  });

  it('the kernel-port spelling used by the epoll RFC behaves the same, under its own names',
    () => {
      const m = solo({ trace: true });
      const rdl = wfcq_alloc(m, 'rdl');
      const txl = wfcq_alloc(m, 'txl');
      const n = nodes(m, 2);
      const { value, out } = runTask(m, function* (c) {
        yield* wfcq_init(c, rdl.head, rdl.tail);
        for (const x of n) {
          yield* wfcq_node_init(c, x);
          yield* wfcq_enqueue(c, rdl.head, rdl.tail, x);
        }
        yield* wfcq_enqueue(c, txl.head, txl.tail, wfcq_node_alloc(c.m, 0, 'old'));
        const ret = yield* __wfcq_splice(c, txl.head, txl.tail, rdl.head, rdl.tail);
        const seen: number[] = [];
        for (let it = yield* __wfcq_first(c, txl.head, txl.tail); it !== NULL;
          it = yield* __wfcq_next(c, txl.head, txl.tail, it)) seen.push(it);
        const d = yield* __wfcq_dequeue(c, txl.head, txl.tail);
        return { ret, seen: seen.slice(1), d, empty: yield* wfcq_empty(c, rdl.head, rdl.tail) };
      });
      expect(value!.ret).toBe(WFCQ_RET_DEST_NON_EMPTY);
      expect(value!.seen).toEqual(n);
      expect(value!.d).not.toBe(NULL);
      expect(value!.empty).toBe(true);
      const fns = new Set(out.trace!.map((e) => e.fn));
      for (const f of ['wfcq_enqueue', '__wfcq_splice', '__wfcq_first', '__wfcq_next',
        '__wfcq_dequeue', 'wfcq_empty']) expect(fns.has(f)).toBe(true);
      expect([...fns].some((f) => f.includes('cds'))).toBe(false);
    });

  it('enqueueing a node whose next is stale is reported as P2 list corruption', () => {
    const m = solo();
    const q = wfcq_alloc(m);
    const n = nodes(m, 2);
    const { out } = runTask(m, function* (c) {
      yield* cds_wfcq_enqueue(c, q.head, q.tail, n[0]!);
      yield* cds_wfcq_enqueue(c, q.head, q.tail, n[1]!);
      yield* __cds_wfcq_dequeue_blocking(c, q.head, q.tail); // n0, still pointing at n1
      yield* cds_wfcq_enqueue(c, q.head, q.tail, n[0]!);
    });
    expect(out.violations[0]!.property).toBe('P2-list-integrity');
    expect(out.violations[0]!.message).toMatch(/n0->next is n1, not NULL/);
  });

  it('with node_init first, a dequeued node may be enqueued again', () => {
    const m = solo();
    const q = wfcq_alloc(m);
    const n = nodes(m, 2);
    const { out } = runTask(m, function* (c) {
      yield* cds_wfcq_enqueue(c, q.head, q.tail, n[0]!);
      yield* cds_wfcq_enqueue(c, q.head, q.tail, n[1]!);
      const d = yield* __cds_wfcq_dequeue_blocking(c, q.head, q.tail);
      yield* cds_wfcq_node_init(c, d);
      yield* cds_wfcq_enqueue(c, q.head, q.tail, d);
    });
    expect(out.status).toBe('done');
    expect(wfcqNodes(m, q.head, q.tail)).toEqual([n[1], n[0]]);
  });
});

describe('queues: wfcqueue: half-linked enqueues', () => {
  /** An enqueuer that stops after publishing the tail; `finish` says whether it links later. */
  function* halfEnqueue(tail: number, node: number, delay: number, finish: boolean):
  Model<void> {
    const old: number = yield xchg(tail, 'p', node, 'cds_wfcq_enqueue');
    for (let i = 0; i < delay; i++) yield READ_ONCE(node, 'next', 'elsewhere');
    if (finish) yield WRITE_ONCE(old, 'next', node, 'cds_wfcq_enqueue');
  }

  it('a dequeuer waits for the link without spending steps (the step count is fixed)', () => {
    const counts = new Set<number>();
    for (let seed = 0; seed < 50; seed++) {
      const m = new Machine({ ncpu: 2, memory: 'sc', seed, trace: true });
      const q = wfcq_alloc(m);
      const n = nodes(m, 1);
      let got = -1;
      m.addTask({ name: 'E', cpu: 0, body: () => halfEnqueue(q.tail, n[0]!, 20, true) });
      m.addTask({
        name: 'D', cpu: 1,
        body: function* (c) {
          // Start after the enqueuer's xchg so the dequeuer must meet the gap.
          while ((yield READ_ONCE(q.tail, 'p', 'poll')) === q.head) { /* retry */ }
          got = yield* __cds_wfcq_dequeue_blocking(c, q.head, q.tail);
        },
      });
      const out = m.run(new RandomScheduler());
      expect(out.status).toBe('done');
      expect(got).toBe(n[0]);
      counts.add(out.steps - out.trace!.filter((e) => e.fn === 'poll').length);
    }
    // Apart from the polling loop the count never varies: the wait is exactly one step.
    expect(counts).toEqual(new Set([22 + 6 + 2])); // +2: each task's start step
  });

  it('an enqueuer that never links leaves the dequeuer deadlocked (P4), named in the report',
    () => {
      const m = machine(2, 'sc');
      const q = wfcq_alloc(m, 'rdl');
      const n = nodes(m, 1);
      m.addTask({ name: 'E', cpu: 0, body: () => halfEnqueue(q.tail, n[0]!, 0, false) });
      m.addTask({
        name: 'D', cpu: 1,
        body: function* (c) {
          while ((yield READ_ONCE(q.tail, 'p', 'poll')) === q.head) { /* retry */ }
          yield* __cds_wfcq_dequeue_blocking(c, q.head, q.tail);
        },
      });
      const out = m.run(new RandomScheduler());
      expect(out.status).toBe('violation');
      expect(out.violations[0]!.property).toBe('P4-locking');
      expect(out.violations[0]!.kind).toBe('deadlock');
      expect(out.violations[0]!.message).toMatch(/busy-waiting in __cds_wfcq_dequeue_blocking/);
      // The stuck state is well formed but, once settled, the tail is unreachable.
      expect(checkWfcq(m, q.head, q.tail)).toBeUndefined();
      expect(checkWfcq(m, q.head, q.tail, true)).toMatch(/not reachable/);
    });

  it('a splice meeting a half-linked first node waits too, then moves it', () => {
    const m = machine(2, 'tso');
    const src = wfcq_alloc(m, 'src');
    const dst = wfcq_alloc(m, 'dst');
    const n = nodes(m, 1);
    let ret = -9;
    m.addTask({ name: 'E', cpu: 0, body: () => halfEnqueue(src.tail, n[0]!, 5, true) });
    m.addTask({
      name: 'S', cpu: 1,
      body: function* (c) {
        while ((yield READ_ONCE(src.tail, 'p', 'poll')) === src.head) { /* retry */ }
        ret = yield* __cds_wfcq_splice_blocking(c, dst.head, dst.tail, src.head, src.tail);
      },
    });
    // Schedule: E's xchg, then S as far as it can go (it waits), then everything else.
    const out = m.run(new ChoicesScheduler([0, ...Array(30).fill(1)]));
    expect(out.status).toBe('done');
    expect(ret).toBe(CDS_WFCQ_RET_DEST_EMPTY);
    expect(wfcqNodes(m, dst.head, dst.tail)).toEqual(n);
    expect(checkWfcq(m, src.head, src.tail, true)).toBeUndefined();
  });
});

describe('queues: wfcqueue: interleavings', () => {
  /**
   * Two producer tasks and a hardirq producer enqueue; a consumer dequeues a few times,
   * splices the rest into a private queue, and dequeues again. At the end both queues are
   * settled and well formed, and consumed + spliced + left over hold every node exactly once,
   * in per-producer order.
   */
  function scenario(memory: 'sc' | 'tso' | 'lkmm', seed: number) {
    const m = machine(3, memory, seed);
    const q = wfcq_alloc(m, 'rdl');
    const tx = wfcq_alloc(m, 'txl');
    const prods = [nodes(m, 3, 'a'), nodes(m, 3, 'b'), nodes(m, 2, 'i')];
    const before: number[] = [];
    const after: number[] = [];
    [0, 1].forEach((p) => m.addTask({
      name: `P${p}`, cpu: p,
      body: function* (c) {
        for (const x of prods[p]!) {
          yield* cds_wfcq_node_init(c, x);
          yield* cds_wfcq_enqueue(c, q.head, q.tail, x);
        }
      },
    }));
    let k = 0;
    m.addIrqSource({
      name: 'irq', cpu: 0, count: 2,
      handler: (c) => cds_wfcq_enqueue(c, q.head, q.tail, prods[2]![k++]!),
    });
    m.addTask({
      name: 'C', cpu: 2,
      body: function* (c) {
        for (let i = 0; i < 2; i++) {
          const d = yield* __cds_wfcq_dequeue_blocking(c, q.head, q.tail);
          if (d !== NULL) before.push(d);
        }
        yield* __cds_wfcq_splice_blocking(c, tx.head, tx.tail, q.head, q.tail);
        const d = yield* __cds_wfcq_dequeue_blocking(c, q.head, q.tail);
        if (d !== NULL) after.push(d);
      },
    });
    m.addObserver(atEnd('wfcq', (mm) => checkWfcq(mm, q.head, q.tail, true) ??
      checkWfcq(mm, tx.head, tx.tail, true) ??
      fifoPerProducer([...before, ...wfcqNodes(mm, tx.head, tx.tail), ...after,
        ...wfcqNodes(mm, q.head, q.tail)], prods)));
    return m;
  }

  for (const memory of ['sc', 'tso', 'lkmm'] as const) {
    it(`no loss, no duplicate, FIFO per producer (${memory}, fc seed 31)`, () => {
      fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 150 }), (choices) => {
        const out = scenario(memory, 0).run(new ChoicesScheduler(choices));
        expect(out.violations).toEqual([]);
        expect(out.status).toBe('done');
      }), fcParams(31, 150));
    });
  }

  it('random schedules, seeds 0..299 (tso)', () => {
    for (let seed = 0; seed < 300; seed++) {
      const out = scenario('tso', seed).run(new RandomScheduler());
      if (out.status !== 'done') throw new Error(`seed ${seed}: ${out.violations[0]?.message}`);
    }
  });
});

describe('queues: wfcqueue: steps and the waits', () => {
  const opsOf = (out: { trace?: { fn: string; op: string }[] }, fn: string) =>
    out.trace!.filter((e) => e.fn === fn).map((e) => e.op);

  it('cds_wfcq_init empties a queue; empty on a non-empty queue reads head->next only', () => {
    const m = solo({ trace: true });
    const q = wfcq_alloc(m, 'q');
    const n = nodes(m, 1);
    const { value, out } = runTask(m, function* (c) {
      yield* cds_wfcq_enqueue(c, q.head, q.tail, n[0]!);
      const full = yield* cds_wfcq_empty(c, q.head, q.tail);
      yield* cds_wfcq_init(c, q.head, q.tail);
      return [full, yield* cds_wfcq_empty(c, q.head, q.tail)];
    });
    expect(value).toEqual([false, true]);
    expect(m.arena.objs[q.head]!.next).toBe(NULL);
    expect(m.arena.objs[q.tail]!.p).toBe(q.head);
    expect(opsOf(out, 'cds_wfcq_empty')).toEqual(['READ_ONCE', 'READ_ONCE', 'READ_ONCE']);
  });

  it('next of a linked node is one READ_ONCE; dequeue of a non-last node four steps', () => {
    const m = solo({ trace: true });
    const q = wfcq_alloc(m, 'q');
    const n = nodes(m, 2);
    const { value, out } = runTask(m, function* (c) {
      for (const x of n) yield* cds_wfcq_enqueue(c, q.head, q.tail, x);
      const nx = yield* __cds_wfcq_next_blocking(c, q.head, q.tail, n[0]!);
      return [nx, yield* __cds_wfcq_dequeue_blocking(c, q.head, q.tail)];
    });
    expect(value).toEqual([n[1], n[0]]);
    expect(opsOf(out, '__cds_wfcq_next_blocking')).toEqual(['READ_ONCE']);
    expect(opsOf(out, '__cds_wfcq_dequeue_blocking'))
      .toEqual(['READ_ONCE', '___cds_wfcq_node_sync_next', 'READ_ONCE', 'store']);
    expect(wfcqNodes(m, q.head, q.tail)).toEqual([n[1]]);
  });

  it('splice of an empty source only loads (no xchg on the source)', () => {
    const m = solo({ trace: true });
    const src = wfcq_alloc(m, 'src');
    const dst = wfcq_alloc(m, 'dst');
    const { value, out } = runTask(m, (c) =>
      __cds_wfcq_splice_blocking(c, dst.head, dst.tail, src.head, src.tail));
    expect(value).toBe(CDS_WFCQ_RET_SRC_EMPTY);
    expect(opsOf(out, '__cds_wfcq_splice_blocking')).toEqual(['READ_ONCE', 'READ_ONCE']);
  });

  it('splice re-checks the tail: a source emptied after its first check is SRC_EMPTY', () => {
    const m = machine(1, 'sc');
    const src = wfcq_alloc(m, 'src');
    const dst = wfcq_alloc(m, 'dst');
    const n = nodes(m, 1);
    const { value, out } = runTask(m, function* (c) {
      yield* cds_wfcq_enqueue(c, src.head, src.tail, n[0]!);
      // The splice has seen src->next != NULL when the only node is dequeued.
      return yield* interleave(
        __cds_wfcq_splice_blocking(c, dst.head, dst.tail, src.head, src.tail), 1,
        __cds_wfcq_dequeue_blocking(c, src.head, src.tail));
    });
    expect(out.status).toBe('done');
    expect(value).toEqual([CDS_WFCQ_RET_SRC_EMPTY, n[0]]);
    expect(wfcqNodes(m, dst.head, dst.tail)).toEqual([]);
  });

  it('next at a half-linked node waits for the link and returns the new node', () => {
    const m = machine(2, 'sc');
    const q = wfcq_alloc(m, 'q');
    const n = nodes(m, 2);
    // n0 is linked; n1's enqueuer has swapped the tail but not yet linked n0->next.
    m.arena.objs[q.head]!.next = n[0]!;
    m.arena.objs[q.tail]!.p = n[1]!;
    let seen: number[] = [];
    m.addTask({ name: 'E', cpu: 0, body: function* () {
      yield WRITE_ONCE(n[0]!, 'next', n[1]!, 'cds_wfcq_enqueue');
    } });
    m.addTask({ name: 'I', cpu: 1, body: function* (c) {
      const first = yield* __cds_wfcq_first_blocking(c, q.head, q.tail);
      seen = [first, yield* __cds_wfcq_next_blocking(c, q.head, q.tail, first)];
    } });
    // I first, as far as it can go (it waits at the gap), then E.
    const out = m.run(new ChoicesScheduler(Array(20).fill(1)));
    expect(out.status).toBe('done');
    expect(seen).toEqual(n);
  });

  it('the busy-wait on a freed source head reports the use-after-free (P3) in the caller', () => {
    const m = machine(1, 'sc');
    const q = wfcq_alloc(m, 'src');
    const n = nodes(m, 1);
    m.arena.objs[q.tail]!.p = n[0]!; // half linked: head->next NULL, the tail elsewhere
    m.arena.free(q.head, { step: 0, ctx: 0, fn: 'kfree' });
    const busy = WFCQ_IMPL.busyWaitOp('___cds_wfcq_busy_wait');
    const { out } = runTask(m, function* () {
      yield custom(busy, q.head, q.tail, undefined, 'splicer');
    });
    expect(out.violations[0]!.property).toBe('P3-memory-safety');
    expect(out.violations[0]!.kind).toBe('use-after-free');
    expect(out.violations[0]!.message).toMatch(
      /^T\d+ in splicer: wait on \.next: use-after-free of src\.head/);
  });

  it('the busy-wait does not wait on a freed tail; the sync wait reports NULL as a bad pointer',
    () => {
      const m = machine(1, 'sc');
      const q = wfcq_alloc(m, 'src');
      const n = nodes(m, 1);
      m.arena.objs[q.tail]!.p = n[0]!;
      m.arena.free(q.tail, { step: 0, ctx: 0, fn: 'kfree' });
      const busy = WFCQ_IMPL.busyWaitOp('___cds_wfcq_busy_wait');
      const sync = WFCQ_IMPL.syncNextOp('___cds_wfcq_node_sync_next');
      const r1 = runTask(m, function* () { yield custom(busy, q.head, q.tail); });
      expect(r1.out.status).toBe('done');
      const { out } = runTask(m, function* () { yield custom(sync, NULL); });
      expect(out.violations[0]!.kind).toBe('bad-pointer');
      // Without a function name of its own, the op reports the task's current one.
      expect(out.violations[0]!.message).toMatch(/^T\d+ in .*: load of \.next: dereference of NULL$/);
    });

  it('a busy-wait nobody ends is a deadlock named after the op when it has no caller name',
    () => {
      const m = machine(1, 'sc');
      const q = wfcq_alloc(m, 'src');
      const n = nodes(m, 1);
      m.arena.objs[q.tail]!.p = n[0]!;
      const busy = WFCQ_IMPL.busyWaitOp('___cds_wfcq_busy_wait');
      const { out } = runTask(m, function* () { yield custom(busy, q.head, q.tail); });
      expect(out.violations[0]!.kind).toBe('deadlock');
      expect(out.violations[0]!.message).toMatch(
        /busy-waiting in ___cds_wfcq_busy_wait: src\.head->next is NULL but the tail is not/);
    });
});

describe('queues: wfcqueue: the waits end and report', () => {
  it('a splice busy-waiting on a half-linked first node goes on once head->next is linked', () => {
    const m = machine(2, 'sc');
    const src = wfcq_alloc(m, 'src');
    const dst = wfcq_alloc(m, 'dst');
    const n = nodes(m, 1);
    // The enqueuer of n0 has swapped the tail, not yet linked src.head->next.
    m.arena.objs[src.tail]!.p = n[0]!;
    let ret = -9;
    m.addTask({ name: 'E', cpu: 0, body: function* () {
      yield WRITE_ONCE(src.head, 'next', n[0]!, 'cds_wfcq_enqueue');
    } });
    m.addTask({ name: 'S', cpu: 1, body: function* (c) {
      ret = yield* __cds_wfcq_splice_blocking(c, dst.head, dst.tail, src.head, src.tail);
    } });
    // S first, as far as it can go (it waits), then E.
    const out = m.run(new ChoicesScheduler(Array(20).fill(1)));
    expect(out.status).toBe('done');
    expect(ret).toBe(CDS_WFCQ_RET_DEST_EMPTY);
    expect(wfcqNodes(m, dst.head, dst.tail)).toEqual(n);
    expect(checkWfcq(m, src.head, src.tail, true)).toBeUndefined();
  });

  it('a node_sync_next nobody ends is a deadlock naming the caller and the node', () => {
    const m = machine(1, 'sc');
    const q = wfcq_alloc(m, 'rdl');
    const sync = WFCQ_IMPL.syncNextOp('___wfcq_node_sync_next');
    const { out } = runTask(m, function* () { yield custom(sync, q.head, undefined, undefined,
      '__wfcq_dequeue'); });
    expect(out.violations[0]!.kind).toBe('deadlock');
    expect(out.violations[0]!.message).toContain('busy-waiting in __wfcq_dequeue for ' +
      'rdl.head->next (an enqueuer stopped between xchg(&tail->p) and linking the old tail)');
    const m2 = machine(1, 'sc');
    const q2 = wfcq_alloc(m2, 'rdl');
    const r2 = runTask(m2, function* () { yield custom(sync, q2.head); });
    expect(r2.out.violations[0]!.message).toContain('busy-waiting in ___wfcq_node_sync_next for');
  });
});

describe('queues: wfcqueue: the splice wait also ends when the source is emptied', () => {
  it('a dequeuer takes the node the splicer waited for: the splice finds SRC_EMPTY', () => {
    const m = machine(3, 'sc');
    const src = wfcq_alloc(m, 'src');
    const dst = wfcq_alloc(m, 'dst');
    const n = nodes(m, 1);
    m.arena.objs[src.tail]!.p = n[0]!; // n0's enqueuer has swapped the tail only
    let ret = -9;
    let got = -9;
    m.addTask({ name: 'E', cpu: 0, body: function* () {
      yield WRITE_ONCE(src.head, 'next', n[0]!, 'cds_wfcq_enqueue');
    } });
    m.addTask({ name: 'D', cpu: 1, body: function* (c) {
      got = yield* __cds_wfcq_dequeue_blocking(c, src.head, src.tail);
    } });
    m.addTask({ name: 'S', cpu: 2, body: function* (c) {
      ret = yield* __cds_wfcq_splice_blocking(c, dst.head, dst.tail, src.head, src.tail);
    } });
    // S until it waits (5 steps), then E links, then D dequeues n0, then S goes on.
    const out = m.run(new ChoicesScheduler([2, 2, 2, 2, 2]));
    expect(out.status).toBe('done');
    expect([got, ret]).toEqual([n[0], CDS_WFCQ_RET_SRC_EMPTY]);
    expect(wfcqNodes(m, dst.head, dst.tail)).toEqual([]);
  });
});
