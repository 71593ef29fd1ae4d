/**
 * Shared scaffolding for the src/locks tests: machines, seed searches, counters, and a
 * scheduler that never writes back a store buffer unless it must.
 */
import { SLEEPING, type Ctx, type MachineAccess } from '../../src/sim/context.ts';
import { Machine, type MachineOptions, type RunOutcome } from '../../src/sim/machine.ts';
import { load, store } from '../../src/sim/mem.ts';
import type { MemoryMode } from '../../src/sim/memory.ts';
import { custom, type CustomOp, type Model } from '../../src/sim/op.ts';
import { DRAIN_BASE, SIGNAL_BASE } from '../../src/sim/schedule.ts';
import type { Scheduler } from '../../src/sim/scheduler.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import type { Violation } from '../../src/sim/violation.ts';

/** A machine with `ncpu` CPUs. */
export function machine(ncpu: number, memory: MemoryMode = 'sc', seed = 0,
  limits?: MachineOptions['limits']): Machine {
  return new Machine({ ncpu, memory, seed, ...(limits ? { limits } : {}) });
}

const SPIN_UNTIL: CustomOp = {
  name: 'spin_until',
  enabled: (m, c, o) => m.memory.read(c.cpu, o.h, o.o as string) === o.v,
  exec: () => 0,
  waitReason: (m, _c, o) => `spinning until ${m.arena.label(o.h)}.${String(o.o)} == ${o.v}`,
};

/** `while (READ_ONCE(h->f) != v) cpu_relax();` as one op that spins without steps. */
export function* spinUntil(h: number, f: string, v: number): Model<void> {
  yield custom(SPIN_UNTIL, h, v, f, 'spin_until');
}

/** Runs with the random scheduler (the machine's seed drives it). */
export function runRandom(m: Machine): RunOutcome {
  return m.run(new RandomScheduler());
}

/** The first seed in [0, budget) for which `failing(seed)` holds, or -1. */
export function firstFailing(budget: number, failing: (seed: number) => boolean): number {
  for (let s = 0; s < budget; s++) if (failing(s)) return s;
  return -1;
}

/** Seeds in [0, budget) for which `failing(seed)` holds. */
export function failingSeeds(budget: number, failing: (seed: number) => boolean): number[] {
  const out: number[] = [];
  for (let s = 0; s < budget; s++) if (failing(s)) out.push(s);
  return out;
}

/** A shared variable object `{v: 0, ...}`. */
export function vars(m: MachineAccess, fields: Record<string, number> = { v: 0 }): number {
  return m.alloc('vars', fields, 'vars');
}

/** A non-atomic increment (load, then store): loses updates unless serialised. */
export function* increment(h: number, f = 'v'): Model<void> {
  const v = (yield load(h, f, 'increment')) as number;
  yield store(h, f, v + 1, 'increment');
}

/** Global (memory) value of a field, ignoring store buffers. */
export function global(m: Machine, h: number, f: string): unknown {
  return m.memory.readGlobal(h, f);
}

/** The violations' `property/kind` strings, for compact assertions. */
export function kinds(vs: readonly Violation[]): string[] {
  return vs.map((v) => `${v.property}/${v.kind}`);
}

/**
 * Random among non-drain candidates; a store buffer is written back only when nothing else
 * can run. Makes "the other CPU still sees the lock held" deterministic to observe.
 */
export class LazyDrainScheduler implements Scheduler {
  readonly name = 'lazy-drain';
  private x = 1;
  begin(seed: number): void {
    this.x = (seed | 0) + 1;
  }
  pick(ids: Int32Array, n: number): number {
    let others = 0;
    for (let i = 0; i < n; i++) if (!isDrain(ids[i]!)) others++;
    if (others === 0) return 0;
    this.x = (Math.imul(this.x, 1103515245) + 12345) | 0;
    let k = ((this.x >>> 8) % others + others) % others;
    for (let i = 0; i < n; i++) {
      if (isDrain(ids[i]!)) continue;
      if (k-- === 0) return i;
    }
    return 0;
  }
}

function isDrain(id: number): boolean {
  return id >= DRAIN_BASE && id < SIGNAL_BASE;
}

/** The context (by name) of a machine. */
export function ctxNamed(m: Machine, name: string): Ctx {
  const c = m.contexts().find((x) => x.name === name);
  if (!c) throw new Error(`no context ${name}`);
  return c;
}

/**
 * Two tasks take and drop a sleeping lock six times each over seeds 0..19 (random): no
 * violation, at most a waiter and its list head allocated per task beyond their
 * task_structs, and some seed puts the tasks to sleep more than twice. Returns that most.
 */
export function waiterAllocatedOnce(make: (m: Machine) => {
  lock: (c: Ctx) => Model<void>; unlock: (c: Ctx) => Model<void>;
}): number {
  let most = 0;
  for (let seed = 0; seed < 20; seed++) {
    const m = machine(2, 'sc', seed);
    const { lock, unlock } = make(m);
    const v = vars(m);
    const before = m.arena.objs.length;
    const tasks: Ctx[] = [];
    let sleeps = 0;
    for (let i = 0; i < 2; i++) {
      tasks.push(m.addTask({
        name: `T${i}`, cpu: i,
        body: function* (c: Ctx): Model<void> {
          for (let k = 0; k < 6; k++) {
            yield* lock(c);
            yield load(v, 'v');
            yield* unlock(c);
          }
        },
      }));
    }
    const was = [false, false];
    m.addObserver({
      name: 'sleeps',
      afterStep: () => {
        tasks.forEach((t, i) => {
          const now = t.status === SLEEPING;
          if (now && !was[i]) sleeps++;
          was[i] = now;
        });
      },
    });
    const out = m.run(new RandomScheduler());
    if (out.violations.length > 0) throw new Error(`seed ${seed}: ${out.violations[0]!.message}`);
    // Two task_structs, then at most a waiter and its list head per task.
    if (m.arena.objs.length - before > 2 + 2 * 2) {
      throw new Error(`seed ${seed}: ${m.arena.objs.length - before} objects allocated`);
    }
    most = Math.max(most, sleeps);
  }
  return most;
}
