/**
 * The kernel's memory-model litmus tests (tools/memory-model/litmus-tests/, as of v6.18),
 * re-expressed in this project's litmus format (litmus/parse.ts), each under the kernel
 * test's name and with the Result it states. Shared variables start at 0 unless `init`
 * says otherwise.
 *
 * Older names of the same tests (IRIW+mbonceonces+OnceOnce, R+mbonceonces, SB+mbonceonces,
 * MP+wmbonceonce+rmbonceonce, S+wmbonceonce+poacquireonce, WRC+pooncerelease+rmbonceonce+Once,
 * LB+ctrlonceonce+mbonceonce, Z6.0+pooncerelease+poacquirerelease+mbonceonce) are the
 * fencemb/fencewmb/fencermb tests below under their earlier spelling, not ported twice.
 */
import type { LitmusSource } from './parse.ts';

/** A ported test; `gap` says why the model's verdict differs from the stated Result. */
export interface PortedTest extends LitmusSource {
  gap?: string;
}

/** Why a load-buffering test whose Result is Sometimes reads Never here. */
const NO_LB = 'load buffering: a load reads a write that exists when it executes, so no ' +
  'load is satisfied after a later store of its CPU became visible';

/** Every ported test. */
export const LITMUS_TESTS: readonly PortedTest[] = [
  { name: 'CoRR+poonceonce+Once', result: 'Never',
    procs: ['WRITE_ONCE(x, 1)', 'r0 = READ_ONCE(x); r1 = READ_ONCE(x)'],
    exists: '1:r0=1 /\\ 1:r1=0' },
  { name: 'CoRW+poonceonce+Once', result: 'Never',
    procs: ['r0 = READ_ONCE(x); WRITE_ONCE(x, 1)', 'WRITE_ONCE(x, 2)'],
    exists: 'x=2 /\\ 0:r0=2' },
  { name: 'CoWR+poonceonce+Once', result: 'Never',
    procs: ['WRITE_ONCE(x, 1); r0 = READ_ONCE(x)', 'WRITE_ONCE(x, 2)'],
    exists: 'x=1 /\\ 0:r0=2' },
  { name: 'CoWW+poonceonce', result: 'Never',
    procs: ['WRITE_ONCE(x, 1); WRITE_ONCE(x, 2)'],
    exists: 'x=1' },
  { name: 'IRIW+fencembonceonces+OnceOnce', result: 'Never',
    procs: ['WRITE_ONCE(x, 1)', 'r0 = READ_ONCE(x); smp_mb(); r1 = READ_ONCE(y)',
      'WRITE_ONCE(y, 1)', 'r0 = READ_ONCE(y); smp_mb(); r1 = READ_ONCE(x)'],
    exists: '1:r0=1 /\\ 1:r1=0 /\\ 3:r0=1 /\\ 3:r1=0' },
  { name: 'IRIW+poonceonces+OnceOnce', result: 'Sometimes',
    procs: ['WRITE_ONCE(x, 1)', 'r0 = READ_ONCE(x); r1 = READ_ONCE(y)',
      'WRITE_ONCE(y, 1)', 'r0 = READ_ONCE(y); r1 = READ_ONCE(x)'],
    exists: '1:r0=1 /\\ 1:r1=0 /\\ 3:r0=1 /\\ 3:r1=0' },
  { name: 'ISA2+pooncelock+pooncelock+pombonce', result: 'Never',
    procs: ['spin_lock(s); WRITE_ONCE(x, 1); WRITE_ONCE(y, 1); spin_unlock(s)',
      'spin_lock(s); r0 = READ_ONCE(y); WRITE_ONCE(z, 1); spin_unlock(s)',
      'r2 = READ_ONCE(z); smp_mb(); r1 = READ_ONCE(x)'],
    exists: '1:r0=1 /\\ 2:r2=1 /\\ 2:r1=0' },
  { name: 'ISA2+poonceonces', result: 'Sometimes',
    procs: ['WRITE_ONCE(x, 1); WRITE_ONCE(y, 1)', 'r0 = READ_ONCE(y); WRITE_ONCE(z, 1)',
      'r0 = READ_ONCE(z); r1 = READ_ONCE(x)'],
    exists: '1:r0=1 /\\ 2:r0=1 /\\ 2:r1=0' },
  { name: 'ISA2+pooncerelease+poacquirerelease+poacquireonce', result: 'Never',
    procs: ['WRITE_ONCE(x, 1); smp_store_release(y, 1)',
      'r0 = smp_load_acquire(y); smp_store_release(z, 1)',
      'r0 = smp_load_acquire(z); r1 = READ_ONCE(x)'],
    exists: '1:r0=1 /\\ 2:r0=1 /\\ 2:r1=0' },
  { name: 'LB+fencembonceonce+ctrlonceonce', result: 'Never',
    procs: ['r0 = READ_ONCE(x); if (r0) WRITE_ONCE(y, 1)',
      'r0 = READ_ONCE(y); smp_mb(); WRITE_ONCE(x, 1)'],
    exists: '0:r0=1 /\\ 1:r0=1' },
  { name: 'LB+poacquireonce+pooncerelease', result: 'Never',
    procs: ['r0 = READ_ONCE(x); smp_store_release(y, 1)',
      'r0 = smp_load_acquire(y); WRITE_ONCE(x, 1)'],
    exists: '0:r0=1 /\\ 1:r0=1' },
  { name: 'LB+poonceonces', result: 'Sometimes', gap: NO_LB,
    procs: ['r0 = READ_ONCE(x); WRITE_ONCE(y, 1)', 'r0 = READ_ONCE(y); WRITE_ONCE(x, 1)'],
    exists: '0:r0=1 /\\ 1:r0=1' },
  { name: 'LB+unlocklockonceonce+poacquireonce', result: 'Never',
    procs: ['spin_lock(s); r1 = READ_ONCE(x); spin_unlock(s); spin_lock(t); ' +
      'WRITE_ONCE(y, 1); spin_unlock(t)', 'r2 = smp_load_acquire(y); WRITE_ONCE(x, 1)'],
    exists: '0:r1=1 /\\ 1:r2=1' },
  { name: 'MP+fencewmbonceonce+fencermbonceonce', result: 'Never',
    procs: ['WRITE_ONCE(x, 1); smp_wmb(); WRITE_ONCE(y, 1)',
      'r0 = READ_ONCE(y); smp_rmb(); r1 = READ_ONCE(x)'],
    exists: '1:r0=1 /\\ 1:r1=0' },
  { name: 'MP+onceassign+derefonce', result: 'Never', init: 'y=&z',
    procs: ['WRITE_ONCE(x, 1); rcu_assign_pointer(y, &x)',
      'r0 = rcu_dereference(y); r1 = READ_ONCE(*r0)'],
    exists: '1:r0=&x /\\ 1:r1=0' },
  { name: 'MP+polockmbonce+poacquiresilsil', result: 'Never',
    procs: ['spin_lock(lo); smp_mb__after_spinlock(); WRITE_ONCE(x, 1); spin_unlock(lo)',
      'r1 = smp_load_acquire(x); r2 = spin_is_locked(lo); r3 = spin_is_locked(lo)'],
    exists: '1:r1=1 /\\ 1:r2=0 /\\ 1:r3=1' },
  { name: 'MP+polockonce+poacquiresilsil', result: 'Sometimes',
    procs: ['spin_lock(lo); WRITE_ONCE(x, 1); spin_unlock(lo)',
      'r1 = smp_load_acquire(x); r2 = spin_is_locked(lo); r3 = spin_is_locked(lo)'],
    exists: '1:r1=1 /\\ 1:r2=0 /\\ 1:r3=1' },
  { name: 'MP+polocks', result: 'Never',
    procs: ['WRITE_ONCE(x, 1); spin_lock(s); WRITE_ONCE(y, 1); spin_unlock(s)',
      'spin_lock(s); r0 = READ_ONCE(y); spin_unlock(s); r1 = READ_ONCE(x)'],
    exists: '1:r0=1 /\\ 1:r1=0' },
  { name: 'MP+poonceonces', result: 'Sometimes',
    procs: ['WRITE_ONCE(x, 1); WRITE_ONCE(y, 1)', 'r0 = READ_ONCE(y); r1 = READ_ONCE(x)'],
    exists: '1:r0=1 /\\ 1:r1=0' },
  { name: 'MP+pooncerelease+poacquireonce', result: 'Never',
    procs: ['WRITE_ONCE(x, 1); smp_store_release(y, 1)',
      'r0 = smp_load_acquire(y); r1 = READ_ONCE(x)'],
    exists: '1:r0=1 /\\ 1:r1=0' },
  { name: 'MP+porevlocks', result: 'Never',
    procs: ['spin_lock(s); WRITE_ONCE(x, 1); spin_unlock(s); WRITE_ONCE(y, 1)',
      'r0 = READ_ONCE(y); spin_lock(s); r1 = READ_ONCE(x); spin_unlock(s)'],
    exists: '1:r0=1 /\\ 1:r1=0' },
  { name: 'MP+unlocklockonceonce+fencermbonceonce', result: 'Never',
    procs: ['spin_lock(s); WRITE_ONCE(x, 1); spin_unlock(s); spin_lock(t); ' +
      'WRITE_ONCE(y, 1); spin_unlock(t)', 'r1 = READ_ONCE(y); smp_rmb(); r2 = READ_ONCE(x)'],
    exists: '1:r1=1 /\\ 1:r2=0' },
  { name: 'R+fencembonceonces', result: 'Never',
    procs: ['WRITE_ONCE(x, 1); smp_mb(); WRITE_ONCE(y, 1)',
      'WRITE_ONCE(y, 2); smp_mb(); r0 = READ_ONCE(x)'],
    exists: 'y=2 /\\ 1:r0=0' },
  { name: 'R+poonceonces', result: 'Sometimes',
    procs: ['WRITE_ONCE(x, 1); WRITE_ONCE(y, 1)', 'WRITE_ONCE(y, 2); r0 = READ_ONCE(x)'],
    exists: 'y=2 /\\ 1:r0=0' },
  { name: 'S+fencewmbonceonce+poacquireonce', result: 'Never',
    procs: ['WRITE_ONCE(x, 2); smp_wmb(); WRITE_ONCE(y, 1)',
      'r0 = smp_load_acquire(y); WRITE_ONCE(x, 1)'],
    exists: 'x=2 /\\ 1:r0=1' },
  { name: 'S+poonceonces', result: 'Sometimes',
    procs: ['WRITE_ONCE(x, 2); WRITE_ONCE(y, 1)', 'r0 = READ_ONCE(y); WRITE_ONCE(x, 1)'],
    exists: 'x=2 /\\ 1:r0=1' },
  { name: 'SB+fencembonceonces', result: 'Never',
    procs: ['WRITE_ONCE(x, 1); smp_mb(); r0 = READ_ONCE(y)',
      'WRITE_ONCE(y, 1); smp_mb(); r0 = READ_ONCE(x)'],
    exists: '0:r0=0 /\\ 1:r0=0' },
  { name: 'SB+poonceonces', result: 'Sometimes',
    procs: ['WRITE_ONCE(x, 1); r0 = READ_ONCE(y)', 'WRITE_ONCE(y, 1); r0 = READ_ONCE(x)'],
    exists: '0:r0=0 /\\ 1:r0=0' },
  { name: 'SB+rfionceonce-poonceonces', result: 'Sometimes',
    procs: ['WRITE_ONCE(x, 1); r1 = READ_ONCE(x); r2 = READ_ONCE(y)',
      'WRITE_ONCE(y, 1); r3 = READ_ONCE(y); r4 = READ_ONCE(x)'],
    exists: '0:r2=0 /\\ 1:r4=0' },
  { name: 'WRC+poonceonces+Once', result: 'Sometimes',
    procs: ['WRITE_ONCE(x, 1)', 'r0 = READ_ONCE(x); WRITE_ONCE(y, 1)',
      'r0 = READ_ONCE(y); r1 = READ_ONCE(x)'],
    exists: '1:r0=1 /\\ 2:r0=1 /\\ 2:r1=0' },
  { name: 'WRC+pooncerelease+fencermbonceonce+Once', result: 'Never',
    procs: ['WRITE_ONCE(x, 1)', 'r0 = READ_ONCE(x); smp_store_release(y, 1)',
      'r0 = READ_ONCE(y); smp_rmb(); r1 = READ_ONCE(x)'],
    exists: '1:r0=1 /\\ 2:r0=1 /\\ 2:r1=0' },
  { name: 'Z6.0+pooncelock+poonceLock+pombonce', result: 'Never',
    procs: ['spin_lock(s); WRITE_ONCE(x, 1); WRITE_ONCE(y, 1); spin_unlock(s)',
      'spin_lock(s); smp_mb__after_spinlock(); r0 = READ_ONCE(y); WRITE_ONCE(z, 1); ' +
      'spin_unlock(s)', 'WRITE_ONCE(z, 2); smp_mb(); r1 = READ_ONCE(x)'],
    exists: '1:r0=1 /\\ z=2 /\\ 2:r1=0' },
  { name: 'Z6.0+pooncelock+pooncelock+pombonce', result: 'Sometimes',
    procs: ['spin_lock(s); WRITE_ONCE(x, 1); WRITE_ONCE(y, 1); spin_unlock(s)',
      'spin_lock(s); r0 = READ_ONCE(y); WRITE_ONCE(z, 1); spin_unlock(s)',
      'WRITE_ONCE(z, 2); smp_mb(); r1 = READ_ONCE(x)'],
    exists: '1:r0=1 /\\ z=2 /\\ 2:r1=0' },
  { name: 'Z6.0+pooncerelease+poacquirerelease+fencembonceonce', result: 'Sometimes',
    procs: ['WRITE_ONCE(x, 1); smp_store_release(y, 1)',
      'r0 = smp_load_acquire(y); smp_store_release(z, 1)',
      'WRITE_ONCE(z, 2); smp_mb(); r1 = READ_ONCE(x)'],
    exists: '1:r0=1 /\\ z=2 /\\ 2:r1=0' },
  { name: 'dep+plain', result: 'Never',
    procs: ['r0 = READ_ONCE(x); store(z1, r0); r1 = load(z1); store(z2, r1); ' +
      'r2 = load(z2); if (r2 == 1) WRITE_ONCE(y, 1)',
      'r0 = smp_load_acquire(y); smp_store_release(x, r0)'],
    exists: 'x=1 /\\ y=1' },
];

