/**
 * A minimal RCU (kernel/rcu, include/linux/rcupdate.h @ v6.18): read-side critical sections
 * and synchronize_rcu(), only as far as the POLLFREE teardown needs them. Not a model of
 * grace periods, callbacks (call_rcu, kfree_rcu: still immediate) or of where quiescent
 * states fall; see docs/fidelity.md.
 *
 * rcu_read_lock()/rcu_read_unlock() are a per-context nesting count (CPU-local in the
 * kernel: no shared access, so no step). synchronize_rcu() waits, as one step, until no
 * other context is inside a read-side section. That is stronger than a grace period, which
 * only waits for the readers that began before it: no reader is ever cut short, and a
 * reader that keeps re-entering could delay it forever (none does).
 */
import type { Ctx, MachineAccess } from '../sim/context.ts';
import { custom, type CustomOp, type Model } from '../sim/op.ts';

/** `rcu_read_lock()`. */
export function rcu_read_lock(c: Ctx): void {
  c.local.rcuDepth = ((c.local.rcuDepth as number | undefined) ?? 0) + 1;
}

/** `rcu_read_unlock()`. */
export function rcu_read_unlock(c: Ctx): void {
  c.local.rcuDepth = ((c.local.rcuDepth as number | undefined) ?? 1) - 1;
}

function readersBesides(m: MachineAccess, c: Ctx): string[] {
  return m.contexts().filter((x) => x !== c && ((x.local.rcuDepth as number | undefined)
    ?? 0) > 0).map((x) => x.name);
}

const SYNCHRONIZE_RCU: CustomOp = {
  name: 'synchronize_rcu',
  enabled: (m, c) => readersBesides(m, c).length === 0,
  exec: () => 0,
  waitReason: (m, c) => `waiting in synchronize_rcu for ${readersBesides(m, c).join(', ')}`,
};

/** `synchronize_rcu()`: returns once no other context is in a read-side section. */
export function* synchronize_rcu(c: Ctx): Model<void> {
  yield custom(SYNCHRONIZE_RCU, 0, 0, 0, 'synchronize_rcu');
}
