/** `explore`: bounded exhaustive search (preemption bounding) of one scenario. */
import { performance } from 'node:perf_hooks';
import { explore } from '../../api/explore.ts';
import { SimUsageError } from '../../sim/errors.ts';
import { intOpt, parse } from '../args.ts';
import { describeRun } from '../report.ts';
import { rate } from '../table.ts';
import { COMMON, memoryArg, required, scenarioArg } from './common.ts';

const HELP = `usage: eventpoll-sim explore --variant V --scenario S [--preemptions K]
       [--max-executions N] [--memory sc|tso] [--json]
Runs every execution of the scenario that needs at most K preemptions (default 2),
depth first, up to N executions (default 100000). A complete search means no violation
exists within the bound; otherwise the first failure is printed. Exit 1 on a violation.`;

/** `explore`. */
export function cmdExplore(argv: string[]): number {
  const { values: v } = parse(argv, {
    ...COMMON, preemptions: { type: 'string' }, 'max-executions': { type: 'string' },
  });
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const scen = (v.scenario as string[] | undefined) ?? [];
  if (scen.length !== 1) throw new SimUsageError('E_USAGE', 'explore takes exactly one --scenario');
  const { scenario } = scenarioArg(scen[0]!);
  const memory = memoryArg(v.memory);
  const t0 = performance.now();
  const r = explore({
    variant: required(v.variant, 'variant'), scenario,
    preemptions: intOpt(v.preemptions, 'preemptions', 2, 0, 20),
    maxExecutions: intOpt(v['max-executions'], 'max-executions', 100_000, 1, 1e9),
    ...(memory ? { memory } : {}),
  });
  const secs = (performance.now() - t0) / 1000;
  if (v.json) {
    console.log(JSON.stringify({ ...r, seconds: secs }, null, 1));
  } else if (r.failure) {
    console.log(`violation after ${r.executions} executions (preemption bound ` +
      `${r.preemptions}):\n`);
    console.log(describeRun(r.failure));
  } else {
    console.log(`${r.executions} executions, ${r.steps} steps in ${secs.toFixed(2)} s ` +
      `(${rate(r.executions / secs)} executions/s): ` + (r.complete
      ? `no violation within ${r.preemptions} preemptions (search complete)`
      : `no violation found; the search stopped at the execution budget before ` +
        `covering every schedule with ${r.preemptions} preemptions`));
  }
  return r.failure ? 1 : 0;
}
