/**
 * Concurrent queue with wait-free enqueue and blocking dequeue (Desnoyers and Lai), as in
 * liburcu's urcu/static/wfcqueue.h (`cds_wfcq_*`, v0.14) and in its kernel port
 * include/linux/wfcqueue.h (`wfcq_*`) that Eric Wong's epoll RFC v3 (March 2013, seed 002)
 * builds on. Both have the same accesses; the kernel spelling lives in wfcqueue-kernel.ts, so
 * a trace reads like the code it models.
 *
 * Layout: a head is an object `{next}` (the head *node*: `&head->node` is the head handle
 * itself), a tail is `{p}`, a node is `{next, owner}` (any object with a `next` field works).
 * Empty: `head->next == NULL && tail->p == head`.
 *
 * Enqueue is `old = xchg(&tail->p, node); old->next = node`. Between those two steps the queue
 * is half linked: the tail is published but unreachable from the head. A dequeuer, splicer or
 * iterator that reaches the gap busy-waits (`___cds_wfcq_node_sync_next`). The wait is one
 * custom op that is not enabled until the pointer is non-NULL in this CPU's view, so spinning
 * costs no steps, and an enqueuer that never finishes is reported as a deadlock.
 *
 * Synchronisation table of the source: enqueue and splice-as-destination need nothing;
 * dequeue, splice-as-source and iteration must exclude each other (a lock or a single thread,
 * `ep->mtx` in the RFC). The model does not check that. `cds_wfcq_dequeue_blocking()` and
 * `cds_wfcq_splice_blocking()`, which take the queue's pthread mutex, are not modelled.
 *
 * DEBUG (not in the source, like CONFIG_DEBUG_LIST): an enqueue of a node whose `next` is not
 * NULL is reported as P2 list corruption, because a dequeuer would follow the stale pointer.
 */
import type { Ctx, MachineAccess } from '../sim/context.ts';
import { cmpxchg, READ_ONCE, smp_rmb, store, WRITE_ONCE, xchg } from '../sim/mem.ts';
import { custom, type CustomOp, type Model, type Op } from '../sim/op.ts';
import { NULL } from './arena.ts';

// `enum cds_wfcq_ret`; the kernel port's `enum wfcq_ret` has the same values, minus WOULDBLOCK.
/** A non-blocking call would have to wait (never returned by the blocking calls here). */
export const CDS_WFCQ_RET_WOULDBLOCK = -1;
/** Splice: the destination was empty before. */
export const CDS_WFCQ_RET_DEST_EMPTY = 0;
/** Splice: the destination was not empty before. */
export const CDS_WFCQ_RET_DEST_NON_EMPTY = 1;
/** Splice: the source was empty; nothing moved. */
export const CDS_WFCQ_RET_SRC_EMPTY = 2;

/** A queue: its head and tail handles (`struct cds_wfcq_head` / `struct cds_wfcq_tail`). */
export interface Wfcq {
  readonly head: number;
  readonly tail: number;
}

/** Allocates an empty queue (initialised at allocation: still private, so no steps). */
export function wfcq_alloc(m: MachineAccess, label = 'wfcq'): Wfcq {
  const head = m.alloc('wfcq_head', { next: NULL }, `${label}.head`);
  const tail = m.alloc('wfcq_tail', { p: head }, `${label}.tail`);
  return { head, tail };
}

/** Allocates a node embedded (by reference) in `owner`, with `next` NULL. */
export function wfcq_node_alloc(m: MachineAccess, owner: number, label?: string): number {
  return m.alloc('wfcq_node', { next: NULL, owner }, label);
}

// ---- the waits ---------------------------------------------------------------------------

function fieldOf(m: MachineAccess, c: Ctx, h: number, f: string): number {
  return m.memory.read(c.cpu, h, f) as number;
}

function checkLive(m: MachineAccess, c: Ctx, op: Op, what: string): void {
  const why = m.arena.badAccess(op.h);
  if (why === undefined) return;
  m.fault(c, 'P3-memory-safety', why.startsWith('use-after-free') ? 'use-after-free'
    : 'bad-pointer', `${c.name} in ${op.fn ?? c.fn}: ${what}: ${why}`);
}

