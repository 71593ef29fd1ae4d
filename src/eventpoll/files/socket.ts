/**
 * net/unix/af_unix.c (v6.18): an AF_UNIX stream socketpair, non-blocking.
 *
 * struct sock { peer, wq, lock (unix_state_lock), sk_shutdown, sk_err, sk_state,
 * wmem_alloc, sk_sndbuf, rq_head, rq_tail } and struct sk_buff { next, len, truesize }.
 * A send queues one skb per chunk on the peer's receive queue and charges its truesize to
 * the sender's `wmem_alloc`; reading frees consumed skbs, which uncharges the sender and
 * runs its write-space callback (sock_wfree -> unix_write_space). The truesize accounting
 * is an approximation of the kernel's (see docs/fidelity.md).
 */
import { spin_lock, spin_lock_init, spin_unlock } from '../../locks/spinlock.ts';
import { __wake_up, init_waitqueue_head } from '../../locks/waitqueue.ts';
import type { Ctx, MachineAccess } from '../../sim/context.ts';
import { TASK_INTERRUPTIBLE } from '../../sim/context.ts';
import { READ_ONCE, load, store, WRITE_ONCE } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { NULL } from '../../queues/arena.ts';
import { alloc_file, FMODE_READ, FMODE_WRITE, FOPS, poll_wait, type PollTable } from '../file.ts';
import { kernel } from '../kernel.ts';
import {
  EAGAIN, EPIPE, EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLPRI, EPOLLRDBAND, EPOLLRDHUP,
  EPOLLRDNORM, EPOLLWRBAND, EPOLLWRNORM,
} from '../uapi.ts';

const RCV_SHUTDOWN = 1;
const SEND_SHUTDOWN = 2;
const SHUTDOWN_MASK = 3;
const ECONNRESET = 104;
/** Default sk_sndbuf (net.core.wmem_default). */
const SNDBUF = 212992;
/** Per-skb overhead charged to wmem_alloc (SKB_TRUESIZE of the head, approximated). */
const SKB_OVERHEAD = 576;

/** socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK): returns the two files. */
export function socketpair_create(m: MachineAccess, label: string): [number, number] {
  const mk = (n: string) => m.alloc('sock', {
    peer: 0, wq: init_waitqueue_head(m, `${n}.wq`), lock: spin_lock_init(m, `${n}.lock`,
      'unix_state_lock'),
    sk_shutdown: 0, sk_err: 0, wmem_alloc: 0, sk_sndbuf: SNDBUF, rq_head: 0, rq_tail: 0,
    g_file: 0,
  }, `${n}.sk`);
  const a = mk(`${label}0`);
  const b = mk(`${label}1`);
  m.arena.objs[a]!.peer = b;
  m.arena.objs[b]!.peer = a;
  const fa = alloc_file(m, 'socket', a, FMODE_READ | FMODE_WRITE, `${label}0`);
  const fb = alloc_file(m, 'socket', b, FMODE_READ | FMODE_WRITE, `${label}1`);
  m.arena.objs[a]!.g_file = fa;
  m.arena.objs[b]!.g_file = fb;
  return [fa, fb];
}

function skOf(c: Ctx, file: number): number {
  return c.m.arena.objs[file]!.private_data as number;
}

function ghostChanged(c: Ctx, sk: number): void {
  const o = c.m.arena.objs[sk]!;
  kernel(c).ghost.changed(o.g_file as number);
  const peer = o.peer as number;
  if (peer !== 0 && c.m.arena.isLive(peer)) {
    kernel(c).ghost.changed(c.m.arena.objs[peer]!.g_file as number);
  }
}

function readyOf(shutdown: number, err: number, queued: boolean, wmem: number): number {
  let mask = 0;
  if (err) mask |= EPOLLERR;
  if (shutdown === SHUTDOWN_MASK) mask |= EPOLLHUP;
  if (shutdown & RCV_SHUTDOWN) mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
  if (queued) mask |= EPOLLIN | EPOLLRDNORM;
  if (wmem * 4 <= SNDBUF) mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
  return mask;
}

