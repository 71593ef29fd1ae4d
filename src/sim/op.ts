/**
 * Operations: what a model generator yields at each scheduling point.
 *
 * A model function is a `function*` that yields one {@link Op} before every shared-memory
 * access, atomic or lock operation of the kernel code it mirrors. The machine performs the op
 * atomically when the scheduler picks that context, and resumes the generator with the op's
 * result (`const v = yield READ_ONCE(h, 'field')`). Local computation between two yields
 * touches no shared state, so it is atomic by construction.
 *
 * Every op names the object (`h`) and field (`f`) it touches, so a step records which object
 * it touched: the hook that partial-order reduction will need.
 */
import type { Ctx, MachineAccess } from './context.ts';

/** Op kinds. Plain numbers (not a const enum) so every build tool agrees on them. */
export const K = {
  LOAD: 0,
  STORE: 1,
  READ_ONCE: 2,
  WRITE_ONCE: 3,
  XCHG: 4,
  CMPXCHG: 5,
  ATOMIC_ADD_RETURN: 6,
  SMP_MB: 7,
  SMP_RMB: 8,
  SMP_WMB: 9,
  STORE_RELEASE: 10,
  LOAD_ACQUIRE: 11,
  CUSTOM: 12,
  XCHG_RELAXED: 13,
  XCHG_ACQUIRE: 14,
  XCHG_RELEASE: 15,
  CMPXCHG_RELAXED: 16,
  CMPXCHG_ACQUIRE: 17,
  CMPXCHG_RELEASE: 18,
  ATOMIC_ADD_RETURN_RELAXED: 19,
  ATOMIC_ADD_RETURN_ACQUIRE: 20,
  ATOMIC_ADD_RETURN_RELEASE: 21,
  ATOMIC_ADD: 22,
  SMP_MB_BEFORE_ATOMIC: 23,
  SMP_MB_AFTER_ATOMIC: 24,
  SMP_MB_AFTER_SPINLOCK: 25,
} as const;

/** The kernel spelling of each op kind, for traces. */
export const OP_NAMES: readonly string[] = [
  'load', 'store', 'READ_ONCE', 'WRITE_ONCE', 'xchg', 'cmpxchg', 'atomic_add_return',
  'smp_mb', 'smp_rmb', 'smp_wmb', 'smp_store_release', 'smp_load_acquire', 'custom',
  'xchg_relaxed', 'xchg_acquire', 'xchg_release', 'cmpxchg_relaxed', 'cmpxchg_acquire',
  'cmpxchg_release', 'atomic_add_return_relaxed', 'atomic_add_return_acquire',
  'atomic_add_return_release', 'atomic_add', 'smp_mb__before_atomic', 'smp_mb__after_atomic',
  'smp_mb__after_spinlock',
];

/** Ordering of an atomic RMW (Documentation/atomic_t.txt): full, relaxed, acquire, release. */
export const ORDER = { MB: 0, RELAXED: 1, ACQUIRE: 2, RELEASE: 3 } as const;

/**
 * For an RMW kind: its full-barrier base kind (XCHG, CMPXCHG or ATOMIC_ADD_RETURN) and its
 * ordering, as `base * 4 + order`; -1 for every other kind.
 */
export function rmwOf(k: number): number {
  if (k === K.XCHG || k === K.CMPXCHG || k === K.ATOMIC_ADD_RETURN) return k * 4 + ORDER.MB;
  if (k >= K.XCHG_RELAXED && k <= K.ATOMIC_ADD_RETURN_RELEASE) {
    const i = k - K.XCHG_RELAXED;
    const base = [K.XCHG, K.CMPXCHG, K.ATOMIC_ADD_RETURN][Math.floor(i / 3)]!;
    return base * 4 + (i % 3) + 1;
  }
  if (k === K.ATOMIC_ADD) return K.ATOMIC_ADD_RETURN * 4 + ORDER.RELAXED;
  return -1;
}

/** True for the kinds that are barriers only (no object): smp_mb and its relatives. */
export function isFence(k: number): boolean {
  return k === K.SMP_MB || k === K.SMP_RMB || k === K.SMP_WMB || k >= K.SMP_MB_BEFORE_ATOMIC;
}

/**
 * A lock, sleep or other primitive that is more than one memory access but is atomic in the
 * kernel (it runs under a lock or is a single locked instruction). `enabled` says whether it
 * can run now: false means the context is spinning or sleeping, and it is not offered to the
 * scheduler until something changes. `exec` runs atomically and returns the op's result.
 */
export interface CustomOp {
  /** Kernel name, e.g. `spin_lock` or `try_to_wake_up`. */
  readonly name: string;
  /** Whether the op can run now (default: always). */
  enabled?(m: MachineAccess, c: Ctx, op: Op): boolean;
  /** Performs the op atomically; the return value resumes the generator. */
  exec(m: MachineAccess, c: Ctx, op: Op): unknown;
  /** Why the op cannot run now, for deadlock and limit messages. */
  waitReason?(m: MachineAccess, c: Ctx, op: Op): string;
  /**
   * What the op touches, for partial-order reduction. `object`: only the object `h` (any of
   * its fields), this CPU's store buffer (it may drain it) and bookkeeping no model code
   * branches on (lockdep), or only its field `op.f` when the op names one; `{ field }`: the
   * same for that one field of `h`; `cpu`: it only reads the object `h` (a task's own
   * task_struct) besides its own context and CPU. Without it the op is dependent with every
   * other step.
   */
  readonly footprint?: 'object' | 'cpu' | { readonly field: string };
  /**
   * An exclusive acquire (with `enabled`): it can run only while no one holds the lock, so
   * a race between the holder's release and it is not reversible; partial-order reduction
   * reverses the holder's acquisition instead (sim/schedulers/dpor.ts).
   */
  readonly exclusive?: true;
}

/** One scheduling point. All fields are always present, so ops share one object shape. */
export interface Op {
  /** Kind, one of {@link K}. */
  k: number;
  /** The object touched (a handle), or 0. */
  h: number;
  /** The field touched, or ''. */
  f: string;
  /** The value stored, exchanged, added, or a custom op's argument. */
  v: unknown;
  /** The expected value of a cmpxchg, or a custom op's second argument. */
  o: unknown;
  /** The kernel function this access belongs to; the context's current `fn` when null. */
  fn: string | null;
  /** The custom primitive, for kind CUSTOM. */
  x: CustomOp | null;
}

/** A model generator: yields ops, receives their results, returns `R`. */
export type Model<R = void> = Generator<Op, R, any>;

/** Builds an op (internal helper for the builders in mem.ts and the lock modules). */
export function op(k: number, h: number, f: string, v: unknown, o: unknown,
  fn: string | null, x: CustomOp | null): Op {
  return { k, h, f, v, o, fn, x };
}

/** Builds a custom op on object `h` with arguments `v` and `o`. */
export function custom(x: CustomOp, h: number, v?: unknown, o?: unknown, fn?: string): Op {
  return { k: K.CUSTOM, h, f: '', v, o, fn: fn ?? null, x };
}
