/**
 * Ghost state: what the properties need to know about what *should* happen, kept beside the
 * kernel state and never read by model code.
 *
 * - Edges: every wakeup a file issues for new readiness bumps `file.g_edges`; harvesting an
 *   item records the file's edge count in `epi.g_consumed`. An ET/ONESHOT item has an
 *   undelivered wakeup while `g_edges > g_consumed` (P1).
 * - Calls: each running epoll_wait keeps, per file, the union and the intersection of the
 *   file's readiness since the call began, so a returned event can be checked against what
 *   the file really was during the call (P5).
 * - Arms: ONESHOT items count deliveries per arm (ADD or MOD).
 * - Level triggering: a call that returns fewer than maxevents must report every armed LT
 *   item of its set that was already queued (rdllink in use) when the call began and whose
 *   file was ready for the item's mask during the whole call. (An item whose file just
 *   became ready but whose callback has not queued it yet may legitimately be missed.) The
 *   rule is checked when no other call or epoll_ctl touched the set during the call, or
 *   always when the scenario asks for it (`strictLevelTrigger`: the kernel selftest
 *   epoll65's "a timeout-0 wait must not report a false negative").
 */
import type { Ctx, MachineAccess } from '../sim/context.ts';
import { cloneState } from '../sim/clone.ts';
import { fops } from './file.ts';
import { listOwners } from '../queues/list.ts';
import {
  EPOLLET, EPOLLEXCLUSIVE, EPOLLONESHOT, EP_PRIVATE_BITS, EPOLLERR, EPOLLHUP,
} from './uapi.ts';

/** One epoll_wait in progress. */
export interface WaitCall {
  task: number;
  ep: number;
  maxevents: number;
  timeoutMs: number;
  union: Map<number, number>;
  inter: Map<number, number>;
  /** Items delivered in this call. */
  items: Set<number>;
  /** Another call or an epoll_ctl touched the same set during this call. */
  concurrent: boolean;
  /** Items of the set that were queued (on rdllist or a harvester's list) at the start. */
  queued: Set<number>;
}

/**
 * One ep_poll_callback() in progress, for the spurious-queueing property (P5,
 * checkers/spurious.ts): the wake key it was called with, and what its item and set were
 * while it ran.
 */
export interface CallbackFrame {
  ctx: Ctx;
  epi: number;
  ep: number;
  key: number;
  /** An EPOLLEXCLUSIVE item's exclusive entry: its return value spends a wake. */
  exclusive: boolean;
  /** The union of the item's `events` over the call (a racing MOD may change them). */
  events: number;
  /** Whether the item was queued when last looked at. */
  queued: boolean;
  /** ep->wq had an entry at some point during the call. */
  waiter: boolean;
  /** What the callback returned, once it has (the checker then drops the frame). */
  ret: number | undefined;
}

/** The ghost bookkeeping of one run. */
export class Ghost {
  private readonly m: MachineAccess;
  readonly calls = new Set<WaitCall>();
  /** The callbacks running now, innermost last. */
  readonly frames: CallbackFrame[] = [];
  /** Files that exist (so a call can snapshot their readiness). */
  readonly files: number[] = [];
  /** Check the level-triggered rule also under concurrency (see the file comment). */
  strictLevelTrigger = false;

  constructor(m: MachineAccess) {
    this.m = m;
  }

  /** A copy for a machine started from prepared state (`memo`: old machine -> new). */
  copy(memo: Map<object, unknown>): Ghost {
    const g = new Ghost((memo.get(this.m) ?? this.m) as MachineAccess);
    memo.set(this, g);
    for (const call of this.calls) g.calls.add(cloneState(call, memo));
    for (const f of this.files) g.files.push(f);
    // No frames: a setup ends with every callback returned.
    g.strictLevelTrigger = this.strictLevelTrigger;
    return g;
  }

  /**
   * ep_poll_callback() begins on wait entry `wait` (of item `epi`) with `key`: a frame for
   * checkers/spurious.ts, which brings it up to date after each step and drops it after
   * the step in which the callback returned ({@link callbackEnd}).
   */
  callbackBegin(c: Ctx, wait: number, epi: number, key: number, queued: boolean,
    waiter: boolean): CallbackFrame {
    const a = this.m.arena;
    const events = this.m.memory.readableBits(c.cpu, epi, 'events');
    // An EPOLLEXCLUSIVE item's entry (WQ_FLAG_EXCLUSIVE): its return value is a wake given.
    // (Other exclusive entries, like the roundrobin RFC's hooks, return 1 by design.)
    const exclusive = ((a.objs[wait]!.flags as number) & 1) !== 0 &&
      (events & EPOLLEXCLUSIVE) !== 0;
    const f: CallbackFrame = { ctx: c, epi, ep: a.objs[epi]!.ep as number, key, exclusive,
      events, queued, waiter, ret: undefined };
    this.frames.push(f);
    return f;
  }

  /** The callback of frame `f` returned `ret`. */
  callbackEnd(f: CallbackFrame, ret: number): void {
    f.ret = ret;
  }

  /** Registers a new file. */
  addFile(file: number): void {
    this.files.push(file);
  }

  /** The readiness of a file now, in global memory (0 for a freed file). */
  ready(file: number): number {
    if (!this.m.arena.isLive(file)) return 0;
    return fops(this.m, file).readyMask(this.m, file);
  }

  /**
   * Readiness that counts as "stayed ready": none for a file in its final fput (f_count 0,
   * __fput queued as task work), which a harvest may skip (6.18's epi_fget fails); a
   * variant that still polls it reports real readiness, which the union keeps.
   */
  private steady(file: number, r: number): number {
    return this.m.arena.isLive(file) && this.m.memory.readGlobal(file, 'f_count') === 0 ? 0 : r;
  }

