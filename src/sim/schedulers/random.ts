/** Uniform random choice among the candidates of each step (Shuttle's RandomScheduler). */
import { Prng } from '../prng.ts';
import type { Scheduler } from '../scheduler.ts';

/** Picks uniformly at random; the execution's seed fully determines its choices. */
export class RandomScheduler implements Scheduler {
  readonly name = 'random';
  private prng = new Prng(0);

  begin(seed: number): void {
    this.prng = new Prng(seed);
  }

  pick(_ids: Int32Array, n: number): number {
    return n === 1 ? 0 : this.prng.below(n);
  }
}
