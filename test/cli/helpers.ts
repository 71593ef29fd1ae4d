/** Starting the CLI (bin/eventpoll-sim.js) from tests, and reading what it printed. */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'eventpoll-sim.js');

/** A finished run of the CLI. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI to completion. */
export function cli(args: string[], o: { env?: Record<string, string>; node?: string[];
  cwd?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [...o.node ?? [], BIN, ...args], {
    cwd: o.cwd ?? ROOT, encoding: 'utf8', env: { ...process.env, ...o.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Runs a shell pipeline (bash), for pipes and redirections. */
export function sh(script: string): CliRun {
  // `$CLI args...` in the script runs the CLI.
  const r = spawnSync('bash', ['-c', `cli() { "$NODE_BIN" "$CLI_JS" "$@"; }; CLI=cli; ${script}`], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_BIN: process.execPath, CLI_JS: BIN } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Starts the CLI in the background; `done` resolves when it exits. */
export function start(args: string[], env: Record<string, string> = {}) {
  const p = spawn(process.execPath, [BIN, ...args], { cwd: ROOT,
    env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  p.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  p.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const done = new Promise<CliRun>((resolve) => {
    p.on('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : -2), out, err }));
  });
  return { p, done, out: () => out, err: () => err };
}

/** Splits a printed command into argv (it quotes with single quotes only). */
export function argvOf(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) {
    out.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!);
  }
  return out;
}

/** The argv of a printed `npx eventpoll-sim replay ...` line, after `npx eventpoll-sim`. */
export function replayArgv(command: string): string[] {
  const a = argvOf(command);
  if (a[0] !== 'npx' || a[1] !== 'eventpoll-sim' || a[2] !== 'replay') {
    throw new Error(`not a replay command: ${command}`);
  }
  return a.slice(2);
}

/** Fails when stderr has a stack trace. */
export function noStack(err: string): boolean {
  return !/\n\s+at .*:\d+/.test(err) && !/node:internal/.test(err);
}
