/**
 * include/linux/rculist.h (v6.18): the RCU forms of list add and delete, for lists that
 * readers walk under rcu_read_lock() without the writers' lock (locks/rcu.ts).
 *
 * The kernel's `file->f_ep` (and `ep->refs`) is an hlist walked with
 * hlist_for_each_entry_rcu(); the model keeps it as a `list_head` (queues/list.ts), so it
 * uses the list forms, which have the same publication and removal rules: a new entry is
 * fully initialised before rcu_assign_pointer() links it, and a removed entry keeps its
 * `next` (a reader standing on it still finds the rest of the list) until a grace period
 * has passed and it is freed. (hlist_add_head_rcu() adds at the head; the model's f_ep keeps
 * the tail order it always had.)
 */
import type { Ctx } from '../sim/context.ts';
import { load, READ_ONCE, smp_store_release, store } from '../sim/mem.ts';
import type { Model } from '../sim/op.ts';
import { LIST_POISON2 } from './arena.ts';
import { __list_del_entry, list_add_valid } from './list.ts';

/**
 * list_add_tail_rcu(): insert `n` before `head`; `prev->next = n` is the publishing
 * rcu_assign_pointer() (a release store), after `n`'s own pointers.
 */
export function* list_add_tail_rcu(c: Ctx, n: number, head: number): Model<void> {
  const FN = 'list_add_tail_rcu';
  const prev: number = yield load(head, 'prev', FN);
  list_add_valid(c, n, prev, head);
  yield store(n, 'next', head, FN);
  yield store(n, 'prev', prev, FN);
  yield smp_store_release(prev, 'next', n, FN);
  yield store(head, 'prev', n, FN);
}

/**
 * list_del_rcu(): unlink `entry` and poison only its `prev`; `next` stays valid for readers
 * already on it. The entry may be freed only after a grace period (kfree_rcu, call_rcu).
 */
export function* list_del_rcu(c: Ctx, entry: number): Model<void> {
  yield* __list_del_entry(c, entry);
  yield store(entry, 'prev', LIST_POISON2, 'list_del_rcu');
}

/**
 * `rcu_dereference(pos->next)` of list_for_each_entry_rcu(): the next node after `pos`
 * (READ_ONCE, an address dependency under lkmm). The caller is inside rcu_read_lock().
 */
export function* list_next_rcu(_c: Ctx, pos: number, fn: string): Model<number> {
  return (yield READ_ONCE(pos, 'next', fn)) as number;
}
