/**
 * The permanent guard of issue 11 for the command line: fast-check builds argument vectors
 * that are bad by construction (an unknown command; an unknown option; one option of a
 * valid command line given a value it must refuse; a stray positional; a scenario file,
 * failure file, shard file or `.ops` script with bad content), out of Object prototype keys
 * (constructor, __proto__, toString, ...), huge numbers, negatives, NaN, empty strings,
 * binary junk with control bytes, very long strings, deeply nested and huge JSON. Each one
 * must end with exit 2 and exactly one line on stderr ('eventpoll-sim: ...', at most
 * STDERR_MAX characters, no stack trace, no raw control character), within a time bound.
 *
 * Most inputs run in this process through main() (stdout and stderr captured by replacing
 * console.log/error and process.stdout/stderr.write for the call); a few run through the
 * real bin/eventpoll-sim.js. Fixed seeds and run counts, so CI sees the same inputs every
 * time. Recorded at the last change of the counts: 2,000 inputs in process (bad option values
 * 270, bad files 343, unknown options 339, unknown commands 335, special paths 365, stray
 * positionals 348) and 16 through the binary; exit codes seen: 2 (every one, 2,016 of 2,016).
 * Seeds 1 to 4 gave the same with the last-resort escaping in main() turned off.
 *
 * What it found, each with a test at the end of this file: node's unknown-option message
 * echoed the option raw (5,000 BEL bytes); `replay FILE` echoed a junk file's bytes through
 * JSON.parse's message; `merge` took a shard whose campaign was not an object as an internal
 * error (exit 3); C1 control characters and U+2028 were printed raw (unknown command, stray
 * positional, zoo entry, option values); an emoji was quoted as 12 characters of escapes.
 * Found by reading on the way: `merge /dev/zero` read until memory ran out, a shard count of
 * a billion looked for a billion missing shards, /proc/self/mem (EIO) was exit 3.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { main } from '../../src/cli/main.ts';
import { resolveScenario, scenarioNames } from '../../src/scenario/library.ts';
import { makeScheduler } from '../../src/sim/schedulers/index.ts';
import { ZOO } from '../../src/zoo/entries.ts';
import { ZOO_SCENARIOS } from '../../src/zoo/scenarios.ts';
import { cli, noStack } from './helpers.ts';

/** The fast-check seeds and numbers of runs (recorded: change them only on purpose). */
const SEED = 20261207;
const RUNS = 2000;
const SPAWN_SEED = 7;
const SPAWN_RUNS = 16;
/** The longest line stderr may have (lists of known names included; user text is cut to 80). */
const STDERR_MAX = 1000;
/** Per input (a 2-core machine shared with other test files). */
const IN_PROCESS_MS = 4000;
const SPAWN_MS = 20_000;

const TMP = mkdtempSync(join(tmpdir(), 'eventpoll-sim-bad-input-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const V = 'mainline-6.18';
const S = 'et-two-waiters';
const SCHEDULE = simulate({ variant: V, scenario: S, seed: 1 }).schedule;
const OK_OPS = join(TMP, 'ok.ops');
writeFileSync(OK_OPS, 'create ep\neventfd e\nadd ep e IN\nwrite e 1\nwait ep 8 0\n');

/** What the CLI printed and returned. */
interface Outcome {
  code: number;
  out: string;
  err: string;
  ms: number;
}

/** Runs main() in this process with stdout and stderr captured (restored in finally). */
async function inProcess(argv: string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { log: console.log, error: console.error, warn: console.warn,
    info: console.info, out: process.stdout.write, err: process.stderr.write };
  const progress = process.env.EVENTPOLL_SIM_PROGRESS_SECONDS;
  console.log = (...a: unknown[]) => { out.push(`${format(...a)}\n`); };
  console.info = console.log;
  console.error = (...a: unknown[]) => { err.push(`${format(...a)}\n`); };
  console.warn = console.error;
  process.stdout.write = ((c: unknown) => { out.push(String(c)); return true; }) as never;
  process.stderr.write = ((c: unknown) => { err.push(String(c)); return true; }) as never;
  process.env.EVENTPOLL_SIM_PROGRESS_SECONDS = '0';
  const t0 = performance.now();
  let code: number;
  try {
    code = await main(argv);
  } finally {
    Object.assign(console, { log: saved.log, error: saved.error, warn: saved.warn,
      info: saved.info });
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    if (progress === undefined) delete process.env.EVENTPOLL_SIM_PROGRESS_SECONDS;
    else process.env.EVENTPOLL_SIM_PROGRESS_SECONDS = progress;
  }
  return { code, out: out.join(''), err: err.join(''), ms: performance.now() - t0 };
}

// ---- the pieces bad inputs are made of ------------------------------------------------------

const PROTO = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty',
  'isPrototypeOf', '__defineGetter__', 'prototype', 'propertyIsEnumerable'];
const LONG = 'x'.repeat(60_000);
const CONTROL = '\u0000\u001b[2J\u001b]0;pwned\u0007\r\n\u2028\u0085\u009b';

/** Strings of every kind: prototype keys, control bytes, long, binary, unicode. */
const junk: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PROTO),
  fc.constantFrom('', ' ', CONTROL, LONG, `${'\u0007'.repeat(5000)}y`, 'NaN', 'Infinity',
    '-1', '-0', '1e308', '99999999999999999999999', '0x', '\u202e\u0645\u2066', '%s%n%x',
    '${PATH}', '$(id)', "'", '"', '\\', '🧨'.repeat(300)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
  fc.string({ minLength: 1, maxLength: 12 }),
);

