/**
 * Variant `roundrobin-rfc`: the wakeup-policy layer Jason Baron proposed in "Re: [PATCH v2
 * 2/2] epoll: introduce EPOLLEXCLUSIVE and EPOLLROUNDROBIN" (2015-02-18, seed 004), with
 * the round-robin policy; never posted as code, so this is the design derived from the
 * thread, on top of exclusive-4.5 (the code base of the time; everything not listed below is
 * that variant's).
 *
 * The proposal, and how it is modelled:
 * 1. `ep1 = epoll_create1(EPOLL_POLICY)` creates a policy set, local to the process. The
 *    scenario language has no epoll_create1 flags, so in this variant a set whose name
 *    starts with `rr` is created with EPOLL_POLICY (`ep->rr_policy`).
 * 2. `epoll_ctl(ep1, EPOLL_CTL_ADD, fd_source, NULL)` "associates ep1 with the event
 *    source. ep1 can be associated with or added to at most 1 wakeup source. This call
 *    would largely just form the association, but not queue anything to the fd_source wait
 *    queue." Modelled: an item for the source (so DEL and close clean up as usual), kept on
 *    ep1's rdllist so that the checkers read ep1 as ready exactly when the source is; a
 *    second source is -EINVAL.
 * 3. `epoll_ctl(ep2, EPOLL_CTL_ADD, ep1, event)` (and ep3, ep4, ...): "the first add would
 *    actually queue the callback to the fd_source. While the subsequent calls would simply
 *    queue things to the 'nested' wakeup queue associated with ep1." Modelled in ep1's
 *    f_op->poll: the outer set's hook goes on ep1's `poll_wait` as an EXCLUSIVE entry, and
 *    the first time, ep1 registers its single hook (`ep_policy_callback`, non-exclusive, so
 *    the source's queue "continues to be 'wake all'") on the source's wait queue. Polling
 *    ep1 returns the source's readiness.
 * 4. The policy: each wakeup of the source runs ep_policy_callback(), which under ep1's
 *    `poll_wait` lock wakes exactly one attached set (__wake_up_common with nr_exclusive 1:
 *    the first exclusive hook, whose ep_poll_callback returns 1) and moves that hook to the
 *    tail, so the next wakeup goes to the next set: round robin "in turn". (The same
 *    rotation as EPOLLROUNDROBIN in v2 of the series.)
 * Switch `rr-skip-idle`: the v2 idea that a set without a waiting thread should not absorb
 * the wakeup ("ep_poll_callback returns 1 only when there are current waiters"): the policy
 * rotates past attached sets whose ep->wq is empty (a lockless peek) and wakes the first
 * one with a waiter, or the next in turn if none has.
 *
 * Every decision is logged for the tests in `m.ext.rr` (ghost bookkeeping, not kernel
 * state): which set was chosen, and whether it, or another attached set, had a waiter.
 */
import { registerVariant, type Variant } from '../variant.ts';
import { exclusive45 } from '../exclusive-4.5/index.ts';
import { ep_alloc_rr, ep_eventpoll_poll, ep_insert, ep_remove } from './policy.ts';

/** roundrobin-rfc. */
export const roundrobin: Variant = registerVariant({
  name: 'roundrobin-rfc',
  follows: 'the EPOLL_POLICY round-robin layer proposed by Jason Baron (seed 004, ' +
    '2015-02-18), as derived from the thread, on exclusive-4.5',
  locking: `${exclusive45.locking}
A policy set's poll_wait.lock orders its round-robin rotation; the policy callback takes it
inside the source's wait-queue lock, and calls the chosen set's ep_poll_callback under it.`,
  lockOrder: [...exclusive45.lockOrder, 'ep->poll_wait.lock'],
  bugs: [
    { id: 'rr-skip-idle', summary: 'the policy skips attached sets with no waiting thread ' +
      '(the v2 "return 1 only when there are current waiters" idea)' },
    ...exclusive45.bugs,
  ],
  features: exclusive45.features,
  ops: { ...exclusive45.ops, ep_alloc: ep_alloc_rr, ep_insert, ep_remove, ep_eventpoll_poll },
});
