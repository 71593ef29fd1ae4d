/**
 * `view`: one self-contained HTML page of a run (its per-CPU timeline and the kernel state
 * at every step; src/view), for a recorded schedule, a failure file or a zoo entry's shrunk
 * failure. `run --html FILE` and `replay --html FILE` write the same page through
 * {@link writeViewHtml}.
 */
import { writeFileSync } from 'node:fs';
import type { SimulateOptions } from '../../api/simulate.ts';
import { quote, SimUsageError } from '../../sim/errors.ts';
import { viewRun } from '../../view/data.ts';
import { renderViewerPage } from '../../view/page.ts';
import { perfettoTrace } from '../../view/perfetto.ts';
import { ftraceText } from '../../view/ftrace.ts';
import { diffViewData } from '../../view/diff.ts';
import { renderDiffPage } from '../../view/diff-page.ts';
import { zooShrunkFailure } from '../../view/zoo.ts';
import { parse } from '../args.ts';
import { cliReplay } from '../replay-line.ts';
import {
  COMMON, memoryArg, required, scenarioArg, seedArg, strategyArg,
} from './common.ts';
import { readFailure } from './run.ts';

const HELP = `usage: eventpoll-sim view --html FILE --variant V --scenario S --seed N --schedule STR
       [--memory sc|tso|lkmm] [--perfetto FILE] [--ftrace FILE]
   or: eventpoll-sim view --html FILE FAILURE.json [--perfetto FILE] [--ftrace FILE]
   or: eventpoll-sim view --html FILE --zoo ID [--perfetto FILE] [--ftrace FILE]
   or: eventpoll-sim view --html FILE --variant A --against B --scenario S [--seed N]
       [--strategy random|pct] [--memory sc|tso|lkmm]
Writes one HTML page (no network; open it from disk) showing the run: a lane per CPU with
its task and hardirq contexts, every step labelled with its kernel function, lock holds,
sleeps and wake-ups, the violation with its replay command, and the kernel state after any
step (rdllist and ovflist chains, wait queues, epitems, locks, freed objects). --zoo ID
views a zoo entry's first failure (pct, seed family 0), shrunk. --perfetto FILE writes the
same run as Chrome Trace Event JSON for ui.perfetto.dev or chrome://tracing (a track per
CPU and context and per lock, a slice per kernel function, wake-ups as flows; 1 us = 1
step); --ftrace FILE as text in the shape of 'trace-cmd report'; any one of --html,
--perfetto and --ftrace is enough. --against B writes the diff page instead: the
same scenario and seed on A and B (as 'diff' runs them), side by side in rows aligned at
each syscall start and interrupt, with the differences found (exit 1 if there are any).
Exit 1 if the run violates a property (the files are written either way).`;

const OPTS = {
  ...COMMON,
  schedule: { type: 'string' },
  html: { type: 'string' },
  perfetto: { type: 'string' },
  ftrace: { type: 'string' },
  zoo: { type: 'string' },
  against: { type: 'string' },
} as const;

/**
 * Runs `o` again with the trace and the state history and writes the page to `file`;
 * returns the run's violation count and the page's size in bytes.
 */
export function writeViewHtml(file: string | undefined, o: SimulateOptions,
  perfetto?: string, ftrace?: string): { violations: number; bytes: number } {
  const { data, result } = viewRun(o);
  data.run.replay = cliReplay(data.run.replay);
  let bytes = 0;
  if (file !== undefined) {
    bytes = write(file, renderViewerPage(data), result.steps);
  }
  if (perfetto !== undefined) {
    write(perfetto, JSON.stringify(perfettoTrace(data)), result.steps);
  }
  if (ftrace !== undefined) write(ftrace, ftraceText(data.trace, data.ncpu), result.steps);
  return { violations: result.violations.length, bytes };
}

