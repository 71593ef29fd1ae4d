/**
 * include/linux/list.h (v6.18) over arena handles, with CONFIG_DEBUG_LIST checks
 * (lib/list_debug.c) and LIST_POISON on list_del.
 *
 * A `list_head` is its own arena object `{next, prev, owner}`; `owner` is the containing
 * object (what `container_of` / `list_entry` return), fixed at allocation. Every pointer load
 * and store the kernel code does is a scheduling point, because lockless readers (a
 * `list_empty` outside the lock, `waitqueue_active`) can observe the intermediate states.
 * The DEBUG_LIST validation reads are done inline (they check the kernel, they are not part
 * of it) from this CPU's view of memory.
 *
 * CONTRACT: callers hold whatever lock protects the list; the model does not check that here
 * (lockdep_assert_held is the caller's job), but corruption from a missing lock shows up as a
 * DEBUG_LIST report or in the list-integrity checker.
 */
import type { Ctx, MachineAccess } from '../sim/context.ts';
import { load, READ_ONCE, smp_store_release, store, WRITE_ONCE } from '../sim/mem.ts';
import type { Model } from '../sim/op.ts';
import { LIST_POISON1, LIST_POISON2, type Ref } from './arena.ts';

/** A `struct list_head` handle. */
export type ListHead = Ref<'list_head'>;

/**
 * Allocates a `list_head` embedded (by reference) in `owner`, initialised empty
 * (INIT_LIST_HEAD at allocation time: the object is still private, so no steps).
 */
export function list_head_alloc(m: MachineAccess, owner: number, label?: string): ListHead {
  const h = m.alloc('list_head', { next: 0, prev: 0, owner }, label) as ListHead;
  // A list_head with an owner is a member of it (list_entry is container_of).
  m.arena.embed(h, owner);
  const o = m.arena.objs[h]!;
  o.next = h;
  o.prev = h;
  return h;
}

/** `list_entry(ptr)`: the object a list_head is embedded in. */
export function list_entry(m: MachineAccess, node: number): number {
  return m.arena.objs[node]!.owner as number;
}

function view(c: Ctx, h: number, f: string): number {
  if (!c.m.arena.isLive(h)) return h;
  return c.m.memory.read(c.cpu, h, f) as number;
}

function corrupt(c: Ctx, message: string): never {
  return c.m.fault(c, 'P2-list-integrity', 'list-corruption', message);
}

/** lib/list_debug.c: __list_add_valid_or_report(). */
export function list_add_valid(c: Ctx, n: number, prev: number, next: number): void {
  const a = c.m.arena;
  const nextPrev = view(c, next, 'prev');
  const prevNext = view(c, prev, 'next');
  if (nextPrev !== prev) {
    corrupt(c, `list_add corruption. next->prev should be prev (${a.label(prev)}), but was ` +
      `${a.label(nextPrev)}. (next=${a.label(next)})`);
  }
  if (prevNext !== next) {
    corrupt(c, `list_add corruption. prev->next should be next (${a.label(next)}), but was ` +
      `${a.label(prevNext)}. (prev=${a.label(prev)})`);
  }
  if (n === prev || n === next) {
    corrupt(c, `list_add double add: new=${a.label(n)}, prev=${a.label(prev)}, ` +
      `next=${a.label(next)}`);
  }
}

/** lib/list_debug.c: __list_del_entry_valid_or_report(). */
function list_del_valid(c: Ctx, entry: number, prev: number, next: number): void {
  const a = c.m.arena;
  const e = a.label(entry);
  if (next === LIST_POISON1) corrupt(c, `list_del corruption, ${e}->next is LIST_POISON1`);
  if (prev === LIST_POISON2) corrupt(c, `list_del corruption, ${e}->prev is LIST_POISON2`);
  if (view(c, prev, 'next') !== entry) {
    corrupt(c, `list_del corruption. prev->next should be ${e}, but was ` +
      `${a.label(view(c, prev, 'next'))}. (prev=${a.label(prev)})`);
  }
  if (view(c, next, 'prev') !== entry) {
    corrupt(c, `list_del corruption. next->prev should be ${e}, but was ` +
      `${a.label(view(c, next, 'prev'))}. (next=${a.label(next)})`);
  }
}

/** INIT_LIST_HEAD(): `WRITE_ONCE(list->next, list); list->prev = list`. */
export function* INIT_LIST_HEAD(_c: Ctx, list: number): Model<void> {
  yield WRITE_ONCE(list, 'next', list, 'INIT_LIST_HEAD');
  yield store(list, 'prev', list, 'INIT_LIST_HEAD');
}

/** __list_add(): insert `n` between two known consecutive entries. */
export function* __list_add(c: Ctx, n: number, prev: number, next: number): Model<void> {
  list_add_valid(c, n, prev, next);
  yield store(next, 'prev', n, 'list_add');
  yield store(n, 'next', next, 'list_add');
  yield store(n, 'prev', prev, 'list_add');
  yield WRITE_ONCE(prev, 'next', n, 'list_add');
}

/** list_add(): insert `n` after `head` (stack order). */
export function* list_add(c: Ctx, n: number, head: number): Model<void> {
  const next: number = yield load(head, 'next', 'list_add');
  yield* __list_add(c, n, head, next);
}

/** list_add_tail(): insert `n` before `head` (queue order). */
export function* list_add_tail(c: Ctx, n: number, head: number): Model<void> {
  const prev: number = yield load(head, 'prev', 'list_add_tail');
  yield* __list_add(c, n, prev, head);
}

