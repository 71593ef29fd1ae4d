/**
 * kernel/locking/lockdep.c @ v6.18, reduced: lock classes, the dependency graph between
 * them, and hardirq usage, with the three class-level checks:
 *
 * - `lock-inversion`: a new dependency A -> B closes a cycle B -> ... -> A
 *   (check_noncircular, "possible circular locking dependency detected");
 * - `irq-unsafe-lock`: one class taken in hardirq and, elsewhere, with IRQs enabled
 *   (mark_lock_irq / print_usage_bug, "inconsistent lock state");
 * - `irq-lock-inversion`: an IRQ-safe class ordered before an IRQ-unsafe one, directly or
 *   through other classes (check_irq_usage, "HARDIRQ-safe -> HARDIRQ-unsafe lock order").
 *
 * Every report names both sites (who took what, where, at which step), because the two
 * halves of a lock bug are usually far apart in a trace.
 *
 * Simplifications (stated): dependencies do not record read/write, so a cycle made only of
 * recursive read acquisitions is reported too; usage conflicts follow lockdep's table
 * (a hardirq read conflicts only with a write taken with IRQs enabled).
 */
import { CLONE, CLONE_FAST, type SelfCloning } from '../sim/clone.ts';
import type { Ctx, MachineAccess } from '../sim/context.ts';

/** Taken in hardirq for write (LOCK_USED_IN_HARDIRQ). */
export const USED_IN_HARDIRQ = 1;
/** Taken in hardirq for read (LOCK_USED_IN_HARDIRQ_READ). */
export const USED_IN_HARDIRQ_READ = 2;
/** Held for write with IRQs enabled (LOCK_ENABLED_HARDIRQ). */
export const ENABLED_HARDIRQ = 4;
/** Held for read with IRQs enabled (LOCK_ENABLED_HARDIRQ_READ). */
export const ENABLED_HARDIRQ_READ = 8;

const USAGE_NAMES = ['IN-HARDIRQ-W', 'IN-HARDIRQ-R', 'HARDIRQ-ON-W', 'HARDIRQ-ON-R'];

/** Where a lock was taken: the facts a report needs, copied when kept. */
export interface LockSite {
  ctx: string;
  cpu: number;
  step: number;
  /** The kernel function of the caller (the context's `fn`), or ''. */
  fn: string;
  /** The primitive (`spin_lock_irq`, `mutex_lock`...). */
  op: string;
  /** The lock's label. */
  lock: string;
}

/** A dependency A -> B: B was taken while A was held, first seen at these sites. */
interface Dep {
  readonly from: LockClass;
  readonly to: LockClass;
  readonly prev: LockSite;
  readonly next: LockSite;
}

/** A lock class (`cls` given at init, plus the subclass of a `_nested` acquisition). */
export interface LockClass {
  readonly key: string;
  /** Usage bits seen so far. */
  usage: number;
  /** The first site of each usage bit, by bit index. */
  readonly usageSite: (LockSite | undefined)[];
  readonly out: Map<LockClass, Dep>;
  readonly in: Map<LockClass, Dep>;
}

/** One line for a site: "T1 (cpu0) spin_lock_irq(ep.lock) in ep_poll at step 12". */
export function siteText(s: LockSite): string {
  const where = s.fn === '' ? '' : ` in ${s.fn}`;
  return `${s.ctx} (cpu${s.cpu}) ${s.op}(${s.lock})${where} at step ${s.step}`;
}

/**
 * A copy of a site (held-lock records are reused, so a kept site must be copied). Frozen:
 * a kept site never changes, so copies of a prepared machine's state share it.
 */
export function copySite(s: LockSite): LockSite {
  return Object.freeze({ ctx: s.ctx, cpu: s.cpu, step: s.step, fn: s.fn, op: s.op,
    lock: s.lock });
}

/** The usages that cannot coexist with `bit` (lockdep's exclusive usage table). */
function conflicts(bit: number): number {
  switch (bit) {
    case USED_IN_HARDIRQ: return ENABLED_HARDIRQ | ENABLED_HARDIRQ_READ;
    case USED_IN_HARDIRQ_READ: return ENABLED_HARDIRQ;
    case ENABLED_HARDIRQ: return USED_IN_HARDIRQ | USED_IN_HARDIRQ_READ;
    default: return USED_IN_HARDIRQ;
  }
}

