/**
 * The `lkmm` memory mode: an operational, view-based model of the release/acquire fragment
 * of the Linux-kernel memory model (tools/memory-model/Documentation/explanation.txt), in
 * the style of the view machines of Kang et al., "A promising semantics for
 * relaxed-memory concurrency" (POPL 2017), without promises.
 *
 * Memory. The arena holds the newest write of every location (so lock words, checkers and
 * locked operations read the coherence-latest value, as under SC). A location written
 * during the run also keeps its last few superseded writes ("messages"), each with a
 * timestamp (its place in the location's coherence order), the CPU and step that wrote it,
 * and the view it carries (what a reader that acquires it must see afterwards).
 *
 * Views. Each CPU has `cur`, the oldest write of each location it may still read (per
 * location coherence: it never reads older than what it read or wrote there), `acq` (cur
 * plus the views of the writes it read, what an smp_rmb() or smp_mb() makes current) and
 * `rel` (the view its plain stores carry: what its last smp_wmb() or smp_mb() ordered
 * before them). A load may read any kept write not older than `cur`: which one is a
 * scheduler choice. So a CPU's stores to different locations may be seen out of order,
 * and so may its loads, while one location stays coherent.
 *
 * Orderings (memory-barriers.txt, explanation.txt):
 * - smp_load_acquire(): the write read brings its view into `cur`.
 * - smp_store_release(): the write carries this CPU's whole `cur` (A-cumulative).
 * - smp_wmb(): later stores carry this CPU's own earlier stores; smp_rmb(): `cur = acq`.
 * - smp_mb(): `cur = acq ⊔ SC`, `SC = cur` (one global view, joined in execution order),
 *   and later stores carry `cur`. Value-returning atomics are smp_mb(); op; smp_mb(); a
 *   cmpxchg that fails is an unordered load.
 * - spin_lock(): an acquire of the lock word, after `cur ⊔= acq` and `rel ⊔= cur` (two
 *   critical sections on one CPU are ordered, explanation.txt "LOCKING"); spin_unlock(): a
 *   release store. Other locked operations (what drained the TSO store buffer) are full
 *   barriers that acquire what they read and release what they write.
 * - Address dependencies (READ_ONCE / rcu_dereference of a pointer, then an access through
 *   it): a load that returns a handle of a live object brings the view of the write it read
 *   into this CPU's next access to that object (or the object it is embedded in).
 *
 * Coherence order. A plain, WRITE_ONCE or release store need not become the newest write of
 * its location: it may be placed before newer writes of other CPUs that this CPU has not
 * seen (their timestamps are above its `cur`), as a promising machine picks any free
 * timestamp above the thread's view. Which place is a scheduler choice, as for loads; the
 * store then stays a superseded write (the arena keeps the coherence-latest value). This is
 * what S and 2+2W need. A store is never placed before a locked operation's or an atomic
 * RMW's write (an RMW reads the write just before its own: nothing may come between).
 *
 * Not produced (see docs/architecture.md): load buffering and out-of-thin-air values (a load
 * reads an existing write when it executes; that takes promises), reads of writes more than
 * LKMM_WINDOW - 1 writes old, stores placed further back than that, and reordering of the
 * initial fields an object was allocated with.
 */
import type { Arena } from '../queues/arena.ts';

/** How many writes of a location a load may choose from: the newest and this many - 1. */
export const LKMM_WINDOW = 4;

/** Per location key, the oldest timestamp that may be read. */
type View = Map<number, number>;

/** A superseded write of a location. */
interface Msg {
  v: unknown;
  ts: number;
  cpu: number;
  step: number;
  view: View | null;
  /** Written by a locked operation or an atomic RMW: no store may be placed before it. */
  fixed: boolean;
}

/** A location written during the run: the newest write's metadata and older writes. */
interface Loc {
  ts: number;
  cpu: number;
  step: number;
  view: View | null;
  fixed: boolean;
  /** Superseded writes, oldest first (timestamps ascending). */
  old: Msg[];
}

/** One CPU's views. */
interface CpuViews {
  cur: View;
  acq: View;
  /** The view plain stores carry (immutable once shared), or null. */
  rel: View | null;
  /** This CPU's own stores (what smp_wmb orders). */
  own: View;
  /** Views to join at the next access to an object reached through a pointer. */
  deps: Map<number, View>;
}

