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

/**
 * A replayed schedule asked for a choice that the run does not offer: the schedule does not
 * belong to this variant, scenario and seed, so it is bad input (a {@link SimUsageError}).
 */
export class ReplayDivergenceError extends SimUsageError {
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
  const s = typeof text === 'string' || typeof text === 'number' ? String(text).trim() : '';
  const ok = /^(0x[0-9a-fA-F]{1,8}|[0-9]{1,10})$/.test(s);
  const n = ok ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new SimUsageError('E_BAD_SEED', `bad seed ${typeof text === 'string' ||
      typeof text === 'number' ? quote(s) : quote(text)}: expected an integer from 0 to ` +
      '4294967295');
  }
  return n;
}

/** How many characters of a user-given value an error message shows (see {@link quote}). */
export const QUOTE_MAX = 80;

/** `c` written as an escape when it is a control character (C0, DEL, C1, line separators). */
function escapeChar(c: string): string {
  const n = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  if (n < 0x20 || (n >= 0x7f && n <= 0x9f) || n === 0x2028 || n === 0x2029 ||
    (n >= 0xd800 && n <= 0xdfff)) {
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}`
      : `\\u${n.toString(16).padStart(4, '0')}`;
  }
  return c;
}

/**
 * The first `max` characters of `s` with control characters and lone surrogates escaped (a
 * valid surrogate pair, an emoji, is kept whole: escaped it would be 12 characters), and
 * quotes and backslashes too when `quotes`.
 */
function escapeRun(s: string, max: number, quotes: boolean): string {
  let out = '';
  const n = Math.min(s.length, max);
  for (let i = 0; i < n; i++) {
    const c = s[i]!;
    const code = c.charCodeAt(0);
    const next = s.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      if (i + 1 < n) out += c + s[++i]!;
      continue;
    }
    out += quotes && (c === "'" || c === '\\') ? `\\${c}` : escapeChar(c);
  }
  return out;
}

/** A string for a message: single-quoted, escaped, cut to `max` characters. */
function quoteString(s: string, max: number): string {
  const out = escapeRun(s, max, true);
  return s.length > max ? `'${out}...' (${s.length} characters)` : `'${out}'`;
}

/**
 * Text of unknown origin for a message, unquoted: control characters escaped, cut to `max`
 * characters (with `...`). For messages of other code that may echo user input (node's).
 */
export function escapeText(s: string, max = 200): string {
  const out = escapeRun(s, max, false);
  return s.length > max ? `${out}...` : out;
}

/**
 * A value given by a user, as an error message shows it: strings single-quoted with control
 * characters escaped and cut to {@link QUOTE_MAX} characters (the length said when cut);
 * numbers, booleans, `null` and `undefined` as written; arrays and objects by their kind and
 * size, never serialised (they may be huge, deeply nested or cyclic). Never throws.
 */
export function quote(v: unknown, max = QUOTE_MAX): string {
  switch (typeof v) {
    case 'string': return quoteString(v, max);
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint': return `${v}n`.length > max ? 'a bigint' : `${v}n`;
    case 'boolean': return String(v);
    case 'undefined': return 'undefined';
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
    default:
      if (v === null) return 'null';
      if (Array.isArray(v)) return `an array of ${v.length} items`;
      return 'an object';
  }
}

/** Whether `v` is a non-null object that is not an array. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks that `v` is an integer from `min` to `max` (a number, not a string) and returns it;
 * a {@link SimUsageError} naming `field` and the bad value otherwise.
 */
export function intArg(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new SimUsageError('E_BAD_ARGUMENT', `${field}: expected an integer from ${min} to ` +
      `${max}, got ${quote(v)}`);
  }
  return v;
}