function bitIndex(bit: number): number {
  return 31 - Math.clz32(bit);
}

/** The classes and their dependencies of one run. */
export class LockGraph implements SelfCloning {
  private readonly byKey = new Map<string, LockClass>();
  /** Class of each lock handle for subclass 0 (the common case, without a string build). */
  private readonly byLock: (LockClass | undefined)[] = [];
  /** Bumped when a class, lock or dependency is added: a plan of an older version is stale. */
  private version = 0;

  /**
   * Copies the graph for a machine started from prepared state (cloneState): classes and
   * dependencies are copied, the kept sites (frozen) shared. Faster than the generic walk,
   * which the per-run cost of a small scenario notices.
   */
  [CLONE](memo: Map<object, unknown>): LockGraph {
    const g = new LockGraph();
    memo.set(this, g);
    const fresh: LockClass[] = [];
    this.byKey.forEach((k, key) => g.byKey.set(key, copyClass(k, memo, fresh)));
    for (let i = 0; i < fresh.length; i++) {
      const k = fresh[i]!;
      const c = memo.get(k) as LockClass;
      k.out.forEach((d, to) => c.out.set(copyClass(to, memo, fresh), copyDep(d, memo, fresh)));
      k.in.forEach((d, from) => c.in.set(copyClass(from, memo, fresh), copyDep(d, memo, fresh)));
    }
    // Stryker disable next-line EqualityOperator: <= only appends an undefined slot (no lock)
    for (let l = 0; l < this.byLock.length; l++) {
      const k = this.byLock[l];
      g.byLock[l] = k === undefined ? undefined : copyClass(k, memo, fresh);
    }
    return g;
  }

  /**
   * The fast engine's copy (sim/engine.ts): the same classes, edges and map orders as
   * [CLONE], from a plan of the template made once per version (classes and dependencies by
   * index), so no memo lookup per edge; usage bits and sites are read from the classes at
   * each copy. Classes are recorded in `memo`, as held-lock records refer to them.
   */
  [CLONE_FAST](memo: Map<object, unknown>): LockGraph {
    const plan = planOf(this);
    const g = new LockGraph();
    memo.set(this, g);
    const src = plan.classes;
    // Stryker disable next-line ArrayDeclaration: a preallocated length, filled in order below
    const cls: LockClass[] = new Array<LockClass>(src.length);
    for (let i = 0; i < src.length; i++) {
      const k = src[i]!;
      const c: LockClass = { key: k.key, usage: k.usage, usageSite: k.usageSite.slice(),
        out: new Map(), in: new Map() };
      cls[i] = c;
      memo.set(k, c);
    }
    // Stryker disable next-line ArrayDeclaration: a preallocated length, filled in order below
    const deps: Dep[] = new Array<Dep>(plan.deps.length);
    for (let i = 0; i < plan.deps.length; i++) {
      const d = plan.deps[i]!;
      deps[i] = { from: cls[plan.depFrom[i]!]!, to: cls[plan.depTo[i]!]!, prev: d.prev,
        next: d.next };
    }
    for (let i = 0; i < cls.length; i++) {
      const c = cls[i]!;
      const out = plan.out[i]!;
      for (let j = 0; j < out.length; j += 2) c.out.set(cls[out[j]!]!, deps[out[j + 1]!]!);
      const inn = plan.in[i]!;
      for (let j = 0; j < inn.length; j += 2) c.in.set(cls[inn[j]!]!, deps[inn[j + 1]!]!);
    }
    for (const [key, k] of plan.byKey) g.byKey.set(key, cls[k]!);
    // Stryker disable next-line EqualityOperator: <= only appends an undefined slot (no lock)
    for (let l = 0; l < plan.byLock.length; l++) {
      const k = plan.byLock[l]!;
      // Stryker disable next-line ConditionalExpression: cls[-1] is undefined too
      g.byLock[l] = k < 0 ? undefined : cls[k]!;
    }
    return g;
  }