/** Which write the last load read, for the trace. */
export interface ReadNote {
  /** Older than the newest write of the location. */
  stale: boolean;
  /** The writer's CPU and step (-1 for the value the location had before the run). */
  cpu: number;
  step: number;
  /** The newest value, when stale. */
  newest: unknown;
  /** For a store: how many newer writes it was placed before (0: it is the newest). */
  placed: number;
}

function join(into: View, from: View | null): void {
  if (from === null) return;
  for (const [k, t] of from) if ((into.get(k) ?? 0) < t) into.set(k, t);
}

/** The view state of the lkmm mode (owned by {@link Memory}). */
export class Lkmm {
  private readonly arena: Arena;
  private readonly cpus: CpuViews[] = [];
  private readonly locs = new Map<number, Loc>();
  private readonly fields = new Map<string, number>();
  /** The view of all smp_mb()s so far, in execution order. */
  private readonly sc: View = new Map();
  /** The step being run (set by the machine), recorded in each write. */
  step = -1;
  /**
   * The CPU of the locked operation running now (set by a drain or a lock acquire, cleared
   * by the machine after the step): its readGlobal acquires and its writeGlobal releases.
   */
  locked = -1;
  /** A spin_lock() is running: its read of the lock word also updates `rel`. */
  private lockRel = false;
  /** What the last load read. */
  readonly note: ReadNote = { stale: false, cpu: -1, step: -1, newest: undefined,
    placed: 0 };

  constructor(arena: Arena, ncpu: number) {
    this.arena = arena;
    for (let i = 0; i < ncpu; i++) {
      this.cpus.push({ cur: new Map(), acq: new Map(), rel: null, own: new Map(),
        deps: new Map() });
    }
  }

  private key(h: number, f: string): number {
    let id = this.fields.get(f);
    if (id === undefined) {
      id = this.fields.size + 1;
      this.fields.set(f, id);
    }
    return h * 4096 + id;
  }

  /** The outermost object `h` is embedded in (container_of as far as it goes). */
  private root(h: number): number {
    let r = h;
    for (let p = this.arena.parentOf(r); p > 0; p = this.arena.parentOf(r)) r = p;
    return r;
  }

  /** Joins a pending address-dependency view before an access to object `h`. */
  private depend(v: CpuViews, h: number): void {
    if (v.deps.size === 0) return;
    const r = this.root(h);
    const d = v.deps.get(r);
    if (d === undefined) return;
    join(v.cur, d);
    join(v.acq, d);
    v.deps.delete(r);
  }

  /** How many older writes CPU `cpu` may read at `h.f` besides the newest. */
  choices(cpu: number, h: number, f: string): number {
    const k = this.key(h, f);
    const loc = this.locs.get(k);
    if (loc === undefined || loc.old.length === 0) return 0;
    const v = this.cpus[cpu]!;
    let min = v.cur.get(k) ?? 0;
    const dep = v.deps.size === 0 ? undefined : v.deps.get(this.root(h))?.get(k);
    if (dep !== undefined && dep > min) min = dep;
    let n = 0;
    for (let i = loc.old.length - 1; i >= 0 && loc.old[i]!.ts >= min; i--) n++;
    return n;
  }

  /**
   * How many places before the newest write of `h.f` a store by `cpu` may take besides the
   * newest: one per newer write of another CPU it has not seen, newest first, up to the
   * first fixed one (see "Coherence order" above), within the kept writes.
   */
  storeChoices(cpu: number, h: number, f: string): number {
    const k = this.key(h, f);
    const loc = this.locs.get(k);
    if (loc === undefined || loc.fixed) return 0;
    const v = this.cpus[cpu]!;
    let min = v.cur.get(k) ?? 0;
    const dep = v.deps.size === 0 ? undefined : v.deps.get(this.root(h))?.get(k);
    if (dep !== undefined && dep > min) min = dep;
    if (loc.ts <= min) return 0;
    // Placed before the newest and the j - 1 newest superseded writes: each of them unseen
    // and not fixed, and a kept write (or the value before the run) must remain below.
    let n = 1;
    for (let i = loc.old.length - 1; i > 0; i--) {
      const m = loc.old[i]!;
      if (m.ts <= min || m.fixed) break;
      n++;
    }
    return loc.old.length === 0 ? 0 : Math.min(n, LKMM_WINDOW - 2);
  }