/** `___cds_wfcq_node_sync_next(node)`: waits for `node->next != NULL`, then returns it. */
function syncNextOp(name: string): CustomOp {
  return {
    name,
    // A bad handle is enabled so that exec can report it instead of waiting forever.
    enabled: (m, c, op) => !m.arena.isLive(op.h) || fieldOf(m, c, op.h, 'next') !== NULL,
    exec(m, c, op) {
      checkLive(m, c, op, 'load of .next');
      return m.memory.readSeen(c.cpu, op.h, 'next') as number;
    },
    waitReason: (m, _c, op) => `busy-waiting in ${op.fn ?? name} for ` +
      `${m.arena.label(op.h)}->next (an enqueuer stopped between xchg(&tail->p) and ` +
      `linking the old tail)`,
  };
}

/** The splice loop's `___cds_wfcq_busy_wait()`: until the head's next or the tail moves. */
function busyWaitOp(name: string): CustomOp {
  return {
    name,
    enabled: (m, c, op) => !m.arena.isLive(op.h) || !m.arena.isLive(op.v as number) ||
      fieldOf(m, c, op.h, 'next') !== NULL || fieldOf(m, c, op.v as number, 'p') === op.h,
    exec(m, c, op) {
      checkLive(m, c, op, 'wait on .next');
      // The exit test read both: the loads after the wait are not older (coherence).
      m.memory.readSeen(c.cpu, op.h, 'next');
      if (m.arena.isLive(op.v as number)) m.memory.readSeen(c.cpu, op.v as number, 'p');
      return undefined;
    },
    waitReason: (m, _c, op) => `busy-waiting in ${op.fn ?? name}: ` +
      `${m.arena.label(op.h)}->next is NULL but the tail is not the head (an enqueuer ` +
      `stopped between xchg(&tail->p) and linking the old tail)`,
  };
}

const CDS_SYNC = syncNextOp('___cds_wfcq_node_sync_next');
const CDS_BUSY = busyWaitOp('___cds_wfcq_busy_wait');

// ---- the operations, shared by both spellings ----------------------------------------------

function* nodeInit(node: number, fn: string): Model<void> {
  yield store(node, 'next', NULL, fn);
}

function* init(head: number, tail: number, fn: string): Model<void> {
  yield store(head, 'next', NULL, fn);
  yield store(tail, 'p', head, fn);
}

/** `_cds_wfcq_empty()`: head->next first, as the common case that spares the tail's line. */
function* empty(head: number, tail: number, fn: string): Model<boolean> {
  const next: number = yield READ_ONCE(head, 'next', fn);
  if (next !== NULL) return false;
  const p: number = yield READ_ONCE(tail, 'p', fn);
  return p === head;
}

/** `___cds_wfcq_append()`: returns false if the queue was empty before. */
function* append(head: number, tail: number, newHead: number, newTail: number, fn: string):
Model<boolean> {
  // The xchg's implied barriers order the node's initialisation before its publication,
  // and the publication before the link below.
  const oldTail: number = yield xchg(tail, 'p', newTail, fn);
  // From here until this store lands, dequeuers see a NULL tail->p->next: half linked.
  yield WRITE_ONCE(oldTail, 'next', newHead, fn);
  return oldTail !== head;
}

function* enqueue(c: Ctx, head: number, tail: number, node: number, fn: string):
Model<boolean> {
  const m = c.m;
  if (m.arena.isLive(node) && fieldOf(m, c, node, 'next') !== NULL) {
    m.fault(c, 'P2-list-integrity', 'list-corruption', `${fn}: ${m.arena.label(node)}->next ` +
      `is ${m.arena.label(fieldOf(m, c, node, 'next'))}, not NULL (node not re-initialised ` +
      `with node_init before enqueue?)`);
  }
  return yield* append(head, tail, node, node, fn);
}

