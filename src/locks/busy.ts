/**
 * Whether a lock of any kind is held, read from global memory, for observers that may only
 * walk a structure while nobody holds the lock protecting it. A spinlock whose release is
 * still in a store buffer counts as held.
 */
import type { MachineAccess } from '../sim/context.ts';

/** True while lock `l` (spinlock, rwlock, mutex or rw_semaphore) is held by anyone. */
export function lock_is_busy(m: MachineAccess, l: number): boolean {
  // Stryker disable next-line ConditionalExpression: isLive(0) is false, `l === 0` only saves work
  if (l === 0 || !m.arena.isLive(l)) return false;
  const o = m.arena.objs[l]!;
  switch (o.kind) {
    case 'spinlock': return o.locked !== 0 ||
      // Stryker disable next-line ConditionalExpression: owner is set only while the word is 1
      o.owner !== -1;
    case 'rwlock': return o.cnts !== 0 || o.wlocked !== 0;
    case 'mutex': return o.owner !== 0;
    case 'rw_semaphore': return o.activity !== 0;
    default: throw new Error(`lock_is_busy: ${m.arena.label(l)} is a ${o.kind}, not a lock`);
  }
}
