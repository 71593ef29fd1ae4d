import { describe, expect, it } from 'vitest';
import { LIST_POISON1, LIST_POISON2 } from '../../src/queues/arena.ts';
import {
  checkList, list_add, list_add_tail, list_del, list_del_init, list_del_init_careful,
  list_empty, list_empty_careful, list_entry, list_head_alloc, list_move_tail, list_splice,
  list_splice_init, list_splice_tail_init, listOwners,
} from '../../src/queues/list.ts';
import type { Machine } from '../../src/sim/machine.ts';
import { load } from '../../src/sim/mem.ts';
import { runTask, solo } from './helpers.ts';

/** A head plus `n` entries owned by objects 'a', 'b', ... (owners are item objects). */
function setup(m: Machine, n: number): { head: number; e: number[]; own: number[] } {
  const head = list_head_alloc(m, 0, 'head');
  const own: number[] = [];
  const e: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = m.alloc('item', { id: i }, `item${i}`);
    own.push(o);
    e.push(list_head_alloc(m, o, `link${i}`));
  }
  return { head, e, own };
}

describe('queues: list: single-threaded', () => {
  it('list_add inserts at the head (stack order)', () => {
    const m = solo();
    const { head, e, own } = setup(m, 3);
    const { out } = runTask(m, function* (c) {
      for (const x of e) yield* list_add(c, x, head);
    });
    expect(out.status).toBe('done');
    expect(checkList(m, head)).toBeUndefined();
    expect(listOwners(m, head)).toEqual([own[2], own[1], own[0]]);
  });

  it('list_add_tail inserts at the tail (queue order)', () => {
    const m = solo();
    const { head, e, own } = setup(m, 3);
    runTask(m, function* (c) {
      for (const x of e) yield* list_add_tail(c, x, head);
    });
    expect(checkList(m, head)).toBeUndefined();
    expect(listOwners(m, head)).toEqual(own);
  });

  it('list_del unlinks and poisons the entry', () => {
    const m = solo();
    const { head, e, own } = setup(m, 3);
    runTask(m, function* (c) {
      for (const x of e) yield* list_add_tail(c, x, head);
      yield* list_del(c, e[1]!);
    });
    expect(checkList(m, head)).toBeUndefined();
    expect(listOwners(m, head)).toEqual([own[0], own[2]]);
    expect(m.arena.objs[e[1]!]!.next).toBe(LIST_POISON1);
    expect(m.arena.objs[e[1]!]!.prev).toBe(LIST_POISON2);
  });

  it('following a poisoned pointer after list_del is a P3 dereference of LIST_POISON1', () => {
    const m = solo();
    const { head, e } = setup(m, 1);
    const { out } = runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
      yield* list_del(c, e[0]!);
      const next: number = yield load(e[0]!, 'next', 'walker');
      yield load(next, 'prev', 'walker');
    });
    expect(out.status).toBe('violation');
    expect(out.violations[0]!.property).toBe('P3-memory-safety');
    expect(out.violations[0]!.message).toContain('LIST_POISON1');
  });

  it('list_del_init leaves the entry empty; list_empty sees it', () => {
    const m = solo();
    const { head, e } = setup(m, 2);
    const { value } = runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
      yield* list_add_tail(c, e[1]!, head);
      yield* list_del_init(c, e[0]!);
      const a = yield* list_empty(c, e[0]!);
      const b = yield* list_empty(c, head);
      yield* list_del_init_careful(c, e[1]!);
      const d = yield* list_empty_careful(c, e[1]!);
      const h = yield* list_empty_careful(c, head);
      return [a, b, d, h];
    });
    expect(value).toEqual([true, false, true, true]);
    expect(checkList(m, head)).toBeUndefined();
    expect(checkList(m, e[0]!)).toBeUndefined();
  });

  it('list_splice_init joins at the head and empties the source', () => {
    const m = solo();
    const { head, e, own } = setup(m, 3);
    const src = list_head_alloc(m, 0, 'src');
    runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
      yield* list_add_tail(c, e[1]!, src);
      yield* list_add_tail(c, e[2]!, src);
      yield* list_splice_init(c, src, head);
      yield* list_splice_init(c, src, head); // empty source: no-op
    });
    expect(listOwners(m, head)).toEqual([own[1], own[2], own[0]]);
    expect(listOwners(m, src)).toEqual([]);
    expect(checkList(m, head)).toBeUndefined();
    expect(checkList(m, src)).toBeUndefined();
  });

  it('list_splice_tail_init joins at the tail and empties the source', () => {
    const m = solo();
    const { head, e, own } = setup(m, 3);
    const src = list_head_alloc(m, 0, 'src');
    runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
      yield* list_add_tail(c, e[1]!, src);
      yield* list_add_tail(c, e[2]!, src);
      yield* list_splice_tail_init(c, src, head);
    });
    expect(listOwners(m, head)).toEqual(own);
    expect(listOwners(m, src)).toEqual([]);
    expect(checkList(m, head)).toBeUndefined();
  });

  it('list_splice_tail_init of an empty list changes nothing and takes one step', () => {
    const m = solo({ trace: true });
    const { head, e, own } = setup(m, 2);
    const src = list_head_alloc(m, 0, 'src');
    runTask(m, function* (c) {
      for (const x of e) yield* list_add_tail(c, x, head);
    });
    const before = runTask(m, function* () {}).out.trace!.length;
    const { out } = runTask(m, function* (c) {
      yield* list_splice_tail_init(c, src, head);
    });
    expect(listOwners(m, head)).toEqual(own);
    expect(checkList(m, head)).toBeUndefined();
    expect(m.arena.objs[src]!.next).toBe(src);
    // Only list_empty's load of src->next: nothing is written to either list.
    const ops = out.trace!.slice(before).map((t) => `${t.fn}: ${t.op}`)
      .filter((x) => !/task|start|exit/.test(x));
    expect(ops).toEqual(['list_splice_tail_init: READ_ONCE']);
  });

  it('list_move_tail moves within a list and between lists', () => {
    const m = solo();
    const { head, e, own } = setup(m, 3);
    const other = list_head_alloc(m, 0, 'other');
    runTask(m, function* (c) {
      for (const x of e) yield* list_add_tail(c, x, head);
      yield* list_move_tail(c, e[0]!, head);
    });
    expect(listOwners(m, head)).toEqual([own[1], own[2], own[0]]);
    runTask(m, function* (c) {
      yield* list_move_tail(c, e[2]!, other);
    });
    expect(listOwners(m, head)).toEqual([own[1], own[0]]);
    expect(listOwners(m, other)).toEqual([own[2]]);
    expect(checkList(m, head)).toBeUndefined();
    expect(checkList(m, other)).toBeUndefined();
  });
});

