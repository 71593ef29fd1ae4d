/**
 * An execution over a limit inside a campaign (issue 11): the step limit reached by one
 * execution used to abort the whole fuzz run or campaign with exit 2, dropping every other
 * result (real violations included) and naming no scenario. Now it is a finding of its own:
 * counted apart (`limits`), reported per scenario with its seed, the limit and a command
 * that runs it again, and the campaign goes on; fuzz exits 1 on it (campaign with --strict).
 * Chunked, on two threads and as shards, the summary is the one a single thread gives.
 *
 * The long scenario below takes about 20,000 steps, a little more or less by the seed, so
 * roughly half its executions go over the default step limit and the rest finish.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fuzz, mergeChunks, planChunks, runChunk, type FuzzOptions } from '../../src/api/fuzz.ts';
import { simulate } from '../../src/api/simulate.ts';
import { FuzzPool } from '../../src/cli/fuzz-pool.ts';
import { describeViolations } from '../../src/vitest.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { LimitExceededError } from '../../src/sim/errors.ts';
import { argvOf, cli, noStack } from './helpers.ts';

const TMP = mkdtempSync(join(tmpdir(), 'eventpoll-sim-limits-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** Two tasks each writing, polling and reading an eventfd 91 times: about 20,000 steps. */
function longScenario(): Scenario {
  const program = [];
  for (let i = 0; i < 91; i++) {
    program.push({ op: 'write', fd: 'e', n: 1 } as const,
      { op: 'epoll_wait', set: 'ep', maxevents: 4, timeout: 0 } as const,
      { op: 'read', fd: 'e', n: 8 } as const);
  }
  return { name: 'long', cpus: 2, files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep' }], watches: [{ set: 'ep', fd: 'e', events: ['IN'] }],
    tasks: [{ name: 'T1', cpu: 0, program }, { name: 'T2', cpu: 1, program }] } as Scenario;
}

const LONG = longScenario();
const LONG_FILE = join(TMP, 'long.json');
writeFileSync(LONG_FILE, JSON.stringify(LONG));

/** The limit message of seed `seed` of the long scenario, or null when it finishes. */
function limitOf(seed: number): string | null {
  try {
    simulate({ variant: 'mainline-6.18+B5', scenario: LONG, seed });
    return null;
  } catch (e) {
    if (!(e instanceof LimitExceededError)) throw e;
    return e.message;
  }
}

