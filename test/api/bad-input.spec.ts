/**
 * The permanent guard of issue 11 for the library: fast-check feeds generated bad arguments
 * (Object prototype keys, huge and deeply nested values, NaN, negatives, strings for numbers,
 * binary junk, wrong types, cycles) to every entry point: simulate, replay, fuzz, planChunks,
 * runChunk, mergeChunks, explore, checkNoViolation, validateScenario and decodeSchedule,
 * alone and in place of one field of otherwise valid options or scenarios. Each call must
 * return a result or throw a SimError (a SimUsageError, or a LimitExceededError when a
 * valid but large input runs over the step limit) with a one-line message under 1000
 * characters and without raw control characters, never another error type, and within
 * a time bound. Fixed seed and run count, so CI sees the same inputs every time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkNoViolation } from '../../src/api/check.ts';
import { explore } from '../../src/api/explore.ts';
import { fuzz, mergeChunks, planChunks, runChunk, type FuzzOptions } from '../../src/api/fuzz.ts';
import { replay, simulate } from '../../src/api/simulate.ts';
import { resolveScenario } from '../../src/scenario/library.ts';
import { validateScenario } from '../../src/scenario/validate.ts';
import { LimitExceededError, ModelError, SimError, SimUsageError } from '../../src/sim/errors.ts';
import { decodeSchedule } from '../../src/sim/schedule.ts';

/** The fast-check seed and number of runs (recorded: change them only on purpose). */
const SEED = 20261207;
const RUNS = 2000;
/** Per call (a 2-core CI machine shared with other test files). */
const CALL_MS = 5000;
const MESSAGE_MAX = 1000;

const V = 'mainline-6.18';

function deep(n: number): unknown {
  let a: unknown = [];
  for (let i = 0; i < n; i++) a = [a];
  return a;
}

function cyclic(): unknown {
  const o: Record<string, unknown> = { name: 'c', cpus: 1 };
  o.tasks = [o];
  return o;
}

/** Values no entry point should take, and a few valid ones among them. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>('constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty',
    '', ' ', '\u0000\u001b[2J\r\n\u2028', NaN, Infinity, -Infinity, -1, 0, -0, 1.5, 2 ** 31,
    2 ** 32, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, '5', 'x', '0x10', '1e3', null, undefined,
    true, false, [], {}, [null], [[]], 10n),
  fc.constantFrom('sym', 'fn', 'map', 'date', 'nullproto', 'huge', 'deep', 'cycle', 'sched',
    'bytes').map((k): unknown => {
    switch (k) {
      case 'sym': return Symbol('junk');
      case 'fn': return () => 1;
      case 'map': return new Map([['a', 1]]);
      case 'date': return new Date(0);
      case 'nullproto': return Object.create(null) as object;
      case 'huge': return `x${'\u0007'.repeat(200_000)}`;
      case 'deep': return deep(100_000);
      case 'cycle': return cyclic();
      case 'sched': return 'a9999999b9999999'.repeat(200);
      default: return new Uint8Array([0, 255, 10, 27]);
    }
  }),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.constant(null)),
    { maxLength: 4 }),
  fc.object({ maxDepth: 2, maxKeys: 4 }),
);

/**
 * A valid count larger than `cap` becomes `cap` (and a missing one, which takes a large
 * default, becomes `cap` too), so a valid value stays quick to run.
 */
function tame(v: unknown, cap: number): unknown {
  return v === undefined || (typeof v === 'number' && Number.isInteger(v) && v > cap) ? cap : v;
}

/** A copy of a library scenario with the value at `path` replaced. */
function mutated(name: string, path: readonly (string | number)[], v: unknown): unknown {
  const sc = structuredClone(resolveScenario(name).scenario) as unknown as Record<string, unknown>;
  let o: Record<string | number, unknown> = sc;
  for (const k of path.slice(0, -1)) {
    const next = o[k];
    if (typeof next !== 'object' || next === null) return sc;
    o = next as Record<string | number, unknown>;
  }
  o[path[path.length - 1]!] = v;
  return sc;
}

