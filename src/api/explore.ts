/**
 * explore(): bounded exhaustive search. Every execution of a scenario that needs at most
 * `preemptions` preemptions is run (depth first, by re-execution), up to an execution
 * budget. A complete search is evidence that no violation exists within that bound; the
 * first failure is returned with its replayable schedule otherwise.
 */
import type { Variant } from '../eventpoll/variant.ts';
import type { Scenario } from '../scenario/types.ts';
import type { MemoryMode } from '../sim/memory.ts';
import { BoundedScheduler } from '../sim/schedulers/bounded.ts';
import { intArg } from '../sim/errors.ts';
import {
  bugsArg, functionArg, memoryArg, optionsArg, scenarioArg, variantArg,
} from './options.ts';
import { simulate, type SimulateResult } from './simulate.ts';

/** The largest preemption bound explore() takes (a bound of 6 is already out of reach). */
export const PREEMPTIONS_MAX = 64;

/** Options of {@link explore}. */
export interface ExploreOptions {
  variant: string | Variant;
  bugs?: readonly string[];
  scenario: Scenario | string;
  /** The preemption bound (default 2). */
  preemptions?: number;
  /** Stop after this many executions (default 100,000). */
  maxExecutions?: number;
  memory?: MemoryMode;
  /** Called after each execution with the count so far. */
  onProgress?: (executions: number) => void;
  /**
   * Asked before each execution after the first: true ends the search there (the result
   * says `stopped`). The CLI's --time-limit; the library itself reads no clock.
   */
  shouldStop?: () => boolean;
}

/** The outcome of {@link explore}. */
export interface ExploreResult {
  executions: number;
  steps: number;
  /** True when every execution within the bound was run. */
  complete: boolean;
  /** True when `shouldStop` ended the search before it was complete. */
  stopped?: boolean;
  preemptions: number;
  failure?: SimulateResult;
}

/** Runs the bounded search. */
export function explore(o: ExploreOptions): ExploreResult {
  const x = optionsArg(o, 'explore');
  variantArg(x.variant, 'explore: variant');
  bugsArg(x.bugs, 'explore: bugs');
  scenarioArg(x.scenario, 'explore: scenario');
  memoryArg(x.memory, 'explore: memory');
  functionArg(x.onProgress, 'explore: onProgress');
  functionArg(x.shouldStop, 'explore: shouldStop');
  const bound = intArg(o.preemptions ?? 2, 'explore: preemptions', 0, PREEMPTIONS_MAX);
  const max = intArg(o.maxExecutions ?? 100_000, 'explore: maxExecutions', 1, 1_000_000_000);
  const sched = new BoundedScheduler();
  let prefix: number[] | undefined = [];
  let executions = 0;
  let steps = 0;
  while (prefix !== undefined && executions < max) {
    sched.setPrefix(prefix);
    const r = simulate({ variant: o.variant, ...(o.bugs ? { bugs: o.bugs } : {}),
      scenario: o.scenario, scheduler: sched, ...(o.memory ? { memory: o.memory } : {}) });
    executions++;
    steps += r.steps;
    o.onProgress?.(executions);
    if (r.violations.length > 0) {
      const traced = simulate({ variant: o.variant, ...(o.bugs ? { bugs: o.bugs } : {}),
        scenario: o.scenario, schedule: r.schedule, trace: true,
        ...(o.memory ? { memory: o.memory } : {}) });
      return { executions, steps, complete: false, preemptions: bound, failure: traced };
    }
    prefix = sched.next(bound);
    if (prefix !== undefined && executions < max && o.shouldStop?.()) {
      return { executions, steps, complete: false, stopped: true, preemptions: bound };
    }
  }
  return { executions, steps, complete: prefix === undefined, preemptions: bound };
}
