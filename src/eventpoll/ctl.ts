/**
 * fs/eventpoll.c @ v6.18: do_epoll_ctl(), ep_find() and the loop checks (ep_loop_check(),
 * ep_loop_check_proc(), ep_get_upwards_depth_proc()). Every built-in variant uses these
 * ({@link CTL_OPS}): the argument checks and their errno order are the syscall's contract.
 * Each is called through the variant's table, as is the variant-specific work (insert,
 * modify, remove), so a user variant can replace any of them alone.
 *
 * LOCKING: `ep->mtx` for every op; an ADD that may create a loop or a deep path (the target
 * is an epoll file, or the set is itself watched) also takes `epnested_mutex` first.
 */
import { mutex_lock, mutex_lock_nested, mutex_unlock } from '../locks/mutex.ts';
import { rcu_read_lock, rcu_read_unlock } from '../locks/rcu.ts';
import { list_entry, listOwners } from '../queues/list.ts';
import type { Ctx } from '../sim/context.ts';
import { load, READ_ONCE, store } from '../sim/mem.ts';
import type { Model } from '../sim/op.ts';
import { file_can_poll } from './file.ts';
import { kernel } from './kernel.ts';
import type { EpOps } from './variant.ts';
import {
  EBADF, EEXIST, EINVAL, ELOOP, ENOENT, EP_MAX_NESTS, EPERM, EPOLL_CTL_ADD, EPOLL_CTL_DEL,
  EPOLL_CTL_MOD, EPOLLERR, EPOLLEXCLUSIVE, EPOLLEXCLUSIVE_OK_BITS, EPOLLHUP,
} from './uapi.ts';

function isEpoll(c: Ctx, file: number): boolean {
  return c.m.arena.objs[file]!.f_op === 'eventpoll';
}

function epOf(c: Ctx, file: number): number {
  return c.m.arena.objs[file]!.private_data as number;
}

/** ep_find(): the item for (file, fd) in the set, or 0. Runs under ep->mtx. */
export function ep_find(c: Ctx, ep: number, file: number, fd: number): number {
  for (const epi of listOwners(c.m, c.m.arena.objs[ep]!.rbr as number)) {
    const o = c.m.arena.objs[epi]!;
    if (o.ffd_file === file && o.ffd_fd === fd) return epi;
  }
  return 0;
}

/** list_file(): put an ordinary file on tfile_check_list once. */
export function list_file(c: Ctx, file: number): void {
  const list = kernel(c).tfile_check_list;
  if (!list.includes(file)) list.push(file);
}

/** clear_tfile_check_list(): empty the list at the end of a full-check ADD. */
export function clear_tfile_check_list(c: Ctx): void {
  kernel(c).tfile_check_list.length = 0;
}

/**
 * ep_loop_check_proc() of v6.18: how deep the sets below `ep` go (EP_MAX_NESTS+1: too deep,
 * or a loop back to `inserting_into`). Step by step, as the kernel walks: `ep->mtx` (nested
 * by depth) keeps the set's items from going away, and each load and store is a shared
 * access (`gen` and `loop_check_depth` are also read by the upward walk, which holds no
 * set's mutex). `loop_check_gen` and `inserting_into` are globals written only under
 * epnested_mutex, which every walker holds.
 */
export function* ep_loop_check_proc(c: Ctx, ep: number, depth: number): Model<number> {
  const FN = 'ep_loop_check_proc';
  const k = kernel(c);
  const o = c.m.arena.objs[ep]!;
  if ((yield load(ep, 'gen', FN)) === k.loop_check_gen) {
    return (yield load(ep, 'loop_check_depth', FN)) as number;
  }
  let result = 0;
  yield* mutex_lock_nested(c, o.mtx as number, depth + 1);
  yield store(ep, 'gen', k.loop_check_gen, FN);
  // for (rbp = rb_first_cached(&ep->rbr); rbp; rbp = rb_next(rbp))
  const head = o.rbr as number;
  for (let pos: number = yield load(head, 'next', FN); pos !== head;
    pos = yield load(pos, 'next', FN)) {
    const epi = list_entry(c.m, pos);
    const f: number = yield load(epi, 'ffd_file', FN);
    if (!isEpoll(c, f)) {
      // An ordinary file at the bottom: its wakeup paths are counted by reverse_path_check()
      // in ep_insert (mainline's table; the older ones never read the list).
      list_file(c, f);
      continue;
    }
    const tovisit: number = yield load(f, 'private_data', FN);
    if (tovisit === k.inserting_into || depth > EP_MAX_NESTS) result = EP_MAX_NESTS + 1;
    else result = Math.max(result, (yield* k.ops.ep_loop_check_proc(c, tovisit, depth + 1)) + 1);
    if (result > EP_MAX_NESTS) break;
  }
  yield store(ep, 'loop_check_depth', result, FN);
  yield* mutex_unlock(c, o.mtx as number);
  return result;
}

/**
 * ep_get_upwards_depth_proc(): how many sets watch `ep`, transitively. The older variants'
 * form: the walk is read from global memory in no step (those kernels had no such walk;
 * only the loop check's verdict is kept). mainline-6.18 has the RCU reader of v6.18, with a
 * step per access (mainline/upwards.ts).
 */
export function* ep_get_upwards_depth_proc(c: Ctx, ep: number, depth: number): Model<number> {
  return upwardsDepth(c, ep, depth);
}

