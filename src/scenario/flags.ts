/**
 * Event flags in scenarios: an array of names (`["IN", "ET"]`) or a number. Names and bits
 * are those of include/uapi/linux/eventpoll.h.
 */
import * as U from '../eventpoll/uapi.ts';

/** Flag bits by name. */
export const FLAG_BITS: Readonly<Record<string, number>> = {
  IN: U.EPOLLIN, PRI: U.EPOLLPRI, OUT: U.EPOLLOUT, ERR: U.EPOLLERR, HUP: U.EPOLLHUP,
  RDNORM: U.EPOLLRDNORM, RDBAND: U.EPOLLRDBAND, WRNORM: U.EPOLLWRNORM,
  WRBAND: U.EPOLLWRBAND, MSG: U.EPOLLMSG, RDHUP: U.EPOLLRDHUP, EXCLUSIVE: U.EPOLLEXCLUSIVE,
  WAKEUP: U.EPOLLWAKEUP, ONESHOT: U.EPOLLONESHOT, ET: U.EPOLLET,
};

/** Parses a flags spec; returns the mask or a one-line problem. */
export function parseFlagsSpec(v: unknown): number | string {
  if (typeof v === 'number' && Number.isInteger(v)) return v | 0;
  if (!Array.isArray(v)) {
    return `expected an array of flag names or a number, got ${JSON.stringify(v)}`;
  }
  let mask = 0;
  for (const n of v) {
    const bit = typeof n === 'string' ? FLAG_BITS[n] : undefined;
    if (bit === undefined) {
      return `unknown flag ${JSON.stringify(n)}: expected one of ` +
        Object.keys(FLAG_BITS).join(', ');
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
