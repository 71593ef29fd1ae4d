/**
 * Dynamic partial-order reduction: optimal DPOR with wakeup trees and sleep sets (Abdulla,
 * Aronis, Jonsson, Sagonas, "Optimal Dynamic Partial Order Reduction", POPL 2014,
 * Algorithm 2), or source-DPOR (Algorithm 1, mode `source`, and always under a preemption
 * bound), stateless: every execution re-runs from the start with a forced prefix, as the
 * bounded search does.
 *
 * After each execution, every race between two dependent steps of different processes that
 * no third step orders (e ⋖ e') makes the search reverse it at the state before e: Algorithm
 * 1 tries one process from the initials of notdep(e).proc(e') there (a source set);
 * Algorithm 2 inserts the sequence notdep(e).e' into that state's wakeup tree
 * (wakeup-tree.ts) unless a process asleep there is a weak initial of it, and the executions
 * that follow a tree's branches first. Sleep sets keep a process that was already explored at
 * a state asleep in its children while only independent steps run, so an execution
 * equivalent to one already explored is cut short (sleep-set blocked); with wakeup trees that
 * only happens through the rules for disabled processes below.
 *
 * Blocking. The paper's model has no disabled processes; here a spinning or CPU-less context
 * is not offered. Three rules keep the search sound with them: (1) a step that disables
 * another process makes the search also try that process just before it; (2) for a lock
 * operation that had to wait, the last steps on the same lock before it waited that are not
 * ordered before it get a backtrack point as in Flanagan and Godefroid's DPOR (POPL 2005):
 * the process if it was enabled there, every enabled process otherwise; with wakeup trees
 * both become insertions of at least a one-step sequence. (3) With wakeup trees, a race
 * whose first step enabled the second is not reversible: an exclusive acquire after the
 * holder's release reverses the holder's acquisition instead, and a step whose process was
 * waiting before the race is left to (1) and (2). A branch that still meets a process that
 * is not enabled ends its execution as blocked (`stale`).
 *
 * A preemption bound prunes choices that would exceed it; a race then also backtracks at the
 * start of the block of steps containing the first step (Coons, Musuvathi, McKinley,
 * "Bounded partial-order reduction", OOPSLA 2013).
 *
 * Under lkmm (every step global) the search also tries, at each state where a load may read
 * older writes, each write it may read.
 *
 * `mode: 'none'` is the unreduced depth-first search over every choice (for comparison).
 */
import type { Scheduler } from '../scheduler.ts';
import { ARRIVE_BASE, isReadChoice } from '../schedule.ts';
import {
  classify, dependent, FieldTable, objectOf, SideEffects, touchesLocation, type Footprint,
  type PorView,
} from '../por.ts';
import { insertSequence, weakInitial, type WakeupNode } from './wakeup-tree.ts';

/** One state along the current execution. */
interface Node {
  /** The choice ids offered here, in offer order. */
  enabled: number[];
  /** The choice taken in the current execution, and what that step touched. */
  cur: number;
  ev: Footprint | null;
  /** Processes to explore here (includes those explored), in the order added (Algorithm 1). */
  backtrack: Set<number>;
  /** Algorithm 2: the branches of this state's wakeup tree not started yet, in order. */
  wut: WakeupNode[];
  /** Processes explored here already, with the footprint of their step. */
  explored: Map<number, Footprint>;
  /** The sleep set on arrival: processes whose step here is covered elsewhere. */
  sleep: Map<number, Footprint>;
  /** Preemptions used by the choices before this state. */
  pre: number;
  /** The vector clock of this state's step (see analyse), kept for the next executions. */
  clock: Int32Array | null;
}

/** Thrown by pick when every enabled process is asleep (or the bound forbids the rest). */
export class SleepBlocked extends Error {}

/**
 * How the search reduces: `dpor` uses wakeup trees without a bound and source sets with one,
 * `source` always source sets, `none` does not reduce.
 */
