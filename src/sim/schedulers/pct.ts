/**
 * PCT: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte,
 * "A Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010).
 *
 * Each thread gets a random priority; the highest-priority enabled thread runs; at d-1
 * change points drawn uniformly over the expected run length, the running thread drops to a
 * priority below all initial ones. A bug of depth d is then found with probability at least
 * 1/(n k^(d-1)) per run. Here a "thread" is any choice id: a task, the IRQ handler of a CPU,
 * an IRQ source, a timer or a store buffer. Ids first seen mid-run get a fresh random
 * priority. The expected length k adapts to the longest execution seen so far. Under lkmm,
 * a load's choice of an older write (a READ_BASE id) is drawn at random, not by priority.
 */
import { Prng } from '../prng.ts';
import { isReadChoice } from '../schedule.ts';
import type { Scheduler } from '../scheduler.ts';

/** PCT with depth `depth` (default 3). */
export class PctScheduler implements Scheduler {
  readonly name = 'pct';
  private prng = new Prng(0);
  private readonly prio = new Map<number, number>();
  private changePoints: number[] = [];
  private maxSteps: number;
  private readonly depth: number;

  constructor(depth = 3, expectedSteps = 100) {
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`bad PCT depth ${depth}`);
    this.depth = depth;
    this.maxSteps = expectedSteps;
  }

  begin(seed: number): void {
    this.prng = new Prng(seed);
    this.prio.clear();
    this.changePoints = [];
    for (let i = 1; i < this.depth; i++) this.changePoints.push(this.prng.below(this.maxSteps));
  }

  pick(ids: Int32Array, n: number, step: number): number {
    let best = 0;
    let bestPrio = -1;
    let reads = 0;
    for (let i = 0; i < n; i++) {
      if (isReadChoice(ids[i]!)) {
        reads++;
        continue;
      }
      const p = this.priority(ids[i]!);
      if (p > bestPrio) {
        bestPrio = p;
        best = i;
      }
    }
    // At change point i the chosen thread drops below every initial priority.
    for (let i = 0; i < this.changePoints.length; i++) {
      if (this.changePoints[i] === step) this.prio.set(ids[best]!, i);
    }
    // lkmm: which write a load reads is not a thread. When some load may read an older
    // write, one of the n - reads + reads outcomes is drawn: the thread by priority, or one
    // of the older writes (read ids come last, see Machine.collect).
    if (reads > 0) {
      const r = this.prng.below(reads + 1);
      if (r > 0) return n - reads + r - 1;
    }
    return best;
  }

  end(steps: number): void {
    if (steps > this.maxSteps) this.maxSteps = steps;
  }

  private priority(id: number): number {
    let p = this.prio.get(id);
    if (p === undefined) {
      // Initial priorities sit above the d-1 low slots used by change points.
      p = this.depth + this.prng.below(1 << 20);
      this.prio.set(id, p);
    }
    return p;
  }
}
