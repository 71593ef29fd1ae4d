/** `run` and `replay`: one execution, described for a human or as JSON. */
import { MEMORY_MODES, type MemoryMode } from '../../sim/memory.ts';
import { REPLAY_COMMAND, simulate, type SimulateResult } from '../../api/simulate.ts';
import type { Scenario } from '../../scenario/types.ts';
import { validateScenario } from '../../scenario/validate.ts';
import { LimitExceededError, quote, SimUsageError } from '../../sim/errors.ts';
import { intOpt, parse } from '../args.ts';
import { describeRun } from '../report.ts';
import { cliReplay } from '../replay-line.ts';
import { writeViewHtml } from './view.ts';
import {
  COMMON, memoryArg, noPositionals, readInputFile, required, scenarioArg, seedArg, strategyArg,
} from './common.ts';

const RUN_HELP = `usage: eventpoll-sim run --variant V --scenario S [--seed N]
       [--strategy random|pct]
       [--memory sc|tso|lkmm] [--prefix SCHEDULE] [--trace] [--lines] [--tail N] [--json]
       [--html FILE]
Runs one execution. Prints the violation (if any), the interleaving (with --trace, or
always on a violation) and the replay command. Exit 1 if a property was violated or the
run went over a limit (the step limit: a livelock or an endless loop).`;

const REPLAY_HELP = `usage: eventpoll-sim replay --variant V --scenario S --seed N --schedule STR
       [--memory sc|tso|lkmm] [--lines] [--tail N] [--json] [--html FILE]
   or: eventpoll-sim replay FAILURE.json [--lines] [--tail N] [--json] [--html FILE]
Re-runs a recorded schedule exactly and prints the whole interleaving per CPU.
FAILURE.json is a file written by 'fuzz --save-failures DIR' (or any JSON object with
variant, scenario, seed, schedule and optionally memory).`;

const OPTS = {
  ...COMMON,
  prefix: { type: 'string' },
  schedule: { type: 'string' },
  trace: { type: 'boolean' },
  lines: { type: 'boolean' },
  tail: { type: 'string' },
  html: { type: 'string' },
} as const;

function print(r0: SimulateResult, json: boolean, showTrace: boolean, lines: boolean,
  tail: number | undefined): number {
  const r = { ...r0, replay: cliReplay(r0.replay) };
  if (json) {
    console.log(JSON.stringify(r, null, 1));
  } else {
    const shown = showTrace ? r : { ...r, trace: undefined };
    console.log(describeRun(shown as SimulateResult, {
      columns: !lines, ...(tail !== undefined ? { tail } : {}),
    }));
  }
  return r.violations.length > 0 ? 1 : 0;
}

/** `run`. */
export function cmdRun(argv: string[]): number {
  const { values: v, positionals } = parse(argv, OPTS);
  if (v.help) {
    console.log(RUN_HELP);
    return 0;
  }
  noPositionals('run', positionals);
  const scen = (v.scenario as string[] | undefined) ?? [];
  if (scen.length !== 1) throw new SimUsageError('E_USAGE', 'run takes exactly one --scenario');
  const { scenario, ref } = scenarioArg(scen[0]!);
  const memory = memoryArg(v.memory);
  const base = {
    variant: required(v.variant, 'variant'), scenario, scenarioRef: ref, seed: seedArg(v.seed),
    ...(v.strategy !== undefined ? { strategy: strategyArg(v.strategy)! } : {}),
    ...(memory ? { memory } : {}), ...(v.prefix ? { prefix: String(v.prefix) } : {}),
  };
  let r: SimulateResult;
  try {
    r = simulate({ ...base, trace: !!v.trace });
  } catch (e) {
    if (!(e instanceof LimitExceededError)) throw e;
    // A finding (what fuzz reports as over a limit), not bad usage: exit 1.
    if (v.json) {
      console.log(JSON.stringify({ variant: base.variant, scenario: scen[0], seed: base.seed,
        limit: e.message }, null, 1));
    } else {
      console.log(`over a limit (a livelock or an endless loop?): ${e.message}\nThe run ` +
        'did not finish, so its properties were not checked to the end.');
    }
    return 1;
  }
  // A failing run is re-run with its schedule and the full trace, to show the interleaving.
  if (r.violations.length > 0 && !r.trace) {
    r = simulate({ ...base, schedule: r.schedule, trace: true });
  }
  const tail = v.tail !== undefined ? intOpt(v.tail, 'tail', 0, 1, 1e9) : undefined;
  // --html FILE: the viewer page of this run (view.ts), written beside the usual output.
  if (v.html !== undefined) writeViewHtml(String(v.html), { ...base, schedule: r.schedule });
  return print(r, !!v.json, !!v.trace || r.violations.length > 0, !!v.lines, tail);
}

