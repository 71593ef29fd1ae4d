/**
 * Replay commands as the CLI prints them. The library writes them for the installed CLI
 * (`npx eventpoll-sim replay ...`, see REPLAY_COMMAND in api/simulate.ts). A process that
 * preloaded modules with `node --import` (a user's own variant, registered by that module)
 * cannot be replayed that way, since `npx eventpoll-sim` would not know the variant; there
 * the line names the same node, preloads and script this process ran, so it still works as
 * printed (from the same directory).
 */
import { relative } from 'node:path';
import { REPLAY_COMMAND } from '../api/simulate.ts';

/** The `--import` / `--require` arguments of this process other than tsx's own. */
export function preloadArgs(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    for (const flag of ['--import', '--require', '-r', '--loader']) {
      let spec: string | undefined;
      if (a === flag) spec = execArgv[++i];
      else if (a.startsWith(`${flag}=`)) spec = a.slice(flag.length + 1);
      else continue;
      if (spec !== undefined && spec !== 'tsx' && !spec.startsWith('tsx/')) {
        out.push(flag === '-r' ? '--require' : flag, spec);
      }
      break;
    }
  }
  return out;
}

/** Quotes a word for a POSIX shell when it needs it. */
function sh(s: string): string {
  return /^[A-Za-z0-9_.:+\-/=@]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

let prefix: string | null | undefined;

/** The command that starts this CLI again with the same preloads, or null if there are none. */
function preloadPrefix(): string | null {
  if (prefix !== undefined) return prefix;
  const pre = preloadArgs();
  if (pre.length === 0 || process.argv[1] === undefined) return (prefix = null);
  // tsx is needed again only if it was loaded (a TypeScript variant).
  const tsx = process.execArgv.some((a) => a === 'tsx' || a === '--import=tsx');
  const script = relative(process.cwd(), process.argv[1]) || process.argv[1];
  prefix = ['node', ...(tsx ? ['--import', 'tsx'] : []), ...pre, script].map(sh).join(' ');
  return prefix;
}

/**
 * A replay command (or a `run` command, which runs an execution over a limit again) as this
 * process should print it (see the file comment).
 */
export function cliReplay(line: string): string;
export function cliReplay(line: string | undefined): string | undefined;
export function cliReplay(line: string | undefined): string | undefined {
  if (line === undefined) return undefined;
  const p = preloadPrefix();
  const npx = REPLAY_COMMAND.replace(/ replay$/, '');
  const m = /^ (replay|run) /.exec(line.slice(npx.length));
  if (p === null || !line.startsWith(npx) || m === null) return line;
  return `${p} ${m[1]} ${line.slice(npx.length + m[0].length)}`;
}

/**
 * A search's failing run with its replay command as the CLI prints it: the scenario named as
 * the user gave it (`ref`: a JSON file, a zoo name) when it was not a library name, and the
 * process's preloads (see {@link cliReplay}).
 */
export function cliFailure<T extends { replay: string }>(failure: T, scenario: unknown,
  ref: string): T {
  const scenArg = failure.replay.match(/ --scenario (\S+) /)?.[1];
  return { ...failure, replay: cliReplay(scenArg !== undefined && typeof scenario !== 'string'
    ? failure.replay.replace(` --scenario ${scenArg} `, ` --scenario ${ref} `)
    : failure.replay) };
}
