/**
 * Builds a machine from a scenario: the eventpoll runtime of the chosen variant, the files,
 * sets and registrations (made in setup, before the first step), the tasks with their
 * syscall programs, the interrupt and signal sources, and the property observers.
 */
import '../eventpoll/variants.ts';
import { lostWakeup } from '../eventpoll/checkers/lost-wakeup.ts';
import { listIntegrity } from '../eventpoll/checkers/list-integrity.ts';
import { spuriousQueueing } from '../eventpoll/checkers/spurious.ts';
import { leaks } from '../eventpoll/checkers/leaks.ts';
import { wakeupSources } from '../eventpoll/checkers/wakeup-source.ts';
import { sleepingLocks } from '../eventpoll/checkers/sleeping-locks.ts';
import { eventfd_signal } from '../eventpoll/files/eventfd.ts';
import { EpKernel, kernel } from '../eventpoll/kernel.ts';
import {
  sys_close, sys_dup, sys_epoll_create1, sys_epoll_ctl, sys_epoll_wait, sys_eventfd,
  sys_open_file, sys_pipe, sys_poll, sys_read, sys_regular, sys_shutdown, sys_socketpair,
  sys_write,
} from '../eventpoll/syscalls.ts';
import type { FileOps } from '../eventpoll/file.ts';
import { EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, ERRNO_NAMES, type EpollEvent }
  from '../eventpoll/uapi.ts';
import type { VariantConfig } from '../eventpoll/variant.ts';
import { mutex_init } from '../locks/mutex.ts';
import { schedule_hrtimeout_range, set_current_state } from '../locks/sched.ts';
import type { Ctx } from '../sim/context.ts';
import { TASK_UNINTERRUPTIBLE } from '../sim/context.ts';
import { quote, SimUsageError } from '../sim/errors.ts';
import type { Limits } from '../sim/limits.ts';
import { call, Machine, type Observer } from '../sim/machine.ts';
import type { MemoryMode } from '../sim/memory.ts';
import type { Model } from '../sim/op.ts';
import { flagNames, parseFlagsSpec } from './flags.ts';
import { isDeepFrozen } from './frozen.ts';
import { checkFileTypes, refusedWatch } from './validate.ts';
import { meets, Tallies } from './tallies.ts';
import type { BuiltinFileSpec, Expect, FileSpec, Scenario, SyscallSpec } from './types.ts';

/** The result of one syscall of a task, as data. */
export interface SyscallResult {
  task: string;
  op: string;
  /** The return value (>= 0) or the errno name. */
  ret: number | string;
  /** For epoll_wait: `name=FLAGS` of each event, in the order returned. */
  events?: string[];
}

/** What a built machine needs to report results. */
export interface Built {
  machine: Machine;
  kernel: EpKernel;
  results: SyscallResult[];
  /** The scenario's tallies as the run left them (see TallySpec). */
  tallies: ReadonlyMap<string, number>;
  /**
   * The names behind epoll_data values (value i is dataNames[i]). A value is given when a
   * task first uses the name, so the numbers depend on the interleaving; the names do not.
   */
  dataNames: readonly string[];
}

/** The default property observers, by short id. */
export const OBSERVERS: Readonly<Record<string, Observer>> = {
  P1: lostWakeup, P2: listIntegrity, P3: leaks, P5: spuriousQueueing, P6: wakeupSources,
};

/** Options of {@link buildMachine}. */
export interface BuildOptions {
  cfg: VariantConfig;
  seed: number;
  memory?: MemoryMode;
  trace?: boolean;
  limits?: Partial<Limits>;
  /** Observer ids to attach (default: all of {@link OBSERVERS}). */
  checkers?: readonly string[];
  /**
   * Run setup on this machine instead of starting from the prepared copy (same result;
   * for tests that check the copy). State that cannot be copied falls back to this anyway.
   */
  fresh?: boolean;
}

function mask(v: unknown): number {
  const r = parseFlagsSpec(v ?? 0);
  return typeof r === 'number' ? r : 0;
}

