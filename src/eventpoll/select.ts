/**
 * fs/select.c @ v6.18: poll(2) on one descriptor. do_sys_poll(), do_poll(), do_pollfd(),
 * __pollwait(), pollwake(), poll_schedule_timeout() and poll_freewait().
 *
 * The first pass polls the file with a poll table whose queueing callback, __pollwait, hooks
 * a `poll_table_entry` (a wait entry with pollwake, a reference on the file and the events
 * asked for) on every wait queue the file's ->poll passes to poll_wait(). Later passes poll
 * without queueing. Between passes the task sleeps in poll_schedule_timeout(), unless a
 * pollwake already set `pwq->triggered`: that flag, written before the wakeup and cleared
 * with a full barrier after the sleep, is what keeps a wakeup between the poll and the sleep
 * from being lost.
 *
 * LOCKING: each wait queue's lock, taken by add_wait_queue/remove_wait_queue and held by the
 * waker around pollwake. `pwq->triggered` is written by wakers and read by the poller
 * without a lock (smp_wmb in __pollwake pairs with smp_store_mb in poll_schedule_timeout).
 */
import { set_current_state, __set_current_state, schedule_hrtimeout_range, signal_pending,
  try_to_wake_up } from '../locks/sched.ts';
import { add_wait_queue, init_waitqueue_func_entry, registerWakeFunction, remove_wait_queue }
  from '../locks/waitqueue.ts';
import type { Ctx } from '../sim/context.ts';
import { TASK_INTERRUPTIBLE, TASK_RUNNING } from '../sim/context.ts';
import { load, smp_mb, smp_wmb, store } from '../sim/mem.ts';
import type { Model } from '../sim/op.ts';
import { file_can_poll, get_file, vfs_poll, type PollTable } from './file.ts';
import { DEFAULT_POLLMASK } from './files/regular.ts';
import { kernel } from './kernel.ts';
import { fput_file } from './syscalls.ts';
import { EINTR, EPOLLERR, EPOLLHUP, EPOLLNVAL } from './uapi.ts';

/**
 * pollwake(): the wake function of a poll_table_entry. A wakeup whose key names none of
 * the events asked for is ignored; otherwise __pollwake marks the poller triggered and wakes
 * it.
 */
function* pollwake(c: Ctx, wait: number, mode: number, _sync: number, key: number):
Model<number> {
  // container_of(wait, struct poll_table_entry, wait): fixed at init, not a memory access.
  const entry = c.m.arena.objs[wait]!.private as number;
  const wanted: number = yield load(entry, 'key', 'pollwake');
  if (key && !(key & wanted)) return 0;
  const pwq = c.m.arena.objs[entry]!.pwq as number;
  // Pairs with the smp_store_mb() in poll_schedule_timeout() (5f820f648c92). The switch
  // `no-pollwake-wmb` drops it: harmless under TSO, a lost wakeup under lkmm (zoo PW1).
  if (!kernel(c).bug('no-pollwake-wmb')) yield smp_wmb('__pollwake');
  yield store(pwq, 'triggered', 1, '__pollwake');
  const task: number = yield load(pwq, 'polling_task', '__pollwake');
  return yield* try_to_wake_up(c, task, mode);
}
registerWakeFunction('pollwake', pollwake);

/** __pollwait(): hook a new poll_table_entry for `file` on `whead`. */
function* __pollwait(c: Ctx, file: number, whead: number, pt: PollTable, pwq: number,
  entries: number[]): Model<void> {
  const entry = c.m.alloc('poll_table_entry', { filp: file, key: pt.key, whead, pwq, wait: 0 });
  yield* get_file(c, file);
  const wait = init_waitqueue_func_entry(c.m, 'pollwake', entry);
  c.m.arena.objs[entry]!.wait = wait;
  entries.push(entry);
  yield* add_wait_queue(c, whead, wait);
}

