/**
 * Scenario validation: every problem is a {@link ScenarioError} whose one-line message names
 * the offending field by its path (`tasks[1].program[2].set: unknown set 'ep9'`).
 */
import { MEMORY_MODES, type MemoryMode } from '../sim/memory.ts';
import { quote, SimUsageError } from '../sim/errors.ts';
import type { FileOps } from '../eventpoll/file.ts';
import { variantNames, getVariant, type Variant } from '../eventpoll/variant.ts';
import { parseFlagsSpec } from './flags.ts';
import type { Scenario, WatchSpec } from './types.ts';

/** A malformed scenario. */
export class ScenarioError extends SimUsageError {
  constructor(path: string, problem: string) {
    super('E_BAD_SCENARIO', `scenario ${path}: ${problem}`);
    this.name = 'ScenarioError';
  }
}

const OPS = ['epoll_wait', 'epoll_ctl', 'write', 'read', 'close', 'dup', 'poll', 'shutdown',
  'sleep'];
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ScenarioError(path, `expected an integer from ${min} to ${max}, got ` +
      quote(v));
  }
  return v;
}

function name(v: unknown, path: string): string {
  if (typeof v !== 'string' || !NAME.test(v)) {
    throw new ScenarioError(path, `expected a name (letters, digits, _ . -), got ` +
      quote(v));
  }
  return v;
}

function arr(v: unknown, path: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ScenarioError(path, 'expected an array');
  return v;
}

/** The deepest nesting of arrays and objects a scenario may have (a real one needs 7). */
export const SCENARIO_DEPTH_MAX = 32;
/** The most values (objects, arrays, strings, numbers...) a scenario may hold. */
export const SCENARIO_VALUES_MAX = 1_000_000;
/** The longest string a scenario may hold (names are at most 32 characters). */
export const SCENARIO_STRING_MAX = 4096;

/**
 * Checks that `x` is JSON-like data within the caps above, without recursion (so a
 * 100,000-deep array is this error, not a stack overflow in a later JSON.stringify): only
 * objects, arrays, strings, numbers, booleans and null (and undefined fields). A cycle is
 * reported as nesting too deep.
 */
function checkShape(x: unknown): void {
  interface Frame { v: unknown; depth: number; key: string | number; up: Frame | undefined }
  const pathOf = (f: Frame): string => {
    const keys: (string | number)[] = [];
    for (let g: Frame | undefined = f; g?.up !== undefined; g = g.up) keys.unshift(g.key);
    const out = keys.map((k, i) => typeof k === 'number' ? `[${k}]`
      : `${i === 0 ? '' : '.'}${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : `[${quote(k)}]`}`);
    return out.length === 0 ? '(root)' : out.join('');
  };
  const todo: Frame[] = [{ v: x, depth: 0, key: '', up: undefined }];
  let count = 0;
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (++count > SCENARIO_VALUES_MAX) {
      throw new ScenarioError('(root)', `more than ${SCENARIO_VALUES_MAX} values (the cap)`);
    }
    const v = f.v;
    switch (typeof v) {
      case 'string':
        if (v.length > SCENARIO_STRING_MAX) {
          throw new ScenarioError(pathOf(f), `a string of ${v.length} characters, over the ` +
            `cap of ${SCENARIO_STRING_MAX} (${quote(v, 16)})`);
        }
        continue;
      case 'number': case 'boolean': case 'undefined': continue;
      case 'object':
        if (v === null) continue;
        break;
      default:
        throw new ScenarioError(pathOf(f), `expected JSON data, got ${quote(v)}`);
    }
    if (f.depth >= SCENARIO_DEPTH_MAX) {
      throw new ScenarioError(pathOf(f), `nested more than ${SCENARIO_DEPTH_MAX} levels deep ` +
        '(the cap; or a cycle)');
    }
    const n = Array.isArray(v) ? v.length : Object.keys(v).length;
    // Counted before anything is pushed, so a huge array costs no frames.
    if (count + todo.length + n > SCENARIO_VALUES_MAX) {
      throw new ScenarioError(pathOf(f), `${Array.isArray(v) ? 'an array' : 'an object'} of ` +
        `${n} items makes more than ${SCENARIO_VALUES_MAX} values (the cap)`);
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        todo.push({ v: v[i], depth: f.depth + 1, key: i, up: f });
      }
    } else {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i]!;
        todo.push({ v: (v as Record<string, unknown>)[k], depth: f.depth + 1, key: k, up: f });
      }
    }
  }
}

