/**
 * The zoo's scenario families: for each bug of bug-zoo.md, small workloads that give the
 * racing parties of the described interleaving a chance to meet, and nothing more. No
 * schedule prefix, no delay inserted to line the race up: a finder must reach the bad
 * interleaving from a seed. Each scenario is plain data (see scenario/types.ts), so it can
 * be written to JSON and replayed with `eventpoll-sim replay --scenario FILE.json`, and its
 * name is accepted by every command (`--scenario zoo-b4-two-irqs`).
 *
 * Conventions: `T*` are threads of the one simulated process, `P` is a producer thread,
 * `irq*` are device interrupts that signal an eventfd from hardirq context. Files are
 * eventfds unless said otherwise.
 */
import type { Scenario, SyscallSpec } from '../scenario/types.ts';

/** epoll_wait(set, maxevents, timeout) with an optional expected return. */
function wait(set: string, maxevents: number, timeout: number, expect?: number): SyscallSpec {
  return { op: 'epoll_wait', set, maxevents, timeout, ...(expect !== undefined ? { expect } : {}) };
}

const write = (fd: string): SyscallSpec => ({ op: 'write', fd, n: 1 });
const read = (fd: string): SyscallSpec => ({ op: 'read', fd, n: 8 });

/**
 * B1: a ONESHOT item is re-armed with EPOLL_CTL_MOD while its producer is told to go on
 * (a request/response ping-pong, the shape of the kernel's epoll59 and of eponeshotmt). The
 * consumer stores the new mask and polls; the producer's callback reads the mask. Under TSO
 * without the smp_mb() both can read the old values (a store-buffering pair).
 */
export const B1_PINGPONG: Scenario = {
  name: 'zoo-b1-oneshot-pingpong',
  description: 'B1: ONESHOT re-armed with MOD while the producer, told to go, writes (TSO)',
  cpus: 2,
  memory: 'tso',
  files: [{ name: 'e', type: 'eventfd', init: 1 }, { name: 'go', type: 'eventfd' }],
  sets: [{ name: 'ep' }, { name: 'pp' }],
  watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ONESHOT'] },
    { set: 'pp', fd: 'go', events: ['IN'] }],
  tasks: [
    { name: 'T1', cpu: 0, program: [wait('ep', 1, -1, 1), read('e'), write('go'),
      { op: 'epoll_ctl', ctl: 'MOD', set: 'ep', fd: 'e', events: ['IN', 'ONESHOT'] },
      wait('ep', 1, -1, 1)] },
    { name: 'P', cpu: 1, program: [wait('pp', 1, -1, 1), write('e')] },
  ],
};

/**
 * B1, the interrupt form: the consumer drains and re-arms; a device interrupt signals the
 * eventfd at a moment of the scheduler's choosing.
 */
