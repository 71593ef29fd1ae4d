/**
 * simulate() and replay(): one execution of a scenario on a variant, from a seed (and an
 * optional schedule), returning violations, the schedule, the trace hash and the syscall
 * results. Same inputs, same result, byte for byte, in any process.
 */
import { configName, resolveVariant, type Variant } from '../eventpoll/variant.ts';
import { buildMachine, type SyscallResult } from '../scenario/build.ts';
import { resolveScenario } from '../scenario/library.ts';
import type { Scenario } from '../scenario/types.ts';
import { quote, SimUsageError } from '../sim/errors.ts';
import type { Limits } from '../sim/limits.ts';
import type { MemoryMode } from '../sim/memory.ts';
import { encodeSchedule } from '../sim/schedule.ts';
import type { Scheduler } from '../sim/scheduler.ts';
import { ChoicesScheduler } from '../sim/schedulers/choices.ts';
import { makeScheduler } from '../sim/schedulers/index.ts';
import { ReplayScheduler } from '../sim/schedulers/replay.ts';
import type { TraceEvent } from '../sim/trace.ts';
import type { Violation } from '../sim/violation.ts';
import { HistoryRecorder, type StateHistory } from '../view/history.ts';
import {
  boolArg, bugsArg, checkersArg, choicesArg, limitsArg, memoryArg, optionsArg, scenarioArg,
  schedulerArg, seedArg, strategyArg, stringArg, variantArg,
} from './options.ts';

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** A variant name, `name+BUG+...`, or a Variant object. */
  variant: string | Variant;
  /** Extra bug switches. */
  bugs?: readonly string[];
  /** A scenario object, a library name, or `gen:SEED` for a generated one. */
  scenario: Scenario | string;
  /** The execution's seed (default 0). */
  seed?: number;
  /** `random` (default), `pct` or `pct:DEPTH`. */
  strategy?: string;
  /** Replay exactly this encoded schedule (divergence is an error). */
  schedule?: string;
  /** Force this schedule prefix, then continue with the strategy. */
  prefix?: string;
  /** Choices for the fast-check scheduler (`choice % candidates` per real choice). */
  choices?: readonly number[];
  /** Override the scenario's memory model. */
  memory?: MemoryMode;
  /** Keep the full trace (default false: only the hash). */
  trace?: boolean;
  limits?: Partial<Limits>;
  /**
   * Property observers to run (default all: P1, P2, P3, P5 (spurious queueing), P6; P4, the
   * rest of P5 and P7 are built in).
   */
  checkers?: readonly string[];
  /** How the replay command names the scenario (e.g. its JSON file), if not by name. */
  scenarioRef?: string;
  /** A scheduler instance to use instead of `strategy` (advanced: custom searches). */
  scheduler?: Scheduler;
  /**
   * Record the kernel state history as immer patches (for the failure viewer; default
   * false). Slow; the run itself (steps, schedule, hash) is the same either way.
   */
  history?: boolean;
}

/** The outcome of {@link simulate}: plain data, safe to serialise. */
export interface SimulateResult {
  variant: string;
  scenario: string;
  seed: number;
  strategy: string;
  memory: MemoryMode;
  status: 'done' | 'quiescent' | 'violation';
  violations: Violation[];
  steps: number;
  /** The schedule as compact text (see schedule.ts). */
  schedule: string;
  hash: string;
  /** Virtual time at the end, in ns. */
  time: number;
  results: SyscallResult[];
  trace?: TraceEvent[];
  /** The state history, with `history: true` (see view/history.ts). */
  history?: StateHistory;
  /** The shell command that replays this run. */
  replay: string;
}

/** A failing run, as plain data: everything needed to replay it. */
export interface Failure {
  variant: string;
  scenario: Scenario | string;
  seed: number;
  memory: MemoryMode;
  schedule: string;
  hash: string;
  violation: Violation;
  /**
   * The strategy that found it, where the campaign's strategy does not say: `dpor` for the
   * portfolio's reduced search (replay it from `schedule`; `seed` is then 0).
   */
  strategy?: string;
}

