/**
 * Which implementation of the hot paths a new machine uses: `fast` (the default) or
 * `baseline`, the step loop and per-run reset as they were before the speed work of issue
 * 15. The baseline is kept so that the bench measures the speed-up in one process and a test
 * checks that both give the same steps, schedules, hashes and violations. It is read once
 * when a machine is made (and when a run is built), never per step.
 */
export type Engine = 'fast' | 'baseline';

let current: Engine = 'fast';

/** Selects the engine of machines made from now on; returns the previous one. */
export function setEngine(e: Engine): Engine {
  const was = current;
  current = e;
  return was;
}

/** The engine new machines use. */
export function engine(): Engine {
  return current;
}