/** `replay`. */
export function cmdReplay(argv: string[]): number {
  const { values: v, positionals } = parse(argv, OPTS);
  if (v.help) {
    console.log(REPLAY_HELP);
    return 0;
  }
  const tail = v.tail !== undefined ? intOpt(v.tail, 'tail', 0, 1, 1e9) : undefined;
  if (positionals.length > 1) {
    throw new SimUsageError('E_USAGE', `replay takes one FAILURE.json file, got ` +
      `${positionals.length} (` +
      `${positionals.slice(0, 3).map((p) => quote(p, 60)).join(', ')}` +
      `${positionals.length > 3 ? ', ...' : ''})`);
  }
  if (positionals.length > 0) {
    for (const o of ['variant', 'scenario', 'seed', 'schedule', 'memory', 'strategy', 'prefix']) {
      if (v[o] !== undefined) {
        throw new SimUsageError('E_USAGE', `replay FILE takes no --${o} (the file gives it)`);
      }
    }
    const f = readFailure(positionals[0]!);
    const fo = { variant: f.variant, scenario: f.scenario, seed: f.seed,
      ...(f.memory !== undefined ? { memory: f.memory } : {}), schedule: f.schedule };
    const r = simulate({ ...fo, trace: true });
    if (v.html !== undefined) writeViewHtml(String(v.html), fo);
    // The file itself is the shortest way to replay it again.
    const file = positionals[0]!;
    const q = /^[A-Za-z0-9_.:+\-/=@]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
    return print({ ...r, replay: `${REPLAY_COMMAND} ${q}` }, !!v.json, true, !!v.lines, tail);
  }
  const scen = (v.scenario as string[] | undefined) ?? [];
  if (scen.length !== 1) throw new SimUsageError('E_USAGE', 'replay takes exactly one --scenario');
  const { scenario, ref } = scenarioArg(scen[0]!);
  const memory = memoryArg(v.memory);
  const ro = {
    variant: required(v.variant, 'variant'), scenario, scenarioRef: ref, seed: seedArg(v.seed),
    schedule: required(v.schedule, 'schedule'), ...(memory ? { memory } : {}),
  };
  const r = simulate({ ...ro, trace: true });
  if (v.html !== undefined) writeViewHtml(String(v.html), ro);
  return print(r, !!v.json, true, !!v.lines, tail);
}

/** What replay needs from a failure file. */
export interface FailureFile {
  variant: string;
  scenario: Scenario | string;
  seed: number;
  schedule: string;
  memory?: MemoryMode;
}

/** Reads and checks a failure file (one written by fuzz --save-failures, or by hand). */
export function readFailure(path: string): FailureFile {
  let f: unknown;
  try {
    f = JSON.parse(readInputFile(path, 'failure file'));
  } catch (e) {
    if (e instanceof SimUsageError) throw e;
    throw new SimUsageError('E_USAGE', `cannot read failure file ${quote(path)}: ` +
      quote((e as Error).message, 120));
  }
  const bad = (why: string): never => {
    throw new SimUsageError('E_USAGE', `failure file ${quote(path)}: ${why}`);
  };
  if (typeof f !== 'object' || f === null || Array.isArray(f)) bad('expected a JSON object');
  const o = f as Record<string, unknown>;
  if (typeof o.variant !== 'string' || o.variant === '') bad('missing "variant" (a string)');
  if (typeof o.scenario !== 'string' && (typeof o.scenario !== 'object' || o.scenario === null ||
    Array.isArray(o.scenario))) {
    bad('missing "scenario" (a name or a scenario object)');
  }
  if (typeof o.seed !== 'number' || !Number.isInteger(o.seed)) bad('missing "seed" (an integer)');
  if (typeof o.schedule !== 'string') bad('missing "schedule" (a string)');
  if (o.memory !== undefined && !MEMORY_MODES.includes(o.memory as MemoryMode)) {
    bad(`bad "memory": expected one of ${MEMORY_MODES.join(', ')}`);
  }
  const scenario = typeof o.scenario === 'string' ? scenarioArg(o.scenario).scenario
    : validateScenario(o.scenario);
  return { variant: o.variant as string, scenario, seed: o.seed as number,
    schedule: o.schedule as string,
    ...(o.memory !== undefined ? { memory: o.memory as MemoryMode } : {}) };
}
