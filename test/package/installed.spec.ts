/**
 * The package as a user gets it: `npm pack`, installed into a scratch project outside the
 * repository with nothing else of ours (no tsx), then used from plain Node JavaScript, from a
 * TypeScript vitest file type-checked with `tsc --strict` (the settings `tsc --init` writes),
 * and through its command line. Dependencies come from npm's cache when it has them.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync }
  from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = join(REPO, 'test', 'package', 'fixture');
const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string; devDependencies: Record<string, string>;
};

let tmp = '';
let project = '';

function run(cmd: string, args: string[], cwd = project, input?: string):
SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000,
    maxBuffer: 64 << 20, ...(input !== undefined ? { input } : {}),
    env: { ...process.env, npm_config_update_notifier: 'false', NODE_OPTIONS: '' } });
}

function ok(r: SpawnSyncReturns<string>): string {
  expect(r.error).toBeUndefined();
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

describe('the packed package, installed in a scratch project', () => {
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'eventpoll-sim-pkg-'));
    // dist/ is fresh: the global setup built it.
    const packed = ok(run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination',
      tmp], REPO)).trim().split('\n').pop()!;
    project = join(tmp, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project',
      private: true, type: 'module' }));
    const dev = PKG.devDependencies;
    ok(run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund',
      join(tmp, packed), `fast-check@${dev['fast-check']}`, `vitest@${dev.vitest}`,
      `vite@${dev.vite}`, `typescript@${dev.typescript}`]));
    for (const f of ['plain.mjs', 'user.test.ts']) copyFileSync(join(FIXTURE, f), join(project, f));
  }, 300_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('ships compiled JavaScript and declarations, not the tests, and no tsx', () => {
    const root = join(project, 'node_modules', 'eventpoll-sim');
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/model.js', 'dist/model.d.ts',
      'dist/fast-check.js', 'dist/vitest.js', 'dist/cli/main.js', 'dist/cli/main.bundle.js',
      'bin/eventpoll-sim.js']) {
      expect(existsSync(join(root, f)), f).toBe(true);
    }
    expect(existsSync(join(root, 'test'))).toBe(false);
    expect(existsSync(join(root, 'dist', 'bench'))).toBe(false);
    expect(existsSync(join(root, 'dist', 'baseline'))).toBe(false);
    // The model is shipped trampolined (scripts/trampoline.mjs).
    expect(readFileSync(join(root, 'dist', 'locks', 'mutex.js'), 'utf8')).toContain('__call(');
    expect(existsSync(join(project, 'node_modules', 'tsx'))).toBe(false);
  });

  it('imports from plain Node', () => {
    const out = ok(run('node', ['-e',
      "import('eventpoll-sim').then((m) => console.log(typeof m.simulate))"]));
    expect(out.trim()).toBe('function');
  });

  it('(a)-(c) from plain JavaScript: simulate, fuzz, fc.assert, a failure by seed and by schedule',
    () => {
      const out = JSON.parse(ok(run('node', ['plain.mjs']))) as {
        simulate: { violations: number }; fuzz: { schedules: number; violations: number };
        fastCheck: string; failure: { property: string; hash: string; bySeed: string;
          bySchedule: string; replay: string };
      };
      expect(out.simulate.violations).toBe(0);
      expect(out.fuzz).toEqual({ schedules: 50, violations: 0 });
      expect(out.fastCheck).toBe('ok');
      expect(out.failure.property).toBe('P1-lost-wakeup');
      expect(out.failure.bySeed).toBe(out.failure.hash);
      expect(out.failure.bySchedule).toBe(out.failure.hash);
      // The printed replay line works as printed, in the user's project.
      expect(out.failure.replay).toMatch(/^npx eventpoll-sim replay /);
      const words = out.failure.replay.split(' ').slice(1);
      const r = run('npx', words);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toContain('P1-lost-wakeup');
    });

  it('type-checks a user test with tsc --strict (tsc --init settings), libraries included', () => {
    ok(run('npx', ['tsc', '--init']));
    const base = ok(run('npx', ['tsc', '--noEmit', '-p', '.']));
    expect(base).toBe('');
    expect(ok(run('npx', ['tsc', '--noEmit', '-p', '.', '--skipLibCheck', 'false']))).toBe('');
  });

  it('runs the user test under vitest: (a)-(e), the matcher, the fast-check printing', () => {
    const out = run('npx', ['vitest', 'run', '--root', '.', 'user.test.ts']);
    expect(out.status, `${out.stdout}\n${out.stderr}`).toBe(0);
    const plain = out.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/Tests\s+5 passed \(5\)/);
  });

  it('runs the command line', () => {
    expect(ok(run('npx', ['eventpoll-sim', '--version'])).trim()).toBe(PKG.version);
    expect(ok(run('npx', ['eventpoll-sim', 'list']))).toContain('mainline-6.18');
  });
});
