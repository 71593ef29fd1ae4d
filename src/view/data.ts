/**
 * What the failure viewer page embeds: the run (variant, scenario, seed, schedule, replay
 * command), its violation, its trace, its state history as immer patches, and the timeline
 * computed from them. Plain JSON. {@link viewRun} runs a failure again with the trace and
 * the history on; {@link viewerData} takes a result that already has both.
 */
import { simulate, type SimulateOptions, type SimulateResult } from '../api/simulate.ts';
import { SimUsageError } from '../sim/errors.ts';
import type { TraceEvent } from '../sim/trace.ts';
import type { Violation } from '../sim/violation.ts';
import type { StateHistory } from './history.ts';
import { buildTimeline, type Timeline } from './timeline.ts';

/** The page's data. */
export interface ViewerData {
  format: 'eventpoll-sim-view/1';
  title: string;
  run: {
    variant: string; scenario: string; seed: number; memory: string; strategy: string;
    status: string; steps: number; hash: string; schedule: string; replay: string;
    time: number;
  };
  ncpu: number;
  violation: Violation | null;
  trace: TraceEvent[];
  history: StateHistory;
  timeline: Timeline;
}

/** The viewer data of a result run with `trace: true, history: true`. */
export function viewerData(r: SimulateResult, ncpu: number, title?: string): ViewerData {
  if (!r.trace || !r.history) {
    throw new SimUsageError('E_USAGE', 'viewerData: the run needs trace: true and history: true');
  }
  const v = r.violations[0];
  return {
    format: 'eventpoll-sim-view/1',
    title: title ?? `${r.variant} / ${r.scenario} / seed ${r.seed}` +
      (v ? `: ${v.property} (${v.kind})` : ': clean'),
    run: { variant: r.variant, scenario: r.scenario, seed: r.seed, memory: r.memory,
      strategy: r.strategy, status: r.status, steps: r.steps, hash: r.hash,
      schedule: r.schedule, replay: r.replay, time: r.time },
    ncpu,
    violation: v ?? null,
    trace: r.trace,
    history: r.history,
    timeline: buildTimeline(r.trace, r.history, ncpu, r.steps, v),
  };
}

/**
 * Runs `o` with the trace and the state history and returns the viewer data and the run.
 * Give a `schedule` to view a recorded failure exactly.
 */
export function viewRun(o: SimulateOptions, title?: string):
{ data: ViewerData; result: SimulateResult } {
  const result = simulate({ ...o, trace: true, history: true });
  const ncpu = result.history!.initial.cpus.length;
  return { data: viewerData(result, ncpu, title), result };
}
