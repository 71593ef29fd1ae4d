/**
 * Tidy: mechanical bans that keep the simulator deterministic and its layers apart
 * (TigerBeetle's tidy.zig in spirit).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const SRC = files(join(ROOT, 'src')).map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, 'utf8') }));
/** The edges that may read the clock: the CLI and the benchmarks. */
const EDGE = /^src\/(cli|bench)\//;

const BANNED: [RegExp, string][] = [
  [/Math\.random\s*\(/, 'Math.random'],
  [/Date\.now\s*\(/, 'Date.now'],
  [/new Date\s*\(/, 'new Date'],
  [/performance\.now\s*\(/, 'performance.now'],
  [/process\.hrtime/, 'process.hrtime'],
  [/\bsetTimeout\s*\(/, 'setTimeout'],
  [/\bsetInterval\s*\(/, 'setInterval'],
  [/\bsetImmediate\s*\(/, 'setImmediate'],
  [/\bqueueMicrotask\s*\(/, 'queueMicrotask'],
  [/\bcrypto\./, 'crypto'],
  [/\basync\s+function\*?/, 'async function'],
];

describe('tidy: determinism bans in src/ (outside src/cli and src/bench)', () => {
  for (const [re, name] of BANNED) {
    it(`no ${name}`, () => {
      const hits = SRC.filter((f) => !EDGE.test(f.path))
        .filter((f) => re.test(f.text.replace(/^\s*(\/\/|\*).*$/gm, '')))
        .map((f) => f.path);
      expect(hits).toEqual([]);
    });
  }
  it('seedrandom is imported only by src/sim/prng.ts', () => {
    const hits = SRC.filter((f) => /from 'seedrandom'/.test(f.text)).map((f) => f.path);
    expect(hits).toEqual(['src/sim/prng.ts']);
  });
  it('no iteration over unordered JS objects of model state with for...in', () => {
    const hits = SRC.filter((f) => !EDGE.test(f.path) && /\bfor\s*\(\s*(const|let)\s+\w+\s+in\b/.test(f.text))
      .map((f) => f.path);
    expect(hits).toEqual([]);
  });
});

describe('tidy: import graph', () => {
  const MODEL = /^src\/(eventpoll|locks|queues)\//;
  /**
   * What model code may import from src/sim: the narrow model-facing API (clone.ts: the
   * CLONE protocol a state class implements to be copied fast).
   */
  const ALLOWED_SIM = new Set(['context.ts', 'op.ts', 'mem.ts', 'errors.ts', 'memory.ts',
    'violation.ts', 'limits.ts', 'clone.ts']);
  it('model code imports no scheduler, machine, trace or runner from src/sim', () => {
    const bad: string[] = [];
    for (const f of SRC.filter((x) => MODEL.test(x.path))) {
      for (const m of f.text.matchAll(/from '((?:\.\.\/)+)sim\/([^']+)'/g)) {
        const target = m[2]!;
        const isCheckerObserver = /checkers\//.test(f.path) && target === 'machine.ts';
        if (!ALLOWED_SIM.has(target) && !isCheckerObserver) bad.push(`${f.path} -> sim/${target}`);
      }
    }
    expect(bad).toEqual([]);
  });
  it('src/sim imports nothing from eventpoll, locks, scenario, api or cli', () => {
    const bad = SRC.filter((f) => f.path.startsWith('src/sim/'))
      .filter((f) => /from '\.\.\/(\.\.\/)?(eventpoll|locks|scenario|api|cli)\//.test(f.text))
      .map((f) => f.path);
    expect(bad).toEqual([]);
  });
});

describe('tidy: shape', () => {
  it('lines are at most 100 columns in src/', () => {
    const long: string[] = [];
    for (const f of SRC) {
      f.text.split('\n').forEach((l, i) => {
        if (l.length > 100) long.push(`${f.path}:${i + 1} (${l.length})`);
      });
    }
    expect(long).toEqual([]);
  });
});
