/**
 * Event flags in scenarios: an array of names (`["IN", "ET"]`) or a number. Names and bits
 * are those of include/uapi/linux/eventpoll.h.
 */
import * as U from '../eventpoll/uapi.ts';
import { quote } from '../sim/errors.ts';

/** Flag bits by name. */
export const FLAG_BITS: Readonly<Record<string, number>> = {
  IN: U.EPOLLIN, PRI: U.EPOLLPRI, OUT: U.EPOLLOUT, ERR: U.EPOLLERR, HUP: U.EPOLLHUP,
  RDNORM: U.EPOLLRDNORM, RDBAND: U.EPOLLRDBAND, WRNORM: U.EPOLLWRNORM,
  WRBAND: U.EPOLLWRBAND, MSG: U.EPOLLMSG, RDHUP: U.EPOLLRDHUP, EXCLUSIVE: U.EPOLLEXCLUSIVE,
  WAKEUP: U.EPOLLWAKEUP, ONESHOT: U.EPOLLONESHOT, ET: U.EPOLLET,
};

/**
 * Parses a flags spec; returns the mask or a one-line problem. A number must fit 32 bits
 * (from -2^31, the signed view, to 2^32-1); names are own keys of {@link FLAG_BITS} only, so
 * `constructor` or `__proto__` is an unknown flag, not 0.
 */
export function parseFlagsSpec(v: unknown): number | string {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= -0x8000_0000 && v <= 0xffff_ffff) return v | 0;
    return `expected a 32-bit mask (an integer from -2147483648 to 4294967295), got ${quote(v)}`;
  }
  if (!Array.isArray(v)) {
    return `expected an array of flag names or a number, got ${quote(v)}`;
  }
  if (v.length > 64) return `expected at most 64 flag names, got ${v.length}`;
  let mask = 0;
  for (const n of v) {
    const bit = typeof n === 'string' && Object.hasOwn(FLAG_BITS, n) ? FLAG_BITS[n] : undefined;
    if (bit === undefined) {
      return `unknown flag ${quote(n)}: expected one of ` + Object.keys(FLAG_BITS).join(', ');
    }
    mask |= bit;
  }
  return mask;
}

/** Renders a mask as `IN|ET` (names in bit order; `0` for none). */
export function flagNames(mask: number): string {
  const out: string[] = [];
  for (const [n, bit] of Object.entries(FLAG_BITS)) if (mask & bit) out.push(n);
  return out.length ? out.join('|') : '0';
}
