/**
 * The EPOLL_POLICY layer of seed 004 (see index.ts for the design and its sources):
 * ep_alloc_rr(), the policy set's ep_insert()/ep_remove() of its one source,
 * ep_eventpoll_poll() (the nested wakeup queue and the first-attach hook on the source), and
 * ep_policy_callback(), the round-robin wakeup.
 *
 * LOCKING: a policy set's items are changed under its `ep->mtx` (do_epoll_ctl) and its
 * rdllist under `ep->lock`, as for any set; the rotation of the nested queue `ep1->poll_wait`
 * is done under that queue's lock, which the policy callback takes inside the source's
 * wait-queue lock and holds while it calls the chosen set's ep_poll_callback().
 */
import { spin_lock, spin_lock_irq, spin_lock_irqsave, spin_unlock, spin_unlock_irq,
  spin_unlock_irqrestore } from '../../locks/spinlock.ts';
import { TASK_NORMAL } from '../../locks/sched.ts';
import {
  __wake_up_common, add_wait_queue, add_wait_queue_exclusive, init_waitqueue_func_entry,
  registerWakeFunction, remove_wait_queue, waitqueue_active, wq_head, wq_lock,
} from '../../locks/waitqueue.ts';
import { NULL } from '../../queues/arena.ts';
import { list_add_tail, list_del_init, list_entry, list_move_tail } from '../../queues/list.ts';
import type { Ctx, MachineAccess } from '../../sim/context.ts';
import { load, store } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { poll_wait, vfs_poll, type PollTable } from '../file.ts';
import { kernel } from '../kernel.ts';
import { alloc_epitem } from '../structs.ts';
import { EINVAL } from '../uapi.ts';
import {
  ep_insert as ep_insert_classic, ep_remove as ep_remove_classic, epi_free, f_lock,
} from '../classic-4.19/items.ts';
import { ep_eventpoll_poll as ep_eventpoll_poll_classic } from '../classic-4.19/scan.ts';
import { ep_alloc_45 } from '../exclusive-4.5/index.ts';

/** One decision of the round-robin policy (ghost bookkeeping for the tests). */
export interface RrDecision {
  /** The machine step of the decision. */
  step: number;
  /** The policy set. */
  policy: number;
  /** The attached sets, in rotation order, when the wakeup came. */
  attached: number[];
  /** The set the wakeup went to. */
  chosen: number;
  /** Whether the chosen set had a thread waiting in epoll_wait. */
  hadWaiter: boolean;
  /** Whether another attached set had one. */
  waiterElsewhere: boolean;
}

/** The decisions of a run, in order (`m.ext.rr`). */
export function rrLog(m: MachineAccess): RrDecision[] {
  let log = m.ext.rr as RrDecision[] | undefined;
  if (log === undefined) {
    log = [];
    m.ext.rr = log;
  }
  return log;
}

function isPolicy(c: Ctx, ep: number): boolean {
  return c.m.arena.objs[ep]!.rr_policy === 1;
}

/** The set whose hook is the wait entry linked at `node` (entry -> eppoll_entry -> epi). */
function setOfHook(m: MachineAccess, node: number): number {
  const pwq = m.arena.objs[list_entry(m, node)]!.private as number;
  const epi = m.arena.objs[pwq]!.base as number;
  return m.arena.objs[epi]!.ep as number;
}

/** Whether a set has a thread in its ep->wq, from global memory (ghost peek). */
function hasWaiter(m: MachineAccess, ep: number): boolean {
  const head = wq_head(m, m.arena.objs[ep]!.wq as number);
  return m.memory.readGlobal(head, 'next') !== head;
}

/** The attached sets of a policy set, in rotation order (ghost peek). */
function attachedSets(m: MachineAccess, pw: number): number[] {
  const head = wq_head(m, pw);
  const out: number[] = [];
  for (let p = m.memory.readGlobal(head, 'next') as number; p !== head && out.length < 64;
    p = m.memory.readGlobal(p, 'next') as number) out.push(setOfHook(m, p));
  return out;
}

