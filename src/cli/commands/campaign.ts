/**
 * `campaign` (what `npm start` runs): a short fuzz campaign over every built-in variant,
 * the library scenarios and some generated ones, with a summary table that says what was
 * checked (strategy, memory model, scenarios, properties) and why a variant known to be
 * broken fails (the variant's own `knownViolations`).
 */
import { MEMORY_MODES, type MemoryMode } from '../../sim/memory.ts';
import { performance } from 'node:perf_hooks';
import type { FuzzOptions, FuzzSummary } from '../../api/fuzz.ts';
import { getVariant, variantNames } from '../../eventpoll/variant.ts';
import { resolveScenario, scenarioNames } from '../../scenario/library.ts';
import { isRecord, quote, SimUsageError } from '../../sim/errors.ts';
import { intOpt, parse } from '../args.ts';
import { FuzzPool } from '../fuzz-pool.ts';
import { progress } from '../progress.ts';
import { cliReplay } from '../replay-line.ts';
import { parseShard, SHARD_FORMAT, shardSelect, type ShardFile } from '../shard.ts';
import { signalExit, watchInterrupt } from '../signals.ts';
import { rate, table } from '../table.ts';
import { version } from '../version.ts';
import {
  DEFAULT_FUZZ_STRATEGY, jobsArg, memoryArg, noPositionals, seedArg, STRATEGY_HELP, strategyArg,
  timeLimitArg,
} from './common.ts';
import { limitText, membersLine } from './fuzz.ts';
import { PORTFOLIO_MEMBERS, portfolioMember } from '../../sim/schedulers/portfolio.ts';

const HELP = `usage: eventpoll-sim campaign [--seeds N] [--gen N] [--seed N]
       [--strategy S] [--memory sc|tso|lkmm] [--jobs N] [--force-jobs]
       [--time-limit SECONDS] [--shard I/N] [--strict] [--json]
Fuzzes every variant on every library scenario and on --gen generated scenarios (default
20: gen:SEED, gen:SEED+1, ...), --seeds seeds each (default 200, starting at --seed,
default 0; --schedules N is the older name of --seeds), then prints one summary row per
variant, what was checked, and the first failure of each variant with its replay command.
A variant with 20000 executions or more runs on --jobs threads (default and maximum: one
per CPU); the results do not depend on it. --shard I/N runs shard I of N (with --json, a
shard result for 'eventpoll-sim merge').
Some variants are designs known to be broken (the RFCs of the source documents): their
known violations are listed with the reason, and a violation is a finding, not a
failure: the exit code is 0 unless --strict is given (then 1 on any violation). An
execution over a limit (the step limit: a livelock or an endless loop) is counted apart
(limits) and shown with a command that runs it again; the campaign goes on (with --strict
it is exit 1 too).
--time-limit stops starting new work after SECONDS and prints the rows of what ran (a
variant cut short shows the seeds that ran), marked as stopped.
SIGINT/SIGTERM print the summary so far (exit 130/143).`;

/** The properties every run checks (the default checkers and the built-in checks). */
export const PROPERTIES: readonly [string, string][] = [
  ['P1', 'lost wakeup'], ['P2', 'list integrity'], ['P3', 'memory safety'],
  ['P4', 'locking'], ['P5', 'event semantics'], ['P6', 'EPOLLWAKEUP sources'],
  ['P7', 'liveness'],
];

/** A campaign as data: what shards must agree on, and what the summary describes. */
export interface CampaignPlan {
  version: string;
  variants: string[];
  scenarios: string[];
  gen: number;
  schedules: number;
  seed: number;
  strategy: string | null;
  memory: MemoryMode | null;
}

/** The fuzz options of variant `i` of a plan. */
export function planOptions(p: CampaignPlan, i: number): FuzzOptions & { variant: string } {
  return {
    variant: p.variants[i]!, scenarios: p.scenarios, schedules: p.schedules, seed: p.seed,
    ...(p.strategy !== null ? { strategy: p.strategy } : {}),
    ...(p.memory !== null ? { memory: p.memory } : {}),
  };
}

