/**
 * Sharding: `fuzz --shard i/n --json` (and `campaign`) on n machines, then `merge`, gives
 * byte for byte what the campaign prints on one machine, apart from the one `timing` object
 * (wall-clock seconds and threads), which the comparison removes. A missing shard, a
 * duplicated one, or shards of different campaigns are exit 2 naming the problem.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, noStack, ROOT } from './helpers.ts';

const TMP = mkdtempSync(join(tmpdir(), 'eventpoll-sim-shard-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** The JSON text without its final `timing` member (the only part that varies). */
function withoutTiming(text: string): string {
  const cut = text.replace(/,\n "timing": \{[^}]*\}\n\}\n$/, '\n}\n');
  expect(cut).not.toBe(text);
  return cut;
}

/** fuzz's text output without its timing ("in 1.98 s (... schedules/s ... on 3 threads)"). */
function textWithoutTiming(text: string): string {
  const cut = text.replace(/ in [0-9.]+ s \([^)]*\)/g, ' in T');
  expect(cut).not.toBe(text);
  return cut;
}

/** Runs the shards of `args`, writes their files, returns the paths. */
function shards(args: string[], n: number, name: string): string[] {
  const paths: string[] = [];
  for (let i = 1; i <= n; i++) {
    const r = cli([...args, '--shard', `${i}/${n}`, '--json']);
    expect([0, 1]).toContain(r.code);
    const p = join(TMP, `${name}-${i}.json`);
    writeFileSync(p, r.out);
    paths.push(p);
  }
  return paths;
}

const FUZZ = ['fuzz', '--variant', 'mainline-6.18+B7', '--scenario', 'harvest-vs-irq',
  '--scenario', 'et-two-waiters', '--scenario', 'gen:3', '--scenario',
  join('examples', 'my-lt-harvest.json'), '--seeds', '1400', '--strategy', 'pct'];

describe('fuzz --shard i/n and merge', () => {
  it.each([[[] as string[]], [['--keep-going']]])('3 shards merged equal one machine %j', (extra) => {
    const args = [...FUZZ, ...extra];
    const whole = cli([...args, '--json', '--jobs', '1']);
    expect(whole.code).toBe(1); // the comparison covers failures and replay commands
    const paths = shards(args, 3, `fuzz${extra.length}`);
    const merged = cli(['merge', paths[2]!, paths[0]!, paths[1]!, '--json']);
    expect(merged.code).toBe(whole.code);
    expect(withoutTiming(merged.out)).toBe(withoutTiming(whole.out));
    const text = cli(['merge', ...paths]);
    const wholeText = cli([...args, '--jobs', '1']);
    expect(text.code).toBe(wholeText.code);
    expect(textWithoutTiming(text.out)).toBe(textWithoutTiming(wholeText.out));
  }, 120_000);

  it('a missing shard, a duplicated one, other campaigns: exit 2 naming the problem', () => {
    const args = ['fuzz', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters',
      '--seeds', '600'];
    const [a, b, c] = shards(args, 3, 'err');
    const [x] = shards([...args.slice(0, -1), '601'], 3, 'other');
    const [y] = shards(args, 2, 'two');
    const cases: [string[], RegExp][] = [
      [[a!, c!], /missing shard 2\/3 of the campaign/],
      [[a!, b!, b!, c!], /shard 2\/3 is given twice/],
      [[a!, b!, x!], /are shards of different campaigns/],
      [[a!, b!, y!], /are shards of different campaigns \(cut in 2 and 3 shards\)/],
      [[join(ROOT, 'package.json')], /is not a shard result/],
      [[], /merge takes the shard files/],
    ];
    for (const [files, msg] of cases) {
      const r = cli(['merge', ...files]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(noStack(r.err)).toBe(true);
    }
  }, 120_000);
});

describe('campaign --shard i/n and merge', () => {
  it('2 shards merged equal one machine (JSON apart from timing), with the notes', () => {
    const args = ['campaign', '--seeds', '12', '--gen', '1'];
    const whole = cli([...args, '--json', '--jobs', '1']);
    expect(whole.code).toBe(0);
    const paths = shards(args, 2, 'campaign');
    const merged = cli(['merge', ...paths, '--json']);
    expect(merged.code).toBe(0);
    expect(withoutTiming(merged.out)).toBe(withoutTiming(whole.out));
    const w = JSON.parse(whole.out);
    expect(w.strategy).toBe('portfolio');
    expect(w.properties).toHaveLength(7);
    expect(w.variants.map((v: { variant: string }) => v.variant)).toContain('wfcqueue-rfc-v3-fixed');
  }, 120_000);

  it('the text summary names strategy, memory, scenarios, properties and why a known variant fails', () => {
    const r = cli(['campaign', '--seeds', '4', '--gen', '0', '--jobs', '1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^campaign: \d+ variants x \d+ scenarios \(\d+ library, 0 generated\) x 4 seeds from 0\n/);
    expect(r.out).toMatch(/strategy portfolio; memory each scenario's own \(\d+ sc, \d+ tso, 1 lkmm\)/);
    expect(r.out).toMatch(/properties checked: P1 lost wakeup, P2 list integrity, .*P7 liveness/);
    expect(r.out).toMatch(/wfcqueue-rfc-v3-fixed: P6-wakeup-source: [^\n]*\n  replay: npx eventpoll-sim replay --variant wfcqueue-rfc-v3-fixed [^\n]*\n  P6-wakeup-source is known: EPOLLWAKEUP is as posted/);
  }, 120_000);
});
