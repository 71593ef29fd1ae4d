/**
 * fs/eventpoll.c @ v2.6.22 (seed 003): ep_events_transfer(), the single-pass
 * ep_send_events() and ep_eventpoll_poll().
 *
 * LOCKING: the transfer holds `ep->sem` for READING the whole time, which keeps items from
 * being freed (ctl and release take it for writing: seed 003, items 2 and 3); `ep->lock`
 * (write, IRQs saved) only to steal rdllist into the private txlist and to splice back what
 * is left. In between, for each item: poll it, copy it out, list_del() it (its rdllink stays
 * "linked" in the callback's eyes, so a callback now leaves it alone: item 5), then either
 * move it to the private injlist (level-triggered and still ready) or smp_mb() +
 * INIT_LIST_HEAD() (from then on a callback can queue it again). At the end, under the
 * lock, txlist leftovers (maxevents reached) and injlist go back to rdllist and every waiter
 * is woken (item 4). Two transfers can run at once: each has stolen its own list.
 *
 * Invariant I-a2 of this design: an ET edge that arrives after the poll and before the
 * INIT_LIST_HEAD() is swallowed; harmless only under the ET contract (read until EAGAIN).
 */
import { read_lock_irqsave, read_unlock_irqrestore, write_lock_irqsave,
  write_unlock_irqrestore } from '../../locks/rwlock.ts';
import { down_read, up_read } from '../../locks/rwsem.ts';
import {
  INIT_LIST_HEAD, list_add_tail, list_del, list_del_init, list_empty, list_entry,
  list_head_alloc,
  list_splice,
} from '../../queues/list.ts';
import type { Ctx } from '../../sim/context.ts';
import { load, smp_mb, store, WRITE_ONCE } from '../../sim/mem.ts';
import type { Model } from '../../sim/op.ts';
import { poll_wait, vfs_poll, type PollTable } from '../file.ts';
import { kernel } from '../kernel.ts';
import { deliveredCheck } from '../mainline/scan.ts';
import { EPOLLET, EPOLLIN, EPOLLONESHOT, EPOLLRDNORM, type EpollEvent } from '../uapi.ts';
import { EP_PRIVATE_BITS_2622, ep_wake_locked } from './callback.ts';

/** `epi->ffd.file->f_op->poll(epi->ffd.file, pt)`: unmasked, as v2.6.22 calls it. */
export function* ep_file_poll(c: Ctx, epi: number, pt: PollTable | null): Model<number> {
  const file: number = yield load(epi, 'ffd_file', 'f_op->poll');
  if (c.m.arena.objs[file]!.f_op !== 'eventpoll') return yield* vfs_poll(c, file, pt);
  return yield* kernel(c).ops.ep_eventpoll_poll(c, file, pt, 1);
}

/** ep_send_events() of v2.6.22: the single pass over the private txlist. */
export function* ep_send_events(c: Ctx, ep: number, txlist: number, out: EpollEvent[],
  maxevents: number): Model<number> {
  const FN = 'ep_send_events';
  const k = kernel(c);
  const o = c.m.arena.objs[ep]!;
  const injlist = list_head_alloc(c.m, 0, `injlist@${c.name}`);
  let eventcnt = 0;
  let pwake = false;
  for (;;) {
    const first: number = yield load(txlist, 'next', FN);
    if (first === txlist || eventcnt >= maxevents) break;
    const epi = list_entry(c.m, first);
    k.ghost.consume(epi);
    let revents = yield* ep_file_poll(c, epi, null);
    revents &= (yield load(epi, 'events', FN)) as number;
    if (revents) {
      const data: number = yield load(epi, 'data', FN);
      out.push({ events: revents, data });
      deliveredCheck(c, epi, revents);
      const events: number = yield load(epi, 'events', FN);
      if (events & EPOLLONESHOT && !k.bug('fault:no-oneshot-disarm')) {
        yield store(epi, 'events', events & EP_PRIVATE_BITS_2622, FN);
      }
      eventcnt++;
    }
    // list_del() leaves rdllink poisoned, never its own address: still "linked" for the
    // callback, which therefore cannot touch the item (seed 003, item 5). The mutant
    // `transit-del-init` re-initialises it here instead, so the item looks unlinked.
    if (k.bug('transit-del-init')) yield* list_del_init(c, first);
    else yield* list_del(c, first);
    const events: number = yield load(epi, 'events', FN);
    if (!(events & EPOLLET) && revents & events) {
      yield* list_add_tail(c, first, injlist);
    } else {
      // "Be sure the item is totally detached before re-init the list_head." The two
      // stores of INIT_LIST_HEAD (next, then prev) are a window of their own: see index.ts.
      yield smp_mb(FN);
      if (k.bug('init-prev-first')) {
        yield store(first, 'prev', first, 'INIT_LIST_HEAD');
        yield WRITE_ONCE(first, 'next', first, 'INIT_LIST_HEAD');
      } else {
        yield* INIT_LIST_HEAD(c, first);
      }
    }
  }
  // Re-splice the leftovers and the re-injection list, and do the proper wakeups.
  if (!(yield* list_empty(c, injlist, FN)) || !(yield* list_empty(c, txlist, FN))) {
    const flags = yield* write_lock_irqsave(c, o.lock as number);
    yield* list_splice(c, txlist, o.rdllist as number);
    yield* list_splice(c, injlist, o.rdllist as number);
    pwake = yield* ep_wake_locked(c, ep);
    yield* write_unlock_irqrestore(c, o.lock as number, flags);
  }
  c.m.free(c, injlist, FN);
  if (pwake) yield* k.ops.ep_poll_safewake(c, ep, 0, 0);
  return eventcnt;
}

/** ep_events_transfer() of v2.6.22. */
export function* ep_events_transfer(c: Ctx, ep: number, out: EpollEvent[], maxevents: number):
Model<number> {
  const FN = 'ep_events_transfer';
  const o = c.m.arena.objs[ep]!;
  const txlist = list_head_alloc(c.m, 0, `txlist@${c.name}`);
  // "We need to lock this because we could be hit by eventpoll_release_file() and
  // epoll_ctl(EPOLL_CTL_DEL)."
  yield* down_read(c, o.sem as number);
  const flags = yield* write_lock_irqsave(c, o.lock as number);
  // Steal the ready list: list_splice(&ep->rdllist, &txlist); INIT_LIST_HEAD(&ep->rdllist).
  yield* list_splice(c, o.rdllist as number, txlist);
  yield* INIT_LIST_HEAD(c, o.rdllist as number);
  yield* write_unlock_irqrestore(c, o.lock as number, flags);
  const eventcnt = yield* ep_send_events(c, ep, txlist, out, maxevents);
  yield* up_read(c, o.sem as number);
  c.m.free(c, txlist, FN);
  return eventcnt;
}

/** ep_eventpoll_poll() of v2.6.22: readable when rdllist is not empty (no re-poll). */
export function* ep_eventpoll_poll(c: Ctx, file: number, pt: PollTable | null, _depth: number):
Model<number> {
  const ep = c.m.arena.objs[file]!.private_data as number;
  const o = c.m.arena.objs[ep]!;
  yield* poll_wait(c, file, o.poll_wait as number, pt);
  const flags = yield* read_lock_irqsave(c, o.lock as number);
  const empty = yield* list_empty(c, o.rdllist as number, 'ep_eventpoll_poll');
  yield* read_unlock_irqrestore(c, o.lock as number, flags);
  return empty ? 0 : EPOLLIN | EPOLLRDNORM;
}
