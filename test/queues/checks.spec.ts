/**
 * The structure checkers and walkers the observers use (llist, ovflist, wfcqueue), on
 * structures built by hand: well formed, a freed node, a cycle (caught within the bound
 * and no sooner), a bad head; and the walkers' stops (NULL, a freed node, the `max`).
 */
import { describe, expect, it } from 'vitest';
import { EP_UNACTIVE_PTR, NULL } from '../../src/queues/arena.ts';
import {
  checkLlist, checkLlistChain, llist_head_alloc, llist_node_alloc, llistNodes,
} from '../../src/queues/llist.ts';
import { checkOvflist, ovflistItems } from '../../src/queues/ovflist.ts';
import { checkWfcq, wfcq_alloc, wfcq_node_alloc, wfcqNodes } from '../../src/queues/wfcqueue.ts';
import type { Machine } from '../../src/sim/machine.ts';
import { solo } from './helpers.ts';

const free = (m: Machine, h: number) => m.arena.free(h, { step: 1, ctx: 0, fn: 'kfree' });

/** head -> n0 -> n1 -> n2 -> NULL */
function llist(m: Machine): { head: number; n: number[] } {
  const head = llist_head_alloc(m, 'lh');
  const n = [0, 1, 2].map((i) => llist_node_alloc(m, 0, `n${i}`));
  m.arena.objs[head]!.first = n[0]!;
  m.arena.objs[n[0]!]!.next = n[1]!;
  m.arena.objs[n[1]!]!.next = n[2]!;
  return { head, n };
}

describe('queues: llist checks', () => {
  it('a NULL-terminated list passes; its nodes in order; max stops the walk', () => {
    const m = solo();
    const { head, n } = llist(m);
    expect(checkLlist(m, head)).toBeUndefined();
    expect(llistNodes(m, n[0]!)).toEqual(n);
    expect(llistNodes(m, n[0]!, 2)).toEqual(n.slice(0, 2));
    expect(llistNodes(m, NULL)).toEqual([]);
  });

  it('a freed head, a freed node, a cycle', () => {
    const m = solo();
    const { head, n } = llist(m);
    free(m, n[1]!);
    expect(checkLlist(m, head)).toMatch(/^llist lh: node 1: use-after-free of n1/);
    expect(llistNodes(m, n[0]!)).toEqual([n[0]]);
    free(m, head);
    expect(checkLlist(m, head)).toMatch(/^llist lh: use-after-free of lh/);
    const m2 = solo();
    const l2 = llist(m2);
    m2.arena.objs[l2.n[2]!]!.next = l2.n[0]!;
    expect(checkLlistChain(m2, l2.n[0]!)).toMatch(/not NULL terminated after \d+ nodes \(a cycle\)/);
    // A cap below the arena's size is the bound; a chain exactly as long as it passes.
    expect(checkLlistChain(m2, l2.n[0]!, 2, 'c')).toBe(
      'llist c: not NULL terminated after 2 nodes (a cycle)');
    m2.arena.objs[l2.n[2]!]!.next = NULL;
    expect(checkLlistChain(m2, l2.n[0]!, 3)).toBeUndefined();
  });
});

/** ep with ovflist ep -> a -> b -> NULL (items' next). */
function ovf(m: Machine): { ep: number; a: number; b: number } {
  const ep = m.alloc('eventpoll', { ovflist: EP_UNACTIVE_PTR }, 'ep');
  const a = m.alloc('epitem', { next: EP_UNACTIVE_PTR }, 'a');
  const b = m.alloc('epitem', { next: EP_UNACTIVE_PTR }, 'b');
  return { ep, a, b };
}

describe('queues: ovflist checks', () => {
  it('inactive passes with no items; an active chain passes and walks newest first', () => {
    const m = solo();
    const { ep, a, b } = ovf(m);
    expect(checkOvflist(m, ep)).toBeUndefined();
    expect(ovflistItems(m, ep)).toEqual([]);
    m.arena.objs[ep]!.ovflist = a;
    m.arena.objs[a]!.next = b;
    m.arena.objs[b]!.next = NULL;
    expect(checkOvflist(m, ep)).toBeUndefined();
    expect(ovflistItems(m, ep)).toEqual([a, b]);
    expect(ovflistItems(m, ep, 1)).toEqual([a]);
    m.arena.objs[ep]!.ovflist = NULL;
    expect(checkOvflist(m, ep)).toBeUndefined();
    expect(ovflistItems(m, ep)).toEqual([]);
  });

  it('a chained item whose next is EP_UNACTIVE_PTR, a freed item, a cycle, a freed ep', () => {
    const m = solo();
    const { ep, a, b } = ovf(m);
    m.arena.objs[ep]!.ovflist = a;
    m.arena.objs[a]!.next = b;
    expect(checkOvflist(m, ep)).toBe(
      'ovflist of ep: b is chained (item 1) but its next is EP_UNACTIVE_PTR');
    m.arena.objs[b]!.next = a;
    expect(checkOvflist(m, ep)).toMatch(/^ovflist of ep: not NULL terminated after \d+ items/);
    expect(checkOvflist(m, ep, 2)).toBe(
      'ovflist of ep: not NULL terminated after 2 items (a cycle)');
    m.arena.objs[b]!.next = NULL;
    expect(checkOvflist(m, ep, 2)).toBeUndefined();
    free(m, b);
    expect(checkOvflist(m, ep)).toMatch(/^ovflist of ep: a->next: use-after-free of b/);
    expect(ovflistItems(m, ep)).toEqual([a]);
    free(m, a);
    expect(checkOvflist(m, ep)).toMatch(/^ovflist of ep: ep->ovflist: use-after-free of a/);
    free(m, ep);
    expect(checkOvflist(m, ep)).toMatch(/^ovflist: eventpoll ep: use-after-free/);
  });
});

