/**
 * Lockdep-lite, the checks of the context a lock operation runs in (after
 * kernel/locking/lockdep.c and kernel/sched/core.c __might_sleep() @ v6.18):
 *
 * - `irq-self-deadlock`: a hardirq spins on a lock held by the task it interrupted on its
 *   own CPU; reported the moment the IRQ's acquire cannot run, with both sites (the machine
 *   would otherwise report a bare deadlock only once everything has stopped);
 * - `sleep-in-atomic`: might_sleep()/schedule() in hardirq, with IRQs off, inside an RCU
 *   read-side critical section, or holding a spinlock or rwlock (the held-lock stack of
 *   lockdep.ts says which, and where it was taken);
 * - `irq-enable-in-hardirq`: local_irq_enable() inside a hardirq handler.
 *
 * All are P4-locking reports; none is a step.
 */
import type { Ctx } from '../sim/context.ts';
import { siteText } from './lockdep-graph.ts';
import { LD_RWLOCK, lockdep, lockdep_find } from './lockdep.ts';

/**
 * Called by a spinning op of a hardirq context whose acquire of `l` cannot run: if the task
 * it interrupted holds `l`, neither can ever run again. Reported once, at once, with both
 * sites (the machine would otherwise report a bare deadlock only when everything stops).
 */
export function lockdep_irq_spin(c: Ctx, l: number): void {
  const m = c.m;
  const ld = lockdep(m);
  if (!ld.enabled || ld.selfDeadlocked.has(c.id)) return;
  const t = m.interrupted(c);
  if (t === undefined) return;
  const held = lockdep_find(ld, t.id, l, true);
  if (held === undefined) return;
  ld.selfDeadlocked.add(c.id);
  const mine = lockdep_find(ld, c.id, l, false);
  const irqSite = mine ? siteText(mine.site) : `${c.name} (cpu${c.cpu}) at step ${m.step}`;
  m.report({
    property: 'P4-locking', kind: 'irq-self-deadlock',
    message: `deadlock: hardirq ${irqSite} spins on ${m.arena.label(l)}, held by the task ` +
      `it interrupted on cpu${c.cpu}: ${siteText(held.site)}; the task cannot release it ` +
      'until the handler returns',
    ctx: c.id, cpu: c.cpu,
    details: [`hardirq: ${irqSite}`, `holder: ${siteText(held.site)}`],
  });
}

/**
 * The atomic-context check of might_sleep() and schedule_debug(): reports `sleep-in-atomic`
 * when `c` is a hardirq, has IRQs off, or holds a spinlock or rwlock. Returns true if so.
 */
export function lockdep_sleep_check(c: Ctx, op: string): boolean {
  const m = c.m;
  const where = `${c.name} (cpu${c.cpu}) calls ${op}${c.fn === '' ? '' : ` in ${c.fn}`} ` +
    `at step ${m.step}`;
  let why: string | undefined;
  if (c.irq) why = 'in hardirq context';
  else if (m.irqDisabled(c.cpu) !== 0) why = 'with interrupts disabled';
  // Non-preemptible RCU: rcu_read_lock() disables preemption, so a reader must not sleep.
  else if (m.rcu.depthOf(c.id) > 0) why = 'inside an RCU read-side critical section';
  else {
    const ld = lockdep(m);
    const st = ld.enabled ? ld.stacks[c.id] : undefined;
    for (let i = 0; st !== undefined && i < st.depth; i++) {
      const e = st.e[i]!;
      if (e.acquired && e.kind <= LD_RWLOCK) {
        why = `while holding ${e.cls.key}, taken by ${siteText(e.site)}`;
        break;
      }
    }
  }
  if (why === undefined) return false;
  m.report({
    property: 'P4-locking', kind: 'sleep-in-atomic',
    message: `BUG: sleeping function called from invalid context: ${where} ${why}`,
    ctx: c.id, cpu: c.cpu,
  });
  return true;
}

/** local_irq_enable() inside a hardirq handler (lockdep's DEBUG_LOCKS_WARN_ON). */
export function lockdep_irq_enable_in_hardirq(c: Ctx): void {
  c.m.report({
    property: 'P4-locking', kind: 'irq-enable-in-hardirq',
    message: `${c.name} (cpu${c.cpu}) enables interrupts inside a hardirq handler` +
      `${c.fn === '' ? '' : ` (${c.fn})`} at step ${c.m.step}`,
    ctx: c.id, cpu: c.cpu,
  });
}
