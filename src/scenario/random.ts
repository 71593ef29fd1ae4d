/**
 * Random scenarios drawn from a seed (`gen:SEED`): small concurrent workloads over one or
 * two sets (sometimes nested), eventfds and a pipe, with LT/ET/ONESHOT/EXCLUSIVE watches,
 * waiters with and without timeouts, readers, MOD re-arms, process-context writers and
 * interrupt sources. Drawn with the project PRNG, so a seed names a scenario for good.
 */
import { intArg } from '../sim/errors.ts';
import { Prng } from '../sim/prng.ts';
import type { FileSpec, IrqSpec, Scenario, SyscallSpec, TaskSpec, WatchSpec } from './types.ts';

const MODES: readonly (readonly string[])[] = [
  ['IN'], ['IN', 'ET'], ['IN', 'ONESHOT'], ['IN', 'EXCLUSIVE'], ['IN', 'ET', 'ONESHOT'],
];

/** The scenario named `gen:<seed>`. */
export function randomScenario(seed: number): Scenario {
  intArg(seed, 'randomScenario: seed', 0, 0xffff_ffff);
  const p = new Prng(seed ^ 0x5ce7a410);
  const cpus = p.rangeInclusive(2, 3);
  const nfiles = p.rangeInclusive(1, 2);
  const files: FileSpec[] = [];
  const fds: string[] = [];
  for (let i = 0; i < nfiles; i++) {
    files.push({ name: `e${i}`, type: 'eventfd' });
    fds.push(`e${i}`);
  }
  const withPipe = p.chance({ num: 1, den: 4 });
  if (withPipe) {
    files.push({ name: 'p', type: 'pipe' });
    fds.push('pr');
  }
  const nested = p.chance({ num: 1, den: 5 });
  const sets = nested ? [{ name: 'ep' }, { name: 'outer' }] : [{ name: 'ep' }];
  const watches: WatchSpec[] = [];
  const modeOf = new Map<string, readonly string[]>();
  for (const fd of fds) {
    const mode = MODES[p.index(MODES)]!;
    modeOf.set(fd, mode);
    watches.push({ set: 'ep', fd, events: mode });
  }
  if (nested) watches.push({ set: 'outer', fd: 'ep', events: ['IN'] });
  const tasks: TaskSpec[] = [];
  const nwait = p.rangeInclusive(1, 2);
  for (let t = 0; t < nwait; t++) tasks.push(waiter(p, t, t % cpus, fds, modeOf, nested));
  const irqs: IrqSpec[] = [];
  if (p.boolean() || tasks.length === cpus) {
    const fd = fds[p.below(nfiles)]!;
    irqs.push({ name: 'dev', cpu: p.below(cpus), fd, count: p.rangeInclusive(1, 2) });
  }
  if (tasks.length < cpus && p.boolean()) {
    const prog: SyscallSpec[] = [];
    for (let i = p.rangeInclusive(1, 2); i > 0; i--) {
      const fd = fds[p.index(fds)]!;
      prog.push({ op: 'write', fd: fd === 'pr' ? 'pw' : fd, n: 1 });
    }
    tasks.push({ name: 'P', cpu: tasks.length, program: prog });
  }
  if (irqs.length === 0 && !tasks.some((t) => t.name === 'P')) {
    irqs.push({ name: 'dev', cpu: cpus - 1, fd: fds[0]!, count: 1 });
  }
  return { name: `gen:${seed}`, cpus, files, sets, watches, tasks, irqs };
}

function waiter(p: Prng, t: number, cpu: number, fds: string[],
  modeOf: Map<string, readonly string[]>, nested: boolean): TaskSpec {
  const program: SyscallSpec[] = [];
  const rounds = p.rangeInclusive(1, 2);
  for (let r = 0; r < rounds; r++) {
    const set = nested && p.boolean() ? 'outer' : 'ep';
    const timeout = [-1, -1, 0, 1][p.below(4)]!;
    program.push({ op: 'epoll_wait', set, maxevents: p.rangeInclusive(1, 2), timeout });
    if (p.boolean()) {
      const fd = fds[p.index(fds)]!;
      program.push({ op: 'read', fd, n: 8 });
      if (modeOf.get(fd)!.includes('ONESHOT')) {
        program.push({ op: 'epoll_ctl', ctl: 'MOD', set: 'ep', fd, events: modeOf.get(fd)! });
      }
    }
  }
  return { name: `T${t}`, cpu, program };
}