describe('queues: wfcqueue checks', () => {
  /** head -> x -> y, tail->p = y. */
  function q(m: Machine) {
    const w = wfcq_alloc(m, 'q');
    const x = wfcq_node_alloc(m, 0, 'x');
    const y = wfcq_node_alloc(m, 0, 'y');
    m.arena.objs[w.head]!.next = x;
    m.arena.objs[x]!.next = y;
    m.arena.objs[w.tail]!.p = y;
    return { ...w, x, y };
  }

  it('empty and two-node queues pass; the nodes in order', () => {
    const m = solo();
    const e = wfcq_alloc(m, 'e');
    expect(checkWfcq(m, e.head, e.tail, true)).toBeUndefined();
    expect(wfcqNodes(m, e.head, e.tail)).toEqual([]);
    const w = q(m);
    expect(checkWfcq(m, w.head, w.tail, true)).toBeUndefined();
    expect(wfcqNodes(m, w.head, w.tail)).toEqual([w.x, w.y]);
    expect(wfcqNodes(m, w.head, w.tail, 1)).toEqual([w.x]);
  });

  it('a gap (half-linked enqueue) is a problem only when settled', () => {
    const m = solo();
    const w = q(m);
    m.arena.objs[w.x]!.next = NULL;
    expect(checkWfcq(m, w.head, w.tail)).toBeUndefined();
    expect(checkWfcq(m, w.head, w.tail, true)).toBe('wfcq q.head: x->next is NULL after 1 ' +
      'nodes but the tail is y: the tail is not reachable from the head');
    expect(wfcqNodes(m, w.head, w.tail)).toEqual([w.x]);
  });

  it('the tail with a next, a freed node, head, tail or tail->p, a cycle', () => {
    const m = solo();
    const w = q(m);
    m.arena.objs[w.y]!.next = w.x;
    expect(checkWfcq(m, w.head, w.tail)).toBe('wfcq q.head: the tail y has next x, not NULL');
    // The walker stops at the tail, whatever its next says.
    expect(wfcqNodes(m, w.head, w.tail)).toEqual([w.x, w.y]);
    m.arena.objs[w.y]!.next = NULL;
    m.arena.objs[w.tail]!.p = w.head; // the tail says empty, but the chain goes on forever
    m.arena.objs[w.y]!.next = w.x;
    expect(checkWfcq(m, w.head, w.tail)).toBe('wfcq q.head: the tail q.head has next x, not NULL');
    m.arena.objs[w.tail]!.p = m.alloc('wfcq_node', { next: NULL }, 'z');
    expect(checkWfcq(m, w.head, w.tail)).toMatch(/the tail is not reached after \d+ nodes \(a cycle\)/);
    expect(checkWfcq(m, w.head, w.tail, false, 3)).toBe(
      'wfcq q.head: the tail is not reached after 3 nodes (a cycle)');
    const m2 = solo();
    const w2 = q(m2);
    free(m2, w2.x);
    expect(checkWfcq(m2, w2.head, w2.tail)).toMatch(/^wfcq q\.head: q\.head->next: use-after-free of x/);
    expect(wfcqNodes(m2, w2.head, w2.tail)).toEqual([]);
    free(m2, w2.y);
    expect(checkWfcq(m2, w2.head, w2.tail)).toMatch(/^wfcq q\.head: tail->p: use-after-free of y/);
    free(m2, w2.tail);
    expect(checkWfcq(m2, w2.head, w2.tail)).toMatch(/^wfcq q\.head: tail: use-after-free/);
    free(m2, w2.head);
    expect(checkWfcq(m2, w2.head, w2.tail)).toMatch(/^wfcq q\.head: head: use-after-free/);
  });

  it('a settled queue longer than max is reported as a cycle; max bounds the walker', () => {
    const m = solo();
    const w = q(m);
    expect(checkWfcq(m, w.head, w.tail, true, 2)).toBeUndefined();
    expect(checkWfcq(m, w.head, w.tail, true, 1)).toBe(
      'wfcq q.head: the tail is not reached after 1 nodes (a cycle)');
    expect(wfcqNodes(m, w.head, w.tail, 2)).toEqual([w.x, w.y]);
  });
});

