/**
 * fs/pipe.c (v6.18): an anonymous pipe, non-blocking on both ends.
 *
 * struct pipe_inode_info { mutex, rd_wait, wr_wait, head, tail, readers, writers,
 * poll_usage, bufs[16] }. The ring has `max_usage` = 16 page buffers (64 KiB); each
 * buffer keeps its `offset` and `len` within its page (fields `bo<i>` and `bl<i>`).
 * anon_pipe_write merges the sub-page remainder of the whole write (`total_len &
 * (PAGE_SIZE - 1)`) into the last buffer only when it fits behind that buffer's end
 * (`offset + len`), then fills whole new pages; so a 64 KiB write never merges, and a
 * partial read (which advances `offset`) can stop a merge. `pipe->mutex` serialises
 * readers and writers; pipe_poll reads head/tail locklessly after poll_wait (the kernel's
 * "add to the poll table first, then do the racy tests").
 *
 * Wakeups, as in the kernel and visible to edge-triggered epoll items: a write wakes
 * `rd_wait` when the pipe was empty or anyone ever polled it ("epoll nonsensically wants a
 * wakeup"), whatever the write's result (also after EAGAIN or EPIPE); a non-blocking read
 * wakes `wr_wait` only when it frees a buffer of a full pipe, and never wakes other readers.
 */
import { mutex_init, mutex_lock, mutex_unlock } from '../../locks/mutex.ts';
import { __wake_up, init_waitqueue_head } from '../../locks/waitqueue.ts';
import type { Ctx, MachineAccess } from '../../sim/context.ts';
import { TASK_INTERRUPTIBLE } from '../../sim/context.ts';
import { READ_ONCE, load, store, WRITE_ONCE } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { alloc_file, FMODE_READ, FMODE_WRITE, FOPS, poll_wait, type PollTable } from '../file.ts';
import { kernel } from '../kernel.ts';
import {
  EAGAIN, EPIPE, EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLRDNORM, EPOLLWRNORM,
} from '../uapi.ts';

const PAGE_SIZE = 4096;
const RING = 16;

/** pipe2(O_NONBLOCK): returns [read end, write end]. */
export function pipe_create(m: MachineAccess, label: string): [number, number] {
  const fields: Record<string, number> = {
    mutex: mutex_init(m, `${label}.pipe->mutex`, 'pipe->mutex'),
    rd_wait: init_waitqueue_head(m, `${label}.rd_wait`),
    wr_wait: init_waitqueue_head(m, `${label}.wr_wait`),
    head: 0, tail: 0, readers: 1, writers: 1, poll_usage: 0,
  };
  for (let i = 0; i < RING; i++) {
    fields[`bo${i}`] = 0;
    fields[`bl${i}`] = 0;
  }
  const pipe = m.alloc('pipe_inode_info', fields, `${label}.pipe`);
  const r = alloc_file(m, 'pipe', pipe, FMODE_READ, `${label}r`);
  const w = alloc_file(m, 'pipe', pipe, FMODE_WRITE, `${label}w`);
  // Ghost links (checkers only): which file each wakeup queue makes ready.
  m.arena.objs[pipe]!.g_rfile = r;
  m.arena.objs[pipe]!.g_wfile = w;
  return [r, w];
}

/** Ghost bookkeeping: both ends' readiness may have changed. */
function changedBoth(c: Ctx, pipe: number): void {
  const p = c.m.arena.objs[pipe]!;
  kernel(c).ghost.changed(p.g_rfile as number);
  kernel(c).ghost.changed(p.g_wfile as number);
}

function pipeOf(c: Ctx, file: number): number {
  return c.m.arena.objs[file]!.private_data as number;
}

function mode(c: Ctx, file: number): number {
  return c.m.arena.objs[file]!.f_mode as number;
}

