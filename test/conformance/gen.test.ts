import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { opsScriptArb, opsStepArb, stepsToScript } from '../../src/conformance/gen.ts';
import { parseOps, serialize } from '../../src/conformance/ops.ts';
import type { OpsLine } from '../../src/conformance/ops.ts';
import { ORACLE_SCRIPT_ERROR, oracleAvailable, runOracle } from '../../src/conformance/oracle.ts';

const SEED = 20260501;
const unavailable = oracleAvailable();

function withoutLines(lines: readonly OpsLine[]): unknown[] {
  return lines.map(({ line: _line, ...rest }) => rest);
}

describe('opsScriptArb', () => {
  it('generates scripts that parse back to themselves and survive JSON', () => {
    fc.assert(
      fc.property(opsScriptArb(), (lines) => {
        expect(lines.map((l) => l.line)).toEqual(lines.map((_, i) => i + 1));
        expect(withoutLines(parseOps(serialize(lines)))).toEqual(withoutLines(lines));
        expect(JSON.parse(JSON.stringify(lines))).toEqual(lines);
        for (const l of lines) {
          if (l.op === 'wait' || l.op === 'poll') expect(l.timeoutMs).toBe(0);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('stays valid when steps are dropped, as shrinking does', () => {
    const stepsAndMask = fc.array(fc.tuple(opsStepArb(), fc.boolean()), { maxLength: 60 });
    fc.assert(
      fc.property(stepsAndMask, (pairs) => {
        const kept = pairs.filter(([, keep]) => keep).map(([s]) => s);
        expect(() => parseOps(serialize(stepsToScript(kept)))).not.toThrow();
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('covers the interesting ops', () => {
    const seen = new Set<string>();
    for (const lines of fc.sample(opsScriptArb(), { seed: SEED, numRuns: 200 })) {
      for (const l of lines) {
        seen.add(l.op);
        if ((l.op === 'add' || l.op === 'mod') && (l.events.mask & 0x80000000) !== 0) {
          seen.add('ET');
        }
        if (l.op === 'add' && l.fd.kind === 'raw') seen.add('raw');
      }
    }
    for (const op of [
      'create', 'pipe', 'socketpair', 'eventfd', 'file', 'dup', 'add', 'mod', 'del', 'ctl',
      'wait', 'poll', 'write', 'read', 'fill', 'drain', 'shutdown', 'close', 'order', 'ET',
      'raw',
    ]) {
      expect(seen, op).toContain(op);
    }
  });

  it.skipIf(unavailable !== null)('runs on the kernel oracle, deterministically', () => {
    const errors = new Set<string>();
    fc.assert(
      fc.property(opsScriptArb(), (lines) => {
        const first = runOracle(lines);
        expect(first.status, first.stderr).not.toBe(ORACLE_SCRIPT_ERROR);
        expect(first.status, first.stderr).toBe(0);
        expect(first.stdout.split('\n')).toHaveLength(lines.length + 1);
        expect(runOracle(lines).stdout).toBe(first.stdout);
        for (const m of first.stdout.matchAll(/-> (E[A-Z]+)$/gm)) errors.add(m[1] ?? '');
      }),
      { seed: SEED, numRuns: 50 },
    );
    for (const e of ['EBADF', 'EINVAL', 'EEXIST', 'ENOENT', 'ELOOP', 'EPERM']) {
      expect(errors, e).toContain(e);
    }
  });
});