/** A plan read back from a shard file (checked), with its options per variant. */
export function campaignFromShard(c: unknown): CampaignPlan & {
  options(i: number): FuzzOptions & { variant: string };
} {
  const bad = (what: string): never => {
    throw new SimUsageError('E_USAGE', `the shards' campaign is not a campaign plan: ${what}`);
  };
  if (!isRecord(c)) return bad(`expected an object, got ${quote(c)}`);
  for (const k of ['variants', 'scenarios'] as const) {
    const a = c[k];
    if (!Array.isArray(a) || !a.every((x) => typeof x === 'string')) bad(`bad ${k}`);
  }
  for (const k of ['gen', 'schedules', 'seed'] as const) {
    if (!Number.isSafeInteger(c[k]) || (c[k] as number) < 0) bad(`bad ${k}`);
  }
  if (c.strategy !== null && typeof c.strategy !== 'string') bad('bad strategy');
  if (c.memory !== null && !MEMORY_MODES.includes(c.memory as MemoryMode)) bad('bad memory');
  if ((c.gen as number) > (c.scenarios as string[]).length) bad('bad gen');
  const p = c as unknown as CampaignPlan;
  return { ...p, options: (i) => planOptions(p, i) };
}

/** Timing of a campaign: the only part of its output that varies from run to run. */
export interface CampaignTiming {
  seconds: number;
  threads: number;
  perVariant: number[];
  /** The --time-limit, when one was given. */
  limit?: number;
}

function memoryText(p: CampaignPlan): string {
  if (p.memory !== null) return p.memory;
  const n = { sc: 0, tso: 0, lkmm: 0 };
  for (const s of p.scenarios) n[resolveScenario(s).scenario.memory ?? 'sc']++;
  return `each scenario's own (${n.sc} sc, ${n.tso} tso${n.lkmm > 0 ? `, ${n.lkmm} lkmm` : ''})`;
}

/** The summary of a campaign, as data (JSON) apart from timing. */
function report(p: CampaignPlan, runs: readonly FuzzSummary[]) {
  const lib = p.scenarios.length - p.gen;
  return {
    strategy: p.strategy ?? 'random', memory: memoryText(p), seed: p.seed,
    seeds: p.schedules,
    scenarios: { library: lib, generated: p.gen, names: p.scenarios },
    properties: PROPERTIES.map(([id, what]) => `${id} ${what}`),
    violations: runs.reduce((a, r) => a + r.violations, 0),
    limits: runs.reduce((a, r) => a + r.limits, 0),
    ...(p.strategy === 'portfolio' ? { members: memberTotals(runs) } : {}),
    variants: runs.map((sum, i) => {
      const name = p.variants[i]!;
      const first = sum.scenarios.find((s) => s.failure);
      const over = sum.scenarios.find((s) => s.limit);
      const known = knownOf(name);
      const found = [...new Set(sum.scenarios.flatMap((s) => (s.failure
        ? [s.failure.violation.property] : [])))];
      return {
        variant: name, scenarios: sum.scenarios.length, schedules: sum.schedules,
        ...(p.strategy === 'portfolio'
          ? { verified: sum.scenarios.filter((s) => s.verified?.complete).length } : {}),
        steps: sum.steps, violations: sum.violations, limits: sum.limits,
        properties: found,
        unexpected: found.filter((x) => !known.some((k) => k.property === x)),
        firstFailure: first ? { scenario: first.scenario, seed: first.failure!.seed,
          ...(p.strategy === 'portfolio' ? { member: first.failure!.strategy === 'dpor'
            ? 'dpor' : portfolioMember(first.failure!.seed, first.failure!.memory) } : {}),
          property: first.failure!.violation.property, message: first.failure!.violation.message,
          replay: cliReplay(first.replay!) } : null,
        firstLimit: over ? { scenario: over.scenario, seed: over.limit!.seed,
          message: over.limit!.message, replay: cliReplay(over.limit!.replay),
          count: over.limits } : null,
        known,
      };
    }),
  };
}

/** Executions per member strategy of the portfolio, over all variants. */
function memberTotals(runs: readonly FuzzSummary[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of PORTFOLIO_MEMBERS) {
    const n = runs.reduce((a, r) => a + (r.members?.[m] ?? 0), 0);
    if (n > 0) out[m] = n;
  }
  return out;
}

function knownOf(variant: string): { property: string; why: string }[] {
  try {
    return (getVariant(variant).knownViolations ?? []).map((k) => ({ ...k }));
  } catch {
    return [];
  }
}

