/**
 * The baseline every speed figure is a ratio to: a bare generator loop, with one `yield`
 * and one PRNG pick per step over a few coroutines, measured in the same process. It is the
 * physical limit of a generator-based simulator on this machine.
 */
import { Prng } from '../sim/prng.ts';

function* worker(steps: number): Generator<number, void, unknown> {
  for (let i = 0; i < steps; i++) yield i;
}

/** Runs `total` steps over `k` coroutines; returns steps per second. */
export function bareLoop(total: number, k: number, now: () => number): number {
  const prng = new Prng(1);
  const per = Math.ceil(total / k);
  const gens = Array.from({ length: k }, () => worker(per));
  const live = gens.slice();
  let steps = 0;
  const t0 = now();
  while (live.length > 0) {
    const i = prng.below(live.length);
    if (live[i]!.next().done) live.splice(i, 1);
    else steps++;
  }
  return steps / ((now() - t0) / 1000);
}
