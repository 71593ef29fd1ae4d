/**
 * Lockdep-lite, after kernel/locking/lockdep.c @ v6.18: the held-lock stack of every context
 * and the checks that need it. Class-level checks (order graph, hardirq usage) are in
 * lockdep-graph.ts.
 *
 * Reports, all property P4-locking:
 * - `recursive-locking`: a context takes a class it already holds (read after read is fine);
 * - `lock-inversion`, `irq-unsafe-lock`, `irq-lock-inversion`: see lockdep-graph.ts;
 * - `irq-self-deadlock`, `sleep-in-atomic`, `irq-enable-in-hardirq`: lockdep-context.ts;
 * - `bad-unlock-balance`: releasing a lock this context does not hold;
 * - `lock-not-held`: lockdep_assert_held() failed.
 *
 * When checks run, as in the kernel: order and hardirq usage at the attempt (lock_acquire,
 * before spinning, so an ABBA pair or an IRQ-unsafe use is reported before it deadlocks).
 * One exception: when a hardirq attempts a lock that the task it interrupted holds, its
 * usage is deferred to the moment it gets the lock, so that if it never can, the precise
 * irq-self-deadlock report (from the spinning op) names the two sites.
 *
 * STATE: `m.ext.lockdep`, created on first use. Bookkeeping is not a memory access of the
 * modelled kernel, so it takes no steps. Held-lock records are reused (no allocation per
 * acquisition); sites are copied only when kept by the graph.
 */
import { CLONE_FAST } from '../sim/clone.ts';
import type { Ctx, MachineAccess } from '../sim/context.ts';
import {
  ENABLED_HARDIRQ, ENABLED_HARDIRQ_READ, LockGraph, siteText, USED_IN_HARDIRQ,
  USED_IN_HARDIRQ_READ, type LockClass, type LockSite,
} from './lockdep-graph.ts';

/** Lock kind: spinlock_t. Spinning kinds matter for IRQ usage and atomic context. */
export const LD_SPIN = 0;
/** Lock kind: rwlock_t (spinning). */
export const LD_RWLOCK = 1;
/** Lock kind: struct mutex (sleeping). */
export const LD_MUTEX = 2;
/** Lock kind: rw_semaphore (sleeping). */
export const LD_RWSEM = 3;

/** One entry of a context's held-lock stack (struct held_lock). */
export interface HeldLock {
  lock: number;
  cls: LockClass;
  kind: number;
  read: boolean;
  trylock: boolean;
  /** False while the context still spins or sleeps for it. */
  acquired: boolean;
  /** Whether the hardirq usage of this acquisition has been recorded. */
  usageDone: boolean;
  /** The acquisition site (reused record: copy before keeping). */
  readonly site: LockSite;
}

interface HeldStack {
  depth: number;
  readonly e: HeldLock[];
}

/** The lockdep state of one machine. */
export interface LockdepState {
  /** Set false to skip every check (for benchmarks); the held stacks stop being kept. */
  enabled: boolean;
  readonly graph: LockGraph;
  readonly stacks: (HeldStack | undefined)[];
  /** Contexts already reported as irq-self-deadlocked (enabled() is asked repeatedly). */
  readonly selfDeadlocked: Set<number>;
  /** The fast engine's copy (see copyState). */
  readonly [CLONE_FAST]?: (this: LockdepState, memo: Map<object, unknown>) => LockdepState;
}

/** The lockdep state of `m`, created on first use. */
export function lockdep(m: MachineAccess): LockdepState {
  let s = m.ext.lockdep as LockdepState | undefined;
  if (s === undefined) {
    s = { enabled: true, graph: new LockGraph(), stacks: [], selfDeadlocked: new Set(),
      [CLONE_FAST]: copyState };
    m.ext.lockdep = s;
  }
  return s;
}

/**
 * The fast engine's copy of the state (sim/engine.ts) for a machine started from prepared
 * state: the graph by its plan, and the held-lock stacks entry by entry (an empty stack's
 * spare records are not copied: push() refills every field of a reused record).
 */
function copyState(this: LockdepState, memo: Map<object, unknown>): LockdepState {
  const s: LockdepState = { enabled: this.enabled, graph: this.graph[CLONE_FAST](memo),
    stacks: [], selfDeadlocked: new Set(this.selfDeadlocked), [CLONE_FAST]: copyState };
  memo.set(this, s);
  for (let id = 0; id < this.stacks.length; id++) {
    const st = this.stacks[id];
    if (st === undefined) {
      s.stacks.push(undefined);
      continue;
    }
    const e: HeldLock[] = [];
    for (let i = 0; i < st.depth; i++) {
      const h = st.e[i]!;
      e.push({ ...h, cls: memo.get(h.cls) as LockClass, site: { ...h.site } });
    }
    s.stacks.push({ depth: st.depth, e });
  }
  return s;
}