export type PorMode = 'dpor' | 'source' | 'none';

/** The search state; also the scheduler of each execution. */
export class DporScheduler implements Scheduler {
  readonly name = 'dpor';
  private view: PorView | null = null;
  private readonly nodes: Node[] = [];
  /** Forced choices of the current execution (the nodes before this keep their choice). */
  private forced = 0;
  private readonly fields = new FieldTable();
  /** Process (choice id) to vector-clock index, stable over the search. */
  private readonly pidx = new Map<number, number>();
  private readonly fx = new SideEffects();
  private pending: Footprint | null = null;
  private last: number[] | null = null;
  /** Executions cut short by sleep sets (or by the bound). */
  blocked = 0;
  /** Wakeup-tree branches whose process was not enabled when reached (see firstBranch). */
  stale = 0;
  /**
   * When set (tests), the class of every complete execution is added: its steps with their
   * happens-before (a Mazurkiewicz trace), which equivalent executions share.
   */
  classes: Set<string> | null = null;
  /** Algorithm 2 (wakeup trees) rather than 1. */
  private readonly trees: boolean;
  /** The subtree the next new state starts with (the rest of the branch being followed). */
  private handoff: WakeupNode[] | null = null;

  constructor(readonly mode: PorMode = 'dpor', readonly bound = Infinity) {
    this.trees = mode === 'dpor' && bound === Infinity;
  }

  /** The machine of the next execution (set before each run). */
  attach(view: PorView): void {
    this.view = view;
  }

  begin(): void {
    this.pending = null;
    this.last = null;
  }

  pick(ids: Int32Array, n: number, step: number): number {
    this.settle(step);
    let node = this.nodes[step];
    let choice: number;
    if (step < this.forced) {
      node = node!;
      node.enabled = offered(ids, n);
      choice = node.cur;
    } else {
      const enabled = offered(ids, n);
      const sleep = this.childSleep(step);
      const prev = step > 0 ? this.nodes[step - 1]!.cur : -1;
      const pre = step > 0 ? this.nodes[step - 1]!.pre + this.cost(this.nodes[step - 1]!,
        this.nodes[step - 1]!.cur, step - 1) : 0;
      choice = -1;
      // Algorithm 2: a state reached along a wakeup-tree branch takes over the rest of it.
      // When every branch is asleep (covered by what was explored already) or waits (see
      // stale), the execution ends here as blocked; its analysis still gives a process
      // waiting for a lock rule (2)'s backtrack points.
      const wut = this.handoff ?? [];
      this.handoff = null;
      const handed = wut.length > 0;
      const c = handed ? this.firstBranch(wut, enabled, (q) => sleep.has(q)) : null;
      if (c !== null) {
        choice = c.p;
        this.handoff = c.kids;
      } else if (handed) {
        // blocked below
      } else if (enabled.includes(prev) && !sleep.has(prev)) choice = prev;
      else if (!enabled.includes(prev) || pre < this.bound) {
        for (const q of enabled) {
          if (!sleep.has(q)) {
            choice = q;
            break;
          }
        }
      }
      this.nodes.length = step;
      if (choice < 0) {
        this.last = enabled;
        this.blocked++;
        throw new SleepBlocked();
      }
      node = { enabled, cur: choice, ev: null, backtrack: new Set([choice]), wut,
        explored: new Map(), sleep, pre, clock: null };
      this.nodes.push(node);
    }
    const idx = node.enabled.indexOf(choice);
    if (idx < 0) throw new Error(`dpor: replay diverged at step ${step}`);
    const v = this.view!;
    // A replayed step keeps the footprint it had in the previous execution (same prefix,
    // same state): classifying it again would give the same.
    if (step < this.forced && node.ev !== null) return idx;
    this.pending = classify(v, this.fields, choice);
    this.fx.before(v, this.pending);
    if (step >= this.forced && v.memory.mode === 'lkmm') this.readAlternatives(node, choice);
    return idx;
  }

