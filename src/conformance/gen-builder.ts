/**
 * Interpreter of abstract generator steps (gen.ts) into `.ops` lines. It tracks the names
 * defined so far, whether the script closed them, and which files sit in some epoll set, and
 * resolves each step's naturals against those candidates, preferring operands that make the
 * step do something (a write to a watched pipe, a wait on a set with items) while still,
 * now and then, picking a closed name or a raw `@N` for the error paths.
 */
import { EPOLL } from './flags.ts';
import { flags, nameRef, rawRef, refText } from './types.ts';
import type { OpsScriptOptions, OpsStep } from './gen.ts';
import type { FdRef, Flags, OpsLine, OrderMode } from './types.ts';

type Kind = 'epoll' | 'pipeR' | 'pipeW' | 'sock' | 'eventfd' | 'file';

interface Entry {
  readonly name: string;
  readonly kind: Kind;
  /** A semaphore eventfd (a filled one would take 2^64 reads to drain). */
  readonly sem?: boolean;
  /** False once the script closed this name (it still denotes its stale number). */
  open: boolean;
  /** The name whose readiness a write here changes: a pipe's read end, a socket's peer. */
  readonly reader: string;
}

/** An {@link OpsLine} without its line number (the builder numbers lines). */
type Body = OpsLine extends infer L ? (L extends OpsLine ? Omit<L, 'line'> : never) : never;

const E = EPOLL;
// Requested events: mostly IN, and the other conditions a pipe/socket/eventfd can report.
const EVENT_SETS = [
  E.IN, E.IN, E.IN, E.OUT, E.IN | E.OUT, E.IN | E.RDHUP, 0, E.PRI, E.IN | E.ERR | E.HUP,
];
const MODIFIERS: readonly (readonly [number, number])[] = [
  [3, E.ET], [5, E.ONESHOT], [8, E.EXCLUSIVE], [12, E.WAKEUP],
];
const POLL_SETS = [E.IN, E.OUT, E.IN | E.OUT, E.IN | E.RDHUP, E.IN | E.PRI, 0];
// Small maxevents cut the ready list (round robin); 0 and -1 are EINVAL.
const MAXEVENTS = [8, 8, 8, 8, 8, 8, 1, 1, 2, 2, 3, 4, 8, 8, 0, -1];
const WRITE_SIZES = [1, 1, 2, 3, 5, 100, 4096];
// Wide mode: pipes and sockets also take large writes (partial writes, several skbs).
const WIDE_WRITE_SIZES = [...WRITE_SIZES, 8192, 65536, 100000];
const READ_SIZES = [1, 1, 2, 8, 100, 65536];
const RAW = [-1, 999, 3, 4, 5, 6, 7, 8];
const CTL_OPS = [0, 4, 7, -1, 1, 2, 3];
const WRITERS: readonly Kind[] = ['pipeW', 'sock', 'eventfd'];
const READERS: readonly Kind[] = ['pipeR', 'sock', 'eventfd', 'file'];
const TARGETS: readonly Kind[] = ['pipeR', 'pipeR', 'pipeW', 'sock', 'sock', 'eventfd', 'file'];

/** Builds one script; see the module comment. */
export class ScriptBuilder {
  readonly lines: OpsLine[] = [];
  private readonly names: Entry[] = [];
  private readonly counters = new Map<string, number>();
  /** FD operand of add/mod/ctl -> the EP operands it was given with. */
  private readonly watchers = new Map<string, Set<string>>();
  private readonly sets = new Set<string>();
  /** The sets watching what the last write woke: a wait there likely reports something. */
  private hot: readonly string[] = [];
  private order: OrderMode = 'sorted';

  constructor(private readonly options: OpsScriptOptions) {}

  /** Every script starts with one epoll set, so that the first steps have a target. */
  start(): void {
    this.emit({ op: 'create', name: this.fresh('epoll', 'ep') });
    if (this.options.order === 'kernel') {
      this.order = 'kernel';
      this.emit({ op: 'order', mode: 'kernel' });
    }
  }

  private emit(body: Body): void {
    this.lines.push({ ...body, line: this.lines.length + 1 } as OpsLine);
  }

  /** A new base name `${prefix}${k}`; registers the names the defining op will bind. */
  private fresh(kind: Kind | 'pipe' | 'socketpair', prefix: string, reader?: string,
    sem = false): string {
    const k = this.counters.get(prefix) ?? 0;
    this.counters.set(prefix, k + 1);
    const base = `${prefix}${k}`;
    const add = (name: string, kd: Kind, reader = name): void => {
      this.names.push({ name, kind: kd, open: true, reader });
    };
    if (kind === 'pipe') {
      add(`${base}r`, 'pipeR');
      add(`${base}w`, 'pipeW', `${base}r`);
    } else if (kind === 'socketpair') {
      add(`${base}0`, 'sock', `${base}1`);
      add(`${base}1`, 'sock', `${base}0`);
    } else if (sem) {
      this.names.push({ name: base, kind, open: true, reader: reader ?? base, sem });
    } else {
      add(base, kind, reader);
    }
    return base;
  }

