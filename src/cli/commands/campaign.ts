/**
 * `campaign` (what `npm start` runs): a short fuzz campaign over every built-in variant,
 * the library scenarios and some generated ones, with a summary table.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { variantNames } from '../../eventpoll/variant.ts';
import { scenarioNames } from '../../scenario/library.ts';
import { intOpt, parse } from '../args.ts';
import { FuzzPool } from '../fuzz-pool.ts';
import { progress } from '../progress.ts';
import { rate, table } from '../table.ts';
import { seedArg } from './common.ts';

const HELP = `usage: eventpoll-sim campaign [--schedules N] [--gen N] [--seed N] [--jobs N]
       [--strict] [--json]
Fuzzes every variant on every library scenario (--schedules each, default 200) and on
--gen generated scenarios (default 20), then prints one summary row per variant. A variant
with 20000 executions or more runs on --jobs worker threads (default: one per CPU); the
results do not depend on it.
Some variants are designs known to be broken (the RFCs of the source documents), so a
violation is a finding, not a failure: the exit code is 0 unless --strict is given.`;

/** `campaign`. */
export async function cmdCampaign(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, {
    schedules: { type: 'string' }, gen: { type: 'string' }, seed: { type: 'string' },
    jobs: { type: 'string' },
    json: { type: 'boolean' }, help: { type: 'boolean' }, strict: { type: 'boolean' },
  });
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const schedules = intOpt(v.schedules, 'schedules', 200, 1, 1e9);
  const gen = intOpt(v.gen, 'gen', 20, 0, 1e6);
  const seed = seedArg(v.seed);
  const jobs = intOpt(v.jobs, 'jobs', availableParallelism(), 1, 64);
  const pool = new FuzzPool(jobs);
  const scenarios = [...scenarioNames()];
  for (let i = 0; i < gen; i++) scenarios.push(`gen:${seed + i}`);
  const rows: string[][] = [];
  const out: unknown[] = [];
  let violations = 0;
  const t00 = performance.now();
  for (const variant of variantNames()) {
    const bar = progress(variant, !v.json);
    const t0 = performance.now();
    let sum;
    try {
      sum = await pool.fuzz({ variant, scenarios, schedules, seed,
        onProgress: (d, t) => bar.tick(d, t) });
    } catch (e) {
      await pool.close();
      throw e;
    } finally {
      bar.stop();
    }
    const secs = (performance.now() - t0) / 1000;
    violations += sum.violations;
    const first = sum.scenarios.find((s) => s.failure);
    rows.push([variant, String(sum.scenarios.length), String(sum.schedules),
      rate(sum.steps / secs), String(sum.violations),
      first ? `${first.scenario} seed ${first.failure!.seed}` : '-']);
    out.push({ variant, scenarios: sum.scenarios.length, schedules: sum.schedules,
      steps: sum.steps, seconds: secs, violations: sum.violations,
      firstFailure: first ? { scenario: first.scenario, seed: first.failure!.seed,
        property: first.failure!.violation.property, replay: first.replay } : null });
    if (!v.json && first) {
      console.error(`${variant}: ${first.failure!.violation.message}\n  replay: ${first.replay}`);
    }
  }
  await pool.close();
  const wall = (performance.now() - t00) / 1000;
  if (v.json) {
    console.log(JSON.stringify(out, null, 1));
  } else {
    console.log(table(['variant', 'scenarios', 'schedules', 'steps/s', 'violations',
      'first failing'], rows));
    console.log(`\n${wall.toFixed(1)} s on ${pool.used} thread${pool.used === 1 ? '' : 's'}; ` +
      (violations === 0 ? 'no violation found.' : `${violations} violation(s) found.`));
  }
  return violations > 0 && v.strict ? 1 : 0;
}
