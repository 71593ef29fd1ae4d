/**
 * Calls as ops: `yield call(gen)` is `yield* gen` without the delegation frame. The machine
 * (fast engine, and the baseline's resume too) runs `gen` as a subroutine of the generator
 * that yielded it and resumes that generator with its return value, in the same step, or
 * with its exception, as `yield*` would. The same steps, ops and results; each step under
 * a call resumes one generator fewer. Used by the scenario's syscall program and by the
 * build step that rewrites the compiled model's `yield*` (scripts/trampoline.mjs).
 */
import type { Model, Op } from './op.ts';

/** The op kind of a call (outside the kinds of op.ts). */
export const CALL = -1;

/**
 * The one call op, reused: the machine takes its generator (and clears it) as soon as it is
 * yielded, before any model code runs again, and a call op is never a pending op (traces,
 * partial-order reduction and replay never see one). A call then allocates nothing but its
 * generator.
 */
const CALL_OP: Op = { k: CALL, h: 0, f: '', v: null, o: 0, fn: null, x: null };

/** An op that runs `gen` as a subroutine of the generator that yields it. */
export function call(gen: Model<unknown>): Op {
  CALL_OP.v = gen;
  return CALL_OP;
}