function stackOf(ld: LockdepState, id: number): HeldStack {
  let st = ld.stacks[id];
  if (st === undefined) {
    st = { depth: 0, e: [] };
    ld.stacks[id] = st;
  }
  return st;
}

function push(st: HeldStack): HeldLock {
  let h = st.e[st.depth];
  if (h === undefined) {
    // fill() sets every field of the record (and of its site) before it is read.
    h = {
      // Stryker disable next-line BooleanLiteral: overwritten by fill()
      lock: 0, cls: undefined as unknown as LockClass, kind: 0, read: false, trylock: false,
      // Stryker disable next-line BooleanLiteral: overwritten by fill()
      acquired: false, usageDone: false,
      // Stryker disable next-line ObjectLiteral: overwritten by fill()
      site: { ctx: '', cpu: 0, step: 0, fn: '', op: '', lock: '' },
    };
    st.e.push(h);
  }
  st.depth++;
  return h;
}

function fill(h: HeldLock, c: Ctx, l: number, cls: LockClass, kind: number, read: boolean,
  op: string): void {
  h.lock = l;
  h.cls = cls;
  h.kind = kind;
  h.read = read;
  h.trylock = false;
  h.acquired = false;
  h.usageDone = false;
  const s = h.site;
  s.ctx = c.name;
  s.cpu = c.cpu;
  s.step = c.m.step;
  s.fn = c.fn;
  s.op = op;
  s.lock = c.m.arena.label(l);
}

/**
 * The topmost entry of context `id` for lock `l` (acquired only, if asked), or undefined.
 * @internal
 */
export function lockdep_find(ld: LockdepState, id: number, l: number, acquiredOnly: boolean):
HeldLock | undefined {
  const st = ld.stacks[id];
  if (st === undefined) return undefined;
  for (let i = st.depth - 1; i >= 0; i--) {
    const e = st.e[i]!;
    if (e.lock === l && (e.acquired || !acquiredOnly)) return e;
  }
  return undefined;
}

/**
 * lock_acquire(): an attempt to take `l`, before any spinning or sleeping. Checks recursion
 * and lock order, and pushes the held-lock entry (not yet acquired).
 */
export function lock_acquire(c: Ctx, l: number, kind: number, read: boolean, subclass: number,
  op: string): void {
  const ld = lockdep(c.m);
  if (!ld.enabled) return;
  const cls = ld.graph.classOf(c.m, l, subclass);
  const st = stackOf(ld, c.id);
  const h = push(st);
  fill(h, c, l, cls, kind, read, op);
  for (let i = st.depth - 2; i >= 0; i--) {
    const e = st.e[i]!;
    if (e.cls === cls && !(read && e.read)) {
      reportRecursive(c, e, h);
      return;
    }
  }
  // check_prevs_add(): a dependency from the lock below, and from below a trylock too.
  for (let i = st.depth - 2; i >= 0; i--) {
    const e = st.e[i]!;
    if (e.cls !== cls) ld.graph.addDependency(c.m, c, e.cls, e.site, cls, h.site);
    if (!e.trylock) break;
  }
  if (!c.irq || !interruptedHolds(ld, c, l)) markUsage(ld, c, h, h.site);
}

function interruptedHolds(ld: LockdepState, c: Ctx, l: number): boolean {
  const t = c.m.interrupted(c);
  return t !== undefined && lockdep_find(ld, t.id, l, true) !== undefined;
}

/** lock_acquired(): the attempt succeeded (records hardirq usage if it was deferred). */
export function lock_acquired(c: Ctx, l: number): void {
  const ld = lockdep(c.m);
  if (!ld.enabled) return;
  const st = ld.stacks[c.id];
  if (st === undefined) return;
  for (let i = st.depth - 1; i >= 0; i--) {
    const e = st.e[i]!;
    if (e.lock === l && !e.acquired) {
      e.acquired = true;
      if (!e.usageDone) markUsage(ld, c, e, e.site);
      return;
    }
  }
}

/** A successful trylock: no order check (trylocks cannot deadlock), but usage counts. */
export function lock_acquire_try(c: Ctx, l: number, kind: number, read: boolean, op: string):
void {
  const ld = lockdep(c.m);
  if (!ld.enabled) return;
  const h = push(stackOf(ld, c.id));
  fill(h, c, l, ld.graph.classOf(c.m, l, 0), kind, read, op);
  h.trylock = true;
  h.acquired = true;
  markUsage(ld, c, h, h.site);
}

