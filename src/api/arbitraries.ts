/**
 * fast-check arbitraries for scenarios and schedules, so that fast-check generates and
 * shrinks both. A schedule is a plain number array consumed by the `choices` scheduler
 * (`choice % candidates` at each real choice): shrinking it toward zeros shrinks the
 * interleaving toward "lowest task first", which reads well.
 */
import fc from 'fast-check';
import type { FileSpec, IrqSpec, Scenario, SyscallSpec, TaskSpec, WatchSpec }
  from '../scenario/types.ts';

const MODES: readonly (readonly string[])[] = [
  ['IN'], ['IN', 'ET'], ['IN', 'ONESHOT'], ['IN', 'EXCLUSIVE'], ['IN', 'ET', 'ONESHOT'],
];

/** Options of {@link scenarioArb}. */
export interface ScenarioArbOptions {
  /** Largest number of waiting tasks (default 2). */
  maxWaiters?: number;
  /** Largest number of eventfds (default 2). */
  maxFiles?: number;
}

/** Scenarios over one set and a few eventfds: waiters, readers, MOD re-arms and producers. */
export function scenarioArb(o: ScenarioArbOptions = {}): fc.Arbitrary<Scenario> {
  const maxFiles = o.maxFiles ?? 2;
  const maxWaiters = o.maxWaiters ?? 2;
  return fc.integer({ min: 1, max: maxFiles }).chain((nfiles) => {
    const fds = Array.from({ length: nfiles }, (_, i) => `e${i}`);
    const fd = fc.constantFrom(...fds);
    const step: fc.Arbitrary<SyscallSpec> = fc.oneof(
      fc.record({ op: fc.constant('epoll_wait' as const), set: fc.constant('ep'),
        maxevents: fc.integer({ min: 1, max: 2 }), timeout: fc.constantFrom(-1, 0, 1) }),
      fc.record({ op: fc.constant('read' as const), fd, n: fc.constant(8) }),
      fc.record({ op: fc.constant('write' as const), fd, n: fc.constant(1) }),
      fc.record({ op: fc.constant('epoll_ctl' as const), ctl: fc.constant('MOD' as const),
        set: fc.constant('ep'), fd, events: fc.constantFrom(...MODES) }),
    );
    const program = fc.array(step, { minLength: 1, maxLength: 3 });
    return fc.record({
      modes: fc.array(fc.constantFrom(...MODES), { minLength: nfiles, maxLength: nfiles }),
      programs: fc.array(program, { minLength: 1, maxLength: maxWaiters }),
      irqs: fc.array(fc.record({ fd, count: fc.integer({ min: 1, max: 2 }) }),
        { maxLength: 2 }),
    }).map(({ modes, programs, irqs }): Scenario => {
      const files: FileSpec[] = fds.map((name) => ({ name, type: 'eventfd' }));
      const watches: WatchSpec[] = fds.map((f, i) => ({ set: 'ep', fd: f, events: modes[i]! }));
      const cpus = programs.length + 1;
      const tasks: TaskSpec[] = programs.map((p, i) => ({ name: `T${i}`, cpu: i, program: p }));
      const irqSpecs: IrqSpec[] = irqs.map((q, i) => ({ name: `irq${i}`, cpu: cpus - 1,
        fd: q.fd, count: q.count }));
      return { name: 'fc', cpus, files, sets: [{ name: 'ep' }], watches, tasks, irqs: irqSpecs };
    });
  });
}

/** Schedules for the `choices` scheduler. */
export function scheduleArb(maxLength = 400): fc.Arbitrary<number[]> {
  // size 'max': fast-check's default size would keep arrays short, leaving most choices at 0.
  return fc.array(fc.nat({ max: 255 }), { maxLength, size: 'max' });
}