/** Junk that is not numeric-looking (numbers some options accept, in any spelling). */
const notNumber = (s: string): boolean => !/^\s*(0x[0-9a-f]*|[+-]?[0-9.]+(e[+-]?[0-9]+)?)\s*$/i
  .test(s) || /^\s*-/.test(s) || s.length > 30;

/** Integers no option accepts (all counts are >= 0 and <= 1e10), and non-integers. */
const badInt = fc.oneof(fc.constantFrom('-1', '-7', '1.5', '1e3', 'NaN', 'Infinity', '0x10',
  '+1', ' 1', '1 ', '', '99999999999999999999', '-99999999999', '\u0663', '1_000', '١٠'),
junk.filter((s) => !/^\s*[0-9]+\s*$/.test(s)));

const badSeed = fc.oneof(fc.constantFrom('-1', '4294967296', '0x100000000', '1.5', 'NaN', '',
  ' ', '99999999999', '0x', '0xg', '1e3'), junk.filter(notNumber));

const badTime = fc.oneof(fc.constantFrom('0', '-1', 'NaN', '', '1e3', '99999999', '0.0001',
  'Infinity', '1.2.3'), junk.filter(notNumber));

const badShard = fc.oneof(fc.constantFrom('0/1', '2/1', '1/0', '', '1/10001', '1/2/3', '-1/2',
  '1/', '/1', '1:2', ' 1/2'), junk.filter((s) => !/^[0-9]{1,5}\/[0-9]{1,5}$/.test(s)));

const VARIANT_LIKE = /^(mainline|classic|rwlock|wfcqueue|singlepass|exclusive|roundrobin)/;
const badVariant = fc.oneof(fc.constantFrom(`${V}+constructor`, `${V}+__proto__`, `${V}+`,
  `${V}++B5`, '+B5', `${V}+B5+B5+toString`, `${V} `, `${V}\u0000`),
junk.filter((s) => s !== '' && !VARIANT_LIKE.test(s)));

const SCEN_NAMES = new Set([...scenarioNames(), ...ZOO_SCENARIOS.map((z) => z.name)]);
const badScenarioName = fc.oneof(fc.constantFrom('gen:-1', 'gen:4294967296', 'gen:x', 'gen:',
  'gen:0x1', 'nope.json', '/', '/dev/zero', '/dev/null', TMP, `${S}.json`, './', '.json'),
junk.filter((s) => !SCEN_NAMES.has(s) && !/^gen:[0-9]+$/.test(s)));

const validStrategy = (s: string): boolean => {
  try {
    makeScheduler(s);
    return true;
  } catch {
    return false;
  }
};
const badStrategy = fc.oneof(fc.constantFrom('', 'pct:', 'pct:-1', 'pct:x', 'pct:999',
  'random:1', 'PCT', 'dfs', 'bounded:1'), junk.filter((s) => !validStrategy(s) &&
  s !== 'bounded'));

const badMemory = junk.filter((s) => s !== 'sc' && s !== 'tso');
const badSchedule = fc.oneof(fc.constantFrom('a9999999b9999999'.repeat(200), 'zz', '!!!',
  `${SCHEDULE}a`, SCHEDULE.slice(0, -1) || 'q', 'a-1', 'a0.0.0.0'), junk.filter((s) => s !== ''));
