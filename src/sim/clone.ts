/**
 * A structural deep copy of simulation state, for starting many machines from one prepared
 * state (see Machine.snapshotSetup). It copies arrays, Maps, Sets, typed arrays, plain
 * objects and class instances (keeping their prototype), preserves sharing and cycles, and
 * shares what must not be copied: functions, frozen objects and whatever `memo` already
 * maps (the caller seeds it with old machine -> new machine and the like).
 *
 * Not a general-purpose clone: a generator (a running model context) cannot be copied, and
 * is refused with an error naming the problem.
 */

/**
 * A class may copy itself faster than the generic walk: `[CLONE](memo)` returns the copy
 * and records every object it copied in `memo` (so sharing with the rest is kept).
 */
export const CLONE: unique symbol = Symbol('cloneState');

/** An object that copies itself (see {@link CLONE}). */
export interface SelfCloning {
  [CLONE](memo: Map<object, unknown>): object;
}

/**
 * Like {@link CLONE}, for a class whose hand-written copy only the fast engine uses (see
 * engine.ts): the baseline engine keeps the generic walk it had, for the bench to compare.
 */
export const CLONE_FAST: unique symbol = Symbol('cloneStateFast');

/** An object with a fast-engine copy (see {@link CLONE_FAST}). */
export interface FastCloning {
  [CLONE_FAST](memo: Map<object, unknown>): object;
}

/** {@link cloneState}, using a top-level object's {@link CLONE_FAST} copy when it has one. */
export function cloneStateFast<T>(v: T, memo: Map<object, unknown>): T {
  if (typeof v !== 'object' || v === null) return v;
  const seen = memo.get(v);
  if (seen !== undefined) return seen as T;
  const f = (v as Partial<FastCloning>)[CLONE_FAST];
  if (typeof f === 'function') return f.call(v, memo) as T;
  return copyObject(v as object, memo) as T;
}

/** Copies `v`; `memo` maps originals to copies (pre-seed it to substitute or share). */
export function cloneState<T>(v: T, memo: Map<object, unknown>): T {
  if (typeof v !== 'object' || v === null) return v;
  return copyObject(v as object, memo) as T;
}

function copyObject(o: object, memo: Map<object, unknown>): unknown {
  const seen = memo.get(o);
  if (seen !== undefined) return seen;
  if (Object.isFrozen(o)) return o;
  const proto = Object.getPrototypeOf(o) as object | null;
  let c: Record<string, unknown>;
  if (proto === Object.prototype) {
    // Spread copies every field in one go, keeping the shape; nested objects follow.
    c = { ...o } as Record<string, unknown>;
  } else if (Array.isArray(o)) {
    const a: unknown[] = o.slice();
    memo.set(o, a);
    for (let i = 0; i < a.length; i++) {
      const x: unknown = a[i];
      if (typeof x === 'object' && x !== null) a[i] = copyObject(x, memo);
    }
    return a;
  } else if (o instanceof Map) {
    const m = new Map();
    memo.set(o, m);
    o.forEach((x: unknown, k: unknown) => m.set(cloneState(k, memo), cloneState(x, memo)));
    return m;
  } else if (o instanceof Set) {
    const s = new Set();
    memo.set(o, s);
    o.forEach((x: unknown) => s.add(cloneState(x, memo)));
    return s;
  } else if (ArrayBuffer.isView(o)) {
    const t = (o as unknown as { slice(): object }).slice();
    memo.set(o, t);
    return t;
  } else if (typeof (o as Partial<SelfCloning>)[CLONE] === 'function') {
    return (o as SelfCloning)[CLONE](memo);
  } else {
    const tag = Object.prototype.toString.call(o);
    if (tag === '[object Generator]' || tag === '[object Promise]' ||
      tag === '[object WeakMap]' || tag === '[object WeakSet]') {
      throw new TypeError(`cloneState: cannot copy a ${tag.slice(8, -1)} (state that holds a ` +
        'running context or weak references cannot be prepared once and reused)');
    }
    c = Object.assign(Object.create(proto) as object, o) as Record<string, unknown>;
  }
  memo.set(o, c);
  const keys = Object.keys(c);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const x = c[k];
    if (typeof x === 'object' && x !== null) c[k] = copyObject(x, memo);
  }
  return c;
}
