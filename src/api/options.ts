/**
 * Argument checks of the public API. Every entry point (simulate, replay, fuzz, planChunks,
 * runChunk, mergeChunks, explore, checkNoViolation, differential) checks its options here
 * before it uses them, so a bad argument is a {@link SimUsageError} naming the function, the
 * field and the bad value (quoted, escaped and cut by `quote`), never a TypeError from deep
 * inside or a silently wrong answer (a string seed concatenated, a negative count that runs
 * nothing and reports a clean result). Lookups by a user's string go through `Object.hasOwn`
 * or a Map, so `constructor` or `__proto__` is an unknown name like any other.
 */
import { MEMORY_MODES, type MemoryMode } from '../sim/memory.ts';
import { OBSERVERS } from '../scenario/build.ts';
import { intArg, isRecord, quote, SimUsageError } from '../sim/errors.ts';
import { DEFAULT_LIMITS, type Limits } from '../sim/limits.ts';
import { SCHEDULE_CHOICES_MAX } from '../sim/schedule.ts';
import { makeScheduler, STRATEGY_NAMES } from '../sim/schedulers/index.ts';

/** The largest seed: seeds are 32-bit. */
export const SEED_MAX = 0xffff_ffff;

function bad(field: string, expected: string, v: unknown): never {
  throw new SimUsageError('E_BAD_ARGUMENT', `${field}: expected ${expected}, got ${quote(v)}`);
}

/** The options object itself. */
export function optionsArg(o: unknown, fn: string): Record<string, unknown> {
  if (!isRecord(o)) bad(`${fn}()`, 'an options object', o);
  return o;
}

/** A variant: a registered name (`name+BUG...`) or a Variant object. */
export function variantArg(v: unknown, field: string): void {
  if (typeof v === 'string') return;
  if (isRecord(v) && typeof v.name === 'string' && Array.isArray(v.bugs) && isRecord(v.ops)) {
    return;
  }
  bad(field, 'a variant name or a Variant object', v);
}

/** Optional bug switch names. */
export function bugsArg(v: unknown, field: string): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.length > 64) bad(field, 'an array of bug switch names', v);
  v.forEach((b, i) => {
    if (typeof b !== 'string') bad(`${field}[${i}]`, 'a bug switch name', b);
  });
}

/** A scenario: an object (validated when resolved) or a name. */
export function scenarioArg(v: unknown, field: string): void {
  if (typeof v !== 'string' && !isRecord(v)) bad(field, 'a scenario object or name', v);
}

/** An optional seed: an integer from 0 to 2^32-1, a number (not a string). */
export function seedArg(v: unknown, field: string): number | undefined {
  return v === undefined ? undefined : intArg(v, field, 0, SEED_MAX);
}

/** An optional strategy name (`random`, `pct`, `pct:D`, `preempt:K`, `portfolio`). */
export function strategyArg(v: unknown, field: string): void {
  if (v === undefined) return;
  if (typeof v !== 'string') bad(field, `a strategy name (${STRATEGY_NAMES})`, v);
  makeScheduler(v);
}

/** An optional memory model. */
export function memoryArg(v: unknown, field: string): void {
  if (v !== undefined && !MEMORY_MODES.includes(v as MemoryMode)) {
    bad(field, MEMORY_MODES.map((x) => `'${x}'`).join(', ').replace(/, ([^,]*)$/, ' or $1'), v);
  }
}

/** An optional boolean. */
export function boolArg(v: unknown, field: string): void {
  if (v !== undefined && typeof v !== 'boolean') bad(field, 'a boolean', v);
}

/** An optional string. */
export function stringArg(v: unknown, field: string): void {
  if (v !== undefined && typeof v !== 'string') bad(field, 'a string', v);
}

/** An optional callback. */
export function functionArg(v: unknown, field: string): void {
  if (v !== undefined && typeof v !== 'function') bad(field, 'a function', v);
}

/** The most a limit may be raised to (the step limit: a billion steps is hours of work). */
const LIMIT_MAX: Readonly<Record<keyof Limits, number>> = {
  stepsMax: 1_000_000_000, cpusMax: 64, contextsMax: 1_000_000, bypassMax: 1_000_000,
};

