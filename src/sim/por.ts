/**
 * The dependency relation of partial-order reduction, from the footprints of steps.
 *
 * A step is one choice id (its "process": a task, the IRQ handler slot of a CPU, an IRQ
 * source, a timer, a CPU's store buffer, a signal source) performing one transition. Its
 * footprint names what it reads and writes as (object, field) locations, the CPU it runs on,
 * or `global` when it cannot be classified. Two steps are dependent when they belong to the
 * same process, either is global, they run on the same CPU (a CPU runs one context at a
 * time, so steps there enable and disable each other), or one writes a location the other
 * reads or writes. Independent steps commute and neither enables nor disables the other:
 * that is what the search relies on, so anything not known to be local is global (see
 * docs/verify.md for the list). Under lkmm, barriers and locked operations also touch the
 * global view of the smp_mb()s, and a load's choices of which write to read are
 * alternatives the search tries at the same state (dpor.ts).
 */
import { K, ORDER, rmwOf, type Op } from './op.ts';
import {
  ARRIVE_BASE, DRAIN_BASE, IRQ_BASE, isReadChoice, RCU_BASE, READ_BASE, SIGNAL_BASE, TIMER_BASE,
} from './schedule.ts';

/** A location key: handle * FIELD_SLOTS + field number; field 0 is the whole object. */
const FIELD_SLOTS = 4096;

/** The object (handle) of a location key. */
export function objectOf(key: number): number {
  return Math.floor(key / FIELD_SLOTS);
}

/** What one step touched. */
export interface Footprint {
  /** The choice id (process) that took the step. */
  readonly p: number;
  /** Its CPU, or -1. */
  readonly cpu: number;
  /** Dependent with every step. */
  global: boolean;
  /** Locations read and written (keys, see FIELD_SLOTS). */
  readonly r: number[];
  readonly w: number[];
  /** A custom op of footprint `object` (a lock operation) on this handle, else 0. */
  readonly lock: number;
  /** An exclusive acquire of `lock` (CustomOp.exclusive). */
  readonly excl: boolean;
  /** The CPU whose store buffer this write-back drains, else -1. */
  readonly drains: number;
  /** A plain load or store (no barrier, no drain): it commutes with its CPU's write-back. */
  plain: boolean;
}

/** The parts of the machine the classifier reads (the Machine satisfies it). */
export interface PorView {
  choiceInfo(id: number): { op: Op | null; cpu: number; task: number };
  readonly memory: {
    readonly mode: string;
    readonly buffers: readonly { h: number; f: string }[][];
  };
  readonly arena: {
    readonly objs: { length: number };
    readonly freeSites: ReadonlyMap<number, unknown>;
  };
  readonly effects: number;
  readonly wakes: number;
  readonly rcu: { readonly events: number };
}

/** Field names to small numbers (per search, so keys stay small and deterministic). */
export class FieldTable {
  private readonly ids = new Map<string, number>();

  key(h: number, f: string): number {
    let id = this.ids.get(f);
    if (id === undefined) {
      id = this.ids.size + 1;
      if (id >= FIELD_SLOTS) throw new RangeError('more than 4095 distinct field names');
      this.ids.set(f, id);
    }
    return h * FIELD_SLOTS + id;
  }
}

/** Two keys name overlapping locations (equal, or one is the whole object). */
function overlap(x: number, y: number): boolean {
  if (x === y) return true;
  const hx = Math.floor(x / FIELD_SLOTS);
  if (hx !== Math.floor(y / FIELD_SLOTS)) return false;
  return x % FIELD_SLOTS === 0 || y % FIELD_SLOTS === 0;
}

function touches(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) if (overlap(a[i]!, b[j]!)) return true;
  }
  return false;
}

/** Whether a step touches location `key` (reads or writes it, or is global). */
export function touchesLocation(e: Footprint, key: number): boolean {
  return e.global || touches(e.w, [key]) || touches(e.r, [key]);
}

/**
 * Test-only switches: `brokenWriteWrite`, stores to the same location count as independent;
 * `brokenRcu`, steps that change RCU's state do not touch its location.
 */
export const POR_TEST_SWITCHES = { brokenWriteWrite: false, brokenRcu: false };

/** The location conflict part of the relation: one writes what the other touches. */
export function conflict(a: Footprint, b: Footprint): boolean {
  if (!POR_TEST_SWITCHES.brokenWriteWrite && touches(a.w, b.w)) return true;
  return touches(a.w, b.r) || touches(a.r, b.w);
}

