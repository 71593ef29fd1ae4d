/** `fuzz`: many executions, a per-scenario summary, and the first failure of each. */
import { MEMORY_MODES, type MemoryMode } from '../../sim/memory.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FuzzOptions, FuzzSummary, LimitHit, VerifiedShare } from '../../api/fuzz.ts';
import type { Failure } from '../../api/simulate.ts';
import { scenarioNames } from '../../scenario/library.ts';
import type { Scenario } from '../../scenario/types.ts';
import { isRecord, quote, SimUsageError } from '../../sim/errors.ts';
import { intOpt, parse } from '../args.ts';
import { FuzzPool, type FoundFailure } from '../fuzz-pool.ts';
import { progress } from '../progress.ts';
import { cliReplay } from '../replay-line.ts';
import { parseShard, SHARD_FORMAT, shardSelect, type ShardFile } from '../shard.ts';
import { signalExit, watchInterrupt } from '../signals.ts';
import { rate, table } from '../table.ts';
import { version } from '../version.ts';
import {
  COMMON, DEFAULT_FUZZ_STRATEGY, jobsArg, memoryArg, noPositionals, required, scenarioArg,
  seedArg, STRATEGY_HELP, strategyArg, timeLimitArg,
} from './common.ts';
import { writeViewHtml } from './view.ts';
import { portfolioMember } from '../../sim/schedulers/portfolio.ts';

const HELP = `usage: eventpoll-sim fuzz --variant V [--scenario S ...] [--all] [--gen N]
       [--seeds N | --schedules N | --total N] [--seed N] [--strategy S]
       [--memory sc|tso|lkmm] [--keep-going] [--jobs N] [--force-jobs] [--time-limit SECONDS]
       [--save-failures DIR] [--shard I/N] [--json] [--html FILE]
Runs N executions of each scenario: the named ones, every library scenario with --all
(the default when none is named), and N generated ones (gen:SEED..) with --gen.
--seeds N: N seeds per scenario, starting at --seed (default 0): execution i of a scenario
uses seed SEED+i. --schedules N is the same count under its older name (default 1000);
--total N spreads N executions evenly over the scenarios instead.
--jobs N runs on N threads, this one and N-1 workers (default and maximum: the CPU count;
--force-jobs allows more; runs under 20000 executions stay on one thread); the results do
not depend on it. --time-limit stops starting new work after SECONDS and prints the summary
of what ran, marked as stopped. --save-failures DIR writes each failing execution to
DIR as a JSON file as soon as it is found ('eventpoll-sim replay FILE' replays it).
--shard I/N runs only shard I of N of the campaign; with --json it writes a shard result
for 'eventpoll-sim merge' (see README, "Sharding in CI"). --html FILE writes the viewer
page (see 'view') of the first failure.
SIGINT/SIGTERM stop after the executions in hand and print the summary so far (exit
130/143). A worker silent for EVENTPOLL_SIM_WATCHDOG_SECONDS (default 120) fails the run
(exit 3). An execution over a limit (the step limit: a livelock or an endless loop) is
reported per scenario with its seed and a command that runs it again, and counted apart
(limits); the run goes on. Exit 1 if any property was violated or any execution went over
a limit.`;

const OPTS = {
  ...COMMON,
  all: { type: 'boolean' },
  gen: { type: 'string' },
  seeds: { type: 'string' },
  schedules: { type: 'string' },
  total: { type: 'string' },
  'keep-going': { type: 'boolean' },
  jobs: { type: 'string' },
  'force-jobs': { type: 'boolean' },
  'time-limit': { type: 'string' },
  'save-failures': { type: 'string' },
  html: { type: 'string' },
  shard: { type: 'string' },
} as const;

/** How a run ended early, if it did. */
export type Stopped = 'time-limit' | 'SIGINT' | 'SIGTERM';

/** Timing of a run: the only part of the output that varies from run to run. */
export interface Timing {
  seconds: number;
  threads: number;
}

/** What fuzz prints, apart from timing (the same for one machine, any threads, or shards). */
export function fuzzReport(sum: FuzzSummary, o: { strategy?: string; memory?: string }) {
  return {
    variant: sum.variant, strategy: o.strategy ?? 'random', memory: o.memory ?? 'scenario',
    schedules: sum.schedules, steps: sum.steps, violations: sum.violations,
    limits: sum.limits,
    scenarios: sum.scenarios.map((s) => ({ ...s,
      ...(s.replay !== undefined ? { replay: cliReplay(s.replay) } : {}),
      ...(s.limit ? { limit: { ...s.limit, replay: cliReplay(s.limit.replay) } } : {}) })),
  };
}

