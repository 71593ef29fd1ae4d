/**
 * The litmus format: a small program per CPU, in the kernel's spelling, as the kernel's
 * memory-model litmus tests (tools/memory-model/litmus-tests/*.litmus) write them, with an
 * `exists` clause and the Result the test states. Each test of this project is written in
 * this format (not copied: the programs are re-expressed here, see litmus/tests.ts).
 *
 * A process is statements separated by `;`:
 * - `r0 = READ_ONCE(x)`, `WRITE_ONCE(x, 1)`, `smp_load_acquire`, `smp_store_release`,
 *   `load(x)`, `store(x, v)` (plain), `rcu_dereference(x)` (READ_ONCE),
 *   `rcu_assign_pointer(x, v)` (smp_store_release);
 * - `xchg`, `cmpxchg`, `atomic_add_return` and their `_relaxed`, `_acquire`, `_release`
 *   forms, `atomic_add(x, d)`;
 * - `smp_mb()`, `smp_rmb()`, `smp_wmb()`, `smp_mb__before_atomic()`,
 *   `smp_mb__after_atomic()`, `smp_mb__after_spinlock()`;
 * - `spin_lock(s)`, `spin_unlock(s)`, `r = spin_is_locked(s)`;
 * - `rcu_read_lock()`, `rcu_read_unlock()`, `synchronize_rcu()` (locks/rcu.ts);
 * - `if (r0 == 1) STATEMENT` (or `if (r0)`, or `if (r0 == 0 && r1 == 0)`: all must hold).
 * An argument is a shared variable (`x`, `*x`), a pointer to one (`&x`), a register's value
 * (`r0`), the variable a register points to (`*r0`), or an integer.
 *
 * The `exists` clause: terms `P:r=V` (register r of process P) or `x=V` (final value of x)
 * joined by `/\` (and) or `\/` (or), evaluated left to right.
 */
import { quote, SimUsageError } from '../sim/errors.ts';

/** What the litmus test says about its `exists` clause. */
export type LitmusResult = 'Always' | 'Sometimes' | 'Never';

/** A test as written in this project. */
export interface LitmusSource {
  /** The kernel test's name (tools/memory-model/litmus-tests/NAME.litmus). */
  name: string;
  /** The Result the kernel test states. */
  result: LitmusResult;
  /** Initial values other than 0: `x=1`, `p=&y`, separated by `;`. */
  init?: string;
  /** One program per process (P0, P1, ...). */
  procs: string[];
  exists: string;
}

/** An argument of a statement. */
export type Arg =
  | { k: 'var'; name: string }
  | { k: 'ref'; name: string }
  | { k: 'reg'; name: string }
  | { k: 'deref'; name: string }
  | { k: 'int'; v: number };

/** One statement. */
export interface Stmt {
  /** The register assigned, or ''. */
  dst: string;
  fn: string;
  args: Arg[];
  /** `if (reg == v && ...)` guards (all must hold); empty for none. */
  guard: { reg: string; v: number | null }[];
}

/** One term of an exists clause. */
export interface Term {
  /** The process, or -1 for a shared variable's final value. */
  proc: number;
  name: string;
  v: number | string;
  /** `/\` or `\/` joining it to the terms before (ignored for the first). */
  join: 'and' | 'or';
}

/** A parsed test. */
export interface LitmusTest {
  name: string;
  result: LitmusResult;
  init: Map<string, number | string>;
  procs: Stmt[][];
  exists: Term[];
  /** Every shared variable named, in order of first use (lock variables included). */
  vars: string[];
  locks: Set<string>;
}

/** The functions a statement may call, with their argument count. */
export const LITMUS_FNS: ReadonlyMap<string, number> = new Map([
  ['READ_ONCE', 1], ['WRITE_ONCE', 2], ['smp_load_acquire', 1], ['smp_store_release', 2],
  ['load', 1], ['store', 2], ['rcu_dereference', 1], ['rcu_assign_pointer', 2],
  ['xchg', 2], ['xchg_relaxed', 2], ['xchg_acquire', 2], ['xchg_release', 2],
  ['cmpxchg', 3], ['cmpxchg_relaxed', 3], ['cmpxchg_acquire', 3], ['cmpxchg_release', 3],
  ['atomic_add_return', 2], ['atomic_add_return_relaxed', 2],
  ['atomic_add_return_acquire', 2], ['atomic_add_return_release', 2], ['atomic_add', 2],
  ['smp_mb', 0], ['smp_rmb', 0], ['smp_wmb', 0], ['smp_mb__before_atomic', 0],
  ['smp_mb__after_atomic', 0], ['smp_mb__after_spinlock', 0],
  ['spin_lock', 1], ['spin_unlock', 1], ['spin_is_locked', 1],
  ['rcu_read_lock', 0], ['rcu_read_unlock', 0], ['synchronize_rcu', 0],
]);

