/**
 * Bounded exhaustive search by preemption bounding (Musuvathi and Qadeer, "Iterative
 * context bounding for systematic testing of multithreaded programs", PLDI 2007): explore
 * every execution that needs at most `bound` preemptions, depth first, by re-execution.
 *
 * A preemption is choosing something other than the context that ran at the previous step
 * while that context could still run; a switch after it blocked or finished is free. The
 * candidates of each step are ranked: the previous context first (no preemption), then the
 * others in offer order. An execution is its list of ranks; after the forced prefix every
 * step takes rank 0. No state is stored between executions, and no PRNG is used, so the
 * search is fully deterministic. (No partial-order reduction yet: each step records the
 * object it touched, which is what a DPOR extension will need.)
 */
import type { Scheduler } from '../scheduler.ts';

/** One step of an execution, as the search needs it. */
interface Step {
  n: number;
  rank: number;
  /** The previous context could not run, so any choice is free. */
  free: boolean;
}

/** Replays a rank prefix, then runs without preemptions; records the trail. */
export class BoundedScheduler implements Scheduler {
  readonly name = 'bounded';
  private prefix: readonly number[] = [];
  private trail: Step[] = [];
  private prev = -1;

  /** Sets the rank prefix of the next execution. */
  setPrefix(prefix: readonly number[]): void {
    this.prefix = prefix;
  }

  begin(): void {
    this.trail = [];
    this.prev = -1;
  }

  pick(ids: Int32Array, n: number, step: number): number {
    let pi = -1;
    for (let i = 0; i < n; i++) {
      if (ids[i] === this.prev) {
        pi = i;
        break;
      }
    }
    const rank = step < this.prefix.length ? Math.min(this.prefix[step]!, n - 1) : 0;
    let idx = rank;
    if (pi >= 0) idx = rank === 0 ? pi : rank <= pi ? rank - 1 : rank;
    this.trail.push({ n, rank, free: pi < 0 });
    this.prev = ids[idx]!;
    return idx;
  }

  /**
   * The rank prefix of the next execution within `bound` preemptions, or undefined when the
   * search is complete: the deepest step with an untried alternative that fits the bound.
   */
  next(bound: number): number[] | undefined {
    const t = this.trail;
    const used: number[] = [];
    let sum = 0;
    for (const s of t) {
      used.push(sum);
      if (!s.free && s.rank > 0) sum++;
    }
    for (let i = t.length - 1; i >= 0; i--) {
      const s = t[i]!;
      const r = s.rank + 1;
      if (r >= s.n) continue;
      const cost = s.free ? 0 : 1;
      if (used[i]! + cost > bound) continue;
      const prefix = t.slice(0, i).map((x) => x.rank);
      prefix.push(r);
      return prefix;
    }
    return undefined;
  }
}
