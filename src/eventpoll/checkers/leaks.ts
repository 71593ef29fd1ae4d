/**
 * P3, memory safety at the end of a run: once every file is closed, no eventpoll, epitem,
 * eppoll_entry or wakeup source may be left (a leak). Use-after-free and double free are
 * caught by the machine at the access itself.
 */
import type { Machine, Observer } from '../../sim/machine.ts';

/** The P3 leak observer. */
export const leaks: Observer = {
  name: 'P3-leaks',
  atEnd(m: Machine): void {
    if (m.arena.live('file').length > 0) return;
    for (const kind of ['eventpoll', 'epitem', 'eppoll_entry', 'wakeup_source']) {
      const left = m.arena.live(kind);
      if (left.length === 0) continue;
      m.report({ property: 'P3-memory-safety', kind: 'leak',
        message: `every file is closed but ${left.length} ${kind} object(s) remain: ` +
          left.slice(0, 4).map((h) => m.arena.label(h)).join(', '), ctx: -1, cpu: -1 });
      return;
    }
  },
};
