/**
 * fs/eventpoll.c: the `ep->ovflist` chain. While ep_scan_ready_list() / ep_start_scan() has
 * stolen `rdllist` to copy events to user space without `ep->lock`, ep_poll_callback() chains
 * newly ready items here instead (singly linked through `epi->next`, newest first, NULL
 * terminated); ep_done_scan() moves them back. `ep->ovflist == EP_UNACTIVE_PTR` means no
 * scan is running; `epi->next == EP_UNACTIVE_PTR` means the item is not chained.
 *
 * Variants covered:
 * - {@link chain_epi_lockless}: v5.1 to v6.17 (a218cc491420), under the *read* side of the
 *   rwlock, so several CPUs chain at once: cmpxchg claims the item, xchg swaps the chain head.
 *   With `precheck` it first does the plain `epi->next != EP_UNACTIVE_PTR` read that
 *   0c54a6a44bf3 (v5.7) moved into the function ("Fast preliminary check"); 5.1 to 5.6 did
 *   the same read at the call site in ep_poll_callback(), so `precheck` models both.
 * - {@link chain_epi_locked}: the inline code of ep_poll_callback() under a spinlock, in the
 *   classic kernels (up to v5.0: plain accesses) and in mainline v6.18 (READ_ONCE/WRITE_ONCE
 *   on `ep->ovflist`).
 *
 * The object and field names are parameters so the eventpoll layer can lay its objects out as
 * it likes; the defaults are the kernel's (`ep->ovflist`, `epi->next`).
 *
 * CONTRACT: the locked variant needs `ep->lock` held; the lockless one the read side of it
 * (the write side, in ep_start_scan()/ep_done_scan(), excludes every lockless chainer).
 */
import type { Ctx, MachineAccess } from '../sim/context.ts';
import { cmpxchg, load, READ_ONCE, store, WRITE_ONCE, xchg } from '../sim/mem.ts';
import type { Model } from '../sim/op.ts';
import { EP_UNACTIVE_PTR, NULL } from './arena.ts';

/** Where the chain lives: the field of the eventpoll holding the head and the link field. */
export interface OvflistFields {
  /** The field of `struct eventpoll` holding the chain head (kernel: `ovflist`). */
  readonly ovflist: string;
  /** The field of `struct epitem` linking the chain (kernel: `next`). */
  readonly next: string;
}

/** The kernel's field names. */
export const OVFLIST_FIELDS: OvflistFields = { ovflist: 'ovflist', next: 'next' };

const LOCKLESS_FN = 'chain_epi_lockless';

/**
 * fs/eventpoll.c (v5.1 to v6.17): chain_epi_lockless(). Chains `epi` at the head of
 * `ep->ovflist`; returns false when it is already chained (or another CPU won the race).
 *
 * @param precheck - do the plain `epi->next` pre-check first (v5.7+, see the file header).
 */
export function* chain_epi_lockless(_c: Ctx, ep: number, epi: number, precheck = false,
  f: OvflistFields = OVFLIST_FIELDS): Model<boolean> {
  if (precheck) {
    // "Fast preliminary check": a plain read, so it may be stale; the cmpxchg decides.
    const next: number = yield load(epi, f.next, LOCKLESS_FN);
    if (next !== EP_UNACTIVE_PTR) return false;
  }
  // "Check that the same epi has not been just chained from another CPU": NULL marks the
  // item as claimed before it is reachable from the chain.
  const old: number = yield cmpxchg(epi, f.next, EP_UNACTIVE_PTR, NULL, LOCKLESS_FN);
  if (old !== EP_UNACTIVE_PTR) return false;
  // "Atomically exchange tail" (the kernel comment's word; it is the head of the chain).
  // Until the next store lands, the chain ends at `epi`: the older items are reachable only
  // through this CPU's local `prev`, which is why ep_done_scan() needs the write lock.
  const prev: number = yield xchg(ep, f.ovflist, epi, LOCKLESS_FN);
  yield store(epi, f.next, prev, LOCKLESS_FN);
  return true;
}

