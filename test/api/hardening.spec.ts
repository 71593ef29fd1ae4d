/**
 * Issue 11, one test per defect of the library and its inputs: each failed before the fix
 * (a crash, an untyped error, a silently wrong answer or a stale result) and is now a
 * typed SimUsageError naming the field and the bad value, or the right answer.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { differential } from '../../src/api/differential.ts';
import { explore } from '../../src/api/explore.ts';
import { fuzz, mergeChunks, planChunks, runChunk, type FuzzOptions } from '../../src/api/fuzz.ts';
import { checkNoViolation, assertNoViolation } from '../../src/api/check.ts';
import { replay, simulate } from '../../src/api/simulate.ts';
import { readInputFile, scenarioArg } from '../../src/cli/commands/common.ts';
import { OpsSyntaxError, parseOps } from '../../src/conformance/parse.ts';
import { runModel } from '../../src/conformance/run-model.ts';
import { resolveScenario } from '../../src/scenario/library.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { validateScenario } from '../../src/scenario/validate.ts';
import { LimitExceededError, quote, SimUsageError } from '../../src/sim/errors.ts';
import { decodeSchedule } from '../../src/sim/schedule.ts';

const V = 'mainline-6.18';

/** Runs `f`, expects a SimUsageError, and returns its message. */
function usage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SimUsageError);
    return (e as Error).message;
  }
  throw new Error('expected a SimUsageError, but the call returned');
}

/** A plain (unfrozen) copy of a library scenario. */
function copy(name: string): Scenario {
  return structuredClone(resolveScenario(name).scenario) as Scenario;
}

describe('quote(): a user value in a message', () => {
  it('escapes control characters, cuts long values and never throws', () => {
    expect(quote('ab')).toBe("'ab'");
    expect(quote('a\u0000\u001b[2J\n')).toBe("'a\\x00\\x1b[2J\\n'");
    const long = quote('x'.repeat(10_000));
    expect(long.length).toBeLessThan(120);
    expect(long).toContain('(10000 characters)');
    expect(quote(Symbol('s'))).toBe('a symbol');
    expect(quote(10n)).toBe('10n');
    expect(quote([1, 2])).toBe('an array of 2 items');
    expect(quote(NaN)).toBe('NaN');
  });
});

