/**
 * Canonical output lines of the `.ops` language (docs/ops-language.md, "Output"): what a
 * model prints for each script line so that its transcript can be compared byte for byte
 * with the kernel's.
 */
import { formatFlags } from './flags.ts';
import { lineText } from './serialize.ts';
import type { OpsLine, OrderMode } from './types.ts';

/** One event returned by `epoll_wait`: the label the item was added under, and its events. */
export interface ReadyEvent {
  /**
   * The FD operand, as written, of the `add`/`mod`/`ctl` that last set the item's data (a MOD
   * replaces it, as in the kernel): a name, or `@N`.
   */
  readonly label: string;
  readonly events: number;
}

/** What one operation did; {@link formatResult} turns it into the text after ` -> `. */
export type OpsResult =
  /** create, pipe, socketpair, eventfd, file, dup, add/mod/del/ctl, close, shutdown, and a
   * successful eventfd write. */
  | { readonly kind: 'ok' }
  /** The call failed; `errno` is a name such as `EBADF` (see `errnoName`). */
  | { readonly kind: 'errno'; readonly errno: string }
  /** Bytes written or read, an eventfd counter (may exceed 2^53: bigint), a fill/drain total. */
  | { readonly kind: 'value'; readonly value: number | bigint }
  /** `wait` succeeded: its events in the order the kernel returned them. */
  | { readonly kind: 'events'; readonly events: readonly ReadyEvent[] }
  /** `poll` succeeded: the revents of its one descriptor (0: not ready). */
  | { readonly kind: 'revents'; readonly revents: number }
  /** `expect`: the previous wait/poll's count, or its errno name when it failed. */
  | { readonly kind: 'expect'; readonly got: number | string };

/** Result constructors, for terse model code. */
export const result = {
  ok: { kind: 'ok' } as OpsResult,
  errno: (errno: string): OpsResult => ({ kind: 'errno', errno }),
  value: (value: number | bigint): OpsResult => ({ kind: 'value', value }),
  events: (events: readonly ReadyEvent[]): OpsResult => ({ kind: 'events', events }),
  revents: (revents: number): OpsResult => ({ kind: 'revents', revents }),
} as const;

/**
 * Events in the order `wait` prints them: as returned (`kernel`), or sorted by label with a
 * stable sort, so one label registered twice keeps the kernel's order (`sorted`). Labels are
 * ASCII, so code-unit order equals the oracle's strcmp order.
 */
export function orderEvents(events: readonly ReadyEvent[], order: OrderMode): ReadyEvent[] {
  const out = [...events];
  if (order === 'sorted') out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return out;
}

function resultText(line: OpsLine, r: OpsResult, order: OrderMode): string {
  switch (r.kind) {
    case 'ok':
      return 'ok';
    case 'errno':
      return r.errno;
    case 'value':
      return String(r.value);
    case 'events': {
      if (r.events.length === 0) return '0';
      const evs = orderEvents(r.events, order).map((e) => `${e.label}=${formatFlags(e.events)}`);
      return `${r.events.length}: ${evs.join(' ')}`;
    }
    case 'revents':
      return r.revents === 0 ? '0' : `1: ${formatFlags(r.revents & 0xffff)}`;
    case 'expect': {
      const want = line.op === 'expect' ? line.count : Number.NaN;
      return r.got === want ? 'ok' : `MISMATCH got ${r.got}`;
    }
  }
}

/**
 * The output line of `line` given its result: `echo` prints its text alone; every other op
 * prints its tokens, ` -> `, and the result. `order` applies to `wait` events.
 */
export function formatResult(line: OpsLine, r: OpsResult, order: OrderMode = 'sorted'): string {
  if (line.op === 'echo') return line.text;
  return `${lineText(line)} -> ${resultText(line, r, order)}`;
}

/**
 * Stateful transcript printer: follows `order` lines and remembers the last wait/poll count,
 * so a model only supplies the results of real operations. `order`, `echo` and `expect` need
 * no result.
 */
export class OpsPrinter {
  private order: OrderMode = 'sorted';
  private lastCount: number | string | null = null;

  /** The output line for `line`; `r` is required for every op except order, echo, expect. */
  print(line: OpsLine, r?: OpsResult): string {
    switch (line.op) {
      case 'echo':
        return line.text;
      case 'order':
        this.order = line.mode;
        return formatResult(line, result.ok);
      case 'expect':
        return formatResult(line, { kind: 'expect', got: this.lastCount ?? 'none' });
      default:
        break;
    }
    if (r === undefined) throw new TypeError(`line ${line.line}: '${line.op}' needs a result`);
    if (line.op === 'wait' || line.op === 'poll') this.lastCount = countOf(r);
    return formatResult(line, r, this.order);
  }
}

function countOf(r: OpsResult): number | string {
  if (r.kind === 'events') return r.events.length;
  if (r.kind === 'revents') return r.revents === 0 ? 0 : 1;
  if (r.kind === 'errno') return r.errno;
  return Number.NaN;
}
