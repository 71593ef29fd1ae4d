/**
 * Typed errors of the simulator. Each carries a stable `code` and a one-line message that
 * names the problem, so the CLI can print it without a stack trace and exit 2.
 */

/** Base class: an error a user can act on (bad input, a limit, a diverging replay). */
export class SimError extends Error {
  /** A stable machine-readable code, e.g. `E_BAD_SCHEDULE`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = 'SimError';
  }
}

/** Bad input: zero CPUs, an unknown scheduler, a malformed schedule string, a bad seed. */
export class SimUsageError extends SimError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'SimUsageError';
  }
}

/** A replayed schedule asked for a choice that the run does not offer. */
export class ReplayDivergenceError extends SimError {
  constructor(message: string) {
    super('E_REPLAY_DIVERGED', message);
    this.name = 'ReplayDivergenceError';
  }
}

/** A run went over one of its limits (steps, contexts, spinning). */
export class LimitExceededError extends SimError {
  constructor(message: string) {
    super('E_LIMIT', message);
    this.name = 'LimitExceededError';
  }
}

/** An internal inconsistency of the model itself (a bug in eventpoll-sim, not in a variant). */
export class ModelError extends SimError {
  constructor(message: string) {
    super('E_MODEL', message);
    this.name = 'ModelError';
  }
}

/** Throws a {@link ModelError} when `cond` is false. Use one condition per call. */
export function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new ModelError(message);
}

/**
 * Parses a seed given by a user: a non-negative integer below 2^32 in decimal or 0x-hex.
 * Throws a {@link SimUsageError} naming the bad text otherwise.
 */
export function parseSeed(text: string | number): number {
  const s = String(text).trim();
  const ok = /^(0x[0-9a-fA-F]{1,8}|[0-9]{1,10})$/.test(s);
  const n = ok ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new SimUsageError('E_BAD_SEED',
      `bad seed '${s}': expected an integer from 0 to 4294967295`);
  }
  return n;
}
