/**
 * Helpers shared by the custom ops of `src/locks`.
 *
 * The machine checks the pointer of every built-in op (load, store, cmpxchg...) but not of a
 * custom op, whose `exec` reads and writes the arena itself. Every custom op that touches a
 * lock word therefore calls {@link checkLive} first, so a lock operation on a freed object
 * (the late `raw_spin_lock(&lock->wait_lock)` of a mutex unlock, bug B15) is reported as the
 * use-after-free it is, naming the site that freed the object.
 *
 * A custom op's `enabled` must answer true for a freed object (see {@link deadOrFree}), so
 * the op runs and reports instead of spinning forever on stale memory.
 */
import type { Ctx, MachineAccess } from '../sim/context.ts';

/** Faults with a P3 use-after-free (or bad-pointer) when `h` is not a live object. */
export function checkLive(m: MachineAccess, c: Ctx, h: number, fn: string, f: string): void {
  if (m.arena.isLive(h)) return;
  const why = m.arena.badAccess(h) ?? 'bad pointer';
  const kind = why.startsWith('use-after-free') ? 'use-after-free' : 'bad-pointer';
  m.fault(c, 'P3-memory-safety', kind, `${c.name} in ${fn}: access to .${f}: ${why}`);
}

/** True when `h` is not a live object: a custom op must then run (and fault) at once. */
export function deadOrFree(m: MachineAccess, h: number): boolean {
  return !m.arena.isLive(h);
}

/** The name of the context with id `id`, or `?` (for messages only). */
export function ctxName(m: MachineAccess, id: number): string {
  if (id < 0) return 'nobody';
  return m.contexts()[id]?.name ?? `ctx${id}`;
}
