/**
 * Shared helpers of the queue tests: running a model single-threaded, building machines for
 * interleaving tests, and end-of-run checkers as observers.
 */
import type { Ctx } from '../../src/sim/context.ts';
import { Machine, type Observer, type RunOutcome } from '../../src/sim/machine.ts';
import type { MemoryMode } from '../../src/sim/memory.ts';
import type { Model } from '../../src/sim/op.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';

/** A one-CPU SC machine for single-threaded unit tests. */
export function solo(opts: { trace?: boolean; memory?: MemoryMode } = {}): Machine {
  return new Machine({ ncpu: 1, memory: opts.memory ?? 'sc', trace: opts.trace ?? false });
}

/**
 * Runs `body` as a task on CPU 0 to the end and returns its value and the outcome. May be
 * called several times on one machine: each call adds a task and runs until nothing can run.
 */
export function runTask<R>(m: Machine, body: (c: Ctx) => Model<R>, cpu = 0):
{ value: R | undefined; out: RunOutcome } {
  let value: R | undefined;
  m.addTask({
    name: `T${m.contexts().length}`, cpu,
    body: function* (c) { value = yield* body(c); },
  });
  const out = m.run(new ChoicesScheduler([]));
  return { value, out };
}

/** A machine for interleaving tests. */
export function machine(ncpu: number, memory: MemoryMode, seed = 0): Machine {
  return new Machine({ ncpu, memory, seed, limits: { stepsMax: 5_000 } });
}

/**
 * An observer that, at the end of a run, reports `check()`'s problem (if any) as P2 list
 * corruption, so a run's outcome carries it like any other violation.
 */
export function atEnd(name: string, check: (m: Machine) => string | undefined): Observer {
  return {
    name,
    atEnd(m) {
      const problem = check(m);
      if (problem !== undefined) {
        m.report({ property: 'P2-list-integrity', kind: 'list-corruption', message: problem,
          ctx: -1, cpu: -1 });
      }
    },
  };
}

/** An observer running `check()` after every step, reporting like {@link atEnd}. */
export function everyStep(name: string, check: (m: Machine) => string | undefined): Observer {
  return {
    name,
    afterStep(m) {
      const problem = check(m);
      if (problem !== undefined) {
        m.report({ property: 'P2-list-integrity', kind: 'list-corruption', message: problem,
          ctx: -1, cpu: -1 });
      }
    },
  };
}

/**
 * Checks that `got` holds every item of `producers` exactly once and, for each producer, in
 * the order it produced them. Returns the first problem or undefined.
 */
export function fifoPerProducer(got: readonly number[], producers: readonly (readonly number[])[]):
string | undefined {
  const pos = new Map<number, number>();
  for (let i = 0; i < got.length; i++) {
    if (pos.has(got[i]!)) return `item ${got[i]} appears twice`;
    pos.set(got[i]!, i);
  }
  let total = 0;
  for (const [p, items] of producers.entries()) {
    total += items.length;
    let last = -1;
    for (const it of items) {
      const at = pos.get(it);
      if (at === undefined) return `item ${it} of producer ${p} is lost`;
      if (at < last) return `producer ${p}: item ${it} is out of order`;
      last = at;
    }
  }
  if (total !== got.length) return `${got.length - total} unexpected items`;
  return undefined;
}

/** fast-check parameters: a pinned seed (named in the describe titles) and a run count. */
export function fcParams(seed: number, numRuns: number): { seed: number; numRuns: number } {
  return { seed, numRuns };
}

/**
 * Runs `k` steps of `a`, then all of `b`, then the rest of `a`, in one task: a fixed
 * interleaving of two model functions (as if `b` ran on another CPU in that window).
 */
export function* interleave<A, B>(a: Model<A>, k: number, b: Model<B>): Model<[A, B]> {
  let r = a.next();
  for (let i = 0; i < k && !r.done; i++) r = a.next(yield r.value);
  const vb = yield* b;
  while (!r.done) r = a.next(yield r.value);
  return [r.value, vb];
}