  /**
   * The bitwise OR of every value a load by `cpu` of `h.f` may read now (the newest and the
   * older writes not below its view), for a checker that must allow any of them.
   */
  readableBits(cpu: number, h: number, f: string): number {
    let bits = this.arena.objs[h]![f] as number;
    const loc = this.locs.get(this.key(h, f));
    if (loc === undefined) return bits;
    const min = this.cpus[cpu]!.cur.get(this.key(h, f)) ?? 0;
    for (const m of loc.old) if (m.ts >= min) bits |= m.v as number;
    return bits;
  }

  /**
   * A load by `cpu` of the `pick`-th newest readable write of `h.f` (0: the newest);
   * `acquire` for smp_load_acquire. Returns the value read.
   */
  load(cpu: number, h: number, f: string, pick: number, acquire: boolean): unknown {
    const v = this.cpus[cpu]!;
    this.depend(v, h);
    const k = this.key(h, f);
    const loc = this.locs.get(k);
    const note = this.note;
    let value: unknown;
    let ts: number;
    let view: View | null;
    if (loc === undefined) {
      value = this.arena.objs[h]![f];
      ts = 0;
      view = null;
      note.cpu = -1;
      note.step = -1;
    } else if (pick === 0 || loc.old.length < pick) {
      value = this.arena.objs[h]![f];
      ts = loc.ts;
      view = loc.view;
      note.cpu = loc.cpu;
      note.step = loc.step;
    } else {
      const m = loc.old[loc.old.length - pick]!;
      value = m.v;
      ts = m.ts;
      view = m.view;
      note.cpu = m.cpu;
      note.step = m.step;
    }
    note.stale = pick > 0 && loc !== undefined && loc.old.length >= pick;
    note.newest = note.stale ? this.arena.objs[h]![f] : undefined;
    if ((v.cur.get(k) ?? 0) < ts) v.cur.set(k, ts);
    if ((v.acq.get(k) ?? 0) < ts) v.acq.set(k, ts);
    join(v.acq, view);
    if (acquire) join(v.cur, view);
    if (typeof value === 'number' && view !== null && this.arena.isLive(value)) {
      v.deps.set(this.root(value), view);
    }
    return value;
  }

  /**
   * A store by `cpu` to `h.f`; `release` for smp_store_release (and locked writes); `fixed`
   * for a locked operation's or RMW's write. `place` (from {@link storeChoices}) puts it
   * before that many newer writes instead of making it the newest.
   */
  store(cpu: number, h: number, f: string, value: unknown, release: boolean, fixed = true,
    place = 0): void {
    const v = this.cpus[cpu]!;
    this.depend(v, h);
    const k = this.key(h, f);
    let loc = this.locs.get(k);
    const obj = this.arena.objs[h] as Record<string, unknown>;
    if (loc === undefined) {
      loc = { ts: 0, cpu: -1, step: -1, view: null, fixed: false, old: [] };
      this.locs.set(k, loc);
    }
    this.note.placed = 0;
    if (place > 0 && place <= loc.old.length) {
      this.placeBefore(cpu, k, loc, place, value, release);
      return;
    }
    loc.old.push({ v: obj[f], ts: loc.ts, cpu: loc.cpu, step: loc.step, view: loc.view,
      fixed: loc.fixed });
    if (loc.old.length >= LKMM_WINDOW) loc.old.shift();
    loc.ts++;
    loc.cpu = cpu;
    loc.step = this.step;
    loc.fixed = fixed;
    v.cur.set(k, loc.ts);
    v.acq.set(k, loc.ts);
    v.own.set(k, loc.ts);
    loc.view = release ? new Map(v.cur) : v.rel;
    obj[f] = value;
  }

