/**
 * eventpoll-sim: the public API. Re-exports only; no logic lives here.
 *
 * @packageDocumentation
 */
import './eventpoll/variants.ts';

export { simulate, replay, failureOf } from './api/simulate.ts';
export type { SimulateOptions, SimulateResult, Failure } from './api/simulate.ts';
export { fuzz, mergeChunks, planChunks, runChunk } from './api/fuzz.ts';
export { explore, PREEMPTIONS_MAX } from './api/explore.ts';
export type { ExploreOptions, ExploreResult } from './api/explore.ts';
export { outcomeOf, verify } from './api/verify.ts';
export type { VerifyOptions, VerifyResult } from './api/verify.ts';
export type {
  ChunkResult, FuzzChunk, FuzzOptions, FuzzSummary, FuzzTally, LimitHit, ScenarioSummary,
} from './api/fuzz.ts';
export { scenarioArb, scheduleArb } from './api/arbitraries.ts';
export type { ScenarioArbOptions } from './api/arbitraries.ts';
export { assertNoViolation, checkNoViolation } from './api/check.ts';
export type { CheckOptions, CheckOutcome } from './api/check.ts';
export { differential } from './api/differential.ts';
export type {
  Alignment, DifferentialOptions, DifferentialResult, Difference, Observation, Severity,
} from './api/differential.ts';
export { firstFailure, familySeed, FAMILY_STRIDE } from './zoo/search.ts';
export type { Finding, FirstFailureOptions } from './zoo/search.ts';
export { shrinkSchedule } from './zoo/shrink.ts';

// The failure viewer: the state history of a run (simulate({ history: true })) and the pages
// and traces the CLI's `view` writes (docs/viewer.md).
export { stateAt, applyHistory } from './view/history.ts';
export type { StateHistory } from './view/history.ts';
export type {
  KernelSnapshot, SnapContext, SnapCpu, SnapEpitem, SnapEventpoll, SnapList, SnapLock,
  SnapObject, SnapWaitQueue,
} from './view/snapshot.ts';
export { viewRun, viewerData } from './view/data.ts';
export type { ViewerData } from './view/data.ts';
export { renderViewerPage } from './view/page.ts';
export { perfettoTrace } from './view/perfetto.ts';
export type { TraceEventJson, TraceFile } from './view/perfetto.ts';
export { ftraceText } from './view/ftrace.ts';
export { diffViewData } from './view/diff.ts';
export type { DiffSide, DiffViewData, MacroStep } from './view/diff.ts';
export { renderDiffPage } from './view/diff-page.ts';
export type { ShrinkInput, ShrinkResult } from './zoo/shrink.ts';

export { LIBRARY, resolveScenario, scenarioNames } from './scenario/library.ts';
export { randomScenario } from './scenario/random.ts';
export {
  validateScenario, ScenarioError, SCENARIO_DEPTH_MAX, SCENARIO_STRING_MAX, SCENARIO_VALUES_MAX,
} from './scenario/validate.ts';
export type * from './scenario/types.ts';

export {
  defineVariant, getVariant, registerVariant, resolveVariant, variantNames, FAULTS,
} from './eventpoll/variant.ts';
export type {
  BugSwitch, EpOps, KnownViolation, Variant, VariantConfig, VariantDefinition,
} from './eventpoll/variant.ts';
export { kernel } from './eventpoll/kernel.ts';

export { Machine } from './sim/machine.ts';
export type { MachineOptions, Observer, RunOutcome, TaskSpec as MachineTask } from
  './sim/machine.ts';
export {
  encodeSchedule, decodeSchedule, SCHEDULE_CHOICES_MAX, SCHEDULE_TEXT_MAX,
} from './sim/schedule.ts';
export { renderTrace, renderColumns } from './sim/trace.ts';
export type { TraceEvent } from './sim/trace.ts';
export type { Violation, PropertyId } from './sim/violation.ts';
export { SimError, SimUsageError, ReplayDivergenceError, LimitExceededError, parseSeed }
  from './sim/errors.ts';
export * as mem from './sim/mem.ts';
