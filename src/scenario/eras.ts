/**
 * Scenarios that exercise the bug switches of the historical variants (rwlock-5.1,
 * classic-4.19): small witnesses, each shaped so that the race its switch re-opens is
 * likely under a random schedule. Not part of LIBRARY (they add nothing on mainline that
 * the library does not cover); pass them to simulate()/fuzz() as objects, or by name
 * through {@link eraScenario}.
 */
import { quote, SimUsageError } from '../sim/errors.ts';
import { W } from './steps.ts';
import type { Scenario } from './types.ts';

/** The witnesses, in display order. */
export const ERA_SCENARIOS: readonly Scenario[] = [
  {
    name: 'era.two-files-two-waiters',
    description: 'two ET files, two exclusive waiters with maxevents 1; a producer signals a, ' +
      'then b a little later, often while the first woken waiter harvests (B4, B6, B10)',
    cpus: 3,
    files: [{ name: 'a', type: 'eventfd' }, { name: 'b', type: 'eventfd' },
      { name: 'z', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [
      { set: 'ep', fd: 'a', events: ['IN', 'ET'] }, { set: 'ep', fd: 'b', events: ['IN', 'ET'] },
    ],
    tasks: [
      { name: 'T0', cpu: 0, program: [W('ep', 1, -1, 1)] },
      { name: 'T1', cpu: 1, program: [W('ep', 1, -1, 1)] },
      // The reads of the empty eventfd z only delay the writes (each returns EAGAIN), so
      // that both waiters are usually asleep before the first write.
      { name: 'P', cpu: 2, program: [
        { op: 'read', fd: 'z', n: 8 }, { op: 'read', fd: 'z', n: 8 },
        { op: 'read', fd: 'z', n: 8 }, { op: 'read', fd: 'z', n: 8 },
        { op: 'write', fd: 'a', n: 1 }, { op: 'read', fd: 'z', n: 8 },
        { op: 'write', fd: 'b', n: 1 },
      ] },
    ],
  },
  {
    name: 'era.add-while-waiting',
    description: 'EPOLL_CTL_ADD of an already readable file while another thread sleeps in ' +
      'epoll_wait on the empty set (B3, under TSO)',
    cpus: 2,
    files: [{ name: 'e', type: 'eventfd', init: 1 }],
    sets: [{ name: 'ep' }],
    tasks: [
      { name: 'T0', cpu: 0, program: [W('ep', 1, -1, 1)] },
      { name: 'T1', cpu: 1, program: [{ op: 'epoll_ctl', ctl: 'ADD', set: 'ep', fd: 'e',
        events: ['IN'], expect: 0 }] },
    ],
  },
  {
    name: 'era.timeout-races-irq',
    description: 'an ET waiter with a 1 ms timeout and one without; a single interrupt may ' +
      'pick the first just as its timer fires (B7)',
    cpus: 3,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ET'] }],
    tasks: [
      { name: 'T2', cpu: 0, program: [W('ep', 1, 1, [0, 1])] },
      { name: 'T3', cpu: 1, program: [W('ep', 1, -1, 1)] },
    ],
    irqs: [{ name: 'dev', cpu: 2, fd: 'e', count: 1 }],
  },
  {
    name: 'era.mod-vs-irq',
    description: 'EPOLL_CTL_MOD of a readable ONESHOT item queues it while interrupts on two ' +
      'other CPUs queue two ET items of the same set (B20: mixed lockless adds)',
    cpus: 3,
    files: [{ name: 'a', type: 'eventfd', init: 1 }, { name: 'b', type: 'eventfd' },
      { name: 'c', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [
      { set: 'ep', fd: 'a', events: ['IN', 'ONESHOT'] },
      { set: 'ep', fd: 'b', events: ['IN', 'ET'] }, { set: 'ep', fd: 'c', events: ['IN', 'ET'] },
    ],
    tasks: [{
      name: 'T0', cpu: 0, program: [
        W('ep', 3, 0), { op: 'epoll_ctl', ctl: 'MOD', set: 'ep', fd: 'a',
          events: ['IN', 'ONESHOT'], expect: 0 },
        W('ep', 3, 0), { op: 'epoll_ctl', ctl: 'MOD', set: 'ep', fd: 'a',
          events: ['IN', 'ONESHOT'], expect: 0 },
        W('ep', 3, 0),
      ],
    }],
    irqs: [
      { name: 'irqB', cpu: 1, fd: 'b', count: 3 }, { name: 'irqC', cpu: 2, fd: 'c', count: 3 },
    ],
  },
  {
    name: 'era.irq-storm',
    description: 'interrupts on three CPUs keep calling back into one set while a task ' +
      'harvests and sleeps on it: the write side of an rwlock ep->lock can starve (B11)',
    cpus: 4,
    files: [{ name: 'a', type: 'eventfd' }, { name: 'b', type: 'eventfd' },
      { name: 'c', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [
      { set: 'ep', fd: 'a', events: ['IN', 'ET'] }, { set: 'ep', fd: 'b', events: ['IN', 'ET'] },
      { set: 'ep', fd: 'c', events: ['IN', 'ET'] },
    ],
    tasks: [{ name: 'T0', cpu: 0, program: [W('ep', 3, -1), W('ep', 3, 0)] }],
    irqs: [
      { name: 'irqA', cpu: 1, fd: 'a', count: 24 }, { name: 'irqB', cpu: 2, fd: 'b', count: 24 },
      { name: 'irqC', cpu: 3, fd: 'c', count: 24 },
    ],
  },
];

/** A witness by name, or a SimUsageError naming the known ones. */
export function eraScenario(name: string): Scenario {
  const s = ERA_SCENARIOS.find((x) => x.name === name);
  if (!s) {
    throw new SimUsageError('E_UNKNOWN_SCENARIO', `unknown era scenario ${quote(name)}: expected ` +
      `one of ${ERA_SCENARIOS.map((x) => x.name).join(', ')}`);
  }
  return s;
}