describe('schedules: caps before allocation', () => {
  const huge = 'a9999999b9999999'.repeat(200);
  it('decodeSchedule refuses a schedule decoding to more than the cap, at once', () => {
    const t0 = performance.now();
    expect(usage(() => decodeSchedule(huge))).toMatch(/more than 1000000 choices/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(usage(() => decodeSchedule('a'.repeat(1_000_001)))).toMatch(/over the cap/);
    expect(usage(() => decodeSchedule(5 as never))).toMatch(/expected a string, got 5/);
  });
  it('the same through simulate({schedule}) and replay()', () => {
    expect(usage(() => simulate({ variant: V, scenario: 'lt-two-waiters', schedule: huge })))
      .toMatch(/more than 1000000 choices/);
    expect(usage(() => replay({ variant: V, scenario: 'lt-two-waiters', seed: 0, memory: 'sc',
      schedule: huge }))).toMatch(/more than 1000000 choices/);
  });
});

describe('counts: integers in range', () => {
  const o: FuzzOptions = { variant: V, scenarios: ['lt-two-waiters'], schedules: 10 };
  it('planChunks(o, 0) and other bad sizes are errors (0 looped until out of memory)', () => {
    for (const size of [0, -1, 1.5, NaN, '5']) {
      expect(usage(() => planChunks(o, size as number))).toMatch(/^planChunks: size/);
    }
    expect(usage(() => planChunks({ ...o, schedules: 2 ** 32 }, 1))).toMatch(/chunks, over the cap/);
    expect(planChunks(o, 4)).toEqual([{ index: 0, from: 0, to: 4 }, { index: 0, from: 4, to: 8 },
      { index: 0, from: 8, to: 10 }]);
  });
  it("fuzz({seed}) must be a number: 'x' and NaN ran seed 0, '5' gave seeds 50, 51, ...", () => {
    for (const seed of ['x', NaN, '5', -1, 2 ** 32, 1.5]) {
      const m = usage(() => fuzz({ ...o, seed: seed as number }));
      expect(m).toMatch(/^fuzz: seed: expected an integer from 0 to 4294967295, got /);
    }
    expect(usage(() => fuzz({ ...o, seed: '5' as never }))).toContain("got '5'");
  });
  it('fuzz({schedules}) must be a positive integer (-1, 0, NaN gave a clean empty summary)', () => {
    for (const schedules of [-1, 0, NaN, 1.5, '3']) {
      expect(usage(() => fuzz({ ...o, schedules: schedules as number })))
        .toMatch(/^fuzz: schedules: expected an integer from 1 to 4294967296/);
    }
  });
  it("checkers are checked by name (['nope'] ran no checker and passed everything)", () => {
    for (const c of ['nope', 'constructor', '__proto__', 'toString']) {
      expect(usage(() => simulate({ variant: V, scenario: 'lt-two-waiters', checkers: [c] })))
        .toMatch(/^simulate: checkers\[0\]: expected one of P1, P2, P3, P5, P6/);
    }
    expect(simulate({ variant: V, scenario: 'lt-two-waiters', checkers: ['P1'] }).status)
      .not.toBe('violation');
  });
  it('explore({preemptions: -1}) is an error (it reported complete after one execution)', () => {
    for (const p of [-1, 1.5, NaN, '1']) {
      expect(usage(() => explore({ variant: V, scenario: 'lt-two-waiters',
        preemptions: p as number }))).toMatch(/^explore: preemptions: expected an integer/);
    }
    expect(usage(() => explore({ variant: V, scenario: 'lt-two-waiters', maxExecutions: 0 })))
      .toMatch(/^explore: maxExecutions/);
  });
  it('checkNoViolation/assertNoViolation({numRuns: -1}) is an error (it was ok after 0 runs)', () => {
    for (const n of [-1, 0, NaN, '5']) {
      expect(usage(() => checkNoViolation({ variant: V, numRuns: n as number })))
        .toMatch(/^checkNoViolation: numRuns: expected an integer from 1/);
      expect(usage(() => assertNoViolation({ variant: V, numRuns: n as number })))
        .toMatch(/numRuns/);
    }
  });
  it('mergeChunks: a duplicated chunk is an error (it doubled the counts), so is a missing one', () => {
    const chunks = planChunks(o, 5);
    const results = chunks.map((ch) => runChunk(o, ch));
    expect(mergeChunks(o, results).schedules).toBe(10);
    expect(usage(() => mergeChunks(o, [...results, results[0]!]))).toMatch(/a chunk given twice/);
    expect(usage(() => mergeChunks(o, [results[1]!]))).toMatch(/missing chunk/);
    expect(usage(() => mergeChunks(o, [results[0]!]))).toMatch(/missing chunk/);
    expect(usage(() => mergeChunks(o, [{ ...results[0]!, index: 3 }]))).toMatch(/index/);
    expect(usage(() => runChunk(o, { index: 0, from: 5, to: 11 }))).toMatch(/chunk\.to/);
  });
  it('gen:SEED beyond 2^32-1 is an error (gen:4294967296 was gen:0)', () => {
    expect(usage(() => resolveScenario('gen:4294967296'))).toMatch(/from 0 to 4294967295/);
    expect(resolveScenario('gen:4294967295').name).toBe('gen:4294967295');
  });
});

describe('flags and tables: prototype keys and widths', () => {
  it('constructor, __proto__ and toString are unknown flags (they were taken as 0)', () => {
    for (const f of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const sc = copy('lt-two-waiters');
      (sc.watches![0] as { events: unknown }).events = ['IN', f];
      expect(usage(() => validateScenario(sc))).toMatch(/watches\[0\]\.events: unknown flag/);
    }
  });
  it('a flag mask over 32 bits is refused (it was truncated)', () => {
    for (const m of [2 ** 32, 2 ** 40 + 1, -(2 ** 31) - 1, 1.5]) {
      const sc = copy('lt-two-waiters');
      (sc.watches![0] as { events: unknown }).events = m;
      expect(usage(() => validateScenario(sc))).toMatch(/expected a 32-bit mask/);
    }
    const ok = copy('lt-two-waiters');
    (ok.watches![0] as { events: unknown }).events = 0x8000_0001;
    expect(() => validateScenario(ok)).not.toThrow();
  });
  it('a task named __proto__ is kept by differential (diff --json dropped it)', () => {
    const sc = copy('lt-two-waiters');
    (sc.tasks[0] as { name: string }).name = '__proto__';
    const r = differential({ variantA: V, variantB: V, scenario: sc, seed: 1 });
    expect(Object.keys(r.a.results)).toContain('__proto__');
    expect(JSON.parse(JSON.stringify(r.a.results))).toHaveProperty(['__proto__']);
    expect(r.differences).toEqual([]);
  });
});

describe('types at the entry points (these were TypeErrors: "Invalid value used as weak map key")', () => {
  it('non-objects and wrong types are SimUsageErrors naming the field', () => {
    expect(usage(() => simulate(5 as never))).toMatch(/^simulate\(\): expected an options object/);
    expect(usage(() => simulate({ variant: 5 as never, scenario: 'lt-two-waiters' })))
      .toMatch(/^simulate: variant: expected a variant name or a Variant object, got 5/);
    expect(usage(() => simulate({ variant: {} as never, scenario: 'lt-two-waiters' })))
      .toMatch(/variant/);
    expect(usage(() => simulate({ variant: V, scenario: 5 as never }))).toMatch(/scenario/);
    expect(usage(() => simulate({ variant: V, scenario: 'lt-two-waiters', bugs: 'B5' as never })))
      .toMatch(/bugs/);
    expect(usage(() => simulate({ variant: V, scenario: 'lt-two-waiters',
      limits: { stepsMax: -1 } }))).toMatch(/limits\.stepsMax/);
    expect(usage(() => simulate({ variant: V, scenario: 'lt-two-waiters',
      limits: { constructor: 1 } as never }))).toMatch(/unknown limit 'constructor'/);
    expect(usage(() => replay(null as never))).toMatch(/^replay\(\)/);
    expect(usage(() => fuzz({ variant: V, scenarios: 'lt-two-waiters' as never, schedules: 1 })))
      .toMatch(/scenarios/);
    expect(usage(() => explore(undefined as never))).toMatch(/^explore\(\)/);
    expect(usage(() => checkNoViolation([] as never))).toMatch(/^checkNoViolation\(\)/);
    expect(usage(() => validateScenario('x'))).toMatch(/expected an object, got 'x'/);
  });
  it('a long, control-laden value is quoted, escaped and cut in the message', () => {
    const m = usage(() => simulate({ variant: `\u001b[31m${'v'.repeat(1_000_000)}`,
      scenario: 'lt-two-waiters' }));
    expect(m.length).toBeLessThan(400);
    expect(m).not.toMatch(/[\u0000-\u001f]/);
    expect(m).toContain('\\x1b[31m');
  });
});

describe('scenario nesting and sizes', () => {
  function deep(n: number): unknown {
    let a: unknown = [];
    for (let i = 0; i < n; i++) a = [a];
    return a;
  }
  it('a 100k-deep array is an error, not a stack overflow in JSON.stringify of the setup key', () => {
    const sc = copy('lt-two-waiters') as unknown as Record<string, unknown>;
    (sc.files as Record<string, unknown>[])[0]!.extra = deep(100_000);
    expect(usage(() => simulate({ variant: V, scenario: sc as never })))
      .toMatch(/^scenario files\[0\]\.extra(\[0\])+: nested more than 32 levels deep/);
    const sc2 = copy('lt-two-waiters');
    (sc2.watches![0] as { events: unknown }).events = deep(100_000);
    expect(usage(() => validateScenario(sc2))).toMatch(/nested more than 32 levels/);
  });
  it('a cycle, a huge string and non-JSON values are errors too', () => {
    const sc = copy('lt-two-waiters') as unknown as Record<string, unknown>;
    sc.self = sc;
    expect(usage(() => validateScenario(sc))).toMatch(/or a cycle/);
    const big = copy('lt-two-waiters') as unknown as Record<string, unknown>;
    big.description = 'd'.repeat(5000);
    expect(usage(() => validateScenario(big))).toMatch(/description: a string of 5000/);
    const bi = copy('lt-two-waiters') as unknown as Record<string, unknown>;
    (bi.files as Record<string, unknown>[])[0]!.x = 10n;
    expect(usage(() => simulate({ variant: V, scenario: bi as never })))
      .toMatch(/files\[0\]\.x: expected JSON data, got 10n/);
  });
});

describe('setup: watches the kernel refuses are rejected at validation, with the errno', () => {
  const base = (): Scenario => ({
    name: 's', cpus: 1, files: [{ name: 'e', type: 'eventfd' }, { name: 'f', type: 'regular' }],
    sets: [{ name: 'a' }, { name: 'b' }], watches: [],
    tasks: [{ name: 'T', cpu: 0, program: [{ op: 'epoll_wait', set: 'a', maxevents: 1,
      timeout: 0 }] }],
  });
  const w = (set: string, fd: string) => ({ set, fd, events: ['IN'] });
  const cases: [string, Scenario['watches'], RegExp][] = [
    ['a regular file: EPERM', [w('a', 'f')], /watches\[0\]: the kernel refuses this watch: epoll_ctl\(ADD\) of 'f' to set 'a' fails with EPERM/],
    ['a set watching itself: EINVAL', [w('a', 'a')], /watches\[0\].*fails with EINVAL/],
    ['a duplicate: EEXIST', [w('a', 'e'), w('a', 'e')], /watches\[1\].*fails with EEXIST/],
    ['a loop: ELOOP', [w('a', 'b'), w('b', 'a')], /watches\[1\].*fails with ELOOP/],
  ];
  for (const [what, watches, re] of cases) {
    it(what, () => {
      const sc = { ...base(), watches };
      expect(usage(() => validateScenario(sc))).toMatch(re);
      expect(usage(() => simulate({ variant: V, scenario: sc }))).toMatch(re);
    });
  }
  it('a deep nesting the variant refuses is named too (at build, the errno it returned)', () => {
    const sets = ['s0', 's1', 's2', 's3', 's4', 's5', 's6'];
    const sc: Scenario = { name: 'deep', cpus: 1, sets: sets.map((name) => ({ name })),
      watches: sets.slice(1).map((s, i) => w(sets[i]!, s)),
      tasks: [{ name: 'T', cpu: 0, program: [{ op: 'epoll_wait', set: 's0', maxevents: 1,
        timeout: 0 }] }] };
    expect(usage(() => simulate({ variant: V, scenario: sc })))
      .toMatch(/watches\[\d\]: the kernel refuses this watch: .* fails with ELOOP/);
  });
  it('an IRQ source on a pipe, a set or a regular file is refused (the run read .lock of undefined)', () => {
    for (const fd of ['pr', 'a', 'f']) {
      const sc: Scenario = { ...base(), files: [...base().files!, { name: 'p', type: 'pipe' }],
        irqs: [{ name: 'q', cpu: 0, fd, count: 1 }] };
      expect(usage(() => simulate({ variant: V, scenario: sc })))
        .toMatch(/^scenario irqs\[0\]\.fd: '.*' is not an eventfd/);
    }
  });
});

describe('prepared setups: never a stale result', () => {
  it('a nested field changed in a shallowly frozen scenario gives the new result', () => {
    const sc = copy('lt-two-waiters');
    const files = [{ name: 'e', type: 'eventfd', init: 0 }];
    const frozen = Object.freeze({ ...sc, files }) as Scenario;
    const before = simulate({ variant: V, scenario: frozen, seed: 3 });
    files[0]!.init = 1;
    const after = simulate({ variant: V, scenario: frozen, seed: 3 });
    const fresh = simulate({ variant: V, scenario: structuredClone({ ...frozen }), seed: 3 });
    expect(after.hash).toBe(fresh.hash);
    expect(after.hash).not.toBe(before.hash);
  });
});

describe('.ops scripts: caps and line numbers', () => {
  it('a script over the line cap is refused with a message', () => {
    const text = 'create ep\n'.repeat(20_001);
    const t0 = performance.now();
    expect(() => parseOps(text)).toThrow(OpsSyntaxError);
    expect(() => parseOps(text)).toThrow(/over the cap of 20000/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(() => parseOps(`echo ${'x'.repeat(1 << 20)}`)).toThrow(/characters, over the cap/);
  });
  it('a step-limit stop names the line', () => {
    let err: unknown;
    try {
      runModel(`create ep\n${'wait ep 1 1\n'.repeat(200)}`, { stepsMax: 100 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LimitExceededError);
    expect((err as Error).message).toMatch(/^line 3 \(wait\): .*step limit 100 reached/);
  });
});

describe('scenario files (CLI): regular files of bounded size only', () => {
  it('/dev/zero, a FIFO and a huge file are refused without reading them', () => {
    expect(usage(() => scenarioArg('/dev/zero'))).toMatch(/not a regular file/);
    const dir = mkdtempSync(join(tmpdir(), 'eps-'));
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    expect(usage(() => scenarioArg(fifo))).toMatch(/not a regular file/);
    const big = join(dir, 'big.json');
    writeFileSync(big, ' '.repeat((4 << 20) + 1));
    expect(usage(() => scenarioArg(big))).toMatch(/over the cap of 4194304/);
    // The same for a failure file to replay and a .ops script.
    expect(usage(() => readInputFile('/dev/zero', 'failure file')))
      .toMatch(/^failure file '\/dev\/zero': not a regular file/);
    expect(usage(() => readInputFile(fifo, 'script'))).toMatch(/not a regular file/);
  });
});

describe('scenario size cap', () => {
  it('an array of more than a million values is refused before it is walked', () => {
    const sc = structuredClone(resolveScenario('lt-two-waiters').scenario) as unknown as
      Record<string, unknown>;
    sc.extra = new Array(2_000_000).fill(0);
    const t0 = performance.now();
    expect(usage(() => validateScenario(sc))).toMatch(/^scenario extra: an array of 2000000 items makes more than 1000000 values/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
