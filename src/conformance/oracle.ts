/**
 * The kernel oracle: oracle/epoll-oracle.c, compiled with the machine's C compiler, runs a
 * `.ops` script on the host kernel and prints the canonical transcript a model must match.
 *
 * The binary is cached under node_modules/.cache/epoll-oracle/, named by a hash of the source
 * and the compiler command, so an edited source is rebuilt and concurrent test workers never
 * see a half-written binary (each builds to a private name, then renames).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serialize } from './serialize.ts';
import type { OpsLine } from './types.ts';

/** Repository root (this file is src/conformance/oracle.ts). */
export const REPO_ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The oracle's C source. */
export const ORACLE_SOURCE: string = join(REPO_ROOT, 'oracle', 'epoll-oracle.c');

/** Compiler flags; the source must compile warning-free with them. */
export const ORACLE_CFLAGS: readonly string[] = ['-O2', '-Wall', '-Wextra', '-std=gnu11'];

/** The exit status of a script error (unknown op, undefined name, malformed flags). */
export const ORACLE_SCRIPT_ERROR = 2;

function compiler(): string {
  return process.env['CC'] ?? 'cc';
}

/**
 * Why the oracle cannot run here, or null when it can: it needs Linux (the kernel under test)
 * and a C compiler (`$CC`, else `cc`).
 */
export function oracleAvailable(): string | null {
  if (process.platform !== 'linux') {
    return `the kernel oracle needs Linux (this is ${process.platform})`;
  }
  const probe = spawnSync(compiler(), ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    return `the kernel oracle needs a C compiler: '${compiler()}' did not run`;
  }
  if (!existsSync(ORACLE_SOURCE)) return `the oracle source is missing: ${ORACLE_SOURCE}`;
  return null;
}

// FNV-1a, 64 bits: a content hash for the cache name (no security role).
function fnv1a64(data: Uint8Array): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of data) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

/** Options of {@link buildOracle}. */
export interface BuildOptions {
  /** Where binaries are cached; default node_modules/.cache/epoll-oracle under the repo. */
  readonly cacheDir?: string;
}

/**
 * Compiles the oracle if its cached binary is missing or stale; returns the binary's path.
 * @throws {Error} with the compiler's messages when compilation fails.
 */
export function buildOracle(options: BuildOptions = {}): string {
  const dir = options.cacheDir ?? join(REPO_ROOT, 'node_modules', '.cache', 'epoll-oracle');
  const source = readFileSync(ORACLE_SOURCE);
  const recipe = new TextEncoder().encode(`${compiler()} ${ORACLE_CFLAGS.join(' ')}\n`);
  const key = fnv1a64(new Uint8Array([...recipe, ...source]));
  const bin = join(dir, `epoll-oracle-${key}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  const cc = spawnSync(compiler(), [...ORACLE_CFLAGS, '-o', tmp, ORACLE_SOURCE], {
    encoding: 'utf8',
  });
  if (cc.error !== undefined || cc.status !== 0) {
    rmSync(tmp, { force: true });
    const why = cc.error?.message ?? cc.stderr;
    throw new Error(`compiling ${ORACLE_SOURCE} failed:\n${why}`);
  }
  renameSync(tmp, bin);
  return bin;
}

/** What one oracle run printed. */
export interface OracleRun {
  /** 0 when the script ran; {@link ORACLE_SCRIPT_ERROR} when it was rejected. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runOracle}. */
export interface RunOptions extends BuildOptions {
  /** Print `# kernel: <release>` first (off by default, so output compares with expected/). */
  readonly header?: boolean;
  /** Kill the run after this many milliseconds (default 60000). */
  readonly timeoutMs?: number;
}

/**
 * Runs a script (text, or lines to serialise) on the host kernel through the oracle, feeding
 * it on stdin. Never throws for a bad script: check `status`.
 */
export function runOracle(
  script: string | readonly OpsLine[],
  options: RunOptions = {},
): OracleRun {
  const bin = buildOracle(options);
  const input = typeof script === 'string' ? script : serialize(script);
  const run = spawnSync(bin, options.header === true ? ['--header', '-'] : ['-'], {
    input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error !== undefined) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * The kernel's transcript of a script.
 * @throws {Error} carrying the oracle's message when it rejects the script or fails.
 */
export function oracleTranscript(
  script: string | readonly OpsLine[],
  options: RunOptions = {},
): string {
  const run = runOracle(script, options);
  if (run.status !== 0) {
    throw new Error(`epoll-oracle exited ${String(run.status)}: ${run.stderr.trim()}`);
  }
  return run.stdout;
}