/** The state a scenario's setup leaves, kept to start many machines from. */
export interface Prepared {
  machine: Machine;
  names: ReadonlyMap<string, number>;
  byIndex: readonly string[];
  /**
   * False when the state cannot be copied (a user variant that keeps, say, a generator in
   * `m.ext`): runs of this setup then do their own setup.
   */
  copyable: boolean;
}

/**
 * Prepared setups by variant, then by the scenario's setup, then by the rest of what setup
 * depends on (bug switches, memory model, limits); each level bounded.
 */
const PREPARED = new WeakMap<object, Map<string, Map<string, Prepared>>>();
const PREPARED_MAX = 256;

function machineOf(sc: Scenario, opts: BuildOptions, trace: boolean): Machine {
  return new Machine({
    ncpu: sc.cpus, memory: opts.memory ?? sc.memory ?? 'sc', seed: opts.seed,
    trace, ...(opts.limits ? { limits: opts.limits } : {}),
    ...(sc.time ? { time: sc.time } : {}),
  });
}

const BUILTIN_TYPES: ReadonlySet<string> = new Set(['eventfd', 'pipe', 'socketpair', 'regular']);

/** Whether a scenario file is of a built-in type (else the variant's own, by its `create`). */
function isBuiltinFile(f: FileSpec): f is BuiltinFileSpec {
  return BUILTIN_TYPES.has(f.type);
}

/**
 * Runs the scenario's setup (files, sets, registrations) on `m` through the model, as
 * process context on CPU 0 before the first step.
 */
function runSetup(m: Machine, sc: Scenario, cfg: VariantConfig, names: Map<string, number>,
  dataOf: (n: string) => number): void {
  const k = new EpKernel(m, cfg);
  k.ghost.strictLevelTrigger = sc.strictLevelTrigger ?? false;
  m.ext.ep = k;
  m.setup('setup', function* (c: Ctx): Model<void> {
    k.epnested_mutex = mutex_init(m, 'epnested_mutex', 'epnested_mutex');
    for (const f of sc.files ?? []) {
      if (!isBuiltinFile(f)) names.set(f.name, sys_open_file(c, f));
      else if (f.type === 'eventfd') {
        names.set(f.name, sys_eventfd(c, f.name, f.init ?? 0, !!f.sem));
      }
      else if (f.type === 'regular') names.set(f.name, sys_regular(c, f.name));
      else {
        const [a, b] = f.type === 'pipe' ? sys_pipe(c, f.name) : sys_socketpair(c, f.name);
        const [na, nb] = f.type === 'pipe' ? ['r', 'w'] : ['0', '1'];
        names.set(f.name + na, a);
        names.set(f.name + nb, b);
      }
    }
    for (const s of sc.sets ?? []) names.set(s.name, sys_epoll_create1(c, 0, s.name));
    const watches = sc.watches ?? [];
    for (let i = 0; i < watches.length; i++) {
      const w = watches[i]!;
      const r = yield* sys_epoll_ctl(c, names.get(w.set)!, EPOLL_CTL_ADD, names.get(w.fd)!,
        mask(w.events), dataOf(w.fd));
      // Validation refuses the watches the kernel refuses (validate.ts); this names any other.
      if (r < 0) throw refusedWatch(i, w, ERRNO_NAMES[-r] ?? `E${-r}`, 'the variant refuses it');
    }
  });
}

/**
 * The prepared setup of `sc` under `opts`, made once and reused: setup is deterministic
 * and depends only on the variant, its bug switches, the CPUs, the memory and time modes,
 * the limits and the scenario's files, sets and watches (the key below), so every run
 * starts from a deep copy of the same state (test/scenario/prepared.spec.ts checks that
 * runs from a copy equal fresh runs, trace hash for trace hash).
 * @internal
 */
