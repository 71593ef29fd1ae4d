/**
 * A worked example for docs/own-variant.md: "my eventpoll patch" as a variant.
 *
 * The idea being tried: drop ovflist. While a harvester scans, it has spliced rdllist away
 * onto its private txlist, so rdllist is empty and, one might think, free: let
 * ep_poll_callback queue straight onto it, under ep->lock as usual, instead of chaining
 * onto ovflist for ep_done_scan to requeue. One list fewer, no LIFO reversal, no sentinel.
 *
 * `my-callback` is that patch: mainline-6.18 with ep_poll_callback replaced. The simulator
 * finds what is wrong with it (run `npm run example:own-variant`, or read the test in
 * test/zoo/own-variant.spec.ts). `my-callback-fixed` keeps the patch's shape but chains
 * onto ovflist during a scan again, which is what the kernel does.
 *
 * It imports the package by name (`eventpoll-sim`, `eventpoll-sim/model`), as a user's
 * module would. Load it into the CLI with node's --import (it registers both variants by
 * name; tsx runs the TypeScript):
 *   node --import tsx --import ./examples/my-callback.ts bin/eventpoll-sim.js \
 *     fuzz --variant my-callback --scenario my-lt-harvest --strategy pct
 */
import { defineVariant, type Scenario } from 'eventpoll-sim';
// Model building blocks, under the kernel's names. mainline-6.18's own helpers are in the
// `mainline` namespace (each built-in variant has one).
import {
  EP_PRIVATE_BITS, EP_UNACTIVE_PTR, EPOLLEXCLUSIVE, READ_ONCE, WRITE_ONCE, ep_pm_stay_awake,
  list_add_tail, load, mainline, spin_lock_irqsave, spin_unlock_irqrestore, store,
  waitqueue_active, wake_up, type Ctx, type Model,
} from 'eventpoll-sim/model';

const { ep_is_linked, ep_item_from_wait, ep_poll_safewake, exclusiveWake } = mainline;

const FN = 'ep_poll_callback';

/**
 * My ep_poll_callback(). `keepOvflist` false is the patch; true puts the ovflist branch
 * back. Every shared access is a `yield` of an op (load, store, a lock): each one is a
 * point where the simulator may switch to another CPU or take an interrupt.
 */
function* my_ep_poll_callback(keepOvflist: boolean, c: Ctx, wait: number, key: number):
Model<number> {
  const epi = ep_item_from_wait(c, wait);
  const ep: number = yield load(epi, 'ep', FN);
  const o = c.m.arena.objs[ep]!;
  let ewake = 0;
  let pwake = false;
  const flags = yield* spin_lock_irqsave(c, o.lock as number);
  const events: number = yield load(epi, 'events', FN);
  out: {
    if (!(events & ~EP_PRIVATE_BITS)) break out; // a spent EPOLLONESHOT
    if (key && !(key & events)) break out; // not an event this item waits for
    const ovflist: number = yield READ_ONCE(ep, 'ovflist', FN);
    if (keepOvflist && ovflist !== EP_UNACTIVE_PTR) {
      // A scan is running: chain onto ovflist; ep_done_scan requeues the item.
      if ((yield load(epi, 'next', FN)) === EP_UNACTIVE_PTR) {
        yield store(epi, 'next', ovflist, FN);
        yield WRITE_ONCE(ep, 'ovflist', epi, FN);
        yield* ep_pm_stay_awake(c, epi);
      }
    } else if (!(yield* ep_is_linked(c, epi))) {
      // THE PATCH: queue onto rdllist even while a harvester scans.
      yield* list_add_tail(c, c.m.arena.objs[epi]!.rdllink as number, o.rdllist as number);
      yield* ep_pm_stay_awake(c, epi);
    }
    if (yield* waitqueue_active(c, o.wq as number)) {
      ewake = exclusiveWake(events, key);
      yield* wake_up(c, o.wq as number);
    }
    pwake = yield* waitqueue_active(c, o.poll_wait as number);
  }
  yield* spin_unlock_irqrestore(c, o.lock as number, flags);
  if (pwake) yield* ep_poll_safewake(c, ep, epi, 0);
  return events & EPOLLEXCLUSIVE ? ewake : 1;
}

/** The patch: mainline-6.18 with my ep_poll_callback (no ovflist). */
export const myCallback = defineVariant({
  name: 'my-callback',
  base: 'mainline-6.18',
  follows: 'mainline-6.18 with a patched ep_poll_callback: no ovflist, queue onto rdllist ' +
    'during a scan (docs/own-variant.md)',
  ops: { ep_poll_callback: (c, wait, _mode, _sync, key) => my_ep_poll_callback(false, c, wait, key) },
});

/** The patch with the ovflist branch put back. */
export const myCallbackFixed = defineVariant({
  name: 'my-callback-fixed',
  base: 'mainline-6.18',
  follows: 'my-callback with the ovflist branch restored (docs/own-variant.md)',
  ops: { ep_poll_callback: (c, wait, _mode, _sync, key) => my_ep_poll_callback(true, c, wait, key) },
});

/**
 * A scenario for the patch: a harvester takes a level-triggered item (which it re-queues on
 * rdllist itself, without ep->lock, while it scans) while device interrupts signal two
 * edge-triggered items of the same set.
 */
export const MY_LT_HARVEST: Scenario = {
  name: 'my-lt-harvest',
  description: 'an LT item harvested while interrupts signal two ET items of the set',
  cpus: 3,
  files: [{ name: 'a', type: 'eventfd', init: 1 }, { name: 'b', type: 'eventfd' },
    { name: 'c', type: 'eventfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'a', events: ['IN'] }, { set: 'ep', fd: 'b', events: ['IN', 'ET'] },
    { set: 'ep', fd: 'c', events: ['IN', 'ET'] }],
  tasks: [{ name: 'T1', cpu: 0, program: [
    { op: 'epoll_wait', set: 'ep', maxevents: 3, timeout: -1 },
    { op: 'epoll_wait', set: 'ep', maxevents: 3, timeout: -1 },
  ] }],
  irqs: [{ name: 'irqB', cpu: 1, fd: 'b', count: 1 }, { name: 'irqC', cpu: 2, fd: 'c', count: 1 }],
};
