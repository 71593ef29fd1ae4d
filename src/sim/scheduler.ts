/**
 * The scheduler interface: the strategy that chooses, kept apart from the machine that runs
 * (loom's Execution vs Path, Shuttle's runtime vs scheduler). Strategies live one per file
 * in `schedulers/`. The machine offers the candidates of each step as stable choice ids
 * (see schedule.ts) and records what was picked.
 */

/** A scheduling strategy. One instance may serve many executions (see `begin`). */
export interface Scheduler {
  /** The strategy's name as given on the command line. */
  readonly name: string;
  /** Starts a new execution with its own seed. */
  begin(seed: number): void;
  /**
   * Picks one of the `n` candidates `ids[0..n)` for step `step`; returns its index.
   * Called for every step, also when `n` is 1, so strategies can count steps.
   */
  pick(ids: Int32Array, n: number, step: number): number;
  /** Called when an execution ends, with the number of steps it took. */
  end?(steps: number): void;
}
