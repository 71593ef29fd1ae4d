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
import { simulate, type SimulateResult } from './simulate.ts';

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
}

/** The outcome of {@link explore}. */
export interface ExploreResult {
  executions: number;
  steps: number;
  /** True when every execution within the bound was run. */
  complete: boolean;
  preemptions: number;
  failure?: SimulateResult;
}

/** Runs the bounded search. */
export function explore(o: ExploreOptions): ExploreResult {
  const bound = o.preemptions ?? 2;
  const max = o.maxExecutions ?? 100_000;
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
  }
  return { executions, steps, complete: prefix === undefined, preemptions: bound };
}