/** pipe_poll(). */
export function* pipe_poll(c: Ctx, file: number, pt: PollTable | null): Model<number> {
  const pipe = pipeOf(c, file);
  const p = c.m.arena.objs[pipe]!;
  const fmode = mode(c, file);
  yield WRITE_ONCE(pipe, 'poll_usage', 1, 'pipe_poll');
  if (fmode & FMODE_READ) yield* poll_wait(c, file, p.rd_wait as number, pt);
  if (fmode & FMODE_WRITE) yield* poll_wait(c, file, p.wr_wait as number, pt);
  const head: number = yield READ_ONCE(pipe, 'head', 'pipe_poll');
  const tail: number = yield READ_ONCE(pipe, 'tail', 'pipe_poll');
  let mask = 0;
  if (fmode & FMODE_READ) {
    if (head !== tail) mask |= EPOLLIN | EPOLLRDNORM;
    if ((yield load(pipe, 'writers', 'pipe_poll')) === 0) mask |= EPOLLHUP;
  }
  if (fmode & FMODE_WRITE) {
    if (head - tail < RING) mask |= EPOLLOUT | EPOLLWRNORM;
    if ((yield load(pipe, 'readers', 'pipe_poll')) === 0) mask |= EPOLLERR;
  }
  return mask;
}

/** anon_pipe_write() with O_NONBLOCK: returns bytes written or -errno. */
export function* pipe_write(c: Ctx, file: number, total: number): Model<number> {
  const FN = 'anon_pipe_write';
  // "Null write succeeds", before the lock and without a wakeup.
  if (total === 0) return 0;
  const pipe = pipeOf(c, file);
  const p = c.m.arena.objs[pipe]!;
  yield* mutex_lock(c, p.mutex as number);
  let ret = 0;
  let was_empty = false;
  if ((yield load(pipe, 'readers', FN)) === 0) {
    ret = -EPIPE;
  } else {
    // Under pipe->mutex no reader can move tail and no release can drop the last reader,
    // so head, tail and readers are read once.
    let head: number = yield load(pipe, 'head', FN);
    const tail: number = yield load(pipe, 'tail', FN);
    was_empty = head === tail;
    let left = total;
    const chars = total & (PAGE_SIZE - 1);
    if (chars !== 0 && !was_empty) {
      const i = (head - 1) & (RING - 1);
      const offset: number = yield load(pipe, `bo${i}`, FN);
      const len: number = yield load(pipe, `bl${i}`, FN);
      if (offset + len + chars <= PAGE_SIZE) {
        yield store(pipe, `bl${i}`, len + chars, FN);
        ret = chars;
        left -= chars;
      }
    }
    while (left > 0) {
      if (head - tail >= RING) {
        if (ret === 0) ret = -EAGAIN;
        break;
      }
      // The slot is claimed (head advanced) before the page is filled, as in the kernel.
      const i = head & (RING - 1);
      head++;
      yield store(pipe, 'head', head, FN);
      const copied = Math.min(PAGE_SIZE, left);
      yield store(pipe, `bo${i}`, 0, FN);
      yield store(pipe, `bl${i}`, copied, FN);
      ret += copied;
      left -= copied;
    }
  }
  yield* mutex_unlock(c, p.mutex as number);
  changedBoth(c, pipe);
  // "Epoll nonsensically wants a wakeup whether the pipe was already empty or not": the
  // kernel wakes readers here whatever the write returned, so an edge-triggered item on a
  // full pipe fires again even on a write that fails with EAGAIN.
  const poll_usage: number = yield load(pipe, 'poll_usage', FN);
  if (was_empty || poll_usage) {
    kernel(c).ghost.edge(p.g_rfile as number);
    yield* __wake_up(c, p.rd_wait as number, TASK_INTERRUPTIBLE, 1, EPOLLIN | EPOLLRDNORM);
  }
  return ret;
}

/**
 * anon_pipe_read() with O_NONBLOCK: returns bytes read, 0 at end of file, or -EAGAIN.
 * A non-blocking reader never sets wake_next_reader (only a reader that slept does), so
 * leaving data behind wakes nobody.
 */