  /**
   * Picks an operand: usually an open name accepted by `ok`; when `c % 8 == 7` any name
   * (closed ones are the stale-descriptor cases); when `c % 16 == 15` a raw `@N`.
   */
  private pick(n: number, c: number, ok: (e: Entry) => boolean): FdRef | undefined {
    if (this.options.rawRefs !== false && c % 16 === 15) return rawRef(RAW[n % RAW.length] ?? -1);
    const pool = c % 8 === 7 ? this.names : this.names.filter((e) => e.open && ok(e));
    const e = pool[n % Math.max(pool.length, 1)];
    return e === undefined ? undefined : nameRef(e.name);
  }

  private of(kinds: readonly Kind[]): (e: Entry) => boolean {
    return (e) => kinds.includes(e.kind);
  }

  private entry(ref: FdRef): Entry | undefined {
    return ref.kind === 'name' ? this.names.find((e) => e.name === ref.name) : undefined;
  }

  /** Decodes `f` as mixed-radix digits: event set, then ET, ONESHOT, EXCLUSIVE, WAKEUP. */
  private events(f: number): Flags {
    let mask = EVENT_SETS[f % EVENT_SETS.length] ?? E.IN;
    let rest = Math.floor(f / EVENT_SETS.length);
    // Each modifier fires on digit 1, so a shrunk `f` of 0 is plain level-triggered IN.
    for (const [radix, bit] of MODIFIERS) {
      if (rest % radix === 1) mask |= bit;
      rest = Math.floor(rest / radix);
    }
    return flags(mask);
  }

  step(s: OpsStep): void {
    switch (s.t) {
      case 'create':
        return this.emit({ op: 'create', name: this.fresh('epoll', 'ep') });
      case 'pipe':
        return this.emit({ op: 'pipe', name: this.fresh('pipe', 'p') });
      case 'socketpair':
        return this.emit({ op: 'socketpair', name: this.fresh('socketpair', 's') });
      case 'eventfd': {
        const init = s.a % 3 === 0 ? null : s.a % 4;
        const sem = s.b % 3 === 1;
        return this.emit({ op: 'eventfd', name: this.fresh('eventfd', 'e', undefined, sem),
          init, sem });
      }
      case 'file':
        return this.emit({ op: 'file', name: this.fresh('file', 'f') });
      case 'order':
        if (this.options.order !== undefined && this.options.order !== 'mixed') return;
        this.order = this.order === 'sorted' ? 'kernel' : 'sorted';
        return this.emit({ op: 'order', mode: this.order });
      case 'add': case 'mod': case 'del': case 'ctl':
        return this.ctlStep(s);
      case 'wait': case 'nest': case 'chain':
        return this.setStep(s);
      case 'poll': case 'write': case 'read': case 'drain': case 'fill':
        return this.ioStep(s);
      default:
        return this.fdStep(s);
    }
  }

  private ctlStep(s: OpsStep): void {
    const ep = this.pick(s.a, s.c, this.of(['epoll']));
    // Targets are files; epoll-in-epoll comes from the nest and chain steps.
    const target = TARGETS[s.f % TARGETS.length] ?? 'pipeR';
    const known = (e: Entry): boolean =>
      s.t === 'add' ? e.kind === target : this.watchers.has(e.name);
    const fd = this.pick(s.b, s.c >> 4, known) ??
      this.pick(s.b, s.c >> 4, (e) => e.kind !== 'epoll');
    if (!ep || !fd) return;
    if (s.t !== 'del') this.watch(ep, fd);
    const events = this.events(Math.floor(s.f / TARGETS.length));
    if (s.t === 'del') this.emit({ op: 'del', ep, fd });
    else if (s.t === 'ctl') {
      this.emit({ op: 'ctl', ep, ctlOp: CTL_OPS[s.a % CTL_OPS.length] ?? 0, fd, events });
    } else if (s.t === 'add' || s.t === 'mod') this.emit({ op: s.t, ep, fd, events });
  }

  private watch(ep: FdRef, fd: FdRef): void {
    const sets = this.watchers.get(refText(fd)) ?? new Set<string>();
    sets.add(refText(ep));
    this.watchers.set(refText(fd), sets);
    this.sets.add(refText(ep));
  }

  private setStep(s: OpsStep): void {
    if (s.t === 'chain') return this.chain(s);
    const hot = (e: Entry): boolean => s.b % 4 !== 3 && this.hot.includes(e.name);
    const busy = (e: Entry): boolean =>
      e.kind === 'epoll' && (s.b % 4 === 3 || this.sets.has(e.name));
    const ep = this.pick(s.a, s.c, hot) ?? this.pick(s.a, s.c, busy) ??
      this.pick(s.a, s.c, this.of(['epoll']));
    if (!ep) return;
    if (s.t === 'wait') {
      const maxEvents = MAXEVENTS[s.b % MAXEVENTS.length] ?? 8;
      this.emit({ op: 'wait', ep, maxEvents, timeoutMs: 0 });
      return;
    }
    // nest: one set watching another (maybe itself: EINVAL; maybe closing a cycle: ELOOP).
    const inner = this.pick(s.b, s.c >> 4, this.of(['epoll']));
    if (!inner) return;
    this.watch(ep, inner);
    this.emit({ op: 'add', ep, fd: inner, events: this.events(s.f) });
  }

