/**
 * Parser from `.ops` script text to {@link OpsLine}[]. It accepts exactly what
 * oracle/epoll-oracle.c accepts and rejects the same scripts (the oracle exits 2), checking
 * the whole script before anything runs: syntax, arity, number ranges, flag names, that every
 * name is defined by an earlier line, and that `expect` follows some `wait` or `poll`.
 */
import { quote, SimUsageError } from '../sim/errors.ts';
import { parseFlags } from './flags.ts';
import type { FdRef, Flags, OpsLine, ShutdownHow } from './types.ts';

/** A malformed script. `message` is one line: `line N: problem`. */
export class OpsSyntaxError extends SimUsageError {
  /** 1-based line number of the offending line. */
  readonly line: number;
  /** The problem, without the line number. */
  readonly problem: string;
  constructor(line: number, problem: string) {
    super('E_BAD_SCRIPT', `line ${line}: ${problem}`);
    this.name = 'OpsSyntaxError';
    this.line = line;
    this.problem = problem;
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// One spelling per number (no '+', no leading zeros, no "-0"), as in the oracle.
const INT = /^(0|-?[1-9][0-9]{0,15})$/;
const INT32: readonly [number, number] = [-2147483648, 2147483647];
// The oracle keeps names and flag words in 256-byte buffers.
const MAX_TEXT = 255;
/**
 * Caps on a script (the model's, not the oracle's: a script this long is a mistake, and one
 * of 660,000 lines ran for 42 s before it hit the step limit). The suite's longest is 372.
 */
export const OPS_SCRIPT_LINES_MAX = 20_000;
/** The most characters a script may have (1 MiB). */
export const OPS_SCRIPT_CHARS_MAX = 1 << 20;

const USAGE: Readonly<Record<OpsLine['op'], string>> = {
  order: 'order sorted|kernel',
  echo: 'echo TEXT',
  create: 'create EP',
  pipe: 'pipe P',
  socketpair: 'socketpair S',
  eventfd: 'eventfd E [INIT] [sem]',
  file: 'file F',
  dup: 'dup FD NEW',
  add: 'add EP FD FLAGS',
  mod: 'mod EP FD FLAGS',
  del: 'del EP FD',
  ctl: 'ctl EP OPNUM FD FLAGS',
  wait: 'wait EP MAXEVENTS TIMEOUT_MS',
  poll: 'poll FD FLAGS TIMEOUT_MS',
  write: 'write FD N',
  read: 'read FD N',
  fill: 'fill FD',
  drain: 'drain FD',
  shutdown: 'shutdown S rd|wr|rdwr',
  close: 'close FD',
  expect: 'expect N',
};

function isOp(s: string): s is OpsLine['op'] {
  return Object.hasOwn(USAGE, s);
}

/** Per-script state: which names are defined so far, and whether a count exists to expect. */
class LineParser {
  readonly defined = new Set<string>();
  sawCount = false;
  line = 0;
  tok: string[] = [];

  fail(problem: string): never {
    throw new OpsSyntaxError(this.line, problem);
  }

  arity(op: OpsLine['op'], lo: number, hi = lo): void {
    const n = this.tok.length - 1;
    if (n < lo || n > hi) this.fail(`usage: ${USAGE[op]}`);
  }

  int(s: string, what: string, lo: number, hi: number): number {
    const v = INT.test(s) ? Number(s) : Number.NaN;
    if (!(v >= lo && v <= hi)) {
      this.fail(`bad ${what} ${quote(s)} (an integer in ${lo}..${hi})`);
    }
    return v;
  }

  ref(s: string): FdRef {
    if (s.startsWith('@')) {
      const digits = s.slice(1);
      if (!INT.test(digits) || !(Number(digits) >= INT32[0] && Number(digits) <= INT32[1])) {
        this.fail(`bad raw descriptor ${quote(s)}`);
      }
      return { kind: 'raw', fd: Number(digits) };
    }
    if (!NAME.test(s)) this.fail(`bad name ${quote(s)}`);
    if (!this.defined.has(s)) this.fail(`undefined name ${quote(s)}`);
    return { kind: 'name', name: s };
  }

  define(base: string, suffix = ''): string {
    if (!NAME.test(base) || base.length + suffix.length > MAX_TEXT) {
      this.fail(`bad name ${quote(base)}`);
    }
    this.defined.add(base + suffix);
    return base;
  }

  flags(s: string): Flags {
    if (s.length > MAX_TEXT) this.fail(`malformed flags ${quote(s)}`);
    const mask = parseFlags(s);
    if (typeof mask === 'string') this.fail(mask);
    return { mask, text: s };
  }
}

function parseEventfd(p: LineParser, line: number): OpsLine {
  const t = p.tok;
  p.arity('eventfd', 1, 3);
  let i = 2;
  let init: number | null = null;
  if (i < t.length && t[i] !== 'sem') init = p.int(t[i++] ?? '', 'initial value', 0, 0xffff_ffff);
  let sem = false;
  if (i < t.length) {
    if (t[i++] !== 'sem') p.fail(`usage: ${USAGE.eventfd}`);
    sem = true;
  }
  if (i !== t.length) p.fail(`usage: ${USAGE.eventfd}`);
  return { line, op: 'eventfd', name: p.define(t[1] ?? ''), init, sem };
}

/** The operands of a line whose op is known: the ops that set state or define names here. */
function parseOperands(p: LineParser, op: OpsLine['op'], line: number): OpsLine {
  // Arity is checked before any operand is read, so a missing token is never read here.
  const t = (i: number): string => p.tok[i] ?? '';
  switch (op) {
    case 'echo':
      return p.fail('echo is parsed elsewhere');
    case 'order':
      p.arity(op, 1);
      if (t(1) !== 'sorted' && t(1) !== 'kernel') {
        p.fail(`order must be 'sorted' or 'kernel', not ${quote(t(1))}`);
      }
      return { line, op, mode: t(1) as 'sorted' | 'kernel' };
    case 'create':
    case 'file':
      p.arity(op, 1);
      return { line, op, name: p.define(t(1)) };
    case 'pipe':
      p.arity(op, 1);
      p.define(t(1), 'r');
      return { line, op, name: p.define(t(1), 'w') };
    case 'socketpair':
      p.arity(op, 1);
      p.define(t(1), '0');
      return { line, op, name: p.define(t(1), '1') };
    case 'eventfd':
      return parseEventfd(p, line);
    case 'dup': {
      p.arity(op, 2);
      const fd = p.ref(t(1));
      return { line, op, fd, name: p.define(t(2)) };
    }
    default:
      return parseUse(p, op, line);
  }
}

/** The operands of an op that works on existing descriptors. */
function parseUse(p: LineParser, op: OpsLine['op'], line: number): OpsLine {
  const t = (i: number): string => p.tok[i] ?? '';
  switch (op) {
    case 'add':
    case 'mod': {
      p.arity(op, 3);
      const ep = p.ref(t(1));
      const fd = p.ref(t(2));
      return { line, op, ep, fd, events: p.flags(t(3)) };
    }
    case 'del': {
      p.arity(op, 2);
      const ep = p.ref(t(1));
      return { line, op, ep, fd: p.ref(t(2)) };
    }
    case 'ctl': {
      p.arity(op, 4);
      const ep = p.ref(t(1));
      const ctlOp = p.int(t(2), 'op number', ...INT32);
      const fd = p.ref(t(3));
      return { line, op, ep, ctlOp, fd, events: p.flags(t(4)) };
    }
    case 'wait': {
      p.arity(op, 3);
      const ep = p.ref(t(1));
      const maxEvents = p.int(t(2), 'maxevents', ...INT32);
      p.sawCount = true;
      return { line, op, ep, maxEvents, timeoutMs: p.int(t(3), 'timeout', ...INT32) };
    }
    case 'poll': {
      p.arity(op, 3);
      const fd = p.ref(t(1));
      const events = p.flags(t(2));
      p.sawCount = true;
      return { line, op, fd, events, timeoutMs: p.int(t(3), 'timeout', ...INT32) };
    }
    case 'write':
    case 'read': {
      p.arity(op, 2);
      const fd = p.ref(t(1));
      return { line, op, fd, count: p.int(t(2), 'count', 0, Number.MAX_SAFE_INTEGER) };
    }
    case 'fill':
    case 'drain':
    case 'close':
      p.arity(op, 1);
      return { line, op, fd: p.ref(t(1)) };
    case 'shutdown': {
      p.arity(op, 2);
      const fd = p.ref(t(1));
      if (t(2) !== 'rd' && t(2) !== 'wr' && t(2) !== 'rdwr') {
        p.fail(`shutdown mode must be rd, wr or rdwr, not ${quote(t(2))}`);
      }
      return { line, op, fd, how: t(2) as ShutdownHow };
    }
    case 'expect': {
      p.arity(op, 1);
      const count = p.int(t(1), 'count', ...INT32);
      if (!p.sawCount) p.fail('expect without an earlier wait or poll');
      return { line, op, count };
    }
    default:
      return p.fail(`${quote(op)} is not an op on existing descriptors`);
  }
}

/**
 * Parses a whole script. Comments (`#` to the end of the line, also inside echo text) and
 * blank lines are dropped; every other line becomes one {@link OpsLine} carrying its line number.
 * @throws {OpsSyntaxError} on the first malformed line.
 */
export function parseOps(text: string): OpsLine[] {
  if (typeof text !== 'string') {
    throw new SimUsageError('E_BAD_SCRIPT', `a script must be text, got ${quote(text)}`);
  }
  if (text.length > OPS_SCRIPT_CHARS_MAX) {
    throw new OpsSyntaxError(1, `the script has ${text.length} characters, over the cap of ` +
      `${OPS_SCRIPT_CHARS_MAX}`);
  }
  const p: LineParser = new LineParser();
  const out: OpsLine[] = [];
  const src = text.split('\n');
  if (src.length > OPS_SCRIPT_LINES_MAX) {
    throw new OpsSyntaxError(OPS_SCRIPT_LINES_MAX + 1, `the script has ${src.length} lines, ` +
      `over the cap of ${OPS_SCRIPT_LINES_MAX}`);
  }
  for (let i = 0; i < src.length; i++) {
    p.line = i + 1;
    const body = (src[i] ?? '').split('#')[0]?.replace(/[ \t\r\n]+$/, '') ?? '';
    const start = body.replace(/^[ \t]+/, '');
    if (start === '') continue;
    const echo = /^echo(?:[ \t]|$)/.exec(start);
    if (echo) {
      out.push({ line: p.line, op: 'echo', text: start.slice(5) });
      continue;
    }
    p.tok = start.split(/[ \t]+/);
    const op = p.tok[0] ?? '';
    if (p.tok.length > 16) p.fail('too many tokens');
    if (!isOp(op)) p.fail(`unknown op ${quote(op)}`);
    out.push(parseOperands(p, op, p.line));
  }
  return out;
}
