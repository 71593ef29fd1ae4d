/**
 * "Deliverable": does a set hold an event that a waiter must get? The ghost definition used
 * by the lost-wakeup property (P1), read from global memory at quiescence.
 *
 * An armed item (its mask still has poll bits) whose file is ready for its mask is
 * deliverable when it is level-triggered, or when its file issued a wakeup after the item
 * was last harvested (ET/ONESHOT: "one report per wakeup"). EXCLUSIVE items share their
 * file's wakeups: a wakeup is owed to "at least one" exclusive set, so it counts as
 * delivered once any exclusive item of that file harvested after it.
 */
import type { MachineAccess } from '../../sim/context.ts';
import { listOwners } from '../../queues/list.ts';
import { fops } from '../file.ts';
import { epollReadyMask } from '../syscalls.ts';
import { EP_PRIVATE_BITS, EPOLLET, EPOLLEXCLUSIVE, EPOLLONESHOT } from '../uapi.ts';

/** Readiness of a watched file now (global memory). */
export function fileReady(m: MachineAccess, file: number): number {
  if (!m.arena.isLive(file)) return 0;
  if (m.arena.objs[file]!.f_op === 'eventpoll') return epollReadyMask(m, file);
  return fops(m, file).readyMask(m, file);
}

/** The highest harvest mark among the EXCLUSIVE items watching `file`. */
function exclusiveConsumed(m: MachineAccess, file: number): number {
  let best = 0;
  for (const epi of listOwners(m, m.arena.objs[file]!.f_ep as number)) {
    const o = m.arena.objs[epi]!;
    if ((o.events as number) & EPOLLEXCLUSIVE) best = Math.max(best, o.g_consumed as number);
  }
  return best;
}

/** Why `epi` holds a deliverable event, or undefined when it does not. */
export function deliverable(m: MachineAccess, epi: number): string | undefined {
  const o = m.arena.objs[epi]!;
  const events = o.events as number;
  if (!(events & ~EP_PRIVATE_BITS)) return undefined;
  const file = o.ffd_file as number;
  const ready = fileReady(m, file) & events & ~EP_PRIVATE_BITS;
  if (!ready) return undefined;
  const label = m.arena.label(epi);
  const edges = m.arena.objs[file]!.g_edges as number;
  if (events & EPOLLEXCLUSIVE) {
    return edges > exclusiveConsumed(m, file)
      ? `EXCLUSIVE ${label} is ready and no exclusive set harvested its last wakeup`
      : undefined;
  }
  if (events & (EPOLLET | EPOLLONESHOT)) {
    return edges > (o.g_consumed as number)
      ? `${label} (${events & EPOLLONESHOT ? 'ONESHOT' : 'ET'}) has an undelivered wakeup`
      : undefined;
  }
  return `LT ${label} is ready`;
}

/** The first deliverable item of a set, as a reason, or undefined. */
export function setDeliverable(m: MachineAccess, ep: number): string | undefined {
  if (!m.arena.isLive(ep)) return undefined;
  for (const epi of listOwners(m, m.arena.objs[ep]!.rbr as number)) {
    const why = deliverable(m, epi);
    if (why !== undefined) return why;
  }
  return undefined;
}
