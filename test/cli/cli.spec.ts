/**
 * The command line: exit codes (0 clean, 1 violation, 2 usage), one-line errors without a
 * stack trace, and a printed failure that replays byte for byte with the printed command.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'eventpoll-sim.js');

function cli(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Splits the printed replay command into argv (it quotes with single quotes only). */
function argvOf(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) {
    out.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!);
  }
  // Printed for the installed package: `npx eventpoll-sim replay ...`.
  expect(out.slice(0, 3)).toEqual(['npx', 'eventpoll-sim', 'replay']);
  return out.slice(2);
}

describe('cli: exit codes and errors', () => {
  it('list names every built-in variant (commands load lazily; the registry must not)', () => {
    const r = cli(['list']);
    expect(r.code).toBe(0);
    for (const v of ['mainline-6.18', 'classic-4.19', 'rwlock-5.1', 'wfcqueue-rfc-v3',
      'singlepass-2.6.22', 'exclusive-4.5', 'roundrobin-rfc']) {
      expect(r.out).toContain(`\n  ${v}\n`);
    }
  });
  it('a clean run exits 0', () => {
    const r = cli(['run', '--variant', 'mainline-6.18', '--scenario', 'et-two-waiters', '--seed', '4']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^OK \(/);
  });
  it.each([
    [['run', '--variant', 'nope', '--scenario', 'lt-two-waiters'], /unknown variant 'nope'/],
    [['run', '--variant', 'mainline-6.18', '--scenario', 'nope'], /unknown scenario 'nope'/],
    [['run', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters', '--seed', 'x1'], /bad seed 'x1'/],
    [['replay', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters', '--schedule', 'a$b'], /malformed schedule at character 2/],
    [['run', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters', '--memory', 'arm'], /bad --memory 'arm'/],
    [['fuzz', '--variant', 'mainline-6.18', '--strategy', 'dfs', '--schedules', '1'], /unknown scheduler 'dfs'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['run', '--variant', 'mainline-6.18', '--scenario', 'lt-two-waiters', '--nope'], /Unknown option '--nope'/],
  ])('bad usage %j exits 2 with one line', (args, msg) => {
    const r = cli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg as RegExp);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(/\bat .*\.ts:\d+/);
  });
  it('a malformed scenario file names the field', () => {
    const r = cli(['run', '--variant', 'mainline-6.18', '--scenario', join(ROOT, 'test', 'cli', 'bad-scenario.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/scenario tasks\[0\]\.program\[0\]\.set: unknown set 'nope'/);
  });
});

describe('cli: a failure replays byte for byte with the printed command', () => {
  it('mainline-6.18+B5 on lt-two-waiters, seed 0', () => {
    const run = cli(['run', '--variant', 'mainline-6.18+B5', '--scenario', 'lt-two-waiters', '--seed', '0', '--json']);
    expect(run.code).toBe(1);
    const r = JSON.parse(run.out);
    expect(r.violations[0].property).toBe('P1-lost-wakeup');
    const a = cli(argvOf(r.replay));
    const b = cli(argvOf(r.replay));
    expect(a.code).toBe(1);
    expect(a.out).toBe(b.out);
    expect(a.out).toContain(`trace hash ${r.hash}`);
    expect(a.out).toContain('T0 sleeps forever in epoll_wait');
    expect(a.out).toMatch(/cpu0 T0 +\| cpu1 T1 +\| cpu2 P/);
  });
});
