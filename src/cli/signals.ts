/**
 * SIGINT and SIGTERM during a long command (fuzz, campaign): the first one asks the command
 * to stop after the work in hand and print what it found (marked interrupted); a second one
 * ends the process at once. Either way the terminal gets its cursor back. Exit codes follow
 * the shell's convention: 128 + the signal number (130 for SIGINT, 143 for SIGTERM).
 */
import { stopAllProgress } from './progress.ts';

/** The exit code of a command interrupted by `signal`. */
export function signalExit(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1;
}

/** An interruption watch: `signal` is set once a signal came; `dispose()` removes it. */
export interface Interrupt {
  readonly signal: NodeJS.Signals | undefined;
  dispose(): void;
}

/** Watches SIGINT and SIGTERM until disposed (see the file comment). */
export function watchInterrupt(what: string): Interrupt {
  let got: NodeJS.Signals | undefined;
  const on = (s: NodeJS.Signals): void => {
    stopAllProgress();
    if (got !== undefined) {
      process.stderr.write(`eventpoll-sim: ${s} again: stopping now\n`);
      process.exit(signalExit(s));
    }
    got = s;
    process.stderr.write(`eventpoll-sim: ${s}: stopping ${what} after the executions in ` +
      `hand (${s === 'SIGINT' ? 'Ctrl-C' : s} again to stop at once)\n`);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    get signal() {
      return got;
    },
    dispose() {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}
