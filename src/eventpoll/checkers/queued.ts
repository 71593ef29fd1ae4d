/**
 * Whether an item is queued, for the checkers: on rdllist or a harvester's list (its
 * `rdllink` in use), chained on `ovflist` (`next` set), or READY (the wfcqueue RFC, whose
 * items have a wfcq node instead of an rdllink; `state` stays 0 in every other variant).
 * One definition for P5's spurious queueing, P6 and the readiness of a nested set.
 */
import { EP_UNACTIVE_PTR } from '../../queues/arena.ts';
import type { MachineAccess } from '../../sim/context.ts';

/** The wfcqueue RFC's `EP_STATE_READY` (an item in the wait-free ready queue). */
export const EP_STATE_READY = 1;

/**
 * Whether `epi` is queued, in global memory, or as seen from `cpu` (its own store buffer
 * included) when one is given. A freed item is not.
 */
export function itemQueued(m: MachineAccess, epi: number, cpu = -1): boolean {
  if (!m.arena.isLive(epi)) return false;
  const mem = m.memory;
  const read = (h: number, f: string): unknown =>
    cpu < 0 ? mem.readGlobal(h, f) : mem.read(cpu, h, f);
  const link = m.arena.objs[epi]!.rdllink as number;
  return (link > 0 && m.arena.isLive(link) && read(link, 'next') !== link) ||
    read(epi, 'next') !== EP_UNACTIVE_PTR || read(epi, 'state') === EP_STATE_READY;
}