/** Whether two steps are dependent. */
export function dependent(a: Footprint, b: Footprint): boolean {
  if (a.p === b.p || a.global || b.global) return true;
  if (a.cpu >= 0 && a.cpu === b.cpu) return true;
  // A CPU's own plain loads and stores commute with the write-back of its oldest entry
  // (a load forwards the newest buffered value either way, a store goes in behind it);
  // anything else of that CPU may drain the buffer, which disables the write-back.
  if (a.drains >= 0 && a.drains === b.cpu) return !b.plain;
  if (b.drains >= 0 && b.drains === a.cpu) return !a.plain;
  return conflict(a, b);
}

/** The buffered stores of a CPU as written locations (what a draining op writes back). */
function drained(v: PorView, t: FieldTable, cpu: number, w: number[]): void {
  if (v.memory.mode !== 'tso') return;
  for (const e of v.memory.buffers[cpu]!) w.push(t.key(e.h, e.f));
}

/**
 * The footprint of choice `id` at the current state, before it runs: its op's locations.
 * Side effects of the model code that follows the op (allocation, kfree, wake-ups, timers)
 * are only known afterwards; {@link SideEffects} marks such a step global then.
 */
export function classify(v: PorView, t: FieldTable, id: number): Footprint {
  const { op, cpu } = v.choiceInfo(id);
  // lkmm (sim/lkmm.ts): a load reads its location's writes and its own CPU's views, a store
  // writes its location; smp_mb(), full atomics and locked operations also read and write
  // the global view of the smp_mb()s (a pseudo-location); the rest is this CPU's own views.
  const lk = v.memory.mode === 'lkmm';
  const sc = lk ? t.key(0, 'lkmm smp_mb view') : 0;
  const r: number[] = [];
  const w: number[] = [];
  let global = false;
  let lock = 0;
  let excl = false;
  let plain = false;
  if (id >= RCU_BASE) {
    // The end of a grace period frees what its callbacks name and depends on every
    // reader's state: dependent with everything.
    global = true;
  } else if (isReadChoice(id)) {
    // lkmm: the CPU's load reading an older write, or its store placed before newer ones.
    if (op !== null) {
      const store = op.k === K.STORE || op.k === K.WRITE_ONCE || op.k === K.STORE_RELEASE;
      (store ? w : r).push(t.key(op.h, op.f));
    }
  } else if (id >= DRAIN_BASE && id < SIGNAL_BASE) {
    // A write-back of the oldest entry of this CPU's buffer: that location.
    const e = v.memory.buffers[cpu]![0];
    if (e !== undefined) w.push(t.key(e.h, e.f));
  } else if (id >= ARRIVE_BASE && id < TIMER_BASE) {
    // An IRQ arrival takes its CPU (same-CPU steps are dependent) and creates a context:
    // arrivals are ordered among themselves, so context ids do not depend on the order.
    w.push(t.key(0, 'context creation'));
  } else if (id >= SIGNAL_BASE) {
    // signal_wake_up() sets the target's sigpending and, if it sleeps, wakes it (a wake-up
    // is a side effect, which makes the step global).
    const task = v.choiceInfo(id).task;
    w.push(t.key(task, 'sigpending'), t.key(task, 'state'));
  } else if (id >= ARRIVE_BASE || op === null) {
    // Timer expiries move virtual time, which model code reads.
    global = true;
  } else {
    switch (op.k) {
      case K.LOAD: case K.READ_ONCE: case K.LOAD_ACQUIRE:
        r.push(t.key(op.h, op.f));
        plain = true;
        break;
      case K.STORE: case K.WRITE_ONCE: case K.STORE_RELEASE:
        w.push(t.key(op.h, op.f));
        // A store into an empty buffer enables its write-back: not plain then.
        plain = v.memory.mode !== 'tso' || v.memory.buffers[cpu]!.length > 0;
        break;
      case K.XCHG: case K.CMPXCHG: case K.ATOMIC_ADD_RETURN:
        w.push(t.key(op.h, op.f));
        drained(v, t, cpu, w);
        if (lk) w.push(sc);
        break;
      case K.SMP_MB:
        drained(v, t, cpu, w);
        if (lk) w.push(sc);
        break;
      case K.SMP_RMB: case K.SMP_WMB:
        break;
      case K.SMP_MB_BEFORE_ATOMIC: case K.SMP_MB_AFTER_ATOMIC: case K.SMP_MB_AFTER_SPINLOCK:
        // Compiler barriers under SC and TSO; smp_mb() under lkmm.
        if (lk) w.push(sc);
        break;
      default: {
        if (op.k !== K.CUSTOM) {
          // An ordered atomic: a locked instruction under TSO; under lkmm only the _relaxed,
          // _acquire and _release forms stay off the global view.
          w.push(t.key(op.h, op.f));
          drained(v, t, cpu, w);
          if (lk && (rmwOf(op.k) & 3) === ORDER.MB) w.push(sc);
          break;
        }
        const x = op.x!;
        const fp = x.footprint;
        if (fp === 'object' || (typeof fp === 'object' && fp !== null)) {
          const f = typeof fp === 'object' ? fp.field : op.f;
          w.push(f === '' ? op.h * FIELD_SLOTS : t.key(op.h, f));
          drained(v, t, cpu, w);
          if (lk) w.push(sc);
          lock = op.h;
          excl = x.exclusive === true && x.enabled !== undefined;
        } else if (x.footprint === 'cpu') {
          // A task's first step, its return from schedule(): its task_struct, which a
          // wake-up writes, so they stay ordered after the wake-up that enabled them.
          // Under lkmm the return from schedule() is a full barrier.
          if (op.h > 0) r.push(op.h * FIELD_SLOTS);
          if (lk) w.push(sc);
        } else {
          global = true;
        }
      }
    }
  }
  // A signal only touches the target's task_struct, and a write-back only its location:
  // this CPU's own loads forward the newest buffered value either way, its stores append
  // behind the entry, and whatever drains the buffer writes that location too.
  const own = id >= DRAIN_BASE && id < READ_BASE ? -1 : id >= RCU_BASE ? -1 : cpu;
  const drains = id >= DRAIN_BASE && id < SIGNAL_BASE ? cpu : -1;
  return { p: id, cpu: own, global, r, w, lock, excl, drains, plain };
}