export function prepared(sc: Scenario, opts: BuildOptions): Prepared {
  let byVariant = PREPARED.get(opts.cfg.variant);
  if (byVariant === undefined) {
    byVariant = new Map();
    PREPARED.set(opts.cfg.variant, byVariant);
  }
  // The configuration part of the key is short; the scenario part is a string kept per
  // scenario (setupKey), so the lookup hashes no new long string per run.
  const bugs = opts.cfg.bugs.size === 0 ? '' : JSON.stringify([...opts.cfg.bugs].sort());
  const key = `${bugs}|${opts.memory ?? sc.memory ?? 'sc'}|` +
    `${opts.limits === undefined ? '' : JSON.stringify(opts.limits)}`;
  const sk = setupKey(sc);
  let bySetup = byVariant.get(sk);
  if (bySetup === undefined) {
    if (byVariant.size >= PREPARED_MAX) byVariant.clear();
    bySetup = new Map();
    byVariant.set(sk, bySetup);
  }
  let p = bySetup.get(key);
  if (p === undefined) {
    const m = machineOf(sc, opts, false);
    const names = new Map<string, number>();
    const byIndex: string[] = [];
    runSetup(m, sc, opts.cfg, names, dataOfIn(byIndex));
    let copyable = true;
    try {
      machineOf(sc, opts, false).restoreSetup(m, sharedOf(m));
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      copyable = false;
    }
    p = { machine: m, names, byIndex, copyable };
    if (bySetup.size >= PREPARED_MAX) bySetup.clear();
    bySetup.set(key, p);
  }
  return p;
}

/** What a copy of a prepared machine shares with it: the variant's configuration. */
function sharedOf(template: Machine): object[] {
  const k = template.ext.ep as EpKernel;
  return [k.cfg, k.cfg.variant, k.ops, k.fops];
}

/**
 * Setup keys of scenarios the library deep-froze (its own and generated ones), which cannot
 * change under the cache. Any other scenario is keyed by its content on every run: a
 * shallowly frozen one may still have a nested field changed (test/scenario/prepared.spec.ts).
 */
const SETUP_KEYS = new WeakMap<Scenario, string>();

/** What setup depends on in `sc`, as text. */
function setupKey(sc: Scenario): string {
  const cached = isDeepFrozen(sc);
  let k = cached ? SETUP_KEYS.get(sc) : undefined;
  if (k === undefined) {
    k = JSON.stringify([sc.cpus, sc.memory ?? 'sc', sc.time ?? '', sc.strictLevelTrigger ??
      false, sc.files ?? [], sc.sets ?? [], sc.watches ?? []]);
    if (cached) SETUP_KEYS.set(sc, k);
  }
  return k;
}

/** `dataOf` over a list of names: a watch's epoll_data is the index of its fd's name. */
function dataOfIn(byIndex: string[]): (n: string) => number {
  return (n: string): number => {
    let i = byIndex.indexOf(n);
    if (i < 0) i = byIndex.push(n) - 1;
    return i;
  };
}

/**
 * Instantiates `sc` on a new machine. Setup runs once per distinct setup (see
 * {@link prepared}); `opts.fresh` runs it on this machine instead.
 */
