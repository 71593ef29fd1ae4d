/**
 * P2, list integrity, checked after every step at the points where the kernel's own
 * invariants must hold: a list is only walked while no context holds the lock that protects
 * it (a half-done list_add is legal inside the critical section).
 *
 * - with ep->lock and ep->mtx free: rdllist well formed (prev/next symmetric, no poison,
 *   no freed node, no cycle), and no scan running, so ovflist is EP_UNACTIVE_PTR, every item's
 *   `next` is EP_UNACTIVE_PTR, and `ep_is_linked(epi)` holds exactly for the items on rdllist;
 * - the ovflist chain, when active, is NULL-terminated and acyclic.
 */
import { EP_UNACTIVE_PTR, NULL } from '../../queues/arena.ts';
import { checkList, listOwners } from '../../queues/list.ts';
import type { MachineAccess } from '../../sim/context.ts';
import type { Machine, Observer } from '../../sim/machine.ts';
import type { EpKernel } from '../kernel.ts';
import { lock_is_busy } from '../../locks/busy.ts';

/** Checks one eventpoll; returns a problem or undefined. */
export function checkEventpoll(m: MachineAccess, ep: number): string | undefined {
  const o = m.arena.objs[ep]!;
  if (lock_is_busy(m, o.lock as number)) return undefined;
  const ovf = m.memory.readGlobal(ep, 'ovflist') as number;
  if (ovf !== EP_UNACTIVE_PTR) {
    // A scan is running: the chain must be NULL-terminated and acyclic.
    for (let n = 0, p = ovf; p !== NULL; n++) {
      if (n > 4096 || !m.arena.isLive(p)) {
        return `ovflist of ${m.arena.label(ep)} is not a NULL-terminated chain (at ` +
          `${m.arena.label(p)})`;
      }
      p = m.memory.readGlobal(p, 'next') as number;
    }
  }
  // rdllist is edited under ep->lock, and also under ep->mtx alone (the harvest's LT
  // re-add): walk it only when neither is held.
  // (2.6.22: the transfer holds ep->sem for reading instead, with items in transit.)
  if (lock_is_busy(m, o.mtx as number) || lock_is_busy(m, (o.sem as number | undefined) ?? 0)) {
    return undefined;
  }
  if (ovf !== EP_UNACTIVE_PTR) {
    return `ovflist of ${m.arena.label(ep)} is active (${m.arena.label(ovf)}) with no scan running`;
  }
  const bad = checkList(m, o.rdllist as number, 4096);
  if (bad !== undefined) return bad;
  // An array, not a Set: the lists are short, and this runs after most steps.
  const onList = listOwners(m, o.rdllist as number);
  for (const epi of listOwners(m, o.rbr as number)) {
    const e = m.arena.objs[epi]!;
    // Stryker disable next-line LogicalOperator: e.next is the value readGlobal returns
    if (e.next !== EP_UNACTIVE_PTR && m.memory.readGlobal(epi, 'next') !== EP_UNACTIVE_PTR) {
      return `${m.arena.label(epi)}->next is ${m.arena.label(e.next as number)} with no ` +
        'scan running';
    }
    const link = e.rdllink as number;
    const linked = m.memory.readGlobal(link, 'next') !== link;
    if (linked !== onList.includes(epi)) {
      return `${m.arena.label(epi)}: ep_is_linked() is ${linked} but it is ` +
        `${onList.includes(epi) ? '' : 'not '}on rdllist`;
    }
  }
  return undefined;
}

/** The P2 observer. */
export const listIntegrity: Observer = {
  name: 'P2-list-integrity',
  afterWritesOnly: true,
  afterStep(m: Machine): void {
    const k = m.ext.ep as EpKernel | undefined;
    if (!k) return;
    for (const ep of k.eventpolls) {
      if (!m.arena.isLive(ep)) continue;
      const bad = checkEventpoll(m, ep);
      if (bad === undefined) continue;
      m.report({ property: 'P2-list-integrity', kind: 'list-corruption', message: bad,
        ctx: -1, cpu: -1 });
      return;
    }
  },
};