/** The error for a watch the kernel refuses (validation, or setup as a last resort). */
export function refusedWatch(i: number, w: WatchSpec, errno: string, why: string):
ScenarioError {
  return new ScenarioError(`watches[${i}]`, `the kernel refuses this watch: ` +
    `epoll_ctl(ADD) of ${quote(w.fd)} to set ${quote(w.set)} fails with ${errno} (${why})`);
}

/**
 * The watches the kernel refuses whatever the variant, in its order of checks (fs/eventpoll.c
 * do_epoll_ctl): a regular file (EPERM: it cannot be polled), a set watching itself (EINVAL),
 * a set that would reach itself through the sets it watches (ELOOP), a second watch of the
 * same file in one set (EEXIST). Others (nesting deeper than EP_MAX_NESTS, EXCLUSIVE rules)
 * are named by buildMachine when the variant's epoll_ctl refuses them.
 */
function refusedWatches(x: Record<string, unknown>, sets: ReadonlySet<string>): void {
  const regular = new Set<string>();
  for (const f of arr(x.files, 'files')) {
    if (isObj(f) && f.type === 'regular' && typeof f.name === 'string') regular.add(f.name);
  }
  const edges = new Map<string, string[]>();
  const seen = new Set<string>();
  (arr(x.watches, 'watches') as WatchSpec[]).forEach((w, i) => {
    if (regular.has(w.fd)) throw refusedWatch(i, w, 'EPERM', 'a regular file cannot be polled');
    if (w.fd === w.set) throw refusedWatch(i, w, 'EINVAL', 'a set cannot watch itself');
    if (sets.has(w.fd) && reaches(edges, w.fd, w.set)) {
      throw refusedWatch(i, w, 'ELOOP', `set ${quote(w.set)} would watch itself through ` +
        quote(w.fd));
    }
    const key = `${w.set}\u0000${w.fd}`;
    if (seen.has(key)) throw refusedWatch(i, w, 'EEXIST', 'the set already watches it');
    seen.add(key);
    if (sets.has(w.fd)) edges.set(w.set, [...(edges.get(w.set) ?? []), w.fd]);
  });
}

/** Whether set `to` is reachable from set `from` along watch edges (set -> watched set). */
function reaches(edges: ReadonlyMap<string, readonly string[]>, from: string, to: string):
boolean {
  const todo = [from];
  const seen = new Set<string>();
  while (todo.length > 0) {
    const s = todo.pop()!;
    if (s === to) return true;
    if (seen.has(s)) continue;
    seen.add(s);
    todo.push(...(edges.get(s) ?? []));
  }
  return false;
}

/** The file types a scenario can name without a variant's own: `files[i].type`. */
const BUILTIN_FILE_TYPES = ['eventfd', 'pipe', 'socketpair', 'regular'];

/** A variant's own file types that a scenario can create (those with `create`). */
function creatable(types: readonly FileOps[]): FileOps[] {
  return types.filter((t) => t.create !== undefined);
}

/** Every registered variant's own creatable file types (validation without a variant). */
function anyVariantTypes(): FileOps[] {
  return variantNames().flatMap((n) => creatable(getVariant(n).fileTypes ?? []));
}

/** `files[i].type` is not one of `known`: the error names them. */
function unknownType(p: string, type: unknown, known: readonly string[], v?: string):
ScenarioError {
  return new ScenarioError(`${p}.type`, `unknown file type ${quote(type)}` +
    `${v === undefined ? '' : ` for variant '${v}'`}: expected ` +
    `${known.slice(0, -1).join(', ')} or ${known[known.length - 1]!}`);
}

/**
 * Checks that the file types a scenario names exist in the variant that runs it (a type
 * another variant adds is unknown here), and that interrupt sources are on eventfds or on
 * files of a type with an `irq` handler. buildMachine calls it; a clear ScenarioError
 * naming the variant's types otherwise.
 */
