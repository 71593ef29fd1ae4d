/**
 * P1, lost wakeup: at quiescence (nothing can run, no IRQ, timer, signal or store-buffer
 * write-back left) no task may be asleep in epoll_wait on a set that holds a deliverable
 * event, nor asleep in poll(2) on a file that is ready for what it polls for. A sleeping
 * waiter with a timeout cannot be at quiescence (its timer is pending), so
 * this is the "asleep forever" case.
 */
import { SLEEPING } from '../../sim/context.ts';
import type { Machine, Observer } from '../../sim/machine.ts';
import { fileReady, setDeliverable } from './deliverable.ts';

/** The P1 observer. */
export const lostWakeup: Observer = {
  name: 'P1-lost-wakeup',
  atEnd(m: Machine, quiescent: boolean): void {
    if (!quiescent) return;
    for (const c of m.contexts()) {
      if (c.status !== SLEEPING) continue;
      const file = c.local.pollingOn as number | undefined;
      if (file !== undefined) {
        const ready = fileReady(m, file) & (c.local.pollingFor as number);
        if (ready === 0) continue;
        m.report({
          property: 'P1-lost-wakeup', kind: 'lost-wakeup',
          message: `${c.name} sleeps forever in poll() on ${m.arena.label(file)} although ` +
            `it is ready (mask 0x${ready.toString(16)})`,
          ctx: c.id, cpu: c.cpu,
        });
        return;
      }
      const ep = c.local.waitingOn as number | undefined;
      if (ep === undefined) continue;
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
