/**
 * A progress bar for long runs, drawn only when stderr is a terminal (so logs and pipes
 * stay clean). cli-progress does the drawing: a well-kept library, not hand-written code.
 */
import cliProgress from 'cli-progress';

/** A progress reporter: `tick(done, total)`, then `stop()`. */
export interface Progress {
  tick(done: number, total: number): void;
  stop(): void;
}

/** A bar on a TTY, or a silent reporter otherwise. */
export function progress(label: string, enabled = true): Progress {
  if (!enabled || !process.stderr.isTTY) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} schedules | {eta_formatted} left`,
    stream: process.stderr, hideCursor: true, clearOnComplete: true,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  let last = 0;
  return {
    tick(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      // Redrawing on every schedule would cost more than the schedule itself.
      if (done - last >= 97 || done === total) {
        bar.update(done);
        last = done;
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