  /** The version (see {@link LockGraph.version}), to tell a stale plan. */
  currentVersion(): number {
    return this.version;
  }

  /** The plan of this graph for {@link CLONE_FAST}: every class and dependency by index. */
  plan(): GraphPlan {
    const index = new Map<LockClass, number>();
    const classes: LockClass[] = [];
    const add = (k: LockClass): number => {
      let i = index.get(k);
      if (i === undefined) {
        i = classes.push(k) - 1;
        index.set(k, i);
      }
      return i;
    };
    const byKey: [string, number][] = [];
    this.byKey.forEach((k, key) => byKey.push([key, add(k)]));
    const byLock: number[] = [];
    // Stryker disable next-line EqualityOperator: <= only appends a -1 (no lock)
    for (let l = 0; l < this.byLock.length; l++) {
      const k = this.byLock[l];
      byLock.push(k === undefined ? -1 : add(k));
    }
    const depIndex = new Map<Dep, number>();
    const deps: Dep[] = [];
    const depOf = (d: Dep): number => {
      let i = depIndex.get(d);
      if (i === undefined) {
        i = deps.push(d) - 1;
        depIndex.set(d, i);
      }
      return i;
    };
    const out: number[][] = [];
    const inn: number[][] = [];
    for (let i = 0; i < classes.length; i++) {
      const k = classes[i]!;
      const o: number[] = [];
      k.out.forEach((d, to) => o.push(add(to), depOf(d)));
      const n: number[] = [];
      k.in.forEach((d, from) => n.push(add(from), depOf(d)));
      out.push(o);
      inn.push(n);
    }
    return { version: this.version, classes, byKey, byLock, deps,
      depFrom: deps.map((d) => add(d.from)), depTo: deps.map((d) => add(d.to)), out, in: inn };
  }

  /** The class of lock `l` for `subclass`. */
  classOf(m: MachineAccess, l: number, subclass: number): LockClass {
    if (subclass === 0) {
      const k = this.byLock[l];
      if (k !== undefined) return k;
    }
    const base = String(m.arena.objs[l]?.cls ?? m.arena.label(l));
    const key = subclass === 0 ? base : `${base}/${subclass}`;
    let k = this.byKey.get(key);
    if (k === undefined) {
      k = { key, usage: 0, usageSite: [], out: new Map(), in: new Map() };
      this.byKey.set(key, k);
    }
    if (subclass === 0) this.byLock[l] = k;
    this.version++;
    return k;
  }

  /** Records that `next` was taken while `prev` was held; reports a cycle it closes. */
  addDependency(m: MachineAccess, c: Ctx, prev: LockClass, prevSite: LockSite,
    next: LockClass, nextSite: LockSite): void {
    if (prev.out.has(next)) return;
    const back = search(next, true, (k) => k === prev);
    if (back !== undefined) {
      reportCycle(m, c, prev, prevSite, next, nextSite, back);
      return;
    }
    const dep: Dep = { from: prev, to: next, prev: copySite(prevSite), next: copySite(nextSite) };
    prev.out.set(next, dep);
    next.in.set(prev, dep);
    this.version++;
    this.checkIrqOrder(m, c, dep);
  }

