/**
 * P1, lost wakeup: at quiescence (nothing can run, no IRQ, timer, signal or store-buffer
 * write-back left) no task may be asleep in epoll_wait on a set that holds a deliverable
 * event. A sleeping waiter with a timeout cannot be at quiescence (its timer is pending), so
 * this is the "asleep forever" case.
 */
import { SLEEPING } from '../../sim/context.ts';
import type { Machine, Observer } from '../../sim/machine.ts';
import { setDeliverable } from './deliverable.ts';

/** The P1 observer. */
export const lostWakeup: Observer = {
  name: 'P1-lost-wakeup',
  atEnd(m: Machine, quiescent: boolean): void {
    if (!quiescent) return;
    for (const c of m.contexts()) {
      const ep = c.local.waitingOn as number | undefined;
      if (c.status !== SLEEPING || ep === undefined) continue;
      const why = setDeliverable(m, ep);
      if (why === undefined) continue;
      m.report({
        property: 'P1-lost-wakeup', kind: 'lost-wakeup',
        message: `${c.name} sleeps forever in epoll_wait on ${m.arena.label(ep)} although ${why}`,
        ctx: c.id, cpu: c.cpu,
      });
      return;
    }
  },
};
