/** `verify`: every schedule of one scenario up to equivalence (partial-order reduction). */
import { performance } from 'node:perf_hooks';
import { verify } from '../../api/verify.ts';
import { SimUsageError } from '../../sim/errors.ts';
import { intOpt, parse } from '../args.ts';
import { progress } from '../progress.ts';
import { describeRun } from '../report.ts';
import { cliFailure } from '../replay-line.ts';
import { rate } from '../table.ts';
import {
  COMMON, memoryArg, noPositionals, required, scenarioArg, timeLimitArg,
} from './common.ts';

const HELP = `usage: eventpoll-sim verify --variant V --scenario S [--preemptions K]
       [--bounds-first K1,K2,...] [--max-executions N] [--time-limit SECONDS]
       [--memory sc|tso|lkmm] [--json]
Runs one schedule of every class of equivalent schedules (schedules that order every pair
of dependent steps alike: dynamic partial-order reduction, wakeup trees and sleep sets),
depth first, up to N executions (default 1000000). Without --preemptions a complete search
covers every schedule: "verified". With --preemptions K only schedules within K
preemptions are run (fewer executions, a weaker statement). --bounds-first 0,1 searches
within 0, then 1 preemption first (shallow bugs in fewer executions; the counts add up).
The first failure is printed with its replay line; --time-limit stops the search and
says how far it got. Exit 1 on a violation. docs/verify.md describes the dependency
relation and what it treats as dependent with everything.`;

/** `verify`. */
export function cmdVerify(argv: string[]): number {
  const { values: v, positionals } = parse(argv, {
    ...COMMON, preemptions: { type: 'string' }, 'max-executions': { type: 'string' },
    'time-limit': { type: 'string' }, 'bounds-first': { type: 'string' },
  });
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  noPositionals('verify', positionals);
  if (v.seed !== undefined || v.strategy !== undefined) {
    throw new SimUsageError('E_USAGE', 'verify takes no --seed or --strategy (it visits every ' +
      'schedule up to equivalence; use run or fuzz for seeded runs)');
  }
  const scen = (v.scenario as string[] | undefined) ?? [];
  if (scen.length !== 1) throw new SimUsageError('E_USAGE', 'verify takes exactly one --scenario');
  const { scenario, ref } = scenarioArg(scen[0]!);
  const memory = memoryArg(v.memory);
  const limit = timeLimitArg(v['time-limit']);
  const preemptions = v.preemptions === undefined ? undefined
    : intOpt(v.preemptions, 'preemptions', 0, 0, 64);
  const max = intOpt(v['max-executions'], 'max-executions', 1_000_000, 1, 1e9);
  const first = v['bounds-first'] === undefined ? [] : String(v['bounds-first']).split(',')
    .slice(0, 8).map((k) => intOpt(k, 'bounds-first', 0, 0, 64));
  const t0 = performance.now();
  const deadline = limit === undefined ? Infinity : t0 + limit * 1000;
  const bar = progress('verify');
  let r;
  try {
    r = verify({
      variant: required(v.variant, 'variant'), scenario, maxExecutions: max,
      ...(preemptions !== undefined ? { preemptions } : {}), ...(memory ? { memory } : {}),
      ...(first.length > 0 ? { boundsFirst: first } : {}),
      onProgress: (n) => bar.tick(n, max),
      ...(limit !== undefined ? { shouldStop: () => performance.now() >= deadline } : {}),
    });
  } finally {
    bar.stop();
  }
  const secs = (performance.now() - t0) / 1000;
  const failure = r.failure && cliFailure(r.failure, scenario, ref);
  if (v.json) {
    console.log(JSON.stringify({ ...r, ...(failure ? { failure } : {}),
      ...(r.stopped ? { stopped: 'time-limit' } : {}), timing: { seconds: secs } }, null, 1));
    return failure ? 1 : 0;
  }
  const within = r.preemptions === null ? 'every schedule'
    : `every schedule within ${r.preemptions} preemptions`;
  if (failure) {
    console.log(`violation after ${r.firstFailureAt} executions (partial-order reduction, ` +
      `${within}):\n`);
    console.log(describeRun(failure));
  } else if (r.complete) {
    console.log(`verified: ${r.executions} executions, ${within} up to equivalence ` +
      `(${r.blocked} cut short as equivalent; ${r.steps} steps in ${secs.toFixed(2)} s, ` +
      `${rate(r.executions / secs)} executions/s)`);
  } else {
    console.log(`not verified: no violation in ${r.executions} executions (${r.blocked} cut ` +
      `short as equivalent; ${secs.toFixed(2)} s), but the search ${r.stopped
      ? `was STOPPED by the time limit (${limit} s)` : `reached the execution budget (${max})`} ` +
      `before covering ${within} up to equivalence`);
  }
  return failure ? 1 : 0;
}