const badAlign = junk.filter((s) => s !== 'syscalls' && s !== 'seed');
const ZOO_IDS = new Set(ZOO.map((z) => z.id.toLowerCase()));
const badEntry = junk.filter((s) => !ZOO_IDS.has(s.toLowerCase()));

/** What each value-taking option must refuse. */
const BAD_VALUE: Readonly<Record<string, fc.Arbitrary<string>>> = {
  int: badInt, seed: badSeed, time: badTime, shard: badShard, variant: badVariant,
  scenario: badScenarioName, strategy: badStrategy, memory: badMemory, schedule: badSchedule,
  align: badAlign, entry: badEntry,
};

/** A valid, quick command line per command, and the kinds of its value-taking options. */
interface Command {
  base: string[];
  values: Readonly<Record<string, string>>;
  /** Takes no positional argument. */
  noPositionals: boolean;
}

const SHARD_OK = join(TMP, 'shard-ok.json');
const COMMANDS: Readonly<Record<string, Command>> = {
  run: { base: ['run', '--variant', V, '--scenario', S, '--seed', '1'], noPositionals: true,
    values: { variant: 'variant', scenario: 'scenario', seed: 'seed', strategy: 'strategy',
      memory: 'memory', tail: 'int' } },
  replay: { base: ['replay', '--variant', V, '--scenario', S, '--seed', '1', '--schedule',
    SCHEDULE], noPositionals: false,
  values: { variant: 'variant', scenario: 'scenario', seed: 'seed', schedule: 'schedule',
    memory: 'memory', tail: 'int' } },
  fuzz: { base: ['fuzz', '--variant', V, '--scenario', S, '--seeds', '2', '--jobs', '1'],
    noPositionals: true,
    values: { variant: 'variant', scenario: 'scenario', seed: 'seed', seeds: 'int',
      schedules: 'int', gen: 'int', strategy: 'strategy', memory: 'memory', jobs: 'int',
      'time-limit': 'time', shard: 'shard' } },
  campaign: { base: ['campaign', '--seeds', '1', '--gen', '0', '--jobs', '1'],
    noPositionals: true,
    values: { seeds: 'int', schedules: 'int', gen: 'int', seed: 'seed', strategy: 'strategy',
      memory: 'memory', jobs: 'int', shard: 'shard' } },
  diff: { base: ['diff', '--variant', V, '--variant', 'classic-4.19', '--scenario', S,
    '--seeds', '1'], noPositionals: true,
  values: { scenario: 'scenario', seeds: 'int', seed: 'seed', strategy: 'strategy',
    memory: 'memory', align: 'align' } },
  explore: { base: ['explore', '--variant', V, '--scenario', S, '--preemptions', '0'],
    noPositionals: true,
    values: { variant: 'variant', scenario: 'scenario', preemptions: 'int',
      'max-executions': 'int', 'time-limit': 'time', memory: 'memory', strategy: 'strategy' } },
  zoo: { base: ['zoo', '--entry', ZOO[0]!.id, '--families', '1', '--budget', '1', '--no-fixed',
    '--no-shrink', '--jobs', '1'], noPositionals: true,
  values: { entry: 'entry', families: 'int', budget: 'int', 'fixed-multiple': 'int',
    jobs: 'int' } },
  list: { base: ['list'], noPositionals: true, values: {} },
  script: { base: ['script', OK_OPS], noPositionals: false, values: { variant: 'variant' } },
  merge: { base: ['merge', SHARD_OK], noPositionals: false, values: {} },
};
const NAMES = Object.keys(COMMANDS);
/** Every option any command takes (an "unknown option" is none of these). */
const KNOWN_OPTIONS = new Set(['variant', 'scenario', 'seed', 'seeds', 'schedules', 'total',
  'gen', 'all', 'strategy', 'memory', 'json', 'help', 'keep-going', 'jobs', 'force-jobs',
  'time-limit', 'save-failures', 'shard', 'prefix', 'schedule', 'trace', 'lines', 'tail',
  'strict', 'align', 'preemptions', 'max-executions', 'entry', 'families', 'budget',
  'fixed-multiple', 'no-fixed', 'no-shrink', 'markdown', 'html', 'diff', 'view', 'perfetto',
  'zoo', 'out', 'open']);
const NOT_A_COMMAND = new Set([...NAMES, 'help', '--help', '-h', 'version', '--version', '-V',
  'view', 'verify']);