/** unix_poll(). */
export function* unix_poll(c: Ctx, file: number, pt: PollTable | null): Model<number> {
  const sk = skOf(c, file);
  yield* poll_wait(c, file, c.m.arena.objs[sk]!.wq as number, pt);
  const shutdown: number = yield READ_ONCE(sk, 'sk_shutdown', 'unix_poll');
  const err: number = yield READ_ONCE(sk, 'sk_err', 'unix_poll');
  const head: number = yield READ_ONCE(sk, 'rq_head', 'unix_poll');
  const wmem: number = yield READ_ONCE(sk, 'wmem_alloc', 'unix_poll');
  return readyOf(shutdown, err, head !== NULL, wmem);
}

/** sock_def_readable() / unix_write_space() / sock_def_wakeup(): wake the socket's queue. */
function* sk_wake(c: Ctx, sk: number, key: number, nr: number): Model<void> {
  yield* __wake_up(c, c.m.arena.objs[sk]!.wq as number, TASK_INTERRUPTIBLE, nr, key);
}

/** unix_stream_sendmsg(): returns bytes sent or -errno. */
export function* unix_stream_sendmsg(c: Ctx, file: number, len: number): Model<number> {
  const sk = skOf(c, file);
  const other = c.m.arena.objs[sk]!.peer as number;
  const myShutdown: number = yield load(sk, 'sk_shutdown', 'unix_stream_sendmsg');
  if (myShutdown & SEND_SHUTDOWN) return -EPIPE;
  let sent = 0;
  while (sent < len) {
    if (other === 0 || ((yield load(other, 'sk_shutdown', 'unix_stream_sendmsg')) as number)
      & RCV_SHUTDOWN) return sent > 0 ? sent : -EPIPE;
    const wmem: number = yield load(sk, 'wmem_alloc', 'sock_alloc_send_pskb');
    if (wmem >= SNDBUF) return sent > 0 ? sent : -EAGAIN;
    const size = Math.min(len - sent, (SNDBUF >> 1) - 64);
    const truesize = size + SKB_OVERHEAD;
    const skb = c.m.alloc('sk_buff', { next: NULL, len: size, truesize, owner: sk });
    yield store(sk, 'wmem_alloc', wmem + truesize, 'skb_set_owner_w');
    const lock = c.m.arena.objs[other]!.lock as number;
    yield* spin_lock(c, lock);
    const tail: number = yield load(other, 'rq_tail', 'skb_queue_tail');
    if (tail === NULL) yield WRITE_ONCE(other, 'rq_head', skb, 'skb_queue_tail');
    else yield store(tail, 'next', skb, 'skb_queue_tail');
    yield store(other, 'rq_tail', skb, 'skb_queue_tail');
    yield* spin_unlock(c, lock);
    sent += size;
    kernel(c).ghost.edge(c.m.arena.objs[other]!.g_file as number);
    ghostChanged(c, sk);
    yield* sk_wake(c, other, EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND, 1);
  }
  return sent;
}

/** unix_stream_recvmsg(): returns bytes read, 0 at end of stream, or -errno. */
export function* unix_stream_recvmsg(c: Ctx, file: number, len: number): Model<number> {
  const sk = skOf(c, file);
  const lock = c.m.arena.objs[sk]!.lock as number;
  let copied = 0;
  yield* spin_lock(c, lock);
  while (copied < len) {
    const skb: number = yield load(sk, 'rq_head', 'unix_stream_read_generic');
    if (skb === NULL) break;
    const sl: number = yield load(skb, 'len', 'unix_stream_read_generic');
    const chunk = Math.min(sl, len - copied);
    copied += chunk;
    if (chunk < sl) {
      yield store(skb, 'len', sl - chunk, 'unix_stream_read_generic');
      break;
    }
    const next: number = yield load(skb, 'next', 'skb_unlink');
    yield WRITE_ONCE(sk, 'rq_head', next, 'skb_unlink');
    if (next === NULL) yield store(sk, 'rq_tail', NULL, 'skb_unlink');
    yield* sock_wfree(c, skb);
  }
  yield* spin_unlock(c, lock);
  ghostChanged(c, sk);
  if (copied > 0 || len === 0) return copied;
  const err: number = yield load(sk, 'sk_err', 'sock_error');
  if (err) {
    yield store(sk, 'sk_err', 0, 'sock_error');
    ghostChanged(c, sk);
    return -err;
  }
  const shutdown: number = yield load(sk, 'sk_shutdown', 'unix_stream_read_generic');
  return shutdown & RCV_SHUTDOWN ? 0 : -EAGAIN;
}

