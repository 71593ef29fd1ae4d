/** `explore`: bounded exhaustive search (preemption bounding) of one scenario. */
import { performance } from 'node:perf_hooks';
import { explore } from '../../api/explore.ts';
import { quote, SimUsageError } from '../../sim/errors.ts';
import { intOpt, parse } from '../args.ts';
import { progress } from '../progress.ts';
import { describeRun } from '../report.ts';
import { cliFailure } from '../replay-line.ts';
import { rate } from '../table.ts';
import {
  COMMON, memoryArg, noPositionals, required, scenarioArg, timeLimitArg,
} from './common.ts';

const HELP = `usage: eventpoll-sim explore --variant V --scenario S [--preemptions K]
       [--max-executions N] [--time-limit SECONDS] [--memory sc|tso|lkmm] [--strategy bounded]
       [--json]
Runs every execution of the scenario that needs at most K preemptions (default 2),
depth first, up to N executions (default 100000). A complete search means no violation
exists within the bound; otherwise the first failure is printed. --time-limit stops the
search after SECONDS and says how far it got (not complete). explore always searches with
the bounded strategy (--strategy accepts only 'bounded'; random and pct are for run and
fuzz); there is no --seed (the search does not draw from one).
Not shardable: the depth-first search and its execution budget are one sequence (each
execution's successor depends on it), so it cannot be cut into independent parts without
changing which executions the budget covers. Exit 1 on a violation.`;

/** The strategies explore runs. */
const EXPLORE_STRATEGIES = ['bounded'] as const;

/** `explore`. */
export function cmdExplore(argv: string[]): number {
  const { values: v, positionals } = parse(argv, {
    ...COMMON, preemptions: { type: 'string' }, 'max-executions': { type: 'string' },
    'time-limit': { type: 'string' },
  });
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  noPositionals('explore', positionals);
  if (v.strategy !== undefined && !(EXPLORE_STRATEGIES as readonly string[]).includes(
    String(v.strategy))) {
    throw new SimUsageError('E_BAD_STRATEGY', `bad --strategy ${quote(String(v.strategy),
      40)}: explore searches with the bounded strategy only (expected one of ` +
      `${EXPLORE_STRATEGIES.join(', ')}; random, pct, pct:DEPTH are for run and fuzz)`);
  }
  if (v.seed !== undefined) {
    throw new SimUsageError('E_USAGE', 'explore takes no --seed (the bounded search visits ' +
      'every schedule within the bound; use run or fuzz for seeded runs)');
  }
  const scen = (v.scenario as string[] | undefined) ?? [];
  if (scen.length !== 1) throw new SimUsageError('E_USAGE', 'explore takes exactly one --scenario');
  const { scenario, ref } = scenarioArg(scen[0]!);
  const memory = memoryArg(v.memory);
  const limit = timeLimitArg(v['time-limit']);
  const t0 = performance.now();
  const deadline = limit === undefined ? Infinity : t0 + limit * 1000;
  const bar = progress('explore');
  const max = intOpt(v['max-executions'], 'max-executions', 100_000, 1, 1e9);
  let r;
  try {
    r = explore({
      variant: required(v.variant, 'variant'), scenario,
      preemptions: intOpt(v.preemptions, 'preemptions', 2, 0, 20),
      maxExecutions: max, ...(memory ? { memory } : {}),
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
  } else if (failure) {
    console.log(`violation after ${r.executions} executions (preemption bound ` +
      `${r.preemptions}):\n`);
    console.log(describeRun(failure));
  } else {
    console.log(`${r.executions} executions, ${r.steps} steps in ${secs.toFixed(2)} s ` +
      `(${rate(r.executions / secs)} executions/s): ` + (r.complete
      ? `no violation within ${r.preemptions} preemptions (search complete)`
      : r.stopped
        ? `no violation found; STOPPED by the time limit (${limit} s) before covering every ` +
          `schedule with ${r.preemptions} preemptions (not complete)`
        : `no violation found; the search stopped at the execution budget before ` +
          `covering every schedule with ${r.preemptions} preemptions`));
  }
  return failure ? 1 : 0;
}
