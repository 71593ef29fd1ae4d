/** `script`: run a `.ops` script on the model and print its canonical transcript. */
import { readFileSync } from 'node:fs';
import { firstDifference, describeMismatch } from '../../conformance/diff.ts';
import { oracleAvailable, runOracle } from '../../conformance/oracle.ts';
import { OpsSyntaxError, parseOps } from '../../conformance/parse.ts';
import { DEFAULT_SCRIPT_VARIANT, runModel, ScriptBlockedError }
  from '../../conformance/run-model.ts';
import { ModelError, quote, SimUsageError } from '../../sim/errors.ts';
import { parse } from '../args.ts';
import { readInputFile } from './common.ts';

const HELP = `usage: eventpoll-sim script [FILE] [--variant V] [--json] [--diff]
Runs a .ops script (docs/ops-language.md; standard input when no FILE is given)
single-threaded on the model (default variant ${DEFAULT_SCRIPT_VARIANT}) and prints what the
kernel oracle would print. --json prints {variant, lines, steps, timeNs}. --diff also runs the
script on this machine's kernel and compares (exit 1 when they differ).
Exit 0 ok, 1 the model reported a violation or differs from the kernel, 2 a bad script.`;

const OPTS = {
  variant: { type: 'string' },
  json: { type: 'boolean' },
  diff: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function readScript(file: string | undefined): string {
  if (file !== undefined) return readInputFile(file, 'script');
  try {
    return readFileSync(0, 'utf8');
  } catch (e) {
    throw new SimUsageError('E_USAGE', `cannot read ${file === undefined ? 'standard input'
      : quote(file)}: ${quote((e as Error).message, 120)}`);
  }
}

/** `script`. */
export function cmdScript(argv: string[]): number {
  const { values: v, positionals } = parse(argv, OPTS);
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length > 1) throw new SimUsageError('E_USAGE', 'script takes one FILE');
  const file = positionals[0] === '-' ? undefined : positionals[0];
  const text = readScript(file);
  const where = file === undefined ? '<stdin>' : quote(file);
  const variant = typeof v.variant === 'string' ? v.variant : DEFAULT_SCRIPT_VARIANT;
  let out;
  try {
    out = runModel(parseOps(text), { variant });
  } catch (e) {
    if (e instanceof OpsSyntaxError || e instanceof ScriptBlockedError) {
      throw new SimUsageError('E_BAD_SCRIPT', `${where}: ${e.message}`);
    }
    if (!(e instanceof ModelError)) throw e;
    console.error(`eventpoll-sim: ${where}: ${e.message}`);
    return 1;
  }
  if (v.json) console.log(JSON.stringify({ variant, ...out, text: undefined }, null, 1));
  else process.stdout.write(out.text);
  if (!v.diff) return 0;
  const why = oracleAvailable();
  if (why !== null) throw new SimUsageError('E_USAGE', `--diff: ${why}`);
  const kernel = runOracle(text).stdout;
  const at = firstDifference(kernel, out.text);
  if (at === null) {
    console.error('eventpoll-sim: the model agrees with the kernel');
    return 0;
  }
  console.error(describeMismatch({ script: text, kernel, model: out.text, firstDiff: at }));
  return 1;
}