// ---- bad files ------------------------------------------------------------------------------

function deepArray(n: number): string {
  return `${'['.repeat(n)}${']'.repeat(n)}`;
}

/** A library scenario with the value at `path` replaced (JSON text). */
function mutated(path: readonly (string | number)[], v: unknown): string {
  const sc = structuredClone(resolveScenario(S).scenario) as unknown as Record<string, unknown>;
  let o = sc as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]!] = v;
  return JSON.stringify(sc);
}

/** Per path of et-two-waiters, values that no scenario may have there. */
const SCENARIO_BAD: readonly [readonly (string | number)[], readonly unknown[]][] = [
  [['name'], [1, null, '', 'a b', '1x', 'x'.repeat(5000), [], {}, CONTROL]],
  [['cpus'], [0, -1, 65, 1.5, '2', null, [], 1e308, {}]],
  [['memory'], ['SC', ...PROTO, 1, null]],
  [['time'], ['constructor', 1, null]],
  [['files'], [{}, 'x', 1]],
  [['files', 0, 'type'], [...PROTO, '', 1, null]],
  [['files', 0, 'name'], [1, '', 'a b', CONTROL]],
  [['sets', 0, 'name'], [1, '', 'a b']],
  [['watches', 0, 'set'], ['__proto__', 'constructor', 'nope']],
  [['watches', 0, 'fd'], ['toString', '__proto__', 'nope']],
  [['watches', 0, 'events'], [['constructor'], ['__proto__'], ['IN', 'toString'], 'IN',
    2 ** 40, 1.5, [1], -1]],
  [['tasks'], [[], {}, 'x']],
  [['tasks', 0, 'cpu'], [-1, 64, 1.5, '0']],
  [['tasks', 0, 'program'], [{}, 'x']],
  [['tasks', 0, 'program', 0], [null, 1, 'x', []]],
  [['tasks', 0, 'program', 0, 'op'], [...PROTO, '', 1, null]],
  [['tasks', 0, 'program', 0, 'set'], [...PROTO]],
  [['irqs', 0, 'fd'], [...PROTO]],
  [['extra'], [JSON.parse(deepArray(40)), 'x'.repeat(5000)]],
];

/** JSON (or not) that is no object of any kind the CLI reads. */
const WHOLE_BAD = ['null', '[]', '1', '"x"', 'true', '', '{', '{"name":', '\u0000\u0001',
  '{"__proto__": null}', '{"constructor": {}}', deepArray(100_000), '1e999999', '{"a":1,}',
  `"${'\\u0000'.repeat(100)}"`];

const badScenarioFile: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.constantFrom(...WHOLE_BAD),
  fc.uint8Array({ minLength: 1, maxLength: 64 }),
  fc.nat({ max: SCENARIO_BAD.length - 1 }).chain((i) => fc.constantFrom(
    ...SCENARIO_BAD[i]![1].map((v) => mutated(SCENARIO_BAD[i]![0], v)))),
);

const FAILURE_OK = { variant: V, scenario: S, seed: 1, schedule: SCHEDULE, memory: 'sc' };
const badFailureFile: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.constantFrom(...WHOLE_BAD),
  fc.uint8Array({ minLength: 1, maxLength: 64 }),
  fc.tuple(fc.constantFrom('variant', 'scenario', 'seed', 'schedule', 'memory'),
    fc.constantFrom<unknown>(...PROTO, -1, 1e300, 1.5, null, [], {}, '', CONTROL,
      'a9999999b9999999'.repeat(200), { name: 'x' }, JSON.parse(deepArray(50))))
    .filter(([k, v]) => !(k === 'schedule' && v === SCHEDULE))
    .map(([k, v]) => JSON.stringify({ ...FAILURE_OK, [k]: v })),
);

