/**
 * `eventpoll-sim script`: a `.ops` script on the model from a file or standard input, the
 * kernel oracle's transcript on stdout; a malformed script is one line naming the line,
 * exit 2.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/conformance/oracle.ts';

const BIN = join(REPO_ROOT, 'bin', 'eventpoll-sim.js');

function script(args: string[], input?: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, 'script', ...args], { cwd: REPO_ROOT,
    encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('cli: eventpoll-sim script', () => {
  it('prints the transcript of a script read from standard input', () => {
    const r = script([], 'create ep\npipe p\nadd ep pr IN|ET\nwrite pw 3\nwait ep 8 0\n');
    expect(r.code).toBe(0);
    expect(r.out).toBe('create ep -> ok\npipe p -> ok\nadd ep pr IN|ET -> ok\n' +
      'write pw 3 -> 3\nwait ep 8 0 -> 1: pr=IN\n');
  });
  it('reads a file, takes --variant, and prints JSON with --json', () => {
    const file = join(REPO_ROOT, 'conformance', 'ltp', 'epoll_ctl07.ops');
    const r = script([file, '--variant', 'mainline-6.18', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { variant: string; lines: string[] };
    expect(j.variant).toBe('mainline-6.18');
    expect(j.lines.at(-1)).toBe('add b a IN -> ELOOP');
  });
  it('rejects a malformed script with one line naming the line, exit 2', () => {
    const r = script([], 'create ep\n# fine\nfrob ep\n');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toEqual(["eventpoll-sim: <stdin>: line 3: unknown op 'frob'"]);
  });
  it('refuses a wait that would block forever, exit 2', () => {
    const r = script([], 'create ep\nwait ep 1 -1\n');
    expect(r.code).toBe(2);
    expect(r.err).toContain('line 2: wait blocks forever');
  });
});