/** Prints a fuzz summary; returns the exit code (by the findings). */
export function printFuzz(sum: FuzzSummary, timing: Timing, json: boolean,
  o: { strategy?: string; memory?: string } = {},
  stopped?: { why: Stopped; planned: number; limit?: number }): number {
  const code = sum.violations > 0 || sum.limits > 0 ? 1 : 0;
  if (json) {
    console.log(JSON.stringify({ ...fuzzReport(sum, o),
      ...(stopped ? { stopped: stopped.why, planned: stopped.planned } : {}), timing },
    null, 1));
    return code;
  }
  const { seconds, threads } = timing;
  const share = sum.members !== undefined;
  const rows = sum.scenarios.map((s) => [s.scenario, String(s.schedules), String(s.steps),
    String(s.violations), String(s.limits),
    s.failure && (!s.limit || s.firstAt! < s.limit.at) ? failureCell(s.failure, share)
      : s.limit ? `seed ${s.limit.seed} (over a limit)` : '-',
    ...(share ? [verifiedCell(s.verified)] : [])]);
  console.log(table(['scenario', 'schedules', 'steps', 'violations', 'limits', 'first failure',
    ...(share ? ['verified (reduced search)'] : [])], rows));
  console.log(`\n${sum.variant}: ${sum.schedules} schedules, ${sum.steps} steps in ` +
    `${seconds.toFixed(2)} s (${rate(sum.schedules / seconds)} schedules/s, ` +
    `${rate(sum.steps / seconds)} steps/s${threads > 1 ? ` on ${threads} threads` : ''}), ` +
    `${sum.violations} violation(s)` +
    `${sum.limits > 0 ? `, ${sum.limits} execution(s) over a limit` : ''}; ` +
    `strategy ${o.strategy ?? 'random'}, memory ` +
    `${o.memory ?? "each scenario's own"}`);
  if (sum.members) console.log(`${membersLine(sum.members)}\n${verifiedLine(sum.scenarios)}`);
  if (stopped) console.log(stoppedLine(stopped, sum.schedules));
  for (const s of sum.scenarios) {
    if (s.failure) {
      console.log(`\n${s.scenario}: ${s.failure.violation.property}: ` +
        `${s.failure.violation.message}\n  replay: ${cliReplay(s.replay)}`);
    }
    if (s.limit) console.log(`\n${s.scenario}: ${limitText(s.limit, s.limits)}`);
  }
  return code;
}

/** A first failure: its seed and property, and with the portfolio the member that found it. */
function failureCell(f: Failure, portfolio: boolean): string {
  const p = f.violation.property;
  if (f.strategy === 'dpor') return `reduced search (${p})`;
  return `seed ${f.seed} (${p}${portfolio ? `, ${portfolioMember(f.seed, f.memory)}` : ''})`;
}

/** What the portfolio's reduced search did on a scenario. */
export function verifiedCell(v: VerifiedShare | undefined): string {
  if (!v) return '-';
  return v.complete ? `yes (${v.executions} executions)`
    : `no (${v.executions} of ${v.slots} executions)`;
}

