/**
 * The RCU list forms (include/linux/rculist.h) single-threaded: list_add_tail_rcu publishes
 * the entry last, after its own pointers (a release store), list_del_rcu leaves `next` for a
 * reader standing on the entry and poisons only `prev`, list_next_rcu follows `next`.
 */
import { describe, expect, it } from 'vitest';
import { LIST_POISON2 } from '../../src/queues/arena.ts';
import { list_add_tail_rcu, list_del_rcu, list_next_rcu } from '../../src/queues/list-rcu.ts';
import { checkList, list_head_alloc, listOwners } from '../../src/queues/list.ts';
import { runTask, solo } from './helpers.ts';

describe('queues: list-rcu', () => {
  it('list_add_tail_rcu adds in queue order; the publishing store is a release, after the rest',
    () => {
      const m = solo({ trace: true });
      const head = list_head_alloc(m, 0, 'f_ep');
      const own = [1, 2].map((i) => m.alloc('epitem', { id: i }, `epi${i}`));
      const links = own.map((o, i) => list_head_alloc(m, o, `fllink${i}`));
      const { out } = runTask(m, function* (c) {
        for (const l of links) yield* list_add_tail_rcu(c, l, head);
      });
      expect(out.status).toBe('done');
      expect(checkList(m, head)).toBeUndefined();
      expect(listOwners(m, head)).toEqual(own);
      expect(out.trace!.filter((e) => e.fn === 'list_add_tail_rcu').slice(0, 5).map((e) => e.op))
        .toEqual(['load', 'store', 'store', 'smp_store_release', 'store']);
    });

  it('list_add_tail_rcu of an entry already on the list is a DEBUG_LIST double add', () => {
    const m = solo();
    const head = list_head_alloc(m, 0, 'f_ep');
    const l = list_head_alloc(m, m.alloc('epitem', {}), 'fllink');
    const { out } = runTask(m, function* (c) {
      yield* list_add_tail_rcu(c, l, head);
      yield* list_add_tail_rcu(c, l, head);
    });
    expect(out.violations[0]!.property).toBe('P2-list-integrity');
    expect(out.violations[0]!.message).toMatch(/list_add double add: new=fllink/);
  });

  it('list_del_rcu unlinks, keeps next for a reader on the entry, poisons prev', () => {
    const m = solo();
    const head = list_head_alloc(m, 0, 'f_ep');
    const own = [1, 2, 3].map((i) => m.alloc('epitem', { id: i }, `epi${i}`));
    const links = own.map((o, i) => list_head_alloc(m, o, `fllink${i}`));
    const { value } = runTask(m, function* (c) {
      for (const l of links) yield* list_add_tail_rcu(c, l, head);
      yield* list_del_rcu(c, links[1]!);
      // A reader that stood on fllink1 when it was removed goes on to fllink2.
      return [yield* list_next_rcu(c, links[1]!, 'reader'),
        yield* list_next_rcu(c, links[0]!, 'reader')];
    });
    expect(value).toEqual([links[2], links[2]]);
    expect(listOwners(m, head)).toEqual([own[0], own[2]]);
    expect(checkList(m, head)).toBeUndefined();
    expect(m.arena.objs[links[1]!]!.next).toBe(links[2]);
    expect(m.arena.objs[links[1]!]!.prev).toBe(LIST_POISON2);
  });
});
