/**
 * Command-line costs measured from outside, as a user pays them: the CPU time of a whole CLI
 * process (start-up included) for the compiled package against the same sources run through
 * tsx, side by side in one run; and a fuzz campaign on one worker thread against two.
 *
 * A child's CPU time is read from /proc/self/stat (cutime + cstime of waited-for children,
 * in clock ticks), since Node reports resource usage for its own process only. A bench edge:
 * the clock is read here, never in the model.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** USER_HZ on Linux. */
const TICKS_PER_SECOND = 100;

/** CPU seconds used by this process's waited-for children so far, or null off Linux. */
function childrenCpu(): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  // Fields after the command name (which may contain spaces), 1-based from field 3.
  const rest = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(rest[16 - 3]) + Number(rest[17 - 3])) / TICKS_PER_SECOND;
}

/** One measured command: mean CPU seconds and wall seconds per run. */
export interface CommandCost {
  name: string;
  runs: number;
  cpuSeconds: number;
  wallSeconds: number;
}

function cost(name: string, args: string[], runs: number): CommandCost {
  const c0 = childrenCpu() ?? 0;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0 && r.status !== 1) {
      throw new Error(`${name}: exit ${r.status}: ${r.stderr.slice(0, 500)}`);
    }
  }
  return { name, runs, cpuSeconds: ((childrenCpu() ?? 0) - c0) / runs,
    wallSeconds: (performance.now() - t0) / 1000 / runs };
}

/** `eventpoll-sim list` compiled vs through tsx; the ratio is tsx CPU / compiled CPU. */
export function startupCosts(runs = 5): { compiled: CommandCost; tsx: CommandCost;
  ratio: number } | null {
  try {
    createRequire(import.meta.url).resolve('tsx');
  } catch {
    return null; // tsx is a development dependency; without it there is nothing to compare
  }
  const compiled = cost('eventpoll-sim list (compiled, one-file bundle)',
    [join(ROOT, 'bin', 'eventpoll-sim.js'), 'list'], runs);
  const viaTsx = cost('eventpoll-sim list (sources through tsx)', ['--import', 'tsx',
    '--input-type=module', '-e',
    `const { main } = await import(${JSON.stringify(join(ROOT, 'src', 'cli', 'main.ts'))});` +
    "process.exitCode = await main(['list']);"], runs);
  return { compiled, tsx: viaTsx, ratio: viaTsx.cpuSeconds / compiled.cpuSeconds };
}

/** A `fuzz` campaign of `schedules` executions on 1 and on 2 threads (CPU and wall). */
export function jobsCosts(schedules: number): { one: CommandCost; two: CommandCost;
  speedup: number } {
  const args = (jobs: number) => [join(ROOT, 'bin', 'eventpoll-sim.js'), 'fuzz', '--variant',
    'mainline-6.18', '--scenario', 'signal-eintr', '--schedules', String(schedules), '--jobs',
    String(jobs)];
  const one = cost(`fuzz ${schedules} schedules, --jobs 1`, args(1), 1);
  const two = cost(`fuzz ${schedules} schedules, --jobs 2`, args(2), 1);
  return { one, two, speedup: one.wallSeconds / two.wallSeconds };
}