/**
 * Prints a campaign's summary; returns the exit code (0, or 1 with strict and a finding: a
 * violation or an execution over a limit).
 */
export function printCampaign(p: CampaignPlan, runs: readonly FuzzSummary[],
  timing: CampaignTiming, json: boolean, strict = false,
  stopped?: string): number {
  const r = report(p, runs);
  const code = (r.violations > 0 || r.limits > 0) && strict ? 1 : 0;
  if (json) {
    console.log(JSON.stringify({ ...r, ...(stopped ? { stopped } : {}), timing }, null, 1));
    return code;
  }
  const props = r.properties.join(', ');
  console.log(`campaign: ${p.variants.length} variants x ${p.scenarios.length} scenarios ` +
    `(${r.scenarios.library} library, ${p.gen} generated` +
    `${p.gen === 1 ? `: gen:${p.seed}` : p.gen > 1 ? `: gen:${p.seed}..gen:${p.seed + p.gen - 1}`
      : ''}) x ${p.schedules} ` +
    `seeds from ${p.seed}\n  strategy ${r.strategy}; memory ${r.memory}\n` +
    `  properties checked: ${props}\n`);
  const rows = r.variants.map((x, i) => [x.variant, String(x.scenarios), String(x.schedules),
    rate(x.steps / (timing.perVariant[i] ?? NaN)), String(x.violations), String(x.limits),
    x.firstFailure ? `${x.firstFailure.scenario} seed ${x.firstFailure.seed} ` +
      `(${x.firstFailure.property}` +
      `${x.firstFailure.member ? `, ${x.firstFailure.member}` : ''})`
      : x.firstLimit ? `${x.firstLimit.scenario} seed ` +
      `${x.firstLimit.seed} (over a limit)` : '-',
    x.violations === 0 && x.limits === 0 ? ''
      : x.unexpected.length === 0 && x.limits === 0 ? 'known' : 'NEW',
    ...(x.verified !== undefined ? [`${x.verified}/${x.scenarios}`] : [])]);
  console.log(table(['variant', 'scenarios', 'schedules', 'steps/s', 'violations', 'limits',
    'first failing', 'known?', ...(r.members ? ['verified'] : [])], rows));
  console.log(`\n${timing.seconds.toFixed(1)} s on ${timing.threads} ` +
    `thread${timing.threads === 1 ? '' : 's'}; ` + (r.violations === 0
    ? 'no violation found' : `${r.violations} violation(s) found`) + (r.limits === 0 ? '.'
    : `; ${r.limits} execution(s) over a limit.`));
  if (r.members) {
    console.log(membersLine(r.members));
    console.log(wrap('verified: scenarios whose every schedule the reduced search (source-' +
      "DPOR, the portfolio's last quarter of each scenario's seeds) covered up to " +
      'equivalence; the others were sampled only.', ''));
  }
  if (stopped === 'time-limit') {
    console.log(`STOPPED by the time limit (${timing.limit} s): the rows cover the work done ` +
      '(the first seeds of each scenario; variants not reached are not shown).');
  } else if (stopped) {
    console.log(`INTERRUPTED by ${stopped}: the rows cover the work done.`);
  }
  for (const x of r.variants) {
    if (x.firstLimit) {
      console.log(`\n${x.variant}: ${x.firstLimit.scenario}: ${limitText(x.firstLimit,
        x.firstLimit.count)}`);
      console.log(wrap('An execution over a limit is NOT a known violation: a new finding.',
        '  '));
    }
    if (!x.firstFailure) continue;
    console.log(`\n${x.variant}: ${x.firstFailure.property}: ${x.firstFailure.message}\n` +
      `  replay: ${x.firstFailure.replay}`);
    for (const prop of x.properties) {
      const k = x.known.find((y) => y.property === prop);
      console.log(wrap(k ? `${prop} is known: ${k.why}.`
        : `${prop} is NOT a known violation of ${x.variant}: a new finding.`, '  '));
    }
  }
  return code;
}