  /** Marks a usage bit of `cls` first seen at `site`; reports a conflicting usage. */
  markUsage(m: MachineAccess, c: Ctx, cls: LockClass, bit: number, site: LockSite): void {
    if ((cls.usage & bit) !== 0) return;
    cls.usage |= bit;
    cls.usageSite[bitIndex(bit)] = copySite(site);
    const bad = cls.usage & conflicts(bit);
    if (bad !== 0) {
      const other = lowestBit(bad);
      const [safe, unsafe] = bit < ENABLED_HARDIRQ ? [bit, other] : [other, bit];
      m.report({
        property: 'P4-locking', kind: 'irq-unsafe-lock',
        message: `inconsistent {${USAGE_NAMES[bitIndex(safe)]}} -> ` +
          `{${USAGE_NAMES[bitIndex(unsafe)]}} usage of lock class ${cls.key}: taken in ` +
          `hardirq by ${siteText(cls.usageSite[bitIndex(safe)]!)}, and with IRQs enabled by ` +
          `${siteText(cls.usageSite[bitIndex(unsafe)]!)}; an interrupt on the CPU holding it ` +
          'with IRQs enabled deadlocks',
        ctx: c.id, cpu: c.cpu,
        details: [`hardirq: ${siteText(cls.usageSite[bitIndex(safe)]!)}`,
          `IRQs enabled: ${siteText(cls.usageSite[bitIndex(unsafe)]!)}`],
      });
      return;
    }
    // An IRQ-safe class must not be ordered before an IRQ-unsafe one (and vice versa).
    const irqSafe = bit < ENABLED_HARDIRQ;
    const path = search(cls, irqSafe, (k) => (k.usage & conflicts(bit)) !== 0);
    if (path === undefined) return;
    const end = irqSafe ? path[path.length - 1]!.to : path[path.length - 1]!.from;
    // Stryker disable next-line MethodExpression: reversing path itself; it is not read again
    const deps = irqSafe ? path : path.slice().reverse();
    if (irqSafe) reportIrqOrder(m, c, cls, bit, end, lowestBit(end.usage & conflicts(bit)), deps);
    else reportIrqOrder(m, c, end, lowestBit(end.usage & conflicts(bit)), cls, bit, deps);
  }

  /** check_irq_usage() for a new dependency: IRQ-safe before, IRQ-unsafe after. */
  private checkIrqOrder(m: MachineAccess, c: Ctx, dep: Dep): void {
    const IN = USED_IN_HARDIRQ | USED_IN_HARDIRQ_READ;
    const ON = ENABLED_HARDIRQ | ENABLED_HARDIRQ_READ;
    // The filters and the early return only save work: a class without the usage gives no
    // conflict below, and the order of the others is kept.
    // Stryker disable next-line ConditionalExpression: only saves work (see above)
    const before = reachable(dep.from, false, (k) => (k.usage & IN) !== 0);
    // Stryker disable next-line ConditionalExpression: only saves work (see above)
    if (before.length === 0) return;
    // Stryker disable next-line ConditionalExpression: only saves work (see above)
    const after = reachable(dep.to, true, (k) => (k.usage & ON) !== 0);
    for (const s of before) {
      for (const u of after) {
        for (const bit of [USED_IN_HARDIRQ, USED_IN_HARDIRQ_READ]) {
          const bad = (s.usage & bit) === 0 ? 0 : u.usage & conflicts(bit);
          if (bad !== 0) {
            reportIrqOrder(m, c, s, bit, u, lowestBit(bad), [dep]);
            return;
          }
        }
      }
    }
  }
}

/** A graph as indexes (see LockGraph.plan). */
interface GraphPlan {
  /** The graph's version it was made at. */
  version: number;
  classes: LockClass[];
  byKey: [string, number][];
  byLock: number[];
  deps: Dep[];
  depFrom: number[];
  depTo: number[];
  /** Per class: pairs (class index, dependency index) of its out and in maps, in order. */
  out: number[][];
  in: number[][];
}

const PLANS = new WeakMap<LockGraph, GraphPlan>();

function planOf(g: LockGraph): GraphPlan {
  let p = PLANS.get(g);
  // Stryker disable next-line ConditionalExpression: a plan made again is the same plan
  if (p === undefined ||
    p.version !== g.currentVersion()) {
    p = g.plan();
    PLANS.set(g, p);
  }
  return p;
}

/** The copy of class `k` in `memo`, made (edges still empty, listed in `fresh`) if new. */
function copyClass(k: LockClass, memo: Map<object, unknown>, fresh: LockClass[]): LockClass {
  let c = memo.get(k) as LockClass | undefined;
  if (c === undefined) {
    c = { key: k.key, usage: k.usage, usageSite: k.usageSite.slice(), out: new Map(),
      in: new Map() };
    memo.set(k, c);
    fresh.push(k);
  }
  return c;
}

