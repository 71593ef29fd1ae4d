/**
 * Per-variant file types: a variant adds a device-like file (its own wait queue, a write that
 * wakes it, a read that drains it, an interrupt handler), a scenario creates it by type, and
 * epoll reports its events through the variant's table; another variant in the same process
 * does not know the type, and validation names the types it does know.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import {
  alloc_file, FMODE_READ, FMODE_WRITE, poll_wait, type FileOps,
} from '../../src/eventpoll/file.ts';
import { kernel } from '../../src/eventpoll/kernel.ts';
import { defineVariant } from '../../src/eventpoll/variant.ts';
import { EPOLLHUP, EPOLLIN } from '../../src/eventpoll/uapi.ts';
import { spin_lock_irqsave, spin_unlock_irqrestore } from '../../src/locks/spinlock.ts';
import {
  init_waitqueue_head, waitqueue_active, wake_up_locked_poll, wake_up_poll, wq_lock,
} from '../../src/locks/waitqueue.ts';
import { validateScenario } from '../../src/scenario/validate.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import type { Ctx } from '../../src/sim/context.ts';
import { load, READ_ONCE, store } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';

/** The device behind a `ringdev` file: a count of pending records and a wait queue. */
function dev(c: Ctx, file: number): number {
  return c.m.arena.objs[file]!.private_data as number;
}

/** Adds `n` records under the queue's lock and wakes the pollers (as eventfd_write does). */
function* ringdev_push(c: Ctx, file: number, n: number): Model<number> {
  const d = dev(c, file);
  const wqh = c.m.arena.objs[d]!.wqh as number;
  const flags = yield* spin_lock_irqsave(c, wq_lock(c.m, wqh));
  const count: number = yield load(d, 'count', 'ringdev_push');
  yield store(d, 'count', count + n, 'ringdev_push');
  kernel(c).ghost.edge(file);
  if (yield* waitqueue_active(c, wqh)) yield* wake_up_locked_poll(c, wqh, EPOLLIN);
  yield* spin_unlock_irqrestore(c, wq_lock(c.m, wqh), flags);
  kernel(c).ghost.changed(file);
  return n;
}

let created = 0;
let reads = 0;

const RINGDEV: FileOps = {
  name: 'ringdev',
  *poll(c, file, pt) {
    const d = dev(c, file);
    yield* poll_wait(c, file, c.m.arena.objs[d]!.wqh as number, pt);
    return ((yield READ_ONCE(d, 'count', 'ringdev_poll')) as number) > 0 ? EPOLLIN : 0;
  },
  *release(c, file) {
    yield* wake_up_poll(c, c.m.arena.objs[dev(c, file)]!.wqh as number, EPOLLHUP);
  },
  readyMask: (m, file) =>
    (m.memory.readGlobal(m.arena.objs[file]!.private_data as number, 'count') as number) > 0
      ? EPOLLIN : 0,
  *read(c, file, n) {
    reads++;
    const d = dev(c, file);
    const wqh = c.m.arena.objs[d]!.wqh as number;
    const flags = yield* spin_lock_irqsave(c, wq_lock(c.m, wqh));
    const count: number = yield load(d, 'count', 'ringdev_read');
    const got = Math.min(count, n);
    yield store(d, 'count', count - got, 'ringdev_read');
    yield* spin_unlock_irqrestore(c, wq_lock(c.m, wqh), flags);
    kernel(c).ghost.changed(file);
    return got > 0 ? got : -11; // EAGAIN
  },
  write: (c, file, n) => ringdev_push(c, file, Number(n)),
  create(c, spec) {
    created++;
    const wqh = init_waitqueue_head(c.m, `${spec.name}.wqh`);
    const d = c.m.alloc('ringdev', { wqh, count: Number(spec.records ?? 0) }, `${spec.name}.dev`);
    return alloc_file(c.m, spec.type, d, FMODE_READ | FMODE_WRITE, spec.name);
  },
  irq: (c, file) => ringdev_push(c, file, 1),
};

defineVariant({ name: 'test-ringdev', base: 'mainline-6.18', fileTypes: [RINGDEV] });
defineVariant({ name: 'test-ringdev-classic', base: 'classic-4.19', fileTypes: [RINGDEV] });
defineVariant({ name: 'test-no-ringdev', base: 'mainline-6.18' });

