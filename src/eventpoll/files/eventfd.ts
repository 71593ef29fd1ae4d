/**
 * fs/eventfd.c (v6.18): a counter with a wait queue; the simplest watched file.
 *
 * struct eventfd_ctx { wqh, count, flags }. Every write to `count` happens under
 * `wqh.lock`; eventfd_poll reads it locklessly after poll_wait (which takes that lock when
 * the caller will sleep), exactly as the kernel comment in eventfd_poll explains.
 *
 * `count` is the kernel's u64, and user space really does drive it to ULLONG_MAX - 1 (a
 * `fill`), beyond what a JS number holds exactly. Heap fields are numbers or strings, so the
 * counter is kept as a decimal string and read and written as a bigint: one field, so one
 * access, as the kernel's 64-bit load and store are.
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

/** ULLONG_MAX. */
export const ULLONG_MAX = (1n << 64n) - 1n;

/** eventfd2(): a new eventfd file (non-blocking, as the scenarios and scripts use it). */
export function eventfd_create(m: MachineAccess, label: string, initval: number,
  semaphore: boolean): number {
  const wqh = init_waitqueue_head(m, `${label}.wqh`);
  const ctx = m.alloc('eventfd_ctx', { wqh, count: String(BigInt(initval)),
    sem: semaphore ? 1 : 0, g_file: 0 }, `${label}.ctx`);
  const file = alloc_file(m, 'eventfd', ctx, FMODE_READ | FMODE_WRITE, label);
  m.arena.objs[ctx]!.g_file = file;
  return file;
}

function ctxOf(c: Ctx, file: number): number {
  return c.m.arena.objs[file]!.private_data as number;
}

/** The mask eventfd_poll computes from a counter value. */
function eventfd_mask(count: bigint): number {
  let events = 0;
  if (count > 0n) events |= EPOLLIN;
  if (count === ULLONG_MAX) events |= EPOLLERR;
  if (ULLONG_MAX - 1n > count) events |= EPOLLOUT;
  return events;
}

/** eventfd_poll(). */
export function* eventfd_poll(c: Ctx, file: number, pt: PollTable | null): Model<number> {
  const ctx = ctxOf(c, file);
  yield* poll_wait(c, file, c.m.arena.objs[ctx]!.wqh as number, pt);
  return eventfd_mask(BigInt((yield READ_ONCE(ctx, 'count', 'eventfd_poll')) as string));
}

/**
 * eventfd_write() of the 8-byte value `ucnt`: returns 8 or -errno. A write of 0 still wakes
 * the queue (the kernel wakes on every successful write).
 */
export function* eventfd_write(c: Ctx, file: number, ucnt: bigint): Model<number> {
  const ctx = ctxOf(c, file);
  const wqh = c.m.arena.objs[ctx]!.wqh as number;
  const lock = c.m.arena.objs[wqh]!.lock as number;
  if (ucnt === ULLONG_MAX) return -EINVAL;
  yield* spin_lock_irq(c, lock);
  const count = BigInt((yield load(ctx, 'count', 'eventfd_write')) as string);
  let res = -EAGAIN;
  if (ULLONG_MAX - count > ucnt) {
    res = 8;
    yield store(ctx, 'count', String(count + ucnt), 'eventfd_write');
    kernel(c).ghost.edge(file);
    kernel(c).ghost.changed(file); // as in eventfd_read
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
  const count = BigInt((yield load(ctx, 'count', 'eventfd_signal')) as string);
  if (count < ULLONG_MAX) yield store(ctx, 'count', String(count + 1n), 'eventfd_signal');
  kernel(c).ghost.edge(file);
  kernel(c).ghost.changed(file); // as in eventfd_read
  if (yield* waitqueue_active(c, wqh)) yield* wake_up_locked_poll(c, wqh, EPOLLIN);
  yield* spin_unlock_irqrestore(c, lock, flags);
  kernel(c).ghost.changed(file);
}

/**
 * eventfd_read() with O_NONBLOCK: returns 8 with the value read in `out.value`, or -EAGAIN
 * when the counter is 0.
 */
export function* eventfd_read(c: Ctx, file: number, out: { value: bigint }): Model<number> {
  const ctx = ctxOf(c, file);
  const o = c.m.arena.objs[ctx]!;
  const wqh = o.wqh as number;
  const lock = c.m.arena.objs[wqh]!.lock as number;
  yield* spin_lock_irq(c, lock);
  const count = BigInt((yield load(ctx, 'count', 'eventfd_read')) as string);
  if (count === 0n) {
    yield* spin_unlock_irq(c, lock);
    return -EAGAIN;
  }
  // eventfd_ctx_do_read(): a semaphore eventfd hands out one unit at a time.
  const ucnt = o.sem === 1 ? 1n : count;
  yield store(ctx, 'count', String(count - ucnt), 'eventfd_ctx_do_read');
  // The ghost folds the new readiness at once (under SC it is visible now), and again after
  // the unlock: the unlock and the IRQ enable are steps of their own, and a harvest on
  // another CPU that ends between them must see the drop (else P5 cries wolf).
  kernel(c).ghost.changed(file);
  if (yield* waitqueue_active(c, wqh)) yield* wake_up_locked_poll(c, wqh, EPOLLOUT);
  yield* spin_unlock_irq(c, lock);
  kernel(c).ghost.changed(file);
  out.value = ucnt;
  return 8;
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
  // An eventfd read needs room for the 8-byte counter.
  *read(c, file, n, out) {
    return n < 8 ? -EINVAL : yield* eventfd_read(c, file, out);
  },
  write: (c, file, n) => eventfd_write(c, file, BigInt(n)),
  readyMask(m, file) {
    const ctx = m.arena.objs[file]!.private_data as number;
    return eventfd_mask(BigInt(m.memory.readGlobal(ctx, 'count') as string));
  },
});
