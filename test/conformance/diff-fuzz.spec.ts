/**
 * Differential fuzzing, model against the host kernel: scripts from opsScriptArb (pinned
 * fast-check seed) run on both and must print the same transcript byte for byte. On a
 * mismatch fast-check shrinks the script (dropping steps keeps it valid, see gen.ts) and the
 * failure shows the minimal script with both transcripts.
 *
 * The kernel's transcripts of the whole sample are computed up front in one batch (one
 * forked oracle run per script); a shrink candidate not in the batch runs on its own.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compare, describeMismatch } from '../../src/conformance/diff.ts';
import { runModel } from '../../src/conformance/run-model.ts';
import { EPOLL } from '../../src/conformance/flags.ts';
import { opsScriptArb } from '../../src/conformance/gen.ts';
import { runOracleBatch } from '../../src/conformance/oracle-batch.ts';
import { oracleAvailable, runOracle, type OracleRun } from '../../src/conformance/oracle.ts';
import { serialize } from '../../src/conformance/serialize.ts';
import type { OpsLine } from '../../src/conformance/types.ts';

const SEED = 20260501;
const unavailable = oracleAvailable();

/** The kernel's transcripts of the first `runs` scripts of `arb`, batched, by script text. */
function kernelRuns(arb: fc.Arbitrary<OpsLine[]>, runs: number, seed: number):
{ byText: Map<string, OracleRun>; kernel: string; misses: { n: number } } {
  const texts = fc.sample(arb, { seed, numRuns: runs }).map((l) => serialize(l));
  const batch = runOracleBatch(texts);
  return { byText: new Map(texts.map((t, i) => [t, batch.runs[i]!])), kernel: batch.kernel,
    misses: { n: 0 } };
}

/**
 * The differential property: a script prints the same on the model (`variant`) and on the
 * kernel. A script outside the batch (a shrink candidate) runs on the oracle alone, or, with
 * `stand-in`, on the unmodified model, which agrees with the kernel wherever this suite has
 * looked (a fast reference for the canary's shrinking).
 */
function sameAsKernel(arb: fc.Arbitrary<OpsLine[]>, cache: ReturnType<typeof kernelRuns>,
  variant?: string, misses: 'oracle' | 'stand-in' = 'oracle'): fc.IPropertyWithHooks<[OpsLine[]]> {
  return fc.property(arb, (lines) => {
    const text = serialize(lines);
    let run = cache.byText.get(text);
    if (run === undefined) {
      cache.misses.n++;
      run = misses === 'oracle' ? runOracle(text)
        : { status: 0, stdout: runModel(text).text, stderr: '' };
    }
    expect(run.status, run.stderr).toBe(0);
    const c = compare(text, run.stdout, variant === undefined ? {} : { variant });
    if (c.firstDiff !== null) throw new Error(describeMismatch(c));
  });
}

describe.skipIf(unavailable !== null)(`conformance: model = kernel (fast-check seed ${SEED})`,
  () => {
    it('on 500 generated scripts', () => {
      const arb = opsScriptArb();
      const cache = kernelRuns(arb, 500, SEED);
      expect(cache.kernel).toMatch(/^\d+\.\d+/);
      fc.assert(sameAsKernel(arb, cache), { seed: SEED, numRuns: 500 });
      // The batch computed exactly the scripts the property drew.
      expect(cache.misses.n).toBe(0);
    });

    it('on 100 generated scripts with every event in kernel order', () => {
      const arb = opsScriptArb({ order: 'kernel' });
      const cache = kernelRuns(arb, 100, SEED + 1);
      fc.assert(sameAsKernel(arb, cache), { seed: SEED + 1, numRuns: 100 });
    });

    it('on 200 scripts of the wide generator (fills of full pipes, sockets, eventfds)', () => {
      const arb = opsScriptArb({ wide: true });
      const cache = kernelRuns(arb, 200, SEED + 2);
      fc.assert(sameAsKernel(arb, cache), { seed: SEED + 2, numRuns: 200 });
    });

    it('canary: a model that never disarms ONESHOT is caught and shrunk to a few lines', () => {
      const arb = opsScriptArb();
      const cache = kernelRuns(arb, 300, SEED);
      const out = fc.check(sameAsKernel(arb, cache, 'mainline-6.18+fault:no-oneshot-disarm',
        'stand-in'), { seed: SEED, numRuns: 300 });
      expect(out.failed).toBe(true);
      const shrunk = out.counterexample![0];
      expect(shrunk.some((l) => (l.op === 'add' || l.op === 'mod' || l.op === 'ctl') &&
        (l.events.mask & EPOLL.ONESHOT) !== 0)).toBe(true);
      expect(shrunk.length).toBeLessThanOrEqual(12);
      expect(String(out.errorInstance)).toContain('--- kernel');
    });
  });
