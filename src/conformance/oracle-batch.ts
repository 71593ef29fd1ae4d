/**
 * Many scripts through the kernel oracle in one process: `epoll-oracle --batch` forks one
 * child per script (so each still starts from descriptors 0-2), which costs a fork instead
 * of a whole process start from Node, about thirty times less. Used by the differential
 * fuzzer, which compares thousands of scripts.
 */
import { spawnSync } from 'node:child_process';
import { buildOracle, type BuildOptions, type OracleRun } from './oracle.ts';
import { serialize } from './serialize.ts';
import type { OpsLine } from './types.ts';

/** The line that ends each script of a batch, and starts each status line of the output. */
const RS = '\x1e';

/** Options of {@link runOracleBatch}. */
export interface BatchOptions extends BuildOptions {
  /** Kill the batch after this many milliseconds (default 10 minutes). */
  readonly timeoutMs?: number;
}

/** A batch's results, in script order, and the kernel release the oracle runs on. */
export interface OracleBatch {
  readonly runs: OracleRun[];
  /** `uname -r` of the host, from the oracle's `--header`. */
  readonly kernel: string;
}

/**
 * Runs every script on the host kernel, each in a fresh process, and returns what each
 * printed: `stdout` is its transcript when `status` is 0; otherwise `stderr` holds its
 * message (a rejected script exits 2).
 * @throws {Error} when the oracle cannot be built or run, or a script holds the RS byte.
 */
export function runOracleBatch(scripts: readonly (string | readonly OpsLine[])[],
  options: BatchOptions = {}): OracleBatch {
  const texts = scripts.map((s) => (typeof s === 'string' ? s : serialize(s)));
  for (const t of texts) {
    if (t.includes(RS)) throw new Error('a script for the oracle batch holds the byte 0x1e');
  }
  const input = texts.map((t) => `${t}${t === '' || t.endsWith('\n') ? '' : '\n'}${RS}\n`);
  const run = spawnSync(buildOracle(options), ['--header', '--batch', '-'], {
    input: input.join(''), encoding: 'utf8', timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (run.error !== undefined) throw run.error;
  if (run.status !== 0) throw new Error(`epoll-oracle --batch exited ${String(run.status)}`);
  const header = /^# kernel: (.*)\n/.exec(run.stdout);
  if (!header) throw new Error('epoll-oracle --batch printed no kernel header');
  const parts = run.stdout.slice(header[0].length).split(new RegExp(`${RS}(\\d+)\\n`));
  const runs: OracleRun[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const status = Number(parts[i + 1]);
    const text = parts[i] ?? '';
    runs.push(status === 0 ? { status, stdout: text, stderr: '' }
      : { status, stdout: '', stderr: text });
  }
  if (runs.length !== texts.length) {
    throw new Error(`epoll-oracle --batch answered ${runs.length} of ${texts.length} scripts`);
  }
  return { runs, kernel: header[1] ?? '' };
}
