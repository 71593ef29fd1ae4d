/**
 * P5, spurious queueing and wake-ups: an ep_poll_callback() puts its item on the ready
 * list only for events the item watches and while it is armed, and an exclusive wait
 * entry's callback reports a wake (spends one of `__wake_up_common`'s exclusive budget)
 * only if the set had a waiter.
 *
 * The kernel (fs/eventpoll.c) ignores a disabled item (a spent EPOLLONESHOT, `events &
 * ~EP_PRIVATE_BITS` 0); since "epoll keyed wakeups" (v2.6.30) it drops a wakeup whose key
 * has none of the item's events ("not interested in these events"; before that any wakeup
 * queued an armed item, which a variant states with `features.keyedWakeups: false`); and
 * since df0108c5da56 (4.5) an EXCLUSIVE
 * item's callback returns 1 only when `ep->wq` had an entry. Allowed, so not reported: a
 * wakeup with no key (key 0 queues any armed item: the kernel cannot tell), a queued item
 * whose file is no longer ready by the time it is harvested (ep_item_poll re-polls), and an
 * exclusive waiter that was on `ep->wq` but already running (try_to_wake_up() finds it
 * awake; the kernel still counts the wake).
 *
 * Attribution: the ghost keeps a frame per running callback (pushed and popped by the wait
 * entry's registered function, outside the variant's code, so a variant that changes the
 * filters is still checked). After every step, a frame whose item turned queued in a step
 * of the callback's own context is a queueing by that callback; the item's events are the
 * union of what they were during the call, so a racing EPOLL_CTL_MOD is not a false report
 * (under lkmm, of every value the callback's CPU could still read).
 */
import type { MachineAccess } from '../../sim/context.ts';
import type { Machine, Observer } from '../../sim/machine.ts';
import type { EpKernel } from '../kernel.ts';
import type { CallbackFrame } from '../ghost.ts';
import { itemQueued } from './queued.ts';
import { EP_PRIVATE_BITS } from '../uapi.ts';

/** Whether the set's ep->wq has an entry now. */
export function hasWaiter(m: MachineAccess, ep: number): boolean {
  if (!m.arena.isLive(ep)) return false;
  const wq = m.arena.objs[ep]!.wq as number;
  if (!m.arena.isLive(wq)) return false;
  const head = m.arena.objs[wq]!.head as number;
  return m.memory.readGlobal(head, 'next') !== head;
}

/**
 * Brings a frame up to date after a step; returns a complaint or undefined. `keyed`: the
 * variant's callback filters on the wake key (Variant.features.keyedWakeups).
 */
export function observeFrame(m: Machine, f: CallbackFrame, byCallback: boolean,
  keyed = true): string | undefined {
  // Under lkmm the callback may read an older mask (a disarm or MOD it has not seen yet).
  if (m.arena.isLive(f.epi)) f.events |= m.memory.readableBits(f.ctx.cpu, f.epi, 'events');
  if (!f.waiter && hasWaiter(m, f.ep)) f.waiter = true;
  const q = itemQueued(m, f.epi, f.ctx.cpu);
  const was = f.queued;
  f.queued = q;
  if (!q || was || !byCallback) return undefined;
  const label = m.arena.label(f.epi);
  const watched = f.events & ~EP_PRIVATE_BITS;
  if (watched === 0) {
    return `${f.ctx.name} in ep_poll_callback queued ${label}, which was disarmed (events ` +
      `0x${(f.events >>> 0).toString(16)}: a spent EPOLLONESHOT) for the whole call`;
  }
  if (keyed && f.key !== 0 && (f.key & watched) === 0) {
    return `${f.ctx.name} in ep_poll_callback queued ${label} for a wakeup with key ` +
      `0x${(f.key >>> 0).toString(16)}, none of its events 0x${watched.toString(16)}`;
  }
  return undefined;
}

/** After the callback of `f` returned: an exclusive wake given with no waiter. */
export function exclusiveComplaint(m: MachineAccess, f: CallbackFrame): string | undefined {
  if (!f.exclusive || f.ret === undefined || f.ret === 0 || f.waiter) return undefined;
  return `${f.ctx.name}: ep_poll_callback of EXCLUSIVE ${m.arena.label(f.epi)} returned ` +
    `${f.ret} (a wake given, spending the waker's exclusive budget) but ` +
    `${m.arena.label(f.ep)} had no waiter on its wq during the call`;
}

/** The P5 spurious-queueing observer. */
export const spuriousQueueing: Observer = {
  name: 'P5-spurious-queueing',
  afterStep(m: Machine): void {
    const k = m.ext.ep as EpKernel | undefined;
    const frames = k?.ghost.frames;
    if (frames === undefined || frames.length === 0) return;
    const by = m.lastStepContext();
    // Stryker disable next-line LogicalOperator: observeFrame's keyed also defaults to true
    const keyed = k!.cfg.variant.features.keyedWakeups ?? true;
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      const queue = observeFrame(m, f, by !== null && by.id === f.ctx.id, keyed);
      const wake = queue === undefined ? exclusiveComplaint(m, f) : undefined;
      const bad = queue ?? wake;
      if (bad !== undefined) {
        m.report({ property: 'P5-event-semantics',
          kind: queue !== undefined ? 'spurious-queue' : 'spurious-exclusive-wake',
          message: bad, ctx: f.ctx.id, cpu: f.ctx.cpu });
        return;
      }
      if (f.ret !== undefined) frames.splice(i--, 1);
    }
  },
};