function* first(head: number, tail: number, fn: string, sync: CustomOp): Model<number> {
  if (yield* empty(head, tail, fn)) return NULL;
  // cmm_smp_read_barrier_depends() after the load is a no-op outside Alpha: not modelled.
  return (yield custom(sync, head, undefined, undefined, fn)) as number;
}

function* next(tail: number, node: number, fn: string, sync: CustomOp): Model<number> {
  let nx: number = yield READ_ONCE(node, 'next', fn);
  if (nx === NULL) {
    // Load node->next before tail->p.
    yield smp_rmb(fn);
    const p: number = yield READ_ONCE(tail, 'p', fn);
    if (p === node) return NULL;
    nx = (yield custom(sync, node, undefined, undefined, fn)) as number;
  }
  return nx;
}

function* dequeue(head: number, tail: number, fn: string, sync: CustomOp): Model<number> {
  if (yield* empty(head, tail, fn)) return NULL;
  const node = (yield custom(sync, head, undefined, undefined, fn)) as number;
  let nx: number = yield READ_ONCE(node, 'next', fn);
  if (nx === NULL) {
    // `node` is probably the last one: reset the head, then try to swing the tail back to
    // it. If an enqueuer got in first, the cmpxchg fails and its link will show up.
    yield store(head, 'next', NULL, fn);
    const was: number = yield cmpxchg(tail, 'p', node, head, fn);
    if (was === node) return node;
    nx = (yield custom(sync, node, undefined, undefined, fn)) as number;
  }
  // Move the queue head forward (a plain store: dequeuers are mutually excluded).
  yield store(head, 'next', nx, fn);
  return node;
}

function* splice(dHead: number, dTail: number, sHead: number, sTail: number, fn: string,
  busy: CustomOp): Model<number> {
  // Initial emptiness check: only loads when the source is empty.
  if (yield* empty(sHead, sTail, fn)) return CDS_WFCQ_RET_SRC_EMPTY;
  let firstNode: number;
  for (;;) {
    // Open-coded empty check on the result of the xchg and the tail.
    firstNode = yield xchg(sHead, 'next', NULL, fn);
    if (firstNode !== NULL) break;
    const p: number = yield READ_ONCE(sTail, 'p', fn);
    if (p === sHead) return CDS_WFCQ_RET_SRC_EMPTY;
    yield custom(busy, sHead, sTail, undefined, fn);
  }
  // The xchg's barrier orders the store to the source head before the one to its tail,
  // which a concurrent enqueuer on the source relies on.
  const lastNode: number = yield xchg(sTail, 'p', sHead, fn);
  return (yield* append(dHead, dTail, firstNode, lastNode, fn)) ? CDS_WFCQ_RET_DEST_NON_EMPTY
    : CDS_WFCQ_RET_DEST_EMPTY;
}

// ---- liburcu spelling ----------------------------------------------------------------------

/** urcu/static/wfcqueue.h: cds_wfcq_node_init() (`node->next = NULL`). */
export function cds_wfcq_node_init(_c: Ctx, node: number): Model<void> {
  return nodeInit(node, 'cds_wfcq_node_init');
}
/** urcu/static/wfcqueue.h: cds_wfcq_init() / __cds_wfcq_init() (the mutex is not modelled). */
export function cds_wfcq_init(_c: Ctx, head: number, tail: number): Model<void> {
  return init(head, tail, 'cds_wfcq_init');
}
/** urcu/static/wfcqueue.h: cds_wfcq_empty(). No barrier, no mutual exclusion needed. */
export function cds_wfcq_empty(_c: Ctx, head: number, tail: number): Model<boolean> {
  return empty(head, tail, 'cds_wfcq_empty');
}
/**
 * urcu/static/wfcqueue.h: cds_wfcq_enqueue(). Returns false if the queue was empty before.
 * The node must have been initialised (`next` NULL) by the caller, as in the source.
 */