function markUsage(ld: LockdepState, c: Ctx, e: HeldLock, site: LockSite): void {
  e.usageDone = true;
  if (e.kind > LD_RWLOCK) return;
  if (c.irq) {
    ld.graph.markUsage(c.m, c, e.cls, e.read ? USED_IN_HARDIRQ_READ : USED_IN_HARDIRQ, site);
  } else if (c.m.irqDisabled(c.cpu) === 0) {
    ld.graph.markUsage(c.m, c, e.cls, e.read ? ENABLED_HARDIRQ_READ : ENABLED_HARDIRQ, site);
  }
}

/** lock_release(): drops `l` from this context's stack; reports an unbalanced unlock. */
export function lock_release(c: Ctx, l: number, op: string): void {
  const ld = lockdep(c.m);
  if (!ld.enabled) return;
  const st = ld.stacks[c.id];
  for (let i = (st?.depth ?? 0) - 1; i >= 0; i--) {
    const e = st!.e[i]!;
    if (e.lock !== l) continue;
    // Stryker disable next-line EqualityOperator: <= writes e[depth - 1], overwritten next
    for (let j = i; j < st!.depth - 1; j++) st!.e[j] = st!.e[j + 1]!;
    st!.e[st!.depth - 1] = e;
    st!.depth--;
    return;
  }
  c.m.report({
    property: 'P4-locking', kind: 'bad-unlock-balance',
    message: `bad unlock balance: ${c.name} (cpu${c.cpu}) ${op}(${c.m.arena.label(l)})` +
      `${c.fn === '' ? '' : ` in ${c.fn}`} at step ${c.m.step}, but it does not hold it`,
    ctx: c.id, cpu: c.cpu,
  });
}

/** lockdep_hardirqs_on(): IRQs were enabled; spinning locks still held become IRQ-unsafe. */
export function lockdep_hardirqs_on(c: Ctx): void {
  const ld = lockdep(c.m);
  const st = ld.stacks[c.id];
  if (!ld.enabled || st === undefined ||
    // Stryker disable next-line ConditionalExpression: only saves work (an empty loop)
    st.depth === 0) return;
  for (let i = 0; i < st.depth; i++) {
    const e = st.e[i]!;
    if (!e.acquired ||
      // Stryker disable next-line ConditionalExpression: markUsage() skips sleeping locks too
      e.kind > LD_RWLOCK) continue;
    const site: LockSite = { ctx: c.name, cpu: c.cpu, step: c.m.step, fn: c.fn,
      op: 'local_irq_enable', lock: e.site.lock };
    markUsage(ld, c, e, site);
  }
}

/** True when context `ctxId` holds `l` (acquired, not merely waiting for it). */
export function lockdep_holds(m: MachineAccess, ctxId: number, l: number): boolean {
  return lockdep_find(lockdep(m), ctxId, l, true) !== undefined;
}

/**
 * The task handles of the contexts holding `l` now (acquired), in context order: the
 * holders of a lock without an owner word (rw_semaphore). Empty when lockdep is off.
 */
export function lockdep_holders(m: MachineAccess, l: number): number[] {
  const ld = lockdep(m);
  const out: number[] = [];
  const all = m.contexts();
  // Stryker disable next-line EqualityOperator: <= asks one more context, which has no stack
  for (let id = 0; id < ld.stacks.length; id++) {
    if (lockdep_find(ld, id, l, true) !== undefined && all[id]!.task !== 0) {
      out.push(all[id]!.task);
    }
  }
  return out;
}

/** The number of locks context `c` holds or is acquiring (for tests and exit checks). */
export function lockdep_depth(c: Ctx): number {
  return lockdep(c.m).stacks[c.id]?.depth ?? 0;
}

/** `lockdep_assert_held(l)`: reports `lock-not-held` when `c` does not hold `l`. */
export function lockdep_assert_held(c: Ctx, l: number): void {
  const ld = lockdep(c.m);
  if (!ld.enabled || lockdep_find(ld, c.id, l, true) !== undefined) return;
  c.m.report({
    property: 'P4-locking', kind: 'lock-not-held',
    message: `lockdep_assert_held(${c.m.arena.label(l)}) failed: ${c.name} (cpu${c.cpu})` +
      `${c.fn === '' ? '' : ` in ${c.fn}`} at step ${c.m.step} does not hold it`,
    ctx: c.id, cpu: c.cpu,
  });
}

function reportRecursive(c: Ctx, held: HeldLock, now: HeldLock): void {
  const same = held.lock === now.lock ? ' (the same lock: it can never be granted)' : '';
  c.m.report({
    property: 'P4-locking', kind: 'recursive-locking',
    message: `possible recursive locking: ${siteText(now.site)} while already holding ` +
      `${held.cls.key}, taken by ${siteText(held.site)}${same}`,
    ctx: c.id, cpu: c.cpu,
    details: [`new: ${siteText(now.site)}`, `held: ${siteText(held.site)}`],
  });
}
