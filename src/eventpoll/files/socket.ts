/**
 * net/unix/af_unix.c (v6.18): an AF_UNIX stream socketpair, non-blocking.
 *
 * struct sock { peer, wq, lock (unix_state_lock), sk_shutdown, sk_err, sk_state,
 * wmem_alloc, sk_sndbuf, rq_head, rq_tail } and struct sk_buff { next, len, truesize }.
 * A send queues one skb per chunk on the peer's receive queue and charges its truesize to
 * the sender's `wmem_alloc`; reading frees consumed skbs, which uncharges the sender and
 * runs its write-space callback (sock_wfree -> unix_write_space).
 *
 * The accounting reproduces the kernel's numbers (see skb-truesize.ts): a send is cut into
 * skbs of at most SKB_MAX_HEAD(0) + UNIX_SKB_FRAGS_SZ bytes, a new skb is allocated while
 * the sender's charge is below sk_sndbuf (wmem_default, 212992), and the socket is writable
 * while (charge + 1) * 4 <= sk_sndbuf (`sk_wmem_alloc` starts at 1 in the kernel; the
 * model's `wmem_alloc` is sk_wmem_alloc_get(), without that 1). So filling an empty socket
 * takes 233152 bytes, as on the kernel.
 */
import { spin_lock, spin_lock_init, spin_unlock } from '../../locks/spinlock.ts';
import { __wake_up, init_waitqueue_head } from '../../locks/waitqueue.ts';
import type { Ctx, MachineAccess } from '../../sim/context.ts';
import { TASK_INTERRUPTIBLE } from '../../sim/context.ts';
import { atomic_add_return, READ_ONCE, load, store, WRITE_ONCE, xchg } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { NULL } from '../../queues/arena.ts';
import { alloc_file, FMODE_READ, FMODE_WRITE, FOPS, poll_wait, type PollTable } from '../file.ts';
import { kernel } from '../kernel.ts';
import { unix_skb_max, unix_skb_truesize } from './skb-truesize.ts';
import {
  EAGAIN, ENOTCONN, EPIPE, EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLPRI, EPOLLRDBAND, EPOLLRDHUP,
  EPOLLRDNORM, EPOLLWRBAND, EPOLLWRNORM,
} from '../uapi.ts';

const RCV_SHUTDOWN = 1;
const SEND_SHUTDOWN = 2;
const SHUTDOWN_MASK = 3;
const ECONNRESET = 104;
/** Default sk_sndbuf (net.core.wmem_default). */
const SNDBUF = 212992;

/** socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK): returns the two files. */
export function socketpair_create(m: MachineAccess, label: string): [number, number] {
  const mk = (n: string) => m.alloc('sock', {
    peer: 0, wq: init_waitqueue_head(m, `${n}.wq`), lock: spin_lock_init(m, `${n}.lock`,
      'unix_state_lock'),
    sk_shutdown: 0, sk_err: 0, wmem_alloc: 0, sk_sndbuf: SNDBUF, rq_head: 0, rq_tail: 0,
    dead: 0, g_file: 0,
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

/** Ghost bookkeeping: the socket's and its peer's readiness may have changed. */
function ghostChanged(c: Ctx, sk: number): void {
  const o = c.m.arena.objs[sk]!;
  kernel(c).ghost.changed(o.g_file as number);
  const peer = o.peer as number;
  if (peer !== 0) kernel(c).ghost.changed(c.m.arena.objs[peer]!.g_file as number);
}

/** Ghost bookkeeping: the socket's file issued a wakeup for new readiness. */
function ghostEdge(c: Ctx, sk: number): void {
  const file = c.m.arena.objs[sk]!.g_file as number;
  if (c.m.arena.isLive(file)) kernel(c).ghost.edge(file);
}

/**
 * unix_writable(): `refcount_read(&sk->sk_wmem_alloc) << 2 <= sk_sndbuf`. The refcount is
 * the charge plus `held`: 1 normally, 2 inside sock_wfree (which keeps one reference across
 * the write-space callback).
 */
function unix_writable(wmem: number, held: number): boolean {
  return (wmem + held) * 4 <= SNDBUF;
}

function readyOf(shutdown: number, err: number, queued: boolean, wmem: number): number {
  let mask = 0;
  if (err) mask |= EPOLLERR;
  if (shutdown === SHUTDOWN_MASK) mask |= EPOLLHUP;
  if (shutdown & RCV_SHUTDOWN) mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
  if (queued) mask |= EPOLLIN | EPOLLRDNORM;
  if (unix_writable(wmem, 1)) mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
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

/** unix_stream_sendmsg(): returns bytes sent or -errno (SIGPIPE is ignored). */
export function* unix_stream_sendmsg(c: Ctx, file: number, len: number): Model<number> {
  const FN = 'unix_stream_sendmsg';
  const sk = skOf(c, file);
  const other: number = yield load(sk, 'peer', FN);
  if (other === 0) return -ENOTCONN;
  if (((yield READ_ONCE(sk, 'sk_shutdown', FN)) as number) & SEND_SHUTDOWN) return -EPIPE;
  let sent = 0;
  while (sent < len) {
    const size = Math.min(len - sent, unix_skb_max(SNDBUF));
    const skb = yield* sock_alloc_send_pskb(c, sk, size);
    if (skb < 0) return sent > 0 ? sent : skb;
    const lock = c.m.arena.objs[other]!.lock as number;
    yield* spin_lock(c, lock);
    const dead: number = yield load(other, 'dead', FN);
    const oshut: number = yield load(other, 'sk_shutdown', FN);
    if (dead || oshut & RCV_SHUTDOWN) {
      yield* spin_unlock(c, lock);
      // out_pipe_unlock: the skb is freed again (consume_skb -> sock_wfree).
      yield* sock_wfree(c, skb);
      return sent > 0 ? sent : -EPIPE;
    }
    const tail: number = yield load(other, 'rq_tail', 'skb_queue_tail');
    if (tail === NULL) yield WRITE_ONCE(other, 'rq_head', skb, 'skb_queue_tail');
    else yield store(tail, 'next', skb, 'skb_queue_tail');
    yield store(other, 'rq_tail', skb, 'skb_queue_tail');
    yield* spin_unlock(c, lock);
    sent += size;
    ghostEdge(c, other);
    ghostChanged(c, sk);
    // sock_def_readable().
    yield* sk_wake(c, other, EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND, 1);
  }
  return sent;
}

/**
 * sock_alloc_send_pskb() with MSG_DONTWAIT: an skb for `size` bytes charged to `sk`
 * (skb_set_owner_w), or -errno: a pending socket error, SEND_SHUTDOWN, or -EAGAIN when the
 * charge has reached sk_sndbuf (checked before allocating, so the last skb may overshoot).
 */
function* sock_alloc_send_pskb(c: Ctx, sk: number, size: number): Model<number> {
  const FN = 'sock_alloc_send_pskb';
  const err = yield* sock_error(c, sk);
  if (err) return err;
  if (((yield READ_ONCE(sk, 'sk_shutdown', FN)) as number) & SEND_SHUTDOWN) return -EPIPE;
  const wmem: number = yield READ_ONCE(sk, 'wmem_alloc', 'sk_wmem_alloc_get');
  if (wmem >= SNDBUF) return -EAGAIN;
  const truesize = unix_skb_truesize(size);
  const skb = c.m.alloc('sk_buff', { next: NULL, len: size, truesize, owner: sk });
  yield atomic_add_return(sk, 'wmem_alloc', truesize, 'skb_set_owner_w');
  return skb;
}

/** sock_error(): takes and clears a pending error (0 or -errno). */
function* sock_error(c: Ctx, sk: number): Model<number> {
  if (((yield READ_ONCE(sk, 'sk_err', 'sock_error')) as number) === 0) return 0;
  const err: number = yield xchg(sk, 'sk_err', 0, 'sock_error');
  ghostChanged(c, sk);
  return -err;
}

/** unix_stream_recvmsg(): returns bytes read, 0 at end of stream, or -errno. */
export function* unix_stream_recvmsg(c: Ctx, file: number, len: number): Model<number> {
  // sock_read_iter(): "Match SYS5 behaviour": an empty read returns 0 at once.
  if (len === 0) return 0;
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
  if (copied > 0) return copied;
  // "POSIX 1003.1g mandates this order": a pending error before end of stream.
  const err = yield* sock_error(c, sk);
  if (err) return err;
  const shutdown: number = yield load(sk, 'sk_shutdown', 'unix_stream_read_generic');
  return shutdown & RCV_SHUTDOWN ? 0 : -EAGAIN;
}

/**
 * sock_wfree(): uncharge the sender and run its write-space callback, unix_write_space(),
 * which wakes writers once the socket is writable. The kernel drops all but one reference
 * first and that last one after the callback, so the callback sees the charge plus 2.
 */
function* sock_wfree(c: Ctx, skb: number): Model<void> {
  const owner = c.m.arena.objs[skb]!.owner as number;
  const truesize = c.m.arena.objs[skb]!.truesize as number;
  c.m.free(c, skb);
  yield atomic_add_return(owner, 'wmem_alloc', -truesize, 'sock_wfree');
  const wmem: number = yield READ_ONCE(owner, 'wmem_alloc', 'unix_write_space');
  if (unix_writable(wmem, 2)) {
    ghostEdge(c, owner);
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
  if (other !== 0) {
    let peer_mode = 0;
    if (mode & RCV_SHUTDOWN) peer_mode |= SEND_SHUTDOWN;
    if (mode & SEND_SHUTDOWN) peer_mode |= RCV_SHUTDOWN;
    const osh: number = yield load(other, 'sk_shutdown', 'unix_shutdown');
    yield WRITE_ONCE(other, 'sk_shutdown', osh | peer_mode, 'unix_shutdown');
    ghostChanged(c, other);
    ghostEdge(c, other);
    yield* sk_wake(c, other, 0, 0);
  }
  return 0;
}

/**
 * unix_release_sock(): the socket is dead; its peer sees a full shutdown, and ECONNRESET
 * if this socket still had unread data. The peer keeps its pointer to the dead socket (the
 * kernel clears only the releasing side's), so the peer's later sends fail with EPIPE (its
 * SEND_SHUTDOWN), not ENOTCONN.
 */
function* unix_release(c: Ctx, file: number): Model<void> {
  const FN = 'unix_release_sock';
  const sk = skOf(c, file);
  const lock = c.m.arena.objs[sk]!.lock as number;
  yield* spin_lock(c, lock);
  yield store(sk, 'dead', 1, 'sock_orphan');
  yield WRITE_ONCE(sk, 'sk_shutdown', SHUTDOWN_MASK, FN);
  const other: number = yield load(sk, 'peer', FN);
  yield store(sk, 'peer', 0, FN);
  yield* spin_unlock(c, lock);
  if (other !== 0) {
    const olock = c.m.arena.objs[other]!.lock as number;
    yield* spin_lock(c, olock);
    yield WRITE_ONCE(other, 'sk_shutdown', SHUTDOWN_MASK, FN);
    const unread: number = yield READ_ONCE(sk, 'rq_head', 'skb_queue_empty_lockless');
    if (unread !== NULL) yield WRITE_ONCE(other, 'sk_err', ECONNRESET, FN);
    yield* spin_unlock(c, olock);
    ghostChanged(c, other);
    ghostEdge(c, other);
    // sk_state_change() = sock_def_wakeup(): every waiter, any key.
    yield* sk_wake(c, other, 0, 0);
  }
  // Throw out the unread buffers: each uncharges (and may wake) its sender.
  let skb: number = yield load(sk, 'rq_head', FN);
  while (skb !== NULL) {
    const next: number = yield load(skb, 'next', FN);
    yield WRITE_ONCE(sk, 'rq_head', next, 'skb_dequeue');
    if (next === NULL) yield store(sk, 'rq_tail', NULL, 'skb_dequeue');
    yield* sock_wfree(c, skb);
    skb = next;
  }
}

FOPS.set('socket', {
  name: 'socket',
  poll: unix_poll,
  release: unix_release,
  read: (c, file, n) => unix_stream_recvmsg(c, file, n),
  write: (c, file, n) => unix_stream_sendmsg(c, file, Number(n)),
  readyMask(m, file) {
    const sk = m.arena.objs[file]!.private_data as number;
    const o = m.arena.objs[sk]!;
    return readyOf(o.sk_shutdown as number, o.sk_err as number, o.rq_head !== NULL,
      o.wmem_alloc as number);
  },
});