/** Optional limits: known names only, each a positive integer up to its cap. */
export function limitsArg(v: unknown, field: string): void {
  if (v === undefined) return;
  if (!isRecord(v)) bad(field, 'an object of limits', v);
  for (const k of Object.keys(v)) {
    if (!Object.hasOwn(DEFAULT_LIMITS, k)) {
      throw new SimUsageError('E_BAD_ARGUMENT', `${field}: unknown limit ${quote(k)}: ` +
        `expected one of ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    }
    if (v[k] !== undefined) intArg(v[k], `${field}.${k}`, 1, LIMIT_MAX[k as keyof Limits]);
  }
}

/** Optional property observer ids, each one of the known ones. */
export function checkersArg(v: unknown, field: string): void {
  if (v === undefined) return;
  const known = Object.keys(OBSERVERS).join(', ');
  if (!Array.isArray(v) || v.length > 64) bad(field, `an array of checker ids (${known})`, v);
  v.forEach((c, i) => {
    if (typeof c !== 'string' || !Object.hasOwn(OBSERVERS, c)) {
      bad(`${field}[${i}]`, `one of ${known}`, c);
    }
  });
}

/** Optional `choices` for the fast-check scheduler: non-negative integers. */
export function choicesArg(v: unknown, field: string): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.length > SCHEDULE_CHOICES_MAX) {
    bad(field, `an array of at most ${SCHEDULE_CHOICES_MAX} non-negative integers`, v);
  }
  for (let i = 0; i < v.length; i++) {
    const c: unknown = v[i];
    if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 0) {
      bad(`${field}[${i}]`, 'a non-negative integer', c);
    }
  }
}

/** An optional custom scheduler: an object with `begin` and `pick` functions. */
export function schedulerArg(v: unknown, field: string): void {
  if (v === undefined) return;
  if (!isRecord(v) || typeof v.pick !== 'function' || typeof v.begin !== 'function') {
    bad(field, 'a Scheduler (an object with begin and pick)', v);
  }
}

/** The most scenarios a campaign takes. */
export const SCENARIOS_MAX = 100_000;
/** The most chunks {@link checkChunkSize} lets a plan have. */
export const CHUNKS_MAX = 1_000_000;

/** Checks the options of fuzz() and its chunk functions (`fn` names the caller). */
export function checkFuzzOptions(o: unknown, fn: string): void {
  const x = optionsArg(o, fn);
  variantArg(x.variant, `${fn}: variant`);
  bugsArg(x.bugs, `${fn}: bugs`);
  const sc = x.scenarios;
  if (!Array.isArray(sc) || sc.length < 1 || sc.length > SCENARIOS_MAX) {
    bad(`${fn}: scenarios`, `an array of 1 to ${SCENARIOS_MAX} scenarios`, sc);
  }
  sc.forEach((s, i) => scenarioArg(s, `${fn}: scenarios[${i}]`));
  // Execution i of a scenario runs seed `seed + i` (mod 2^32): more than 2^32 would repeat.
  intArg(x.schedules, `${fn}: schedules`, 1, SEED_MAX + 1);
  seedArg(x.seed, `${fn}: seed`);
  strategyArg(x.strategy, `${fn}: strategy`);
  memoryArg(x.memory, `${fn}: memory`);
  boolArg(x.stopAtFirst, `${fn}: stopAtFirst`);
  functionArg(x.onProgress, `${fn}: onProgress`);
  if (x.refs !== undefined && !(x.refs instanceof Map)) bad(`${fn}: refs`, 'a Map', x.refs);
}

/** planChunks' chunk size: a positive integer (or Infinity), and not too many chunks. */
export function checkChunkSize(size: unknown, scenarios: number, schedules: number): void {
  if (size !== Infinity) intArg(size, 'planChunks: size', 1, Number.MAX_SAFE_INTEGER);
  const n = scenarios * Math.ceil(schedules / (size as number));
  if (n > CHUNKS_MAX) {
    throw new SimUsageError('E_BAD_ARGUMENT', `planChunks: size: ${String(size)} makes ${n} ` +
      `chunks, over the cap of ${CHUNKS_MAX}; use larger chunks`);
  }
}

/** A chunk to run: a scenario index and an execution range inside the campaign. */
export function checkChunk(ch: unknown, scenarios: number, schedules: number,
  share = 0): void {
  if (!isRecord(ch)) bad('runChunk: chunk', 'an object {index, from, to}', ch);
  intArg(ch.index, 'runChunk: chunk.index', 0, scenarios - 1);
  const from = intArg(ch.from, 'runChunk: chunk.from', 0, schedules);
  const to = intArg(ch.to, 'runChunk: chunk.to', from, schedules);
  if (ch.verify !== undefined && ch.verify !== true) {
    bad('runChunk: chunk.verify', 'true', ch.verify);
  }
  if (ch.verify && (share === 0 || from !== schedules - share || to !== schedules)) {
    throw new SimUsageError('E_BAD_ARGUMENT', `runChunk: chunk: a verify chunk must be the ` +
      `last ${share} executions of a portfolio campaign (${schedules - share} to ${schedules})` +
      `, got ${from} to ${to}`);
  }
  if (!ch.verify && to > schedules - share) {
    throw new SimUsageError('E_BAD_ARGUMENT', `runChunk: chunk: executions ` +
      `${schedules - share} to ${schedules - 1} are the portfolio's reduced search (a verify ` +
      `chunk), got a chunk to ${to}`);
  }
}

/**
 * Checks chunk results before they are merged: each well formed, no two for the same
 * executions, and per scenario every execution covered from the first one, up to the end,
 * or with `stop`, up to the first failure (chunks after it may be missing: they are skipped).
 */
export function checkChunkResults(results: unknown, scenarios: number, schedules: number,
  stop: boolean): void {
  if (!Array.isArray(results)) bad('mergeChunks: results', 'an array of chunk results', results);
  const by: { from: number; n: number; failed: boolean }[][] =
    Array.from({ length: scenarios }, () => []);
  results.forEach((r: unknown, i) => {
    const f = `mergeChunks: results[${i}]`;
    if (!isRecord(r)) bad(f, 'a chunk result', r);
    const index = intArg(r.index, `${f}.index`, 0, scenarios - 1);
    const from = intArg(r.from, `${f}.from`, 0, schedules - 1);
    const n = intArg(r.schedules, `${f}.schedules`, 0, schedules - from);
    intArg(r.steps, `${f}.steps`, 0, Number.MAX_SAFE_INTEGER);
    const v = intArg(r.violations, `${f}.violations`, 0, n);
    intArg(r.limits, `${f}.limits`, 0, n - v);
    if (typeof r.variant !== 'string') bad(`${f}.variant`, 'a string', r.variant);
    if (r.failure !== undefined && !isRecord(r.failure)) {
      bad(`${f}.failure`, 'an object', r.failure);
    }
    if (r.limit !== undefined && !isRecord(r.limit)) bad(`${f}.limit`, 'an object', r.limit);
    // A reduced search that completed early ran fewer executions than its share's slots.
    const slots = isRecord(r.verified) ? intArg(r.verified.slots, `${f}.verified.slots`, n,
      schedules - from) : n;
    by[index]!.push({ from, n: slots,
      failed: r.failure !== undefined || r.limit !== undefined });
  });
  by.forEach((list, index) => {
    list.sort((a, b) => a.from - b.from);
    let at = 0;
    for (let k = 0; k < list.length; k++) {
      const c = list[k]!;
      if (k > 0 && c.from === list[k - 1]!.from) {
        throw new SimUsageError('E_BAD_ARGUMENT', `mergeChunks: two results for scenario ` +
          `${index} from execution ${c.from} (a chunk given twice)`);
      }
      if (at === -1) continue;
      if (c.from !== at) {
        throw new SimUsageError('E_BAD_ARGUMENT', `mergeChunks: scenario ${index} has no ` +
          `result for executions ${at} to ${c.from - 1} (a missing chunk), or overlapping chunks`);
      }
      at = c.failed && stop ? -1 : at + c.n;
    }
    if (at !== -1 && at !== schedules) {
      throw new SimUsageError('E_BAD_ARGUMENT', `mergeChunks: scenario ${index} has results ` +
        `for the first ${at} of its ${schedules} executions (a missing chunk)`);
    }
  });
}
