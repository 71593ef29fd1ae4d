/**
 * `npm run bench`: speed as ratios to the bare generator loop measured in the same process.
 * Each row runs in a process of its own (this script with `--row N`), which measures the
 * bare loop and then the row: rows sharing a process skew each other, because the JIT's
 * inline caches in the machine's step loop fill with the generator types of earlier rows.
 * Prints a table, or JSON with --json. The clock is read only here (a bench edge).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FuzzPool } from '../cli/fuzz-pool.ts';
import { setEngine } from '../sim/engine.ts';
import { bareLoop } from './bare.ts';
import { ROWS } from './rows.ts';
import { jobsCosts, startupCosts, type CommandCost } from './startup.ts';

const now = () => performance.now();

interface Row {
  name: string;
  schedules: number;
  steps: number;
  seconds: number;
  schedulesPerSec: number;
  stepsPerSec: number;
  /** The bare loop's rate in the row's process. */
  bareStepsPerSec: number;
  ratio: number;
  /** Schedules per CPU-second (process.cpuUsage) of the fast engine, over all its windows. */
  cpuSchedulesPerSec: number;
  /** The same for the baseline engine (sim/engine.ts), measured in the same process. */
  baselineCpuSchedulesPerSec: number;
  /** The baseline's best-window wall-clock rate (as schedulesPerSec is the fast one's). */
  baselineSchedulesPerSec: number;
  /**
   * Fast over baseline in schedules per CPU-second: the median, over pairs of adjacent
   * windows (one of each engine, so under the same load), of the ratio of their rates.
   */
  speedup: number;
  /** The same in wall-clock schedules/s. */
  speedupWall: number;
}

/** The baseline's rows: from the untransformed graph the build keeps (see rows.ts). */
interface RowsModule {
  ROWS: [string, (seed: number) => number][];
  setEngine(e: 'fast' | 'baseline'): unknown;
}

async function baselineRows(): Promise<RowsModule> {
  const url = new URL('../baseline/bench/rows.js', import.meta.url);
  if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) {
    const m = (await import(url.href)) as RowsModule;
    m.setEngine('baseline');
    return m;
  }
  // Run from the sources (tsx): the same graph, the baseline engine per window.
  return { ROWS, setEngine };
}

/** CPU time of this process (user + system), in ms. */
function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** One engine's tallies over its windows. */
interface Tally {
  steps: number;
  schedules: number;
  cpuMs: number;
  bestSteps: number;
  bestSchedules: number;
  /** Per window: schedules per CPU-second and per wall-second. */
  cpuRates: number[];
  wallRates: number[];
}

function median(xs: readonly number[]): number {
  const a = xs.slice().sort((x, y) => x - y);
  const h = a.length >> 1;
  return a.length % 2 === 1 ? a[h]! : (a[h - 1]! + a[h]!) / 2;
}

/** The median over window pairs (adjacent in time, so under the same load) of a / b. */
function pairRatio(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  return median(Array.from({ length: n }, (_, i) => a[i]! / b[i]!));
}

/**
 * Measures one row. Windows of 200 ms alternate between the package (fast engine, model
 * trampolined by the build) and the baseline (the untransformed copy in dist/baseline on the
 * baseline engine of sim/engine.ts) in this process, so both see the same neighbours. The wall
 * rates are the best window of each: on this kind of machine a process's rate can differ by
 * 2x between windows (JIT tiering, neighbours), and the best window is the one least
 * disturbed. The CPU rates are schedules over the CPU time of all windows of an engine
 * (process.cpuUsage: it includes V8's compiler and GC threads); the speed-ups are medians
 * of adjacent window pairs. The bare loop runs before and after the row; even so it
 * settles at about 35M or about 60M steps/s depending on the process, which the `bare`
 * column shows.
 */