/**
 * The kernel's Documentation/litmus-tests/ (atomic/, locking/ and rcu/, v6.18) that this
 * format expresses. Not ported: Atomic-RMW-ops-are-atomic-WRT-atomic_set (atomic_add_unless
 * is not an op of the model), RM-broken and RM-fixed (a `filter` clause and the DEADLOCK
 * result). The rcu/ tests run the machine's grace periods (sim/rcu.ts, locks/rcu.ts).
 */
export const DOC_LITMUS_TESTS: readonly PortedTest[] = [
  { name: 'Atomic-RMW+mb__after_atomic-is-stronger-than-acquire', result: 'Never',
    procs: ['r0 = READ_ONCE(x); smp_rmb(); r1 = READ_ONCE(y)',
      'atomic_add(y, 1); smp_mb__after_atomic(); WRITE_ONCE(x, 1)'],
    exists: '0:r0=1 /\\ 0:r1=0' },
  { name: 'cmpxchg-fail-ordered-1', result: 'Never',
    procs: ['WRITE_ONCE(x, 1); r1 = cmpxchg(z, 1, 0); smp_mb__after_atomic(); ' +
      'r0 = READ_ONCE(y)', 'WRITE_ONCE(y, 1); r1 = cmpxchg(z, 1, 0); ' +
      'smp_mb__after_atomic(); r0 = READ_ONCE(x)'],
    exists: '0:r0=0 /\\ 1:r0=0' },
  { name: 'cmpxchg-fail-ordered-2', result: 'Never',
    procs: ['WRITE_ONCE(x, 1); r1 = cmpxchg(y, 0, 1)',
      'r1 = cmpxchg(y, 0, 1); smp_mb__after_atomic(); r2 = READ_ONCE(x)'],
    exists: '0:r1=0 /\\ 1:r1=1 /\\ 1:r2=0' },
  { name: 'cmpxchg-fail-unordered-1', result: 'Sometimes',
    procs: ['WRITE_ONCE(x, 1); r1 = cmpxchg(z, 1, 0); r0 = READ_ONCE(y)',
      'WRITE_ONCE(y, 1); r1 = cmpxchg(z, 1, 0); r0 = READ_ONCE(x)'],
    exists: '0:r0=0 /\\ 1:r0=0' },
  { name: 'cmpxchg-fail-unordered-2', result: 'Sometimes',
    procs: ['WRITE_ONCE(x, 1); r1 = cmpxchg(y, 0, 1)',
      'r1 = cmpxchg(y, 0, 1); r2 = READ_ONCE(x)'],
    exists: '0:r1=0 /\\ 1:r1=1 /\\ 1:r2=0' },
  { name: 'DCL-broken', result: 'Sometimes',
    procs: [0, 1].map(() => 'r0 = READ_ONCE(flag); if (r0 == 0) spin_lock(lck); ' +
      'if (r0 == 0) r1 = READ_ONCE(flag); if (r0 == 0 && r1 == 0) WRITE_ONCE(data, 1); ' +
      'if (r0 == 0 && r1 == 0) WRITE_ONCE(flag, 1); if (r0 == 0) spin_unlock(lck); ' +
      'r2 = READ_ONCE(data)'),
    exists: '0:r2=0 \\/ 1:r2=0' },
  { name: 'DCL-fixed', result: 'Never',
    procs: [0, 1].map(() => 'r0 = smp_load_acquire(flag); if (r0 == 0) spin_lock(lck); ' +
      'if (r0 == 0) r1 = READ_ONCE(flag); if (r0 == 0 && r1 == 0) WRITE_ONCE(data, 1); ' +
      'if (r0 == 0 && r1 == 0) smp_store_release(flag, 1); if (r0 == 0) spin_unlock(lck); ' +
      'r2 = READ_ONCE(data)'),
    exists: '0:r2=0 \\/ 1:r2=0' },
  // A reader that saw the old pointer cannot see the write after the grace period.
  { name: 'RCU+sync+free', result: 'Never', init: 'x=1; y=&x; z=1',
    procs: ['rcu_read_lock(); r0 = rcu_dereference(y); r1 = READ_ONCE(*r0); rcu_read_unlock()',
      'rcu_assign_pointer(y, &z); synchronize_rcu(); WRITE_ONCE(x, 0)'],
    exists: '0:r0=&x /\\ 0:r1=0' },
  // A reader that sees a write after the grace period sees every write before it.
  { name: 'RCU+sync+read', result: 'Never',
    procs: ['rcu_read_lock(); r0 = READ_ONCE(x); r1 = READ_ONCE(y); rcu_read_unlock()',
      'WRITE_ONCE(x, 1); synchronize_rcu(); WRITE_ONCE(y, 1)'],
    exists: '0:r0=0 /\\ 0:r1=1' },
];
