/**
 * The `.ops` script language (docs/ops-language.md) as typed, JSON-serialisable data,
 * independent of any simulator: a model and the kernel oracle both consume `OpsLine[]`.
 */
import { formatFlags } from './flags.ts';

/** A descriptor operand: a name defined earlier (maybe closed: stale), or `@N`. */
export type FdRef =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'raw'; readonly fd: number };

/**
 * A FLAGS operand. `text` is the spelling as written (`IN|ET`, `0x5`), because output lines
 * echo the script's tokens; `mask` is its unsigned 32-bit value.
 */
export interface Flags {
  readonly mask: number;
  readonly text: string;
}

/** How `shutdown` closes a socket. */
export type ShutdownHow = 'rd' | 'wr' | 'rdwr';

/** The event order of `wait` output. */
export type OrderMode = 'sorted' | 'kernel';

interface At {
  /** 1-based line number in the source script (for generated scripts: index + 1). */
  readonly line: number;
}

/** One operation of a script. Numbers are safe integers; nothing here is undefined. */
export type OpsLine = At &
  (
    | { readonly op: 'order'; readonly mode: OrderMode }
    | { readonly op: 'echo'; readonly text: string }
    | { readonly op: 'create' | 'file'; readonly name: string }
    /** Defines `${name}r` (read end) and `${name}w` (write end). */
    | { readonly op: 'pipe'; readonly name: string }
    /** Defines `${name}0` and `${name}1`. */
    | { readonly op: 'socketpair'; readonly name: string }
    | {
        readonly op: 'eventfd';
        readonly name: string;
        /** The counter's initial value, or null when the script gives none (counter 0). */
        readonly init: number | null;
        readonly sem: boolean;
      }
    | { readonly op: 'dup'; readonly fd: FdRef; readonly name: string }
    | { readonly op: 'add' | 'mod'; readonly ep: FdRef; readonly fd: FdRef; readonly events: Flags }
    | { readonly op: 'del'; readonly ep: FdRef; readonly fd: FdRef }
    | {
        readonly op: 'ctl';
        readonly ep: FdRef;
        readonly ctlOp: number;
        readonly fd: FdRef;
        readonly events: Flags;
      }
    | {
        readonly op: 'wait';
        readonly ep: FdRef;
        readonly maxEvents: number;
        readonly timeoutMs: number;
      }
    | {
        readonly op: 'poll';
        readonly fd: FdRef;
        readonly events: Flags;
        readonly timeoutMs: number;
      }
    /** eventfd: `count` is the value added / ignored (a read takes 8 bytes); else a byte count. */
    | { readonly op: 'write' | 'read'; readonly fd: FdRef; readonly count: number }
    | { readonly op: 'fill' | 'drain' | 'close'; readonly fd: FdRef }
    | { readonly op: 'shutdown'; readonly fd: FdRef; readonly how: ShutdownHow }
    | { readonly op: 'expect'; readonly count: number }
  );

/** The op names of the language. */
export type OpName = OpsLine['op'];

/** An {@link OpsLine} of one op, e.g. `LineOf<'wait'>`. */
export type LineOf<K extends OpName> = Extract<OpsLine, { readonly op: K }>;

/** A name operand. */
export function nameRef(name: string): FdRef {
  return { kind: 'name', name };
}

/** A raw descriptor-number operand (`@N`). */
export function rawRef(fd: number): FdRef {
  return { kind: 'raw', fd };
}

/** Flags from a mask, spelled canonically (`IN|ET`). */
export function flags(mask: number): Flags {
  return { mask: mask >>> 0, text: formatFlags(mask) };
}

/** The operand as written: the name, or `@N`. This is also an event's label in `wait` output. */
export function refText(ref: FdRef): string {
  return ref.kind === 'name' ? ref.name : `@${ref.fd}`;
}

/** The names a line (re)defines, in the order the oracle binds them. */
export function definedNames(line: OpsLine): string[] {
  switch (line.op) {
    case 'create':
    case 'file':
    case 'eventfd':
    case 'dup':
      return [line.name];
    case 'pipe':
      return [`${line.name}r`, `${line.name}w`];
    case 'socketpair':
      return [`${line.name}0`, `${line.name}1`];
    default:
      return [];
  }
}