/** sock_wfree(): uncharge the sender and run its write-space callback. */
function* sock_wfree(c: Ctx, skb: number): Model<void> {
  const owner = c.m.arena.objs[skb]!.owner as number;
  const truesize = c.m.arena.objs[skb]!.truesize as number;
  c.m.free(c, skb);
  if (!c.m.arena.isLive(owner)) return;
  const wmem: number = yield load(owner, 'wmem_alloc', 'sock_wfree');
  yield store(owner, 'wmem_alloc', wmem - truesize, 'sock_wfree');
  // unix_write_space(): wake writers once the socket is writable again.
  if ((wmem - truesize) * 4 <= SNDBUF) {
    kernel(c).ghost.edge(c.m.arena.objs[owner]!.g_file as number);
    yield* sk_wake(c, owner, EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND, 1);
  }
}

/** unix_shutdown(): how is 0 (rd), 1 (wr) or 2 (rdwr). */
export function* unix_shutdown(c: Ctx, file: number, how: number): Model<number> {
  const sk = skOf(c, file);
  const mode = how + 1;
  const sh: number = yield load(sk, 'sk_shutdown', 'unix_shutdown');
  yield WRITE_ONCE(sk, 'sk_shutdown', sh | mode, 'unix_shutdown');
  ghostChanged(c, sk);
  kernel(c).ghost.edge(file);
  yield* sk_wake(c, sk, 0, 0);
  const other = c.m.arena.objs[sk]!.peer as number;
  if (other !== 0 && c.m.arena.isLive(other)) {
    let peer_mode = 0;
    if (mode & RCV_SHUTDOWN) peer_mode |= SEND_SHUTDOWN;
    if (mode & SEND_SHUTDOWN) peer_mode |= RCV_SHUTDOWN;
    const osh: number = yield load(other, 'sk_shutdown', 'unix_shutdown');
    yield WRITE_ONCE(other, 'sk_shutdown', osh | peer_mode, 'unix_shutdown');
    ghostChanged(c, other);
    kernel(c).ghost.edge(c.m.arena.objs[other]!.g_file as number);
    yield* sk_wake(c, other, 0, 0);
  }
  return 0;
}

/** unix_release_sock(): the peer sees a full shutdown (and ECONNRESET if data was unread). */
function* unix_release(c: Ctx, file: number): Model<void> {
  const sk = skOf(c, file);
  yield WRITE_ONCE(sk, 'sk_shutdown', SHUTDOWN_MASK, 'unix_release_sock');
  const other = c.m.arena.objs[sk]!.peer as number;
  yield store(sk, 'peer', 0, 'unix_release_sock');
  const unread: number = yield load(sk, 'rq_head', 'unix_release_sock');
  if (other !== 0 && c.m.arena.isLive(other)) {
    yield WRITE_ONCE(other, 'sk_shutdown', SHUTDOWN_MASK, 'unix_release_sock');
    if (unread !== NULL) yield WRITE_ONCE(other, 'sk_err', ECONNRESET, 'unix_release_sock');
    yield store(other, 'peer', 0, 'unix_release_sock');
    ghostChanged(c, other);
    kernel(c).ghost.edge(c.m.arena.objs[other]!.g_file as number);
    yield* sk_wake(c, other, 0, 0);
  }
  // Throw out the unread buffers: each uncharges (and may wake) its sender.
  let skb = unread;
  while (skb !== NULL) {
    const next: number = yield load(skb, 'next', 'unix_release_sock');
    yield* sock_wfree(c, skb);
    skb = next;
  }
  yield store(sk, 'rq_head', NULL, 'unix_release_sock');
}

FOPS.set('socket', {
  name: 'socket',
  poll: unix_poll,
  release: unix_release,
  readyMask(m, file) {
    const sk = m.arena.objs[file]!.private_data as number;
    const o = m.arena.objs[sk]!;
    return readyOf(o.sk_shutdown as number, o.sk_err as number, o.rq_head !== NULL,
      o.wmem_alloc as number);
  },
});
