/**
 * The kernel objects of fs/eventpoll.c (v6.18 field names), allocated in the arena.
 *
 * struct eventpoll  { lock, mtx, wq, poll_wait, rdllist, ovflist, ws, file, rbr, refs,
 *                     gen, loop_check_depth, nests, refcount }
 * struct epitem     { rdllink, next, ffd_file, ffd_fd, nwait, pwqlist, ep, fllink, ws,
 *                     events, data, dying, rbn }
 * struct eppoll_entry { next, base, wait, whead }
 *
 * Lists the kernel keeps in an rb-tree (`ep->rbr`) or an hlist (`file->f_ep`, `ep->refs`)
 * are modelled as list_heads: they are only walked under `ep->mtx` / `file->f_lock`, so
 * their shape does not change what interleavings exist, and a list keeps the state a tree.
 * The rb-tree's order (by file pointer, then fd) is kept by inserting in that order.
 *
 * Ghost fields (prefixed `g_`) are not kernel state: the property checkers use them to
 * know what should have happened (see ghost.ts). Model code never reads them.
 */
import { EP_UNACTIVE_PTR, NULL } from '../queues/arena.ts';
import { list_head_alloc } from '../queues/list.ts';
import type { MachineAccess } from '../sim/context.ts';
import { POINTER_FIELDS } from '../sim/context.ts';

for (const f of ['ovflist', 'ep', 'base', 'whead', 'pwqlist', 'ffd_file', 'private_data',
  'rdllink', 'private']) POINTER_FIELDS.add(f);

/** A `struct eventpoll` handle. */
export type EventpollRef = number;
/** A `struct epitem` handle. */
export type EpitemRef = number;
/** A `struct file` handle. */
export type FileRef = number;

/** Handles of an eventpoll's embedded objects, filled by the variant's allocator. */
export interface EventpollInit {
  lock: number;
  mtx: number;
  wq: number;
  poll_wait: number;
}

/** ep_alloc(): a new eventpoll with its lists empty and no scan running. */
export function alloc_eventpoll(m: MachineAccess, label: string, init: EventpollInit):
EventpollRef {
  const ep = m.alloc('eventpoll', {
    lock: init.lock, mtx: init.mtx, wq: init.wq, poll_wait: init.poll_wait,
    rdllist: 0, ovflist: EP_UNACTIVE_PTR, ws: 0, file: 0, rbr: 0, refs: 0,
    gen: 0, loop_check_depth: 0, nests: 0, refcount: 1, visited: 0,
    // wfcqueue variant fields (unused elsewhere).
    txlhead: 0, rdlhead: 0,
  }, label);
  const o = m.arena.objs[ep]!;
  // Members of struct eventpoll: kfree(ep) frees them (a use through an alias is P3).
  for (const member of [init.lock, init.mtx, init.wq, init.poll_wait]) m.arena.embed(member, ep);
  o.rdllist = list_head_alloc(m, ep, `${label}.rdllist`);
  o.rbr = list_head_alloc(m, ep, `${label}.rbr`);
  o.refs = list_head_alloc(m, ep, `${label}.refs`);
  return ep;
}

/** The epitem fields set at allocation (ep_insert before it is published). */
export interface EpitemInit {
  ep: EventpollRef;
  file: FileRef;
  fd: number;
  events: number;
  data: number;
}

/** Allocates an epitem: rdllink empty, `next` = EP_UNACTIVE_PTR (not on ovflist). */
export function alloc_epitem(m: MachineAccess, label: string, init: EpitemInit): EpitemRef {
  const epi = m.alloc('epitem', {
    rdllink: 0, next: EP_UNACTIVE_PTR, ffd_file: init.file, ffd_fd: init.fd, nwait: 0,
    pwqlist: NULL, ep: init.ep, fllink: 0, rbn: 0, ws: 0, events: init.events >>> 0 | 0,
    data: init.data, dying: 0, state: 0,
    // Ghost fields for the checkers (never read by model code).
    g_consumed: 0, g_arm: 0, g_armDelivered: 0,
  }, label);
  const o = m.arena.objs[epi]!;
  o.rdllink = list_head_alloc(m, epi, `${label}.rdllink`);
  o.fllink = list_head_alloc(m, epi, `${label}.fllink`);
  o.rbn = list_head_alloc(m, epi, `${label}.rbn`);
  return epi;
}

/** Reads a field of an object from global memory, for checkers and setup code only. */
export function peek(m: MachineAccess, h: number, f: string): number {
  return m.memory.readGlobal(h, f) as number;
}
