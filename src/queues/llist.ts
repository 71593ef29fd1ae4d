/**
 * include/linux/llist.h and lib/llist.c (v6.18): the lock-less NULL terminated singly linked
 * list. A head is `{first}`, a node `{next, owner}` (any object with a `next` field works).
 * Adds push at the head (LIFO); consumers take the whole list with llist_del_all() and
 * usually restore FIFO order with llist_reverse_order().
 *
 * CONTRACT (lib/llist.c): any number of llist_add() and llist_del_all() callers may run
 * concurrently, but only one llist_del_first() user at a time (against adds) without a lock:
 * two of them can suffer ABA on `head->first`. The model does not check that; the damage
 * shows up in checkLlist() or as lost or duplicated nodes.
 */
import type { Ctx, MachineAccess } from '../sim/context.ts';
import { cmpxchg, READ_ONCE, smp_load_acquire, store, xchg } from '../sim/mem.ts';
import type { Model } from '../sim/op.ts';
import { NULL } from './arena.ts';

/** Allocates an empty `llist_head` (LLIST_HEAD_INIT: private at allocation, so no steps). */
export function llist_head_alloc(m: MachineAccess, label?: string): number {
  return m.alloc('llist_head', { first: NULL }, label);
}

/** Allocates an `llist_node` embedded (by reference) in `owner`, with `next` NULL. */
export function llist_node_alloc(m: MachineAccess, owner: number, label?: string): number {
  return m.alloc('llist_node', { next: NULL, owner }, label);
}

/** include/linux/llist.h: init_llist_head() (`list->first = NULL`). */
export function* init_llist_head(_c: Ctx, head: number): Model<void> {
  yield store(head, 'first', NULL, 'init_llist_head');
}

/**
 * lib/llist.c (v6.18): llist_add_batch(). Pushes the private chain `newFirst..newLast` and
 * returns whether the list was empty before. Every failed try_cmpxchg is a retry: one more
 * store to `newLast->next` and one more cmpxchg, each a step.
 */
export function* llist_add_batch(_c: Ctx, newFirst: number, newLast: number, head: number,
  fn = 'llist_add_batch'): Model<boolean> {
  let first: number = yield READ_ONCE(head, 'first', fn);
  for (;;) {
    yield store(newLast, 'next', first, fn);
    // try_cmpxchg(&head->first, &first, new_first): on failure `first` gets the value seen.
    const seen: number = yield cmpxchg(head, 'first', first, newFirst, fn);
    if (seen === first) break;
    first = seen;
  }
  return first === NULL;
}

/** include/linux/llist.h: llist_add() = llist_add_batch(new, new, head). */
export function llist_add(c: Ctx, n: number, head: number): Model<boolean> {
  return llist_add_batch(c, n, n, head, 'llist_add');
}

/** include/linux/llist.h: llist_del_all(). Takes the whole chain (newest first). */
export function* llist_del_all(_c: Ctx, head: number): Model<number> {
  return (yield xchg(head, 'first', NULL, 'llist_del_all')) as number;
}

/**
 * lib/llist.c (v6.18): llist_del_first(). Removes and returns the newest node, or NULL.
 * Only one such consumer at a time (see the file header).
 */
export function* llist_del_first(_c: Ctx, head: number): Model<number> {
  const fn = 'llist_del_first';
  let entry: number = yield smp_load_acquire(head, 'first', fn);
  for (;;) {
    if (entry === NULL) return NULL;
    const next: number = yield READ_ONCE(entry, 'next', fn);
    const seen: number = yield cmpxchg(head, 'first', entry, next, fn);
    if (seen === entry) return entry;
    entry = seen;
  }
}

/** include/linux/llist.h: llist_empty() (`READ_ONCE(head->first) == NULL`). */
export function* llist_empty(_c: Ctx, head: number): Model<boolean> {
  return (yield READ_ONCE(head, 'first', 'llist_empty')) === NULL;
}

/**
 * lib/llist.c (v6.18): llist_reverse_order(). Reverses a *private* chain (one taken with
 * llist_del_all()) and returns its new first node. Not a scheduling point: no other CPU can
 * reach these nodes any more, so interleaving inside the loop could not change anything.
 * The accesses still go through this CPU's view of memory (store buffer included), and a
 * freed or poisoned node is reported as P3.
 */
export function llist_reverse_order(c: Ctx, first: number): number {
  const m = c.m;
  let newHead = NULL as number;
  let pos = first;
  while (pos !== NULL) {
    const why = m.arena.badAccess(pos);
    if (why !== undefined) {
      m.fault(c, 'P3-memory-safety', why.startsWith('use-after-free') ? 'use-after-free'
        : 'bad-pointer', `${c.name} in llist_reverse_order: ${why}`);
    }
    const tmp = pos;
    pos = m.memory.readSeen(c.cpu, tmp, 'next') as number;
    m.memory.write(c.cpu, tmp, 'next', newHead);
    newHead = tmp;
  }
  return newHead;
}

/**
 * Checks a list in global memory (for observers; not a model step): every node live and the
 * chain NULL terminated within `max` nodes and the arena's size (else a cycle). Returns the
 * first problem or undefined.
 */
export function checkLlist(m: MachineAccess, head: number, max = 10_000): string | undefined {
  const a = m.arena;
  if (!a.isLive(head)) return `llist ${a.label(head)}: ${a.badAccess(head)}`;
  return checkLlistChain(m, m.memory.readGlobal(head, 'first') as number, max, a.label(head));
}

/** Like {@link checkLlist} for a chain that starts at node `first` (a private list). */
export function checkLlistChain(m: MachineAccess, first: number, max = 10_000, what = 'chain'):
string | undefined {
  const a = m.arena;
  const bound = Math.min(max, a.objs.length);
  let pos = first;
  for (let i = 0; pos !== NULL; i++) {
    if (!a.isLive(pos)) return `llist ${what}: node ${i}: ${a.badAccess(pos)}`;
    if (i >= bound) return `llist ${what}: not NULL terminated after ${bound} nodes (a cycle)`;
    pos = m.memory.readGlobal(pos, 'next') as number;
  }
  return undefined;
}

/** The nodes of a chain from `first`, from global memory (for tests); at most `max`. */
export function llistNodes(m: MachineAccess, first: number, max = 10_000): number[] {
  const out: number[] = [];
  let pos = first;
  while (pos !== NULL && out.length < max && m.arena.isLive(pos)) {
    out.push(pos);
    pos = m.memory.readGlobal(pos, 'next') as number;
  }
  return out;
}