let shardOk: Record<string, unknown> = {};
const badShardFile: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.constantFrom(...WHOLE_BAD),
  fc.uint8Array({ minLength: 1, maxLength: 64 }),
  fc.tuple(fc.constantFrom('format', 'command', 'campaign', 'shard', 'runs', 'stopped'),
    fc.constantFrom<unknown>(...PROTO, -1, null, [], {}, '', CONTROL, { index: 2, count: 1 },
      [{ results: null }], [{ results: [{}] }], { variant: 'constructor' }))
    .map(([k, v]) => () => JSON.stringify({ ...shardOk, [k]: v })),
  fc.tuple(fc.constantFrom('index', 'from', 'schedules', 'steps', 'violations', 'limits',
    'variant', 'failure', 'limit'), fc.constantFrom<unknown>(...PROTO, -1, 1e300, 1.5, null, 'x',
    [], CONTROL)).filter(([k, v]) => k !== 'variant' || typeof v !== 'string')
    .map(([k, v]) => () => {
    const s = structuredClone(shardOk) as { runs: { results: Record<string, unknown>[] }[] };
    s.runs[0]!.results[0]![k] = v;
    return JSON.stringify(s);
  }),
).map((x) => (typeof x === 'function' ? x() : x));

const OPS_PREFIX = 'create ep\neventfd e\n';
const badOps: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.tuple(fc.constantFrom(...PROTO, 'creat', 'CREATE', 'wait4', '1', '!x'), junk)
    .map(([op, rest]) => `${op} ${rest.replace(/[\n\r]/g, ' ')}\n`),
  fc.constantFrom('add ep e constructor', 'add ep e __proto__', 'add ep e IN|toString',
    'add ep nope IN', 'add ep toString IN', 'wait ep 99999999999999999 0', 'wait ep -0 0',
    'wait ep NaN 0', 'wait ep 1.5 0', 'write e 1e3', 'expect 1', `create ${'a'.repeat(300)}`,
    'add ep e', 'close', 'shutdown e sideways', 'wait ep 8', 'poll e IN x',
    'add ep e 0x1ffffffff', 'wait __proto__ 1 0')
    .map((l) => `${OPS_PREFIX}${l}\n`),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map((s) => `\u0001${s}\n`),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Uint8Array.from([1, ...b])),
  fc.constantFrom('many', 'huge').map((k) => (k === 'many' ? 'echo x\n'.repeat(20_001)
    : `echo ${'z'.repeat((1 << 20) + 10)}\n`)),
);

// ---- inputs ---------------------------------------------------------------------------------

/** A bad input: a description of an argument vector (files are written when it runs). */
type Input =
  | { kind: 'command'; cmd: string; rest: string }
  | { kind: 'unknown-option'; cmd: string; name: string; value: string | null; at: number }
  | { kind: 'bad-value'; cmd: string; option: string; value: string; eq: boolean }
  | { kind: 'positional'; cmd: string; value: string }
  | { kind: 'file'; cmd: string; content: string | Uint8Array }
  | { kind: 'path'; cmd: string; path: string };

const command = fc.constantFrom(...NAMES);
const withValues = NAMES.filter((n) => Object.keys(COMMANDS[n]!.values).length > 0);

const input0: fc.Arbitrary<Input> = fc.oneof(
  fc.record({ kind: fc.constant('command' as const),
    cmd: fc.oneof(junk, fc.constantFrom('-x', '--', '-', 'RUN', 'run ', ' run', 'fuzz\u0000',
      'replay=1', '--run')).filter((c) => !NOT_A_COMMAND.has(c)), rest: command }),
  fc.record({ kind: fc.constant('unknown-option' as const), cmd: command,
    name: fc.oneof(junk, fc.constantFrom(...PROTO)).filter((n) => n !== '' &&
      !n.includes('=') && !KNOWN_OPTIONS.has(n)),
    value: fc.option(junk), at: fc.nat() }),
  fc.constantFrom(...withValues).chain((cmd) => {
    const opts = COMMANDS[cmd]!.values;
    return fc.constantFrom(...Object.keys(opts)).chain((option) => fc.record({
      kind: fc.constant('bad-value' as const), cmd: fc.constant(cmd), option: fc.constant(option),
      value: BAD_VALUE[opts[option]!]!, eq: fc.boolean() }));
  }),
  fc.record({ kind: fc.constant('positional' as const), cmd: command,
    value: junk.filter((s) => !s.startsWith('-') && s !== '') }),
  fc.oneof(
    fc.record({ kind: fc.constant('file' as const),
      cmd: fc.constantFrom('run', 'fuzz', 'diff', 'explore', 'replay-scenario'),
      content: badScenarioFile }),
    fc.record({ kind: fc.constant('file' as const), cmd: fc.constant('replay'),
      content: badFailureFile }),
    fc.record({ kind: fc.constant('file' as const), cmd: fc.constant('merge'),
      content: badShardFile }),
    fc.record({ kind: fc.constant('file' as const), cmd: fc.constant('script'),
      content: badOps }),
  ),
  fc.record({ kind: fc.constant('path' as const),
    cmd: fc.constantFrom('replay', 'merge', 'script', 'run'),
    path: fc.constantFrom('/dev/zero', '/dev/null', TMP, 'nope.json', join(TMP, 'nope'),
      join(TMP, 'big.json'), join(TMP, 'fifo.json'), join(TMP, 'dir.json'), '/',
      '/proc/self/mem') }),
);