export function buildMachine(sc: Scenario, opts: BuildOptions): Built {
  checkFileTypes(sc, opts.cfg.variant);
  const m = machineOf(sc, opts, opts.trace ?? false);
  const tallies = new Tallies(sc.tallies ?? []);
  let names: Map<string, number>;
  let byIndex: string[];
  const p = opts.fresh === true ? undefined : prepared(sc, opts);
  if (p === undefined || !p.copyable) {
    names = new Map();
    byIndex = [];
    runSetup(m, sc, opts.cfg, names, dataOfIn(byIndex));
  } else {
    m.restoreSetup(p.machine, sharedOf(p.machine));
    names = new Map(p.names);
    byIndex = p.byIndex.slice();
  }
  const k = m.ext.ep as EpKernel;
  const dataOf = dataOfIn(byIndex);
  const results: SyscallResult[] = [];
  const run: RunState = { names, byIndex, dataOf, results, tallies };
  for (const t of sc.tasks) {
    m.addTask({ name: t.name, cpu: t.cpu, body: programOf(run, t.name, t.program, m.fast) });
  }
  for (const q of sc.irqs ?? []) {
    const file = k.fdget(names.get(q.fd)!)!;
    const f_op = m.arena.objs[file]!.f_op as string;
    const ctx = m.arena.objs[file]!.private_data as number;
    const own = f_op === 'eventfd' ? undefined : k.fops.get(f_op);
    const handler = own?.irq !== undefined ? irqOf(own, file) : signalOf(ctx);
    m.addIrqSource({ name: q.name, cpu: q.cpu, count: q.count, handler });
  }
  for (const s of sc.signals ?? []) {
    const ctx = m.contexts().find((c) => c.name === s.task && !c.irq)!;
    m.addSignal(ctx, s.count ?? 1);
  }
  // Always on, like the machine's own deadlock check, and first: its verdict comes before
  // what the property checkers make of the same end.
  m.addObserver(sleepingLocks);
  for (const id of opts.checkers ?? Object.keys(OBSERVERS)) {
    if (!Object.hasOwn(OBSERVERS, id)) {
      throw new SimUsageError('E_BAD_ARGUMENT', `unknown checker ${quote(id)}: expected one ` +
        `of ${Object.keys(OBSERVERS).join(', ')}`);
    }
    m.addObserver(OBSERVERS[id]!);
  }
  if (sc.tallies !== undefined && sc.tallies.length > 0) m.addObserver(tallies.observer());
  return { machine: m, kernel: k, results, tallies: tallies.values, dataNames: byIndex };
}

// The closures below are returned, not assigned to a name: tsx (esbuild keepNames) wraps
// every named closure in a call that redefines its `name`, which costs a map transition per
// creation. Per-run closures stay anonymous for that reason.

/** A task's body: its syscall program (the fast engine's when `fast`). */
function programOf(r: RunState, task: string, program: readonly SyscallSpec[], fast: boolean):
(c: Ctx) => Model<void> {
  return fast ? (c) => runProgramFast(r, c, task, program)
    : (c) => runProgram(r, c, task, program);
}

/** An interrupt on a file of a variant's own type: the type's `irq` handler. */
function irqOf(fo: FileOps, file: number): (c: Ctx) => Model<unknown> {
  return (c) => fo.irq!(c, file);
}

/** An interrupt that signals an eventfd context. */
function signalOf(ctx: number): (c: Ctx) => Model<unknown> {
  return (c) => eventfd_signal(c, ctx);
}

/** The descriptor a scenario name stands for, or -1. */
function fdOf(r: RunState, n: string): number {
  return r.names.get(n) ?? -1;
}

/** What a run's task programs share: descriptor names, results and tallies. */
interface RunState {
  names: Map<string, number>;
  byIndex: string[];
  dataOf: (n: string) => number;
  results: SyscallResult[];
  tallies: Tallies;
}

/**
 * A task's syscall program. Module-level generator functions on purpose: a generator
 * function created per run (a closure) gives every generator object a new hidden class,
 * which makes the machine's resume site megamorphic and costs several times the step rate.
 */
function* runProgram(r: RunState, c: Ctx, task: string, program: readonly SyscallSpec[]):
Model<void> {
  let prev = 0;
  for (const s of program) {
    if (s.when === 'previous-positive' && prev <= 0) {
      r.results.push({ task, op: s.op, ret: 'skipped' });
      prev = 0;
      continue;
    }
    // The syscall's generator, delegated to from here: one generator level fewer under
    // every step of the program than a wrapper would add.
    const box: Box = { out: undefined };
    const gen = syscallOf(r, c, s, box);
    const ret = gen === undefined ? 0 : yield* gen;
    prev = syscallDone(r, c, task, s, ret, box);
  }
}

/**
 * {@link runProgram} for the fast engine (sim/engine.ts): each syscall runs as a machine
 * {@link call}, so the program's own frame is not resumed under every step. The same
 * syscalls in the same order, with the same arguments and results.
 */