describe('queues: list: CONFIG_DEBUG_LIST', () => {
  it('a double list_add_tail is reported as P2 list corruption (double add)', () => {
    const m = solo();
    const { head, e } = setup(m, 1);
    const { out } = runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
      yield* list_add_tail(c, e[0]!, head);
    });
    expect(out.status).toBe('violation');
    expect(out.violations[0]!.property).toBe('P2-list-integrity');
    expect(out.violations[0]!.kind).toBe('list-corruption');
    expect(out.violations[0]!.message).toContain('double add');
  });

  it('a double list_add is reported as a double add', () => {
    const m = solo();
    const { head, e } = setup(m, 1);
    const { out } = runTask(m, function* (c) {
      yield* list_add(c, e[0]!, head);
      yield* list_add(c, e[0]!, head);
    });
    expect(out.violations[0]!.message).toContain('double add');
  });

  it('a double list_del is reported (next is LIST_POISON1)', () => {
    const m = solo();
    const { head, e } = setup(m, 1);
    const { out } = runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
      yield* list_del(c, e[0]!);
      yield* list_del(c, e[0]!);
    });
    expect(out.status).toBe('violation');
    expect(out.violations[0]!.property).toBe('P2-list-integrity');
    expect(out.violations[0]!.message).toContain('LIST_POISON1');
  });

  it('adding next to an entry whose neighbour disagrees is reported', () => {
    const m = solo();
    const { head, e } = setup(m, 2);
    runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
    });
    m.arena.objs[head]!.prev = e[1]!; // corrupt by hand: head->prev names a stranger
    expect(checkList(m, head)).toMatch(/->prev is/);
    const { out } = runTask(m, function* (c) {
      yield* list_add(c, e[1]!, e[0]!);
    });
    expect(out.violations[0]!.message).toMatch(/list_add corruption/);
  });

  // Each DEBUG_LIST branch on its own: a check switched off must fail one of these.
  it('list_add: next->prev disagreeing with prev is reported as such', () => {
    const m = solo();
    const { head, e } = setup(m, 3);
    runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
    });
    m.arena.objs[head]!.prev = e[2]!; // next (head) ->prev names a stranger; prev->next ok
    const { out } = runTask(m, function* (c) {
      yield* list_add(c, e[1]!, e[0]!);
    });
    expect(out.violations[0]!.message).toMatch(/next->prev should be prev \(link0\), but was link2/);
  });

  it('list_add: prev->next disagreeing with next is reported as such', () => {
    const m = solo();
    const { head, e } = setup(m, 3);
    runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
    });
    m.arena.objs[e[0]!]!.next = e[2]!; // prev (link0) ->next names a stranger; next->prev ok
    const { out } = runTask(m, function* (c) {
      yield* list_add_tail(c, e[1]!, head);
    });
    expect(out.violations[0]!.message).toMatch(/prev->next should be next \(head\), but was link2/);
  });

  it('list_del: prev->next not naming the entry is reported', () => {
    const m = solo();
    const { head, e } = setup(m, 3);
    runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
      yield* list_add_tail(c, e[1]!, head);
    });
    m.arena.objs[e[0]!]!.next = e[2]!;
    const { out } = runTask(m, function* (c) {
      yield* list_del(c, e[1]!);
    });
    expect(out.violations[0]!.message).toMatch(/list_del corruption\. prev->next should be link1, but was link2/);
  });

  it('list_del: next->prev not naming the entry is reported', () => {
    const m = solo();
    const { head, e } = setup(m, 3);
    runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
      yield* list_add_tail(c, e[1]!, head);
    });
    m.arena.objs[head]!.prev = e[2]!;
    const { out } = runTask(m, function* (c) {
      yield* list_del(c, e[1]!);
    });
    expect(out.violations[0]!.message).toMatch(/list_del corruption\. next->prev should be link1, but was link2/);
  });

  it('list_del: prev is LIST_POISON2 is reported', () => {
    const m = solo();
    const { head, e } = setup(m, 1);
    runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
    });
    m.arena.objs[e[0]!]!.prev = LIST_POISON2;
    const { out } = runTask(m, function* (c) {
      yield* list_del(c, e[0]!);
    });
    expect(out.violations[0]!.message).toMatch(/link0->prev is LIST_POISON2/);
  });
});