/** ep_alloc(): `epoll_create1(EPOLL_POLICY)` for a set named `rr...` (see index.ts). */
export function ep_alloc_rr(c: Ctx, label: string): number {
  const ep = ep_alloc_45(c, label);
  const o = c.m.arena.objs[ep]!;
  o.rr_policy = label.startsWith('rr') ? 1 : 0;
  o.rr_epi = 0;
  o.rr_source = 0;
  o.rr_hook = 0;
  o.rr_whead = 0;
  return ep;
}

/** ep_insert(): on a policy set, "form the association" with its one source. */
export function* ep_insert(c: Ctx, ep: number, events: number, data: number, tfile: number,
  fd: number, full_check: boolean): Model<number> {
  const FN = 'ep_policy_associate';
  if (!isPolicy(c, ep)) return yield* ep_insert_classic(c, ep, events, data, tfile, fd, full_check);
  // "ep1 can be associated with or added to at most 1 wakeup source."
  if ((yield load(ep, 'rr_epi', FN)) !== 0) return -EINVAL;
  const m = c.m;
  const epi = alloc_epitem(m, `epi:${m.arena.label(tfile)}`, { ep, file: tfile, fd, events,
    data });
  kernel(c).ghost.arm(epi);
  const fl = f_lock(c, tfile);
  yield* spin_lock(c, fl);
  yield* list_add_tail(c, m.arena.objs[epi]!.fllink as number, m.arena.objs[tfile]!.f_ep as number);
  yield* spin_unlock(c, fl);
  yield* kernel(c).ops.ep_rbtree_insert(c, ep, epi);
  // The association item stays on ep1's ready list: ep1 reads as its source does.
  const o = m.arena.objs[ep]!;
  yield* spin_lock_irq(c, o.lock as number);
  yield* list_add_tail(c, m.arena.objs[epi]!.rdllink as number, o.rdllist as number);
  yield* spin_unlock_irq(c, o.lock as number);
  yield store(ep, 'rr_epi', epi, FN);
  yield store(ep, 'rr_source', tfile, FN);
  return 0;
}

/** ep_remove(): the association item unhooks the policy from its source. */
export function* ep_remove(c: Ctx, ep: number, epi: number, force: boolean): Model<boolean> {
  const FN = 'ep_policy_dissociate';
  const m = c.m;
  if (!isPolicy(c, ep) || m.arena.objs[ep]!.rr_epi !== epi) {
    return yield* ep_remove_classic(c, ep, epi, force);
  }
  const hook: number = yield load(ep, 'rr_hook', FN);
  if (hook !== 0) {
    yield* remove_wait_queue(c, (yield load(ep, 'rr_whead', FN)) as number, hook);
    m.free(c, hook, FN);
    yield store(ep, 'rr_hook', 0, FN);
  }
  const file: number = yield load(epi, 'ffd_file', FN);
  const fl = f_lock(c, file);
  yield* spin_lock(c, fl);
  yield* list_del_init(c, m.arena.objs[epi]!.fllink as number);
  yield* spin_unlock(c, fl);
  yield* list_del_init(c, m.arena.objs[epi]!.rbn as number);
  const o = m.arena.objs[ep]!;
  yield* spin_lock_irq(c, o.lock as number);
  if (yield* kernel(c).ops.ep_is_linked(c, epi)) {
    yield* list_del_init(c, m.arena.objs[epi]!.rdllink as number);
  }
  yield* spin_unlock_irq(c, o.lock as number);
  yield store(ep, 'rr_epi', 0, FN);
  yield store(ep, 'rr_source', 0, FN);
  epi_free(c, epi, FN);
  return true;
}

/** The nested queue's queue proc: an attached set's hook, EXCLUSIVE, on ep1->poll_wait. */
function* rr_nested_queue_proc(c: Ctx, _file: number, whead: number, pt: PollTable):
Model<void> {
  const FN = 'ep_policy_queue_proc';
  const epi = pt.epi;
  if (epi === 0) return;
  const pwq = c.m.alloc('eppoll_entry', { next: NULL, base: epi, wait: 0, whead });
  const wait = init_waitqueue_func_entry(c.m, 'ep_poll_callback', pwq);
  c.m.arena.objs[pwq]!.wait = wait;
  yield* add_wait_queue_exclusive(c, whead, wait);
  yield store(pwq, 'next', (yield load(epi, 'pwqlist', FN)) as number, FN);
  yield store(epi, 'pwqlist', pwq, FN);
  yield store(epi, 'nwait', ((yield load(epi, 'nwait', FN)) as number) + 1, FN);
}