/**
 * Adds the side effects of one step to its footprint (snapshot `before`, then `after`):
 * arming or cancelling a timer makes it global; kfree writes the object freed; a change
 * of RCU's state (a reader entering or leaving, a grace period needed) writes `rcu`;
 * an allocation writes the
 * heap (handles are given in allocation order, so allocations stay ordered); a task that
 * finished disables the signals aimed at it, so its last step writes what they touch.
 */
export class SideEffects {
  private objs = 0;
  private effects = 0;
  private wakes = 0;
  private frees = 0;
  private rcu = 0;
  private buffered: { h: number; f: string }[] = [];

  before(v: PorView, fp: Footprint): void {
    this.objs = v.arena.objs.length;
    this.effects = v.effects;
    this.wakes = v.wakes;
    this.frees = v.arena.freeSites.size;
    this.rcu = v.rcu.events;
    if (v.memory.mode === 'tso' && fp.cpu >= 0) this.buffered = v.memory.buffers[fp.cpu]!.slice();
  }

  after(v: PorView, t: FieldTable, fp: Footprint): void {
    if (v.effects !== this.effects) fp.global = true;
    // A wake-up writes the woken task_struct: covered when the step is a signal or an op on
    // a task_struct (try_to_wake_up); anything else that wakes is global.
    if (v.wakes !== this.wakes && fp.p < SIGNAL_BASE && fp.lock === 0) fp.global = true;
    const frees = v.arena.freeSites.size;
    if (frees !== this.frees) {
      // kfree(h) writes all of h (a later access is a use-after-free); under TSO it also
      // wrote back this CPU's buffer: what it held before the step, and the step's own store.
      if (v.memory.mode === 'tso') {
        for (const e of this.buffered) fp.w.push(t.key(e.h, e.f));
        fp.plain = false;
      }
      // Under lkmm kfree() is a full barrier (Memory.drain).
      if (v.memory.mode === 'lkmm') fp.w.push(t.key(0, 'lkmm smp_mb view'));
      let i = 0;
      for (const h of v.arena.freeSites.keys()) if (i++ >= this.frees) fp.w.push(h * FIELD_SLOTS);
    }
    if (v.arena.objs.length !== this.objs) fp.w.push(t.key(0, 'heap'));
    // rcu_read_lock()/unlock(), call_rcu() and synchronize_rcu() read and write RCU's
    // state (who is inside, whether a grace period waits for them): one pseudo-location.
    if (v.rcu.events !== this.rcu && !POR_TEST_SWITCHES.brokenRcu) fp.w.push(t.key(0, 'rcu'));
    if (fp.p < IRQ_BASE) {
      const info = v.choiceInfo(fp.p);
      if (info.op === null) fp.w.push(t.key(info.task, 'sigpending'), t.key(info.task, 'state'));
    }
  }
}
