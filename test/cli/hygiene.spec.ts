/**
 * CLI hygiene (issue 9 and 11): --version, closed pipes and full disks, prototype-key
 * command names, stray positionals, --strategy checked everywhere, one meaning of --seeds,
 * progress lines when stderr is not a terminal, --jobs capped at the CPU count, and replay
 * lines that work as printed (also for a process that preloaded modules).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { argvOf, cli, noStack, ROOT, sh } from './helpers.ts';

const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('cli: --version', () => {
  it.each([['--version'], ['-V']])('%s prints the package version', (flag) => {
    const r = cli([flag]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${PKG.version}\n`);
    expect(r.err).toBe('');
  });
  it('finds package.json relative to the module, from any directory', () => {
    expect(cli(['--version'], { cwd: tmpdir() }).out).toBe(`${PKG.version}\n`);
  });
});

describe('cli: output that cannot be written', () => {
  it('list into a closed pipe exits 0 quietly', () => {
    const r = sh('T=$(mktemp); $CLI list 2>"$T" | head -1; echo "code=${PIPESTATUS[0]}"; cat "$T" >&2; rm -f "$T"');
    expect(r.out).toBe('variants:\ncode=0\n');
    expect(r.err).toBe('');
  });
  it('fuzz with a violation into a closed pipe keeps its exit code 1, quietly', () => {
    const r = sh('T=$(mktemp); $CLI fuzz --variant mainline-6.18+B5 --scenario lt-two-waiters --seeds 30 ' +
      '--keep-going 2>"$T" | head -1; echo "code=${PIPESTATUS[0]}"; cat "$T" >&2; rm -f "$T"');
    expect(r.out).toMatch(/^scenario .*\ncode=1\n$/);
    expect(r.err).toBe('');
  });
  it('a reader that is gone before the first write (EPIPE at once): quiet, the would-be code', () => {
    const r = sh('T=$(mktemp); $CLI list 2>"$T" | true; echo "list=${PIPESTATUS[0]}"; ' +
      '$CLI run --variant mainline-6.18+B5 --scenario lt-two-waiters --seed 0 2>>"$T" | true; ' +
      'echo "run=${PIPESTATUS[0]}"; cat "$T" >&2; rm -f "$T"');
    expect(r.out).toBe('list=0\nrun=1\n');
    expect(r.err).toBe('');
  });
  it('a full disk is one line and exit 2, never 1', () => {
    const r = sh('$CLI list > /dev/full');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^eventpoll-sim: cannot write the output: ENOSPC/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    // A violation's output into a full disk: 2 as well, not the violation's 1.
    const v = sh('$CLI run --variant mainline-6.18+B5 --scenario lt-two-waiters --seed 0 > /dev/full');
    expect(v.code).toBe(2);
    expect(noStack(v.err)).toBe(true);
  });
});

describe('cli: bad usage is exit 2 with one line', () => {
  it.each([
    [['constructor'], /unknown command 'constructor'/],
    [['toString'], /unknown command 'toString'/],
    [['__proto__'], /unknown command '__proto__'/],
    [['hasOwnProperty'], /unknown command 'hasOwnProperty'/],
    [['run', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters', 'extra'],
      /run takes no positional argument, got 'extra'/],
    [['fuzz', '--variant', 'mainline-6.18', '--seeds', '1', 'oops'], /fuzz takes no positional/],
    [['replay', 'a.json', 'b.json'], /replay takes one FAILURE.json file, got 2/],
    [['run', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters', '--strategy', ''],
      /bad --strategy '': expected one of portfolio, random, pct, pct:DEPTH, preempt:K/],
    [['fuzz', '--variant', 'mainline-6.18', '--seeds', '1', '--strategy', ''],
      /bad --strategy ''/],
    [['diff', '--variant', 'mainline-6.18', '--variant', 'classic-4.19', '--scenario',
      'lt-two-waiters', '--strategy', 'dfs'], /unknown scheduler 'dfs': expected one of portfolio, random, pct/],
    [['explore', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters', '--strategy', 'pct'],
      /bad --strategy 'pct': explore searches with the bounded strategy only \(expected one of bounded/],
    [['explore', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters', '--strategy', ''],
      /bad --strategy ''/],
    [['zoo', '--seeds', '3'], /zoo: --seeds is now --families/],
    [['explore', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters', '--seed', '3'],
      /explore takes no --seed/],
    [['fuzz', '--variant', 'mainline-6.18', '--seeds', '5', '--schedules', '5'],
      /give one of --seeds, --schedules, --total/],
    [['fuzz', '--variant', 'mainline-6.18', '--time-limit', '0'], /bad --time-limit '0'/],
    [['fuzz', '--variant', 'mainline-6.18', '--shard', '4/3'], /bad --shard '4\/3'/],
    [['fuzz', '--variant', 'mainline-6.18', '--shard', '0/3'], /bad --shard '0\/3'/],
  ])('%j', (args, msg) => {
    const r = cli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg as RegExp);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(noStack(r.err)).toBe(true);
  });
  it('explore --strategy bounded is accepted', () => {
    const r = cli(['explore', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters',
      '--strategy', 'bounded', '--preemptions', '0']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/search complete/);
  });
});

describe('cli: --seeds is N seeds from --seed everywhere', () => {
  it('fuzz --seeds N equals --schedules N, with seeds SEED..SEED+N-1', () => {
    const base = ['fuzz', '--variant', 'mainline-6.18+B5', '--scenario', 'lt-two-waiters',
      '--seed', '5', '--keep-going', '--json'];
    const a = JSON.parse(cli([...base, '--seeds', '40']).out);
    const b = JSON.parse(cli([...base, '--schedules', '40']).out);
    delete a.timing;
    delete b.timing;
    expect(a).toEqual(b);
    expect(a.schedules).toBe(40);
    expect(a.scenarios[0].failure.seed).toBeGreaterThanOrEqual(5);
  });
  it('every help text that takes --seeds says so', () => {
    for (const cmd of ['fuzz', 'campaign', 'diff']) {
      expect(cli([cmd, '--help']).out).toMatch(/--seeds N/);
    }
    expect(cli(['zoo', '--help']).out).toMatch(/--families N/);
  });
});

describe('cli: progress when stderr is not a terminal', () => {
  it('prints a plain line every few seconds (here 0.2 s)', () => {
    const r = cli(['fuzz', '--variant', 'mainline-6.18+B5', '--scenario', 'lt-two-waiters',
      '--seeds', '3000', '--keep-going', '--jobs', '1', '--json'],
    { env: { EVENTPOLL_SIM_PROGRESS_SECONDS: '0.2' } });
    expect(r.code).toBe(1);
    const lines = r.err.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(l).toMatch(/^fuzz mainline-6\.18\+B5: \d+\/3000 schedules, \d+ violations?, \d+ s$/);
    }
    expect(JSON.parse(r.out).schedules).toBe(3000);
  }, 60_000);
  it('is silent by default on a short run', () => {
    const r = cli(['fuzz', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters',
      '--seeds', '20']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });
});

describe('cli: --jobs', () => {
  it('is capped at the CPU count unless --force-jobs', () => {
    const n = availableParallelism();
    const r = cli(['fuzz', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters',
      '--seeds', '10', '--jobs', String(n + 3)]);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`eventpoll-sim: --jobs ${n + 3} capped at the ${n} CPU${n === 1 ? '' : 's'} ` +
      `of this machine (--force-jobs to use ${n + 3})\n`);
    const f = cli(['fuzz', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters',
      '--seeds', '10', '--jobs', String(n + 3), '--force-jobs']);
    expect(f.code).toBe(0);
    expect(f.err).toBe('');
  });
});

describe('cli: replay lines work as printed', () => {
  it('a process that preloaded a module prints a line that preloads it again', () => {
    const node = ['--import', './test/cli/preload-noop.mjs'];
    const r = cli(['run', '--variant', 'mainline-6.18+B5', '--scenario', 'lt-two-waiters',
      '--seed', '0', '--json'], { node });
    expect(r.code).toBe(1);
    const line = JSON.parse(r.out).replay as string;
    expect(line).toMatch(/^node --import \.\/test\/cli\/preload-noop\.mjs bin\/eventpoll-sim\.js replay --variant /);
    const argv = argvOf(line);
    const again = cli(argv.slice(argv.indexOf('bin/eventpoll-sim.js') + 1), { node });
    expect(again.code).toBe(1);
    expect(again.out).toContain(`trace hash ${JSON.parse(r.out).hash}`);
  });
  it('a user variant loaded with node --import (examples/my-callback.ts): the line loads it', () => {
    const node = ['--import', 'tsx', '--import', './examples/my-callback.ts'];
    const r = cli(['fuzz', '--variant', 'my-callback', '--scenario', 'examples/my-lt-harvest.json',
      '--strategy', 'pct', '--seeds', '20', '--json'], { node });
    expect(r.code).toBe(1);
    const s = JSON.parse(r.out).scenarios[0];
    expect(s.replay).toMatch(/^node --import tsx --import \.\/examples\/my-callback\.ts bin\/eventpoll-sim\.js replay --variant my-callback --scenario examples\/my-lt-harvest\.json /);
    const argv = argvOf(s.replay);
    const again = cli(argv.slice(argv.indexOf('bin/eventpoll-sim.js') + 1), { node });
    expect(again.code).toBe(1);
    expect(again.out).toContain(`trace hash ${s.failure.hash}`);
  }, 60_000);
  it('without preloads the line is npx eventpoll-sim replay', () => {
    const r = cli(['run', '--variant', 'mainline-6.18+B5', '--scenario', 'lt-two-waiters',
      '--seed', '0']);
    expect(r.out).toMatch(/\nreplay: npx eventpoll-sim replay --variant mainline-6\.18\+B5 /);
  });
});