function measure(name: string, seconds: number, fastOne: (seed: number) => number,
  base: RowsModule, baseOne: (seed: number) => number): Row {
  let bare = 0;
  for (let i = 0; i < 6; i++) bare = Math.max(bare, bareLoop(5_000_000, 4, now));
  // The baseline: its own module graph, or this one's baseline engine (set per window).
  const same = base.ROWS === ROWS;
  const select = (fast: boolean): ((seed: number) => number) => {
    if (same) setEngine(fast ? 'fast' : 'baseline');
    return fast ? fastOne : baseOne;
  };
  // Warm up both until the JIT has settled (a fixed count left rows half-optimised).
  for (const fast of [false, true]) {
    const one = select(fast);
    const w0 = now();
    for (let s = 0; now() - w0 < 400 || s < 50; s++) one(1_000_000 + s);
  }
  const tally = (): Tally => ({ steps: 0, schedules: 0, cpuMs: 0, bestSteps: 0,
    bestSchedules: 0, cpuRates: [], wallRates: [] });
  const fast = tally();
  const slow = tally();
  const t0 = now();
  for (let k = 0; now() - t0 < seconds * 1000 * 2 || k % 2 === 1; k++) {
    const t = k % 2 === 0 ? fast : slow;
    const one = select(k % 2 === 0);
    const w = now();
    const c = cpuNow();
    let ws = 0;
    let wn = 0;
    while (now() - w < 200) {
      // The same seeds for both engines, so they run the same schedules.
      for (let i = 0; i < 10; i++) ws += one(t.schedules + wn++);
    }
    const dt = (now() - w) / 1000;
    const dc = cpuNow() - c;
    t.cpuMs += dc;
    t.cpuRates.push(wn / (dc / 1000));
    t.wallRates.push(wn / dt);
    if (ws / dt > t.bestSteps) {
      t.bestSteps = ws / dt;
      t.bestSchedules = wn / dt;
    }
    t.steps += ws;
    t.schedules += wn;
  }
  select(true);
  for (let i = 0; i < 3; i++) bare = Math.max(bare, bareLoop(5_000_000, 4, now));
  const cpuRate = (t: Tally) => t.schedules / (t.cpuMs / 1000);
  return { name, schedules: fast.schedules, steps: fast.steps, seconds: (now() - t0) / 1000,
    schedulesPerSec: fast.bestSchedules, stepsPerSec: fast.bestSteps, bareStepsPerSec: bare,
    ratio: fast.bestSteps / bare, cpuSchedulesPerSec: cpuRate(fast),
    baselineCpuSchedulesPerSec: cpuRate(slow), baselineSchedulesPerSec: slow.bestSchedules,
    speedup: pairRatio(fast.cpuRates, slow.cpuRates),
    speedupWall: pairRatio(fast.wallRates, slow.wallRates) };
}

/** A fuzz campaign on `jobs` worker threads (as `fuzz --jobs`), wall clock included. */
async function parallel(scenario: string, schedules: number, jobs: number):
Promise<{ scenario: string; jobs: number; schedules: number; seconds: number;
  schedulesPerSec: number }> {
  const pool = new FuzzPool(jobs, 0);
  const t0 = now();
  const sum = await pool.fuzz({ variant: 'mainline-6.18', scenarios: [scenario], schedules });
  const seconds = (now() - t0) / 1000;
  await pool.close();
  return { scenario, jobs, schedules: sum.schedules, seconds,
    schedulesPerSec: sum.schedules / seconds };
}

/** The command-line rows: start-up compiled vs tsx, and fuzz on one thread vs two. */
function cliRows(json: boolean): unknown {
  const startup = startupCosts();
  const jobs = jobsCosts(100_000);
  if (json) return { startup, jobs };
  const line = (c: CommandCost) => `  ${c.name.padEnd(48)} ` +
    `${c.cpuSeconds.toFixed(3).padStart(7)} ` +
    `s CPU ${c.wallSeconds.toFixed(3).padStart(7)} s wall (mean of ${c.runs})`;
  console.log('\ncommand line, whole processes (CPU time from the kernel\'s child accounting):');
  if (startup) {
    console.log(line(startup.compiled));
    console.log(line(startup.tsx));
    console.log(`  start-up: tsx costs ${startup.ratio.toFixed(1)}x the CPU of the compiled ` +
      'package (target >= 4x)');
  } else {
    console.log('  (tsx is not installed: no start-up comparison)');
  }
  console.log(line(jobs.one));
  console.log(line(jobs.two));
  console.log(`  --jobs 2 over --jobs 1: ${jobs.speedup.toFixed(2)}x faster (wall clock)`);
  return undefined;
}