/** "The first add would actually queue the callback to the fd_source." */
function* rr_attach_source(c: Ctx, ep: number): Model<void> {
  const FN = 'ep_policy_attach';
  if ((yield load(ep, 'rr_hook', FN)) !== 0) return;
  const source: number = yield load(ep, 'rr_source', FN);
  if (source === 0) return;
  const hook = init_waitqueue_func_entry(c.m, 'ep_policy_callback', ep,
    `${c.m.arena.label(ep)}.rr_hook`);
  const pt: PollTable = {
    *qproc(c2: Ctx, _f: number, whead: number): Model<void> {
      yield* add_wait_queue(c2, whead, hook);
      yield store(ep, 'rr_whead', whead, FN);
    },
    key: 0, epi: 0,
  };
  yield* vfs_poll(c, source, pt);
  yield store(ep, 'rr_hook', hook, FN);
}

/** f_op->poll of an epoll file: a policy set attaches the caller and reads as its source. */
export function* ep_eventpoll_poll(c: Ctx, file: number, pt: PollTable | null, depth: number):
Model<number> {
  const ep = c.m.arena.objs[file]!.private_data as number;
  if (!isPolicy(c, ep)) return yield* ep_eventpoll_poll_classic(c, file, pt, depth);
  const o = c.m.arena.objs[ep]!;
  if (pt !== null && pt.qproc !== null) {
    yield* poll_wait(c, file, o.poll_wait as number, { ...pt, qproc: rr_nested_queue_proc });
    yield* rr_attach_source(c, ep);
  }
  const source: number = yield load(ep, 'rr_source', 'ep_eventpoll_poll');
  return source === 0 ? 0 : yield* vfs_poll(c, source, null);
}

/** rr-skip-idle: rotate past attached sets with no waiter; returns the first hook node. */
function* skip_idle(c: Ctx, head: number, first: number): Model<number> {
  let node = first;
  for (let i = attachedSets(c.m, c.m.arena.objs[head]!.owner as number).length; i > 1; i--) {
    const set = setOfHook(c.m, node);
    if (yield* waitqueue_active(c, c.m.arena.objs[set]!.wq as number)) break;
    yield* list_move_tail(c, node, head);
    node = yield load(head, 'next', 'ep_policy_callback');
  }
  return node;
}

/** ep_policy_callback(): the source woke up; wake ONE attached set, then rotate it last. */
export function* ep_policy_callback(c: Ctx, wait: number, _mode: number, _sync: number,
  key: number): Model<number> {
  const FN = 'ep_policy_callback';
  const m = c.m;
  const ep: number = yield load(wait, 'private', FN);
  const pw = m.arena.objs[ep]!.poll_wait as number;
  const head = wq_head(m, pw);
  const flags = yield* spin_lock_irqsave(c, wq_lock(m, pw));
  let first: number = yield load(head, 'next', FN);
  if (first !== head) {
    if (kernel(c).bug('rr-skip-idle')) first = yield* skip_idle(c, head, first);
    const attached = attachedSets(m, pw);
    const chosen = setOfHook(m, first);
    rrLog(m).push({ step: m.step, policy: ep, attached, chosen, hadWaiter: hasWaiter(m, chosen),
      waiterElsewhere: attached.some((s) => s !== chosen && hasWaiter(m, s)) });
    // Exactly one: every hook on the nested queue is exclusive and returns 1.
    yield* __wake_up_common(c, pw, TASK_NORMAL, 1, 0, key);
    if ((yield load(head, 'next', FN)) === first) yield* list_move_tail(c, first, head);
  }
  yield* spin_unlock_irqrestore(c, wq_lock(m, pw), flags);
  return 1;
}
registerWakeFunction('ep_policy_callback', ep_policy_callback);