/**
 * The ovflist branch of ep_poll_callback() under a spinlock: classic kernels up to v5.0
 * (`epi->next = ep->ovflist; ep->ovflist = epi;`, plain) or, with `once`, mainline v6.18
 * (`epi->next = READ_ONCE(ep->ovflist); WRITE_ONCE(ep->ovflist, epi);`). Returns whether it
 * chained `epi`. The caller holds `ep->lock` and has seen `ep->ovflist != EP_UNACTIVE_PTR`.
 */
export function* chain_epi_locked(_c: Ctx, ep: number, epi: number, once = false,
  f: OvflistFields = OVFLIST_FIELDS, fn = 'ep_poll_callback'): Model<boolean> {
  const next: number = yield load(epi, f.next, fn);
  if (next !== EP_UNACTIVE_PTR) return false;
  const head: number = yield (once ? READ_ONCE(ep, f.ovflist, fn) : load(ep, f.ovflist, fn));
  yield store(epi, f.next, head, fn);
  yield (once ? WRITE_ONCE(ep, f.ovflist, epi, fn) : store(ep, f.ovflist, epi, fn));
  return true;
}

/**
 * Checks the chain in global memory (for observers; not a model step). Returns a description
 * of the first problem, or undefined when `ep->ovflist` is EP_UNACTIVE_PTR (no scan) or the
 * chain is well formed: every link a live object, no chained item whose `next` is
 * EP_UNACTIVE_PTR, NULL terminated, and no cycle (a walk longer than the number of objects in
 * the arena, or than `max`, is one; an item chained twice is a cycle too).
 *
 * Do not call it while ep_done_scan() drains the chain: the kernel writes EP_UNACTIVE_PTR
 * into each item it takes while `ep->ovflist` still names the first one, which this checker
 * would report. The drain runs under the write side of `ep->lock`, so the eventpoll layer
 * knows when to skip it.
 */
export function checkOvflist(m: MachineAccess, ep: number, max = 10_000,
  f: OvflistFields = OVFLIST_FIELDS): string | undefined {
  const a = m.arena;
  if (!a.isLive(ep)) return `ovflist: eventpoll ${a.label(ep)}: ${a.badAccess(ep)}`;
  const first = m.memory.readGlobal(ep, f.ovflist) as number;
  if (first === EP_UNACTIVE_PTR) return undefined;
  const bound = Math.min(max, a.objs.length);
  let prev = ep;
  let pos = first;
  for (let i = 0; pos !== NULL; i++) {
    const from = i === 0 ? `${a.label(ep)}->${f.ovflist}` : `${a.label(prev)}->${f.next}`;
    if (!a.isLive(pos)) return `ovflist of ${a.label(ep)}: ${from}: ${a.badAccess(pos)}`;
    if (i >= bound) {
      return `ovflist of ${a.label(ep)}: not NULL terminated after ${bound} items (a cycle)`;
    }
    const next = m.memory.readGlobal(pos, f.next) as number;
    if (next === EP_UNACTIVE_PTR) {
      return `ovflist of ${a.label(ep)}: ${a.label(pos)} is chained (item ${i}) but its ` +
        `${f.next} is EP_UNACTIVE_PTR`;
    }
    prev = pos;
    pos = next;
  }
  return undefined;
}

/**
 * The items on the chain, newest first, from global memory (for observers and tests).
 * Empty when the chain is inactive; stops at the first bad link or after `max` items.
 */
export function ovflistItems(m: MachineAccess, ep: number, max = 10_000,
  f: OvflistFields = OVFLIST_FIELDS): number[] {
  const out: number[] = [];
  let pos = m.memory.readGlobal(ep, f.ovflist) as number;
  if (pos === EP_UNACTIVE_PTR) return out;
  while (pos !== NULL && out.length < max && m.arena.isLive(pos)) {
    out.push(pos);
    pos = m.memory.readGlobal(pos, f.next) as number;
  }
  return out;
}
