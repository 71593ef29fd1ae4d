/**
 * A regular file on a filesystem without poll support (file_can_poll() is false), so
 * epoll_ctl(ADD) fails with EPERM. poll(2) on it reports the default mask
 * (DEFAULT_POLLMASK: IN | OUT | RDNORM | WRNORM).
 */
import type { MachineAccess } from '../../sim/context.ts';
import { alloc_file, FMODE_READ, FMODE_WRITE, FOPS } from '../file.ts';
import { EPOLLIN, EPOLLOUT, EPOLLRDNORM, EPOLLWRNORM } from '../uapi.ts';

/** DEFAULT_POLLMASK of include/linux/poll.h. */
export const DEFAULT_POLLMASK = EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM;

/** An unlinked regular file. */
export function regular_create(m: MachineAccess, label: string): number {
  return alloc_file(m, 'regular', 0, FMODE_READ | FMODE_WRITE, label);
}

FOPS.set('regular', {
  name: 'regular',
  poll: null,
  *release() {},
  // The file position always sits at the end (every write appends there): nothing to read.
  *read() {
    return 0;
  },
  *write(_c, _file, n) {
    return Number(n);
  },
  readyMask: () => DEFAULT_POLLMASK,
});