/** __list_del_entry(): unlink, validating first; leaves the entry's pointers alone. */
export function* __list_del_entry(c: Ctx, entry: number): Model<void> {
  const next: number = yield load(entry, 'next', 'list_del');
  const prev: number = yield load(entry, 'prev', 'list_del');
  list_del_valid(c, entry, prev, next);
  yield store(next, 'prev', prev, 'list_del');
  yield WRITE_ONCE(prev, 'next', next, 'list_del');
}

/** list_del(): unlink and poison the entry's pointers. */
export function* list_del(c: Ctx, entry: number): Model<void> {
  yield* __list_del_entry(c, entry);
  yield store(entry, 'next', LIST_POISON1, 'list_del');
  yield store(entry, 'prev', LIST_POISON2, 'list_del');
}

/** list_del_init(): unlink and re-initialise the entry as an empty list. */
export function* list_del_init(c: Ctx, entry: number): Model<void> {
  yield* __list_del_entry(c, entry);
  yield* INIT_LIST_HEAD(c, entry);
}

/**
 * list_del_init_careful() (2192bba03d80): the final `next` store is a release, pairing with
 * list_empty_careful()'s acquire load, so a lockless reader that sees the entry empty also
 * sees everything the unlinker did before.
 */
export function* list_del_init_careful(c: Ctx, entry: number): Model<void> {
  yield* __list_del_entry(c, entry);
  yield store(entry, 'prev', entry, 'list_del_init_careful');
  yield smp_store_release(entry, 'next', entry, 'list_del_init_careful');
}

/** list_empty(): `READ_ONCE(head->next) == head`. */
export function* list_empty(_c: Ctx, head: number, fn = 'list_empty'): Model<boolean> {
  const next: number = yield READ_ONCE(head, 'next', fn);
  return next === head;
}

/** list_empty_careful(): acquire-load next, then check prev too. */
export function* list_empty_careful(_c: Ctx, head: number): Model<boolean> {
  const next: number = yield load(head, 'next', 'list_empty_careful');
  if (next !== head) return false;
  const prev: number = yield load(head, 'prev', 'list_empty_careful');
  return prev === head;
}

/** __list_splice(): insert the (non-empty) `list` between `prev` and `next`. */
function* __list_splice(_c: Ctx, list: number, prev: number, next: number): Model<void> {
  const first: number = yield load(list, 'next', 'list_splice');
  const last: number = yield load(list, 'prev', 'list_splice');
  yield store(first, 'prev', prev, 'list_splice');
  yield store(prev, 'next', first, 'list_splice');
  yield store(last, 'next', next, 'list_splice');
  yield store(next, 'prev', last, 'list_splice');
}

/** list_splice(): join `list` at the head of `head` (`list` is left as it was). */
export function* list_splice(c: Ctx, list: number, head: number): Model<void> {
  if (yield* list_empty(c, list, 'list_splice')) return;
  const next: number = yield load(head, 'next', 'list_splice');
  yield* __list_splice(c, list, head, next);
}

/** list_splice_init(): join `list` at the head of `head`, then empty `list`. */
export function* list_splice_init(c: Ctx, list: number, head: number): Model<void> {
  if (yield* list_empty(c, list, 'list_splice_init')) return;
  const next: number = yield load(head, 'next', 'list_splice_init');
  yield* __list_splice(c, list, head, next);
  yield* INIT_LIST_HEAD(c, list);
}

/** list_splice_tail_init(): join `list` at the tail of `head`, then empty `list`. */
export function* list_splice_tail_init(c: Ctx, list: number, head: number): Model<void> {
  if (yield* list_empty(c, list, 'list_splice_tail_init')) return;
  const prev: number = yield load(head, 'prev', 'list_splice_tail_init');
  yield* __list_splice(c, list, prev, head);
  yield* INIT_LIST_HEAD(c, list);
}

/** list_move_tail(): delete `entry` from its list and add it at the tail of `head`. */
export function* list_move_tail(c: Ctx, entry: number, head: number): Model<void> {
  yield* __list_del_entry(c, entry);
  yield* list_add_tail(c, entry, head);
}

/**
 * Checks a list in global memory (for observers; not a model step). Returns a description
 * of the first problem or undefined: a freed or poisoned node, prev/next asymmetry, or a
 * walk that does not return to the head within `max` nodes (a cycle that skips the head).
 */
export function checkList(m: MachineAccess, head: number, max = 10_000): string | undefined {
  const a = m.arena;
  let pos = head;
  for (let i = 0; i <= max; i++) {
    if (!a.isLive(pos)) return `list ${a.label(head)}: ${a.badAccess(pos)} after ${i} nodes`;
    const next = m.memory.readGlobal(pos, 'next') as number;
    if (!a.isLive(next)) {
      return `list ${a.label(head)}: ${a.label(pos)}->next: ${a.badAccess(next)}`;
    }
    if (m.memory.readGlobal(next, 'prev') !== pos) {
      return `list ${a.label(head)}: ${a.label(next)}->prev is ` +
        `${a.label(m.memory.readGlobal(next, 'prev') as number)}, expected ${a.label(pos)}`;
    }
    if (next === head) return undefined;
    pos = next;
  }
  return `list ${a.label(head)}: no way back to the head after ${max} nodes (a cycle)`;
}

/** The owners of a list's entries in order, from global memory (for observers). */
export function listOwners(m: MachineAccess, head: number, max = 10_000): number[] {
  const out: number[] = [];
  let pos = m.memory.readGlobal(head, 'next') as number;
  while (pos !== head && out.length < max && m.arena.isLive(pos)) {
    out.push(m.arena.objs[pos]!.owner as number);
    pos = m.memory.readGlobal(pos, 'next') as number;
  }
  return out;
}
