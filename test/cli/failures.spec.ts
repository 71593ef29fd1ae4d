/**
 * Findings that must not be lost: fuzz --save-failures writes every failing execution as a
 * JSON file as soon as it is found, and `replay FILE` replays it; --time-limit ends fuzz and
 * explore with a summary marked as stopped; SIGINT during fuzz prints the summary so far
 * with the first failure's replay command and exits 130.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, noStack, replayArgv, start } from './helpers.ts';

const TMP = mkdtempSync(join(tmpdir(), 'eventpoll-sim-cli-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe('fuzz --save-failures DIR and replay FILE', () => {
  it('writes each failing execution; each file replays it (same trace hash)', () => {
    const dir = join(TMP, 'saved');
    const r = cli(['fuzz', '--variant', 'mainline-6.18+B5', '--scenario', 'lt-two-waiters',
      '--scenario', 'et-two-waiters', '--seeds', '60', '--keep-going', '--save-failures', dir,
      '--json']);
    expect(r.code).toBe(1);
    const sum = JSON.parse(r.out);
    const files = readdirSync(dir).sort();
    expect(sum.violations).toBeGreaterThan(1);
    expect(files).toHaveLength(sum.violations);
    for (const f of files.slice(0, 3)) {
      const data = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      expect(Object.keys(data)).toEqual(expect.arrayContaining(['variant', 'scenario', 'seed',
        'schedule', 'memory', 'strategy', 'property', 'message']));
      expect(f).toBe(`mainline-6.18+B5_${data.scenario}_seed${data.seed}.json`);
      const again = cli(['replay', join(dir, f)]);
      expect(again.code).toBe(1);
      expect(again.out).toContain(`trace hash ${data.hash}`);
      expect(again.out).toContain(data.message);
      // The replay line in the file works as printed too.
      const byLine = cli(replayArgv(data.replay));
      expect(byLine.out).toContain(`trace hash ${data.hash}`);
    }
    // The first failure of the summary is one of the files.
    const first = sum.scenarios[0].failure;
    expect(files).toContain(`mainline-6.18+B5_lt-two-waiters_seed${first.seed}.json`);
  }, 60_000);

  it('saves a scenario from a file as the full scenario object', () => {
    const dir = join(TMP, 'saved-obj');
    const scen = join(import.meta.dirname, '..', '..', 'examples', 'my-lt-harvest.json');
    const r = cli(['fuzz', '--variant', 'mainline-6.18+B5+no-done-scan-wake', '--scenario',
      'zoo-b5-lt-ready', '--seeds', '400', '--strategy', 'pct', '--save-failures', dir]);
    expect(r.code).toBe(1);
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(0);
    const data = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'));
    expect(typeof data.scenario).toBe('object');
    expect(data.scenario.tasks.length).toBeGreaterThan(0);
    expect(cli(['replay', join(dir, files[0]!)]).out).toContain(`trace hash ${data.hash}`);
    expect(existsSync(scen)).toBe(true);
  }, 60_000);

  it('a bad failure file is exit 2 with one line', () => {
    const bad = join(TMP, 'bad.json');
    for (const text of ['null', '[]', '{"variant":"mainline-6.18"}', 'not json']) {
      writeFileSync(bad, text);
      const r = cli(['replay', bad]);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(noStack(r.err)).toBe(true);
    }
  });
});

describe('--time-limit', () => {
  it('fuzz stops starting work after the limit and says so (text and JSON)', () => {
    const args = ['fuzz', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters',
      '--scenario', 'et-two-waiters', '--seeds', '10000000', '--time-limit', '0.5', '--jobs', '1'];
    const t0 = Date.now();
    const j = cli([...args, '--json']);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(j.code).toBe(0);
    const sum = JSON.parse(j.out);
    expect(sum.stopped).toBe('time-limit');
    expect(sum.planned).toBe(20_000_000);
    expect(sum.schedules).toBeGreaterThan(0);
    expect(sum.schedules).toBeLessThan(20_000_000);
    const t = cli(args);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/STOPPED by the time limit \(0\.5 s\) after \d+ of 20000000 planned schedules/);
  }, 60_000);

  it('fuzz stopped by the time limit still exits 1 on what it found', () => {
    const r = cli(['fuzz', '--variant', 'mainline-6.18+B5', '--scenario', 'lt-two-waiters',
      '--seeds', '10000000', '--keep-going', '--time-limit', '0.5', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).stopped).toBe('time-limit');
  }, 60_000);

  it('explore stops after the limit, not complete', () => {
    const r = cli(['explore', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters',
      '--preemptions', '3', '--time-limit', '0.3', '--json']);
    expect(r.code).toBe(0);
    const x = JSON.parse(r.out);
    expect(x.stopped).toBe('time-limit');
    expect(x.complete).toBe(false);
    expect(x.executions).toBeLessThan(100_000);
    const t = cli(['explore', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters',
      '--preemptions', '3', '--time-limit', '0.3']);
    expect(t.out).toMatch(/STOPPED by the time limit \(0\.3 s\).*\(not complete\)/);
  }, 60_000);

  it('campaign stops starting work after the limit: the rows so far, marked stopped', () => {
    const args = ['campaign', '--seeds', '100000', '--gen', '0', '--jobs', '1',
      '--time-limit', '0.5'];
    const t0 = Date.now();
    const j = cli([...args, '--json']);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(j.code).toBe(0);
    const rep = JSON.parse(j.out);
    expect(rep.stopped).toBe('time-limit');
    expect(rep.timing.limit).toBe(0.5);
    expect(rep.variants.length).toBeGreaterThan(0);
    const ran = rep.variants.reduce((a: number, x: { schedules: number }) => a + x.schedules, 0);
    expect(ran).toBeGreaterThan(0);
    expect(ran).toBeLessThan(100_000);
    const t = cli(args);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/STOPPED by the time limit \(0\.5 s\): the rows cover the work done/);
    // A stopped shard is refused by merge (it is not the whole of its part).
    const sh = cli([...args, '--shard', '1/1', '--json']);
    const p = join(TMP, 'stopped-shard.json');
    writeFileSync(p, sh.out);
    const m = cli(['merge', p]);
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/is incomplete \(stopped: 'time-limit'\)/);
  }, 60_000);
});

describe('SIGINT during fuzz', () => {
  it.each([['1'], ['2']])('with --jobs %s: the summary so far, the first failure\'s replay, exit 130',
    async (jobs) => {
      const dir = join(TMP, `sigint-${jobs}`);
      const run = start(['fuzz', '--variant', 'mainline-6.18+B5', '--scenario', 'lt-two-waiters',
        '--seeds', '50000000', '--keep-going', '--save-failures', dir, '--jobs', jobs]);
      // Wait for the first failure to be written.
      const t0 = Date.now();
      while (!(existsSync(dir) && readdirSync(dir).length > 0) && Date.now() - t0 < 30_000) {
        await new Promise((r) => setTimeout(r, 50));
      }
      run.p.kill('SIGINT');
      const r = await run.done;
      // The summary's first failure is the earliest seed saved (every chunk that was
      // running when the signal came finishes and counts).
      const saved = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
      const first = saved.reduce((a, b) => (b.seed < a.seed ? b : a));
      expect(r.code).toBe(130);
      expect(r.out).toMatch(/INTERRUPTED by SIGINT after \d+ of 50000000 planned schedules/);
      expect(r.out).toContain(`replay: ${first.replay}`);
      expect(r.err).toMatch(/SIGINT: stopping fuzz/);
      expect(noStack(r.err)).toBe(true);
    }, 60_000);
});

describe('SIGTERM during campaign', () => {
  it('prints the rows so far marked interrupted and exits 143', async () => {
    const run = start(['campaign', '--seeds', '1000000', '--gen', '0', '--jobs', '1'],
      { EVENTPOLL_SIM_PROGRESS_SECONDS: '0.3' });
    const t0 = Date.now();
    while (!/schedules/.test(run.err()) && Date.now() - t0 < 30_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    run.p.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(143);
    expect(r.out).toMatch(/^campaign: /);
    expect(r.out).toMatch(/\nmainline-6\.18 +\d+ +\d+ /);
    expect(r.out).toMatch(/INTERRUPTED by SIGTERM: the rows cover the work done\./);
    expect(r.err).toMatch(/SIGTERM: stopping the campaign/);
    expect(noStack(r.err)).toBe(true);
  }, 60_000);
});

describe('the fuzz pool\'s watchdog', () => {
  it('a worker that hangs fails the campaign naming its chunk (exit 3), not a hang', () => {
    const t0 = Date.now();
    const r = cli(['fuzz', '--variant', 'hang-in-worker', '--scenario', 'lt-two-waiters',
      '--seeds', '30000', '--jobs', '2', '--force-jobs'],
    { node: ['--import', './test/cli/hang-in-worker.mjs'],
      env: { EVENTPOLL_SIM_WATCHDOG_SECONDS: '2' } });
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^eventpoll-sim: internal error: a fuzz worker made no progress for 2 s while running executions \d+-\d+ of scenario lt-two-waiters \(seeds \d+-\d+\)/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