/** The copy of dependency `d` in `memo` (its sites are frozen and shared). */
function copyDep(d: Dep, memo: Map<object, unknown>, fresh: LockClass[]): Dep {
  let n = memo.get(d) as Dep | undefined;
  if (n === undefined) {
    n = { from: copyClass(d.from, memo, fresh), to: copyClass(d.to, memo, fresh),
      prev: d.prev, next: d.next };
    memo.set(d, n);
  }
  return n;
}

function lowestBit(x: number): number {
  return x & -x;
}

/** Breadth-first search along out (forward) or in edges; the edges to the first match. */
function search(start: LockClass, forward: boolean, match: (k: LockClass) => boolean):
Dep[] | undefined {
  // Stryker disable next-line ArrayDeclaration: the graph is acyclic, start is never reached
  const parent = new Map<LockClass, Dep | null>([[start, null]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const k = queue[i]!;
    for (const [n, dep] of forward ? k.out : k.in) {
      if (parent.has(n)) continue;
      parent.set(n, dep);
      if (match(n)) {
        const path: Dep[] = [];
        for (let x: LockClass = n; x !== start;) {
          const d = parent.get(x)!;
          path.push(d);
          x = forward ? d.from : d.to;
        }
        return path.reverse();
      }
      queue.push(n);
    }
  }
  return undefined;
}

/** The classes reachable from `start` (itself included) that satisfy `match`. */
function reachable(start: LockClass, forward: boolean, match: (k: LockClass) => boolean):
LockClass[] {
  // Stryker disable next-line ArrayDeclaration: the graph is acyclic, start is never reached
  const seen = new Set<LockClass>([start]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const n of (forward ? queue[i]!.out : queue[i]!.in).keys()) {
      // Stryker disable next-line ConditionalExpression: acyclic; a class queued twice adds nothing
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  // Stryker disable next-line MethodExpression: only saves work (see checkIrqOrder)
  return queue.filter(match);
}

function depText(d: Dep): string {
  return `${d.to.key} taken by ${siteText(d.next)} while holding ${d.from.key} ` +
    `(taken by ${siteText(d.prev)})`;
}

function reportCycle(m: MachineAccess, c: Ctx, prev: LockClass, prevSite: LockSite,
  next: LockClass, nextSite: LockSite, back: Dep[]): void {
  m.report({
    property: 'P4-locking', kind: 'lock-inversion',
    message: `possible circular locking dependency: ${next.key} taken by ` +
      `${siteText(nextSite)} while holding ${prev.key} (taken by ${siteText(prevSite)}), ` +
      `but the opposite order ${next.key} -> ${prev.key} was seen before: ` +
      back.map(depText).join('; '),
    ctx: c.id, cpu: c.cpu,
    details: [`new: ${next.key} taken by ${siteText(nextSite)} while holding ${prev.key} ` +
      `(taken by ${siteText(prevSite)})`, ...back.map((d) => `old: ${depText(d)}`)],
  });
}

function reportIrqOrder(m: MachineAccess, c: Ctx, safe: LockClass, safeBit: number,
  unsafe: LockClass, unsafeBit: number, deps: Dep[]): void {
  const s = safe.usageSite[bitIndex(safeBit)]!;
  const u = unsafe.usageSite[bitIndex(unsafeBit)]!;
  m.report({
    property: 'P4-locking', kind: 'irq-lock-inversion',
    message: `HARDIRQ-safe -> HARDIRQ-unsafe lock order: ${safe.key} is taken in hardirq ` +
      `(${siteText(s)}) and is held while taking ${unsafe.key} (${deps.map(depText)
        .join('; ')}), which is taken with IRQs enabled (${siteText(u)}); an interrupt ` +
      `taking ${safe.key} can deadlock against the holder of ${unsafe.key}`,
    ctx: c.id, cpu: c.cpu,
    details: [`{${USAGE_NAMES[bitIndex(safeBit)]}}: ${siteText(s)}`,
      `{${USAGE_NAMES[bitIndex(unsafeBit)]}}: ${siteText(u)}`, ...deps.map(depText)],
  });
}
