/**
 * What happens when standard output cannot be written. A reader that went away (EPIPE:
 * `eventpoll-sim list | head -1`) is not an error: the rest of the output is dropped and
 * the command exits with the code it would have had, silently. Any other write error
 * (ENOSPC: `> /dev/full`, EIO) is one line on stderr and exit 2: the output the user
 * asked for was lost, which must never look like exit 1 (a violation was found).
 * Errors on stderr itself are ignored (there is nowhere left to report them).
 */

/** True once stdout's reader has gone away. */
let stdoutClosed = false;

/** Whether stdout's reader has gone away (EPIPE). */
export function outputClosed(): boolean {
  return stdoutClosed;
}

/** Exit code for an output that could not be written (not 1: that means a violation). */
export const EXIT_OUTPUT = 2;

let installed = false;

/** Installs the handlers on process.stdout and process.stderr (once). */
export function guardOutput(): void {
  if (installed) return;
  installed = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
      stdoutClosed = true;
      return;
    }
    if (stdoutClosed) return;
    stdoutClosed = true;
    try {
      process.stderr.write(`eventpoll-sim: cannot write the output: ${e.code ?? ''}` +
        `${e.code ? ': ' : ''}${oneLine(e.message)}\n`);
    } catch {
      // stderr is gone too.
    }
    process.exit(EXIT_OUTPUT);
  });
  process.stderr.on('error', () => {});
}

function oneLine(s: string): string {
  return s.split('\n')[0]!.replace(/^[A-Z]+: /, '');
}
