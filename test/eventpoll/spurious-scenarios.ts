/** The scenarios of the spurious-queueing canaries (spurious.spec.ts, spurious-sweep.spec.ts). */
import type { Scenario } from '../../src/scenario/types.ts';

/** An ET item is harvested, then a read of its eventfd wakes writers (key EPOLLOUT). */
export const OUT_WAKE: Scenario = {
  name: 'spurious-out-wake', description: 'an EPOLLIN item and an EPOLLOUT wake-up',
  cpus: 2, files: [{ name: 'e', type: 'eventfd' }], sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ET'] }],
  tasks: [{ name: 'T0', cpu: 0, program: [{ op: 'write', fd: 'e', n: 1 },
    { op: 'epoll_wait', set: 'ep', maxevents: 1, timeout: -1 },
    { op: 'read', fd: 'e', n: 8 }] },
  { name: 'T1', cpu: 1, program: [{ op: 'write', fd: 'e', n: 1 }] }],
};

/**
 * A ONESHOT item is delivered (so disarmed), then its pipe's writer closes: pipe_release
 * wakes the readers with no key, which passes the interest filter.
 */
export const DISARMED: Scenario = {
  name: 'spurious-disarmed', description: 'a spent ONESHOT item woken with no key',
  cpus: 2, files: [{ name: 'p', type: 'pipe' }], sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'pr', events: ['IN', 'ONESHOT'] }],
  tasks: [{ name: 'T0', cpu: 0, program: [{ op: 'write', fd: 'pw', n: 1 },
    { op: 'epoll_wait', set: 'ep', maxevents: 1, timeout: -1 },
    { op: 'close', fd: 'pw' }] },
  { name: 'T1', cpu: 1, program: [{ op: 'write', fd: 'pw', n: 1 }] }],
};

/** Two EXCLUSIVE sets on one eventfd, a waiter on the second only. */
export const EXCL: Scenario = {
  name: 'spurious-exclusive', description: 'an exclusive set without a waiter first',
  cpus: 2, files: [{ name: 'e', type: 'eventfd' }], sets: [{ name: 'ep1' }, { name: 'ep2' }],
  watches: [{ set: 'ep1', fd: 'e', events: ['IN', 'EXCLUSIVE'] },
    { set: 'ep2', fd: 'e', events: ['IN', 'EXCLUSIVE'] }],
  tasks: [{ name: 'T2', cpu: 0, program: [
    { op: 'epoll_wait', set: 'ep2', maxevents: 1, timeout: -1 }] }],
  irqs: [{ name: 'dev', cpu: 1, fd: 'e', count: 1 }],
};
