/**
 * Runs a litmus test (litmus/parse.ts) on the machine: one task per process, each on its own
 * CPU, every shared variable an object of its own (field `v`), every lock a spinlock_t; the
 * search (sim/schedulers/dpor.ts, which under lkmm tries every write each load may read)
 * enumerates the executions, and the `exists` clause is evaluated at the end of each. The
 * model's verdict is Always (every execution satisfies it), Sometimes or Never, as herd7
 * reports for the kernel's model (tools/memory-model/README).
 */
import { rcu_read_lock, rcu_read_unlock, synchronize_rcu } from '../locks/rcu.ts';
import { spin_is_locked, spin_lock, spin_lock_init, spin_unlock } from '../locks/spinlock.ts';
import { SimUsageError } from '../sim/errors.ts';
import { Machine } from '../sim/machine.ts';
import * as mem from '../sim/mem.ts';
import type { MemoryMode } from '../sim/memory.ts';
import type { Model, Op } from '../sim/op.ts';
import { encodeSchedule } from '../sim/schedule.ts';
import { DporScheduler, SleepBlocked, type PorMode } from '../sim/schedulers/dpor.ts';
import type { Ctx } from '../sim/context.ts';
import type { Arg, LitmusResult, LitmusTest, Stmt, Term } from './parse.ts';

/** The outcome of {@link runLitmus}. */
export interface LitmusRun {
  /** The model's verdict on the exists clause. */
  verdict: LitmusResult;
  /** Executions run to the end (the search's sleep-set-blocked ones not counted). */
  executions: number;
  /** True when the search covered every execution. */
  complete: boolean;
  /** The distinct final states (registers and variables), sorted. */
  outcomes: string[];
  /** A schedule that satisfies the clause, when one does. */
  witness?: string;
}

type Regs = Map<string, unknown>;

/** The first handle of a litmus variable; test values stay below it. */
const VAR_BASE = 100;

/** The memory op of a statement (null for the lock statements, run apart). */
function opOf(st: Stmt, loc: (a: Arg) => number, val: (a: Arg) => unknown): Op | null {
  const a = st.args;
  const F = 'litmus';
  switch (st.fn) {
    case 'READ_ONCE': case 'rcu_dereference': return mem.READ_ONCE(loc(a[0]!), 'v', F);
    case 'load': return mem.load(loc(a[0]!), 'v', F);
    case 'smp_load_acquire': return mem.smp_load_acquire(loc(a[0]!), 'v', F);
    case 'WRITE_ONCE': return mem.WRITE_ONCE(loc(a[0]!), 'v', val(a[1]!), F);
    case 'store': return mem.store(loc(a[0]!), 'v', val(a[1]!), F);
    case 'smp_store_release': case 'rcu_assign_pointer':
      return mem.smp_store_release(loc(a[0]!), 'v', val(a[1]!), F);
    case 'xchg': return mem.xchg(loc(a[0]!), 'v', val(a[1]!), F);
    case 'xchg_relaxed': return mem.xchg_relaxed(loc(a[0]!), 'v', val(a[1]!), F);
    case 'xchg_acquire': return mem.xchg_acquire(loc(a[0]!), 'v', val(a[1]!), F);
    case 'xchg_release': return mem.xchg_release(loc(a[0]!), 'v', val(a[1]!), F);
    case 'cmpxchg': return mem.cmpxchg(loc(a[0]!), 'v', val(a[1]!), val(a[2]!), F);
    case 'cmpxchg_relaxed':
      return mem.cmpxchg_relaxed(loc(a[0]!), 'v', val(a[1]!), val(a[2]!), F);
    case 'cmpxchg_acquire':
      return mem.cmpxchg_acquire(loc(a[0]!), 'v', val(a[1]!), val(a[2]!), F);
    case 'cmpxchg_release':
      return mem.cmpxchg_release(loc(a[0]!), 'v', val(a[1]!), val(a[2]!), F);
    case 'atomic_add_return':
      return mem.atomic_add_return(loc(a[0]!), 'v', val(a[1]!) as number, F);
    case 'atomic_add_return_relaxed':
      return mem.atomic_add_return_relaxed(loc(a[0]!), 'v', val(a[1]!) as number, F);
    case 'atomic_add_return_acquire':
      return mem.atomic_add_return_acquire(loc(a[0]!), 'v', val(a[1]!) as number, F);
    case 'atomic_add_return_release':
      return mem.atomic_add_return_release(loc(a[0]!), 'v', val(a[1]!) as number, F);
    case 'atomic_add': return mem.atomic_add(loc(a[0]!), 'v', val(a[1]!) as number, F);
    case 'smp_mb': return mem.smp_mb(F);
    case 'smp_rmb': return mem.smp_rmb(F);
    case 'smp_wmb': return mem.smp_wmb(F);
    case 'smp_mb__before_atomic': return mem.smp_mb__before_atomic(F);
    case 'smp_mb__after_atomic': return mem.smp_mb__after_atomic(F);
    case 'smp_mb__after_spinlock': return mem.smp_mb__after_spinlock(F);
    default: return null;
  }
}

