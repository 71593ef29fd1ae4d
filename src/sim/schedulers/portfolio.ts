/**
 * The portfolio: no strategy finds every bug first (docs/zoo.md), so execution i of a
 * campaign runs the member strategy chosen by its seed, `PORTFOLIO[seed mod n]`, begun with
 * that seed. Consecutive seeds rotate through the members, so a campaign shares its budget
 * between them in fixed proportions, and a failure still replays from its seed alone, on one
 * thread or many, in one process or sharded. The members and their weights (the number of
 * slots each holds) are chosen from the zoo's measurements (docs/zoo.md, "Portfolio").
 *
 * Under lkmm the table differs: every load with older writes to read is a choice too, and
 * the members that rank contexts (PCT, preempt:K) leave those to a uniform draw on top of
 * their few switches, which missed the zoo's lkmm entry (PW1) in 6,000 schedules where a
 * uniform random walk needs ~620 (docs/zoo.md). So random holds five of the eight slots.
 */
import type { MemoryMode } from '../memory.ts';
import type { Scheduler } from '../scheduler.ts';

/** The member strategy of each slot; execution with seed s runs slot s mod length. */
export const PORTFOLIO: readonly string[] = [
  'pct:3', 'preempt:1', 'pct:2', 'random', 'pct:4', 'preempt:2', 'pct:3', 'preempt:3',
];

/** The slots under the lkmm memory mode. */
export const PORTFOLIO_LKMM: readonly string[] = [
  'random', 'pct:3', 'random', 'preempt:1', 'random', 'pct:2', 'random', 'random',
];

/** The distinct member strategies, in order of first slot. */
export const PORTFOLIO_MEMBERS: readonly string[] = [...new Set([...PORTFOLIO,
  ...PORTFOLIO_LKMM])];

/** The slot table for a memory mode. */
export function portfolioTable(memory?: MemoryMode): readonly string[] {
  return memory === 'lkmm' ? PORTFOLIO_LKMM : PORTFOLIO;
}

/** The member strategy that runs the execution with this seed (under `memory`). */
export function portfolioMember(seed: number, memory?: MemoryMode): string {
  const t = portfolioTable(memory);
  return t[(seed >>> 0) % t.length]!;
}

/**
 * Delegates each execution to the member its seed selects. Members are made on first use:
 * a run through simulate() uses one, and this is on every fuzz execution's path.
 */
export class PortfolioScheduler implements Scheduler {
  readonly name = 'portfolio';
  private readonly members = new Map<string, Scheduler>();
  private readonly make: (name: string) => Scheduler;
  private readonly memory: MemoryMode | undefined;
  private cur: Scheduler | undefined;

  constructor(make: (name: string) => Scheduler, memory?: MemoryMode) {
    this.make = make;
    this.memory = memory;
  }

  begin(seed: number): void {
    const name = portfolioMember(seed, this.memory);
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
