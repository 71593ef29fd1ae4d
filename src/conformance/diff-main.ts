/**
 * `npm run fuzz:diff`: differential fuzzing of the model against the host kernel.
 *
 *   node --import tsx src/conformance/diff-main.ts [--scripts N] [--seed S] [--batch B]
 *        [--variant V] [--wide] [--json] [--keep N]
 *
 * Generates N scripts with opsScriptArb (fast-check; batch k of B scripts from seed S + k;
 * `--wide`: its wide mode, with fills of full pipes, sockets and eventfds and large writes),
 * runs each on the kernel (the oracle, one forked run per script) and on the model, compares
 * them byte for byte, prints a progress line on stderr and a summary: scripts, output lines,
 * mismatches, the kernel release. The first `--keep` mismatches (default 3) are printed in
 * full. Exit 0 when every script agrees, 1 on a mismatch, 2 on bad usage or when the oracle
 * cannot run here.
 */
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { compare, describeMismatch, type Comparison } from './diff.ts';
import { opsScriptArb } from './gen.ts';
import { runOracleBatch } from './oracle-batch.ts';
import { oracleAvailable } from './oracle.ts';
import { serialize } from './serialize.ts';
import { quote } from '../sim/errors.ts';

/** The summary of one fuzzing campaign. */
export interface DiffSummary {
  kernel: string;
  variant: string;
  seed: number;
  /** Whether the generator ran in its wide mode. */
  wide: boolean;
  scripts: number;
  /** Output lines compared (the kernel's transcripts). */
  lines: number;
  mismatches: number;
  /** Model failures among the mismatches (the model threw instead of printing). */
  modelErrors: number;
  /** Scripts the oracle rejected (a generator bug: should be 0). */
  rejected: number;
}

function usage(msg: string): never {
  process.stderr.write(`fuzz:diff: ${msg}\nusage: diff-main.ts [--scripts N] [--seed S] ` +
    '[--batch B] [--variant V] [--wide] [--json] [--keep N]\n');
  process.exit(2);
}

function intArg(v: string | undefined, name: string, def: number, max: number): number {
  if (v === undefined) return def;
  if (!/^[0-9]+$/.test(v) || Number(v) > max) usage(`bad --${name} ${quote(v)}`);
  return Number(v);
}

function main(): number {
  const { values: v } = parseArgs({ options: {
    scripts: { type: 'string' }, seed: { type: 'string' }, batch: { type: 'string' },
    variant: { type: 'string' }, json: { type: 'boolean' }, keep: { type: 'string' },
    wide: { type: 'boolean' },
  }, strict: true });
  const total = intArg(v.scripts, 'scripts', 1000, 10_000_000);
  const seed = intArg(v.seed, 'seed', 20260501, 0xffffffff);
  const batch = Math.max(1, intArg(v.batch, 'batch', 500, 100_000));
  const keep = intArg(v.keep, 'keep', 3, 1000);
  const variant = v.variant ?? 'mainline-6.18';
  const why = oracleAvailable();
  if (why !== null) usage(why);
  const s: DiffSummary = { kernel: '', variant, seed, wide: v.wide === true, scripts: 0,
    lines: 0, mismatches: 0, modelErrors: 0, rejected: 0 };
  const kept: Comparison[] = [];
  for (let at = 0, k = 0; at < total; at += batch, k++) {
    // Batch k draws from seed S + k, so memory stays bounded however many scripts run.
    const slice = fc.sample(opsScriptArb({ wide: v.wide === true }), { seed: (seed + k) >>> 0,
      numRuns: Math.min(batch, total - at) }).map((l) => serialize(l));
    const { runs, kernel } = runOracleBatch(slice);
    s.kernel = kernel;
    slice.forEach((text, i) => {
      const run = runs[i]!;
      s.scripts++;
      if (run.status !== 0) {
        s.rejected++;
        return;
      }
      s.lines += run.stdout.split('\n').length - 1;
      const c = compare(text, run.stdout, { variant });
      if (c.firstDiff === null) return;
      s.mismatches++;
      if (c.model.startsWith('!! the model failed')) s.modelErrors++;
      if (kept.length < keep) kept.push(c);
    });
    process.stderr.write(`\rfuzz:diff ${s.scripts}/${total} scripts, ${s.lines} lines, ` +
      `${s.mismatches} mismatches`);
  }
  process.stderr.write('\n');
  if (v.json) {
    console.log(JSON.stringify({ ...s, examples: kept }, null, 1));
  } else {
    for (const c of kept) console.log(`${describeMismatch(c)}\n`);
    console.log(`kernel ${s.kernel}, variant ${s.variant}, seed ${s.seed}` +
      `${s.wide ? ' (wide)' : ''}: ${s.scripts} ` +
      `scripts, ${s.lines} output lines, ${s.mismatches} mismatching scripts ` +
      `(${s.modelErrors} model failures), ${s.rejected} rejected by the oracle; ` +
      `agreement ${((100 * (s.scripts - s.mismatches)) / Math.max(1, s.scripts)).toFixed(2)}%`);
  }
  return s.mismatches === 0 && s.rejected === 0 ? 0 : 1;
}

process.exitCode = main();
