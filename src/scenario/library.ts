/**
 * The library of named scenarios: the races the source documents and the bug zoo argue
 * about, each small enough to explore thousands of schedules a second.
 */
import { quote, SimUsageError } from '../sim/errors.ts';
import { deepFreeze } from './frozen.ts';
import { randomScenario } from './random.ts';
import { W } from './steps.ts';
import type { Scenario } from './types.ts';
import { validateScenario } from './validate.ts';
import { SINGLEPASS_SCENARIOS } from './singlepass.ts';
import { WFCQUEUE_SCENARIOS } from './wfcqueue.ts';
import { zooScenario } from '../zoo/scenarios.ts';

/** Named scenarios, in display order. */
export const LIBRARY: readonly Scenario[] = [
  {
    name: 'lt-two-waiters',
    description: 'two waiters on one level-triggered set; one write must wake both in turn',
    cpus: 3,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN'] }],
    tasks: [
      { name: 'T0', cpu: 0, program: [W('ep', 1, -1, 1)] },
      { name: 'T1', cpu: 1, program: [W('ep', 1, -1, 1)] },
      { name: 'P', cpu: 2, program: [{ op: 'write', fd: 'e', n: 1 }] },
    ],
  },
  {
    name: 'et-two-waiters',
    description: 'one edge-triggered event, two waiters: exactly one is owed the event',
    cpus: 3,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ET'] }],
    tasks: [
      { name: 'T0', cpu: 0, program: [W('ep', 1, -1, 1)] },
      { name: 'T1', cpu: 1, program: [W('ep', 1, -1, 1)] },
    ],
    irqs: [{ name: 'dev', cpu: 2, fd: 'e', count: 2 }],
  },
  {
    name: 'oneshot-rearm',
    description: 'EPOLLONESHOT re-armed with MOD while a producer keeps signalling',
    cpus: 2,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ONESHOT'] }],
    tasks: [{
      name: 'T0', cpu: 0, program: [
        W('ep', 1, -1, 1), { op: 'read', fd: 'e', n: 8 },
        { op: 'epoll_ctl', ctl: 'MOD', set: 'ep', fd: 'e', events: ['IN', 'ONESHOT'] },
        W('ep', 1, -1, 1),
      ],
    }],
    irqs: [{ name: 'dev', cpu: 1, fd: 'e', count: 2 }],
  },
  {
    name: 'harvest-vs-irq',
    description: 'a harvester with maxevents 1 racing interrupts on two files',
    cpus: 3,
    files: [{ name: 'a', type: 'eventfd' }, { name: 'b', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [
      { set: 'ep', fd: 'a', events: ['IN', 'ET'] }, { set: 'ep', fd: 'b', events: ['IN', 'ET'] },
    ],
    tasks: [
      { name: 'T0', cpu: 0, program: [W('ep', 1, -1), W('ep', 1, -1)] },
      { name: 'T1', cpu: 1, program: [W('ep', 1, -1)] },
    ],
    irqs: [
      { name: 'irqA', cpu: 2, fd: 'a', count: 1 }, { name: 'irqB', cpu: 1, fd: 'b', count: 1 },
    ],
  },
  {
    name: 'nested-sets',
    description: 'an outer set watching an inner set: the wakeup travels up through poll_wait',
    cpus: 2,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'inner' }, { name: 'outer' }],
    watches: [
      { set: 'inner', fd: 'e', events: ['IN', 'ET'] },
      { set: 'outer', fd: 'inner', events: ['IN'] },
    ],
    tasks: [{ name: 'T0', cpu: 0, program: [W('outer', 1, -1, 1), W('inner', 1, 0, [0, 1])] }],
    irqs: [{ name: 'dev', cpu: 1, fd: 'e', count: 1 }],
  },
  {
    name: 'exclusive-sets',
    description: 'EPOLLEXCLUSIVE on one file from three sets, a waiter each: at least one wakes',
    cpus: 4,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep1' }, { name: 'ep2' }, { name: 'ep3' }],
    watches: [
      { set: 'ep1', fd: 'e', events: ['IN', 'EXCLUSIVE'] },
      { set: 'ep2', fd: 'e', events: ['IN', 'EXCLUSIVE'] },
      { set: 'ep3', fd: 'e', events: ['IN', 'EXCLUSIVE', 'ET'] },
    ],
    tasks: [
      { name: 'T1', cpu: 0, program: [W('ep1', 1, -1)] },
      { name: 'T2', cpu: 1, program: [W('ep2', 1, -1)] },
      { name: 'T3', cpu: 2, program: [W('ep3', 1, -1)] },
    ],
    irqs: [{ name: 'dev', cpu: 3, fd: 'e', count: 1 }],
  },
  {
    name: 'timeout-vs-wakeup',
    description: 'an ET waiter with a 5 ms timeout and one without; the write lands as it expires',
    cpus: 3,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ET'] }],
    tasks: [
      { name: 'T2', cpu: 0, program: [W('ep', 1, 5)] },
      { name: 'T3', cpu: 1, program: [W('ep', 1, -1)] },
      { name: 'T1', cpu: 2, program: [{ op: 'sleep', ms: 5 }, { op: 'write', fd: 'e', n: 1 }] },
    ],
  },
  {
    name: 'del-vs-callback',
    description: 'EPOLL_CTL_DEL racing an interrupt that fires the item\'s callback',
    cpus: 2,
    files: [{ name: 'e', type: 'eventfd' }, { name: 'f', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN'] }, { set: 'ep', fd: 'f', events: ['IN'] }],
    tasks: [{
      name: 'T0', cpu: 0, program: [
        { op: 'epoll_ctl', ctl: 'DEL', set: 'ep', fd: 'e', expect: 0 }, W('ep', 2, 0),
        { op: 'write', fd: 'f', n: 1 }, W('ep', 2, 0),
      ],
    }],
    irqs: [{ name: 'dev', cpu: 1, fd: 'e', count: 2 }],
  },
  {
    name: 'close-during-wait',
    description: 'the last close of a watched file while another thread waits on the set',
    cpus: 3,
    files: [{ name: 'e', type: 'eventfd' }, { name: 'p', type: 'pipe' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN'] }, { set: 'ep', fd: 'pr', events: ['IN'] }],
    tasks: [
      { name: 'T0', cpu: 0, program: [W('ep', 2, -1)] },
      { name: 'T1', cpu: 1, program: [{ op: 'close', fd: 'e' }, { op: 'write', fd: 'pw', n: 1 }] },
    ],
    irqs: [{ name: 'dev', cpu: 2, fd: 'e', count: 1 }],
  },
  {
    name: 'oneshot-twice',
    description: 'a ONESHOT item signalled twice while its waiter waits twice without MOD',
    cpus: 2,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ONESHOT'] }],
    tasks: [{ name: 'T0', cpu: 0, program: [W('ep', 1, -1, 1), W('ep', 1, 0, 0)] }],
    irqs: [{ name: 'dev', cpu: 1, fd: 'e', count: 2 }],
  },
  {
    name: 'mixed-producers',
    description: 'a process-context writer and a device interrupt signal the same file',
    cpus: 2,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ET'] }],
    tasks: [
      { name: 'T0', cpu: 0, program: [W('ep', 1, -1, 1), { op: 'read', fd: 'e', n: 8 }] },
      { name: 'P', cpu: 1, program: [{ op: 'write', fd: 'e', n: 1 }] },
    ],
    irqs: [{ name: 'dev', cpu: 0, fd: 'e', count: 1 }],
  },
  {
    name: 'wakeup-source',
    description: 'EPOLLWAKEUP items: a wakeup source must be active while an event is pending',
    cpus: 3,
    files: [{ name: 'a', type: 'eventfd' }, { name: 'b', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'a', events: ['IN', 'WAKEUP'] },
      { set: 'ep', fd: 'b', events: ['IN', 'ET', 'WAKEUP'] }],
    tasks: [{ name: 'T0', cpu: 0, program: [W('ep', 1, -1), W('ep', 2, 0)] }],
    irqs: [
      { name: 'irqA', cpu: 1, fd: 'a', count: 1 }, { name: 'irqB', cpu: 2, fd: 'b', count: 2 },
    ],
  },
  {
    name: 'signal-eintr',
    description: 'a signal interrupts an epoll_wait(-1) that has nothing to report (EINTR)',
    cpus: 2,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN'] }],
    tasks: [{ name: 'T0', cpu: 0, program: [W('ep', 1, -1, [-4, 1])] }],
    signals: [{ task: 'T0', count: 1 }],
    irqs: [{ name: 'dev', cpu: 1, fd: 'e', count: 1 }],
  },
  {
    name: 'one-wakeup',
    description: 'the smallest wakeup: one waiter, one interrupt on the other CPU (the '
      + 'benchmark\'s 2-CPU scenario of about 50 steps)',
    cpus: 2,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ET'] }],
    tasks: [{ name: 'T0', cpu: 0, program: [W('ep', 1, -1, 1)] }],
    irqs: [{ name: 'dev', cpu: 1, fd: 'e', count: 1 }],
  },
  {
    name: 'cross-nested-add',
    description: 'two sets added into each other at once: epnested_mutex and the loop check ' +
      'let one ADD through and refuse the other with ELOOP',
    cpus: 2,
    files: [{ name: 'e', type: 'eventfd', init: 1 }],
    sets: [{ name: 'ep1' }, { name: 'ep2' }],
    watches: [{ set: 'ep1', fd: 'e', events: ['IN'] }],
    tasks: [
      { name: 'T1', cpu: 0, program: [{ op: 'epoll_ctl', ctl: 'ADD', set: 'ep1', fd: 'ep2',
        events: ['IN'] }] },
      { name: 'T2', cpu: 1, program: [{ op: 'epoll_ctl', ctl: 'ADD', set: 'ep2', fd: 'ep1',
        events: ['IN'] }] },
    ],
  },
  {
    name: 'close-vs-close',
    description: 'the last close of an epoll file races the last close of a file it ' +
      'watches: both take ep->mtx and drop a reference of the set; the last one frees it',
    cpus: 2,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN'] }],
    tasks: [
      { name: 'T1', cpu: 0, program: [{ op: 'close', fd: 'ep', expect: 0 }] },
      { name: 'T2', cpu: 1, program: [{ op: 'close', fd: 'e', expect: 0 }] },
    ],
  },
  {
    name: 'poll-pingpong-lkmm',
    description: 'two threads answer each other through two eventfds with poll(2), under ' +
      'the lkmm memory model: every wakeup must make the re-poll see what the waker wrote',
    cpus: 2,
    memory: 'lkmm',
    files: [{ name: 'e', type: 'eventfd' }, { name: 'g', type: 'eventfd' }],
    tasks: [
      { name: 'T1', cpu: 0, program: [
        { op: 'poll', fd: 'e', events: ['IN'], timeout: -1, expect: 1 },
        { op: 'read', fd: 'e', n: 8 }, { op: 'write', fd: 'g', n: 1 },
        { op: 'poll', fd: 'e', events: ['IN'], timeout: -1, expect: 1 }] },
      { name: 'P', cpu: 1, program: [{ op: 'write', fd: 'e', n: 1 },
        { op: 'poll', fd: 'g', events: ['IN'], timeout: -1, expect: 1 },
        { op: 'read', fd: 'g', n: 8 }, { op: 'write', fd: 'e', n: 1 }] },
    ],
  },
  ...SINGLEPASS_SCENARIOS,
  ...WFCQUEUE_SCENARIOS,
];

// Library scenarios are immutable (copy one to change it): runs may cache what they derive
// from a frozen scenario by its identity (see prepared setups in build.ts).
deepFreeze(LIBRARY);

/** Generated scenarios drawn so far (pure functions of their seed, frozen), bounded. */
const GENERATED = new Map<string, Scenario>();

function generated(name: string, seed: number): Scenario {
  let sc = GENERATED.get(name);
  if (sc === undefined) {
    if (GENERATED.size >= 1024) GENERATED.clear();
    sc = deepFreeze(randomScenario(seed));
    GENERATED.set(name, sc);
  }
  return sc;
}

/** Names of the library scenarios. */
export function scenarioNames(): string[] {
  return LIBRARY.map((s) => s.name);
}

/**
 * Resolves a scenario given as an object (validated), a library name, or `gen:SEED`
 * (a random scenario drawn from that seed).
 */
export function resolveScenario(s: Scenario | string): { scenario: Scenario; name: string } {
  if (typeof s !== 'string') {
    const scenario = validateScenario(s);
    return { scenario, name: scenario.name };
  }
  const gen = /^gen:([0-9]{1,10})$/.exec(s);
  if (gen) {
    const seed = Number(gen[1]);
    if (seed > 0xffff_ffff) {
      throw new SimUsageError('E_UNKNOWN_SCENARIO', `bad generated scenario ${quote(s)}: ` +
        'the seed must be an integer from 0 to 4294967295');
    }
    return { scenario: generated(s, seed), name: s };
  }
  // The zoo's scenarios resolve by name too, so the zoo's replay lines work from the API.
  const found = LIBRARY.find((x) => x.name === s) ?? zooScenario(s);
  if (!found) {
    throw new SimUsageError('E_UNKNOWN_SCENARIO', `unknown scenario ${quote(s)}: expected one ` +
      `of ${scenarioNames().join(', ')}, or gen:SEED`);
  }
  return { scenario: found, name: s };
}
