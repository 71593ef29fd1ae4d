/**
 * Limits on a run. Everything has one (TigerStyle); going over it is a
 * {@link LimitExceededError} with the seed, the step and the likely cause.
 */

/** Limits of one execution. */
export interface Limits {
  /** Maximum scheduling steps (default 20,000). */
  stepsMax: number;
  /** Maximum CPUs (default 64). */
  cpusMax: number;
  /** Maximum contexts created, tasks plus IRQ handlers (default 10,000). */
  contextsMax: number;
  /**
   * Maximum times a waiting writer may be passed by readers that take the lock after it
   * started waiting, before the run reports starvation (P7, default 32).
   */
  bypassMax: number;
}

/** The defaults. */
export const DEFAULT_LIMITS: Limits = {
  stepsMax: 20_000,
  cpusMax: 64,
  contextsMax: 10_000,
  bypassMax: 32,
};
