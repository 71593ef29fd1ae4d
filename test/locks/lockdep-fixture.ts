/**
 * A hand-built machine for direct lockdep tests: a real arena (lock labels and classes), and
 * the rest of MachineAccess that lockdep reads (step, IRQ state, the interrupted task, RCU
 * depth, contexts) as plain fields the test sets. No scheduler, no steps: each call of a
 * lockdep function is a test of its own.
 */
import type { LockSite } from '../../src/locks/lockdep-graph.ts';
import { Arena } from '../../src/queues/arena.ts';
import type { Ctx, MachineAccess } from '../../src/sim/context.ts';
import type { Violation } from '../../src/sim/violation.ts';

/** The fake machine: a MachineAccess plus the knobs a test turns. */
export interface FakeMachine {
  /** What lockdep sees (the same object as the knobs). */
  readonly m: MachineAccess;
  readonly arena: Arena;
  readonly reports: Omit<Violation, 'step'>[];
  /** IRQ disable depth per CPU (0: enabled). */
  readonly irqOff: number[];
  /** The task each IRQ context (by id) interrupted. */
  readonly interrupted: Map<number, Ctx>;
  /** RCU read-side depth per context id. */
  readonly rcuDepth: Map<number, number>;
  readonly ctxs: Ctx[];
  /** Sets the step the next calls see. */
  setStep(step: number): void;
  /** A spinlock-like object `label` of class `cls` (the label when not given). */
  lock(label: string, cls?: string): number;
  /** A task context on `cpu`, running kernel function `fn`. */
  task(name: string, cpu: number, fn?: string): Ctx;
  /** A hardirq context on `cpu` that interrupted `over` (if given). */
  irq(cpu: number, over?: Ctx): Ctx;
}

/** A fresh fake machine with `ncpu` CPUs, IRQs enabled everywhere. */
export function fakeMachine(ncpu = 2): FakeMachine {
  const arena = new Arena();
  const reports: Omit<Violation, 'step'>[] = [];
  const irqOff = new Array<number>(ncpu).fill(0);
  const interrupted = new Map<number, Ctx>();
  const rcuDepth = new Map<number, number>();
  const ctxs: Ctx[] = [];
  let step = 0;
  const m = {
    arena,
    ext: {},
    ncpu,
    get step(): number { return step; },
    rcu: { depthOf: (id: number): number => rcuDepth.get(id) ?? 0 },
    report: (v: Omit<Violation, 'step'>): void => { reports.push(v); },
    irqDisabled: (cpu: number): number => irqOff[cpu]!,
    interrupted: (c: Ctx): Ctx | undefined => interrupted.get(c.id),
    contexts: (): readonly Ctx[] => ctxs,
  } as unknown as MachineAccess;
  const ctx = (name: string, cpu: number, irq: boolean, task: number, fn: string): Ctx => {
    const c: Ctx = { id: ctxs.length, name, cpu, irq, task, fn, m, status: 0, local: {} };
    ctxs.push(c);
    return c;
  };
  return {
    m, arena, reports, irqOff, interrupted, rcuDepth, ctxs,
    setStep: (s) => { step = s; },
    lock: (label, cls) => arena.alloc('spinlock', { locked: 0, cls: cls ?? label }, label),
    task: (name, cpu, fn = '') => ctx(name, cpu, false, arena.alloc('task', {}, name), fn),
    irq: (cpu, over) => {
      const c = ctx(`irq@${cpu}`, cpu, true, 0, '');
      if (over) interrupted.set(c.id, over);
      return c;
    },
  };
}

/** A site for direct graph calls. */
export function site(ctx: string, lock: string, step: number, fn = '', op = 'spin_lock',
  cpu = 0): LockSite {
  return { ctx, cpu, step, fn, op, lock };
}
