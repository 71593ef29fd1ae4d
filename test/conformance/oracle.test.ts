import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ORACLE_CFLAGS,
  ORACLE_SCRIPT_ERROR,
  ORACLE_SOURCE,
  oracleAvailable,
  runOracle,
} from '../../src/conformance/oracle.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BASICS = join(REPO, 'conformance', 'basics');
const SELFTESTS = join(REPO, 'conformance', 'selftests');

const unavailable = oracleAvailable();
if (unavailable !== null) {
  // Say why the kernel comparisons below are skipped, once, in the test log.
  console.warn(`skipping kernel oracle tests: ${unavailable}`);
}

describe.skipIf(unavailable !== null)('kernel oracle', () => {
  it('compiles warning-free', () => {
    const dir = mkdtempSync(join(tmpdir(), 'epoll-oracle-'));
    try {
      const cc = spawnSync(
        process.env['CC'] ?? 'cc',
        [...ORACLE_CFLAGS, '-o', join(dir, 'o'), ORACLE_SOURCE],
        { encoding: 'utf8' },
      );
      expect(cc.status, cc.stderr).toBe(0);
      expect(cc.stderr).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reproduces the recorded output of every basic script byte for byte', () => {
    const scripts = readdirSync(BASICS).filter((f) => f.endsWith('.ops'));
    expect(scripts.length).toBe(8);
    for (const f of scripts) {
      const run = runOracle(readFileSync(join(BASICS, f), 'utf8'));
      const want = readFileSync(join(BASICS, f.replace(/\.ops$/, '.out')), 'utf8');
      expect(run.stderr, f).toBe('');
      expect(run.status, f).toBe(0);
      expect(run.stdout, f).toBe(want);
    }
  });

  it('reproduces the recorded selftest ports, whose expectations all hold', () => {
    const scripts = readdirSync(SELFTESTS).filter((f) => f.endsWith('.ops'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const f of scripts) {
      const run = runOracle(readFileSync(join(SELFTESTS, f), 'utf8'));
      expect(run.status, f).toBe(0);
      const want = readFileSync(join(SELFTESTS, f.replace(/\.ops$/, '.out')), 'utf8');
      expect(run.stdout, f).toBe(want);
      expect(run.stdout, f).not.toContain('MISMATCH');
    }
  });

  it('prints the kernel header only when asked', () => {
    const plain = runOracle('create ep\n');
    expect(plain.stdout).toBe('create ep -> ok\n');
    const headed = runOracle('create ep\n', { header: true });
    expect(headed.stdout).toMatch(/^# kernel: \S+\ncreate ep -> ok\n$/);
  });

  it('rejects a malformed script before running any of it', () => {
    for (const [script, line] of [
      ['create ep\nfrob ep\n', 2],
      ['pipe p\nclose q\n', 2],
      ['create e\nadd e e IN|FOO\n', 2],
      ['expect 0\n', 1],
    ] as const) {
      const run = runOracle(script);
      expect(run.status, script).toBe(ORACLE_SCRIPT_ERROR);
      expect(run.stdout, script).toBe('');
      expect(run.stderr.trim().split('\n'), script).toHaveLength(1);
      expect(run.stderr, script).toContain(`line ${line}:`);
    }
  });

  it('starts from descriptors 0-2, reuses the lowest free number and keeps stale names', () => {
    const out = runOracle(
      'pipe p\nclose pr\ncreate ep\nadd ep pw OUT\nwait ep 8 0\nclose ep\nwrite @3 1\n' +
        'poll pr IN 0\nwait @4 1 0\n',
    ).stdout;
    // pr was fd 3; the epoll set took it; after closing it, @3 and pr are stale.
    expect(out).toBe(
      'pipe p -> ok\nclose pr -> ok\ncreate ep -> ok\nadd ep pw OUT -> ok\n' +
        'wait ep 8 0 -> 1: pw=OUT|ERR\nclose ep -> ok\nwrite @3 1 -> EBADF\n' +
        'poll pr IN 0 -> 1: 0x20\nwait @4 1 0 -> EINVAL\n',
    );
  });

  it('moves bytes and eventfd counts as documented', () => {
    const out = runOracle(
      'pipe p\nfill pw\ndrain pr\neventfd e 3 sem\ndrain e\nfill e\nread e 8\n' +
        'write e 2\nclose pr\nwrite pw 1\n',
    ).stdout;
    expect(out).toBe(
      'pipe p -> ok\nfill pw -> 65536\ndrain pr -> 65536\neventfd e 3 sem -> ok\n' +
        'drain e -> 24\nfill e -> 504\nread e 8 -> 1\nwrite e 2 -> EAGAIN\nclose pr -> ok\n' +
        'write pw 1 -> EPIPE\n',
    );
  });
});