  /**
   * A store placed in the coherence order before the `place` newest writes of its location
   * (the newest and `place - 1` superseded ones): a superseded write itself, with a
   * timestamp between its neighbours', and this CPU's views at that timestamp (it may go on
   * reading the newer writes it jumped).
   */
  private placeBefore(cpu: number, k: number, loc: Loc, place: number, value: unknown,
    release: boolean): void {
    const v = this.cpus[cpu]!;
    const at = loc.old.length - (place - 1);
    const above = at < loc.old.length ? loc.old[at]!.ts : loc.ts;
    const below = Math.max(loc.old[at - 1]!.ts, v.cur.get(k) ?? 0);
    const ts = (below + above) / 2;
    if ((v.cur.get(k) ?? 0) < ts) v.cur.set(k, ts);
    if ((v.acq.get(k) ?? 0) < ts) v.acq.set(k, ts);
    if ((v.own.get(k) ?? 0) < ts) v.own.set(k, ts);
    const view = release ? new Map(v.cur) : v.rel;
    loc.old.splice(at, 0, { v: value, ts, cpu, step: this.step, view,
      fixed: false });
    if (loc.old.length >= LKMM_WINDOW) loc.old.shift();
    this.note.placed = place;
  }

  /** A write by no CPU in particular (a signal, bookkeeping): newest, carrying nothing. */
  storeAnonymous(h: number, f: string, value: unknown): void {
    const k = this.key(h, f);
    const loc = this.locs.get(k);
    const obj = this.arena.objs[h] as Record<string, unknown>;
    if (loc !== undefined) {
      loc.old.push({ v: obj[f], ts: loc.ts, cpu: loc.cpu, step: loc.step, view: loc.view,
        fixed: loc.fixed });
      if (loc.old.length >= LKMM_WINDOW) loc.old.shift();
      loc.ts++;
      loc.cpu = -1;
      loc.step = this.step;
      loc.view = null;
      loc.fixed = true;
    }
    obj[f] = value;
  }

  /**
   * A primitive's plain read of the newest write (a busy-wait's exit test): coherence keeps
   * this CPU's later loads from reading, and its later stores from being placed, below it.
   */
  seeNewest(cpu: number, h: number, f: string): void {
    const k = this.key(h, f);
    const loc = this.locs.get(k);
    if (loc === undefined) return;
    const v = this.cpus[cpu]!;
    if ((v.cur.get(k) ?? 0) < loc.ts) v.cur.set(k, loc.ts);
    if ((v.acq.get(k) ?? 0) < loc.ts) v.acq.set(k, loc.ts);
  }

  /** A locked operation's read of the newest write: acquires it. */
  acquireNewest(cpu: number, h: number, f: string): void {
    const v = this.cpus[cpu]!;
    const k = this.key(h, f);
    const loc = this.locs.get(k);
    if (loc === undefined) {
      this.lockCarry(v);
      return;
    }
    if ((v.cur.get(k) ?? 0) < loc.ts) v.cur.set(k, loc.ts);
    join(v.cur, loc.view);
    join(v.acq, v.cur);
    this.lockCarry(v);
  }

  /** After a spin_lock()'s acquire: later stores carry everything this CPU sees. */
  private lockCarry(v: CpuViews): void {
    if (!this.lockRel) return;
    this.lockRel = false;
    const rel = new Map(v.rel ?? []);
    join(rel, v.cur);
    v.rel = rel;
  }

  /** `smp_mb()`: a full barrier. */
  fence(cpu: number): void {
    const v = this.cpus[cpu]!;
    join(v.cur, v.acq);
    join(this.sc, v.cur);
    join(v.cur, this.sc);
    join(v.acq, v.cur);
    v.rel = new Map(v.cur);
  }

  /** `smp_rmb()`: later loads see at least what earlier loads' writes carried. */
  rmb(cpu: number): void {
    const v = this.cpus[cpu]!;
    join(v.cur, v.acq);
  }

  /** `smp_wmb()`: later stores carry this CPU's earlier stores. */
  wmb(cpu: number): void {
    const v = this.cpus[cpu]!;
    const rel = new Map(v.rel ?? []);
    join(rel, v.own);
    v.rel = rel;
  }

  /**
   * spin_lock() by `cpu`, before it reads the lock word: this CPU's earlier loads are
   * ordered before its later ones, and once the lock word's read acquired the unlock it
   * read, everything before that unlock and before this lock (po-unlock-lock-po of
   * linux-kernel.cat) is carried by this CPU's later stores; the lock's own store is not.
   */
  lockAcquire(cpu: number): void {
    const v = this.cpus[cpu]!;
    join(v.cur, v.acq);
    this.locked = cpu;
    this.lockRel = true;
  }

  /** The end of a step: no locked operation runs any more. */
  endStep(): void {
    this.locked = -1;
    this.lockRel = false;
  }
}