/** Long strings cut, for failure reports (fast-check prints the input it failed on). */
function cut(v: unknown): unknown {
  if (typeof v === 'string') return v.length > 600 ? `${v.slice(0, 600)}...(${v.length})` : v;
  if (v instanceof Uint8Array) return `bytes ${Buffer.from(v.slice(0, 40)).toString('hex')}`;
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cut(x)]));
  }
  return v;
}

const input: fc.Arbitrary<Input> = input0.map((x) => Object.defineProperty({ ...x },
  fc.toStringMethod, { value: () => JSON.stringify(cut(x)), enumerable: false }));

let fileNo = 0;

/** The argument vector of an input (writing its file, if it has one). */
function argvOf(x: Input): string[] {
  switch (x.kind) {
    case 'command':
      return [x.cmd, ...COMMANDS[x.rest]!.base.slice(1)];
    case 'unknown-option': {
      const b = [...COMMANDS[x.cmd]!.base];
      const opt = x.name.length === 1 && x.value === null ? `-${x.name}` : `--${x.name}`;
      const at = 1 + (x.at % b.length);
      // Only between options: never in place of an option's value.
      const pos = at < b.length && b[at - 1]!.startsWith('--') && !b[at]!.startsWith('--')
        ? at + 1 : at;
      b.splice(pos, 0, ...(x.value === null ? [opt] : [`${opt}=${x.value}`]));
      return b;
    }
    case 'bad-value': {
      const b = [...COMMANDS[x.cmd]!.base];
      const i = b.indexOf(`--${x.option}`);
      if (i > 0) b.splice(i, 2);
      return [...b, ...(x.eq ? [`--${x.option}=${x.value}`] : [`--${x.option}`, x.value])];
    }
    case 'positional': {
      const c = COMMANDS[x.cmd]!;
      return [...c.base, x.value];
    }
    case 'file': {
      const p = join(TMP, `f${fileNo++}.${x.cmd === 'script' ? 'ops' : 'json'}`);
      writeFileSync(p, x.content);
      if (x.cmd === 'replay') return ['replay', p];
      if (x.cmd === 'merge') return ['merge', p];
      if (x.cmd === 'script') return ['script', p];
      if (x.cmd === 'replay-scenario') {
        return ['replay', '--variant', V, '--scenario', p, '--seed', '1', '--schedule', SCHEDULE];
      }
      const b = [...COMMANDS[x.cmd]!.base];
      b[b.indexOf('--scenario') + 1] = p;
      return b;
    }
    case 'path':
      if (x.cmd === 'run') return ['run', '--variant', V, '--scenario', x.path];
      return [x.cmd, x.path];
  }
}

/** Checks one outcome against the contract; `what` names the input in failures. */
function check(what: string, r: Outcome, ms: number): void {
  expect(r.code, `${what}: exit code (stderr: ${r.err.slice(0, 300)})`).toBe(2);
  const lines = r.err.replace(/\n$/, '').split('\n');
  expect(lines, `${what}: one line on stderr`).toHaveLength(1);
  const line = lines[0]!;
  expect(line, what).toMatch(/^eventpoll-sim: \S/);
  expect(line.length, `${what}: ${line.slice(0, 200)}`).toBeLessThanOrEqual(STDERR_MAX);
  expect(noStack(r.err), `${what}: stack trace`).toBe(true);
  expect(line, `${what}: raw control characters`)
    .not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
  expect(r.ms, `${what}: took ${r.ms.toFixed(0)} ms`).toBeLessThan(ms);
}

const show = (argv: string[]): string => JSON.stringify(argv.map((a) => (a.length > 80
  ? `${a.slice(0, 80)}...(${a.length})` : a)));