  /**
   * A fresh chain of 2..7 epoll sets over a fresh eventfd, each watching the one below: past
   * the kernel's nesting limit the upper links fail with ELOOP. Optionally a back edge from
   * the bottom set to the top closes a cycle. Then the leaf fires and the top set is waited on.
   */
  private chain(s: OpsStep): void {
    const depth = 2 + (s.a % 6);
    const leaf = this.fresh('eventfd', 'e');
    this.emit({ op: 'eventfd', name: leaf, init: null, sem: false });
    let below: FdRef = nameRef(leaf);
    let bottom: FdRef | undefined;
    for (let i = 0; i < depth; i++) {
      const name = this.fresh('epoll', 'ep');
      const ep = nameRef(name);
      bottom ??= ep;
      this.emit({ op: 'create', name });
      const link = flags(E.IN | ((s.f >> i) % 4 === 1 ? E.ET : 0));
      this.emit({ op: 'add', ep, fd: below, events: i === 0 ? this.events(s.f) : link });
      this.watch(ep, below);
      below = ep;
    }
    if (bottom && s.b % 3 === 1) {
      this.emit({ op: 'add', ep: bottom, fd: below, events: flags(E.IN) });
    }
    this.emit({ op: 'write', fd: nameRef(leaf), count: 1 });
    this.emit({ op: 'wait', ep: below, maxEvents: 8, timeoutMs: 0 });
  }

  private ioStep(s: OpsStep): void {
    if (s.t === 'fill') return this.fill(s);
    if (s.t === 'poll') {
      const fd = this.pick(s.a, s.c, () => true);
      const events = flags(POLL_SETS[s.f % POLL_SETS.length] ?? E.IN);
      if (fd) this.emit({ op: 'poll', fd, events, timeoutMs: 0 });
      return;
    }
    if (s.t === 'write') {
      // Mostly a write that wakes something: its reader is in some epoll set.
      const live = (e: Entry): boolean => WRITERS.includes(e.kind) && this.watchers.has(e.reader);
      const fd = (s.b % 3 !== 2 ? this.pick(s.a, s.c, live) : undefined) ??
        this.pick(s.a, s.c, this.of(WRITERS));
      if (!fd) return;
      const big = this.options.wide === true && this.entry(fd)?.kind !== 'eventfd';
      const sizes = big ? WIDE_WRITE_SIZES : WRITE_SIZES;
      this.emit({ op: 'write', fd, count: sizes[s.f % sizes.length] ?? 1 });
      this.hot = [...(this.watchers.get(this.entry(fd)?.reader ?? '') ?? [])];
      return;
    }
    const fd = this.pick(s.a, s.c, this.of(READERS));
    if (!fd) return;
    if (s.t === 'drain') this.emit({ op: 'drain', fd });
    else this.emit({ op: 'read', fd, count: READ_SIZES[s.f % READ_SIZES.length] ?? 1 });
  }

  /** Drain a pipe, then fill it: an empty pipe always takes exactly 65536 bytes. */
  private fill(s: OpsStep): void {
    if (this.options.fill === false) return;
    if (this.options.wide === true && s.b % 2 === 1) {
      // Wide: fill whatever is there, however full; never a semaphore eventfd.
      const fd = this.pick(s.a, 0, (e) => (e.kind === 'pipeW' || e.kind === 'sock' ||
        e.kind === 'eventfd') && e.sem !== true);
      if (fd) this.emit({ op: 'fill', fd });
      return;
    }
    const w = this.pick(s.a, 0, this.of(['pipeW']));
    const we = w && this.entry(w);
    const re = we && this.names.find((e) => e.name === we.reader);
    if (!w || !re?.open) return;
    this.emit({ op: 'drain', fd: nameRef(re.name) });
    this.emit({ op: 'fill', fd: w });
  }

  private fdStep(s: OpsStep): void {
    const fd = this.pick(s.a, s.c, s.t === 'shutdown' ? this.of(['sock']) : () => true);
    if (!fd) return;
    if (s.t === 'shutdown') {
      this.emit({ op: 'shutdown', fd, how: (['wr', 'rd', 'rdwr'] as const)[s.b % 3] ?? 'wr' });
    } else if (s.t === 'close') {
      this.close(fd);
    } else if (s.t === 'dup' || s.t === 'dupClose') {
      const e = this.entry(fd);
      const name = this.fresh(e?.kind ?? 'file', 'd', e?.reader, e?.sem === true);
      this.emit({ op: 'dup', fd, name });
      // dupClose: close the original (the dup keeps the file open) or the dup (the original
      // does); either way the registrations of the open file description outlive the close.
      if (s.t === 'dupClose') this.close(s.b % 2 === 0 ? fd : nameRef(name));
    }
  }

  private close(fd: FdRef): void {
    this.emit({ op: 'close', fd });
    const e = this.entry(fd);
    if (e) e.open = false;
  }
}
