/**
 * `.ops` lines back to script text. Tokens are re-spelled exactly as the parser read them
 * (the grammar admits one spelling per number), so `serialize(parseOps(s))` equals `s` up to
 * comments and spacing, and output lines echo the same tokens the oracle echoes.
 */
import { refText } from './types.ts';
import type { OpsLine } from './types.ts';

function tokens(line: OpsLine): string[] {
  switch (line.op) {
    case 'order':
      return ['order', line.mode];
    case 'echo':
      return ['echo', line.text];
    case 'create':
    case 'file':
    case 'pipe':
    case 'socketpair':
      return [line.op, line.name];
    case 'eventfd': {
      const t = ['eventfd', line.name];
      if (line.init !== null) t.push(String(line.init));
      if (line.sem) t.push('sem');
      return t;
    }
    case 'dup':
      return ['dup', refText(line.fd), line.name];
    case 'add':
    case 'mod':
      return [line.op, refText(line.ep), refText(line.fd), line.events.text];
    case 'del':
      return ['del', refText(line.ep), refText(line.fd)];
    case 'ctl':
      return ['ctl', refText(line.ep), String(line.ctlOp), refText(line.fd), line.events.text];
    case 'wait':
      return ['wait', refText(line.ep), String(line.maxEvents), String(line.timeoutMs)];
    case 'poll':
      return ['poll', refText(line.fd), line.events.text, String(line.timeoutMs)];
    case 'write':
    case 'read':
      return [line.op, refText(line.fd), String(line.count)];
    case 'fill':
    case 'drain':
    case 'close':
      return [line.op, refText(line.fd)];
    case 'shutdown':
      return ['shutdown', refText(line.fd), line.how];
    case 'expect':
      return ['expect', String(line.count)];
  }
}

/**
 * The line as script text: its tokens joined by single spaces. For every op but `echo` this is
 * also what an output line starts with, before ` -> `.
 */
export function lineText(line: OpsLine): string {
  if (line.op === 'echo') {
    // Text that the parser would read back differently cannot be serialised faithfully.
    if (/[#\r\n]|[ \t]$/.test(line.text)) {
      throw new RangeError(`line ${line.line}: echo text cannot hold '#', newlines or trail`);
    }
    return line.text === '' ? 'echo' : `echo ${line.text}`;
  }
  return tokens(line).join(' ');
}

/** Script text for `lines`, one per line, ending in a newline; `parseOps` reads it back. */
export function serialize(lines: readonly OpsLine[]): string {
  return lines.map((l) => `${lineText(l)}\n`).join('');
}
