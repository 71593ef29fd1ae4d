/** Builds a scheduler from its command-line name. */
import { quote, SimUsageError } from '../errors.ts';
import type { Scheduler } from '../scheduler.ts';
import { PctScheduler } from './pct.ts';
import { RandomScheduler } from './random.ts';

/** Names accepted by {@link makeScheduler}. */
export const STRATEGIES = ['random', 'pct'] as const;
/** A seed-driven strategy name. */
export type StrategyName = (typeof STRATEGIES)[number];

/**
 * A seed-driven strategy by name: `random`, `pct` or `pct:D` (depth D).
 * Replay and choices schedulers are built from data, not names.
 */
export function makeScheduler(name: string): Scheduler {
  if (name === 'random') return new RandomScheduler();
  const m = typeof name === 'string' ? /^pct(?::([0-9]{1,2}))?$/.exec(name) : null;
  if (m) return new PctScheduler(m[1] === undefined ? 3 : Math.max(1, Number(m[1])));
  throw new SimUsageError('E_BAD_STRATEGY',
    `unknown scheduler ${quote(name)}: expected one of random, pct, pct:DEPTH`);
}