describe('queues: list: checkList', () => {
  it('finds a cycle that skips the head (some node then has two predecessors)', () => {
    const m = solo();
    const { head, e } = setup(m, 2);
    runTask(m, function* (c) {
      for (const x of e) yield* list_add_tail(c, x, head);
    });
    m.arena.objs[e[1]!]!.next = e[0]!;
    m.arena.objs[e[0]!]!.prev = e[1]!;
    expect(checkList(m, head, 100)).toMatch(/link0->prev is link1, expected head/);
  });

  it('finds a freed entry', () => {
    const m = solo();
    const { head, e } = setup(m, 1);
    const { out } = runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
      c.m.free(c, e[0]!);
    });
    expect(out.status).toBe('done');
    expect(checkList(m, head)).toMatch(/use-after-free/);
  });
});

describe('queues: list: list_entry, list_splice, list_empty_careful', () => {
  it('list_entry is container_of: the owner fixed at allocation', () => {
    const m = solo();
    const { head, e, own } = setup(m, 2);
    expect(e.map((x) => list_entry(m, x))).toEqual(own);
    expect(list_entry(m, head)).toBe(0);
  });

  it('list_splice joins at the head, leaves the source as it was; an empty one: no-op', () => {
    const m = solo();
    const { head, e, own } = setup(m, 3);
    const src = list_head_alloc(m, 0, 'src');
    const empty = list_head_alloc(m, 0, 'empty');
    runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
      yield* list_add_tail(c, e[1]!, src);
      yield* list_add_tail(c, e[2]!, src);
      yield* list_splice(c, empty, head);
    });
    expect(listOwners(m, head)).toEqual([own[0]]);
    expect(m.arena.objs[empty]!.next).toBe(empty);
    expect(m.arena.objs[empty]!.prev).toBe(empty);
    runTask(m, function* (c) {
      yield* list_splice(c, src, head);
    });
    expect(listOwners(m, head)).toEqual([own[1], own[2], own[0]]);
    expect(checkList(m, head)).toBeUndefined();
    // Not re-initialised: src still points into the list it was joined to.
    expect(m.arena.objs[src]!.next).toBe(e[1]);
    expect(m.arena.objs[src]!.prev).toBe(e[2]);
  });

  it('list_empty_careful: false for a non-empty list and for a half-unlinked head', () => {
    const m = solo();
    const { head, e } = setup(m, 1);
    const half = list_head_alloc(m, 0, 'half');
    const { value } = runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
      const full = yield* list_empty_careful(c, head);
      // next already points back to itself, prev not yet (list_del_init_careful's window).
      c.m.arena.objs[half]!.prev = e[0]!;
      const prevPending = yield* list_empty_careful(c, half);
      // next still points away although prev is back (the other half-written state).
      c.m.arena.objs[half]!.prev = half;
      c.m.arena.objs[half]!.next = e[0]!;
      const nextPending = yield* list_empty_careful(c, half);
      return [full, prevPending, nextPending];
    });
    expect(value).toEqual([false, false, false]);
  });
});

