/**
 * `npm run bench`: speed as ratios to the bare generator loop measured in the same process.
 * Prints a table, or JSON with --json. The clock is read only here (a bench edge).
 */
import { performance } from 'node:perf_hooks';
import { simulate } from '../api/simulate.ts';
import { bareLoop } from './bare.ts';
import { coreRun } from './core.ts';

const now = () => performance.now();
const json = process.argv.includes('--json');

interface Row {
  name: string;
  schedules: number;
  steps: number;
  seconds: number;
  schedulesPerSec: number;
  stepsPerSec: number;
  ratio: number;
}

function measure(name: string, seconds: number, one: (seed: number) => number, bare: number):
Row {
  // Warm up until the JIT has settled (a fixed count left early rows half-optimised).
  const w0 = now();
  for (let s = 0; now() - w0 < 300 || s < 50; s++) one(1_000_000 + s);
  let steps = 0;
  let schedules = 0;
  const t0 = now();
  while (now() - t0 < seconds * 1000) {
    for (let i = 0; i < 20; i++) steps += one(schedules++);
  }
  const secs = (now() - t0) / 1000;
  return { name, schedules, steps, seconds: secs, schedulesPerSec: schedules / secs,
    stepsPerSec: steps / secs, ratio: steps / secs / bare };
}

const budget = Number(process.env.BENCH_SECONDS ?? 2);
bareLoop(2_000_000, 4, now);
const bare = Math.max(bareLoop(5_000_000, 4, now), bareLoop(5_000_000, 4, now));
const rows: Row[] = [
  measure('core: 4 CPUs, locks+lists+IRQs, TSO, checker on', budget, (s) => coreRun(s, true),
    bare),
  measure('core: same, checker off', budget, (s) => coreRun(s, false), bare),
];
for (const scenario of ['signal-eintr', 'one-wakeup', 'et-two-waiters', 'lt-two-waiters',
  'harvest-vs-irq', 'nested-sets', 'oneshot-twice']) {
  rows.push(measure(`eventpoll: ${scenario}, checkers on`, budget,
    (seed) => simulate({ variant: 'mainline-6.18', scenario, seed }).steps, bare));
}
rows.push(measure('eventpoll: oneshot-twice, checkers off', budget,
  (seed) => simulate({ variant: 'mainline-6.18', scenario: 'oneshot-twice', seed,
    checkers: [] }).steps, bare));

if (json) {
  console.log(JSON.stringify({ bareStepsPerSec: bare, rows }, null, 1));
} else {
  const f = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(1)}k`);
  console.log(`bare generator loop (4 coroutines, 1 yield + 1 PRNG pick per step): ` +
    `${f(bare)} steps/s\n`);
  console.log('benchmark'.padEnd(52) + 'schedules/s'.padStart(12) + 'steps/sched'.padStart(12) +
    'steps/s'.padStart(10) + 'vs bare'.padStart(9));
  for (const r of rows) {
    console.log(r.name.padEnd(52) + f(r.schedulesPerSec).padStart(12) +
      (r.steps / r.schedules).toFixed(0).padStart(12) + f(r.stepsPerSec).padStart(10) +
      `${(r.ratio * 100).toFixed(1)}%`.padStart(9));
  }
  console.log('\ntargets: core and eventpoll rows >= 25% of the bare loop; a 2-CPU scenario of ' +
    'about 50 steps (signal-eintr) >= 50.0k schedules/s');
}
