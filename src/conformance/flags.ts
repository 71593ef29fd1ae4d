/**
 * Event flags of the `.ops` language: the EPOLL* bit values of the Linux uapi header
 * (include/uapi/linux/eventpoll.h, whose low bits equal the POLL* values of
 * include/uapi/asm-generic/poll.h) and the fixed order in which docs/ops-language.md prints them.
 *
 * Masks are unsigned 32-bit numbers (`EPOLLET` is bit 31), always kept as `mask >>> 0`.
 */
import { quote } from '../sim/errors.ts';

/** Bit values by flag name, as in the uapi headers. */
export const EPOLL = {
  IN: 0x0001,
  PRI: 0x0002,
  OUT: 0x0004,
  ERR: 0x0008,
  HUP: 0x0010,
  RDNORM: 0x0040,
  RDBAND: 0x0080,
  WRNORM: 0x0100,
  WRBAND: 0x0200,
  MSG: 0x0400,
  RDHUP: 0x2000,
  EXCLUSIVE: 0x1000_0000,
  WAKEUP: 0x2000_0000,
  ONESHOT: 0x4000_0000,
  ET: 0x8000_0000,
} as const;

/** A flag name the language knows. */
export type FlagName = keyof typeof EPOLL;

/** `POLLNVAL`: poll(2) reports it for a closed descriptor; it has no name in the language. */
export const POLLNVAL = 0x0020;

/** The order in which flags print, from docs/ops-language.md (not the bit order). */
export const FLAG_PRINT_ORDER: readonly FlagName[] = [
  'IN', 'PRI', 'OUT', 'ERR', 'HUP', 'RDNORM', 'RDBAND', 'WRNORM', 'WRBAND', 'MSG', 'RDHUP',
  'EXCLUSIVE', 'WAKEUP', 'ONESHOT', 'ET',
];

/** Every bit that has a name. */
export const NAMED_BITS: number = FLAG_PRINT_ORDER.reduce((m, n) => (m | EPOLL[n]) >>> 0, 0);

const DECIMAL = /^(0|[1-9][0-9]*)$/;
// Lower-case hex without leading zeros, at most 32 bits: a canonical spelling, so that
// serialising a parsed script gives back the same tokens.
const HEX = /^0x(0|[1-9a-f][0-9a-f]{0,7})$/;

function isFlagName(s: string): s is FlagName {
  return Object.hasOwn(EPOLL, s);
}

/**
 * Parses one `|`-separated FLAGS token (`IN|ET`, `0`, `0x800`, `IN|0x20`).
 * Returns the mask, or a one-line description of the problem.
 */
export function parseFlags(text: string): number | string {
  if (text === '' || text.startsWith('|') || text.endsWith('|') || text.includes('||')) {
    return `malformed flags ${quote(text)}`;
  }
  let mask = 0;
  for (const term of text.split('|')) {
    let bit: number;
    if (isFlagName(term)) bit = EPOLL[term];
    else if (HEX.test(term)) bit = Number.parseInt(term.slice(2), 16);
    else if (DECIMAL.test(term) && Number(term) <= 0xffff_ffff) bit = Number(term);
    else return `unknown flag ${quote(term)} in ${quote(text)}`;
    mask = (mask | bit) >>> 0;
  }
  return mask;
}

/**
 * Formats a mask the way docs/ops-language.md prints events: named flags in
 * {@link FLAG_PRINT_ORDER} joined by `|`, then the remaining (unnamed) bits as one
 * lower-case hex number, `0` if empty.
 */
export function formatFlags(mask: number): string {
  const parts: string[] = [];
  let rest = mask >>> 0;
  for (const name of FLAG_PRINT_ORDER) {
    if ((rest & EPOLL[name]) !== 0) {
      parts.push(name);
      rest = (rest & ~EPOLL[name]) >>> 0;
    }
  }
  if (rest !== 0) parts.push(`0x${rest.toString(16)}`);
  return parts.length === 0 ? '0' : parts.join('|');
}

/** Builds a mask from names, e.g. `flagMask('IN', 'ET')`. */
export function flagMask(...names: readonly FlagName[]): number {
  return names.reduce((m, n) => (m | EPOLL[n]) >>> 0, 0);
}