function scheduler(o: SimulateOptions, memory: MemoryMode): { sched: Scheduler; name: string } {
  if (o.scheduler !== undefined) return { sched: o.scheduler, name: o.scheduler.name };
  if (o.schedule !== undefined) return { sched: new ReplayScheduler(o.schedule), name: 'replay' };
  if (o.choices !== undefined) return { sched: new ChoicesScheduler(o.choices), name: 'choices' };
  const base = makeScheduler(o.strategy ?? 'random', memory);
  if (o.prefix !== undefined) {
    return { sched: new ReplayScheduler(o.prefix, base), name: `${base.name}+prefix` };
  }
  return { sched: base, name: o.strategy ?? 'random' };
}

/**
 * How a replay command starts: the installed CLI, run through npx so that the line works as
 * printed in a project that has eventpoll-sim as a dependency. (The CLI rewrites it for a
 * process that preloaded a user's variant with `node --import`.)
 */
export const REPLAY_COMMAND = 'npx eventpoll-sim replay';

/** Quotes a word for a POSIX shell when it needs it. */
function sh(s: string): string {
  return /^[A-Za-z0-9_.:+\-/=]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that runs an execution again from its seed (`npx eventpoll-sim run ...`), for
 * a run that has no schedule to replay (one stopped by a limit); `scenarioRef` names a
 * scenario object as in {@link SimulateOptions}.
 */
export function rerunCommand(o: Pick<SimulateOptions, 'variant' | 'bugs' | 'scenario' | 'seed' |
  'strategy' | 'memory' | 'scenarioRef'>): string {
  const strategy = o.strategy !== undefined && o.strategy !== 'random'
    ? ` --strategy ${sh(o.strategy)}` : '';
  return commandFor('run', o, ` --seed ${o.seed ?? 0}${strategy}`);
}

/**
 * The command that runs a `verify` search again (the portfolio's reduced-search share, when
 * an execution of it went over a limit), within `maxExecutions`.
 */
export function reverifyCommand(o: Pick<SimulateOptions, 'variant' | 'bugs' | 'scenario' |
  'memory' | 'scenarioRef'>, maxExecutions: number): string {
  return commandFor('verify', o, ` --max-executions ${maxExecutions}`);
}

/** `npx eventpoll-sim SUB --variant V --scenario S` + `rest`, and --memory if not the own. */
function commandFor(sub: string, o: Pick<SimulateOptions, 'variant' | 'bugs' | 'scenario' |
  'memory' | 'scenarioRef'>, rest: string): string {
  const vname = configName(resolveVariant(o.variant, o.bugs));
  const scen = o.scenarioRef ?? (typeof o.scenario === 'string' ? o.scenario : '<scenario.json>');
  const own = resolveScenario(o.scenario).scenario.memory ?? 'sc';
  return `${REPLAY_COMMAND.replace(/ replay$/, ` ${sub}`)} --variant ${sh(vname)} ` +
    `--scenario ${sh(scen)}${rest}` +
    `${o.memory !== undefined && o.memory !== own ? ` --memory ${o.memory}` : ''}`;
}

/** Checks simulate()'s options (see options.ts); `fn` names the caller in messages. */
export function checkSimulateOptions(o: unknown, fn = 'simulate'): SimulateOptions {
  const x = optionsArg(o, fn);
  variantArg(x.variant, `${fn}: variant`);
  bugsArg(x.bugs, `${fn}: bugs`);
  scenarioArg(x.scenario, `${fn}: scenario`);
  seedArg(x.seed, `${fn}: seed`);
  strategyArg(x.strategy, `${fn}: strategy`);
  stringArg(x.schedule, `${fn}: schedule`);
  stringArg(x.prefix, `${fn}: prefix`);
  choicesArg(x.choices, `${fn}: choices`);
  memoryArg(x.memory, `${fn}: memory`);
  boolArg(x.trace, `${fn}: trace`);
  boolArg(x.history, `${fn}: history`);
  limitsArg(x.limits, `${fn}: limits`);
  checkersArg(x.checkers, `${fn}: checkers`);
  stringArg(x.scenarioRef, `${fn}: scenarioRef`);
  schedulerArg(x.scheduler, `${fn}: scheduler`);
  return x as unknown as SimulateOptions;
}

/** Runs one execution. */
export function simulate(o: SimulateOptions): SimulateResult {
  checkSimulateOptions(o);
  const seed = o.seed ?? 0;
  const cfg = resolveVariant(o.variant, o.bugs);
  const { scenario, name } = resolveScenario(o.scenario);
  const memory = o.memory ?? scenario.memory ?? 'sc';
  const { sched, name: strategy } = scheduler(o, memory);
  const built = buildMachine(scenario, {
    cfg, seed, memory, trace: o.trace ?? false,
    ...(o.limits ? { limits: o.limits } : {}), ...(o.checkers ? { checkers: o.checkers } : {}),
  });
  const rec = o.history ? new HistoryRecorder() : undefined;
  if (rec) {
    rec.begin(built.machine);
    built.machine.addObserver(rec);
  }
  const out = built.machine.run(sched);
  if (sched instanceof ReplayScheduler && o.schedule !== undefined && sched.remaining > 0) {
    throw new SimUsageError('E_REPLAY_DIVERGED', `replay diverged: the run ended after ` +
      `${out.steps} steps with ${sched.remaining} recorded choices left`);
  }
  const schedule = encodeSchedule(out.schedule);
  const vname = configName(cfg);
  const scen = o.scenarioRef ?? (typeof o.scenario === 'string' ? o.scenario : '<scenario.json>');
  const result: SimulateResult = {
    variant: vname, scenario: name, seed, strategy, memory, status: out.status,
    violations: out.violations, steps: out.steps, schedule, hash: out.hash, time: out.time,
    results: built.results,
    replay: `${REPLAY_COMMAND} --variant ${sh(vname)} --scenario ${sh(scen)} ` +
      `--seed ${seed}${memory !== (scenario.memory ?? 'sc') ? ` --memory ${memory}` : ''} ` +
      `--schedule ${sh(schedule)}`,
  };
  if (out.trace) result.trace = out.trace;
  if (rec) result.history = rec.finish(built.machine);
  return result;
}

/** Replays a failure (or any recorded run) with the full trace. */
export function replay(f: Omit<Failure, 'violation' | 'hash'> & { hash?: string }):
SimulateResult {
  const x = optionsArg(f, 'replay');
  if (typeof x.schedule !== 'string') {
    throw new SimUsageError('E_BAD_ARGUMENT', `replay: schedule: expected a string, got ` +
      quote(x.schedule));
  }
  stringArg(x.hash, 'replay: hash');
  const opts: SimulateOptions = { variant: f.variant, scenario: f.scenario, seed: f.seed,
    memory: f.memory, schedule: f.schedule, trace: true };
  const r = simulate(checkSimulateOptions(opts, 'replay'));
  if (f.hash !== undefined && r.hash !== f.hash) {
    throw new SimUsageError('E_REPLAY_DIVERGED', `replay diverged: trace hash ${r.hash} ` +
      `differs from the recorded ${quote(f.hash)}`);
  }
  return r;
}

/** The failure record of a violating result. */
export function failureOf(r: SimulateResult, scenario: Scenario | string): Failure | undefined {
  const v = r.violations[0];
  if (!v) return undefined;
  return { variant: r.variant, scenario, seed: r.seed, memory: r.memory,
    schedule: r.schedule, hash: r.hash, violation: v };
}