/** A writer and an interrupt feed a ring device that a task waits for through epoll. */
const RING: Scenario = {
  name: 'ringdev-wait', cpus: 3,
  files: [{ name: 'r', type: 'ringdev', records: 0 }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'r', events: ['IN'] }],
  tasks: [
    { name: 'T0', cpu: 0, program: [
      { op: 'epoll_wait', set: 'ep', maxevents: 1, timeout: -1, expect: 1 },
      { op: 'read', fd: 'r', n: 8, expect: [1, 2] },
      { op: 'close', fd: 'r' }] },
    { name: 'W', cpu: 1, program: [{ op: 'write', fd: 'r', n: 1, expect: 1 }] },
  ],
  irqs: [{ name: 'dev', cpu: 2, fd: 'r', count: 1 }],
};

describe('eventpoll: a variant\'s own file type (ringdev, seeds 0..99)', () => {
  it('is created by type, reports EPOLLIN through epoll, and reads and writes through f_op', () => {
    const before = { created, reads };
    for (const variant of ['test-ringdev', 'test-ringdev-classic']) {
      for (let seed = 0; seed < 100; seed++) {
        const r = simulate({ variant, scenario: RING, seed });
        expect(r.violations, `${variant} seed ${seed}`).toEqual([]);
        expect(r.results.find((x) => x.op === 'epoll_wait'))
          .toMatchObject({ ret: 1, events: ['r=IN'] });
        expect(r.results.find((x) => x.op === 'write')!.ret).toBe(1);
      }
    }
    // Prepared setups create the file once per variant; every run reads through f_op->read.
    expect(created - before.created).toBeGreaterThanOrEqual(2);
    expect(reads - before.reads).toBe(200);
  });

  it('a lost wakeup in the type\'s own write is found by the checkers (P1)', () => {
    const lossy: FileOps = { ...RINGDEV, name: 'ringdev-lossy', *write(c, file, n) {
      // The bug: the count is raised but nobody is woken.
      const d = dev(c, file);
      yield store(d, 'count', ((yield load(d, 'count', 'w')) as number) + Number(n), 'w');
      kernel(c).ghost.edge(file);
      kernel(c).ghost.changed(file);
      return Number(n);
    } };
    defineVariant({ name: 'test-ringdev-lossy', base: 'mainline-6.18', fileTypes: [lossy] });
    const sc: Scenario = { ...RING, files: [{ name: 'r', type: 'ringdev-lossy' }], irqs: [],
      tasks: [RING.tasks[0]!, RING.tasks[1]!] };
    const failed = Array.from({ length: 50 }, (_, seed) =>
      simulate({ variant: 'test-ringdev-lossy', scenario: sc, seed }))
      .filter((r) => r.violations.some((v) => v.property === 'P1-lost-wakeup'));
    expect(failed.length).toBeGreaterThan(0);
  });

  it('another variant in the same process does not see it', () => {
    expect(() => simulate({ variant: 'test-no-ringdev', scenario: RING, seed: 0 }))
      .toThrow(/files\[0\]\.type: unknown file type 'ringdev' for variant 'test-no-ringdev': expected eventfd, pipe, socketpair, regular or signalfd/);
    expect(() => simulate({ variant: 'mainline-6.18', scenario: RING, seed: 0 }))
      .toThrow(/unknown file type 'ringdev'/);
  });

  it('validation accepts the types it is given and names the known ones otherwise', () => {
    expect(validateScenario(RING, [RINGDEV]).files![0]!.type).toBe('ringdev');
    expect(() => validateScenario(RING, [])).toThrow(/files\[0\]\.type: unknown file type 'ringdev': expected eventfd, pipe, socketpair or regular/);
    const typo = { ...RING, files: [{ name: 'r', type: 'ringdevv' }] };
    expect(() => validateScenario(typo)).toThrow(/expected eventfd, pipe, socketpair, regular, .*ringdev/);
  });

  it('an interrupt source needs the type to have an irq handler', () => {
    const noIrq: FileOps = { ...RINGDEV, name: 'ringdev-noirq' };
    delete (noIrq as { irq?: unknown }).irq;
    defineVariant({ name: 'test-ringdev-noirq', base: 'mainline-6.18', fileTypes: [noIrq] });
    const sc = { ...RING, files: [{ name: 'r', type: 'ringdev-noirq' }] };
    expect(() => simulate({ variant: 'test-ringdev-noirq', scenario: sc, seed: 0 }))
      .toThrow(/irqs\[0\]\.fd/);
  });

  it('a built-in type name cannot be taken', () => {
    expect(() => defineVariant({ name: 'test-bad', base: 'mainline-6.18',
      fileTypes: [{ ...RINGDEV, name: 'eventfd' }] })).toThrow(/file type 'eventfd' is built in/);
  });
});
