/**
 * A plain-data picture of the simulated kernel at one moment, for the failure viewer: the
 * arena (every object's fields, labels, poison marks and where freed objects were freed),
 * the CPUs, contexts and store buffers, and the kernel objects as a developer pictures them
 * (each eventpoll's rdllist and ovflist chains, wait queues with their entries, each
 * epitem's state, locks and their owners).
 *
 * The lists are walked with the checkers' own walkers (`listOwners`, `checkList`,
 * `ovflistItems`, `checkOvflist`, `lock_is_busy`), from global memory, so the picture is
 * what the properties judged. Everything is numbers, strings, arrays and objects: JSON as
 * it is, and immer can diff it (see history.ts). Reading only; the machine is not changed.
 */
import type { EpKernel } from '../eventpoll/kernel.ts';
import { lock_is_busy } from '../locks/busy.ts';
import { EP_UNACTIVE_PTR } from '../queues/arena.ts';
import { checkList, listOwners } from '../queues/list.ts';
import { checkOvflist, ovflistItems } from '../queues/ovflist.ts';
import type { BlockedOn } from '../sim/context.ts';
import type { Machine } from '../sim/machine.ts';

/** Longest chain drawn: a corrupted (cyclic) list stops here. */
export const WALK_MAX = 64;

/** One arena object: its fields (pointers are handles) plus `kind`. */
export type SnapObject = Record<string, number | string>;

/** A list drawn as its entries' owners in order, and what is wrong with it, if anything. */
export interface SnapList {
  /** The owners of the entries (`list_entry`), from the head's `next` on. */
  items: number[];
  /** The checkers' complaint about the list's shape ('' when well formed). */
  bad: string;
}

/** One eventpoll as the viewer draws it. */
export interface SnapEventpoll {
  h: number;
  rdllist: SnapList;
  /** The ovflist chain (newest first), or null when inactive (EP_UNACTIVE_PTR). */
  ovflist: SnapList | null;
  /** The items registered (`ep->rbr`), in tree order. */
  items: number[];
  /** Handles of `ep->wq`, `ep->poll_wait`, `ep->lock`, `ep->mtx` (0 when absent). */
  wq: number;
  poll_wait: number;
  lock: number;
  mtx: number;
}

/** One epitem's state. */
export interface SnapEpitem {
  h: number;
  ep: number;
  /** ep_is_linked(): its rdllink is on a list. */
  linked: boolean;
  /** On its eventpoll's ovflist chain. */
  onOvflist: boolean;
  events: number;
  /** The eventpoll's reference count (`ep->refcount`; epitems hold none of their own). */
  refcount: number;
}

/** One wait queue head and its entries in queue order. */
export interface SnapWaitQueue {
  h: number;
  entries: SnapList;
}

/** One lock: whether it is held and by whom (a context or task name), and who waits. */
export interface SnapLock {
  h: number;
  kind: string;
  held: boolean;
  owner: string;
  /** Tasks queued on a sleeping lock's wait_list, by name. */
  waiters: string[];
}

/** One execution context. */
export interface SnapContext {
  id: number;
  name: string;
  cpu: number;
  irq: boolean;
  /** 'ready', 'sleeping' or 'done'. */
  status: string;
  fn: string;
  /** What a sleeping task waits for ('' when nothing known). */
  waits: string;
}

/** One CPU. */
export interface SnapCpu {
  /** The context running there (its IRQ handler if one is active), or -1. */
  running: number;
  /** The task an active IRQ handler interrupted, or -1. */
  interrupted: number;
  irqOff: number;
  /** Its store buffer, oldest first (x86-TSO). */
  buffer: { h: number; f: string; v: number | string }[];
}

/** The whole picture. */
export interface KernelSnapshot {
  /** Steps taken so far (the state after step `steps - 1`). */
  steps: number;
  /** Virtual time in ns. */
  time: number;
  /** Arena objects by handle (slot 0, NULL, is null). */
  objs: (SnapObject | null)[];
  labels: string[];
  /** 1 for a freed (poisoned) slot. */
  freed: number[];
  /** Where freed objects were freed, by handle. */
  freeSites: Record<string, { step: number; ctx: number; fn: string }>;
  cpus: SnapCpu[];
  ctxs: SnapContext[];
  eventpolls: SnapEventpoll[];
  epitems: SnapEpitem[];
  waitqueues: SnapWaitQueue[];
  locks: SnapLock[];
}

const STATUS = ['ready', 'sleeping', 'done'];
const LOCK_KINDS = new Set(['spinlock', 'rwlock', 'mutex', 'rw_semaphore']);

function num(o: SnapObject | undefined, f: string): number {
  const v = o?.[f];
  return typeof v === 'number' ? v : 0;
}

function shown(v: unknown): number | string {
  return typeof v === 'number' || typeof v === 'string' ? v : String(v);
}

/** A list from its head, walked as the checkers walk it. */
function walk(m: Machine, head: number): SnapList {
  if (!m.arena.isLive(head)) return { items: [], bad: `head ${m.arena.label(head)} is not live` };
  const bad = checkList(m, head, WALK_MAX) ?? '';
  return { items: listOwners(m, head, WALK_MAX), bad };
}

