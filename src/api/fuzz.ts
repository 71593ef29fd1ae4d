/**
 * fuzz(): many executions over scenarios and seeds, collecting the first failure of each
 * scenario. Execution i of a scenario uses seed `seed + i`, so any failure replays from its
 * own seed alone. No clock is read here: callers that want speed figures time the call.
 */
import type { Variant } from '../eventpoll/variant.ts';
import { resolveScenario } from '../scenario/library.ts';
import type { Scenario } from '../scenario/types.ts';
import type { MemoryMode } from '../sim/memory.ts';
import { failureOf, simulate, type Failure, type SimulateResult } from './simulate.ts';

/** Options of {@link fuzz}. */
export interface FuzzOptions {
  variant: string | Variant;
  bugs?: readonly string[];
  /** Scenarios (objects, library names or `gen:SEED`). */
  scenarios: readonly (Scenario | string)[];
  /** Executions per scenario. */
  schedules: number;
  /** First seed (default 0). */
  seed?: number;
  strategy?: string;
  memory?: MemoryMode;
  /** Stop a scenario at its first failure (default true). */
  stopAtFirst?: boolean;
  /** Called after each execution with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** How replay commands name scenario objects (e.g. the JSON file they came from). */
  refs?: ReadonlyMap<Scenario, string>;
}

/** Per-scenario outcome. */
export interface ScenarioSummary {
  scenario: string;
  schedules: number;
  steps: number;
  violations: number;
  /** The first failure, if any. */
  failure?: Failure;
  /** Its replay command. */
  replay?: string;
  /** Schedules run before the first failure (1-based), if any. */
  firstAt?: number;
}

/** The outcome of {@link fuzz}. */
export interface FuzzSummary {
  variant: string;
  schedules: number;
  steps: number;
  violations: number;
  scenarios: ScenarioSummary[];
}

/** Runs the campaign. */
export function fuzz(o: FuzzOptions): FuzzSummary {
  const seed0 = o.seed ?? 0;
  const total = o.scenarios.length * o.schedules;
  const stop = o.stopAtFirst ?? true;
  const sum: FuzzSummary = { variant: '', schedules: 0, steps: 0, violations: 0, scenarios: [] };
  let done = 0;
  for (const sc of o.scenarios) {
    const { scenario, name } = resolveScenario(sc);
    const s: ScenarioSummary = { scenario: name, schedules: 0, steps: 0, violations: 0 };
    sum.scenarios.push(s);
    for (let i = 0; i < o.schedules; i++) {
      const r: SimulateResult = simulate({
        variant: o.variant, ...(o.bugs ? { bugs: o.bugs } : {}),
        scenario: typeof sc === 'string' ? sc : scenario, seed: (seed0 + i) >>> 0,
        ...(o.strategy ? { strategy: o.strategy } : {}), ...(o.memory ? { memory: o.memory } : {}),
        ...(typeof sc !== 'string' && o.refs?.has(sc) ? { scenarioRef: o.refs.get(sc)! } : {}),
      });
      sum.variant = r.variant;
      s.schedules++;
      s.steps += r.steps;
      done++;
      if (r.violations.length > 0) {
        s.violations++;
        if (!s.failure) {
          s.failure = failureOf(r, sc)!;
          s.replay = r.replay;
          s.firstAt = i + 1;
        }
      }
      o.onProgress?.(done, total);
      if (s.failure && stop) {
        done += o.schedules - i - 1;
        break;
      }
    }
    sum.schedules += s.schedules;
    sum.steps += s.steps;
    sum.violations += s.violations;
  }
  return sum;
}