  /** A file issued a wakeup for new readiness. */
  edge(file: number): void {
    const o = this.m.arena.objs[file]!;
    (o.g_edges as number)++;
  }

  /**
   * A file's state changed: fold its readiness into every running call. An epoll file's
   * readiness follows the files it watches, so every live epoll file is folded too (a
   * nested set that was readable only briefly during a call is not a phantom).
   */
  changed(file: number): void {
    if (this.calls.size === 0) return;
    this.fold(file);
    for (const f of this.files) {
      if (f !== file && this.m.arena.isLive(f) && this.m.arena.objs[f]!.f_op === 'eventpoll') {
        this.fold(f);
      }
    }
  }

  private fold(file: number): void {
    const r = this.ready(file);
    const kept = this.steady(file, r);
    for (const call of this.calls) {
      call.union.set(file, (call.union.get(file) ?? 0) | r);
      call.inter.set(file, (call.inter.get(file) ?? -1) & kept);
    }
  }

  /** epoll_wait begins. */
  begin(c: Ctx, ep: number, maxevents: number, timeoutMs: number): WaitCall {
    const call: WaitCall = {
      task: c.task, ep, maxevents, timeoutMs, union: new Map(), inter: new Map(),
      items: new Set(), concurrent: false, queued: new Set(),
    };
    const a = this.m.arena;
    for (const epi of listOwners(this.m, a.objs[ep]!.rbr as number)) {
      const link = a.objs[epi]!.rdllink as number;
      if (this.m.memory.readGlobal(link, 'next') !== link) call.queued.add(epi);
    }
    for (const other of this.calls) {
      if (other.ep === ep) {
        other.concurrent = true;
        call.concurrent = true;
      }
    }
    for (const f of this.files) {
      const r = this.ready(f);
      call.union.set(f, r);
      call.inter.set(f, this.steady(f, r));
    }
    this.calls.add(call);
    return call;
  }

  /** An epoll_ctl runs on `ep`: calls on it are no longer alone. */
  ctl(ep: number): void {
    for (const call of this.calls) if (call.ep === ep) call.concurrent = true;
  }

  /**
   * epoll_wait ends with `res`. Returns a P5 complaint about the level-triggered rule, or
   * undefined.
   */
  end(call: WaitCall, res: number): string | undefined {
    this.calls.delete(call);
    if (res < 0 || res >= call.maxevents) return undefined;
    if (call.concurrent && !this.strictLevelTrigger) return undefined;
    const a = this.m.arena;
    if (!a.isLive(call.ep)) return undefined;
    for (const epi of listOwners(this.m, a.objs[call.ep]!.rbr as number)) {
      const o = a.objs[epi]!;
      const events = o.events as number;
      if (events & (EPOLLET | EPOLLONESHOT) || call.items.has(epi)) continue;
      if (!call.queued.has(epi)) continue;
      // A nested set's readiness depends on its variant's poll (2.6.22 only tests rdllist,
      // later kernels re-poll the queued items): the rule is applied to plain files only.
      if (a.objs[o.ffd_file as number]?.f_op === 'eventpoll') continue;
      // A file in its final fput (f_count 0; it never rises again) is not ready to a harvest:
      // epi_fget() fails and the kernel drops the item, which the file's release removes.
      if (this.m.memory.readGlobal(o.ffd_file as number, 'f_count') === 0) continue;
      const always = call.inter.get(o.ffd_file as number);
      if (always === undefined || !(always & events & ~EP_PRIVATE_BITS)) continue;
      return `epoll_wait returned ${res} without LT ${a.label(epi)}, which was queued when ` +
        `the call began and whose file stayed ready for its mask${call.concurrent
          ? ' (with a concurrent harvest on the set)' : ''}`;
    }
    return undefined;
  }

  /** The item was taken off the ready list and polled by a harvester. */
  consume(epi: number): void {
    const o = this.m.arena.objs[epi]!;
    const f = o.ffd_file as number;
    if (this.m.arena.isLive(f)) o.g_consumed = this.m.arena.objs[f]!.g_edges as number;
  }

  /** The item was (re-)armed by ADD or MOD. */
  arm(epi: number): void {
    const o = this.m.arena.objs[epi]!;
    (o.g_arm as number)++;
    o.g_armDelivered = 0;
  }

  /**
   * An event was copied to user space. Returns a P5 complaint or undefined: a phantom
   * (bits the file never had during the call), a duplicate in one call, or a second
   * delivery of one ONESHOT arm.
   */
  delivered(call: WaitCall | undefined, epi: number, revents: number): string | undefined {
    const a = this.m.arena;
    const o = a.objs[epi]!;
    const label = a.label(epi);
    if (call) {
      if (call.items.has(epi)) return `${label} reported twice in one epoll_wait`;
      call.items.add(epi);
      const f = o.ffd_file as number;
      // A nested set's readiness also changes when a callback queues an item in it, which
      // is not a file state change the ghost sees: its events are not checked for phantoms.
      const nested = a.objs[f]!.f_op === 'eventpoll';
      const seen = nested ? -1
        : (call.union.get(f) ?? 0) | this.ready(f) | EPOLLERR | EPOLLHUP;
      const phantom = revents & ~seen & ~EP_PRIVATE_BITS;
      if (phantom !== 0) {
        return `${label} reported events 0x${(phantom >>> 0).toString(16)} that its file ` +
          `never had during the call`;
      }
    }
    if ((o.events as number) & EPOLLONESHOT || o.g_armDelivered !== 0) {
      (o.g_armDelivered as number)++;
      if ((o.g_armDelivered as number) > 1) return `ONESHOT ${label} delivered twice in one arm`;
    }
    return undefined;
  }
}
