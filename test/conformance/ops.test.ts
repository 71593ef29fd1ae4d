import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  EPOLL,
  OpsPrinter,
  OpsSyntaxError,
  errnoName,
  flagMask,
  formatFlags,
  formatResult,
  parseFlags,
  parseOps,
  result,
  serialize,
} from '../../src/conformance/ops.ts';
import type { OpsLine } from '../../src/conformance/ops.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPTS = join(REPO, 'conformance', 'basics');

function withoutLines(lines: readonly OpsLine[]): unknown[] {
  return lines.map(({ line: _line, ...rest }) => rest);
}

function syntaxError(text: string): OpsSyntaxError {
  try {
    parseOps(text);
  } catch (e) {
    if (e instanceof OpsSyntaxError) return e;
    throw e;
  }
  throw new Error(`no syntax error for: ${text}`);
}

describe('flags', () => {
  it('uses the uapi bit values', () => {
    expect(EPOLL.IN).toBe(0x1);
    expect(EPOLL.RDHUP).toBe(0x2000);
    expect(EPOLL.EXCLUSIVE).toBe(0x10000000);
    expect(EPOLL.ET).toBe(0x80000000);
    expect(flagMask('IN', 'ET')).toBe(0x80000001);
  });

  it('prints in the fixed order, unnamed bits last as hex', () => {
    expect(formatFlags(0)).toBe('0');
    expect(formatFlags(EPOLL.ET | EPOLL.IN | EPOLL.HUP | EPOLL.ERR)).toBe('IN|ERR|HUP|ET');
    expect(formatFlags(EPOLL.RDHUP | EPOLL.IN | EPOLL.OUT)).toBe('IN|OUT|RDHUP');
    expect(formatFlags(0x20 | EPOLL.IN)).toBe('IN|0x20');
    expect(formatFlags(0x820)).toBe('0x820');
  });

  it('parses names, decimal and canonical hex, and rejects the rest', () => {
    expect(parseFlags('IN|ET')).toBe(0x80000001);
    expect(parseFlags('0')).toBe(0);
    expect(parseFlags('0x2000|IN')).toBe(0x2001);
    expect(parseFlags('4294967295')).toBe(0xffffffff);
    for (const bad of ['', 'IN|', '|IN', 'IN||OUT', 'in', '0X1', '0x01', '01', '4294967296']) {
      expect(typeof parseFlags(bad), bad).toBe('string');
    }
  });
});

