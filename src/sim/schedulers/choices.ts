/**
 * Reads its choices from a number array, so that fast-check can generate and shrink
 * interleavings: at each step with more than one candidate it takes `choices[i] % n`.
 * Shrinking the array toward zeros shrinks toward "always the first candidate", which is
 * the lowest task id: a minimal, readable interleaving. Past the end of the array it picks
 * candidate 0. (fast-check's own scheduler arbitrary does not shrink; a plain array does.)
 */
import type { Scheduler } from '../scheduler.ts';

/** Consumes one number per real choice. */
export class ChoicesScheduler implements Scheduler {
  readonly name = 'choices';
  private readonly choices: readonly number[];
  private pos = 0;

  constructor(choices: readonly number[]) {
    this.choices = choices;
  }

  begin(): void {
    this.pos = 0;
  }

  pick(_ids: Int32Array, n: number): number {
    if (n === 1) return 0;
    if (this.pos >= this.choices.length) return 0;
    const c = this.choices[this.pos++]!;
    return ((c % n) + n) % n;
  }

  /** How many numbers were consumed in the last execution. */
  get used(): number {
    return this.pos;
  }
}
