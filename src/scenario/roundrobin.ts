/**
 * Scenarios for seed 004: EPOLLEXCLUSIVE (exclusive-4.5) and the proposed round-robin
 * policy layer (roundrobin-rfc, where a set named `rr...` is a policy set). Not part of
 * LIBRARY: the policy sets mean something only to roundrobin-rfc (elsewhere they are plain
 * nested sets). Pass them to simulate() as objects.
 */
import { W } from './steps.ts';
import type { Scenario } from './types.ts';

/** A read of the empty eventfd `z`: returns EAGAIN, only to let time pass. */
const DELAY = { op: 'read' as const, fd: 'z', n: 8 };

/** Three sets watching one eventfd, a waiter each, one write: how many wake? */
function herd(name: string, events: readonly string[]): Scenario {
  return {
    name,
    description: `three sets watch one eventfd with ${events.join('|')}, a thread waits on ` +
      'each, one write: the thundering herd the flag is about',
    cpus: 4,
    files: [{ name: 'e', type: 'eventfd' }, { name: 'z', type: 'eventfd' }],
    sets: [{ name: 'ep1' }, { name: 'ep2' }, { name: 'ep3' }],
    watches: ['ep1', 'ep2', 'ep3'].map((set) => ({ set, fd: 'e', events })),
    tasks: [
      ...[1, 2, 3].map((i) => ({ name: `T${i}`, cpu: i - 1, program: [W(`ep${i}`, 1, -1)] })),
      { name: 'P', cpu: 3, program: [DELAY, DELAY, DELAY, { op: 'write' as const, fd: 'e',
        n: 1 }] },
    ],
  };
}

/** The seed 004 scenarios. */
export const ROUNDROBIN_SCENARIOS: readonly Scenario[] = [
  herd('excl-herd', ['IN', 'ET', 'EXCLUSIVE']),
  herd('excl-herd-plain', ['IN', 'ET']),
  {
    name: 'rr-three-workers',
    description: 'a policy set on one eventfd, three worker sets attached (ET), a worker ' +
      'thread each waiting twice; six writes should go to the workers in turn',
    cpus: 4,
    files: [{ name: 's', type: 'eventfd' }, { name: 'z', type: 'eventfd' }],
    sets: [{ name: 'rr' }, { name: 'w1' }, { name: 'w2' }, { name: 'w3' }],
    watches: [
      { set: 'rr', fd: 's', events: ['IN'] },
      ...['w1', 'w2', 'w3'].map((set) => ({ set, fd: 'rr', events: ['IN', 'ET'] })),
    ],
    tasks: [
      ...[1, 2, 3].map((i) => ({ name: `W${i}`, cpu: i - 1,
        program: [W(`w${i}`, 1, -1), W(`w${i}`, 1, -1)] })),
      { name: 'P', cpu: 3, program: [DELAY, DELAY, DELAY, DELAY,
        ...Array.from({ length: 6 }, () => [{ op: 'write' as const, fd: 's', n: 1 }, DELAY])
          .flat()] },
    ],
  },
  {
    name: 'rr-lt-busy-worker',
    description: 'Andy Lutomirski\'s question: a level-triggered source behind a policy set, ' +
      'two worker sets; worker 1 is busy when the only write comes, worker 2 waits',
    cpus: 3,
    files: [{ name: 's', type: 'eventfd' }, { name: 'z', type: 'eventfd' }],
    sets: [{ name: 'rr' }, { name: 'w1' }, { name: 'w2' }],
    watches: [
      { set: 'rr', fd: 's', events: ['IN'] },
      { set: 'w1', fd: 'rr', events: ['IN'] }, { set: 'w2', fd: 'rr', events: ['IN'] },
    ],
    tasks: [
      { name: 'W1', cpu: 0, program: [DELAY, DELAY, DELAY, DELAY, DELAY, DELAY,
        W('w1', 1, -1)] },
      { name: 'W2', cpu: 1, program: [W('w2', 1, -1)] },
      { name: 'P', cpu: 2, program: [DELAY, DELAY, { op: 'write', fd: 's', n: 1 }] },
    ],
  },
];

/** A seed 004 scenario by name. */
export function roundrobinScenario(name: string): Scenario {
  const s = ROUNDROBIN_SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`no round-robin scenario '${name}'`);
  return s;
}
