/**
 * The shared-memory API of the model: every access to state that another CPU can see goes
 * through one of these builders, and is performed by the machine under the memory model in
 * force (sequentially consistent, or TSO with per-CPU store buffers).
 *
 * Usage inside a model generator: `const next = yield READ_ONCE(epi, 'next', FN)`.
 * The optional last argument names the kernel function for the trace.
 *
 * Semantics under TSO (x86): plain and ONCE stores go to the CPU's FIFO store buffer; loads
 * forward from it; xchg, cmpxchg, atomic RMW and smp_mb drain it first; smp_rmb and smp_wmb are
 * compiler barriers only (TSO already keeps those orders); release stores and acquire loads
 * are ordinary stores and loads; the `_relaxed`, `_acquire` and `_release` atomics are
 * locked instructions like the full ones, and smp_mb__before_atomic, smp_mb__after_atomic and
 * smp_mb__after_spinlock are compiler barriers.
 *
 * Under lkmm (lkmm.ts) each op has the ordering the kernel documents for it
 * (Documentation/atomic_t.txt, tools/memory-model/Documentation/explanation.txt).
 */
import { K, op, type Op } from './op.ts';

/** A plain load (`x = p->f`). */
export function load(h: number, f: string, fn?: string): Op {
  return op(K.LOAD, h, f, 0, 0, fn ?? null, null);
}
/** A plain store (`p->f = v`). */
export function store(h: number, f: string, v: unknown, fn?: string): Op {
  return op(K.STORE, h, f, v, 0, fn ?? null, null);
}
/** `READ_ONCE(p->f)`. */
export function READ_ONCE(h: number, f: string, fn?: string): Op {
  return op(K.READ_ONCE, h, f, 0, 0, fn ?? null, null);
}
/** `WRITE_ONCE(p->f, v)`. */
export function WRITE_ONCE(h: number, f: string, v: unknown, fn?: string): Op {
  return op(K.WRITE_ONCE, h, f, v, 0, fn ?? null, null);
}
/** `xchg(&p->f, v)`: returns the old value; a full barrier. */
export function xchg(h: number, f: string, v: unknown, fn?: string): Op {
  return op(K.XCHG, h, f, v, 0, fn ?? null, null);
}
/** `cmpxchg(&p->f, old, v)`: returns the value found; stores `v` if it equalled `old`. */
export function cmpxchg(h: number, f: string, old: unknown, v: unknown, fn?: string): Op {
  return op(K.CMPXCHG, h, f, v, old, fn ?? null, null);
}
/** `atomic_add_return(d, &p->f)`: returns the new value; a full barrier. */
export function atomic_add_return(h: number, f: string, d: number, fn?: string): Op {
  return op(K.ATOMIC_ADD_RETURN, h, f, d, 0, fn ?? null, null);
}
/** `smp_mb()`: drains this CPU's store buffer. */
export function smp_mb(fn?: string): Op {
  return op(K.SMP_MB, 0, '', 0, 0, fn ?? null, null);
}
/** `smp_rmb()`. */
export function smp_rmb(fn?: string): Op {
  return op(K.SMP_RMB, 0, '', 0, 0, fn ?? null, null);
}
/** `smp_wmb()`. */
export function smp_wmb(fn?: string): Op {
  return op(K.SMP_WMB, 0, '', 0, 0, fn ?? null, null);
}
/** `smp_store_release(&p->f, v)`. */
export function smp_store_release(h: number, f: string, v: unknown, fn?: string): Op {
  return op(K.STORE_RELEASE, h, f, v, 0, fn ?? null, null);
}
/** `smp_load_acquire(&p->f)`. */
export function smp_load_acquire(h: number, f: string, fn?: string): Op {
  return op(K.LOAD_ACQUIRE, h, f, 0, 0, fn ?? null, null);
}
/** `xchg_relaxed(&p->f, v)`: returns the old value; no ordering. */
export function xchg_relaxed(h: number, f: string, v: unknown, fn?: string): Op {
  return op(K.XCHG_RELAXED, h, f, v, 0, fn ?? null, null);
}
/** `xchg_acquire(&p->f, v)`: its read is an acquire. */
export function xchg_acquire(h: number, f: string, v: unknown, fn?: string): Op {
  return op(K.XCHG_ACQUIRE, h, f, v, 0, fn ?? null, null);
}
/** `xchg_release(&p->f, v)`: its write is a release. */
export function xchg_release(h: number, f: string, v: unknown, fn?: string): Op {
  return op(K.XCHG_RELEASE, h, f, v, 0, fn ?? null, null);
}
/** `cmpxchg_relaxed(&p->f, old, v)`: no ordering. */
export function cmpxchg_relaxed(h: number, f: string, old: unknown, v: unknown, fn?: string): Op {
  return op(K.CMPXCHG_RELAXED, h, f, v, old, fn ?? null, null);
}
/** `cmpxchg_acquire(&p->f, old, v)`: its read is an acquire. */
export function cmpxchg_acquire(h: number, f: string, old: unknown, v: unknown, fn?: string): Op {
  return op(K.CMPXCHG_ACQUIRE, h, f, v, old, fn ?? null, null);
}
/** `cmpxchg_release(&p->f, old, v)`: its write is a release. */
export function cmpxchg_release(h: number, f: string, old: unknown, v: unknown, fn?: string): Op {
  return op(K.CMPXCHG_RELEASE, h, f, v, old, fn ?? null, null);
}
/** `atomic_add_return_relaxed(d, &p->f)`: returns the new value; no ordering. */
export function atomic_add_return_relaxed(h: number, f: string, d: number, fn?: string): Op {
  return op(K.ATOMIC_ADD_RETURN_RELAXED, h, f, d, 0, fn ?? null, null);
}
/** `atomic_add_return_acquire(d, &p->f)`: its read is an acquire. */
export function atomic_add_return_acquire(h: number, f: string, d: number, fn?: string): Op {
  return op(K.ATOMIC_ADD_RETURN_ACQUIRE, h, f, d, 0, fn ?? null, null);
}
/** `atomic_add_return_release(d, &p->f)`: its write is a release. */
export function atomic_add_return_release(h: number, f: string, d: number, fn?: string): Op {
  return op(K.ATOMIC_ADD_RETURN_RELEASE, h, f, d, 0, fn ?? null, null);
}
/** `atomic_add(d, &p->f)` (and atomic_inc): no return value, no ordering. */
export function atomic_add(h: number, f: string, d: number, fn?: string): Op {
  return op(K.ATOMIC_ADD, h, f, d, 0, fn ?? null, null);
}
/** `smp_mb__before_atomic()`: a full barrier before the next non-value-returning atomic. */
export function smp_mb__before_atomic(fn?: string): Op {
  return op(K.SMP_MB_BEFORE_ATOMIC, 0, '', 0, 0, fn ?? null, null);
}
/** `smp_mb__after_atomic()`: a full barrier after the previous non-value-returning atomic. */
export function smp_mb__after_atomic(fn?: string): Op {
  return op(K.SMP_MB_AFTER_ATOMIC, 0, '', 0, 0, fn ?? null, null);
}
/** `smp_mb__after_spinlock()`: makes the spin_lock() before it a full barrier. */
export function smp_mb__after_spinlock(fn?: string): Op {
  return op(K.SMP_MB_AFTER_SPINLOCK, 0, '', 0, 0, fn ?? null, null);
}
