/**
 * Scenarios the library itself has deep-frozen. `Object.freeze` is shallow, so a frozen
 * scenario may still have a nested field changed; only a scenario frozen here, all the way
 * down, can have what is derived from it cached by identity (see `setupKey` in build.ts).
 */

const DEEP_FROZEN = new WeakSet<object>();

/** Freezes `o` and everything it holds (iteratively: no depth limit), and records each. */
export function deepFreeze<T>(o: T): T {
  if (typeof o !== 'object' || o === null) return o;
  const seen = new Set<object>();
  const todo: object[] = [o];
  while (todo.length > 0) {
    const x = todo.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    Object.freeze(x);
    DEEP_FROZEN.add(x);
    for (const v of Object.values(x)) {
      if (typeof v === 'object' && v !== null) todo.push(v as object);
    }
  }
  return o;
}

/** Whether `o` was deep-frozen by {@link deepFreeze} (so it cannot change, at any depth). */
export function isDeepFrozen(o: object): boolean {
  return DEEP_FROZEN.has(o);
}
