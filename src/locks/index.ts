/**
 * The locking and sleeping primitives of the model (src/locks), for eventpoll and tests:
 * spinlock_t, rwlock_t (qrwlock), struct mutex, rw_semaphore, wait queues, the sleep/wake
 * protocol, interrupt masking, lockdep-lite and a minimal RCU (rcu.ts). No logic here.
 */
export * from './irq.ts';
export * from './lockdep.ts';
export * from './lockdep-context.ts';
export { siteText, type LockSite } from './lockdep-graph.ts';
export * from './spinlock.ts';
export * from './rwlock.ts';
export * from './mutex.ts';
export * from './rwsem.ts';
export * from './sched.ts';
export * from './waitqueue.ts';
export * from './rcu.ts';
export { arch_spin_lock, arch_spin_unlock } from './arch-spinlock.ts';
