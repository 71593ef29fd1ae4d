/**
 * Random schedules with at most K preemptions: the sampled form of the preemption-bounded
 * search (Musuvathi and Qadeer, PLDI 2007, the space `explore --preemptions K` enumerates).
 * The context that ran last keeps running while it can; K preemption points are drawn
 * uniformly over the expected run length, and at each one a different candidate is taken
 * uniformly. When the last context cannot run (it blocked, finished or spins), the switch is
 * free and its successor is uniform among the candidates. A bug that needs one or two
 * context switches at the right place is found with probability about 1/(n k) or
 * 1/(n k)^2 per run, as with PCT, but the order of the other contexts is uniform rather than
 * by priority, so the two find different bugs first (docs/zoo.md measures them).
 */
import { Prng } from '../prng.ts';
import { isReadChoice } from '../schedule.ts';
import type { Scheduler } from '../scheduler.ts';

/** At most `bound` preemptions per execution, at random steps. */
export class PreemptScheduler implements Scheduler {
  readonly name: string;
  private prng = new Prng(0);
  private readonly bound: number;
  private points: number[] = [];
  private prev = -1;
  private maxSteps: number;

  constructor(bound = 2, expectedSteps = 100) {
    if (!Number.isInteger(bound) || bound < 0) {
      throw new RangeError(`bad preemption bound ${bound}`);
    }
    this.bound = bound;
    this.name = `preempt:${bound}`;
    this.maxSteps = expectedSteps;
  }

  begin(seed: number): void {
    this.prng = new Prng(seed);
    this.prev = -1;
    this.points = [];
    for (let i = 0; i < this.bound; i++) this.points.push(this.prng.below(this.maxSteps));
  }

  pick(ids: Int32Array, n: number, step: number): number {
    // lkmm: a load's choice of an older write (READ_BASE ids, listed last) is not a context;
    // it is taken as often as a uniform random walk would take it (reads in n candidates).
    let reads = 0;
    while (reads < n && isReadChoice(ids[n - 1 - reads]!)) reads++;
    const m = n - reads;
    if (reads > 0) {
      const r = this.prng.below(n);
      if (r >= m) return r;
    }
    let pi = -1;
    for (let i = 0; i < m; i++) {
      if (ids[i] === this.prev) {
        pi = i;
        break;
      }
    }
    let idx: number;
    if (pi < 0) idx = m === 1 ? 0 : this.prng.below(m);
    else if (m > 1 && this.points.includes(step)) {
      // A preemption: any other candidate, uniformly.
      idx = this.prng.below(m - 1);
      if (idx >= pi) idx++;
    } else idx = pi;
    this.prev = ids[idx]!;
    return idx;
  }

  end(steps: number): void {
    if (steps > this.maxSteps) this.maxSteps = steps;
  }
}
