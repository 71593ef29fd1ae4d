/**
 * fs/eventpoll.c @ v6.18: reverse_path_check() and its helpers, the second half of the
 * full check an EPOLL_CTL_ADD makes when sets nest ("epoll: limit paths", 28d82dc1c4ed,
 * v3.3): for each ordinary file the ADD can reach (tfile_check_list, filled by list_file()
 * from ep_loop_check_proc() and ep_insert()), count the wakeup paths that lead up from it
 * through watching sets, by depth, and refuse the ADD (-EINVAL) when a depth has more than
 * path_limits[] allows.
 *
 * Like the upward loop check (upwards.ts), reverse_path_check_proc() walks the watchers'
 * lists under rcu_read_lock() with epnested_mutex held and no set's ep->mtx, so a DEL or a
 * close of a watching set can unlink and free what it stands on: each access is a step
 * (`fllink.next`, `epi->ep`, the watching set's `refs`), and `epi->ep` is alive only
 * because ep_free() defers the free to a grace period (07712db80857; `B-07712db8`).
 *
 * `tfile_check_list` and `path_count[]` are globals used only under epnested_mutex; the
 * model keeps them in the kernel state (no step: one holder at a time). The kernel links
 * the files' `epitems_head`s through `->next`; here the list is an array of files.
 *
 * LOCKING: epnested_mutex; rcu_read_lock() around each file's walk.
 */
import { rcu_read_lock, rcu_read_unlock } from '../../locks/rcu.ts';
import { list_next_rcu } from '../../queues/list-rcu.ts';
import { list_entry } from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, READ_ONCE } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { kernel } from '../kernel.ts';
import { EP_MAX_NESTS } from '../uapi.ts';

/** path_limits[]: how many wakeup paths of each depth one file may have (depth 0: any). */
export const PATH_LIMITS: readonly number[] = [1000, 500, 100, 50, 10];

/** path_count_inc(): one more path of depth `nests`; -1 over its limit. */
function path_count_inc(c: Ctx, nests: number): number {
  if (nests === 0) return 0;
  const count = kernel(c).path_count;
  count[nests] = (count[nests] ?? 0) + 1;
  // Stryker disable next-line UnaryOperator: callers test error !== 0 only
  return count[nests]! > PATH_LIMITS[nests]! ? -1 : 0;
}

/**
 * reverse_path_check_proc() of v6.18: walk the watchers on `refs` (a file's f_ep, or a
 * watching set's refs), counting a path at each set nobody watches.
 */
export function* reverse_path_check_proc(c: Ctx, refs: number, depth: number): Model<number> {
  const FN = 'reverse_path_check_proc';
  const k = kernel(c);
  // Stryker disable next-line ConditionalExpression,UnaryOperator: ep_loop_check refuses it first
  if (depth > EP_MAX_NESTS) return -1;
  let error = 0;
  // A concurrent DEL may unlink items as we go: that only lowers the count.
  let pos: number = yield READ_ONCE(refs, 'next', FN);
  while (pos !== refs) {
    const ep: number = yield load(list_entry(c.m, pos), 'ep', FN);
    // &ep->refs: the watching set's epoll file's f_ep, a member of the eventpoll.
    const up = c.m.arena.objs[c.m.arena.objs[ep]!.file as number]!.f_ep as number;
    const empty = (yield READ_ONCE(up, 'next', FN)) === up;
    error = empty ? path_count_inc(c, depth)
      : yield* k.ops.reverse_path_check_proc(c, up, depth + 1);
    if (error !== 0) break;
    pos = yield* list_next_rcu(c, pos, FN);
  }
  return error;
}

/** reverse_path_check() of v6.18: every listed file's paths, each walk under RCU. */
export function* reverse_path_check(c: Ctx): Model<number> {
  const k = kernel(c);
  for (const file of k.tfile_check_list) {
    k.path_count.fill(0);
    rcu_read_lock(c);
    const error = yield* k.ops.reverse_path_check_proc(c, c.m.arena.objs[file]!.f_ep as number,
      0);
    rcu_read_unlock(c);
    if (error !== 0) return error;
  }
  return 0;
}