export function checkFileTypes(sc: Scenario, v: Variant): void {
  const own = creatable(v.fileTypes ?? []);
  const files = sc.files ?? [];
  for (let i = 0; i < files.length; i++) {
    const t = files[i]!.type;
    if (BUILTIN_FILE_TYPES.includes(t) || own.some((o) => o.name === t)) continue;
    throw unknownType(`files[${i}]`, t, [...BUILTIN_FILE_TYPES, ...own.map((o) => o.name)],
      v.name);
  }
  (sc.irqs ?? []).forEach((q, i) => {
    const t = files.find((f) => f.name === q.fd)?.type ?? 'eventfd';
    if (t !== 'eventfd' && own.find((o) => o.name === t)?.irq === undefined) {
      throw new ScenarioError(`irqs[${i}].fd`, `${quote(q.fd)} is a '${t}' file, which has ` +
        `no interrupt handler (irq) in variant '${v.name}'`);
    }
  });
}

/**
 * Checks a scenario (e.g. parsed JSON) and returns it typed. `fileTypes`: the file types
 * of the variant that will run it, beyond the built-in ones (default: those of every
 * registered variant; buildMachine then checks them against the run's variant).
 */
export function validateScenario(x: unknown, fileTypes?: readonly FileOps[]): Scenario {
  const own = creatable(fileTypes ?? anyVariantTypes());
  if (!isObj(x)) throw new ScenarioError('(root)', `expected an object, got ${quote(x)}`);
  checkShape(x);
  name(x.name, 'name');
  const cpus = int(x.cpus, 'cpus', 1, 64);
  if (x.memory !== undefined && !MEMORY_MODES.includes(x.memory as MemoryMode)) {
    throw new ScenarioError('memory', `expected one of ${MEMORY_MODES.join(', ')}, got ` +
      quote(x.memory));
  }
  const fds = new Set<string>();
  const sets = new Set<string>();
  const define = (n: string, path: string): void => {
    if (fds.has(n)) throw new ScenarioError(path, `name '${n}' is defined twice`);
    fds.add(n);
  };
  arr(x.files, 'files').forEach((f, i) => {
    const p = `files[${i}]`;
    if (!isObj(f)) throw new ScenarioError(p, 'expected an object');
    const n = name(f.name, `${p}.name`);
    switch (f.type) {
      case 'eventfd':
        if (f.init !== undefined) int(f.init, `${p}.init`, 0, 2 ** 40);
        define(n, `${p}.name`);
        break;
      case 'pipe': define(`${n}r`, `${p}.name`); define(`${n}w`, `${p}.name`); break;
      case 'socketpair': define(`${n}0`, `${p}.name`); define(`${n}1`, `${p}.name`); break;
      case 'regular': define(n, `${p}.name`); break;
      default:
        if (!own.some((o) => o.name === f.type)) {
          throw unknownType(p, f.type, [...BUILTIN_FILE_TYPES, ...own.map((o) => o.name)]);
        }
        define(n, `${p}.name`);
    }
  });
  arr(x.sets, 'sets').forEach((s, i) => {
    if (!isObj(s)) throw new ScenarioError(`sets[${i}]`, 'expected an object');
    const n = name(s.name, `sets[${i}].name`);
    define(n, `sets[${i}].name`);
    sets.add(n);
  });
  const fd = (v: unknown, path: string): string => {
    const n = name(v, path);
    if (!fds.has(n)) throw new ScenarioError(path, `unknown descriptor '${n}'`);
    return n;
  };
  const set = (v: unknown, path: string): string => {
    const n = name(v, path);
    if (!sets.has(n)) throw new ScenarioError(path, `unknown set '${n}'`);
    return n;
  };
  arr(x.watches, 'watches').forEach((w, i) => {
    const p = `watches[${i}]`;
    if (!isObj(w)) throw new ScenarioError(p, 'expected an object');
    set(w.set, `${p}.set`);
    fd(w.fd, `${p}.fd`);
    flags(w.events, `${p}.events`);
  });
  refusedWatches(x, sets);
  if (x.time !== undefined && x.time !== 'eager' && x.time !== 'idle') {
    throw new ScenarioError('time', `expected 'eager' or 'idle', got ${quote(x.time)}`);
  }
  const tallies = tallySpecs(x);
  const tasks = arr(x.tasks, 'tasks');
  if (tasks.length === 0) throw new ScenarioError('tasks', 'a scenario needs at least one task');
  const taskNames = new Set<string>();
  tasks.forEach((t, i) => {
    const p = `tasks[${i}]`;
    if (!isObj(t)) throw new ScenarioError(p, 'expected an object');
    const tn = name(t.name, `${p}.name`);
    if (taskNames.has(tn)) throw new ScenarioError(`${p}.name`, `task '${tn}' is defined twice`);
    taskNames.add(tn);
    int(t.cpu, `${p}.cpu`, 0, cpus - 1);
    arr(t.program, `${p}.program`).forEach((s, j) => syscall(s, `${p}.program[${j}]`, fd, set,
      define, j === 0, tallies));
  });
  unusedTally(tasks as Record<string, unknown>[], tallies);
  const eventfds = new Set<string>();
  for (const f of arr(x.files, 'files')) {
    const irq = isObj(f) && own.some((o) => o.name === f.type && o.irq !== undefined);
    if (isObj(f) && (f.type === 'eventfd' || irq)) eventfds.add(f.name as string);
  }
  arr(x.irqs, 'irqs').forEach((q, i) => {
    const p = `irqs[${i}]`;
    if (!isObj(q)) throw new ScenarioError(p, 'expected an object');
    name(q.name, `${p}.name`);
    int(q.cpu, `${p}.cpu`, 0, cpus - 1);
    int(q.count, `${p}.count`, 0, 1000);
    const qfd = fd(q.fd, `${p}.fd`);
    if (!eventfds.has(qfd)) {
      throw new ScenarioError(`${p}.fd`, `${quote(qfd)} is not an eventfd: an interrupt ` +
        'source signals an eventfd declared in files (pipes, sockets, epoll sets and regular ' +
        'files have no interrupt-driven signal in the model)');
    }
  });
  arr(x.signals, 'signals').forEach((s, i) => {
    const p = `signals[${i}]`;
    if (!isObj(s)) throw new ScenarioError(p, 'expected an object');
    const tn = name(s.task, `${p}.task`);
    if (!taskNames.has(tn)) throw new ScenarioError(`${p}.task`, `unknown task '${tn}'`);
    if (s.count !== undefined) int(s.count, `${p}.count`, 0, 100);
  });
  return x as unknown as Scenario;
}