/** How many scenarios the portfolio's reduced search verified. */
export function verifiedLine(scenarios: readonly { verified?: VerifiedShare }[]): string {
  const ran = scenarios.filter((s) => s.verified).length;
  const ok = scenarios.filter((s) => s.verified?.complete).length;
  return `reduced search (the portfolio's last quarter of each scenario): ${ok} of ` +
    `${scenarios.length} scenarios verified, every schedule up to equivalence` +
    `${ran < scenarios.length ? ` (it did not run on ${scenarios.length - ran}: stopped ` +
      'at an earlier failure, or not reached)' : ''}`;
}

/** The portfolio's executions per member strategy, as the summaries print them. */
export function membersLine(members: Readonly<Record<string, number>>): string {
  const total = Object.values(members).reduce((a, n) => a + n, 0);
  return 'portfolio: ' + Object.entries(members).map(([m, n]) =>
    `${m} ${n} (${(100 * n / Math.max(1, total)).toFixed(0)}%)`).join(', ');
}

/**
 * An execution over a limit as the summaries print it: what it hit (the run's own words),
 * how many executions of the scenario did, and the command that runs it again.
 */
export function limitText(l: Pick<LimitHit, 'message' | 'replay'>, count: number): string {
  return `over a limit (a livelock or an endless loop?): ${l.message}` +
    `${count > 1 ? ` (${count} executions over a limit)` : ''}` +
    `\n  run again: ${cliReplay(l.replay)}`;
}

/** The line that marks a summary as partial. */
export function stoppedLine(s: { why: Stopped; planned: number; limit?: number },
  done: number): string {
  const why = s.why === 'time-limit' ? `STOPPED by the time limit (${s.limit} s)`
    : `INTERRUPTED by ${s.why}`;
  return `${why} after ${done} of ${s.planned} planned schedules: the counts above cover ` +
    'the seeds that ran (the first of each scenario\'s range).';
}

/** A file name for a failure: variant, scenario and seed, in safe characters. */
function failureFileName(f: FoundFailure): string {
  const scen = typeof f.scenario === 'string' ? f.scenario : f.scenario.name ?? 'scenario';
  return `${f.variant}_${scen}_seed${f.seed}.json`.replace(/[^A-Za-z0-9_.+-]/g, '-');
}

/** Writes failures into `dir` as they come; the first write error is kept for the end. */
export function failureSaver(dir: string | undefined): {
  save?: (f: FoundFailure) => void; error: () => Error | undefined; count: () => number;
} {
  if (dir === undefined) return { error: () => undefined, count: () => 0 };
  if (dir === '') {
    throw new SimUsageError('E_USAGE', 'bad --save-failures \'\': expected a directory');
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new SimUsageError('E_USAGE', `--save-failures: cannot create ${quote(dir)}: ` +
      quote((e as Error).message, 120));
  }
  let err: Error | undefined;
  let n = 0;
  return {
    save(f) {
      if (err) return;
      const v = f.violation;
      const data = { variant: f.variant, scenario: f.scenario, seed: f.seed,
        schedule: f.schedule, memory: f.memory, strategy: f.strategy, property: v.property,
        kind: v.kind, message: v.message, hash: f.hash, replay: cliReplay(f.replay),
        violation: v };
      try {
        writeFileSync(join(dir, failureFileName(f)), `${JSON.stringify(data, null, 1)}\n`);
        n++;
      } catch (e) {
        err = new SimUsageError('E_USAGE', `--save-failures: cannot write into ${quote(dir)}: ` +
          quote((e as Error).message, 120));
      }
    },
    error: () => err,
    count: () => n,
  };
}

/** `fuzz`. */
export async function cmdFuzz(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, OPTS);
  if (v.help) {
    console.log(`${HELP}\n${STRATEGY_HELP}`);
    return 0;
  }
  noPositionals('fuzz', positionals);
  const variant = required(v.variant, 'variant');
  const seed = seedArg(v.seed);
  const counts = (['seeds', 'schedules', 'total'] as const).filter((k) => v[k] !== undefined);
  if (counts.length > 1) {
    throw new SimUsageError('E_USAGE', `give one of --seeds, --schedules, --total, not ` +
      counts.map((k) => `--${k}`).join(' and '));
  }
  let schedules = v.seeds !== undefined ? intOpt(v.seeds, 'seeds', 1000, 1, 1e9)
    : intOpt(v.schedules, 'schedules', 1000, 1, 1e9);
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
  const strategy = strategyArg(v.strategy) ?? DEFAULT_FUZZ_STRATEGY;
  const jobs = jobsArg(v.jobs, !!v['force-jobs']);
  const limit = timeLimitArg(v['time-limit']);
  const shard = parseShard(v.shard);
  const saver = failureSaver(v['save-failures'] as string | undefined);
  const o: FuzzOptions & { variant: string } = {
    variant, scenarios, schedules, seed, stopAtFirst: !v['keep-going'], refs,
    ...(strategy ? { strategy } : {}), ...(memory ? { memory } : {}),
  };
  const bar = progress(`fuzz ${variant}${shard ? ` shard ${shard.index}/${shard.count}` : ''}`);
  const t0 = performance.now();
  const deadline = limit === undefined ? Infinity : t0 + limit * 1000;
  const pool = new FuzzPool(jobs);
  const interrupt = watchInterrupt('fuzz');
  let run;
  try {
    run = await pool.run(o, {
      shouldStop: () => interrupt.signal !== undefined || saver.error() !== undefined ||
        performance.now() >= deadline,
      ...(saver.save ? { onFailure: saver.save } : {}),
      onProgress: (d, t, bad) => bar.tick(d, t, bad),
      ...(shard ? { select: shardSelect(shard) } : {}),
    });
  } finally {
    bar.stop();
    interrupt.dispose();
    await pool.close();
  }
  const saveError = saver.error();
  if (saveError) throw saveError;
  const timing = { seconds: (performance.now() - t0) / 1000, threads: run.threads };
  const why: Stopped | undefined = interrupt.signal !== undefined
    ? interrupt.signal as 'SIGINT' | 'SIGTERM' : run.stopped ? 'time-limit' : undefined;
  const stopped = why ? { why, planned: run.planned, ...(limit ? { limit } : {}) } : undefined;
  let code: number;
  if (shard && v.json) {
    const file: ShardFile = {
      format: SHARD_FORMAT, command: 'fuzz', campaign: fuzzCampaign(o), shard,
      runs: [{ results: run.results }], ...(why ? { stopped: why } : {}), timing,
    };
    console.log(JSON.stringify(file));
    code = run.summary.violations > 0 || run.summary.limits > 0 ? 1 : 0;
  } else {
    if (shard && !v.json) {
      console.log(`shard ${shard.index}/${shard.count} of the campaign (its own chunks only; ` +
        'merge the --json results of every shard for the whole):\n');
    }
    code = printFuzz(run.summary, timing, !!v.json, o, stopped);
  }
  if (saver.save && !v.json) {
    console.log(`\n${saver.count()} failing execution(s) saved in ${v['save-failures']}`);
  }
  // --html FILE: the viewer page of the first failure (view.ts).
  const first = run.summary.scenarios.find((s) => s.failure !== undefined)?.failure;
  if (v.html !== undefined && first) {
    writeViewHtml(String(v.html), { variant: first.variant, scenario: first.scenario,
      seed: first.seed, memory: first.memory, schedule: first.schedule,
      ...(typeof first.scenario === 'string' ? {} : { scenarioRef: refs.get(first.scenario) }) });
  }
  return interrupt.signal ? signalExit(interrupt.signal) : code;
}