function* runProgramFast(r: RunState, c: Ctx, task: string, program: readonly SyscallSpec[]):
Model<void> {
  let prev = 0;
  for (const s of program) {
    if (s.when === 'previous-positive' && prev <= 0) {
      r.results.push({ task, op: s.op, ret: 'skipped' });
      prev = 0;
      continue;
    }
    const box: Box = { out: undefined };
    const gen = syscallOf(r, c, s, box);
    const ret = gen === undefined ? 0 : (yield call(gen)) as number;
    prev = syscallDone(r, c, task, s, ret, box);
  }
}

/** What a syscall leaves for its result (epoll_wait's events, read's value, poll's mask). */
interface Box {
  out: unknown;
}

/** `sleep`: an uninterruptible sleep of `ms`. */
function* sleepMs(c: Ctx, ms: number): Model<number> {
  yield* set_current_state(c, TASK_UNINTERRUPTIBLE);
  yield* schedule_hrtimeout_range(c, ms * 1_000_000);
  return 0;
}

/** The generator of syscall `s` (its arguments evaluated now), or undefined for none. */
function syscallOf(r: RunState, c: Ctx, s: SyscallSpec, box: Box): Model<number> | undefined {
  switch (s.op) {
    case 'epoll_wait': {
      const out: EpollEvent[] = [];
      box.out = out;
      return sys_epoll_wait(c, fdOf(r, s.set), out, s.maxevents, s.timeout);
    }
    case 'epoll_ctl': {
      const op = s.ctl === 'ADD' ? EPOLL_CTL_ADD : s.ctl === 'MOD' ? EPOLL_CTL_MOD
        : EPOLL_CTL_DEL;
      return sys_epoll_ctl(c, fdOf(r, s.set), op, fdOf(r, s.fd), mask(s.events),
        r.dataOf(s.fd));
    }
    case 'write': return sys_write(c, fdOf(r, s.fd), s.n);
    case 'read': {
      // An eventfd read returns 8; a scenario reports the counter value it read.
      const out = { value: -1n };
      box.out = out;
      return sys_read(c, fdOf(r, s.fd), s.n, out);
    }
    case 'close': return sys_close(c, fdOf(r, s.fd));
    case 'dup': return sys_dup(c, fdOf(r, s.fd));
    case 'poll': {
      const out = [0];
      box.out = out;
      return sys_poll(c, fdOf(r, s.fd), mask(s.events), out, s.timeout ?? 0);
    }
    case 'shutdown': return sys_shutdown(c, fdOf(r, s.fd), ['rd', 'wr', 'rdwr'].indexOf(s.how));
    case 'sleep': return sleepMs(c, s.ms);
  }
  return undefined;
}

/** Records the result of syscall `s` (returned `n`); returns the value `when` tests. */
function syscallDone(r: RunState, c: Ctx, task: string, s: SyscallSpec, n: number, box: Box):
number {
  let ret = n;
  let events: string[] | undefined;
  switch (s.op) {
    case 'epoll_wait':
      events = (box.out as EpollEvent[]).map((e) => `${r.byIndex[e.data]}=${flagNames(e.events)}`);
      break;
    case 'read': {
      const out = box.out as { value: bigint };
      ret = n >= 0 && out.value >= 0n ? Number(out.value) : n;
      break;
    }
    case 'dup':
      if (ret >= 0) r.names.set(s.as, ret);
      break;
    case 'poll':
      events = [flagNames((box.out as number[])[0]!)];
      break;
    default:
      break;
  }
  if (s.count !== undefined) r.tallies.count(s.count, ret);
  const rec: SyscallResult = { task, op: s.op, ret: ret >= 0 ? ret
    : ERRNO_NAMES[-ret] ?? `E${-ret}` };
  if (events) rec.events = events;
  r.results.push(rec);
  const e = (s as { expect?: Expect }).expect;
  if (e !== undefined && !meets(ret, e)) {
    c.m.report({ property: 'assertion', kind: 'expectation', message: `${task}: ${s.op} ` +
      `returned ${rec.ret}, expected ${JSON.stringify(e)}`, ctx: c.id, cpu: c.cpu });
  }
  return ret;
}

/** The kernel runtime of a context (re-exported for custom programs). */
export { kernel };
