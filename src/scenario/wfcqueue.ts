/**
 * Scenarios for Eric Wong's wfcqueue RFC v3 (seeds 001/002) and its review. Each says what
 * it exercises; the first two are the witnesses of WF1 (Arve Hjønnevåg's window: a callback
 * between the delivery of an ET item and the reset of its state to IDLE is lost). They are
 * part of LIBRARY, so every variant runs them: on every other variant they pass, because an
 * event that arrives during a harvest is re-queued (ovflist) or never swallowed.
 */
import { W } from './steps.ts';
import type { Scenario } from './types.ts';

/** A read of the empty eventfd `z`: returns EAGAIN, only to let time pass. */
const DELAY = { op: 'read' as const, fd: 'z', n: 8 };

/** The wfcqueue scenarios, in display order. */
export const WFCQUEUE_SCENARIOS: readonly Scenario[] = [
  {
    name: 'wfcq-et-redeliver',
    description: 'WF1: an ET eventfd written twice while its waiter waits twice without ' +
      'reading; the second write may land while the first is being delivered',
    cpus: 2,
    files: [{ name: 'e', type: 'eventfd' }, { name: 'z', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ET'] }],
    tasks: [
      { name: 'T0', cpu: 0, program: [W('ep', 1, -1, 1), W('ep', 1, -1, 1)] },
      { name: 'P', cpu: 1, program: [DELAY, DELAY, { op: 'write', fd: 'e', n: 1 }, DELAY,
        { op: 'write', fd: 'e', n: 1 }] },
    ],
  },
  {
    name: 'wfcq-et-two-waiters',
    description: 'WF1 with two consumers: the second write of an ET eventfd lands while the ' +
      'first consumer delivers the first; the second consumer must still be woken',
    cpus: 3,
    files: [{ name: 'e', type: 'eventfd' }, { name: 'z', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ET'] }],
    tasks: [
      { name: 'T0', cpu: 0, program: [W('ep', 1, -1, 1)] },
      { name: 'T1', cpu: 1, program: [W('ep', 1, -1, 1)] },
      { name: 'P', cpu: 2, program: [DELAY, DELAY, DELAY, { op: 'write', fd: 'e', n: 1 },
        DELAY, { op: 'write', fd: 'e', n: 1 }] },
    ],
  },
  {
    name: 'wfcq-oneshot-mt',
    description: 'the RFC\'s benchmark shape (eponeshotmt): two threads harvest one ONESHOT ' +
      'eventfd, read it and re-arm it with MOD while a device keeps signalling',
    cpus: 3,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ONESHOT'] }],
    tasks: [0, 1].map((i) => ({
      name: `T${i}`, cpu: i, program: [
        W('ep', 1, 1, [0, 1]), { op: 'read' as const, fd: 'e', n: 8 },
        { op: 'epoll_ctl' as const, ctl: 'MOD' as const, set: 'ep', fd: 'e',
          events: ['IN', 'ONESHOT'], expect: 0 },
      ],
    })),
    irqs: [{ name: 'dev', cpu: 2, fd: 'e', count: 3 }],
  },
  {
    name: 'wfcq-zombie-reap',
    description: 'EPOLL_CTL_DEL and close of ready items (they become zombies on the ready ' +
      'queue), reaped by the next epoll_wait and by the last close of the set: no leak, no UAF',
    cpus: 2,
    files: [{ name: 'e', type: 'eventfd', init: 1 }, { name: 'f', type: 'eventfd', init: 1 },
      { name: 'g', type: 'eventfd', init: 1 }],
    sets: [{ name: 'ep' }],
    watches: [
      { set: 'ep', fd: 'e', events: ['IN'] }, { set: 'ep', fd: 'f', events: ['IN', 'ET'] },
      { set: 'ep', fd: 'g', events: ['IN', 'ET'] },
    ],
    tasks: [
      { name: 'T0', cpu: 0, program: [
        { op: 'epoll_ctl', ctl: 'DEL', set: 'ep', fd: 'e', expect: 0 },
        W('ep', 3, 0, [0, 2]), { op: 'close', fd: 'e' }, { op: 'close', fd: 'ep' },
      ] },
      { name: 'T1', cpu: 1, program: [{ op: 'close', fd: 'f' }, { op: 'close', fd: 'g' }] },
    ],
  },
  {
    name: 'wfcq-trylock-notify',
    description: 'two LT items made ready by interrupts on two CPUs while two threads wait: ' +
      'a callback whose trylock of ep->wqlock fails must be covered by ep_poll\'s own ' +
      'final notify (the RFC\'s argument)',
    cpus: 4,
    files: [{ name: 'a', type: 'eventfd' }, { name: 'b', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [
      { set: 'ep', fd: 'a', events: ['IN'] }, { set: 'ep', fd: 'b', events: ['IN'] },
    ],
    tasks: [
      { name: 'T0', cpu: 0, program: [W('ep', 1, -1, 1)] },
      { name: 'T1', cpu: 1, program: [W('ep', 1, -1, 1)] },
    ],
    irqs: [
      { name: 'irqA', cpu: 2, fd: 'a', count: 1 }, { name: 'irqB', cpu: 3, fd: 'b', count: 1 },
    ],
  },
  {
    name: 'wfcq-wakeup-et',
    description: 'EPOLLWAKEUP on an ET eventfd, harvested and read once: afterwards nothing ' +
      'is pending, so no wakeup source should stay active (the RFC never relaxes ep->ws)',
    cpus: 2,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ET', 'WAKEUP'] }],
    tasks: [{ name: 'T0', cpu: 0, program: [W('ep', 1, -1, 1), { op: 'read', fd: 'e', n: 8 }] }],
    irqs: [{ name: 'dev', cpu: 1, fd: 'e', count: 1 }],
  },
];