describe('fuzz(): an execution over a limit is a finding, and the campaign goes on', () => {
  const base = { variant: 'mainline-6.18+B5', scenarios: [LONG, 'lt-two-waiters'],
    schedules: 14, refs: new Map([[LONG, 'long.json']]) } satisfies FuzzOptions;

  it('keep-going: every limit counted, the first reported with its seed and command', () => {
    const o = { ...base, stopAtFirst: false };
    const sum = fuzz(o);
    const hits = Array.from({ length: 14 }, (_, s) => limitOf(s));
    const n = hits.filter((h) => h !== null).length;
    expect(n).toBeGreaterThan(0); // the test covers both kinds of execution
    expect(n).toBeLessThan(14);
    const first = hits.findIndex((h) => h !== null);
    const [long, lt] = sum.scenarios;
    expect(long!.limits).toBe(n);
    expect(long!.schedules).toBe(14);
    expect(long!.limit).toEqual({ seed: first, message: hits[first], at: first + 1,
      replay: `npx eventpoll-sim run --variant mainline-6.18+B5 --scenario long.json --seed ${first}` });
    expect(long!.limit!.message).toMatch(/step limit 20000 reached/);
    // The other scenario's results are all there.
    expect(lt!.schedules).toBe(14);
    expect(lt!.violations).toBeGreaterThan(0);
    expect(lt!.failure).toBeDefined();
    expect(sum.limits).toBe(n);
    expect(sum.violations).toBe(lt!.violations);
  }, 30_000);

  it('stop-at-first: the scenario stops at its first limit, the others run on', () => {
    const sum = fuzz(base);
    const first = Array.from({ length: 14 }, (_, s) => limitOf(s)).findIndex((h) => h !== null);
    expect(sum.scenarios[0]).toMatchObject({ limits: 1, schedules: first + 1 });
    expect(sum.scenarios[0]!.limit!.seed).toBe(first);
    expect(sum.scenarios[1]!.failure).toBeDefined();
  }, 30_000);

  it('chunks in any order, and two threads, give the single-thread summary', async () => {
    const pool = new FuzzPool(2, 0);
    try {
      for (const stopAtFirst of [true, false]) {
        const o = { ...base, stopAtFirst };
        const whole = fuzz(o);
        expect(mergeChunks(o, planChunks(o, 3).map((ch) => runChunk(o, ch)).reverse()))
          .toEqual(whole);
        const run = await pool.run(o, { chunkSize: 3 });
        expect(run.threads).toBe(2);
        expect(run.summary).toEqual(whole);
      }
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('the vitest matcher fails on a limit alone (it passed on violations: 0)', () => {
    const sum = fuzz({ variant: 'mainline-6.18', scenarios: [LONG], schedules: 14 });
    expect(sum.violations).toBe(0);
    const text = describeViolations(sum);
    expect(text).toMatch(/^0 violation\(s\) and 1 execution\(s\) over a limit in \d+ schedules/);
    expect(text).toMatch(/over a limit: seed \d+: step limit 20000 reached/);
    expect(text).toMatch(/run again: npx eventpoll-sim run --variant mainline-6.18 /);
  }, 30_000);

  it('mergeChunks checks the limit fields', () => {
    const o = { ...base, stopAtFirst: false };
    const rs = planChunks(o, 7).map((ch) => runChunk(o, ch));
    expect(() => mergeChunks(o, rs.map((r, i) => (i === 0 ? { ...r, limits: -1 } : r))))
      .toThrow(/results\[0\]\.limits/);
    expect(() => mergeChunks(o, rs.map((r, i) => (i === 0 ? { ...r, limit: 'x' } : r)) as never))
      .toThrow(/results\[0\]\.limit: expected an object/);
  }, 30_000);
});

describe('the CLI: limits reported, counted, exit 1, merged shards equal one machine', () => {
  const args = ['fuzz', '--variant', 'mainline-6.18+B5', '--scenario', LONG_FILE,
    '--scenario', 'lt-two-waiters', '--seeds', '14'];

  it('fuzz: both findings printed, the run-again command reproduces the limit', () => {
    const r = cli([...args, '--jobs', '1']);
    expect(r.code).toBe(1);
    expect(noStack(r.err)).toBe(true);
    expect(r.out).toMatch(
      /^scenario +schedules +steps +violations +limits +first failure +verified \(reduced search\)$/m);
    expect(r.out).toMatch(/1 violation\(s\), 1 execution\(s\) over a limit;/);
    expect(r.out).toMatch(/^long: over a limit \(a livelock or an endless loop\?\): seed \d+: step limit 20000 reached/m);
    expect(r.out).toMatch(/^lt-two-waiters: P1-lost-wakeup: /m);
    const again = /^ {2}run again: (.*)$/m.exec(r.out)![1]!;
    const a = argvOf(again);
    expect(a.slice(0, 3)).toEqual(['npx', 'eventpoll-sim', 'run']);
    const rerun = cli(a.slice(2));
    expect(rerun.code).toBe(1);
    expect(rerun.out).toContain(/(seed \d+: step limit 20000 reached)/.exec(r.out)![1]);
  }, 60_000);

  it('--json: the limits count and each scenario\'s first limit', () => {
    const r = cli([...args, '--keep-going', '--json', '--jobs', '1']);
    expect(r.code).toBe(1);
    const sum = JSON.parse(r.out);
    expect(sum.limits).toBeGreaterThan(0);
    expect(sum.scenarios[0].limits).toBe(sum.limits);
    expect(sum.scenarios[0].limit.replay).toMatch(/^npx eventpoll-sim run --variant/);
    expect(sum.scenarios[1].schedules).toBe(14);
    expect(sum.violations).toBe(sum.scenarios[1].violations);
  }, 60_000);

  it('a clean variant over a limit exits 1', () => {
    const r = cli(['fuzz', '--variant', 'mainline-6.18', '--scenario', LONG_FILE, '--seeds', '6',
      '--jobs', '1']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/0 violation\(s\), 1 execution\(s\) over a limit/);
  }, 60_000);

  it('shards merged equal one machine, limits included', () => {
    const full = [...args, '--keep-going'];
    const whole = cli([...full, '--json', '--jobs', '1']);
    const paths = [1, 2].map((i) => {
      const r = cli([...full, '--shard', `${i}/2`, '--json']);
      expect([0, 1]).toContain(r.code);
      const p = join(TMP, `shard-${i}.json`);
      writeFileSync(p, r.out);
      return p;
    });
    const merged = cli(['merge', ...paths, '--json']);
    expect(merged.code).toBe(1);
    const cut = (t: string) => t.replace(/,\n "timing": \{[^}]*\}\n\}\n$/, '\n}\n');
    expect(cut(merged.out)).toBe(cut(whole.out));
    expect(JSON.parse(merged.out).limits).toBeGreaterThan(0);
  }, 90_000);

  it('campaign: a variant that livelocks is a row of its own; the campaign goes on', () => {
    const node = ['--import', './test/cli/livelock-variant.mjs'];
    const c = ['campaign', '--seeds', '2', '--gen', '0', '--jobs', '1'];
    const j = cli([...c, '--json'], { node });
    expect(j.code).toBe(0);
    const rep = JSON.parse(j.out);
    const live = rep.variants.find((x: { variant: string }) =>
      x.variant === 'livelock-send-events');
    expect(live.limits).toBeGreaterThan(0);
    expect(rep.limits).toBe(live.limits);
    expect(live.firstLimit.replay).toMatch(/ run --variant livelock-send-events --scenario /);
    // Every other variant ran in full.
    for (const x of rep.variants) expect(x.schedules).toBeGreaterThan(0);
    expect(rep.variants.length).toBeGreaterThan(8);
    const t = cli([...c, '--strict'], { node });
    expect(t.code).toBe(1);
    expect(t.out).toMatch(/^livelock-send-events +\d+ +\d+ +\S+ +0 +[1-9]\d* +\S+ seed \d+ \(over a limit\) +NEW +\d+\/\d+$/m);
    expect(t.out).toMatch(/execution\(s\) over a limit\./);
    // The run-again line loads the variant again and reproduces the limit.
    const again = argvOf(/^ {2}run again: (.*)$/m.exec(t.out)![1]!);
    expect(again.slice(0, 3)).toEqual(['node', ...node]);
    expect(again[4]).toBe('run');
    const rerun = cli(again.slice(4), { node });
    expect(rerun.code).toBe(1);
    expect(rerun.out).toMatch(/step limit 20000 reached/);
  }, 90_000);
});