export const B1_IRQ: Scenario = {
  name: 'zoo-b1-oneshot-irq',
  description: 'B1: ONESHOT drained and re-armed with MOD while a device interrupt fires (TSO)',
  cpus: 2,
  memory: 'tso',
  files: [{ name: 'e', type: 'eventfd', init: 1 }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ONESHOT'] }],
  tasks: [{ name: 'T1', cpu: 0, program: [wait('ep', 1, 0, 1), read('e'),
    { op: 'epoll_ctl', ctl: 'MOD', set: 'ep', fd: 'e', events: ['IN', 'ONESHOT'] },
    wait('ep', 1, -1)] }],
  irqs: [{ name: 'dev', cpu: 1, fd: 'e', count: 1 }],
};

/**
 * B3: a thread sleeps in epoll_wait on an empty set; another adds an fd that is already
 * ready. The ADD must wake the sleeper (epoll_wait(2): "adding an fd from another thread
 * while one is blocked must unblock it"). Under TSO.
 */
export const B3_ADD_WAKES: Scenario = {
  name: 'zoo-b3-add-wakes-waiter',
  description: 'B3: EPOLL_CTL_ADD of a ready fd while another thread sleeps on the set (TSO)',
  cpus: 2,
  memory: 'tso',
  files: [{ name: 'e', type: 'eventfd', init: 1 }],
  sets: [{ name: 'ep' }],
  tasks: [
    { name: 'T1', cpu: 0, program: [wait('ep', 1, -1, 1)] },
    { name: 'T2', cpu: 1, program: [{ op: 'epoll_ctl', ctl: 'ADD', set: 'ep', fd: 'e',
      events: ['IN'] }] },
  ],
};

/**
 * B3 with a device: the ADDed fd becomes ready by interrupt after the ADD, so the wakeup
 * can come from the ADD or from the callback.
 */
export const B3_ADD_IRQ: Scenario = {
  name: 'zoo-b3-add-then-irq',
  description: 'B3: ADD while a thread sleeps on the set, then a device interrupt (TSO)',
  cpus: 3,
  memory: 'tso',
  files: [{ name: 'e', type: 'eventfd', init: 1 }, { name: 'f', type: 'eventfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'f', events: ['IN', 'ET'] }],
  tasks: [
    { name: 'T1', cpu: 0, program: [wait('ep', 1, -1, 1)] },
    { name: 'T2', cpu: 1, program: [{ op: 'epoll_ctl', ctl: 'ADD', set: 'ep', fd: 'e',
      events: ['IN'] }] },
  ],
};

/**
 * Two sleepers, two edge-triggered files, each signalled once by a device interrupt on its
 * own CPU: one sleeper is woken and harvests (maxevents 1) while the other interrupt lands
 * in the harvest window (B4: ovflist push without a wakeup; B6: the second wakeup hits the
 * waiter that is already awake).
 */
export const TWO_WAITERS_TWO_IRQS: Scenario = {
  name: 'zoo-two-waiters-two-irqs',
  description: 'B4/B6: two exclusive sleepers (maxevents 1), two ET files, one IRQ each',
  cpus: 4,
  files: [{ name: 'a', type: 'eventfd' }, { name: 'b', type: 'eventfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'a', events: ['IN', 'ET'] },
    { set: 'ep', fd: 'b', events: ['IN', 'ET'] }],
  tasks: [
    { name: 'T1', cpu: 0, program: [wait('ep', 1, -1, 1)] },
    { name: 'T2', cpu: 1, program: [wait('ep', 1, -1, 1)] },
  ],
  irqs: [{ name: 'irqA', cpu: 2, fd: 'a', count: 1 }, { name: 'irqB', cpu: 3, fd: 'b', count: 1 }],
};

/** The same race with a process-context producer writing both files in turn. */
export const TWO_WAITERS_WRITER: Scenario = {
  name: 'zoo-two-waiters-writer',
  description: 'B4/B6: two exclusive sleepers (maxevents 1), one thread writes two ET files',
  cpus: 3,
  files: [{ name: 'a', type: 'eventfd' }, { name: 'b', type: 'eventfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'a', events: ['IN', 'ET'] },
    { set: 'ep', fd: 'b', events: ['IN', 'ET'] }],
  tasks: [
    { name: 'T1', cpu: 0, program: [wait('ep', 1, -1, 1)] },
    { name: 'T2', cpu: 1, program: [wait('ep', 1, -1, 1)] },
    { name: 'P', cpu: 2, program: [write('a'), write('b')] },
  ],
};

/**
 * B5: two level-triggered files made ready by a writer; two threads wait with maxevents 1.
 * One harvests (its scan empties rdllist before it sets ovflist) while the other makes its
 * final "events available?" check.
 */
export const B5_LT_PAIR: Scenario = {
  name: 'zoo-b5-lt-pair',
  description: 'B5: two LT files written in turn; two waiters with maxevents 1',
  cpus: 3,
  files: [{ name: 'x', type: 'eventfd' }, { name: 'y', type: 'eventfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'x', events: ['IN'] }, { set: 'ep', fd: 'y', events: ['IN'] }],
  tasks: [
    { name: 'T1', cpu: 0, program: [wait('ep', 1, -1, 1)] },
    { name: 'T2', cpu: 1, program: [wait('ep', 1, -1, 1)] },
    { name: 'P', cpu: 2, program: [write('x'), write('y')] },
  ],
};

/** B5 with both files ready before the waiters start. */
export const B5_LT_READY: Scenario = {
  name: 'zoo-b5-lt-ready',
  description: 'B5: two LT files ready from the start; two waiters with maxevents 1',
  cpus: 2,
  files: [{ name: 'x', type: 'eventfd', init: 1 }, { name: 'y', type: 'eventfd', init: 1 }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'x', events: ['IN'] }, { set: 'ep', fd: 'y', events: ['IN'] }],
  tasks: [
    { name: 'T1', cpu: 0, program: [wait('ep', 1, -1, 1)] },
    { name: 'T2', cpu: 1, program: [wait('ep', 1, -1, 1)] },
  ],
};

/**
 * B5, timeout 0 (kernel selftest epoll65): level-triggered events stay ready and threads
 * poll with timeout 0 without consuming them, so every call must report at least one event
 * (the P5 level-triggered rule, checked under concurrency: `strictLevelTrigger`).
 */
export const B5_TIMEOUT0: Scenario = {
  name: 'zoo-b5-timeout0',
  description: 'B5 (epoll65): LT events stay ready; timeout-0 waits must never return 0',
  cpus: 3,
  strictLevelTrigger: true,
  files: [{ name: 'x', type: 'eventfd', init: 1 }, { name: 'y', type: 'eventfd', init: 1 }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'x', events: ['IN'] }, { set: 'ep', fd: 'y', events: ['IN'] }],
  tasks: [
    { name: 'T1', cpu: 0, program: [wait('ep', 1, 0), wait('ep', 1, 0)] },
    { name: 'T2', cpu: 1, program: [wait('ep', 1, 0), wait('ep', 1, 0)] },
    { name: 'T3', cpu: 2, program: [wait('ep', 1, 0), wait('ep', 1, 0)] },
  ],
};

/**
 * B7 (kernel selftest epoll61): an edge-triggered eventfd, one waiter with a 5 ms timeout,
 * one without; a producer writes once, around the time the timeout expires.
 */
export const B7_TIMEOUT_RACE: Scenario = {
  name: 'zoo-b7-timeout-race',
  description: 'B7: ET file; a 5 ms waiter and a forever waiter; one write near the expiry',
  cpus: 3,
  files: [{ name: 'e', type: 'eventfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ET'] }],
  tasks: [
    { name: 'T2', cpu: 0, program: [wait('ep', 1, 5)] },
    { name: 'T3', cpu: 1, program: [wait('ep', 1, -1, 1)] },
    { name: 'T1', cpu: 2, program: [{ op: 'sleep', ms: 5 }, write('e')] },
  ],
};

/** B7 with the write coming from a device interrupt. */
export const B7_TIMEOUT_IRQ: Scenario = {
  name: 'zoo-b7-timeout-irq',
  description: 'B7: ET file; a 5 ms waiter and a forever waiter; one device interrupt',
  cpus: 3,
  files: [{ name: 'e', type: 'eventfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ET'] }],
  tasks: [
    { name: 'T2', cpu: 0, program: [wait('ep', 1, 5)] },
    { name: 'T3', cpu: 1, program: [wait('ep', 1, -1, 1)] },
  ],
  irqs: [{ name: 'dev', cpu: 2, fd: 'e', count: 1 }],
};

/**
 * B8b: a Go-netpoller-like mix on one set (edge-triggered, as Go's netpoller registers
 * every fd): a poller with a short timeout and a blocking one; one file signalled by a
 * device interrupt, one written by a thread.
 */
export const B8B_NETPOLL: Scenario = {
  name: 'zoo-b8b-netpoll',
  description: 'B8b: a timed and a blocking poller; ET files written by an IRQ and a thread',
  cpus: 4,
  files: [{ name: 'a', type: 'eventfd' }, { name: 'b', type: 'eventfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'a', events: ['IN', 'ET'] },
    { set: 'ep', fd: 'b', events: ['IN', 'ET'] }],
  tasks: [
    { name: 'T1', cpu: 0, program: [wait('ep', 1, 5), wait('ep', 1, 5)] },
    { name: 'T2', cpu: 1, program: [wait('ep', 1, -1, 1)] },
    { name: 'P', cpu: 2, program: [write('b')] },
  ],
  irqs: [{ name: 'dev', cpu: 3, fd: 'a', count: 1 }],
};

/**
 * WF1: one edge-triggered eventfd signalled twice by a device; the consumer waits twice
 * without reading, so the second signal is owed a second report ("one report per wakeup").
 * The second signal may land while the first harvest is between delivering the item and
 * resetting its state.
 */
export const WF1_ET_TWICE: Scenario = {
  name: 'zoo-wf1-et-twice',
  description: 'WF1: ET eventfd signalled twice by IRQ; the consumer waits twice',
  cpus: 2,
  files: [{ name: 'e', type: 'eventfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ET'] }],
  tasks: [{ name: 'T1', cpu: 0, program: [wait('ep', 1, -1, 1), wait('ep', 1, -1, 1)] }],
  irqs: [{ name: 'dev', cpu: 1, fd: 'e', count: 2 }],
};

/** WF1 with two consumers, one wait each: the second is owed the second signal. */
export const WF1_TWO_WAITERS: Scenario = {
  name: 'zoo-wf1-two-waiters',
  description: 'WF1: ET eventfd signalled twice by IRQ; two consumers wait once each',
  cpus: 3,
  files: [{ name: 'e', type: 'eventfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'e', events: ['IN', 'ET'] }],
  tasks: [
    { name: 'T1', cpu: 0, program: [wait('ep', 1, -1, 1)] },
    { name: 'T2', cpu: 1, program: [wait('ep', 1, -1, 1)] },
  ],
  irqs: [{ name: 'dev', cpu: 2, fd: 'e', count: 2 }],
};

/**
 * B11: interrupts on four CPUs keep signalling one watched file (their callbacks take
 * `read_lock(ep->lock)`), while a thread keeps calling epoll_wait, whose paths take
 * `write_lock_irq(ep->lock)`.
 */
export const B11_IRQ_STORM: Scenario = {
  name: 'zoo-b11-irq-storm',
  description: 'B11: IRQs on four CPUs hammer one file while a thread keeps harvesting',
  cpus: 5,
  files: [{ name: 'e', type: 'eventfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'e', events: ['IN'] }],
  tasks: [{ name: 'T1', cpu: 0, program: [wait('ep', 1, -1, 1), wait('ep', 1, 0),
    wait('ep', 1, 0)] }],
  irqs: [1, 2, 3, 4].map((cpu) => ({ name: `irq${cpu}`, cpu, fd: 'e', count: 12 })),
};

/**
 * B20: EPOLL_CTL_ADD of ready files queues their items on rdllist while a device
 * interrupt's callback queues another item of the same set.
 */
export const B20_ADD_VS_CALLBACK: Scenario = {
  name: 'zoo-b20-add-vs-callback',
  description: 'B20: ADD of two ready fds queues them while a callback queues a third',
  cpus: 2,
  files: [{ name: 'a', type: 'eventfd' }, { name: 'c', type: 'eventfd', init: 1 },
    { name: 'd', type: 'eventfd', init: 1 }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'a', events: ['IN'] }],
  tasks: [{ name: 'T1', cpu: 0, program: [
    { op: 'epoll_ctl', ctl: 'ADD', set: 'ep', fd: 'c', events: ['IN'] },
    { op: 'epoll_ctl', ctl: 'ADD', set: 'ep', fd: 'd', events: ['IN'] },
  ] }],
  irqs: [{ name: 'irqA', cpu: 1, fd: 'a', count: 1 }],
};

/**
 * PW1: a poll(2) caller on an eventfd and a writer on another CPU (lkmm). The writer's
 * pollwake marks the poller triggered; the poller, seeing it, re-polls at once, and must
 * then see the count the writer stored before the mark.
 */
export const PW1_POLL_WRITER: Scenario = {
  name: 'zoo-pw1-poll-writer',
  description: 'PW1: poll(2) on an eventfd while a thread on another CPU writes it (lkmm)',
  cpus: 2,
  memory: 'lkmm',
  files: [{ name: 'e', type: 'eventfd' }],
  tasks: [
    { name: 'T1', cpu: 0, program: [{ op: 'poll', fd: 'e', events: ['IN'], timeout: -1 }] },
    { name: 'P', cpu: 1, program: [write('e')] },
  ],
};

const pollIn = (fd: string): SyscallSpec => ({ op: 'poll', fd, events: ['IN'], timeout: -1 });

/** `n` rounds of `round`, flattened. */
function rounds(n: number, round: readonly SyscallSpec[]): SyscallSpec[] {
  return Array.from({ length: n }, () => round).flat();
}

/**
 * PW1, ping-pong: two threads poll(2) and answer each other through two eventfds, six
 * rounds, so every round is a chance for either side's pollwake to race with the other's
 * re-poll.
 */
export const PW1_PINGPONG: Scenario = {
  name: 'zoo-pw1-poll-pingpong',
  description: 'PW1: two threads ping-pong six rounds through two eventfds with poll(2) (lkmm)',
  cpus: 2,
  memory: 'lkmm',
  files: [{ name: 'e', type: 'eventfd' }, { name: 'g', type: 'eventfd' }],
  tasks: [
    { name: 'T1', cpu: 0, program: rounds(6, [pollIn('e'), read('e'), write('g')]) },
    { name: 'P', cpu: 1, program: rounds(6, [write('e'), pollIn('g'), read('g')]) },
  ],
};

/** PW1, the interrupt form: a device interrupt signals the eventfd. */
export const PW1_POLL_IRQ: Scenario = {
  name: 'zoo-pw1-poll-irq',
  description: 'PW1: poll(2) on an eventfd while a device interrupt signals it (lkmm)',
  cpus: 2,
  memory: 'lkmm',
  files: [{ name: 'e', type: 'eventfd' }],
  tasks: [
    { name: 'T1', cpu: 0, program: [{ op: 'poll', fd: 'e', events: ['IN'], timeout: -1 }] },
  ],
  irqs: [{ name: 'irq1', cpu: 1, fd: 'e', count: 1 }],
};

/**
 * RW1: an EPOLL_CTL_ADD of set d into x walks up from x (a watches x) under RCU while
 * another thread closes a: 6.18's ep_free() ended in kfree(ep) (07712db80857).
 */
export const RW1_UPWARDS_VS_CLOSE: Scenario = {
  name: 'zoo-rw1-upwards-vs-close',
  description: 'RW1: the upward loop check of an ADD reads a watching set being closed',
  cpus: 2,
  sets: [{ name: 'x' }, { name: 'a' }, { name: 'd' }],
  watches: [{ set: 'a', fd: 'x', events: ['IN'] }],
  tasks: [
    { name: 'T1', cpu: 0, program: [{ op: 'epoll_ctl', ctl: 'ADD', set: 'x', fd: 'd',
      events: ['IN'] }] },
    { name: 'T2', cpu: 1, program: [{ op: 'close', fd: 'a' }] },
  ],
};

/**
 * RW1, the other reader: adding e into x (watched by w) counts e's wakeup paths
 * (reverse_path_check) up through a, which another thread closes.
 */
export const RW1_REVERSE_VS_CLOSE: Scenario = {
  name: 'zoo-rw1-reverse-vs-close',
  description: 'RW1: reverse_path_check walks up from a file through a set being closed',
  cpus: 2,
  files: [{ name: 'e', type: 'eventfd' }],
  sets: [{ name: 'x' }, { name: 'w' }, { name: 'a' }],
  watches: [{ set: 'w', fd: 'x', events: ['IN'] }, { set: 'a', fd: 'e', events: ['IN'] }],
  tasks: [
    { name: 'T1', cpu: 0, program: [{ op: 'epoll_ctl', ctl: 'ADD', set: 'x', fd: 'e',
      events: ['IN'] }] },
    { name: 'T2', cpu: 1, program: [{ op: 'close', fd: 'a' }] },
  ],
};

/** Every zoo scenario, by name. */
export const ZOO_SCENARIOS: readonly Scenario[] = [
  B1_PINGPONG, B1_IRQ, B3_ADD_WAKES, B3_ADD_IRQ, TWO_WAITERS_TWO_IRQS, TWO_WAITERS_WRITER,
  B5_LT_PAIR, B5_LT_READY, B5_TIMEOUT0, B7_TIMEOUT_RACE, B7_TIMEOUT_IRQ, B8B_NETPOLL,
  WF1_ET_TWICE, WF1_TWO_WAITERS, B11_IRQ_STORM, B20_ADD_VS_CALLBACK, PW1_POLL_WRITER,
  PW1_POLL_IRQ, PW1_PINGPONG, RW1_UPWARDS_VS_CLOSE, RW1_REVERSE_VS_CLOSE,
];

/** A zoo scenario by name, or undefined. */
export function zooScenario(name: string): Scenario | undefined {
  return ZOO_SCENARIOS.find((s) => s.name === name);
}