  end(steps: number): void {
    this.settle(steps);
  }

  /** Records the footprint of the step before `step`, with its side effects. */
  private settle(step: number): void {
    const fp = this.pending;
    if (fp === null) return;
    this.fx.after(this.view!, this.fields, fp);
    this.nodes[step - 1]!.ev = fp;
    this.pending = null;
  }

  /** 1 when taking `q` at node k preempts the process that ran before it. */
  private cost(node: Node, q: number, k: number): number {
    if (k === 0) return 0;
    const prev = this.nodes[k - 1]!.cur;
    return node.enabled.includes(prev) && q !== prev ? 1 : 0;
  }

  /** The sleep set of the state reached by the step at node step-1. */
  private childSleep(step: number): Map<number, Footprint> {
    const out = new Map<number, Footprint>();
    if (step === 0 || this.mode === 'none') return out;
    const parent = this.nodes[step - 1]!;
    const ev = parent.ev!;
    for (const src of [parent.sleep, parent.explored]) {
      for (const [q, fp] of src) {
        if (q !== ev.p && !dependent(fp, ev)) out.set(q, fp);
      }
    }
    return out;
  }

  /**
   * After an execution (complete, or cut short when `blocked`): adds the backtrack points
   * its races call for and moves to the next execution. Returns false when the search is
   * complete.
   */
  next(quiescent: boolean): boolean {
    const nodes = this.nodes;
    const start = Math.max(0, this.forced - 1);
    // Events are the nodes with a step taken; a blocked execution stops at a node without one.
    const evs: Footprint[] = [];
    for (const nd of nodes) {
      if (nd.ev === null) break;
      evs.push(nd.ev);
    }
    const after = this.last ?? (quiescent ? [] : null);
    if (this.mode === 'none') {
      for (let k = start; k < evs.length; k++) {
        for (const q of nodes[k]!.enabled) nodes[k]!.backtrack.add(q);
      }
    } else {
      this.analyse(evs, start, after);
      if (this.classes !== null && this.last === null && quiescent) {
        this.classes.add(traceClass(evs, nodes, this.pidx));
      }
    }
    for (let k = nodes.length - 1; k >= 0; k--) {
      const nd = nodes[k]!;
      if (nd.ev !== null) nd.explored.set(nd.cur, nd.ev);
      if (this.trees) {
        // Algorithm 2: the next branch of this state's wakeup tree, in order.
        const c = this.firstBranch(nd.wut, nd.enabled,
          (q) => nd.sleep.has(q) || nd.explored.has(q));
        if (c === null) continue;
        nodes.length = k + 1;
        nd.cur = c.p;
        nd.ev = null;
        nd.clock = null;
        this.forced = k + 1;
        this.handoff = c.kids;
        return true;
      }
      for (const q of nd.backtrack) {
        if (nd.explored.has(q) || nd.sleep.has(q) || !nd.enabled.includes(q)) continue;
        if (nd.pre + this.cost(nd, q, k) > this.bound) continue;
        nodes.length = k + 1;
        nd.cur = q;
        nd.ev = null;
        nd.clock = null;
        this.forced = k + 1;
        return true;
      }
    }
    nodes.length = 0;
    return false;
  }

  /**
   * Removes and returns the first branch of `wut` whose process may run: one asleep (or
   * explored) here is covered already and dropped; one not enabled is dropped and counted in
   * `stale`: the sequence reverses a race whose first step enabled the second (a lock's
   * release before its acquisition, a wake-up before the return from schedule()), which no
   * execution reverses. (The paper's processes are never disabled, so its races all are.)
   */
  private firstBranch(wut: WakeupNode[], enabled: number[], asleep: (q: number) => boolean):
  WakeupNode | null {
    while (wut.length > 0) {
      const c = wut.shift()!;
      if (asleep(c.p)) continue;
      if (!enabled.includes(c.p)) {
        this.stale++;
        continue;
      }
      return c;
    }
    return null;
  }