beforeAll(async () => {
  const r = await inProcess(['fuzz', '--variant', V, '--scenario', S, '--seeds', '2',
    '--shard', '1/1', '--json']);
  expect(r.code).toBe(0);
  writeFileSync(SHARD_OK, r.out);
  shardOk = JSON.parse(r.out) as Record<string, unknown>;
  writeFileSync(join(TMP, 'big.json'), Buffer.alloc((4 << 20) + 1, 0x20));
  execFileSync('mkfifo', [join(TMP, 'fifo.json')]);
  mkdirSync(join(TMP, 'dir.json'));
}, 60_000);

describe('the valid command lines the guard starts from', () => {
  it('each is accepted (0 or 1), so the one thing changed is what is refused', async () => {
    for (const n of NAMES) {
      const r = await inProcess(COMMANDS[n]!.base);
      expect([0, 1], `${n}: ${r.err.slice(0, 300)}`).toContain(r.code);
    }
  }, 120_000);
});

describe(`cli guard: generated bad inputs (fast-check seed ${SEED}, ${RUNS} runs in process, ` +
  `${SPAWN_RUNS} through the binary)`, () => {
  const codes = new Map<number, number>();
  const kinds = new Map<string, number>();

  it('in process: exit 2, one short line on stderr, no stack, no control characters', async () => {
    await fc.assert(fc.asyncProperty(input, async (x) => {
      const argv = argvOf(x);
      const r = await inProcess(argv);
      codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
      kinds.set(x.kind, (kinds.get(x.kind) ?? 0) + 1);
      check(`${x.kind} ${show(argv)}`, r, IN_PROCESS_MS);
    }), { seed: SEED, numRuns: RUNS, endOnFailure: true });
    const total = [...codes.values()].reduce((a, b) => a + b, 0);
    console.log(`cli guard: ${total} inputs in process (${[...kinds].map(([k, n]) =>
      `${k} ${n}`).join(', ')}); exit codes: ${[...codes].map(([c, n]) => `${c} x${n}`)
      .join(', ')}`);
    expect(total).toBe(RUNS);
  }, 240_000);

  it('through bin/eventpoll-sim.js: the same contract in a real process', () => {
    const seen = new Map<number, number>();
    fc.assert(fc.property(input, (x) => {
      // A process's arguments cannot hold NUL bytes.
      const argv = argvOf(x).map((a) => a.replace(/\u0000/g, '\u0001'));
      const t0 = performance.now();
      const r = cli(argv);
      seen.set(r.code, (seen.get(r.code) ?? 0) + 1);
      check(`spawned ${x.kind} ${show(argv)}`, { ...r, ms: performance.now() - t0 }, SPAWN_MS);
    }), { seed: SPAWN_SEED, numRuns: SPAWN_RUNS, endOnFailure: true });
    console.log(`cli guard: ${SPAWN_RUNS} inputs through the binary; exit codes: ` +
      [...seen].map(([c, n]) => `${c} x${n}`).join(', '));
  }, 240_000);
});