function flags(v: unknown, path: string): number {
  const r = parseFlagsSpec(v);
  if (typeof r === 'string') throw new ScenarioError(path, r);
  return r;
}

function syscall(s: unknown, p: string, fd: (v: unknown, p: string) => string,
  set: (v: unknown, p: string) => string, define: (n: string, p: string) => void,
  first: boolean, tallies: Set<string>): void {
  if (!isObj(s)) throw new ScenarioError(p, 'expected an object');
  if (typeof s.op !== 'string' || !OPS.includes(s.op)) {
    throw new ScenarioError(`${p}.op`, `unknown op ${quote(s.op)}: expected one of ` +
      OPS.join(', '));
  }
  const expect = (): void => expectation(s.expect, `${p}.expect`, true);
  switch (s.op) {
    case 'epoll_wait':
      set(s.set, `${p}.set`);
      int(s.maxevents, `${p}.maxevents`, -1, 1024);
      int(s.timeout, `${p}.timeout`, -1, 3_600_000);
      break;
    case 'epoll_ctl':
      if (s.ctl !== 'ADD' && s.ctl !== 'MOD' && s.ctl !== 'DEL') {
        throw new ScenarioError(`${p}.ctl`,
          `expected ADD, MOD or DEL, got ${quote(s.ctl)}`);
      }
      set(s.set, `${p}.set`);
      fd(s.fd, `${p}.fd`);
      if (s.ctl !== 'DEL') flags(s.events, `${p}.events`);
      break;
    case 'write': case 'read':
      fd(s.fd, `${p}.fd`);
      int(s.n, `${p}.n`, 0, 1 << 20);
      break;
    case 'close': fd(s.fd, `${p}.fd`); break;
    case 'dup': fd(s.fd, `${p}.fd`); define(name(s.as, `${p}.as`), `${p}.as`); break;
    case 'poll':
      fd(s.fd, `${p}.fd`);
      flags(s.events, `${p}.events`);
      if (s.timeout !== undefined) int(s.timeout, `${p}.timeout`, -1, 3_600_000);
      break;
    case 'shutdown':
      fd(s.fd, `${p}.fd`);
      if (s.how !== 'rd' && s.how !== 'wr' && s.how !== 'rdwr') {
        throw new ScenarioError(`${p}.how`, 'expected rd, wr or rdwr');
      }
      break;
    case 'sleep': int(s.ms, `${p}.ms`, 0, 3_600_000); break;
  }
  expect();
  callOptions(s, p, first, tallies);
}