describe('parseOps', () => {
  it('round-trips every basic script through serialize', () => {
    const files = readdirSync(SCRIPTS).filter((f) => f.endsWith('.ops'));
    expect(files.length).toBe(8);
    for (const f of files) {
      const lines = parseOps(readFileSync(join(SCRIPTS, f), 'utf8'));
      const again = parseOps(serialize(lines));
      expect(withoutLines(again), f).toEqual(withoutLines(lines));
      expect(JSON.parse(JSON.stringify(lines)), f).toEqual(lines);
    }
  });

  it('types each op and keeps source line numbers', () => {
    const lines = parseOps(
      '# comment\ncreate ep\n\npipe p\nadd ep pr IN|ET # trailing\neventfd e 3 sem\n' +
        'wait ep 8 0\nexpect 1\npoll @-1 IN 0\necho  two  spaces \n',
    );
    expect(lines.map((l) => l.line)).toEqual([2, 4, 5, 6, 7, 8, 9, 10]);
    expect(lines[2]).toEqual({
      line: 5,
      op: 'add',
      ep: { kind: 'name', name: 'ep' },
      fd: { kind: 'name', name: 'pr' },
      events: { mask: 0x80000001, text: 'IN|ET' },
    });
    expect(lines[3]).toEqual({ line: 6, op: 'eventfd', name: 'e', init: 3, sem: true });
    expect(lines[6]).toMatchObject({ op: 'poll', fd: { kind: 'raw', fd: -1 } });
    expect(lines[7]).toEqual({ line: 10, op: 'echo', text: ' two  spaces' });
  });

  it('lets closed and redefined names be used', () => {
    expect(() => parseOps('pipe p\nclose pr\nclose pr\npipe p\nclose pr\n')).not.toThrow();
  });

  it('reports one-line errors naming the line', () => {
    const cases: [string, string][] = [
      ['create ep\nfrob ep\n', "line 2: unknown op 'frob'"],
      ['pipe p\nclose q\n', "line 2: undefined name 'q'"],
      ['create e\nadd e e IN|FOO\n', "line 2: unknown flag 'FOO' in 'IN|FOO'"],
      ['create e\nadd e e IN||OUT\n', "line 2: malformed flags 'IN||OUT'"],
      ['wait\n', 'line 1: usage: wait EP MAXEVENTS TIMEOUT_MS'],
      ['expect 1\n', 'line 1: expect without an earlier wait or poll'],
      ['eventfd e 1 sem x\n', 'line 1: usage: eventfd E [INIT] [sem]'],
      [
        'create e\nwait e 08 0\n',
        "line 2: bad maxevents '08' (an integer in -2147483648..2147483647)",
      ],
      ['order weird\n', "line 1: order must be 'sorted' or 'kernel', not 'weird'"],
      ['create 1x\n', "line 1: bad name '1x'"],
      [
        'socketpair s\nshutdown s0 both\n',
        "line 2: shutdown mode must be rd, wr or rdwr, not 'both'",
      ],
      ['write @x 1\n', "line 1: bad raw descriptor '@x'"],
    ];
    for (const [text, message] of cases) {
      const e = syntaxError(text);
      expect(e.message).toBe(message);
      expect(e.message).not.toContain('\n');
    }
    expect(syntaxError('\n\npipe p\nread pr -1\n').line).toBe(4);
  });
});

describe('formatResult', () => {
  const [wait, poll, write, expectLine] = parseOps(
    'create ep\nwait ep 8 0\npoll ep IN 0\nwrite ep 1\nexpect 2\n',
  ).slice(1);

  it('formats each kind of result', () => {
    if (!wait || !poll || !write || !expectLine) throw new Error('parse');
    const evs = [
      { label: 'b', events: EPOLL.IN },
      { label: 'a', events: EPOLL.IN | EPOLL.HUP },
    ];
    expect(formatResult(wait, result.events(evs))).toBe('wait ep 8 0 -> 2: a=IN|HUP b=IN');
    expect(formatResult(wait, result.events(evs), 'kernel')).toBe(
      'wait ep 8 0 -> 2: b=IN a=IN|HUP',
    );
    expect(formatResult(wait, result.events([]))).toBe('wait ep 8 0 -> 0');
    expect(formatResult(poll, result.revents(0))).toBe('poll ep IN 0 -> 0');
    expect(formatResult(poll, result.revents(0x20))).toBe('poll ep IN 0 -> 1: 0x20');
    expect(formatResult(write, result.errno(errnoName(22)))).toBe('write ep 1 -> EINVAL');
    expect(formatResult(write, result.value(2n ** 64n - 2n))).toBe(
      'write ep 1 -> 18446744073709551614',
    );
    expect(errnoName(4095)).toBe('ERRNO4095');
  });

  it('tracks order and the last count in OpsPrinter', () => {
    const lines = parseOps(
      'order kernel\ncreate ep\nwait ep 1 0\nexpect 1\nwait ep 1 0\nexpect 1\n',
    );
    const first = result.events([{ label: 'x', events: 1 }]);
    const p = new OpsPrinter();
    const out = lines.map((l) =>
      l.op === 'wait'
        ? p.print(l, l.line === 3 ? first : result.errno('EBADF'))
        : p.print(l, result.ok),
    );
    expect(out).toEqual([
      'order kernel -> ok',
      'create ep -> ok',
      'wait ep 1 0 -> 1: x=IN',
      'expect 1 -> ok',
      'wait ep 1 0 -> EBADF',
      'expect 1 -> MISMATCH got EBADF',
    ]);
  });
});
