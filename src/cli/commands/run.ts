/** `run` and `replay`: one execution, described for a human or as JSON. */
import { readFileSync } from 'node:fs';
import { simulate, type Failure, type SimulateResult } from '../../api/simulate.ts';
import { SimUsageError } from '../../sim/errors.ts';
import { intOpt, parse } from '../args.ts';
import { describeRun } from '../report.ts';
import { COMMON, memoryArg, required, scenarioArg, seedArg } from './common.ts';

const RUN_HELP = `usage: eventpoll-sim run --variant V --scenario S [--seed N]
       [--strategy random|pct]
       [--memory sc|tso] [--prefix SCHEDULE] [--trace] [--lines] [--tail N] [--json]
Runs one execution. Prints the violation (if any), the interleaving (with --trace, or
always on a violation) and the replay command. Exit 1 if a property was violated.`;

const REPLAY_HELP = `usage: eventpoll-sim replay --variant V --scenario S --seed N --schedule STR
       [--memory sc|tso] [--lines] [--tail N] [--json]
   or: eventpoll-sim replay FAILURE.json
Re-runs a recorded schedule exactly and prints the whole interleaving per CPU.`;

const OPTS = {
  ...COMMON,
  prefix: { type: 'string' },
  schedule: { type: 'string' },
  trace: { type: 'boolean' },
  lines: { type: 'boolean' },
  tail: { type: 'string' },
} as const;

function print(r: SimulateResult, json: boolean, showTrace: boolean, lines: boolean,
  tail: number | undefined): number {
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
  const { values: v } = parse(argv, OPTS);
  if (v.help) {
    console.log(RUN_HELP);
    return 0;
  }
  const scen = (v.scenario as string[] | undefined) ?? [];
  if (scen.length !== 1) throw new SimUsageError('E_USAGE', 'run takes exactly one --scenario');
  const { scenario, ref } = scenarioArg(scen[0]!);
  const memory = memoryArg(v.memory);
  const base = {
    variant: required(v.variant, 'variant'), scenario, scenarioRef: ref, seed: seedArg(v.seed),
    ...(v.strategy ? { strategy: String(v.strategy) } : {}), ...(memory ? { memory } : {}),
    ...(v.prefix ? { prefix: String(v.prefix) } : {}),
  };
  let r = simulate({ ...base, trace: !!v.trace });
  // A failing run is re-run with its schedule and the full trace, to show the interleaving.
  if (r.violations.length > 0 && !r.trace) {
    r = simulate({ ...base, schedule: r.schedule, trace: true });
  }
  const tail = v.tail !== undefined ? intOpt(v.tail, 'tail', 0, 1, 1e9) : undefined;
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
  if (positionals.length > 0) {
    let f: Failure;
    try {
      f = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Failure;
    } catch (e) {
      throw new SimUsageError('E_USAGE', `cannot read failure file '${positionals[0]}': ` +
        (e as Error).message);
    }
    const r = simulate({ variant: f.variant, scenario: f.scenario, seed: f.seed,
      memory: f.memory, schedule: f.schedule, trace: true });
    return print(r, !!v.json, true, !!v.lines, tail);
  }
  const scen = (v.scenario as string[] | undefined) ?? [];
  if (scen.length !== 1) throw new SimUsageError('E_USAGE', 'replay takes exactly one --scenario');
  const { scenario, ref } = scenarioArg(scen[0]!);
  const memory = memoryArg(v.memory);
  const r = simulate({
    variant: required(v.variant, 'variant'), scenario, scenarioRef: ref, seed: seedArg(v.seed),
    schedule: required(v.schedule, 'schedule'), trace: true, ...(memory ? { memory } : {}),
  });
  return print(r, !!v.json, true, !!v.lines, tail);
}