/** `campaign`. */
export async function cmdCampaign(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, {
    schedules: { type: 'string' }, seeds: { type: 'string' }, gen: { type: 'string' },
    seed: { type: 'string' }, strategy: { type: 'string' }, memory: { type: 'string' },
    jobs: { type: 'string' }, 'force-jobs': { type: 'boolean' }, shard: { type: 'string' },
    json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    strict: { type: 'boolean' }, 'time-limit': { type: 'string' },
  });
  if (v.help) {
    console.log(`${HELP}\n${STRATEGY_HELP}`);
    return 0;
  }
  noPositionals('campaign', positionals);
  if (v.seeds !== undefined && v.schedules !== undefined) {
    throw new SimUsageError('E_USAGE', 'give --seeds or --schedules (its older name), not both');
  }
  const schedules = v.seeds !== undefined ? intOpt(v.seeds, 'seeds', 200, 1, 1e9)
    : intOpt(v.schedules, 'schedules', 200, 1, 1e9);
  const gen = intOpt(v.gen, 'gen', 20, 0, 1e6);
  const seed = seedArg(v.seed);
  const strategy = strategyArg(v.strategy) ?? DEFAULT_FUZZ_STRATEGY;
  const memory = memoryArg(v.memory) ?? null;
  const jobs = jobsArg(v.jobs, !!v['force-jobs']);
  const shard = parseShard(v.shard);
  const limit = timeLimitArg(v['time-limit']);
  const scenarios = [...scenarioNames()];
  for (let i = 0; i < gen; i++) scenarios.push(`gen:${seed + i}`);
  const plan: CampaignPlan = { version: version(), variants: variantNames(), scenarios, gen,
    schedules, seed, strategy, memory };
  const pool = new FuzzPool(jobs);
  const runs: FuzzSummary[] = [];
  const shardRuns: ShardFile['runs'] = [];
  const perVariant: number[] = [];
  let threads = 1;
  const interrupt = watchInterrupt('the campaign');
  const t00 = performance.now();
  const deadline = limit === undefined ? Infinity : t00 + limit * 1000;
  let timeUp = false;
  const stop = (): boolean => interrupt.signal !== undefined ||
    (timeUp ||= performance.now() >= deadline);
  // Chunks are numbered across the whole campaign, so shards share out every variant.
  let offset = 0;
  try {
    for (let i = 0; i < plan.variants.length && !stop(); i++) {
      const o = planOptions(plan, i);
      const part = shard ? ` shard ${shard.index}/${shard.count}` : '';
      const bar = progress(`campaign ${o.variant}${part}`);
      const t0 = performance.now();
      const base = offset;
      let run;
      try {
        run = await pool.run(o, {
          shouldStop: stop,
          onProgress: (d, t, bad) => bar.tick(d, t, bad),
          ...(shard ? { select: (k: number) => shardSelect(shard)(base + k) } : {}),
        });
      } finally {
        bar.stop();
      }
      if (shard) offset += run.chunks;
      threads = Math.max(threads, run.threads);
      perVariant.push((performance.now() - t0) / 1000);
      runs.push(run.summary);
      shardRuns.push({ results: run.results });
    }
  } finally {
    interrupt.dispose();
    await pool.close();
  }
  const timing = { seconds: (performance.now() - t00) / 1000, threads, perVariant,
    ...(limit !== undefined ? { limit } : {}) };
  const signal = interrupt.signal;
  const stopped = signal ?? (timeUp ? 'time-limit' : undefined);
  if (shard && v.json) {
    const file: ShardFile = { format: SHARD_FORMAT, command: 'campaign', campaign: plan, shard,
      runs: shardRuns, ...(stopped ? { stopped } : {}),
      timing: { seconds: timing.seconds, threads } };
    console.log(JSON.stringify(file));
    return signal ? signalExit(signal) : 0;
  }
  if (shard) {
    console.log(`shard ${shard.index}/${shard.count} of the campaign (its own chunks only; ` +
      'merge the --json results of every shard for the whole):\n');
  }
  const shown = { ...plan, variants: plan.variants.slice(0, runs.length) };
  const code = printCampaign(shown, runs, timing, !!v.json, !!v.strict, stopped);
  return signal ? signalExit(signal) : code;
}

/** Wraps text at 96 columns, each line indented. */
function wrap(text: string, indent: string): string {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + w.length > 96) {
      out.push(indent + line);
      line = w;
    } else {
      line = line === '' ? w : `${line} ${w}`;
    }
  }
  if (line !== '') out.push(indent + line);
  return out.join('\n');
}
