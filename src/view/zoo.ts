/**
 * A zoo entry's failure, shrunk, for the viewer: the first failure of the zoo's default
 * strategy in seed family 0 that violates the entry's property, shrunk to few context
 * switches (zoo/shrink.ts), as the options that replay it. Deterministic: the same entry
 * gives the same run on every machine.
 */
import type { SimulateOptions } from '../api/simulate.ts';
import { SimUsageError } from '../sim/errors.ts';
import { zooEntry, ZOO } from '../zoo/entries.ts';
import { entryStrategy } from '../zoo/run.ts';
import { expected, runExecution } from '../zoo/search.ts';
import { shrinkSchedule } from '../zoo/shrink.ts';

/** The replay options of entry `id`'s shrunk failure, and its steps before and after. */
export function zooShrunkFailure(id: string, shrinkRuns = 300):
{ options: SimulateOptions; originalSteps: number; steps: number } {
  const e = zooEntry(id);
  if (e === undefined) {
    throw new SimUsageError('E_USAGE', `no zoo entry '${id.slice(0, 40)}' (expected one of ` +
      `${ZOO.map((z) => z.id).join(', ')})`);
  }
  for (let i = 0; i < e.budget; i++) {
    const f = runExecution(e.bug, e.scenarios, entryStrategy(e), 0, i);
    if (f === undefined || !expected(e, f)) continue;
    const s = shrinkSchedule({ variant: e.bug, scenario: f.scenario, seed: f.seed,
      schedule: f.schedule, property: f.property, kind: f.kind, maxRuns: shrinkRuns });
    return {
      options: { variant: e.bug, scenario: f.scenario, scenarioRef: f.scenario.name,
        seed: f.seed, schedule: s.schedule },
      originalSteps: f.steps, steps: s.steps,
    };
  }
  throw new SimUsageError('E_USAGE', `zoo entry ${e.id}: no failure within ${e.budget} ` +
    'schedules of seed family 0');
}
