/**
 * Scenario-level tallies: counters that calls add to or OR into when they return more than 0
 * (CountSpec), checked against their expectations (TallySpec) when a run ends. They express
 * the kernel selftests' shared counters: "both threads got the event" (a sum of 2), "the
 * inner thread must, the outer may" (an OR of 2 or 3).
 */
import type { Machine, Observer } from '../sim/machine.ts';
import type { CountSpec, Expect, TallySpec } from './types.ts';

/** True when `v` meets an expectation (a value or an inclusive range). */
export function meets(v: number, e: Expect): boolean {
  return typeof e === 'number' ? v === e : v >= e[0] && v <= e[1];
}

/** The tallies of one run. */
export class Tallies {
  /** Current values, by name (every declared tally starts at 0). */
  readonly values = new Map<string, number>();
  private readonly specs: readonly TallySpec[];

  constructor(specs: readonly TallySpec[]) {
    this.specs = specs;
    for (const s of specs) this.values.set(s.name, 0);
  }

  /** A call returned `ret`: count it if it is positive. */
  count(c: CountSpec, ret: number): void {
    if (ret <= 0) return;
    const v = this.values.get(c.tally) ?? 0;
    this.values.set(c.tally, 'or' in c ? v | c.or : v + (c.add ?? 1));
  }

  /**
   * The observer that checks every tally when the run ends, also at quiescence: a call
   * still blocked then never returned and does not count. Reports `assertion`/`tally`.
   */
  observer(): Observer {
    return {
      name: 'tallies',
      atEnd: (m: Machine) => {
        for (const s of this.specs) {
          const v = this.values.get(s.name) ?? 0;
          if (meets(v, s.expect)) continue;
          m.report({ property: 'assertion', kind: 'tally', message: `tally '${s.name}' is ` +
            `${v} at the end of the run, expected ${JSON.stringify(s.expect)}` +
            `${s.description ? ` (${s.description})` : ''}`, ctx: -1, cpu: -1 });
          return;
        }
      },
    };
  }
}