function lockOwner(m: Machine, h: number, o: SnapObject, ctxName: (id: number) => string):
string {
  switch (o.kind) {
    case 'spinlock': {
      const owner = num(o, 'owner');
      if (owner >= 0) return ctxName(owner);
      return num(o, 'locked') !== 0 || m.memory.readGlobal(h, 'locked') !== 0
        ? '(unlock in a store buffer)' : '';
    }
    case 'mutex': {
      // The owner word is `task << 3 | flags` (locks/mutex.ts).
      const t = num(o, 'owner') >>> 3;
      return t > 0 ? m.arena.label(t) : '';
    }
    case 'rwlock': {
      const w = num(o, 'writer');
      const readers = num(o, 'cnts') >> 9;
      const parts: string[] = [];
      if (num(o, 'wlocked') !== 0) parts.push(`writer ${w >= 0 ? ctxName(w) : '?'}`);
      if (readers > 0) parts.push(`${readers} reader(s)`);
      return parts.join(', ');
    }
    case 'rw_semaphore': {
      const a = num(o, 'activity');
      return a < 0 ? 'a writer' : a > 0 ? `${a} reader(s)` : '';
    }
    default: return '';
  }
}

function lockWaiters(m: Machine, o: SnapObject): string[] {
  const wl = num(o, 'wait_list');
  if (wl === 0 || !m.arena.isLive(wl)) return [];
  return listOwners(m, wl, WALK_MAX).map((w) => {
    const task = num(m.arena.objs[w], 'task');
    return task > 0 ? m.arena.label(task) : m.arena.label(w);
  });
}

function waitsOf(m: Machine, local: Record<string, unknown>): string {
  const b = local.blockedOn as BlockedOn | undefined;
  if (b !== undefined) return `${b.op}(${m.arena.label(b.lock)})`;
  const ep = local.waitingOn as number | undefined;
  if (ep !== undefined) return `epoll_wait(${m.arena.label(ep)})`;
  return '';
}

/** Takes the picture. Costs a walk of the whole arena: for the viewer, not for fuzzing. */
export function snapshotMachine(m: Machine): KernelSnapshot {
  const a = m.arena;
  const objs: (SnapObject | null)[] = [null];
  const labels: string[] = ['NULL'];
  const freed: number[] = [1];
  for (let h = 1; h < a.objs.length; h++) {
    const o = a.objs[h]!;
    const copy: SnapObject = {};
    for (const f of Object.keys(o)) {
      const v = o[f];
      if (v !== undefined) copy[f] = shown(v);
    }
    objs.push(copy);
    labels.push(a.label(h));
    freed.push(a.freed[h]!);
  }
  const freeSites: KernelSnapshot['freeSites'] = {};
  for (const [h, s] of [...a.freeSites].sort((x, y) => x[0] - y[0])) {
    freeSites[String(h)] = { step: s.step, ctx: s.ctx, fn: s.fn };
  }
  const all = m.contexts();
  const ctxName = (id: number): string => all[id]?.name ?? `ctx ${id}`;
  const ctxs: SnapContext[] = all.map((c) => ({
    id: c.id, name: c.name, cpu: c.cpu, irq: c.irq, status: STATUS[c.status] ?? '?', fn: c.fn,
    waits: c.status === 1 ? waitsOf(m, c.local) : '',
  }));
  const cpus: SnapCpu[] = [];
  for (let i = 0; i < m.ncpu; i++) {
    const r = m.runningOn(i);
    const over = r?.irq ? m.interrupted(r) : undefined;
    cpus.push({
      running: r?.id ?? -1, interrupted: over?.id ?? -1, irqOff: m.irqDisabled(i),
      buffer: (m.memory.buffers[i] ?? []).map((e) => ({ h: e.h, f: e.f, v: shown(e.v) })),
    });
  }
  const snap: KernelSnapshot = {
    steps: m.step, time: m.now, objs, labels, freed, freeSites, cpus, ctxs,
    eventpolls: [], epitems: [], waitqueues: [], locks: [],
  };
  kernelView(m, snap, ctxName);
  return snap;
}

/** The eventpoll, epitem, wait queue and lock pictures, from the checkers' walkers. */
function kernelView(m: Machine, snap: KernelSnapshot, ctxName: (id: number) => string): void {
  const a = m.arena;
  const k = m.ext.ep as EpKernel | undefined;
  const chained = new Set<number>();
  for (const ep of k?.eventpolls ?? []) {
    if (!a.isLive(ep)) continue;
    const o = a.objs[ep]!;
    const active = m.memory.readGlobal(ep, 'ovflist') !== EP_UNACTIVE_PTR;
    const ovf = active ? { items: ovflistItems(m, ep, WALK_MAX), bad:
      checkOvflist(m, ep, WALK_MAX) ?? '' } : null;
    for (const epi of ovf?.items ?? []) chained.add(epi);
    const rbr = num(o, 'rbr');
    snap.eventpolls.push({
      h: ep, rdllist: walk(m, num(o, 'rdllist')), ovflist: ovf,
      items: a.isLive(rbr) ? listOwners(m, rbr, WALK_MAX) : [],
      wq: num(o, 'wq'), poll_wait: num(o, 'poll_wait'), lock: num(o, 'lock'), mtx: num(o, 'mtx'),
    });
  }
  for (let h = 1; h < a.objs.length; h++) {
    if (!a.isLive(h)) continue;
    const o = a.objs[h]!;
    if (o.kind === 'epitem') {
      const link = num(o, 'rdllink');
      const ep = num(o, 'ep');
      snap.epitems.push({
        h, ep, linked: a.isLive(link) && m.memory.readGlobal(link, 'next') !== link,
        onOvflist: chained.has(h), events: num(o, 'events'),
        refcount: a.isLive(ep) ? num(a.objs[ep], 'refcount') : 0,
      });
    } else if (o.kind === 'wait_queue_head') {
      snap.waitqueues.push({ h, entries: walk(m, num(o, 'head')) });
    } else if (LOCK_KINDS.has(o.kind)) {
      snap.locks.push({ h, kind: o.kind, held: lock_is_busy(m, h),
        owner: lockOwner(m, h, o, ctxName), waiters: lockWaiters(m, o) });
    }
  }
}
