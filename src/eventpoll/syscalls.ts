/**
 * The system calls a simulated task can make, with the kernel's argument checks and errno
 * order: epoll_create1, epoll_ctl, epoll_wait, poll, read, write, close, dup, shutdown, and
 * the creators of watched files (pipe2, eventfd2, socketpair, an unlinked regular file).
 * Each returns a non-negative result or `-errno`, as the kernel does.
 */
import { listOwners } from '../queues/list.ts';
import type { Ctx, MachineAccess } from '../sim/context.ts';
import { load } from '../sim/mem.ts';
import { SimUsageError } from '../sim/errors.ts';
import { custom, type CustomOp, type Model } from '../sim/op.ts';
import {
  alloc_file, fops, FMODE_READ, FMODE_WRITE, FOPS, fput, get_file, type CustomFileSpec,
} from './file.ts';
import { eventfd_create } from './files/eventfd.ts';
import { pipe_create } from './files/pipe.ts';
import { regular_create } from './files/regular.ts';
import { socketpair_create, unix_shutdown } from './files/socket.ts';
import { kernel, type EpKernel } from './kernel.ts';
import { do_sys_poll } from './select.ts';
import { registerTaskWork, resume_user_mode_work } from './task-work.ts';
import type { WaitCall } from './ghost.ts';
import { itemQueued } from './checkers/queued.ts';
import {
  EBADF, EINVAL, EPOLL_CLOEXEC, EPOLLIN, EPOLLRDNORM,
  type EpollEvent,
} from './uapi.ts';

const EP_MAX_EVENTS = Math.floor(0x7fffffff / 12);

/** Registers a new file with the ghost and returns it (creation helpers). */
function track(m: MachineAccess, file: number): number {
  (m.ext.ep as ReturnType<typeof kernel>).ghost.addFile(file);
  (m.ext.ep as ReturnType<typeof kernel>).files.push(file);
  return file;
}

/** epoll_create1(): returns the new descriptor or -EINVAL. */
export function sys_epoll_create1(c: Ctx, flags: number, label?: string): number {
  if (flags & ~EPOLL_CLOEXEC) return -EINVAL;
  const k = kernel(c);
  const name = label ?? `ep${k.eventpolls.length + 1}`;
  const ep = k.ops.ep_alloc(c, name);
  const file = alloc_file(c.m, 'eventpoll', ep, FMODE_READ | FMODE_WRITE, name);
  c.m.arena.objs[ep]!.file = file;
  // An epoll file's list of watchers is the eventpoll's (file->f_ep = &ep->refs): it lives
  // as long as the eventpoll, which RCU readers may outlive the file with (ep_free()).
  c.m.arena.reparent(c.m.arena.objs[file]!.f_ep as number, ep);
  k.eventpolls.push(ep);
  track(c.m, file);
  return k.fd_install(file);
}

/** pipe2(O_NONBLOCK): returns [rfd, wfd]. */
export function sys_pipe(c: Ctx, label: string): [number, number] {
  const k = kernel(c);
  const [r, w] = pipe_create(c.m, label);
  return [k.fd_install(track(c.m, r)), k.fd_install(track(c.m, w))];
}

/** eventfd2(initval, EFD_NONBLOCK [| EFD_SEMAPHORE]). */
export function sys_eventfd(c: Ctx, label: string, initval: number, sem: boolean): number {
  return kernel(c).fd_install(track(c.m, eventfd_create(c.m, label, initval, sem)));
}

/** socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK). */
export function sys_socketpair(c: Ctx, label: string): [number, number] {
  const k = kernel(c);
  const [a, b] = socketpair_create(c.m, label);
  return [k.fd_install(track(c.m, a)), k.fd_install(track(c.m, b))];
}

/** An unlinked regular file. */
export function sys_regular(c: Ctx, label: string): number {
  return kernel(c).fd_install(track(c.m, regular_create(c.m, label)));
}

/**
 * A file of a type the running variant adds (`Variant.fileTypes`), made by the type's
 * `create` for a scenario's `files` entry; returns its descriptor.
 */
export function sys_open_file(c: Ctx, spec: CustomFileSpec): number {
  const k = kernel(c);
  const ops = k.fops.get(spec.type);
  if (ops?.create === undefined) {
    throw new SimUsageError('E_BAD_SCENARIO', `file type '${spec.type}' cannot be created ` +
      `by variant '${k.cfg.variant.name}'`);
  }
  return k.fd_install(track(c.m, ops.create(c, spec)));
}

/** dup(): a new descriptor for the same file. */
export function* sys_dup(c: Ctx, fd: number): Model<number> {
  const k = kernel(c);
  const f = k.fdget(fd);
  if (f === undefined) return -EBADF;
  yield* get_file(c, f);
  return k.fd_install(f);
}

