/**
 * RCU (include/linux/rcupdate.h, kernel/rcu/tree.c @ v6.18, non-preemptible flavour):
 * read-side critical sections, call_rcu(), kfree_rcu() and synchronize_rcu() over the
 * machine's grace periods (sim/rcu.ts). A grace period ends as a scheduler choice once every
 * context that was inside a read-side section when it started has left it; a callback (here
 * always the free of one object) runs at the end of the grace period it was queued behind.
 * An access after that is a use-after-free by the arena's poisoning (P3); an access before
 * it, by a reader that was inside when the object was queued, is legal.
 *
 * rcu_read_lock()/rcu_read_unlock() are CPU-local (preempt_disable): no shared access, so
 * no step. A read-side section must not sleep (schedule() and might_sleep() report it as
 * sleep-in-atomic, lockdep-context.ts). Only rcu_read_lock() sections are readers: since
 * the flavour consolidation (v4.20) the kernel also waits for preempt-disabled regions
 * (a spinlock held, IRQs off, a hardirq), which the model does not count. Not modelled
 * either: expedited grace periods, callback batching, SRCU, and `SLAB_TYPESAFE_BY_RCU`
 * (its users free with a grace period).
 */
import type { Ctx, MachineAccess } from '../sim/context.ts';
import { custom, type CustomOp, type Model } from '../sim/op.ts';

/**
 * A full barrier on `cpu` made by RCU itself, not by the code running there (a quiescent
 * state's report): the store buffer written back, or under lkmm the CPU's views joined.
 */
function rcu_full_barrier(m: MachineAccess, cpu: number): void {
  const lk = m.memory.lk;
  if (lk !== null) lk.fence(cpu);
  else m.memory.drain(cpu);
}

/** A grace period that ends at once: every CPU passes a quiescent state now. */
function rcu_gp_at_once(m: MachineAccess): void {
  for (let cpu = 0; cpu < m.ncpu; cpu++) rcu_full_barrier(m, cpu);
}

/**
 * `rcu_read_lock()`. Entering during a grace period that does not wait for this context
 * means its CPU passed its quiescent state first, with a full barrier (sim/rcu.ts).
 */
export function rcu_read_lock(c: Ctx): void {
  if (c.m.rcu.enter(c.id)) rcu_full_barrier(c.m, c.cpu);
}

/** `rcu_read_unlock()`: leaving the outermost section is the context's quiescent state. */
export function rcu_read_unlock(c: Ctx): void {
  if (!c.m.rcu.exit(c.id)) {
    c.m.fault(c, 'P4-locking', 'rcu-unbalanced',
      `${c.name} (cpu${c.cpu}) calls rcu_read_unlock() outside a read-side critical section` +
      `${c.fn === '' ? '' : ` in ${c.fn}`} at step ${c.m.step}`);
  }
}

/**
 * `call_rcu(head, func)` where `func` frees the object `h` (as epi_rcu_free does): the free
 * runs after a grace period; at once when no reader is inside (see sim/rcu.ts).
 */
export function call_rcu(c: Ctx, h: number, func: string, fn = c.fn): void {
  const gp = c.m.rcu.need();
  if (gp === 0) {
    c.m.note(c, `${func}(${c.m.arena.label(h)}): no RCU reader inside, freed at once`);
    rcu_gp_at_once(c.m);
    c.m.free(c, h, fn);
    return;
  }
  c.m.rcu.queue({ gp, h, func, fn, ctx: c.id, step: c.m.step });
  c.m.note(c, `${func}(${c.m.arena.label(h)}) waits for grace period ${gp}`);
}

/** `kfree_rcu(ptr, rhf)`: kfree(ptr) after a grace period. `fn` names the caller. */
export function kfree_rcu(c: Ctx, h: number, fn = c.fn): void {
  call_rcu(c, h, 'kfree_rcu', fn);
}

const SYNCHRONIZE_RCU: CustomOp = {
  name: 'synchronize_rcu',
  // A full barrier, then read every context's read-side depth (and maybe start a grace
  // period); with no reader inside, the grace period is over at once.
  exec: (m, c) => {
    rcu_full_barrier(m, c.cpu);
    const gp = m.rcu.need();
    if (gp === 0) rcu_gp_at_once(m);
    return gp;
  },
};

const SYNCHRONIZE_RCU_WAIT: CustomOp = {
  name: 'synchronize_rcu (grace period over)',
  enabled: (m, _c, op) => m.rcu.completed >= (op.v as number),
  // The grace period's end made every CPU's barrier; this is the caller's own smp_mb().
  exec: (m, c) => {
    rcu_full_barrier(m, c.cpu);
    return 0;
  },
  waitReason: (m, _c, op) => `waiting in synchronize_rcu for grace period ${op.v as number}` +
    ` (readers still inside: ${m.rcu.waiting.map((id) => m.contexts()[id]!.name).join(', ')
      || 'none; its end is a choice'})`,
};

/**
 * `synchronize_rcu()`: returns once every reader inside at the call has left (a grace
 * period ended). One step when none is inside; otherwise a second step, enabled once the
 * grace period is over. Inside a read-side section it could never return: reported (P4).
 */
export function* synchronize_rcu(c: Ctx): Model<void> {
  if (c.m.rcu.depthOf(c.id) > 0) {
    c.m.fault(c, 'P4-locking', 'sleep-in-atomic',
      `Illegal synchronize_rcu() in RCU read-side critical section: ${c.name} (cpu${c.cpu})` +
      `${c.fn === '' ? '' : ` in ${c.fn}`} at step ${c.m.step}`);
  }
  const gp = (yield custom(SYNCHRONIZE_RCU, 0, 0, 0, 'synchronize_rcu')) as number;
  if (gp !== 0) yield custom(SYNCHRONIZE_RCU_WAIT, 0, gp, 0, 'synchronize_rcu');
}