const SCENARIO_PATHS: readonly (readonly (string | number)[])[] = [
  ['name'], ['cpus'], ['memory'], ['time'], ['files'], ['files', 0], ['files', 0, 'type'],
  ['files', 0, 'name'], ['files', 0, 'init'], ['sets'], ['sets', 0, 'name'], ['watches'],
  ['watches', 0], ['watches', 0, 'events'], ['watches', 0, 'fd'], ['watches', 0, 'set'],
  ['tasks'], ['tasks', 0], ['tasks', 0, 'cpu'], ['tasks', 0, 'name'], ['tasks', 0, 'program'],
  ['tasks', 0, 'program', 0], ['tasks', 0, 'program', 0, 'op'],
  ['tasks', 0, 'program', 0, 'maxevents'], ['tasks', 0, 'program', 0, 'timeout'],
  ['tasks', 0, 'program', 0, 'expect'], ['tasks', 0, 'program', 0, 'count'], ['irqs'],
  ['irqs', 0, 'fd'], ['irqs', 0, 'count'], ['irqs', 0, 'cpu'], ['signals'], ['tallies'],
  ['strictLevelTrigger'], ['extra'],
];

const FUZZ: FuzzOptions = { variant: V, scenarios: ['et-two-waiters'], schedules: 2 };
const base = { variant: V, scenario: 'et-two-waiters', seed: 1 };
const recorded = simulate(base);
const failure = { variant: V, scenario: 'et-two-waiters', seed: 1, memory: 'sc' as const,
  schedule: recorded.schedule, hash: recorded.hash };
const chunkResults = planChunks(FUZZ, 1).map((ch) => runChunk(FUZZ, ch));

type Call = (j: unknown, k: number) => unknown;
const pick = <T>(xs: readonly T[], k: number): T => xs[k % xs.length]!;

/** The entry points, each with the ways junk goes in (`k` picks a field or a path). */
const TARGETS: Readonly<Record<string, Call>> = {
  'simulate(junk)': (j) => simulate(j as never),
  'simulate({field: junk})': (j, k) => simulate({ ...base, [pick(['variant', 'scenario', 'seed',
    'strategy', 'schedule', 'prefix', 'choices', 'memory', 'trace', 'limits', 'checkers', 'bugs',
    'scenarioRef', 'scheduler'], k)]: j } as never),
  'simulate({limits: {stepsMax: junk}})': (j) =>
    simulate({ ...base, limits: { stepsMax: j } } as never),
  'simulate(scenario with junk)': (j, k) => simulate({ variant: V, seed: 2,
    scenario: mutated(pick(['et-two-waiters', 'nested-sets', 'lt-two-waiters'], k),
      pick(SCENARIO_PATHS, k), tame(j, 2)) } as never),
  'validateScenario(junk)': (j) => validateScenario(j),
  'validateScenario(scenario with junk)': (j, k) =>
    validateScenario(mutated('harvest-vs-irq', pick(SCENARIO_PATHS, k), j)),
  'replay(junk)': (j) => replay(j as never),
  'replay({field: junk})': (j, k) => replay({ ...failure, [pick(['variant', 'scenario', 'seed',
    'memory', 'schedule', 'hash'], k)]: j } as never),
  'fuzz({field: junk})': (j, k) => {
    const f = pick(['variant', 'scenarios', 'schedules', 'seed', 'strategy', 'memory',
      'stopAtFirst', 'onProgress', 'refs', 'bugs'], k);
    return fuzz({ ...FUZZ, [f]: f === 'schedules' ? tame(j, 3) : j } as never);
  },
  'fuzz({scenarios: [junk]})': (j) => fuzz({ ...FUZZ, scenarios: [j] } as never),
  'planChunks(o, junk)': (j) => planChunks(FUZZ, j as never),
  'planChunks({field: junk})': (j, k) => planChunks({ ...FUZZ, [pick(['schedules', 'scenarios',
    'seed', 'variant'], k)]: j } as never, 1),
  'runChunk(o, junk)': (j) => runChunk(FUZZ, j as never),
  'runChunk(o, {field: junk})': (j, k) => runChunk(FUZZ, { index: 0, from: 0, to: 1,
    [pick(['index', 'from', 'to'], k)]: tame(j, 2) } as never),
  'mergeChunks(o, junk)': (j) => mergeChunks(FUZZ, j as never),
  'mergeChunks(o, [result with junk])': (j, k) => mergeChunks(FUZZ, chunkResults.map((r, i) =>
    (i === 0 ? { ...r, [pick(['index', 'from', 'schedules', 'steps', 'violations', 'variant',
      'failure', 'limits', 'limit'], k)]: j } : r)) as never),
  'explore({field: junk})': (j, k) => {
    const f = pick(['preemptions', 'maxExecutions', 'scenario', 'variant', 'memory',
      'onProgress', 'bugs'], k);
    return explore({ variant: V, scenario: 'et-two-waiters', preemptions: 1, maxExecutions: 5,
      [f]: f === 'preemptions' ? tame(j, 1) : f === 'maxExecutions' ? tame(j, 5) : j } as never);
  },
  'checkNoViolation({field: junk})': (j, k) => {
    const f = pick(['numRuns', 'seed', 'scenario', 'variant', 'memory', 'bugs'], k);
    return checkNoViolation({ variant: V, scenario: 'et-two-waiters', numRuns: 2,
      [f]: f === 'numRuns' ? tame(j, 2) : j } as never);
  },
  'decodeSchedule(junk)': (j) => decodeSchedule(j as never),
};