  private analyse(evs: Footprint[], start: number, after: number[] | null): void {
    const nodes = this.nodes;
    const n = evs.length;
    // Happens-before as vector clocks over processes: clock[j][q] is the last step of q
    // ordered before (or at) step j.
    // The steps before `start` are those of the previous execution: their clocks are kept.
    const pidx = this.pidx;
    for (const e of evs) if (!pidx.has(e.p)) pidx.set(e.p, pidx.size);
    const P = pidx.size;
    const pi = evs.map((e) => pidx.get(e.p)!);
    const clock: Int32Array[] = [];
    const races: number[] = [];
    for (let j = 0; j < n; j++) {
      const kept = nodes[j]!.clock;
      if (j < start && kept !== null && kept.length === P) {
        clock.push(kept);
        continue;
      }
      const c = new Int32Array(P).fill(-1);
      // Latest first: a step already ordered before j adds nothing (its past is included).
      // The steps joined are j's races (i ⋖ j), those of other processes: dependent and not
      // ordered before j through a later dependent step.
      races.length = 0;
      for (let k = j - 1; k >= 0; k--) {
        if (c[pi[k]!]! >= k || !dependent(evs[k]!, evs[j]!)) continue;
        join(c, clock[k]!);
        if (pi[k] !== pi[j]) races.push(k);
      }
      c[pi[j]!] = j;
      clock.push(c);
      nodes[j]!.clock = c;
      if (j < start) continue;
      for (const i of races) this.race(evs, pi, clock, i, j);
      if (evs[j]!.lock !== 0) this.lockWait(evs, pi, clock, j, evs[j]!.p, evs[j]!.lock);
    }
    // Processes still waiting for a lock at the end (a blocked or deadlocked execution):
    // their pending lock operation is treated as a step n.
    if (after !== null) {
      const seen = new Set<number>();
      for (const nd of nodes) for (const q of nd.enabled) seen.add(q);
      for (const q of seen) {
        if (after.includes(q)) continue;
        const fp = classify(this.view!, this.fields, q);
        if (fp.lock !== 0 && this.view!.choiceInfo(q).op?.x?.enabled !== undefined) {
          this.lockWait(evs, pi, clock, n, q, fp.lock, fp);
        }
      }
    }
    // Rule (1): a step that disables another process.
    for (let d = start; d < n; d++) {
      const nd = nodes[d]!;
      const post = d + 1 < n ? nodes[d + 1]!.enabled : after;
      for (const q of nd.enabled) {
        if (q === evs[d]!.p || (post !== null && post.includes(q))) continue;
        this.add(d, q);
      }
    }
  }

  /** Source-DPOR: the race i ⋖ j wants one initial of notdep(i).proc(j) tried before i. */
  private race(evs: Footprint[], pi: number[], clock: Int32Array[], i: number, j: number): void {
    const pI = pi[i]!;
    if (this.trees) {
      // An exclusive acquire j after the holder's release i cannot go first; the race to
      // reverse is between j and the holder's acquisition a (as a mutex's lock operations
      // race with each other, not with its unlock).
      const a = holderAcquire(evs, i, j);
      if (a >= 0) {
        // When j's process depends on the critical section (a step of it after a is ordered
        // after a), j cannot go before a either until that race is reversed, which its own
        // analysis does; the execution that reverses it meets this lock again.
        for (let k = j - 1; k > a; k--) {
          if (evs[k]!.p === evs[j]!.p) {
            if (clock[k]![pi[a]!]! >= a) return;
            break;
          }
        }
      }
      if (this.reverse(evs, clock, a >= 0 ? a : i, j)) return;
    }
    const first = new Map<number, number>();
    const initials: number[] = [];
    const initialAt = (c: Int32Array, self: number): boolean => {
      for (const [q, f] of first) if (q !== self && c[q]! >= f) return false;
      return true;
    };
    for (let k = i + 1; k < j; k++) {
      if (clock[k]![pI]! >= i) continue;
      const q = pi[k]!;
      if (first.has(q)) continue;
      if (initialAt(clock[k]!, q)) initials.push(evs[k]!.p);
      first.set(q, k);
    }
    if (!first.has(pi[j]!) && initialAt(clock[j]!, pi[j]!)) initials.push(evs[j]!.p);
    const nd = this.nodes[i]!;
    for (const q of initials) if (this.planned(nd, q) || nd.sleep.has(q)) return;
    const q = initials.find((x) => nd.enabled.includes(x));
    if (q === undefined) return;
    this.add(i, q);
    if (this.bound !== Infinity) {
      // Bounded POR: the start of the block of steps of proc(i) that contains i.
      let b = i;
      while (b > 0 && this.nodes[b - 1]!.cur === evs[i]!.p) b--;
      if (b !== i && this.nodes[b]!.enabled.includes(q)) this.add(b, q);
    }
  }

