/**
 * A property violation: what a checker or a primitive found wrong, where, and why.
 * Plain data, so it can be serialised, compared and printed.
 */

/** The property families of the simulator (see docs/architecture.md). */
export type PropertyId =
  | 'P1-lost-wakeup'
  | 'P2-list-integrity'
  | 'P3-memory-safety'
  | 'P4-locking'
  | 'P5-event-semantics'
  | 'P6-wakeup-source'
  | 'P7-liveness'
  | 'assertion';

/** One violation. `step` is the step after which it was detected. */
export interface Violation {
  property: PropertyId;
  /** A short kind, e.g. `deadlock`, `use-after-free`, `irq-unsafe-lock`. */
  kind: string;
  /** One line naming what went wrong. */
  message: string;
  step: number;
  /** The context and CPU involved, when there is one (-1 otherwise). */
  ctx: number;
  cpu: number;
  /** Extra lines (for example both acquisition sites of a lock-order report). */
  details?: string[];
}