/** Outcomes seen, by error class (or `result`), over the whole property run. */
const seen = new Map<string, number>();
const perTarget = new Map<string, Set<string>>();

describe(`api guard: generated bad arguments (fast-check seed ${SEED}, ${RUNS} runs)`, () => {
  it('every call returns a result or throws a one-line SimError, within the time bound', () => {
    const names = Object.keys(TARGETS);
    fc.assert(fc.property(fc.nat({ max: names.length - 1 }), fc.nat({ max: 1000 }), junk,
      (t, k, j) => {
        const name = names[t]!;
        const t0 = performance.now();
        let outcome = 'result';
        try {
          TARGETS[name]!(j, k);
        } catch (e) {
          outcome = e instanceof Error ? e.constructor.name : typeof e;
          if (!(e instanceof SimError) || e instanceof ModelError) {
            throw new Error(`${name}: ${outcome}: ${String((e as Error).message).slice(0, 300)}`);
          }
          const m = e.message;
          expect(m.length, `${name}: message length`).toBeLessThan(MESSAGE_MAX);
          expect(m, `${name}: raw control characters`).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
          expect(e instanceof SimUsageError || e instanceof LimitExceededError).toBe(true);
        }
        const ms = performance.now() - t0;
        expect(ms, `${name} took ${ms.toFixed(0)} ms`).toBeLessThan(CALL_MS);
        seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
        if (!perTarget.has(name)) perTarget.set(name, new Set());
        perTarget.get(name)!.add(outcome);
      }), { seed: SEED, numRuns: RUNS });
    const total = [...seen.values()].reduce((a, b) => a + b, 0);
    console.log(`api guard: ${total} calls over ${perTarget.size} entry points; outcomes: ` +
      [...seen].sort().map(([o, n]) => `${o} ${n}`).join(', '));
    expect(total).toBe(RUNS);
    // Every entry point was reached and refused something.
    expect(perTarget.size).toBe(names.length);
    for (const [name, outs] of perTarget) {
      expect([...outs].some((o) => o !== 'result'), `${name} never refused anything`).toBe(true);
    }
  });
});