export function* pipe_read(c: Ctx, file: number, total: number): Model<number> {
  const FN = 'anon_pipe_read';
  // "Null read succeeds".
  if (total === 0) return 0;
  const pipe = pipeOf(c, file);
  const p = c.m.arena.objs[pipe]!;
  yield* mutex_lock(c, p.mutex as number);
  // Writers also take pipe->mutex, so head cannot move while we hold it.
  const head: number = yield load(pipe, 'head', FN);
  let tail: number = yield load(pipe, 'tail', FN);
  let wake_writer = false;
  let ret = 0;
  let left = total;
  for (;;) {
    if (head !== tail) {
      const i = tail & (RING - 1);
      const len: number = yield load(pipe, `bl${i}`, FN);
      const offset: number = yield load(pipe, `bo${i}`, FN);
      const chars = Math.min(len, left);
      ret += chars;
      yield store(pipe, `bo${i}`, offset + chars, FN);
      yield store(pipe, `bl${i}`, len - chars, FN);
      if (len - chars === 0) {
        // Only a buffer freed while the pipe was full wakes writers.
        wake_writer ||= head - tail >= RING;
        tail++;
        yield store(pipe, 'tail', tail, 'pipe_update_tail');
      }
      left -= chars;
      if (left === 0) break;
      if (head !== tail) continue;
    }
    if ((yield load(pipe, 'writers', FN)) === 0) break;
    if (ret === 0) ret = -EAGAIN;
    break;
  }
  yield* mutex_unlock(c, p.mutex as number);
  changedBoth(c, pipe);
  if (wake_writer) {
    kernel(c).ghost.edge(p.g_wfile as number);
    yield* __wake_up(c, p.wr_wait as number, TASK_INTERRUPTIBLE, 1, EPOLLOUT | EPOLLWRNORM);
  }
  return ret;
}

/** pipe_release(): drop one side; wake both queues when one side is gone. */
function* pipe_release(c: Ctx, file: number): Model<void> {
  const pipe = pipeOf(c, file);
  const p = c.m.arena.objs[pipe]!;
  const fmode = mode(c, file);
  yield* mutex_lock(c, p.mutex as number);
  let readers: number = yield load(pipe, 'readers', 'pipe_release');
  let writers: number = yield load(pipe, 'writers', 'pipe_release');
  if (fmode & FMODE_READ) yield store(pipe, 'readers', --readers, 'pipe_release');
  if (fmode & FMODE_WRITE) yield store(pipe, 'writers', --writers, 'pipe_release');
  const wake = (readers === 0) !== (writers === 0);
  if (wake) {
    kernel(c).ghost.edge(p.g_rfile as number);
    kernel(c).ghost.edge(p.g_wfile as number);
    yield* __wake_up(c, p.rd_wait as number, TASK_INTERRUPTIBLE, 0, 0);
    yield* __wake_up(c, p.wr_wait as number, TASK_INTERRUPTIBLE, 0, 0);
  }
  yield* mutex_unlock(c, p.mutex as number);
  changedBoth(c, pipe);
}

FOPS.set('pipe', {
  name: 'pipe',
  poll: pipe_poll,
  release: pipe_release,
  read: (c, file, n) => pipe_read(c, file, n),
  write: (c, file, n) => pipe_write(c, file, Number(n)),
  readyMask(m, file) {
    const f = m.arena.objs[file]!;
    const p = m.arena.objs[f.private_data as number]!;
    const used = (p.head as number) - (p.tail as number);
    let mask = 0;
    if ((f.f_mode as number) & FMODE_READ) {
      if (used > 0) mask |= EPOLLIN | EPOLLRDNORM;
      if (p.writers === 0) mask |= EPOLLHUP;
    }
    if ((f.f_mode as number) & FMODE_WRITE) {
      if (used < RING) mask |= EPOLLOUT | EPOLLWRNORM;
      if (p.readers === 0) mask |= EPOLLERR;
    }
    return mask;
  },
});
