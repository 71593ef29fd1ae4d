/**
 * The portfolio: no strategy finds every bug first (docs/zoo.md), so execution i of a
 * campaign runs the member strategy chosen by its seed, `PORTFOLIO[seed mod n]`, begun with
 * that seed. Consecutive seeds rotate through the members, so a campaign shares its budget
 * between them in fixed proportions, and a failure still replays from its seed alone, on one
 * thread or many, in one process or sharded. The members and their weights (the number of
 * slots each holds) are chosen from the zoo's measurements (docs/zoo.md, "Portfolio").
 */
import type { Scheduler } from '../scheduler.ts';

/** The member strategy of each slot; execution with seed s runs slot s mod length. */
export const PORTFOLIO: readonly string[] = [
  'pct:3', 'preempt:1', 'pct:2', 'random', 'pct:4', 'preempt:2', 'pct:3', 'preempt:3',
];

/** The distinct member strategies, in order of first slot. */
export const PORTFOLIO_MEMBERS: readonly string[] = [...new Set(PORTFOLIO)];

/** The member strategy that runs the execution with this seed. */
export function portfolioMember(seed: number): string {
  return PORTFOLIO[(seed >>> 0) % PORTFOLIO.length]!;
}

/**
 * Delegates each execution to the member its seed selects. Members are made on first use:
 * a run through simulate() uses one, and this is on every fuzz execution's path.
 */
export class PortfolioScheduler implements Scheduler {
  readonly name = 'portfolio';
  private readonly members = new Map<string, Scheduler>();
  private readonly make: (name: string) => Scheduler;
  private cur: Scheduler | undefined;

  constructor(make: (name: string) => Scheduler) {
    this.make = make;
  }

  begin(seed: number): void {
    const name = portfolioMember(seed);
    let s = this.members.get(name);
    if (s === undefined) {
      s = this.make(name);
      this.members.set(name, s);
    }
    this.cur = s;
    s.begin(seed);
  }

  pick(ids: Int32Array, n: number, step: number): number {
    return this.cur!.pick(ids, n, step);
  }

  end(steps: number): void {
    this.cur!.end?.(steps);
  }
}
