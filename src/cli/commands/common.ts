/** Options shared by the commands, and loading a scenario from a name or a JSON file. */
import { MEMORY_MODES, type MemoryMode } from '../../sim/memory.ts';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Scenario } from '../../scenario/types.ts';
import { validateScenario } from '../../scenario/validate.ts';
import { parseSeed, quote, SimUsageError } from '../../sim/errors.ts';
import { choiceOpt, intOpt } from '../args.ts';
import { zooScenario } from '../../zoo/scenarios.ts';
import { makeScheduler, STRATEGY_NAMES } from '../../sim/schedulers/index.ts';

/**
 * fuzz's and campaign's strategy when none is given: the portfolio (a member strategy per
 * seed; no single strategy finds every bug of the zoo first, see docs/zoo.md).
 */
export const DEFAULT_FUZZ_STRATEGY = 'portfolio';

/** What --strategy means, for the help of fuzz and campaign. */
export const STRATEGY_HELP = `--strategy S: portfolio (the default: the seed picks one of
pct:3, pct:2, pct:4, preempt:1, preempt:2, preempt:3 and random, in fixed shares, so every
failure replays from its seed; under lkmm random has five shares of eight), random
(uniform), pct or pct:D (PCT of depth D, default 3), preempt:K (random schedules with at
most K preemptions).`;

/** parseArgs option specs used by several commands. */
export const COMMON = {
  variant: { type: 'string' },
  scenario: { type: 'string', multiple: true },
  seed: { type: 'string' },
  strategy: { type: 'string' },
  memory: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The largest scenario file read, in bytes (a scenario of a thousand calls is ~100 KB). */
export const SCENARIO_FILE_MAX = 4 << 20;

/**
 * Reads an input file named by the user (a scenario, a failure to replay, a script, a
 * shard): a regular file of at most `max` bytes (default {@link SCENARIO_FILE_MAX}) only, so
 * `/dev/zero` (endless) or a FIFO (a hang) is a usage error, not a read. `what` names the
 * file in messages.
 */
export function readInputFile(path: string, what: string, max = SCENARIO_FILE_MAX): string {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new SimUsageError('E_USAGE', `cannot read ${what} ${quote(path)}: ` +
      quote((e as Error).message, 120));
  }
  if (!st.isFile() || st.size > max) {
    throw new SimUsageError('E_USAGE', `${what} ${quote(path)}: ${st.isFile()
      ? `${st.size} bytes, over the cap of ${max}` : 'not a regular file'}`);
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    // A file that stat calls regular may still refuse a read (/proc/self/mem: EIO).
    throw new SimUsageError('E_USAGE', `cannot read ${what} ${quote(path)}: ` +
      quote((e as Error).message, 120));
  }
}

/** A scenario argument: a library or zoo name, `gen:SEED`, or a path to a JSON file. */
export function scenarioArg(s: string): { scenario: Scenario | string; ref: string } {
  // The zoo's scenarios (src/zoo/scenarios.ts) are accepted by name, so its replay lines work.
  const zoo = zooScenario(s);
  if (zoo) return { scenario: zoo, ref: s };
  if (s.endsWith('.json') || (s.includes('/') && existsSync(s))) {
    if (!existsSync(s)) throw new SimUsageError('E_USAGE', `scenario file ${quote(s)} not found`);
    const text = readInputFile(s, 'scenario file');
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new SimUsageError('E_BAD_SCENARIO', `scenario file ${quote(s)} is not valid JSON: ` +
        quote((e as Error).message, 120));
    }
    return { scenario: validateScenario(data), ref: s };
  }
  return { scenario: s, ref: s };
}

/** The seed option (default 0). */
export function seedArg(v: unknown): number {
  return v === undefined ? 0 : parseSeed(String(v));
}

/** The memory option. */
export function memoryArg(v: unknown): MemoryMode | undefined {
  return choiceOpt(v, 'memory', MEMORY_MODES);
}

/** A required string option. */
export function required(v: unknown, name: string): string {
  if (typeof v !== 'string' || v === '') {
    throw new SimUsageError('E_USAGE', `missing --${name}`);
  }
  return v;
}

/**
 * The --strategy option: undefined when not given; a name `makeScheduler` knows otherwise
 * (an unknown one, or an empty one, is a usage error naming the known strategies).
 */
export function strategyArg(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  if (s === '') {
    throw new SimUsageError('E_BAD_STRATEGY',
      `bad --strategy '': expected one of ${STRATEGY_NAMES}`);
  }
  makeScheduler(s);
  return s;
}

/** Commands that take no positional argument reject a stray one (a typo'd option value). */
export function noPositionals(cmd: string, positionals: readonly string[]): void {
  if (positionals.length === 0) return;
  throw new SimUsageError('E_USAGE', `${cmd} takes no positional argument, got ` +
    quote(positionals[0]!, 60));
}

/**
 * The --jobs option: threads to run on (default: the CPU count). More threads than CPUs
 * only cost memory and time (each holds its own copy of the model and competes for the
 * same cores), so the count is capped at the CPU count, with a note, unless `force`
 * (--force-jobs) is given.
 */
export function jobsArg(v: unknown, force: boolean, cpus = availableParallelism()): number {
  const n = intOpt(v, 'jobs', cpus, 1, force ? 256 : 64);
  if (n > cpus && !force) {
    process.stderr.write(`eventpoll-sim: --jobs ${n} capped at the ${cpus} CPU` +
      `${cpus === 1 ? '' : 's'} of this machine (--force-jobs to use ${n})\n`);
    return cpus;
  }
  return n;
}

/** The --time-limit option: seconds (a positive number), or undefined. */
export function timeLimitArg(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  const n = /^[0-9]{1,7}(\.[0-9]{1,3})?$/.test(s) ? Number(s) : NaN;
  if (!(n > 0)) {
    throw new SimUsageError('E_USAGE', `bad --time-limit ${quote(s, 40)}: expected a ` +
      'number of seconds greater than 0');
  }
  return n;
}
