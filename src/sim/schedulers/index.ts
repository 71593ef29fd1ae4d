/** Builds a scheduler from its command-line name. */
import { quote, SimUsageError } from '../errors.ts';
import type { MemoryMode } from '../memory.ts';
import type { Scheduler } from '../scheduler.ts';
import { PctScheduler } from './pct.ts';
import { PortfolioScheduler } from './portfolio.ts';
import { PreemptScheduler } from './preempt.ts';
import { RandomScheduler } from './random.ts';

/** Names accepted by {@link makeScheduler} (besides `pct:D` and `preempt:K`). */
export const STRATEGIES = ['random', 'pct', 'preempt', 'portfolio'] as const;
/** A seed-driven strategy name. */
export type StrategyName = (typeof STRATEGIES)[number];

/** How the strategy names are listed in errors and help. */
export const STRATEGY_NAMES = 'portfolio, random, pct, pct:DEPTH, preempt:K';

/**
 * A seed-driven strategy by name: `random`, `pct` or `pct:D` (depth D), `preempt:K` (random
 * schedules with at most K preemptions, default 2), `portfolio` (one of several strategies
 * chosen by the seed, see portfolio.ts; its table depends on the run's `memory` mode).
 * Replay and choices schedulers are built from data, not names.
 */
export function makeScheduler(name: string, memory?: MemoryMode): Scheduler {
  if (name === 'random') return new RandomScheduler();
  if (name === 'portfolio') return new PortfolioScheduler((n) => makeScheduler(n), memory);
  const m = typeof name === 'string' ? /^(pct|preempt)(?::([0-9]{1,2}))?$/.exec(name) : null;
  if (m?.[1] === 'pct') {
    return new PctScheduler(m[2] === undefined ? 3 : Math.max(1, Number(m[2])));
  }
  if (m?.[1] === 'preempt') return new PreemptScheduler(m[2] === undefined ? 2 : Number(m[2]));
  throw new SimUsageError('E_BAD_STRATEGY',
    `unknown scheduler ${quote(name)}: expected one of ${STRATEGY_NAMES}`);
}
