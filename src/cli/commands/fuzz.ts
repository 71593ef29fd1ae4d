/** `fuzz`: many executions, a per-scenario summary, and the first failure of each. */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { FuzzSummary } from '../../api/fuzz.ts';
import { scenarioNames } from '../../scenario/library.ts';
import type { Scenario } from '../../scenario/types.ts';
import { SimUsageError } from '../../sim/errors.ts';
import { intOpt, parse } from '../args.ts';
import { FuzzPool } from '../fuzz-pool.ts';
import { progress } from '../progress.ts';
import { rate, table } from '../table.ts';
import { COMMON, memoryArg, required, scenarioArg, seedArg } from './common.ts';

const HELP = `usage: eventpoll-sim fuzz --variant V [--scenario S ...] [--all] [--gen N]
       [--schedules N | --total N] [--seed N] [--strategy random|pct] [--memory sc|tso]
       [--keep-going] [--jobs N] [--json]
Runs --schedules executions (default 1000) of each scenario: the named ones, every library
scenario with --all (the default when none is named), and N generated ones (gen:SEED..)
with --gen. --total N spreads N executions evenly over the scenarios instead. Execution i
of a scenario uses seed SEED+i. --jobs N runs on N worker threads (default: one per CPU;
runs under 20000 executions stay on one thread); the results do not depend on it.
Exit 1 if any property was violated.`;

const OPTS = {
  ...COMMON,
  all: { type: 'boolean' },
  gen: { type: 'string' },
  schedules: { type: 'string' },
  total: { type: 'string' },
  'keep-going': { type: 'boolean' },
  jobs: { type: 'string' },
} as const;

/** Prints a fuzz summary; returns the exit code. */
export function printFuzz(sum: FuzzSummary, seconds: number, json: boolean, jobs = 1): number {
  if (json) {
    console.log(JSON.stringify({ ...sum, seconds, jobs }, null, 1));
    return sum.violations > 0 ? 1 : 0;
  }
  const rows = sum.scenarios.map((s) => [s.scenario, String(s.schedules), String(s.steps),
    String(s.violations), s.failure ? `seed ${s.failure.seed} (${s.failure.violation.property})`
      : '-']);
  console.log(table(['scenario', 'schedules', 'steps', 'violations', 'first failure'], rows));
  console.log(`\n${sum.variant}: ${sum.schedules} schedules, ${sum.steps} steps in ` +
    `${seconds.toFixed(2)} s (${rate(sum.schedules / seconds)} schedules/s, ` +
    `${rate(sum.steps / seconds)} steps/s${jobs > 1 ? ` on ${jobs} threads` : ''}), ` +
    `${sum.violations} violation(s)`);
  for (const s of sum.scenarios) {
    if (!s.failure) continue;
    console.log(`\n${s.scenario}: ${s.failure.violation.property}: ${s.failure.violation.message}` +
      `\n  replay: ${s.replay}`);
  }
  return sum.violations > 0 ? 1 : 0;
}

/** `fuzz`. */
export async function cmdFuzz(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, OPTS);
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const variant = required(v.variant, 'variant');
  const seed = seedArg(v.seed);
  if (v.schedules !== undefined && v.total !== undefined) {
    throw new SimUsageError('E_USAGE', 'give --schedules or --total, not both');
  }
  let schedules = intOpt(v.schedules, 'schedules', 1000, 1, 1e9);
  const refs = new Map<Scenario, string>();
  const named = ((v.scenario as string[] | undefined) ?? []).map((s) => {
    const { scenario, ref } = scenarioArg(s);
    if (typeof scenario !== 'string') refs.set(scenario, ref);
    return scenario;
  });
  const gen = intOpt(v.gen, 'gen', 0, 0, 1e6);
  const scenarios: (Scenario | string)[] = [...named];
  if (v.all || (named.length === 0 && gen === 0)) scenarios.push(...scenarioNames());
  for (let i = 0; i < gen; i++) scenarios.push(`gen:${seed + i}`);
  if (scenarios.length === 0) throw new SimUsageError('E_USAGE', 'no scenario to fuzz');
  if (v.total !== undefined) {
    schedules = Math.ceil(intOpt(v.total, 'total', 0, 1, 1e10) / scenarios.length);
  }
  const memory = memoryArg(v.memory);
  const jobs = intOpt(v.jobs, 'jobs', availableParallelism(), 1, 64);
  const bar = progress(`fuzz ${variant}`, !v.json);
  const t0 = performance.now();
  const pool = new FuzzPool(jobs);
  let sum: FuzzSummary;
  try {
    sum = await pool.fuzz({
      variant, scenarios, schedules, seed, stopAtFirst: !v['keep-going'], refs,
      ...(v.strategy ? { strategy: String(v.strategy) } : {}), ...(memory ? { memory } : {}),
      onProgress: (d, t) => bar.tick(d, t),
    });
  } finally {
    bar.stop();
    await pool.close();
  }
  return printFuzz(sum, (performance.now() - t0) / 1000, !!v.json, pool.used);
}
