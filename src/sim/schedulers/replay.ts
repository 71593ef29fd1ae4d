/**
 * Replays a recorded schedule. Each recorded choice must be among the candidates offered at
 * that step; otherwise the replay has diverged (the model or scenario changed) and a
 * {@link ReplayDivergenceError} says where and how. When the schedule is exhausted, the run
 * either fails (strict) or continues with a fallback strategy (a forced prefix).
 */
import { ReplayDivergenceError } from '../errors.ts';
import { decodeSchedule, describeChoice } from '../schedule.ts';
import type { Scheduler } from '../scheduler.ts';

/** Follows `schedule` (choice ids or its text encoding), then `fallback` if given. */
export class ReplayScheduler implements Scheduler {
  readonly name = 'replay';
  private readonly choices: number[];
  private readonly fallback: Scheduler | undefined;
  private pos = 0;

  constructor(schedule: string | readonly number[], fallback?: Scheduler) {
    this.choices = typeof schedule === 'string' ? decodeSchedule(schedule) : [...schedule];
    this.fallback = fallback;
  }

  begin(seed: number): void {
    this.pos = 0;
    this.fallback?.begin(seed);
  }

  pick(ids: Int32Array, n: number, step: number): number {
    if (this.pos >= this.choices.length) {
      if (this.fallback) return this.fallback.pick(ids, n, step);
      throw new ReplayDivergenceError(`replay diverged at step ${step}: the schedule ended ` +
        `after ${this.choices.length} choices but the run continues ` +
        `(offered: ${offered(ids, n)})`);
    }
    const want = this.choices[this.pos++]!;
    for (let i = 0; i < n; i++) if (ids[i] === want) return i;
    throw new ReplayDivergenceError(`replay diverged at step ${step}: the schedule asks for ` +
      `${describeChoice(want)} but the run offers ${offered(ids, n)}`);
  }

  /** True when every recorded choice has been consumed. */
  get finished(): boolean {
    return this.pos >= this.choices.length;
  }

  /** Choices left unconsumed (a replay that stops early has diverged too). */
  get remaining(): number {
    return this.choices.length - this.pos;
  }
}

function offered(ids: Int32Array, n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(describeChoice(ids[i]!));
  return parts.join(', ');
}