function write(file: string, text: string, steps: number): number {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new SimUsageError('E_USAGE', `cannot write ${quote(file)}: ` +
      quote((e as Error).message, 120));
  }
  const bytes = Buffer.byteLength(text);
  console.error(`eventpoll-sim: wrote ${file} (${bytes} bytes, ${steps} steps)`);
  return bytes;
}

/**
 * Writes the page of the run a printed replay command replays (`npx eventpoll-sim replay
 * --variant V --scenario S --seed N [--memory M] --schedule STR`, words in single quotes
 * as the command quotes them): how `zoo --html` views the shrunk failure it printed.
 */
export function writeViewOfReplay(file: string, replay: string): number {
  const words = [...replay.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)]
    .map((m) => m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!);
  const arg = (name: string): string | undefined => {
    const i = words.indexOf(`--${name}`);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const { scenario, ref } = scenarioArg(required(arg('scenario'), 'scenario'));
  const memory = memoryArg(arg('memory'));
  return writeViewHtml(file, { variant: required(arg('variant'), 'variant'), scenario,
    scenarioRef: ref, seed: seedArg(arg('seed')), schedule: required(arg('schedule'), 'schedule'),
    ...(memory ? { memory } : {}) }).violations;
}

/** `view`. */
export function cmdView(argv: string[]): number {
  const { values: v, positionals } = parse(argv, OPTS);
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const perfetto = v.perfetto !== undefined ? String(v.perfetto) : undefined;
  const ftrace = v.ftrace !== undefined ? String(v.ftrace) : undefined;
  const file = (perfetto !== undefined || ftrace !== undefined) && v.html === undefined
    ? undefined : required(v.html, 'html');
  if (v.against !== undefined) {
    const scen = (v.scenario as string[] | undefined) ?? [];
    if (scen.length !== 1) throw new SimUsageError('E_USAGE', 'view takes exactly one --scenario');
    const { scenario, ref } = scenarioArg(scen[0]!);
    const memory = memoryArg(v.memory);
    const d = diffViewData({ variantA: required(v.variant, 'variant'),
      variantB: String(v.against), scenario, scenarioRef: ref, seed: seedArg(v.seed),
      ...(v.strategy !== undefined ? { strategy: strategyArg(v.strategy)! } : {}),
      ...(memory ? { memory } : {}) });
    d.a.replay = cliReplay(d.a.replay);
    d.b.replay = cliReplay(d.b.replay);
    write(required(file, 'html'), renderDiffPage(d), Math.max(d.a.steps, d.b.steps));
    return d.result.differences.length > 0 ? 1 : 0;
  }
  let o: SimulateOptions;
  if (v.zoo !== undefined) {
    if (positionals.length > 0 || v.variant !== undefined || v.scenario !== undefined) {
      throw new SimUsageError('E_USAGE', 'view --zoo takes no FILE, --variant or --scenario');
    }
    o = zooShrunkFailure(String(v.zoo)).options;
  } else if (positionals.length > 0) {
    if (positionals.length > 1) {
      throw new SimUsageError('E_USAGE', 'view takes one FAILURE.json file');
    }
    const f = readFailure(positionals[0]!);
    o = { variant: f.variant, scenario: f.scenario, seed: f.seed, schedule: f.schedule,
      ...(f.memory !== undefined ? { memory: f.memory } : {}),
      ...(typeof f.scenario === 'string' ? {} : { scenarioRef: positionals[0]! }) };
  } else {
    const scen = (v.scenario as string[] | undefined) ?? [];
    if (scen.length !== 1) throw new SimUsageError('E_USAGE', 'view takes exactly one --scenario');
    const { scenario, ref } = scenarioArg(scen[0]!);
    const memory = memoryArg(v.memory);
    o = { variant: required(v.variant, 'variant'), scenario, scenarioRef: ref,
      seed: seedArg(v.seed), schedule: required(v.schedule, 'schedule'),
      ...(memory ? { memory } : {}) };
  }
  return writeViewHtml(file, o, perfetto, ftrace).violations > 0 ? 1 : 0;
}