const LOCK_FNS = new Set(['spin_lock', 'spin_unlock', 'spin_is_locked']);

function parseArg(t: string, where: string): Arg {
  const s = t.trim();
  if (/^-?[0-9]+$/.test(s)) return { k: 'int', v: Number(s) };
  const m = /^([*&]?)([A-Za-z_][A-Za-z0-9_]*)$/.exec(s);
  if (!m) throw new SimUsageError('E_LITMUS', `${where}: bad argument ${quote(s)}`);
  const reg = /^r[0-9]+$/.test(m[2]!);
  if (m[1] === '&') return { k: 'ref', name: m[2]! };
  if (reg) return { k: m[1] === '*' ? 'deref' : 'reg', name: m[2]! };
  return { k: 'var', name: m[2]! };
}

function parseStmt(text: string, where: string): Stmt {
  let s = text.trim();
  const guard: Stmt['guard'] = [];
  const g = /^if\s*\(([^)]*)\)\s*(.*)$/.exec(s);
  if (g) {
    for (const cond of g[1]!.split('&&')) {
      const c = /^\s*(r[0-9]+)\s*(?:==\s*(-?[0-9]+)\s*)?$/.exec(cond);
      if (!c) throw new SimUsageError('E_LITMUS', `${where}: bad condition ${quote(cond.trim())}`);
      guard.push({ reg: c[1]!, v: c[2] === undefined ? null : Number(c[2]) });
    }
    s = g[2]!;
  }
  let dst = '';
  const a = /^(r[0-9]+)\s*=\s*(.*)$/.exec(s);
  if (a) {
    dst = a[1]!;
    s = a[2]!;
  }
  const c = /^([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)$/.exec(s);
  if (!c) throw new SimUsageError('E_LITMUS', `${where}: cannot read ${quote(text.trim())}`);
  const fn = c[1]!;
  const n = LITMUS_FNS.get(fn);
  if (n === undefined) {
    throw new SimUsageError('E_LITMUS', `${where}: unknown function ${quote(fn)} (known: ` +
      `${[...LITMUS_FNS.keys()].join(', ')})`);
  }
  const args = c[2]!.trim() === '' ? [] : c[2]!.split(',').map((x) => parseArg(x, where));
  if (args.length !== n) {
    throw new SimUsageError('E_LITMUS', `${where}: ${fn} takes ${n} argument(s), got ` +
      String(args.length));
  }
  return { dst, fn, args, guard };
}

function parseExists(text: string, name: string): Term[] {
  const out: Term[] = [];
  const parts = text.replace(/[()]/g, ' ').split(/(\/\\|\\\/)/);
  let join: Term['join'] = 'and';
  for (const p of parts) {
    const s = p.trim();
    if (s === '/\\') join = 'and';
    else if (s === '\\/') join = 'or';
    else {
      const m = /^(?:([0-9]+):)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(-?[0-9]+|&[A-Za-z_]\w*)$/.exec(s);
      if (!m) throw new SimUsageError('E_LITMUS', `${name}: bad exists term ${quote(s)}`);
      const v = m[3]!.startsWith('&') ? m[3]! : Number(m[3]);
      out.push({ proc: m[1] === undefined ? -1 : Number(m[1]), name: m[2]!, v, join });
    }
  }
  return out;
}

/** Parses and checks one test. */
export function parseLitmus(src: LitmusSource): LitmusTest {
  const vars: string[] = [];
  const locks = new Set<string>();
  const use = (n: string): void => {
    if (!vars.includes(n)) vars.push(n);
  };
  const init = new Map<string, number | string>();
  for (const item of (src.init ?? '').split(';')) {
    if (item.trim() === '') continue;
    const m = /^\s*([A-Za-z_]\w*)\s*=\s*(-?[0-9]+|&[A-Za-z_]\w*)\s*$/.exec(item);
    if (!m) throw new SimUsageError('E_LITMUS', `${src.name}: bad init ${quote(item)}`);
    use(m[1]!);
    if (m[2]!.startsWith('&')) use(m[2]!.slice(1));
    init.set(m[1]!, m[2]!.startsWith('&') ? m[2]! : Number(m[2]));
  }
  const procs = src.procs.map((p, i) => p.split(';').filter((s) => s.trim() !== '')
    .map((s) => {
      const st = parseStmt(s, `${src.name} P${i}`);
      for (const a of st.args) if (a.k === 'var' || a.k === 'ref') use(a.name);
      if (LOCK_FNS.has(st.fn) && st.args[0]!.k === 'var') locks.add(st.args[0]!.name);
      return st;
    }));
  const exists = parseExists(src.exists, src.name);
  for (const t of exists) if (t.proc < 0) use(t.name);
  return { name: src.name, result: src.result, init, procs, exists, vars, locks };
}