/**
 * include/linux/eventpoll.h @ v6.18: eventpoll_release(): only files some set watches need
 * eventpoll_release_file.
 */
export function* eventpoll_release(c: Ctx, file: number): Model<void> {
  const head = c.m.arena.objs[file]!.f_ep as number;
  if ((yield load(head, 'next', 'eventpoll_release')) === head) return;
  yield* kernel(c).ops.eventpoll_release_file(c, file);
}

/**
 * __fput() of v6.18 (fs/file_table.c), run as the task work ____fput queued by the final
 * fput(): eventpoll_release, f_op->release, then the file is freed.
 */
export function* __fput(c: Ctx, file: number): Model<void> {
  yield* kernel(c).ops.eventpoll_release(c, file);
  yield* fops(c.m, file).release(c, file);
  const o = c.m.arena.objs[file]!;
  // An epoll file's f_ep belongs to its eventpoll, freed by ep_free().
  if (c.m.arena.parentOf(o.f_ep as number) === file) c.m.free(c, o.f_ep as number, '__fput');
  c.m.free(c, file, '__fput');
  kernel(c).ghost.changed(file);
}
registerTaskWork('____fput', __fput);

/** fput(): drop a reference; the last one defers __fput to this task's return to user mode. */
export function* fput_file(c: Ctx, file: number): Model<void> {
  yield* fput(c, file);
  // From the last reference on, epoll treats the file as gone (epi_fget fails).
  if (c.m.arena.isLive(file) && c.m.memory.readGlobal(file, 'f_count') === 0) {
    kernel(c).ghost.changed(file);
  }
}

/** close(): the final fput's __fput runs at the syscall's end (task_work_run). */
export function* sys_close(c: Ctx, fd: number): Model<number> {
  const f = kernel(c).fd_remove(fd);
  if (f === undefined) return -EBADF;
  yield* fput_file(c, f);
  yield* resume_user_mode_work(c);
  return 0;
}

/** epoll_ctl(). */
export function* sys_epoll_ctl(c: Ctx, epfd: number, op: number, fd: number, events: number,
  data: number): Model<number> {
  return yield* kernel(c).ops.do_epoll_ctl(c, epfd, op, fd, events, data);
}

/**
 * The reference fdget() takes for a multithreaded process (__fget_light() -> __fget(): the
 * table is read under RCU and the count raised with atomic_long_inc_not_zero()), as one
 * step: a close() on another thread either removed the descriptor before it (EBADF) or
 * drops a count this reference keeps above zero (seed 003, item 1: "we did an fget() in
 * sys_epoll_wait"). `v` is the descriptor, `o` the file the lookup found.
 */
const FGET: CustomOp = {
  name: 'fget',
  exec(m, c, o) {
    const f = (m.ext.ep as EpKernel).fdget(o.v as number);
    if (f !== o.o || f === undefined || !m.arena.isLive(f)) return false;
    m.memory.drain(c.cpu);
    const n = m.memory.readGlobal(f, 'f_count') as number;
    if (n === 0) return false;
    m.memory.writeGlobal(f, 'f_count', n + 1);
    return true;
  },
};

/** epoll_wait(): returns the count or -errno; the events go into `out`. */
export function* sys_epoll_wait(c: Ctx, epfd: number, out: EpollEvent[], maxevents: number,
  timeoutMs: number): Model<number> {
  const k = kernel(c);
  // do_epoll_wait() of 6.18 looks the descriptor up first (CLASS(fd)): a bad descriptor is
  // EBADF even with a bad maxevents (checked on the host kernel).
  const f = k.fdget(epfd);
  if (f === undefined) return -EBADF;
  if (maxevents <= 0 || maxevents > EP_MAX_EVENTS) return -EINVAL;
  if (c.m.arena.objs[f]!.f_op !== 'eventpoll') return -EINVAL;
  if (!((yield custom(FGET, f, epfd, f, 'fdget')) as boolean)) return -EBADF;
  const ep = c.m.arena.objs[f]!.private_data as number;
  const call = k.ghost.begin(c, ep, maxevents, timeoutMs);
  c.local.call = call;
  c.local.waitingOn = ep;
  const res = yield* k.ops.ep_poll(c, ep, out, maxevents, timeoutMs);
  c.local.waitingOn = undefined;
  c.local.call = undefined;
  const lt = k.ghost.end(call, res);
  if (lt !== undefined) {
    c.m.report({ property: 'P5-event-semantics', kind: 'lt-not-reported', message: lt,
      ctx: c.id, cpu: c.cpu });
  }
  checkReturn(c, call, out, res);
  yield* fput_file(c, f);
  yield* resume_user_mode_work(c);
  return res;
}