/** poll_freewait(): unhook every entry and drop its file reference. */
function* poll_freewait(c: Ctx, pwq: number, entries: readonly number[]): Model<void> {
  for (const entry of entries) {
    const o = c.m.arena.objs[entry]!;
    yield* remove_wait_queue(c, o.whead as number, o.wait as number);
    yield* fput_file(c, o.filp as number);
    c.m.free(c, o.wait as number, 'poll_freewait');
    c.m.free(c, entry, 'poll_freewait');
  }
  c.m.free(c, pwq, 'poll_freewait');
}

/**
 * do_pollfd(): the revents of one pollfd. A negative descriptor is skipped (0), a closed one
 * is POLLNVAL; ERR and HUP are always of interest; a file without ->poll reports
 * DEFAULT_POLLMASK (vfs_poll()).
 */
function* do_pollfd(c: Ctx, fd: number, events: number, pt: PollTable): Model<number> {
  if (fd < 0) return 0;
  const file = kernel(c).fdget(fd);
  if (file === undefined) return EPOLLNVAL;
  // For the lost-wakeup property: the file this poll(2) sleeps on, and what it waits for.
  c.local.pollingOn = file;
  c.local.pollingFor = (events & 0xffff) | EPOLLERR | EPOLLHUP;
  // pollfd.events is a u16 (demangle_poll()).
  const filter = (events & 0xffff) | EPOLLERR | EPOLLHUP;
  pt.key = filter;
  const mask = file_can_poll(c.m, file) ? yield* vfs_poll(c, file, pt) : DEFAULT_POLLMASK;
  return mask & filter;
}

/**
 * poll_schedule_timeout(): sleep unless already triggered; false once the timeout expired.
 * `expires` is absolute virtual time in ns, or Infinity for no timeout.
 */
function* poll_schedule_timeout(c: Ctx, pwq: number, expires: number): Model<boolean> {
  let rc = -EINTR;
  yield* set_current_state(c, TASK_INTERRUPTIBLE);
  if (!(yield load(pwq, 'triggered', 'poll_schedule_timeout'))) {
    rc = yield* schedule_hrtimeout_range(c, expires === Infinity ? Infinity : expires - c.m.now);
  }
  yield* __set_current_state(c, TASK_RUNNING);
  // smp_store_mb(pwq->triggered, 0): the next pass's checks cannot move before it.
  yield store(pwq, 'triggered', 0, 'poll_schedule_timeout');
  yield smp_mb('poll_schedule_timeout');
  return rc !== 0;
}

/**
 * do_sys_poll() for one descriptor: returns 0 or 1 (revents in `out[0]`) or -EINTR when a
 * signal arrives while nothing is ready. `timeoutMs` 0 polls once; a negative one waits
 * without limit, as poll(2) does.
 */
export function* do_sys_poll(c: Ctx, fd: number, events: number, timeoutMs: number,
  out: number[]): Model<number> {
  const pwq = c.m.alloc('poll_wqueues', { triggered: 0, polling_task: c.task, error: 0 });
  const entries: number[] = [];
  const pt: PollTable = {
    qproc: (cc, file, whead, table) => __pollwait(cc, file, whead, table, pwq, entries),
    key: 0, epi: 0,
  };
  // "Optimise the no-wait case": no entries are queued at all.
  let timed_out = timeoutMs === 0;
  if (timed_out) pt.qproc = null;
  const expires = timeoutMs > 0 ? c.m.now + timeoutMs * 1_000_000 : Infinity;
  let count = 0;
  for (;;) {
    const mask = yield* do_pollfd(c, fd, events, pt);
    out[0] = mask & 0xffff;
    if (mask) count++;
    // Every entry is queued by the first pass; later passes only look.
    pt.qproc = null;
    if (!count && (yield* signal_pending(c))) count = -EINTR;
    if (count || timed_out) break;
    if (!(yield* poll_schedule_timeout(c, pwq, expires))) timed_out = true;
  }
  yield* poll_freewait(c, pwq, entries);
  c.local.pollingOn = undefined;
  return count;
}