  /**
   * Algorithm 2: the race i ⋖ j inserts v = notdep(i).j into the wakeup tree of the state
   * before i, unless a process asleep there (explored or in the sleep set) is a weak initial
   * of v: then v's class is covered by what that process's exploration reaches.
   */
  private reverse(evs: Footprint[], clock: Int32Array[], i: number, j: number,
    last: Footprint = evs[j]!): boolean {
    const pI = this.pidx.get(evs[i]!.p)!;
    const v: Footprint[] = [];
    for (let k = i + 1; k < j; k++) if (clock[k]![pI]! < i) v.push(evs[k]!);
    v.push(last);
    const nd = this.nodes[i]!;
    // i enabled j (j's process waited before i and nothing else in v touches what j does, as
    // an IRQ that can fire only after the unmask, a task woken by i): no execution has j first
    // from here; rules (1) and (2) reverse what disabled it.
    if (!nd.enabled.includes(last.p) && v.every((x) => x === last || (x.p !== last.p &&
      !dependent(x, last)))) return nd.enabled.includes(v[0]!.p);
    return this.insertAt(i, v);
  }

  /**
   * Inserts v into the wakeup tree at state i unless a process asleep there is a weak
   * initial of it; false when v cannot start there as recorded (then Algorithm 1's rule).
   */
  private insertAt(i: number, v: Footprint[]): boolean {
    const nd = this.nodes[i]!;
    if (!nd.enabled.includes(v[0]!.p)) return false;
    for (const src of [nd.sleep, nd.explored]) {
      for (const [q, fp] of src) if (weakInitial(q, fp, v) >= 0) return true;
    }
    insertSequence(nd.wut, v);
    return true;
  }

  /**
   * Rule (2): lock step j of process p waited for the lock; the steps on the same lock that
   * are not ordered before p's previous step each get a backtrack point.
   */
  private lockWait(evs: Footprint[], pi: number[], clock: Int32Array[], j: number, p: number,
    lock: number, pending: Footprint = evs[j]!): void {
    let prev = -1;
    for (let k = j - 1; k >= 0; k--) {
      if (evs[k]!.p === p) {
        prev = k;
        break;
      }
    }
    let waited = j >= evs.length;
    for (let k = prev + 1; k <= j && !waited; k++) waited = !this.nodes[k]!.enabled.includes(p);
    if (!waited) return;
    for (let i = j - 1; i >= 0; i--) {
      const e = evs[i]!;
      if (e.p === p || !touchesObject(e, lock)) continue;
      if (prev >= 0 && clock[prev]![pi[i]!]! >= i) continue;
      const nd = this.nodes[i]!;
      // With wakeup trees: the race i ⋖ j reversed as in Algorithm 2 when p could go there.
      if (nd.enabled.includes(p)) {
        if (!this.trees || !this.reverse(evs, clock, i, j, pending)) this.add(i, p);
      } else {
        for (const q of nd.enabled) this.add(i, q);
      }
      if (i <= prev) break;
    }
  }