export function cds_wfcq_enqueue(c: Ctx, head: number, tail: number, node: number):
Model<boolean> {
  return enqueue(c, head, tail, node, 'cds_wfcq_enqueue');
}
/** urcu/static/wfcqueue.h: __cds_wfcq_dequeue_blocking(). Returns the node or NULL. */
export function __cds_wfcq_dequeue_blocking(_c: Ctx, head: number, tail: number):
Model<number> {
  return dequeue(head, tail, '__cds_wfcq_dequeue_blocking', CDS_SYNC);
}
/**
 * urcu/static/wfcqueue.h: __cds_wfcq_splice_blocking(). Moves every node of the source to
 * the end of the destination; returns a CDS_WFCQ_RET_* value (never WOULDBLOCK).
 */
export function __cds_wfcq_splice_blocking(_c: Ctx, destHead: number, destTail: number,
  srcHead: number, srcTail: number): Model<number> {
  return splice(destHead, destTail, srcHead, srcTail, '__cds_wfcq_splice_blocking', CDS_BUSY);
}
/** urcu/static/wfcqueue.h: __cds_wfcq_first_blocking(). First node or NULL, not dequeued. */
export function __cds_wfcq_first_blocking(_c: Ctx, head: number, tail: number): Model<number> {
  return first(head, tail, '__cds_wfcq_first_blocking', CDS_SYNC);
}
/** urcu/static/wfcqueue.h: __cds_wfcq_next_blocking(). Next node or NULL at the end. */
export function __cds_wfcq_next_blocking(_c: Ctx, _head: number, tail: number, node: number):
Model<number> {
  return next(tail, node, '__cds_wfcq_next_blocking', CDS_SYNC);
}

/**
 * The shared implementation, for the kernel-port spelling in wfcqueue-kernel.ts.
 * @internal
 */
export const WFCQ_IMPL = { nodeInit, init, empty, enqueue, first, next, dequeue, splice,
  syncNextOp, busyWaitOp };

// ---- checker ---------------------------------------------------------------------------------

/**
 * Checks a queue in global memory (for observers; not a model step). Returns the first
 * problem or undefined. Always: every link from the head is a live object, the walk is
 * bounded (no cycle), the tail is the head or a live node, and when the walk reaches the tail
 * its `next` is NULL. With `settled` (no operation in flight, e.g. at the end of a run) also:
 * the tail is reachable from the head, that is, no half-linked gap is left.
 */
export function checkWfcq(m: MachineAccess, head: number, tail: number, settled = false,
  max = 10_000): string | undefined {
  const a = m.arena;
  const q = a.label(head);
  if (!a.isLive(head)) return `wfcq ${q}: head: ${a.badAccess(head)}`;
  if (!a.isLive(tail)) return `wfcq ${q}: tail: ${a.badAccess(tail)}`;
  const last = m.memory.readGlobal(tail, 'p') as number;
  if (!a.isLive(last)) return `wfcq ${q}: tail->p: ${a.badAccess(last)}`;
  const bound = Math.min(max, a.objs.length);
  let pos = head;
  for (let i = 0; ; i++) {
    const nx = m.memory.readGlobal(pos, 'next') as number;
    if (pos === last) {
      if (nx === NULL) return undefined;
      return `wfcq ${q}: the tail ${a.label(last)} has next ${a.label(nx)}, not NULL`;
    }
    if (nx === NULL) {
      return settled ? `wfcq ${q}: ${a.label(pos)}->next is NULL after ${i} nodes but the ` +
        `tail is ${a.label(last)}: the tail is not reachable from the head` : undefined;
    }
    if (!a.isLive(nx)) return `wfcq ${q}: ${a.label(pos)}->next: ${a.badAccess(nx)}`;
    if (i >= bound) return `wfcq ${q}: the tail is not reached after ${bound} nodes (a cycle)`;
    pos = nx;
  }
}

/** The nodes from the head up to the tail or the first gap, from global memory (for tests). */
export function wfcqNodes(m: MachineAccess, head: number, tail: number, max = 10_000):
number[] {
  const out: number[] = [];
  const last = m.memory.readGlobal(tail, 'p') as number;
  let pos = head;
  while (pos !== last && out.length < max) {
    pos = m.memory.readGlobal(pos, 'next') as number;
    if (!m.arena.isLive(pos)) break;
    out.push(pos);
  }
  return out;
}
