/**
 * A choice list read relative to "keep going": the shrinker's scheduler.
 *
 * At a step with n > 1 candidates, choice 0 means "run the most recently chosen candidate
 * that is still offered" (no context switch), and choice k > 0 the k-th of the others in
 * offered order (k taken mod n). Past the end of the list every choice is 0. So a zero is a
 * default decision, and the number of non-zero choices counts the context switches that
 * were chosen rather than forced (as CHESS counts preemptions): shrinking toward zeros
 * shrinks toward few switches, the readable interleaving.
 *
 * {@link StickyRecorder} translates another scheduler's picks into this form, so a
 * failing run can be re-expressed and then shrunk.
 */
import type { Scheduler } from '../sim/scheduler.ts';

/** Remembers recently chosen ids, most recent first, to find the default candidate. */
class Recency {
  private readonly ids: number[] = [];

  clear(): void {
    this.ids.length = 0;
  }

  /** The index in `ids[0..n)` of the most recent id offered, or -1. */
  defaultIndex(ids: Int32Array, n: number): number {
    for (const r of this.ids) {
      for (let i = 0; i < n; i++) if (ids[i] === r) return i;
    }
    return -1;
  }

  touch(id: number): void {
    const at = this.ids.indexOf(id);
    if (at >= 0) this.ids.splice(at, 1);
    this.ids.unshift(id);
    if (this.ids.length > 16) this.ids.pop();
  }
}

/** The candidate index of relative choice `k` given the default index `def`. */
function indexOf(k: number, def: number): number {
  if (def < 0) return k;
  if (k === 0) return def;
  return k - 1 < def ? k - 1 : k;
}

/** The relative choice of candidate index `idx` given the default index `def`. */
function choiceOf(idx: number, def: number): number {
  if (def < 0) return idx;
  if (idx === def) return 0;
  return idx < def ? idx + 1 : idx;
}

/** Follows a relative choice list (see the module comment). */
export class StickyChoicesScheduler implements Scheduler {
  readonly name = 'sticky-choices';
  private readonly recent = new Recency();
  private pos = 0;

  constructor(private readonly choices: readonly number[]) {}

  begin(): void {
    this.pos = 0;
    this.recent.clear();
  }

  pick(ids: Int32Array, n: number): number {
    const def = this.recent.defaultIndex(ids, n);
    let idx = def < 0 ? 0 : def;
    if (n > 1) {
      const c = this.pos < this.choices.length ? this.choices[this.pos]! : 0;
      this.pos++;
      idx = indexOf(((c % n) + n) % n, def);
    }
    this.recent.touch(ids[idx]!);
    return idx;
  }

  /** Choices consumed by the last execution (including defaults past the end). */
  get used(): number {
    return this.pos;
  }
}

/** Runs another scheduler and records its picks as relative choices. */
export class StickyRecorder implements Scheduler {
  readonly name = 'sticky-recorder';
  readonly choices: number[] = [];
  private readonly recent = new Recency();

  constructor(private readonly inner: Scheduler) {}

  begin(seed: number): void {
    this.choices.length = 0;
    this.recent.clear();
    this.inner.begin(seed);
  }

  pick(ids: Int32Array, n: number, step: number): number {
    const def = this.recent.defaultIndex(ids, n);
    const idx = this.inner.pick(ids, n, step);
    if (n > 1) this.choices.push(choiceOf(idx, def));
    this.recent.touch(ids[idx]!);
    return idx;
  }
}