const budget = Number(process.env.BENCH_SECONDS ?? 3);
const rowArg = process.argv.indexOf('--row');
const parArg = process.argv.indexOf('--parallel');
if (process.argv.includes('--cli')) {
  const out = cliRows(process.argv.includes('--json'));
  if (out !== undefined) console.log(JSON.stringify(out, null, 1));
} else if (rowArg >= 0) {
  const i = Number(process.argv[rowArg + 1]);
  const [name, one] = ROWS[i]!;
  const base = await baselineRows();
  console.log(JSON.stringify(measure(name, budget, one, base, base.ROWS[i]![1])));
} else if (parArg >= 0) {
  const [scenario, n, jobs] = process.argv.slice(parArg + 1);
  console.log(JSON.stringify(await parallel(scenario!, Number(n), Number(jobs))));
} else {
  const json = process.argv.includes('--json');
  const rows: Row[] = ROWS.map((_, i) => {
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url),
      '--row', String(i)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`bench row ${i} failed with status ${r.status}`);
    return JSON.parse(r.stdout) as Row;
  });
  const jobs = availableParallelism();
  const par = ['signal-eintr', 'et-two-waiters'].map((sc) => {
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url),
      '--parallel', sc, String(100_000 * budget), String(jobs)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`bench parallel ${sc} failed with status ${r.status}`);
    return JSON.parse(r.stdout) as { scenario: string; schedules: number; seconds: number;
      schedulesPerSec: number };
  });
  const f = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(1)}k`);
  if (json) {
    console.log(JSON.stringify({ rows, parallel: par, cli: cliRows(true) }, null, 1));
  } else {
    console.log('Each row in its own process, as a ratio to the bare generator loop measured ' +
      'there\n(4 coroutines, 1 yield + 1 PRNG pick per step); rates are the best 200 ms ' +
      'window of each.\n');
    console.log('benchmark'.padEnd(52) + 'schedules/s'.padStart(12) +
      'steps/sched'.padStart(12) + 'steps/s'.padStart(10) + 'bare'.padStart(9) +
      'vs bare'.padStart(9) + 'sched/CPU-s'.padStart(12) + 'baseline'.padStart(10) +
      'speed-up'.padStart(10) + 'wall'.padStart(7));
    for (const r of rows) {
      console.log(r.name.padEnd(52) + f(r.schedulesPerSec).padStart(12) +
        (r.steps / r.schedules).toFixed(0).padStart(12) + f(r.stepsPerSec).padStart(10) +
        f(r.bareStepsPerSec).padStart(9) + `${(r.ratio * 100).toFixed(1)}%`.padStart(9) +
        f(r.cpuSchedulesPerSec).padStart(12) + f(r.baselineCpuSchedulesPerSec).padStart(10) +
        `${r.speedup.toFixed(2)}x`.padStart(10) + `${r.speedupWall.toFixed(2)}x`.padStart(7));
    }
    console.log('\nspeed-up: the package (fast engine, model trampolined by the build) over ' +
      'the baseline (the\nbaseline engine of sim/engine.ts on the untransformed copy in ' +
      'dist/baseline), alternating 200 ms\nwindows in the row\'s process; the median ' +
      'ratio of adjacent windows, in schedules per CPU-second\n(process.cpuUsage) and in ' +
      'wall clock. Target: >= 2x on the eventpoll rows.');
    console.log(`\nfuzz campaigns on ${jobs} worker threads (fuzz --jobs ${jobs}), wall clock ` +
      'with start-up:');
    for (const p of par) {
      console.log(`  ${p.scenario}: ${p.schedules} schedules in ${p.seconds.toFixed(1)} s = ` +
        `${f(p.schedulesPerSec)} schedules/s`);
    }
    console.log('\ntargets: core and eventpoll rows >= 25% of the bare loop; a 2-CPU scenario ' +
      'of about 50 steps\n(signal-eintr) >= 50.0k schedules/s. The floor rows are what a ' +
      'model that only loads and\nstores reaches, called 1 and 6 deep (the eventpoll ' +
      'model runs 5 to 8 deep).');
    cliRows(false);
  }
}
