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
import { zooShrunkFailure } from '../../view/zoo.ts';
import { parse } from '../args.ts';
import { cliReplay } from '../replay-line.ts';
import { COMMON, memoryArg, required, scenarioArg, seedArg } from './common.ts';
import { readFailure } from './run.ts';

const HELP = `usage: eventpoll-sim view --html FILE --variant V --scenario S --seed N --schedule STR
       [--memory sc|tso]
   or: eventpoll-sim view --html FILE FAILURE.json
   or: eventpoll-sim view --html FILE --zoo ID
Writes one HTML page (no network; open it from disk) showing the run: a lane per CPU with
its task and hardirq contexts, every step labelled with its kernel function, lock holds,
sleeps and wake-ups, the violation with its replay command, and the kernel state after any
step (rdllist and ovflist chains, wait queues, epitems, locks, freed objects). --zoo ID
views a zoo entry's first failure (pct, seed family 0), shrunk. Exit 1 if the run violates
a property (the page is written either way).`;

const OPTS = {
  ...COMMON,
  schedule: { type: 'string' },
  html: { type: 'string' },
  zoo: { type: 'string' },
} as const;

/**
 * Runs `o` again with the trace and the state history and writes the page to `file`;
 * returns the run's violation count and the page's size in bytes.
 */
export function writeViewHtml(file: string, o: SimulateOptions):
{ violations: number; bytes: number } {
  const { data, result } = viewRun(o);
  data.run.replay = cliReplay(data.run.replay);
  const html = renderViewerPage(data);
  try {
    writeFileSync(file, html);
  } catch (e) {
    throw new SimUsageError('E_USAGE', `cannot write ${quote(file)}: ` +
      quote((e as Error).message, 120));
  }
  const bytes = Buffer.byteLength(html);
  console.error(`eventpoll-sim: wrote ${file} (${bytes} bytes, ${result.steps} steps)`);
  return { violations: result.violations.length, bytes };
}

/** `view`. */
export function cmdView(argv: string[]): number {
  const { values: v, positionals } = parse(argv, OPTS);
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const file = required(v.html, 'html');
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
  return writeViewHtml(file, o).violations > 0 ? 1 : 0;
}
