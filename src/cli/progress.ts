/**
 * Progress of long runs on stderr. On a terminal, a bar (cli-progress does the drawing: a
 * well-kept library, not hand-written code). Elsewhere (CI logs, a file), a plain line every
 * few seconds, so that a log shows the run is alive:
 *
 *   fuzz mainline-6.18: 12000/100000 schedules, 3 violations, 8 s
 *
 * The interval is EVENTPOLL_SIM_PROGRESS_SECONDS (default 5; 0 turns the lines off). Only
 * this module (CLI code) reads the clock for it.
 */
import cliProgress from 'cli-progress';

/** A progress reporter: `tick(done, total, violations?)`, then `stop()`. */
export interface Progress {
  tick(done: number, total: number, violations?: number): void;
  stop(): void;
}

/** Seconds between two plain progress lines (EVENTPOLL_SIM_PROGRESS_SECONDS, default 5). */
export function lineInterval(env: NodeJS.ProcessEnv = process.env): number {
  const s = env.EVENTPOLL_SIM_PROGRESS_SECONDS;
  if (s === undefined || s === '') return 5;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? n : 5;
}

/** Every terminal bar that is drawing (so an interrupted run can restore the cursor). */
const drawing = new Set<{ stop(): void }>();

/** Stops every bar being drawn (the cursor comes back): for a signal handler. */
export function stopAllProgress(): void {
  for (const b of [...drawing]) b.stop();
}

/** A bar on a TTY, plain lines every few seconds otherwise, nothing when not enabled. */
export function progress(label: string, enabled = true): Progress {
  if (!enabled) return { tick() {}, stop() {} };
  if (!process.stderr.isTTY) return lines(label, lineInterval());
  const bar = new cliProgress.SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} schedules{bad} | ` +
      '{eta_formatted} left',
    stream: process.stderr, hideCursor: true, clearOnComplete: true,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  let last = 0;
  const self = {
    tick(done: number, total: number, violations?: number) {
      if (!started) {
        bar.start(total, 0, { bad: '' });
        started = true;
        drawing.add(self);
      }
      // Redrawing on every schedule would cost more than the schedule itself.
      if (done - last >= 97 || done === total) {
        bar.update(done, { bad: violations ? `, ${violations} violations` : '' });
        last = done;
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
      drawing.delete(self);
    },
  };
  return self;
}

/** Plain lines, at most one per `seconds` (none when 0). */
export function lines(label: string, seconds: number,
  write: (s: string) => void = (s) => process.stderr.write(s)): Progress {
  if (seconds <= 0) return { tick() {}, stop() {} };
  const t0 = performance.now();
  let next = t0 + seconds * 1000;
  let n = 0;
  return {
    tick(done, total, violations) {
      // The clock is read every 64 ticks only: a tick comes after each execution.
      if ((++n & 63) !== 0 && done !== total) return;
      const now = performance.now();
      if (now < next) return;
      next = now + seconds * 1000;
      write(`${label}: ${done}/${total} schedules` +
        `${violations !== undefined ? `, ${violations} violation${violations === 1 ? '' : 's'}`
          : ''}, ${Math.round((now - t0) / 1000)} s\n`);
    },
    stop() {},
  };
}

/**
 * A one-line status ("B4 random family 3: 1200") for work whose total is not known in
 * advance: redrawn in place on a terminal (n = -1 clears it), a plain line every few
 * seconds elsewhere (see {@link lineInterval}), nothing when not enabled.
 */
export function status(label: string, enabled = true): (phase: string, n: number) => void {
  if (!enabled) return () => {};
  if (process.stderr.isTTY) {
    return (phase, n) => {
      process.stderr.write(n < 0 ? '\r\x1b[K' : `\r\x1b[K${phase}: ${n}`);
    };
  }
  const seconds = lineInterval();
  if (seconds <= 0) return () => {};
  const t0 = performance.now();
  let next = t0 + seconds * 1000;
  return (phase, n) => {
    if (n < 0) return;
    const now = performance.now();
    if (now < next) return;
    next = now + seconds * 1000;
    process.stderr.write(`${label}: ${phase}: ${n}, ${Math.round((now - t0) / 1000)} s\n`);
  };
}
