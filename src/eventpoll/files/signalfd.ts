/**
 * A signalfd-like file whose wait queue dies while it is watched (fs/signalfd.c and
 * kernel/fork.c's __cleanup_sighand() @ v6.18): the file polls `signalfd_wqh` of a
 * `sighand_struct`. When the last thread sharing that sighand exits, __cleanup_sighand()
 * calls wake_up_pollfree() (a wakeup keyed EPOLLHUP | POLLFREE, after which every entry must
 * be gone) and frees the sighand, wait queue included. The file type of `mainline-6.18`.
 *
 * Scenario use: `files: [{ name: 's', type: 'signalfd' }]`; `write s N` (N > 0) queues N
 * signals and wakes the pollers; `write s 0` is the owning thread's exit (the POLLFREE
 * teardown); a read takes every pending signal (128 bytes each, a signalfd_siginfo).
 *
 * The kernel frees the sighand through SLAB_TYPESAFE_BY_RCU, so an RCU reader that read
 * `whead` before POLLFREE cleared it may still take its lock. The model has no typesafe
 * slabs: the exit waits in synchronize_rcu() (a grace period, locks/rcu.ts) for such
 * readers, then frees at once.
 * The model does not report the kernel's WARN_ON_ONCE(waitqueue_active()) after the wakeup.
 */
import { rcu_read_lock, rcu_read_unlock, synchronize_rcu } from '../../locks/rcu.ts';
import { spin_lock_irq, spin_unlock_irq } from '../../locks/spinlock.ts';
import {
  __wake_up, init_waitqueue_head, wake_up_poll, wq_lock,
} from '../../locks/waitqueue.ts';
import type { Ctx, MachineAccess } from '../../sim/context.ts';
import { load, READ_ONCE, store, WRITE_ONCE } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { alloc_file, FMODE_READ, FMODE_WRITE, poll_wait, type FileOps } from '../file.ts';
import { kernel } from '../kernel.ts';
import { EAGAIN, EPOLLHUP, EPOLLIN, EPOLLRDNORM, POLLFREE } from '../uapi.ts';
import { TASK_NORMAL } from '../../locks/sched.ts';

/** sizeof(struct signalfd_siginfo). */
const SIGINFO = 128;

/** The file's context: `sighand` (0 once the owner exited). */
function ctxOf(m: MachineAccess, file: number): number {
  return m.arena.objs[file]!.private_data as number;
}

/**
 * signalfd_poll(). The kernel polls the caller's own sighand, which cannot die under it;
 * here the sighand is the file's, so the poll is an RCU reader (see the header).
 */
function* signalfd_poll(c: Ctx, file: number, pt: Parameters<NonNullable<FileOps['poll']>>[2]):
Model<number> {
  rcu_read_lock(c);
  let res = 0;
  const sighand: number = yield READ_ONCE(ctxOf(c.m, file), 'sighand', 'signalfd_poll');
  if (sighand !== 0) {
    const wqh = c.m.arena.objs[sighand]!.signalfd_wqh as number;
    yield* poll_wait(c, file, wqh, pt);
    const count: number = yield READ_ONCE(sighand, 'count', 'signalfd_poll');
    if (count > 0) res = EPOLLIN | EPOLLRDNORM;
  }
  rcu_read_unlock(c);
  return res;
}

/** Queues `n` signals under the sighand's lock (the wait queue's) and wakes the pollers. */
function* send(c: Ctx, file: number, sighand: number, n: number): Model<number> {
  const wqh = c.m.arena.objs[sighand]!.signalfd_wqh as number;
  yield* spin_lock_irq(c, wq_lock(c.m, wqh));
  const count: number = yield load(sighand, 'count', 'signalfd_notify');
  yield store(sighand, 'count', count + n, 'signalfd_notify');
  yield* spin_unlock_irq(c, wq_lock(c.m, wqh));
  kernel(c).ghost.edge(file);
  kernel(c).ghost.changed(file);
  yield* wake_up_poll(c, wqh, EPOLLIN);
  return n;
}

/**
 * __cleanup_sighand(): wake_up_pollfree(&sighand->signalfd_wqh), then the free (after the
 * RCU readers, see the header).
 */
function* cleanup_sighand(c: Ctx, file: number, sighand: number): Model<number> {
  const wqh = c.m.arena.objs[sighand]!.signalfd_wqh as number;
  yield* __wake_up(c, wqh, TASK_NORMAL, 0, EPOLLHUP | POLLFREE);
  yield WRITE_ONCE(ctxOf(c.m, file), 'sighand', 0, '__cleanup_sighand');
  yield* synchronize_rcu(c);
  c.m.free(c, sighand, '__cleanup_sighand');
  kernel(c).ghost.changed(file);
  return 0;
}

/** The signalfd file type (mainline-6.18's own: `files: [{ name, type: 'signalfd' }]`). */
export const SIGNALFD: FileOps = {
  name: 'signalfd',
  poll: signalfd_poll,
  *release() {},
  *read(c, file) {
    rcu_read_lock(c);
    let count = 0;
    const sighand: number = yield READ_ONCE(ctxOf(c.m, file), 'sighand', 'signalfd_read');
    if (sighand !== 0) {
      const wqh = c.m.arena.objs[sighand]!.signalfd_wqh as number;
      yield* spin_lock_irq(c, wq_lock(c.m, wqh));
      count = yield load(sighand, 'count', 'signalfd_dequeue');
      yield store(sighand, 'count', 0, 'signalfd_dequeue');
      yield* spin_unlock_irq(c, wq_lock(c.m, wqh));
    }
    rcu_read_unlock(c);
    kernel(c).ghost.changed(file);
    return count > 0 ? count * SIGINFO : -EAGAIN;
  },
  *write(c, file, n) {
    const sighand: number = yield READ_ONCE(ctxOf(c.m, file), 'sighand', 'signalfd_write');
    if (sighand === 0) return 0;
    // One writer side: signals and the exit come from the scenario's owner of the queue.
    if (Number(n) > 0) {
      rcu_read_lock(c);
      const r = yield* send(c, file, sighand, Number(n));
      rcu_read_unlock(c);
      return r;
    }
    return yield* cleanup_sighand(c, file, sighand);
  },
  readyMask(m, file) {
    const sighand = m.memory.readGlobal(ctxOf(m, file), 'sighand') as number;
    if (sighand === 0 || !m.arena.isLive(sighand)) return 0;
    return (m.memory.readGlobal(sighand, 'count') as number) > 0 ? EPOLLIN | EPOLLRDNORM : 0;
  },
  create(c, spec) {
    const m = c.m;
    const sighand = m.alloc('sighand_struct', { count: 0, signalfd_wqh: 0 },
      `${spec.name}.sighand`);
    const wqh = init_waitqueue_head(m, `${spec.name}.sighand.signalfd_wqh`);
    m.arena.objs[sighand]!.signalfd_wqh = wqh;
    m.arena.embed(wqh, sighand);
    const ctx = m.alloc('signalfd_ctx', { sighand }, `${spec.name}.ctx`);
    return alloc_file(m, 'signalfd', ctx, FMODE_READ | FMODE_WRITE, spec.name);
  },
};