/** The body of process `i`. */
function body(t: LitmusTest, i: number, objs: Map<string, number>, regs: Regs) {
  const where = `${t.name} P${i}`;
  const loc = (a: Arg): number => {
    if (a.k === 'var') return objs.get(a.name)!;
    if (a.k === 'deref') return regs.get(a.name) as number;
    throw new SimUsageError('E_LITMUS', `${where}: expected a variable, got a value`);
  };
  const val = (a: Arg): unknown => {
    if (a.k === 'int') return a.v;
    if (a.k === 'reg') return regs.get(a.name) ?? 0;
    if (a.k === 'ref') return objs.get(a.name)!;
    throw new SimUsageError('E_LITMUS', `${where}: expected a value, got a variable`);
  };
  return function* (c: Ctx): Model<void> {
    for (const st of t.procs[i]!) {
      const skip = st.guard.some((g) => {
        const r = regs.get(g.reg) ?? 0;
        return g.v === null ? r === 0 : r !== g.v;
      });
      if (skip) continue;
      let result: unknown;
      if (st.fn === 'spin_lock') yield* spin_lock(c, loc(st.args[0]!));
      else if (st.fn === 'spin_unlock') yield* spin_unlock(c, loc(st.args[0]!));
      else if (st.fn === 'spin_is_locked') {
        result = (yield* spin_is_locked(c, loc(st.args[0]!))) ? 1 : 0;
      } else if (st.fn === 'rcu_read_lock') rcu_read_lock(c);
      else if (st.fn === 'rcu_read_unlock') rcu_read_unlock(c);
      else if (st.fn === 'synchronize_rcu') yield* synchronize_rcu(c);
      else result = yield opOf(st, loc, val)!;
      if (st.dst !== '') regs.set(st.dst, result);
    }
  };
}

/** Builds one execution's machine; returns it with the registers and objects. */
function build(t: LitmusTest, memory: MemoryMode) {
  const m = new Machine({ ncpu: t.procs.length, memory });
  // Variables live at handles from VAR_BASE up, so a small integer value is never taken for
  // a pointer by the lkmm address-dependency rule (a load returning a live handle).
  while (m.arena.objs.length < VAR_BASE) m.alloc('litmus padding', {});
  const objs = new Map<string, number>();
  for (const v of t.vars) {
    objs.set(v, t.locks.has(v) ? spin_lock_init(m, v) : m.alloc('litmus', { v: 0 }, v));
  }
  for (const [v, x] of t.init) {
    const h = objs.get(v)!;
    m.arena.objs[h]!.v = typeof x === 'string' ? objs.get(x.slice(1))! : x;
  }
  const regs: Regs[] = t.procs.map(() => new Map());
  t.procs.forEach((_p, i) => {
    m.addTask({ name: `P${i}`, cpu: i, body: body(t, i, objs, regs[i]!) });
  });
  return { m, objs, regs };
}

function holds(t: LitmusTest, terms: readonly Term[], m: Machine, objs: Map<string, number>,
  regs: Regs[]): boolean {
  let acc = false;
  terms.forEach((term, i) => {
    const want = typeof term.v === 'string' ? objs.get(term.v.slice(1)) : term.v;
    const got = term.proc < 0 ? m.memory.readGlobal(objs.get(term.name)!, 'v')
      : regs[term.proc]?.get(term.name) ?? 0;
    const ok = got === want;
    acc = i === 0 ? ok : term.join === 'and' ? acc && ok : acc || ok;
  });
  return acc;
}

/**
 * Every execution of `t` under `memory` (default lkmm), by the search `reduction` (default
 * dpor), up to `maxExecutions` (default 100,000); returns the verdict.
 */
export function runLitmus(t: LitmusTest, memory: MemoryMode = 'lkmm',
  reduction: PorMode = 'dpor', maxExecutions = 100_000): LitmusRun {
  const sched = new DporScheduler(reduction);
  let some = false;
  let all = true;
  let executions = 0;
  let witness: string | undefined;
  const outcomes = new Set<string>();
  let more = true;
  let runs = 0;
  while (more && runs < maxExecutions) {
    runs++;
    const { m, objs, regs } = build(t, memory);
    sched.attach(m);
    let quiescent = false;
    try {
      const out = m.run(sched);
      quiescent = true;
      if (out.status !== 'done') {
        throw new SimUsageError('E_LITMUS', `${t.name}: an execution ended ${out.status}` +
          (out.violations[0] ? `: ${out.violations[0].message}` : ''));
      }
      executions++;
      const ok = holds(t, t.exists, m, objs, regs);
      if (ok && witness === undefined) witness = encodeSchedule(out.schedule);
      some ||= ok;
      all &&= ok;
      const regText = regs.map((r, i) => [...r].map(([k, v]) => `${i}:${k}=${String(v)}`)
        .join(' ')).join(' ');
      const varText = t.vars.filter((v) => !t.locks.has(v))
        .map((v) => `${v}=${String(m.memory.readGlobal(objs.get(v)!, 'v'))}`).join(' ');
      outcomes.add(`${regText} ${varText}`.trim());
    } catch (e) {
      if (!(e instanceof SleepBlocked)) throw e;
    }
    more = sched.next(quiescent);
  }
  const verdict: LitmusResult = all && executions > 0 ? 'Always' : some ? 'Sometimes' : 'Never';
  return { verdict, executions, complete: !more, outcomes: [...outcomes].sort(),
    ...(witness !== undefined ? { witness } : {}) };
}