/** A fuzz campaign as data (what shards must agree on). */
export function fuzzCampaign(o: FuzzOptions & { variant: string }): unknown {
  return {
    version: version(), variant: o.variant, scenarios: o.scenarios,
    refs: o.scenarios.flatMap((s, i) => (typeof s !== 'string' && o.refs?.has(s)
      ? [[i, o.refs.get(s)!]] : [])),
    schedules: o.schedules, seed: o.seed ?? 0, strategy: o.strategy ?? null,
    memory: o.memory ?? null, stopAtFirst: o.stopAtFirst ?? true,
  };
}

/** The options of a campaign read back from a shard file (checked: files can be anything). */
export function campaignOptions(c: unknown): FuzzOptions & { variant: string } {
  const bad = (what: string): never => {
    throw new SimUsageError('E_USAGE', `the shards' campaign is not a fuzz campaign: ${what}`);
  };
  if (!isRecord(c)) return bad(`expected an object, got ${quote(c)}`);
  const n = Array.isArray(c.scenarios) ? c.scenarios.length : bad('no scenarios array');
  if (typeof c.variant !== 'string') bad('no variant name');
  if (!Array.isArray(c.refs) || !c.refs.every((r: unknown) => Array.isArray(r) &&
    r.length === 2 && Number.isInteger(r[0]) && r[0] >= 0 && r[0] < n &&
    typeof r[1] === 'string' && (c.scenarios as unknown[])[r[0] as number] !== null &&
    typeof (c.scenarios as unknown[])[r[0] as number] === 'object')) {
    bad('bad refs');
  }
  if (c.strategy !== null && typeof c.strategy !== 'string') bad('bad strategy');
  if (c.memory !== null && !MEMORY_MODES.includes(c.memory as MemoryMode)) bad('bad memory');
  if (typeof c.stopAtFirst !== 'boolean') bad('bad stopAtFirst');
  const x = c as { variant: string; scenarios: (Scenario | string)[]; refs: [number, string][];
    schedules: number; seed: number; strategy: string | null; memory: MemoryMode | null;
    stopAtFirst: boolean };
  return {
    variant: x.variant, scenarios: x.scenarios, schedules: x.schedules, seed: x.seed,
    refs: new Map(x.refs.map(([i, r]) => [x.scenarios[i] as Scenario, r])),
    stopAtFirst: x.stopAtFirst, ...(x.strategy !== null ? { strategy: x.strategy } : {}),
    ...(x.memory !== null ? { memory: x.memory } : {}),
  };
}
