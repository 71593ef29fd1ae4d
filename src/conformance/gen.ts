/**
 * fast-check arbitraries for valid, interesting single-threaded `.ops` scripts.
 *
 * A script is generated as an array of abstract steps (an op kind and a few naturals), which
 * {@link stepsToScript} interprets against the names defined so far: every operand index is
 * taken modulo the candidates that exist at that point. Any sub-array of steps therefore still
 * yields a valid script, so fast-check shrinks a failing script by dropping steps and by
 * shrinking the naturals toward the first candidate and the plainest flags.
 *
 * Only deterministic operations are generated: timeout 0 everywhere, small writes, no `fill`
 * of a socket (its total follows the kernel's socket-buffer accounting) or of an eventfd (its
 * counter would make a semaphore drain take 2^64 reads), and a pipe is filled only right
 * after draining it (an empty pipe always takes exactly 65536 bytes).
 */
import fc from 'fast-check';
import { ScriptBuilder } from './gen-builder.ts';
import type { OpsLine, OrderMode } from './types.ts';

/** The kinds of abstract step, roughly one per op, plus a few multi-line patterns. */
export const STEP_KINDS = [
  'create', 'pipe', 'socketpair', 'eventfd', 'file', 'add', 'mod', 'del', 'ctl', 'wait', 'poll',
  'write', 'read', 'drain', 'fill', 'shutdown', 'close', 'dup', 'dupClose', 'nest', 'chain',
  'order',
] as const;

/** One abstract step; `a`, `b`, `c` and `f` select operands, sizes and flags. */
export interface OpsStep {
  readonly t: (typeof STEP_KINDS)[number];
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly f: number;
}

/** Options of {@link opsScriptArb}. */
export interface OpsScriptOptions {
  /** Fewest / most abstract steps (a step is one to about twelve lines). Default 4 / 40. */
  readonly minSteps?: number;
  readonly maxSteps?: number;
  /** `order` of `wait` output: fixed, or switched by steps (`mixed`, the default). */
  readonly order?: OrderMode | 'mixed';
  /** Generate `@N` operands (`@-1`, `@999`, small numbers). Default true. */
  readonly rawRefs?: boolean;
  /** Generate the drain-then-fill pipe pattern. Default true. */
  readonly fill?: boolean;
  /**
   * Wide mode (default false): `fill` steps also fill pipes that are not empty, sockets and
   * non-semaphore eventfds, and writes to pipes and sockets also move 8 KiB, 64 KiB and
   * 100000 bytes. Their totals follow the kernel's pipe-merge and socket-accounting rules,
   * which the model reproduces; the default stays within what any model can get right.
   */
  readonly wide?: boolean;
  /** fast-check size of the step array. Default `medium`. */
  readonly size?: fc.SizeForArbitrary;
}

const WEIGHTS: Readonly<Record<OpsStep['t'], number>> = {
  create: 3, pipe: 3, socketpair: 2, eventfd: 2, file: 1, add: 9, mod: 3, del: 2, ctl: 1,
  wait: 9, poll: 2, write: 7, read: 3, drain: 2, fill: 1, shutdown: 1, close: 3, dup: 2,
  dupClose: 1, nest: 2, chain: 1, order: 1,
};

/** Arbitrary for one {@link OpsStep}. */
export function opsStepArb(): fc.Arbitrary<OpsStep> {
  const kinds = STEP_KINDS.map((t) => ({ arbitrary: fc.constant(t), weight: WEIGHTS[t] }));
  return fc.record({
    t: fc.oneof(...kinds),
    a: fc.nat({ max: 1023 }),
    b: fc.nat({ max: 1023 }),
    c: fc.nat({ max: 1023 }),
    f: fc.nat({ max: 0xffff }),
  });
}

/** Arbitrary for a whole valid script, as `OpsLine[]` with line numbers 1..n. */
export function opsScriptArb(options: OpsScriptOptions = {}): fc.Arbitrary<OpsLine[]> {
  const steps = fc.array(opsStepArb(), {
    minLength: options.minSteps ?? 4,
    maxLength: options.maxSteps ?? 40,
    // fast-check's default 'small' size keeps arrays near ten steps: too few to set up a
    // nested set, wake it and wait on it.
    size: options.size ?? 'medium',
  });
  return steps.map((s) => stepsToScript(s, options));
}

/** Interprets steps into a valid script; deterministic, and total on any step array. */
export function stepsToScript(
  steps: readonly OpsStep[],
  options: OpsScriptOptions = {},
): OpsLine[] {
  const b = new ScriptBuilder(options);
  b.start();
  for (const s of steps) b.step(s);
  return b.lines;
}

