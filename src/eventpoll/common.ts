/**
 * The functions every built-in variant's table has in common: do_epoll_ctl(), ep_find()
 * and the loop checks (ctl.ts, v6.18), eventpoll_release() (syscalls.ts), and the 6.4+
 * reference helpers ep_remove_safe() and ep_refcount_dec_and_test() (mainline/items.ts):
 * the model's EPOLL_CTL_DEL goes through ep_remove_safe() in every era (older eras keep the
 * set's refcount field in step but never read it).
 */
import { CTL_OPS } from './ctl.ts';
import { ep_refcount_dec_and_test, ep_remove_safe } from './mainline/items.ts';
import { eventpoll_release } from './syscalls.ts';
import type { EpOps } from './variant.ts';

/** The shared part of every built-in table (a variant spreads it, then its own). */
export const COMMON_OPS = {
  ...CTL_OPS, eventpoll_release, ep_remove_safe, ep_refcount_dec_and_test,
} as const satisfies Partial<EpOps>;