/** An expectation: a safe integer, or a range [min, max] of them (optional if allowed). */
function expectation(e: unknown, path: string, optional: boolean): void {
  if (e === undefined && optional) return;
  if (typeof e === 'number' && Number.isSafeInteger(e)) return;
  if (!Array.isArray(e) || e.length !== 2 || !Number.isSafeInteger(e[0]) ||
    !Number.isSafeInteger(e[1]) || (e[0] as number) > (e[1] as number)) {
    throw new ScenarioError(path, 'expected an integer or a range [min, max]');
  }
}

/** The options every call may carry: `when` and `count` (see CallOptions). */
function callOptions(s: Record<string, unknown>, p: string, first: boolean,
  tallies: Set<string>): void {
  if (s.when !== undefined) {
    if (s.when !== 'previous-positive') {
      throw new ScenarioError(`${p}.when`, `expected 'previous-positive', got ` +
        quote(s.when));
    }
    if (first) throw new ScenarioError(`${p}.when`, 'the first call of a program has no ' +
      'previous call');
  }
  if (s.count === undefined) return;
  const c = s.count;
  if (!isObj(c)) throw new ScenarioError(`${p}.count`, 'expected {tally, add} or {tally, or}');
  const t = name(c.tally, `${p}.count.tally`);
  if (!tallies.has(t)) {
    throw new ScenarioError(`${p}.count.tally`, `unknown tally '${t}' (declare it in tallies)`);
  }
  if (c.add !== undefined && c.or !== undefined) {
    throw new ScenarioError(`${p}.count`, 'give add or or, not both');
  }
  if (c.add !== undefined) int(c.add, `${p}.count.add`, -1_000_000, 1_000_000);
  if (c.or !== undefined) int(c.or, `${p}.count.or`, 0, 2 ** 30);
}

/** A declared tally that no call counts into is an error (a misspelt name, most likely). */
function unusedTally(tasks: Record<string, unknown>[], tallies: Set<string>): void {
  const used = new Set<string>();
  for (const t of tasks) {
    for (const s of arr(t.program, 'program')) {
      const c = isObj(s) && isObj(s.count) ? s.count.tally : undefined;
      if (typeof c === 'string') used.add(c);
    }
  }
  [...tallies].forEach((n, i) => {
    if (!used.has(n)) throw new ScenarioError(`tallies[${i}].name`, `no call counts into '${n}'`);
  });
}

/** The scenario's tallies (names unique, expectations well formed); returns the names. */
function tallySpecs(x: Record<string, unknown>): Set<string> {
  const names = new Set<string>();
  arr(x.tallies, 'tallies').forEach((t, i) => {
    const p = `tallies[${i}]`;
    if (!isObj(t)) throw new ScenarioError(p, 'expected an object');
    const n = name(t.name, `${p}.name`);
    if (names.has(n)) throw new ScenarioError(`${p}.name`, `tally '${n}' is defined twice`);
    names.add(n);
    expectation(t.expect, `${p}.expect`, false);
    if (t.description !== undefined && typeof t.description !== 'string') {
      throw new ScenarioError(`${p}.description`, 'expected a string');
    }
  });
  return names;
}
