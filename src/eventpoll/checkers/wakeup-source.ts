/**
 * P6, EPOLLWAKEUP: while an item with a wakeup source is queued (on rdllist or chained on
 * ovflist, or, in the wfcqueue RFC variants, in state EP_STATE_READY: queued or in transit),
 * its own source or the set's source is active, so the system cannot suspend with an event
 * pending. Checked after steps where `ep->lock` is free.
 */
import { listOwners } from '../../queues/list.ts';
import type { Machine, Observer } from '../../sim/machine.ts';
import type { EpKernel } from '../kernel.ts';
import { lock_is_busy } from '../../locks/busy.ts';
import { itemQueued } from './queued.ts';


function active(m: Machine, ws: number): boolean {
  return ws !== 0 && m.arena.isLive(ws) && m.memory.readGlobal(ws, 'active') === 1;
}

/** The P6 observer. */
export const wakeupSources: Observer = {
  name: 'P6-wakeup-source',
  afterWritesOnly: true,
  afterStep(m: Machine): void {
    const k = m.ext.ep as EpKernel | undefined;
    if (!k) return;
    for (const ep of k.eventpolls) {
      if (!m.arena.isLive(ep)) continue;
      const o = m.arena.objs[ep]!;
      if (o.ws === 0 || lock_is_busy(m, o.lock as number)) continue;
      for (const epi of listOwners(m, o.rbr as number)) {
        const e = m.arena.objs[epi]!;
        if (e.ws === 0) continue;
        if (!itemQueued(m, epi) || active(m, e.ws as number) || active(m, o.ws as number)) continue;
        m.report({ property: 'P6-wakeup-source', kind: 'no-wakeup-source',
          message: `${m.arena.label(epi)} is queued but neither its wakeup source nor ` +
            `${m.arena.label(ep)}'s is active: the system could suspend with it pending`,
          ctx: -1, cpu: -1 });
        return;
      }
    }
  },
};
