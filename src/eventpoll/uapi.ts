/**
 * include/uapi/linux/eventpoll.h and the poll/errno values the model uses (x86-64 numbers).
 */

/** EPOLL* event bits (equal to the POLL* bits of asm-generic/poll.h for the low ones). */
export const EPOLLIN = 0x0001;
/** `EPOLLPRI`: urgent (priority) data readable. */
export const EPOLLPRI = 0x0002;
/** `EPOLLOUT`: writable. */
export const EPOLLOUT = 0x0004;
/** `EPOLLERR`: error condition (always reported). */
export const EPOLLERR = 0x0008;
/** `EPOLLHUP`: hang-up (always reported). */
export const EPOLLHUP = 0x0010;
/** `EPOLLNVAL`: invalid descriptor (poll(2) only). */
export const EPOLLNVAL = 0x0020;
/** `EPOLLRDNORM`: normal data readable. */
export const EPOLLRDNORM = 0x0040;
/** `EPOLLRDBAND`: priority band data readable. */
export const EPOLLRDBAND = 0x0080;
/** `EPOLLWRNORM`: normal data writable. */
export const EPOLLWRNORM = 0x0100;
/** `EPOLLWRBAND`: priority band data writable. */
export const EPOLLWRBAND = 0x0200;
/** `EPOLLMSG`: unused by Linux, accepted in masks. */
export const EPOLLMSG = 0x0400;
/** `EPOLLRDHUP`: the peer shut down its writing half (stream sockets). */
export const EPOLLRDHUP = 0x2000;
/** `EPOLLEXCLUSIVE`: wake only one of the exclusive waiters (4.5+). */
export const EPOLLEXCLUSIVE = 0x10000000;
/** `EPOLLWAKEUP`: hold a wakeup source while the item is ready. */
export const EPOLLWAKEUP = 0x20000000;
/** `EPOLLONESHOT`: disarm the item after one event, until EPOLL_CTL_MOD. */
export const EPOLLONESHOT = 0x40000000;
/** `EPOLLET`: edge-triggered: report a change once. */
export const EPOLLET = 0x80000000 | 0;
/** `POLLFREE` (include/uapi/linux/eventpoll.h): the wait queue head is going away. */
export const POLLFREE = 0x4000;

/** fs/eventpoll.c: EP_PRIVATE_BITS. */
export const EP_PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
/** fs/eventpoll.c: EPOLLINOUT_BITS. */
export const EPOLLINOUT_BITS = EPOLLIN | EPOLLOUT;
/** fs/eventpoll.c: EPOLLEXCLUSIVE_OK_BITS. */
export const EPOLLEXCLUSIVE_OK_BITS = EPOLLINOUT_BITS | EPOLLERR | EPOLLHUP | EPOLLWAKEUP |
  EPOLLET | EPOLLEXCLUSIVE;
/** fs/eventpoll.c: EP_MAX_NESTS. */
export const EP_MAX_NESTS = 4;

/** epoll_ctl ops. */
export const EPOLL_CTL_ADD = 1;
/** EPOLL_CTL_DEL: unregister a file. */
export const EPOLL_CTL_DEL = 2;
/** EPOLL_CTL_MOD: change an item's events and data. */
export const EPOLL_CTL_MOD = 3;
/** epoll_create1 flag (O_CLOEXEC). */
export const EPOLL_CLOEXEC = 0o2000000;

/** errno values (positive; syscalls return them negated). */
export const EPERM = 1;
/** `ENOENT`: no such item. */
export const ENOENT = 2;
/** `EINTR`: interrupted by a signal. */
export const EINTR = 4;
/** `EBADF`: bad descriptor. */
export const EBADF = 9;
/** `EAGAIN`: try again (non-blocking). */
export const EAGAIN = 11;
/** `ENOMEM`: out of memory. */
export const ENOMEM = 12;
/** `EFAULT`: bad user address. */
export const EFAULT = 14;
/** `EEXIST`: the item already exists. */
export const EEXIST = 17;
/** `EINVAL`: invalid argument. */
export const EINVAL = 22;
/** `EPIPE`: broken pipe. */
export const EPIPE = 32;
/** `ELOOP`: a cycle or a nesting deeper than EP_MAX_NESTS. */
export const ELOOP = 40;
/** `ENOTCONN`: socket not connected. */
export const ENOTCONN = 107;

/** Names of the errno values above, for results and traces. */
export const ERRNO_NAMES: Readonly<Record<number, string>> = {
  [EPERM]: 'EPERM', [ENOENT]: 'ENOENT', [EINTR]: 'EINTR', [EBADF]: 'EBADF',
  [EAGAIN]: 'EAGAIN', [ENOMEM]: 'ENOMEM', [EFAULT]: 'EFAULT', [EEXIST]: 'EEXIST',
  [EINVAL]: 'EINVAL', [EPIPE]: 'EPIPE', [ELOOP]: 'ELOOP', [ENOTCONN]: 'ENOTCONN',
};

/** `struct epoll_event` as returned to user space: the events and the user's data word. */
export interface EpollEvent {
  events: number;
  data: number;
}
