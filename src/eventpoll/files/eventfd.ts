/**
 * fs/eventfd.c (v6.18): a counter with a wait queue; the simplest watched file.
 *
 * struct eventfd_ctx { wqh, count, flags }. Every write to `count` happens under
 * `wqh.lock`; eventfd_poll reads it locklessly after poll_wait (which takes that lock when
 * the caller will sleep), exactly as the kernel comment in eventfd_poll explains.
 * Counts are JS numbers: the model never approaches ULLONG_MAX.
 */
import { spin_lock_irq, spin_lock_irqsave, spin_unlock_irq, spin_unlock_irqrestore }
  from '../../locks/spinlock.ts';
import { init_waitqueue_head, waitqueue_active, wake_up_locked_poll, wake_up_poll }
  from '../../locks/waitqueue.ts';
import type { Ctx, MachineAccess } from '../../sim/context.ts';
import { READ_ONCE, load, store } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { alloc_file, FMODE_READ, FMODE_WRITE, FOPS, poll_wait, type PollTable } from '../file.ts';
import { kernel } from '../kernel.ts';
import { EAGAIN, EINVAL, EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT } from '../uapi.ts';

const MAX = Number.MAX_SAFE_INTEGER;

/** eventfd2(): a new eventfd file (non-blocking, as the scenarios and scripts use it). */
export function eventfd_create(m: MachineAccess, label: string, initval: number,
  semaphore: boolean): number {
  const wqh = init_waitqueue_head(m, `${label}.wqh`);
  const ctx = m.alloc('eventfd_ctx', { wqh, count: initval, sem: semaphore ? 1 : 0,
    g_file: 0 }, `${label}.ctx`);
  const file = alloc_file(m, 'eventfd', ctx, FMODE_READ | FMODE_WRITE, label);
  m.arena.objs[ctx]!.g_file = file;
  return file;
}

function ctxOf(c: Ctx, file: number): number {
  return c.m.arena.objs[file]!.private_data as number;
}

/** eventfd_poll(). */
export function* eventfd_poll(c: Ctx, file: number, pt: PollTable | null): Model<number> {
  const ctx = ctxOf(c, file);
  yield* poll_wait(c, file, c.m.arena.objs[ctx]!.wqh as number, pt);
  const count: number = yield READ_ONCE(ctx, 'count', 'eventfd_poll');
  let events = 0;
  if (count > 0) events |= EPOLLIN;
  if (count === MAX) events |= EPOLLERR;
  if (MAX - 1 > count) events |= EPOLLOUT;
  return events;
}

/** eventfd_write(): returns 8 or -errno. A write of 0 still wakes the queue. */
export function* eventfd_write(c: Ctx, file: number, ucnt: number): Model<number> {
  const ctx = ctxOf(c, file);
  const wqh = c.m.arena.objs[ctx]!.wqh as number;
  const lock = c.m.arena.objs[wqh]!.lock as number;
  if (ucnt >= MAX) return -EINVAL;
  yield* spin_lock_irq(c, lock);
  const count: number = yield load(ctx, 'count', 'eventfd_write');
  let res = -EAGAIN;
  if (MAX - count > ucnt) {
    res = 8;
    yield store(ctx, 'count', count + ucnt, 'eventfd_write');
    kernel(c).ghost.edge(file);
    if (yield* waitqueue_active(c, wqh)) yield* wake_up_locked_poll(c, wqh, EPOLLIN);
  }
  yield* spin_unlock_irq(c, lock);
  kernel(c).ghost.changed(file);
  return res;
}

/**
 * eventfd_signal_mask(): the in-kernel (IRQ-safe) producer: count++ and wake. It takes the
 * eventfd_ctx (a device holds its own reference), so it keeps working after the last close
 * of the file, as in the kernel.
 */
export function* eventfd_signal(c: Ctx, ctx: number): Model<void> {
  const file = c.m.arena.objs[ctx]!.g_file as number;
  const wqh = c.m.arena.objs[ctx]!.wqh as number;
  const lock = c.m.arena.objs[wqh]!.lock as number;
  const flags = yield* spin_lock_irqsave(c, lock);
  const count: number = yield load(ctx, 'count', 'eventfd_signal');
  if (count < MAX) yield store(ctx, 'count', count + 1, 'eventfd_signal');
  kernel(c).ghost.edge(file);
  if (yield* waitqueue_active(c, wqh)) yield* wake_up_locked_poll(c, wqh, EPOLLIN);
  yield* spin_unlock_irqrestore(c, lock, flags);
  kernel(c).ghost.changed(file);
}

/** eventfd_read(): returns the value read or -EAGAIN (non-blocking). */
export function* eventfd_read(c: Ctx, file: number): Model<number> {
  const ctx = ctxOf(c, file);
  const o = c.m.arena.objs[ctx]!;
  const wqh = o.wqh as number;
  const lock = c.m.arena.objs[wqh]!.lock as number;
  yield* spin_lock_irq(c, lock);
  const count: number = yield load(ctx, 'count', 'eventfd_read');
  if (count === 0) {
    yield* spin_unlock_irq(c, lock);
    return -EAGAIN;
  }
  // eventfd_ctx_do_read(): a semaphore eventfd hands out one unit at a time.
  const ucnt = o.sem === 1 ? 1 : count;
  yield store(ctx, 'count', count - ucnt, 'eventfd_ctx_do_read');
  if (yield* waitqueue_active(c, wqh)) yield* wake_up_locked_poll(c, wqh, EPOLLOUT);
  yield* spin_unlock_irq(c, lock);
  kernel(c).ghost.changed(file);
  return ucnt;
}

/** eventfd_release(): wake pollers with EPOLLHUP. */
function* eventfd_release(c: Ctx, file: number): Model<void> {
  const ctx = ctxOf(c, file);
  yield* wake_up_poll(c, c.m.arena.objs[ctx]!.wqh as number, EPOLLHUP);
}

FOPS.set('eventfd', {
  name: 'eventfd',
  poll: eventfd_poll,
  release: eventfd_release,
  readyMask(m, file) {
    const ctx = m.arena.objs[file]!.private_data as number;
    const count = m.memory.readGlobal(ctx, 'count') as number;
    return (count > 0 ? EPOLLIN : 0) | (MAX - 1 > count ? EPOLLOUT : 0);
  },
});