  /**
   * lkmm: the steps of one CPU's load that read different writes (its plain step and its
   * READ_BASE ids) are alternatives of one thread at this state; all of them are tried.
   */
  private readAlternatives(node: Node, choice: number): void {
    const v = this.view!;
    const cpu = v.choiceInfo(choice).cpu;
    if (!node.enabled.some((q) => isReadChoice(q) && (q & 255) === cpu)) return;
    for (const q of node.enabled) {
      if (isReadChoice(q) ? (q & 255) === cpu : q < ARRIVE_BASE && v.choiceInfo(q).cpu === cpu) {
        this.add(this.nodes.length - 1, q);
      }
    }
  }

  /** Whether q is explored, being explored or to be explored at the state. */
  private planned(nd: Node, q: number): boolean {
    if (!this.trees) return nd.backtrack.has(q);
    return q === nd.cur || nd.explored.has(q) || nd.wut.some((c) => c.p === q);
  }

  /**
   * Also tries q at state k: a backtrack point, or with wakeup trees a one-step branch (a
   * leaf: any continuation after it), which the rules for disabled processes need.
   */
  private add(k: number, q: number): void {
    const nd = this.nodes[k]!;
    if (!this.trees) {
      nd.backtrack.add(q);
      return;
    }
    if (this.planned(nd, q) || nd.sleep.has(q) || !nd.enabled.includes(q)) return;
    nd.wut.push({ p: q, fp: null, kids: [] });
  }

  /** Whether a search is under way with a forced prefix (for the caller's loop). */
  get depth(): number {
    return this.forced;
  }
}

/** A complete execution's steps, each with its process's steps that happen before it. */
function traceClass(evs: Footprint[], nodes: Node[], pidx: Map<number, number>): string {
  const nth: number[] = [];
  const count = new Map<number, number>();
  for (const e of evs) {
    const c = count.get(e.p) ?? 0;
    nth.push(c);
    count.set(e.p, c + 1);
  }
  const items = evs.map((e, j) => {
    const c = nodes[j]!.clock!;
    const before = [...pidx].filter(([, q]) => c[q]! >= 0).map(([p, q]) => `${p}:${nth[c[q]!]}`);
    return `${e.p}#${nth[j]}<${before.join(',')}`;
  });
  return items.sort().join(' ');
}

/** The ids offered, as an array (a loop: Array.from on a typed array is much slower). */
function offered(ids: Int32Array, n: number): number[] {
  const a = new Array<number>(n);
  for (let i = 0; i < n; i++) a[i] = ids[i]!;
  return a;
}

function join(into: Int32Array, from: Int32Array): void {
  for (let q = 0; q < into.length; q++) if (from[q]! > into[q]!) into[q] = from[q]!;
}

/**
 * When step j is an exclusive acquire of a lock word that i's process holds at i (its last
 * step on the word before i was its exclusive acquire a, so i is, or precedes, its release):
 * a; else -1.
 */
function holderAcquire(evs: Footprint[], i: number, j: number): number {
  const x = evs[j]!;
  // The lock word: the first location an exclusive acquire writes (see classify).
  const word = x.w[0]!;
  if (!x.excl || !touchesLocation(evs[i]!, word)) return -1;
  const p = evs[i]!.p;
  let a = -1;
  for (let k = i - 1; k >= 0 && a < 0; k--) {
    const e = evs[k]!;
    if (e.p !== p || !touchesLocation(e, word)) continue;
    if (!e.excl || e.w[0] !== word) return -1;
    a = k;
  }
  return a;
}

function touchesObject(e: Footprint, h: number): boolean {
  if (e.global) return true;
  for (const x of e.w) if (objectOf(x) === h) return true;
  for (const x of e.r) if (objectOf(x) === h) return true;
  return false;
}
