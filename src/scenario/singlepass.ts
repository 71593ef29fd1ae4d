/**
 * Seed 003 (Davide Libenzi, the single-pass ep_send_events of v2.6.22) lists "five ways we
 * can be hit during an epoll_wait() transfer loop"; each is a scenario here, named after its
 * item. They are part of LIBRARY, so every variant runs them; on singlepass-2.6.22 they
 * exercise exactly the argument of the seed.
 */
import { W } from './steps.ts';
import type { Scenario } from './types.ts';

/** The seed 003 scenarios, items 1 to 5. */
export const SINGLEPASS_SCENARIOS: readonly Scenario[] = [
  {
    name: 'sp1-epfd-close-during-wait',
    description: 'item 1, "the epoll fd going away and calling ep_free": another thread ' +
      'closes the epoll fd while T0 waits on it; the fget() of epoll_wait keeps the set ' +
      'alive until T0 returns (or T0 finds the fd gone: EBADF), and nothing leaks',
    cpus: 2,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN'] }],
    tasks: [
      { name: 'T0', cpu: 0, program: [W('ep', 1, -1, [-9, 1]), { op: 'close', fd: 'e' }] },
      { name: 'T1', cpu: 1, program: [
        { op: 'close', fd: 'ep', expect: 0 }, { op: 'write', fd: 'e', n: 1 },
      ] },
    ],
  },
  {
    name: 'sp2-del-during-transfer',
    description: 'item 2, "an epoll_ctl(EPOLL_CTL_DEL)": a DEL of a ready item while another ' +
      'thread transfers it, with a device signalling it; ctl must wait for the transfer ' +
      '(ep->sem), so no freed item is touched',
    cpus: 3,
    files: [{ name: 'a', type: 'eventfd', init: 1 }, { name: 'b', type: 'eventfd', init: 1 }],
    sets: [{ name: 'ep' }],
    watches: [
      { set: 'ep', fd: 'a', events: ['IN', 'ET'] }, { set: 'ep', fd: 'b', events: ['IN', 'ET'] },
    ],
    tasks: [
      { name: 'T0', cpu: 0, program: [W('ep', 2, 0, [0, 2]), W('ep', 2, 0, [0, 2])] },
      { name: 'T1', cpu: 1, program: [
        { op: 'epoll_ctl', ctl: 'DEL', set: 'ep', fd: 'b', expect: 0 },
        { op: 'write', fd: 'a', n: 1 },
      ] },
    ],
    irqs: [{ name: 'devB', cpu: 2, fd: 'b', count: 2 }],
  },
  {
    name: 'sp3-close-during-transfer',
    description: 'item 3, "an fd stored inside the epoll fd going away": the last close of a ' +
      'watched file while another thread transfers its item; eventpoll_release_file must ' +
      'wait for the transfer',
    cpus: 3,
    files: [{ name: 'a', type: 'eventfd', init: 1 }, { name: 'b', type: 'eventfd', init: 1 }],
    sets: [{ name: 'ep' }],
    watches: [
      { set: 'ep', fd: 'a', events: ['IN', 'ET'] }, { set: 'ep', fd: 'b', events: ['IN', 'ET'] },
    ],
    tasks: [
      { name: 'T0', cpu: 0, program: [W('ep', 2, 0, [0, 2]), W('ep', 2, 0, [0, 2])] },
      { name: 'T1', cpu: 1, program: [{ op: 'close', fd: 'b', expect: 0 },
        { op: 'write', fd: 'a', n: 1 }] },
    ],
    irqs: [{ name: 'devB', cpu: 2, fd: 'b', count: 2 }],
  },
  {
    name: 'sp4-two-harvesters',
    description: 'item 4, "another epoll_wait() happening on another thread": three ready ' +
      'items, two threads with maxevents 1; the first steals the whole list and must ' +
      're-inject the surplus and wake the second',
    cpus: 2,
    files: [{ name: 'a', type: 'eventfd', init: 1 }, { name: 'b', type: 'eventfd', init: 1 },
      { name: 'c', type: 'eventfd', init: 1 }],
    sets: [{ name: 'ep' }],
    watches: [
      { set: 'ep', fd: 'a', events: ['IN', 'ET'] }, { set: 'ep', fd: 'b', events: ['IN', 'ET'] },
      { set: 'ep', fd: 'c', events: ['IN'] },
    ],
    tasks: [
      { name: 'T0', cpu: 0, program: [W('ep', 1, -1, 1)] },
      { name: 'T1', cpu: 1, program: [W('ep', 1, -1, 1)] },
    ],
  },
  {
    name: 'sp5-callback-during-transfer',
    description: 'item 5, "ep_poll_callback() hitting us asynchronously": interrupts, one ' +
      'of them on the harvesting CPU, signal an ET and an LT item while they are in transit; ' +
      'the callback must leave them alone until they are handed back',
    cpus: 2,
    files: [{ name: 'a', type: 'eventfd', init: 1 }, { name: 'b', type: 'eventfd', init: 1 }],
    sets: [{ name: 'ep' }],
    watches: [
      { set: 'ep', fd: 'a', events: ['IN', 'ET'] }, { set: 'ep', fd: 'b', events: ['IN'] },
    ],
    tasks: [{ name: 'T0', cpu: 0, program: [
      W('ep', 2, -1, [1, 2]), { op: 'read', fd: 'a', n: 8 }, { op: 'read', fd: 'b', n: 8 },
    ] }],
    irqs: [
      { name: 'devA', cpu: 0, fd: 'a', count: 2 }, { name: 'devB', cpu: 1, fd: 'b', count: 2 },
    ],
  },
];