function upwardsDepth(c: Ctx, ep: number, depth: number): number {
  const k = kernel(c);
  const o = c.m.arena.objs[ep]!;
  if (o.gen === k.loop_check_gen) return o.loop_check_depth as number;
  let result = 0;
  const f_ep = c.m.arena.objs[o.file as number]!.f_ep as number;
  for (const epi of listOwners(c.m, f_ep)) {
    const up = c.m.arena.objs[epi]!.ep as number;
    result = Math.max(result, upwardsDepth(c, up, depth + 1) + 1);
  }
  o.gen = k.loop_check_gen;
  o.loop_check_depth = result;
  return result;
}

/** ep_loop_check(): -1 if adding `to` into `ep` makes a loop or a path deeper than allowed. */
export function* ep_loop_check(c: Ctx, ep: number, to: number): Model<number> {
  const k = kernel(c);
  k.inserting_into = ep;
  const depth = yield* k.ops.ep_loop_check_proc(c, to, 0);
  if (depth > EP_MAX_NESTS) return -1;
  // The upward walk reads other sets' f_ep without their ep->mtx (f2e467a48287).
  rcu_read_lock(c);
  const up = yield* k.ops.ep_get_upwards_depth_proc(c, ep, 0);
  rcu_read_unlock(c);
  return depth + 1 + up > EP_MAX_NESTS ? -1 : 0;
}

/** do_epoll_ctl(): returns 0 or -errno, checking arguments in the kernel's order. */
export function* do_epoll_ctl(c: Ctx, epfd: number, op: number, fd: number, events: number,
  data: number): Model<number> {
  const k = kernel(c);
  const f = k.fdget(epfd);
  if (f === undefined) return -EBADF;
  const tf = k.fdget(fd);
  if (tf === undefined) return -EBADF;
  if (!file_can_poll(c.m, tf)) return -EPERM;
  const hasEvent = op !== EPOLL_CTL_DEL;
  if (f === tf || !isEpoll(c, f)) return -EINVAL;
  if (hasEvent && events & EPOLLEXCLUSIVE) {
    if (op === EPOLL_CTL_MOD) return -EINVAL;
    if (op === EPOLL_CTL_ADD && (isEpoll(c, tf) || events & ~EPOLLEXCLUSIVE_OK_BITS)) {
      return -EINVAL;
    }
  }
  const ep = epOf(c, f);
  k.ghost.ctl(ep);
  const mtx = c.m.arena.objs[ep]!.mtx as number;
  let full_check = false;
  let error = 0;
  yield* mutex_lock(c, mtx);
  out: {
    if (op === EPOLL_CTL_ADD) {
      const watched: number = yield READ_ONCE(c.m.arena.objs[f]!.f_ep as number, 'next',
        'do_epoll_ctl');
      const isWatched = watched !== c.m.arena.objs[f]!.f_ep;
      // fault:ctl-no-epnested-mutex (a canary of the sleeping-deadlock check): two ADDs of
      // two sets into each other then hold one ep->mtx each and poll the other set.
      const nested = !k.bug('fault:ctl-no-epnested-mutex');
      // READ_ONCE(ep->gen) == loop_check_gen is read without a step: it is true only while
      // another ADD's walk (under epnested_mutex) has visited this set, and then that walk
      // has stored it; stepping it would move every ADD's schedule for no new interleaving
      // of the walks themselves (they are stepped).
      if (nested && (isWatched || c.m.arena.objs[ep]!.gen === k.loop_check_gen ||
        isEpoll(c, tf))) {
        yield* mutex_unlock(c, mtx);
        yield* mutex_lock(c, k.epnested_mutex);
        k.loop_check_gen++;
        full_check = true;
        if (isEpoll(c, tf) && (yield* k.ops.ep_loop_check(c, ep, epOf(c, tf))) !== 0) {
          error = -ELOOP;
          break out;
        }
        yield* mutex_lock(c, mtx);
      }
    }
    const epi = k.ops.ep_find(c, ep, tf, fd);
    error = -EINVAL;
    switch (op) {
      case EPOLL_CTL_ADD:
        error = epi ? -EEXIST : yield* k.ops.ep_insert(c, ep, events | EPOLLERR | EPOLLHUP,
          data, tf, fd, full_check);
        break;
      case EPOLL_CTL_DEL:
        if (epi) {
          // The set is still open, so the reference dropped here is never the last.
          yield* k.ops.ep_remove_safe(c, ep, epi);
          error = 0;
        } else {
          error = -ENOENT;
        }
        break;
      case EPOLL_CTL_MOD:
        if (!epi) error = -ENOENT;
        else if (!((c.m.arena.objs[epi]!.events as number) & EPOLLEXCLUSIVE)) {
          error = yield* k.ops.ep_modify(c, ep, epi, events | EPOLLERR | EPOLLHUP, data);
        }
        break;
    }
    yield* mutex_unlock(c, mtx);
  }
  if (full_check) {
    clear_tfile_check_list(c);
    k.loop_check_gen++;
    yield* mutex_unlock(c, k.epnested_mutex);
  }
  return error;
}

/** The functions of this file, as every built-in variant's table has them. */
export const CTL_OPS = {
  do_epoll_ctl, ep_find, ep_loop_check, ep_loop_check_proc, ep_get_upwards_depth_proc,
} as const satisfies Partial<EpOps>;