describe('defects the guard found, one test each', () => {
  /** One line on stderr, exit 2; returns the line. */
  async function refused(argv: string[]): Promise<string> {
    const r = await inProcess(argv);
    check(show(argv), r, IN_PROCESS_MS);
    return r.err.trim();
  }

  it('an unknown option is quoted and cut (node echoed 5,000 BEL bytes)', async () => {
    const line = await refused(['run', `--${'\u0007'.repeat(5000)}y`]);
    expect(line).toBe(`eventpoll-sim: Unknown option '--${'\\x07'.repeat(78)}...' ` +
      '(5003 characters)');
    expect(await refused(['run', '-Z'])).toBe("eventpoll-sim: Unknown option '-Z'");
    expect(await refused(['fuzz', '--variant', V, '--constructor=1']))
      .toBe("eventpoll-sim: Unknown option '--constructor'");
  });

  it('replay FILE of binary junk does not echo its bytes', async () => {
    const p = join(TMP, 'junk-failure.json');
    writeFileSync(p, Buffer.from([0xe5, 0x53, 0xaa, 0x1b, 0x5b, 0x32, 0x4a, 0x07]));
    expect(await refused(['replay', p])).toMatch(/^eventpoll-sim: cannot read failure file '.*': '.*\\x1b\[2J\\x07/);
  });

  it('merge: a shard whose campaign is not an object is exit 2, not an internal error',
    async () => {
      for (const campaign of ['x', null, { variant: 1 }]) {
        const p = join(TMP, 'bad-campaign.json');
        writeFileSync(p, JSON.stringify({ ...shardOk, campaign }));
        expect(await refused(['merge', p])).toMatch(/the shards' campaign is not a fuzz campaign/);
      }
    });

  it('merge: a shard count of a billion is refused (it looked for a billion missing shards)',
    async () => {
      const p = join(TMP, 'big-count.json');
      writeFileSync(p, JSON.stringify({ ...shardOk, shard: { index: 1, count: 1e9 } }));
      expect(await refused(['merge', p])).toMatch(/is not a shard result/);
    });

  it('merge reads regular files only (merge /dev/zero read until memory ran out)', async () => {
    expect(await refused(['merge', '/dev/zero'])).toMatch(/shard file '\/dev\/zero': not a regular file/);
    expect(await refused(['merge', join(TMP, 'fifo.json')])).toMatch(/not a regular file/);
  });

  it('a file that stat calls regular but cannot be read is exit 2 (/proc/self/mem: EIO)',
    async () => {
      expect(await refused(['replay', '/proc/self/mem'])).toMatch(/cannot read failure file/);
      expect(await refused(['script', '/proc/self/mem'])).toMatch(/cannot read script/);
    });

  it('C1 controls and line separators are escaped (unknown command, stray positional, zoo entry)',
    async () => {
      const evil = 'a\u009b2J\u0085b\u2028c';
      const esc = "'a\\x9b2J\\x85b\\u2028c'";
      expect(await refused([evil])).toContain(`unknown command ${esc}`);
      expect(await refused(['list', evil])).toContain(`list takes no positional argument, got ${esc}`);
      expect(await refused(['zoo', '--entry', evil])).toContain(`unknown zoo entry ${esc}`);
      expect(await refused(['fuzz', '--variant', V, '--seeds', evil])).toContain(`bad --seeds ${esc}`);
      expect(await refused(['run', '--variant', V, '--scenario', S, '--memory', evil]))
        .toContain(`bad --memory ${esc}`);
      expect(await refused(['fuzz', '--variant', V, '--time-limit', evil]))
        .toContain(`bad --time-limit ${esc}`);
      expect(await refused(['fuzz', '--variant', V, '--shard', evil])).toContain(`bad --shard ${esc}`);
    });

  it('an emoji is quoted as itself, not as 12 characters of escapes', async () => {
    const line = await refused(['run', '--variant', V, '--scenario', '🧨'.repeat(300)]);
    expect(line).toContain(`unknown scenario '${'🧨'.repeat(40)}...' (600 characters)`);
  });
});

describe('unbounded echo (issue 11): messages built from user strings quote them', () => {
  async function line(argv: string[]): Promise<string> {
    const r = await inProcess(argv);
    check(show(argv), r, IN_PROCESS_MS);
    return r.err.trim();
  }
  const evil = `${'\u001b[31m'.repeat(40)}x`;

  it('--save-failures DIR that cannot be made: the path and the OS message quoted', async () => {
    const file = join(TMP, 'plain-file');
    writeFileSync(file, 'x');
    const l = await line(['fuzz', '--variant', V, '--scenario', S, '--seeds', '1',
      '--save-failures', join(file, evil)]);
    expect(l).toMatch(/^eventpoll-sim: --save-failures: cannot create '.*\\x1b\[31m.*\.\.\.' \(\d+ characters\): '/);
  });

  it('explore --strategy, script FILE and an era scenario name are quoted', async () => {
    expect(await line(['explore', '--variant', V, '--scenario', S, '--strategy', evil]))
      .toMatch(/^eventpoll-sim: bad --strategy '(\\x1b\[31m)+\.\.\.' \(201 characters\): /);
    const p = join(TMP, `bad\u0007.ops`);
    writeFileSync(p, 'constructor\n');
    expect(await line(['script', p])).toContain(`'${TMP}/bad\\x07.ops': line 1: `);
    const { eraScenario } = await import('../../src/scenario/eras.ts');
    expect(() => eraScenario(evil)).toThrow(/^unknown era scenario '(\\x1b\[31m)+\.\.\.' \(201/);
  });

  it('replay({hash}) quotes the recorded hash it compares with', async () => {
    const { replay } = await import('../../src/api/simulate.ts');
    const f = { variant: V, scenario: S, seed: 1, memory: 'sc' as const, schedule: SCHEDULE };
    expect(() => replay({ ...f, hash: `${'\u0007'.repeat(1e5)}` }))
      .toThrow(/differs from the recorded '(\\x07)+\.\.\.' \(100000 characters\)$/);
  });
});
