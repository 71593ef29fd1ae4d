/**
 * The model against the kernel's recorded transcripts: the basic scripts
 * (conformance/basics), the single-threaded selftest ports, the fidelity scripts (one per
 * area where the model was fixed to match the kernel) and the LTP ports. Each must print
 * exactly what the kernel printed; where the oracle can run here, the recordings are also
 * checked against the live kernel, so a stale recording cannot hide a model bug.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeMismatch, firstDifference } from '../../src/conformance/diff.ts';
import { oracleAvailable, REPO_ROOT } from '../../src/conformance/oracle.ts';
import { runOracleBatch } from '../../src/conformance/oracle-batch.ts';
import { runModel, ScriptBlockedError } from '../../src/conformance/run-model.ts';
import { unix_skb_truesize } from '../../src/eventpoll/files/skb-truesize.ts';


/** Script directories (each script's recorded output is beside it). */
const SUITES = [
  { name: 'basic scripts', dir: join(REPO_ROOT, 'conformance', 'basics'), n: 8 },
  { name: 'selftest ports', dir: join(REPO_ROOT, 'conformance', 'selftests'), n: 22 },
  { name: 'fidelity scripts', dir: join(REPO_ROOT, 'conformance', 'fidelity'), n: 5 },
  { name: 'LTP ports', dir: join(REPO_ROOT, 'conformance', 'ltp'), n: 21 },
];

function scripts(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.ops')).sort();
}

const live = oracleAvailable() === null;

describe('conformance: the model prints the kernel transcripts', () => {
  for (const s of SUITES) {
    const outDir = s.dir;
    describe(s.name, () => {
      it(`has its scripts (${s.n > 0 ? s.n : 'some'})`, () => {
        if (s.n > 0) expect(scripts(s.dir)).toHaveLength(s.n);
        else expect(scripts(s.dir).length).toBeGreaterThan(0);
      });
      for (const f of scripts(s.dir)) {
        it(f, () => {
          const script = readFileSync(join(s.dir, f), 'utf8');
          const want = readFileSync(join(outDir, f.replace(/\.ops$/, '.out')), 'utf8');
          const got = runModel(script).text;
          const at = firstDifference(want, got);
          expect(at, at === null ? '' : describeMismatch({ script, kernel: want, model: got,
            firstDiff: at })).toBeNull();
          expect(got).not.toContain('MISMATCH');
        });
      }
      it.skipIf(!live)('recordings still match the live kernel', () => {
        const names = scripts(s.dir);
        const { runs } = runOracleBatch(names.map((f) => readFileSync(join(s.dir, f), 'utf8')));
        names.forEach((f, i) => {
          expect(runs[i]!.status, f).toBe(0);
          expect(runs[i]!.stdout, f).toBe(readFileSync(join(outDir, f.replace(/\.ops$/, '.out')),
            'utf8'));
        });
      });
    });
  }
});

describe('conformance: runModel', () => {
  it('treats a positive timeout as "wait, then 0" and advances virtual time', () => {
    const r = runModel('create ep\nwait ep 1 20\npipe p\npoll pr IN 30\n');
    expect(r.text).toBe('create ep -> ok\nwait ep 1 20 -> 0\npipe p -> ok\npoll pr IN 30 -> 0\n');
    expect(r.timeNs).toBeGreaterThanOrEqual(50_000_000);
  });

  it('refuses a wait or poll that would block forever, naming the line', () => {
    expect(() => runModel('create ep\n\nwait ep 1 -1\n')).toThrow(ScriptBlockedError);
    expect(() => runModel('create ep\n\nwait ep 1 -1\n')).toThrow(/^line 3: wait blocks/);
    expect(() => runModel('pipe p\npoll pr IN -1\n')).toThrow(/^line 2: poll blocks/);
  });

  it('does not block when a negative timeout finds an event', () => {
    expect(runModel('eventfd e 1\npoll e IN -1\n').text).toBe(
      'eventfd e 1 -> ok\npoll e IN -1 -> 1: IN\n');
  });

  it('runs other variants by name, and rejects unknown ones', () => {
    expect(runModel('create ep\n', { variant: 'mainline-6.18+B1' }).text).toBe('create ep -> ok\n');
    expect(() => runModel('create ep\n', { variant: 'nope' })).toThrow(/unknown variant/);
  });
});

describe('eventpoll: AF_UNIX truesize (measured with SIOCOUTQ on 6.18.44)', () => {
  // [bytes sent in one write, sk_wmem_alloc_get() afterwards] on the host kernel.
  const MEASURED: readonly (readonly [number, number])[] = [
    [1, 768], [192, 768], [193, 1280], [704, 1280], [705, 2304], [1728, 2304], [1729, 4352],
    [3776, 4352], [3777, 4864], [4097, 4864], [7872, 8448], [7873, 8960], [20000, 20736],
    [36544, 37120], [36545, 37888], [37000, 38400], [65536, 67072], [73089, 75008],
    [100000, 103168], [120000, 123904],
  ];
  it.each(MEASURED)('a %i-byte send charges %i', (bytes, charge) => {
    let left = bytes;
    let total = 0;
    while (left > 0) {
      const skb = Math.min(left, 36544);
      total += unix_skb_truesize(skb);
      left -= skb;
    }
    expect(total).toBe(charge);
  });
});
