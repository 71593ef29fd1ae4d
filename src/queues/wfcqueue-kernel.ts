/**
 * include/linux/wfcqueue.h, the kernel port of liburcu's wfcqueue that Eric Wong's epoll RFC
 * v3 ("epoll: avoid spinlock contention with wfcqueue", March 2013, seed 002) builds on. The
 * RFC calls wfcq_init, wfcq_node_init, wfcq_enqueue, wfcq_empty, __wfcq_splice,
 * __wfcq_dequeue and, through __wfcq_for_each(_safe), __wfcq_first and __wfcq_next. The port
 * has exactly the accesses of the liburcu functions (see wfcqueue.ts, which also holds the
 * checker); only the names differ, and its busy-waits are plain cpu_relax() loops. Its
 * __wfcq_append() runs with preemption disabled, which the machine gives for free: a task is
 * never preempted, only interrupted.
 */
import type { Ctx } from '../sim/context.ts';
import type { Model } from '../sim/op.ts';
import { WFCQ_IMPL as W } from './wfcqueue.ts';

export {
  CDS_WFCQ_RET_DEST_EMPTY as WFCQ_RET_DEST_EMPTY,
  CDS_WFCQ_RET_DEST_NON_EMPTY as WFCQ_RET_DEST_NON_EMPTY,
  CDS_WFCQ_RET_SRC_EMPTY as WFCQ_RET_SRC_EMPTY,
} from './wfcqueue.ts';

const K_SYNC = W.syncNextOp('___wfcq_node_sync_next');
const K_BUSY = W.busyWaitOp('___wfcq_busy_wait');

/** include/linux/wfcqueue.h (RFC): wfcq_node_init(). */
export function wfcq_node_init(_c: Ctx, node: number): Model<void> {
  return W.nodeInit(node, 'wfcq_node_init');
}
/** include/linux/wfcqueue.h (RFC): wfcq_init(). */
export function wfcq_init(_c: Ctx, head: number, tail: number): Model<void> {
  return W.init(head, tail, 'wfcq_init');
}
/** include/linux/wfcqueue.h (RFC): wfcq_empty(). */
export function wfcq_empty(_c: Ctx, head: number, tail: number): Model<boolean> {
  return W.empty(head, tail, 'wfcq_empty');
}
/** include/linux/wfcqueue.h (RFC): wfcq_enqueue() (preempt_disable() is implicit here). */
export function wfcq_enqueue(c: Ctx, head: number, tail: number, node: number):
Model<boolean> {
  return W.enqueue(c, head, tail, node, 'wfcq_enqueue');
}
/** include/linux/wfcqueue.h (RFC): __wfcq_dequeue() (blocking). */
export function __wfcq_dequeue(_c: Ctx, head: number, tail: number): Model<number> {
  return W.dequeue(head, tail, '__wfcq_dequeue', K_SYNC);
}
/** include/linux/wfcqueue.h (RFC): __wfcq_splice() (blocking); returns a WFCQ_RET_* value. */
export function __wfcq_splice(_c: Ctx, destHead: number, destTail: number, srcHead: number,
  srcTail: number): Model<number> {
  return W.splice(destHead, destTail, srcHead, srcTail, '__wfcq_splice', K_BUSY);
}
/** include/linux/wfcqueue.h (RFC): __wfcq_first(), the start of __wfcq_for_each(_safe). */
export function __wfcq_first(_c: Ctx, head: number, tail: number): Model<number> {
  return W.first(head, tail, '__wfcq_first', K_SYNC);
}
/** include/linux/wfcqueue.h (RFC): __wfcq_next(), the step of __wfcq_for_each(_safe). */
export function __wfcq_next(_c: Ctx, _head: number, tail: number, node: number):
Model<number> {
  return W.next(tail, node, '__wfcq_next', K_SYNC);
}