describe('queues: list: DEBUG_LIST against freed neighbours', () => {
  it('list_add next to a freed entry reports next->prev as the freed entry itself (P2)', () => {
    const m = solo();
    const { head, e } = setup(m, 2);
    runTask(m, function* (c) {
      yield* list_add_tail(c, e[0]!, head);
    });
    // link0 is freed while still on the list; its stale prev still names head.
    m.arena.free(e[0]!, { step: 1, ctx: 0, fn: 'kfree' });
    const { out } = runTask(m, function* (c) {
      yield* list_add(c, e[1]!, head);
    });
    expect(out.violations[0]!.property).toBe('P2-list-integrity');
    expect(out.violations[0]!.message).toBe(
      'list_add corruption. next->prev should be prev (head), but was link0. (next=link0)');
  });
});

describe('queues: list: checkList and listOwners bounds', () => {
  it('a list longer than max has no way back to the head within max nodes', () => {
    const m = solo();
    const { head, e, own } = setup(m, 3);
    runTask(m, function* (c) {
      for (const x of e) yield* list_add_tail(c, x, head);
    });
    expect(checkList(m, head, 3)).toBeUndefined();
    expect(checkList(m, head, 2)).toBe(
      'list head: no way back to the head after 2 nodes (a cycle)');
    expect(listOwners(m, head, 2)).toEqual([own[0], own[1]]);
    expect(listOwners(m, head, 3)).toEqual(own);
  });

  it('a freed head, and a freed entry named as the next of its predecessor', () => {
    const m = solo();
    const { head, e } = setup(m, 2);
    runTask(m, function* (c) {
      for (const x of e) yield* list_add_tail(c, x, head);
    });
    m.arena.free(e[1]!, { step: 3, ctx: 0, fn: 'kfree' });
    expect(checkList(m, head)).toBe(
      'list head: link0->next: use-after-free of link1 (freed at step 3 by ctx 0 in kfree)');
    expect(listOwners(m, head)).toEqual([list_entry(m, e[0]!)]);
    m.arena.free(head, { step: 4, ctx: 0, fn: 'kfree' });
    expect(checkList(m, head)).toBe(
      'list head: use-after-free of head (freed at step 4 by ctx 0 in kfree) after 0 nodes');
  });
});
