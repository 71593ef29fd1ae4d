/**
 * fs/eventpoll.c @ v6.18: ep_get_upwards_depth_proc() (f2e467a48287, "eventpoll: Fix
 * semi-unbounded recursion", v6.17), the upward half of ep_loop_check(): how many sets
 * watch `ep`, transitively. ep_loop_check() runs it inside rcu_read_lock(), holding
 * epnested_mutex but none of the sets' ep->mtx, so a concurrent EPOLL_CTL_DEL or close of
 * a watching set can unlink and free what it walks: the items (kfree_rcu since long) and,
 * through `epi->ep`, the watching eventpoll itself (kfree_rcu since 07712db80857; the
 * `B-07712db8` switch restores the kfree(ep) that 6.18 shipped, see items.ts ep_free()).
 *
 * Each access is a step, so a free can fall between two of them: `ep->gen` and
 * `ep->loop_check_depth` (the memo of this walk), `ep->refs` and each item's `fllink.next`
 * (hlist_for_each_entry_rcu: rcu_dereference) and `epi->ep`. `ep->refs` is the model's
 * `file->f_ep` of the set's epoll file, a member of the eventpoll (syscalls.ts). The memo's
 * stores are plain writes of the model's bookkeeping, as in ep_loop_check_proc(): only
 * epnested_mutex holders touch them.
 *
 * LOCKING: epnested_mutex, rcu_read_lock() (taken by ep_loop_check, ctl.ts).
 */
import { list_next_rcu } from '../../queues/list-rcu.ts';
import { list_entry } from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, READ_ONCE } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';

/** ep_get_upwards_depth_proc() of v6.18, an RCU reader of `ep->refs`. */
export function* ep_get_upwards_depth_proc(c: Ctx, ep: number, depth: number): Model<number> {
  const FN = 'ep_get_upwards_depth_proc';
  const k = kernel(c);
  // Stryker disable next-line BlockStatement: the memo only saves work
  if ((yield load(ep, 'gen', FN)) === k.loop_check_gen) {
    return (yield load(ep, 'loop_check_depth', FN)) as number;
  }
  let result = 0;
  const o = c.m.arena.objs[ep]!;
  const refs = c.m.arena.objs[o.file as number]!.f_ep as number;
  let pos: number = yield READ_ONCE(refs, 'next', FN);
  while (pos !== refs) {
    const up: number = yield load(list_entry(c.m, pos), 'ep', FN);
    // Stryker disable next-line ArithmeticOperator: depth is never read
    result = Math.max(result, (yield* k.ops.ep_get_upwards_depth_proc(c, up, depth + 1)) + 1);
    pos = yield* list_next_rcu(c, pos, FN);
  }
  o.gen = k.loop_check_gen;
  o.loop_check_depth = result;
  return result;
}