/** P5 checks on the result of one epoll_wait. */
function checkReturn(c: Ctx, call: WaitCall, out: EpollEvent[], res: number): void {
  if (res > call.maxevents || (res >= 0 && res !== out.length)) {
    c.m.report({ property: 'P5-event-semantics', kind: 'maxevents',
      message: `epoll_wait returned ${res} events for maxevents ${call.maxevents}`,
      ctx: c.id, cpu: c.cpu });
  }
}

/**
 * poll(2) on one descriptor: returns 0, 1 (revents in `out[0]`) or -EINTR. `timeoutMs` 0
 * (the default) polls once; a positive one sleeps up to that long; a negative one waits for
 * as long as it takes.
 */
export function* sys_poll(c: Ctx, fd: number, events: number, out: number[], timeoutMs = 0):
Model<number> {
  const res = yield* do_sys_poll(c, fd, events, timeoutMs, out);
  yield* resume_user_mode_work(c);
  return res;
}

/**
 * read() (vfs_read): the file's f_op->read. Bytes read from a pipe, socket or regular file
 * (0 at end of file). An eventfd read needs 8 bytes (else -EINVAL), returns 8 and leaves
 * the counter value in `out.value`. A file without a read method (an epoll file) is -EINVAL.
 */
export function* sys_read(c: Ctx, fd: number, n: number, out: { value: bigint } = { value: 0n }):
Model<number> {
  const f = kernel(c).fdget(fd);
  if (f === undefined) return -EBADF;
  // vfs_read(): a descriptor not open for reading is EBADF before anything else.
  if (!((c.m.arena.objs[f]!.f_mode as number) & FMODE_READ)) return -EBADF;
  const ops = fops(c.m, f);
  if (ops.read === undefined) return -EINVAL;
  return yield* ops.read(c, f, n, out);
}

/**
 * write() (vfs_write): the file's f_op->write. Bytes written to a pipe, socket or regular
 * file. On an eventfd `n` is the 8-byte value added to the counter, and a successful write
 * returns 8. A file without a write method (an epoll file) is -EINVAL.
 */
export function* sys_write(c: Ctx, fd: number, n: number | bigint): Model<number> {
  const f = kernel(c).fdget(fd);
  if (f === undefined) return -EBADF;
  if (!((c.m.arena.objs[f]!.f_mode as number) & FMODE_WRITE)) return -EBADF;
  const ops = fops(c.m, f);
  if (ops.write === undefined) return -EINVAL;
  return yield* ops.write(c, f, n);
}

/** shutdown(): how is 0 (SHUT_RD), 1 (SHUT_WR) or 2 (SHUT_RDWR). */
export function* sys_shutdown(c: Ctx, fd: number, how: number): Model<number> {
  const f = kernel(c).fdget(fd);
  if (f === undefined) return -EBADF;
  if (c.m.arena.objs[f]!.f_op !== 'socket') return -88; // ENOTSOCK
  if (how < 0 || how > 2) return -EINVAL;
  return yield* unix_shutdown(c, f, how);
}

/**
 * Side-effect-free readiness of an epoll file, as __ep_eventpoll_poll() finds it: readable
 * when some queued item's file is ready for the item's mask. Queued means on the ready list
 * or a harvester's private list (both keep `rdllink` linked) or chained on `ovflist`. An
 * item that is not queued does not count however ready its file is (an edge-triggered item
 * already harvested: the kernel's set is not readable then). Variants that queue items
 * elsewhere must keep one of these meaningful, or the checkers under-approximate.
 */
export function epollReadyMask(m: MachineAccess, file: number, depth = 0): number {
  if (depth > 8) return 0;
  const ep = m.arena.objs[file]!.private_data as number;
  if (!m.arena.isLive(ep)) return 0;
  for (const epi of listOwners(m, m.arena.objs[ep]!.rbr as number)) {
    const o = m.arena.objs[epi]!;
    const f = o.ffd_file as number;
    if (!m.arena.isLive(f)) continue;
    // (The wfcqueue RFC's items count while READY: checkers/queued.ts.)
    if (!itemQueued(m, epi)) continue;
    const r = m.arena.objs[f]!.f_op === 'eventpoll' ? epollReadyMask(m, f, depth + 1)
      : fops(m, f).readyMask(m, f);
    if (r & (o.events as number)) return EPOLLIN | EPOLLRDNORM;
  }
  return 0;
}

FOPS.set('eventpoll', {
  name: 'eventpoll',
  *poll(c, file, pt) {
    return yield* kernel(c).ops.ep_eventpoll_poll(c, file, pt, 0);
  },
  *release(c, file) {
    const ep = c.m.arena.objs[file]!.private_data as number;
    yield* kernel(c).ops.ep_clear_and_put(c, ep);
  },
  readyMask: (m, file) => epollReadyMask(m, file),
});
