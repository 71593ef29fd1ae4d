/**
 * include/uapi/linux/eventpoll.h and the poll/errno values the model uses (x86-64 numbers).
 */

/** EPOLL* event bits (equal to the POLL* bits of asm-generic/poll.h for the low ones). */
export const EPOLLIN = 0x0001;
export const EPOLLPRI = 0x0002;
export const EPOLLOUT = 0x0004;
export const EPOLLERR = 0x0008;
export const EPOLLHUP = 0x0010;
export const EPOLLNVAL = 0x0020;
export const EPOLLRDNORM = 0x0040;
export const EPOLLRDBAND = 0x0080;
export const EPOLLWRNORM = 0x0100;
export const EPOLLWRBAND = 0x0200;
export const EPOLLMSG = 0x0400;
export const EPOLLRDHUP = 0x2000;
export const EPOLLEXCLUSIVE = 0x10000000;
export const EPOLLWAKEUP = 0x20000000;
export const EPOLLONESHOT = 0x40000000;
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
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
/** epoll_create1 flag (O_CLOEXEC). */
export const EPOLL_CLOEXEC = 0o2000000;

/** errno values (positive; syscalls return them negated). */
export const EPERM = 1;
export const ENOENT = 2;
export const EINTR = 4;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EFAULT = 14;
export const EEXIST = 17;
export const EINVAL = 22;
export const EPIPE = 32;
export const ELOOP = 40;
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
