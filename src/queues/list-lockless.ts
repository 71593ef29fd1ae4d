/**
 * fs/eventpoll.c (v5.1 to v6.17): list_add_tail_lockless(), the lockless tail insertion that
 * ep_poll_callback() does under the read side of `ep->lock` (introduced by a218cc491420,
 * "epoll: use rwlock in order to reduce ep_poll_callback() contention"; removed again when
 * 6.18 went back to a spinlock). Split into its kernel steps: the cmpxchg that claims the
 * entry, the xchg that swaps the tail, and the two plain stores that finish the link.
 *
 * Also a deliberately wrong sibling, {@link list_add_lockless_head_MUTANT}, which adds at the
 * head in the same lockless way. Each direction alone is safe; mixing them corrupts the list
 * (Roman Penyaev to Linus Torvalds, Dec 2018: "adding element either to head or to tail can
 * work in parallel, any mix will corrupt the list"). The canary test proves the checkers see
 * that.
 *
 * CONTRACT (the kernel comment): concurrent lockless adds must run under a read lock whose
 * write side excludes every other modification of the list, so a plain list operation never
 * sees a half-done lockless add; and all lockless adds to one list go in one direction. The
 * model checks neither: a violation shows up as corruption in checkList() (list.ts).
 * Unlike list_add_tail(), the kernel does no CONFIG_DEBUG_LIST validation here, so neither
 * does the model.
 */
import type { Ctx } from '../sim/context.ts';
import { cmpxchg, store, xchg } from '../sim/mem.ts';
import type { Model } from '../sim/op.ts';

const TAIL_FN = 'list_add_tail_lockless';
const HEAD_FN = 'list_add_lockless_head_MUTANT';

/**
 * fs/eventpoll.c (v5.1 to v6.17): list_add_tail_lockless(). Adds `n` at the tail of `head`
 * and returns true, or returns false without touching the list when another CPU has already
 * added `n` (it lost the cmpxchg on `n->next`). `n` must be an empty (self-linked) list_head.
 *
 * The last two stores are plain C assignments in the kernel (`prev->next = new;
 * new->prev = prev;`), so they are plain stores here; under TSO both sit in the store buffer
 * until written back. v6.x spells the first step `try_cmpxchg(&new->next, &new, head)`: the
 * same single access.
 */
export function* list_add_tail_lockless(_c: Ctx, n: number, head: number): Model<boolean> {
  // `new->next = head`, done by cmpxchg so that of two CPUs adding the same entry only the
  // one that still sees `new->next == new` goes on.
  const old: number = yield cmpxchg(n, 'next', n, head, TAIL_FN);
  if (old !== n) return false;
  // The tail swap is the linearisation point: xchg is a full barrier, so `new->next` is
  // visible before `new` becomes the tail, and the tail is swapped before `prev->next` is set.
  const prev: number = yield xchg(head, 'prev', n, TAIL_FN);
  // Safe without a lock only because every lockless add goes to the tail: nobody else
  // writes `prev->next` after `prev` stopped being the tail.
  yield store(prev, 'next', n, TAIL_FN);
  yield store(n, 'prev', prev, TAIL_FN);
  return true;
}

/**
 * MUTANT, not kernel code: the mirror image of list_add_tail_lockless() that adds `n` right
 * after `head`. Correct when every concurrent add uses it, corrupting when mixed with tail
 * adds: both may read `head` as their neighbour in the same instant and then each overwrite
 * the pointer the other just set. Used only by the canary.
 */
export function* list_add_lockless_head_MUTANT(_c: Ctx, n: number, head: number):
Model<boolean> {
  const old: number = yield cmpxchg(n, 'prev', n, head, HEAD_FN);
  if (old !== n) return false;
  const next: number = yield xchg(head, 'next', n, HEAD_FN);
  yield store(next, 'prev', n, HEAD_FN);
  yield store(n, 'next', next, HEAD_FN);
  return true;
}
