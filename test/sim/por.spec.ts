/**
 * Partial-order reduction (issue 14): the reduced search reaches every outcome the
 * unreduced one does, on small machines (both complete) and on library scenarios (the
 * unreduced search within a preemption bound: no library scenario can be enumerated without
 * one); every pair of adjacent steps the relation calls independent commutes; a planted bug
 * in the relation (two stores to one field "independent") is caught by both checks; the
 * reduced search finds zoo bugs; `eventpoll-sim verify` says "verified". RCU: a reader, a
 * second reader and an updater that frees with kfree_rcu (grace periods are global steps;
 * read-side entries, exits and needs touch one "rcu" location): the same outcomes reduced
 * and unreduced, and independent steps commute there too.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { outcomeOf, verify } from '../../src/api/verify.ts';
import { resolveVariant } from '../../src/eventpoll/variant.ts';
import { buildMachine } from '../../src/scenario/build.ts';
import { resolveScenario } from '../../src/scenario/library.ts';
import { Machine } from '../../src/sim/machine.ts';
import { kfree_rcu, rcu_read_lock, rcu_read_unlock } from '../../src/locks/rcu.ts';
import { load, READ_ONCE, store, WRITE_ONCE } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import {
  classify, dependent, FieldTable, POR_TEST_SWITCHES, SideEffects, type Footprint,
} from '../../src/sim/por.ts';
import type { Scheduler } from '../../src/sim/scheduler.ts';
import { DporScheduler, SleepBlocked, type PorMode } from '../../src/sim/schedulers/dpor.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import { ReplayScheduler } from '../../src/sim/schedulers/replay.ts';
import { cmdVerify } from '../../src/cli/commands/verify.ts';
import { B5_TIMEOUT0 } from '../../src/zoo/scenarios.ts';

afterEach(() => {
  POR_TEST_SWITCHES.brokenWriteWrite = false;
  POR_TEST_SWITCHES.brokenRcu = false;
});

/** Two or three tasks incrementing shared or private counters (a lost update when shared). */
function counters(mode: PorMode, tasks: number, rounds: number, shared: boolean):
{ finals: string[]; executions: number } {
  const s = new DporScheduler(mode);
  const finals = new Set<string>();
  let executions = 0;
  for (let more = true; more; executions++) {
    const m = new Machine({ ncpu: tasks });
    const vars = Array.from({ length: tasks }, () => m.alloc('vars', { x: 0 }));
    for (let t = 0; t < tasks; t++) {
      const v = shared ? vars[0]! : vars[t]!;
      m.addTask({ name: `T${t}`, cpu: t, *body(): Model<void> {
        for (let i = 0; i < rounds; i++) {
          const x = (yield load(v, 'x')) as number;
          yield store(v, 'x', x + 1);
        }
      } });
    }
    s.attach(m);
    let quiescent = false;
    try {
      m.run(s);
      quiescent = true;
      finals.add(vars.map((v) => m.arena.objs[v]!.x).join(','));
    } catch (e) {
      if (!(e instanceof SleepBlocked)) throw e;
    }
    more = s.next(quiescent);
  }
  return { finals: [...finals].sort(), executions };
}

describe('por: small machines, reduced against full enumeration', () => {
  it('independent tasks: one execution instead of every interleaving', () => {
    const full = counters('none', 2, 2, false);
    const red = counters('dpor', 2, 2, false);
    expect(full.executions).toBe(252);
    expect(red.executions).toBe(1);
    expect(red.finals).toEqual(full.finals);
  });
  it('a lost update: the same final values, fewer executions', () => {
    for (const [tasks, rounds] of [[2, 2], [3, 1]] as const) {
      const full = counters('none', tasks, rounds, true);
      const red = counters('dpor', tasks, rounds, true);
      expect(red.finals).toEqual(full.finals);
      expect(red.executions).toBeLessThan(full.executions / 5);
    }
  });
  it('blind writes: both last writers, and the canary (stores independent) loses one', () => {
    const finals = (mode: PorMode): string[] => {
      const s = new DporScheduler(mode);
      const seen = new Set<string>();
      for (let more = true; more;) {
        const b = blindWrites(0);
        s.attach(b.m);
        let quiescent = false;
        try {
          b.m.run(s);
          quiescent = true;
          seen.add(b.outcome('done', []));
        } catch (e) {
          if (!(e instanceof SleepBlocked)) throw e;
        }
        more = s.next(quiescent);
      }
      return [...seen].sort();
    };
    expect(finals('dpor')).toEqual(['x=1 y=3', 'x=2 y=3']);
    expect(finals('none')).toEqual(['x=1 y=3', 'x=2 y=3']);
    POR_TEST_SWITCHES.brokenWriteWrite = true;
    expect(finals('dpor')).toHaveLength(1);
  });
});

/**
 * Library scenarios whose reduced search completes in a few seconds, and the preemption
 * bound the unreduced search (every schedule within the bound) is run with.
 */
const EQUIVALENCE: readonly (readonly [string, string, number])[] = [
  ['mainline-6.18', 'one-wakeup', 2],
  ['mainline-6.18', 'signal-eintr', 1],
  ['mainline-6.18', 'close-vs-close', 2],
  ['mainline-6.18', 'del-vs-callback', 1],
  ['mainline-6.18', 'sp1-epfd-close-during-wait', 1],
  ['classic-4.19', 'one-wakeup', 2],
  ['classic-4.19', 'close-vs-close', 1],
  ['exclusive-4.5', 'signal-eintr', 1],
  // The qrwlock's operations touch the lock object alone (before, every one was global).
  ['rwlock-5.1', 'close-vs-close', 2],
  ['rwlock-5.1', 'del-vs-callback', 1],
];

function outcomes(variant: string, scenario: string, o: { reduction: PorMode;
  preemptions?: number }): { set: string[]; complete: boolean; executions: number } {
  const r = verify({ variant, scenario, keepGoing: true, outcomes: true,
    maxExecutions: 40_000, ...o });
  return { set: r.outcomes!, complete: r.complete, executions: r.executions };
}

describe('por: outcome equivalence on library scenarios', () => {
  for (const [variant, scenario, bound] of EQUIVALENCE) {
    it(`${variant} ${scenario}: every outcome of the unreduced search within ${bound} ` +
      'preemptions is reached by the complete reduced search', () => {
      const red = outcomes(variant, scenario, { reduction: 'dpor' });
      const full = outcomes(variant, scenario, { reduction: 'none', preemptions: bound });
      expect(red.complete).toBe(true);
      expect(full.complete).toBe(true);
      expect(full.set.filter((x) => !red.set.includes(x))).toEqual([]);
      // Both are real executions: the reduced search cannot invent an outcome either.
      expect(red.set.length).toBeGreaterThanOrEqual(full.set.length);
    });
  }
  it('canary: with stores to one field independent, a library outcome goes missing', () => {
    POR_TEST_SWITCHES.brokenWriteWrite = true;
    const red = outcomes('mainline-6.18', 'close-vs-close', { reduction: 'dpor' });
    POR_TEST_SWITCHES.brokenWriteWrite = false;
    const full = outcomes('mainline-6.18', 'close-vs-close', { reduction: 'none',
      preemptions: 2 });
    expect(full.set.filter((x) => !red.set.includes(x)).length).toBeGreaterThan(0);
  });
});

/**
 * Library scenarios on which optimal DPOR's wakeup trees (mode `dpor`, unbounded) are checked
 * against source sets (mode `source`), and whether none of their executions is cut short by
 * sleep sets (the paper shows Algorithm 2 never runs one when no process is ever disabled;
 * here the rules for disabled processes still may, but not in these scenarios).
 */
const TREES: readonly (readonly [string, string, boolean])[] = [
  ['mainline-6.18', 'one-wakeup', true],
  ['mainline-6.18', 'close-vs-close', false],
  ['mainline-6.18', 'signal-eintr', false],
  ['mainline-6.18', 'nested-sets', true],
  ['mainline-6.18', 'mixed-producers', false],
  ['mainline-6.18', 'wfcq-wakeup-et', true],
  ['classic-4.19', 'sp1-epfd-close-during-wait', false],
  ['exclusive-4.5', 'signal-eintr', false],
  ['rwlock-5.1', 'close-vs-close', false],
  ['rwlock-5.1', 'wfcq-wakeup-et', false],
];

/**
 * The classes (happens-before of each complete execution, DporScheduler.classes) a complete
 * search of a library scenario reaches, and how many executions it ran and cut short.
 */
function classesOf(variant: string, scenario: string, mode: PorMode):
{ classes: Set<string>; executions: number; blocked: number } {
  const { scenario: sc } = resolveScenario(scenario);
  const s = new DporScheduler(mode);
  s.classes = new Set();
  let executions = 0;
  for (let more = true; more; executions++) {
    const b = buildMachine(sc, { cfg: resolveVariant(variant), seed: 0,
      memory: sc.memory ?? 'sc' });
    s.attach(b.machine);
    let quiescent = false;
    try {
      quiescent = b.machine.run(s).status !== 'violation';
    } catch (e) {
      if (!(e instanceof SleepBlocked)) throw e;
    }
    more = s.next(quiescent);
  }
  return { classes: s.classes, executions, blocked: s.blocked };
}

describe('por: wakeup trees (Algorithm 2) against source sets (Algorithm 1)', () => {
  it('small machines: the same final values in no more executions', () => {
    for (const [tasks, rounds, shared] of [[2, 2, false], [2, 2, true], [3, 1, true],
      [3, 2, true]] as const) {
      const src = counters('source', tasks, rounds, shared);
      const trees = counters('dpor', tasks, rounds, shared);
      expect(trees.finals).toEqual(src.finals);
      expect(trees.executions).toBeLessThanOrEqual(src.executions);
    }
  });
  for (const [variant, scenario, none] of TREES) {
    it(`${variant} ${scenario}: the same outcomes in no more executions` +
      (none ? ', none cut short' : ''), () => {
      const src = verify({ variant, scenario, keepGoing: true, outcomes: true,
        reduction: 'source' });
      const trees = verify({ variant, scenario, keepGoing: true, outcomes: true });
      expect(src.complete && trees.complete).toBe(true);
      expect(trees.outcomes).toEqual(src.outcomes);
      expect(trees.executions).toBeLessThanOrEqual(src.executions);
      expect(trees.blocked).toBeLessThanOrEqual(src.blocked);
      if (none) expect(trees.blocked).toBe(0);
    });
  }
  it('every class of executions source sets reach, wakeup trees reach, once each', () => {
    for (const [variant, scenario] of [...TREES, ['mainline-6.18', 'del-vs-callback'],
      ['mainline-6.18', 'sp4-two-harvesters'], ['rwlock-5.1', 'one-wakeup']] as const) {
      const src = classesOf(variant, scenario, 'source');
      const trees = classesOf(variant, scenario, 'dpor');
      expect([...src.classes].filter((c) => !trees.classes.has(c)), `${variant} ${scenario}`)
        .toEqual([]);
      // Every execution not cut short is a new class: none is run twice.
      expect(trees.classes.size).toBe(trees.executions - trees.blocked);
    }
  }, 120_000);
  it('under a preemption bound the search keeps source sets', () => {
    const a = verify({ variant: 'mainline-6.18', scenario: 'one-wakeup', preemptions: 1 });
    const b = verify({ variant: 'mainline-6.18', scenario: 'one-wakeup', preemptions: 1,
      reduction: 'source' });
    expect([a.executions, a.blocked, a.complete]).toEqual([b.executions, b.blocked, true]);
  });
});

/** A machine to run and how to read its outcome once it ran. */
type Make = (seed: number) => { m: Machine; outcome: (status: string, v: readonly
{ property: string; kind: string }[]) => string };

function library(variant: string, scenario: string, memory?: 'sc' | 'tso'): Make {
  const { scenario: sc } = resolveScenario(scenario);
  return (seed) => {
    const b = buildMachine(sc, { cfg: resolveVariant(variant), seed,
      memory: memory ?? sc.memory ?? 'sc' });
    return { m: b.machine, outcome: (status, v) => outcomeOf(b, status, v) };
  };
}

/** T0 stores 1 and T1 stores 2 to the same field, T2 stores to another: blind writes. */
const blindWrites: Make = (seed) => {
  const m = new Machine({ ncpu: 3, seed });
  const v = m.alloc('vars', { x: 0, y: 0 });
  for (const [t, f, val] of [[0, 'x', 1], [1, 'x', 2], [2, 'y', 3]] as const) {
    m.addTask({ name: `T${t}`, cpu: t, *body(): Model<void> {
      yield store(v, f, val);
    } });
  }
  return { m, outcome: () => `x=${m.arena.objs[v]!.x} y=${m.arena.objs[v]!.y}` };
};

/** A run that records each step's footprint and the candidates offered. */
function recorded(make: Make, inner: Scheduler, seed: number):
{ schedule: number[]; steps: Footprint[]; offered: number[][]; outcome: string } {
  const b = make(seed);
  const m = b.m;
  const table = new FieldTable();
  const fx = new SideEffects();
  const steps: Footprint[] = [];
  const offered: number[][] = [];
  let pending: Footprint | null = null;
  const settle = (): void => {
    if (pending !== null) fx.after(m, table, pending);
    if (pending !== null) steps.push(pending);
    pending = null;
  };
  const out = m.run({ name: 'recorder', begin: (x) => inner.begin(x),
    pick(ids, n, step) {
      settle();
      offered.push(Array.from(ids.subarray(0, n)));
      const i = inner.pick(ids, n, step);
      pending = classify(m, table, ids[i]!);
      fx.before(m, pending);
      return i;
    }, end: settle });
  return { schedule: out.schedule, steps, offered, outcome: b.outcome(out.status,
    out.violations) };
}

/** Swaps every adjacent pair the relation calls independent; returns the pairs that differ. */
function nonCommuting(make: Make, seeds: number): string[] {
  const bad: string[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const base = recorded(make, new RandomScheduler(), seed);
    for (let k = 0; k + 1 < base.steps.length; k++) {
      const a = base.steps[k]!;
      const b = base.steps[k + 1]!;
      if (a.p === b.p || dependent(a, b) || !base.offered[k]!.includes(b.p)) continue;
      const swapped = base.schedule.slice();
      swapped[k] = b.p;
      swapped[k + 1] = a.p;
      let outcome: string;
      try {
        outcome = recorded(make, new ReplayScheduler(swapped), seed).outcome;
      } catch (e) {
        bad.push(`seed ${seed} step ${k}: the swap diverged (${String(e).slice(0, 80)})`);
        continue;
      }
      if (outcome !== base.outcome) bad.push(`seed ${seed} step ${k}: a different outcome`);
    }
  }
  return bad;
}

describe('por: the dependency relation', () => {
  it('adjacent independent steps commute (same outcome, nothing enabled or disabled)', () => {
    expect(nonCommuting(library('mainline-6.18', 'close-vs-close'), 6)).toEqual([]);
    expect(nonCommuting(library('mainline-6.18', 'one-wakeup'), 6)).toEqual([]);
    expect(nonCommuting(library('mainline-6.18', 'signal-eintr'), 6)).toEqual([]);
    expect(nonCommuting(library('mainline-6.18', 'mixed-producers'), 4)).toEqual([]);
    expect(nonCommuting(library('mainline-6.18', 'oneshot-rearm'), 2)).toEqual([]);
    expect(nonCommuting(blindWrites, 20)).toEqual([]);
    // The qrwlock (rwlock-5.1's ep->lock) and its readers in IRQ context.
    expect(nonCommuting(library('rwlock-5.1', 'one-wakeup'), 4)).toEqual([]);
    expect(nonCommuting(library('rwlock-5.1', 'mixed-producers'), 3)).toEqual([]);
    // Under TSO: write-backs, forwarding, kfree draining the buffer.
    expect(nonCommuting(library('mainline-6.18', 'close-vs-close', 'tso'), 6)).toEqual([]);
    expect(nonCommuting(library('mainline-6.18', 'one-wakeup', 'tso'), 6)).toEqual([]);
  });
  it('canary: with stores to one field independent, a swap changes the outcome', () => {
    POR_TEST_SWITCHES.brokenWriteWrite = true;
    expect(nonCommuting(blindWrites, 20).length).toBeGreaterThan(0);
  });
});

describe('por: verify', () => {
  it('finds B5-t0 (zoo) and replays it', () => {
    const r = verify({ variant: 'mainline-6.18+B5-t0', scenario: B5_TIMEOUT0, preemptions: 1 });
    expect(r.failure?.violations[0]?.property).toBe('P5-event-semantics');
    expect(r.failure?.replay).toContain('--schedule');
  });
  it('the CLI prints "verified" for a complete search and exits 0', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(cmdVerify(['--variant', 'mainline-6.18', '--scenario', 'one-wakeup'])).toBe(0);
      expect(String(log.mock.calls[0]?.[0])).toMatch(
        /^verified: \d+ executions, every schedule up to equivalence/);
    } finally {
      log.mockRestore();
    }
  });
  it('bounded passes first: a shallow bug in fewer executions, the same verdict otherwise',
    () => {
      // Unbounded, the first failure is execution 1,488 (docs/verify.md).
      const first = verify({ variant: 'mainline-6.18+B5-t0', scenario: B5_TIMEOUT0,
        boundsFirst: [0, 1] });
      expect(first.failure?.violations[0]?.kind).toBe('lt-not-reported');
      expect(first.firstFailureAt!).toBeLessThan(200);
      const clean = verify({ variant: 'mainline-6.18', scenario: 'one-wakeup',
        boundsFirst: [0, 1] });
      expect(clean.complete).toBe(true);
    });
  it('a bound prunes the search', () => {
    const all = verify({ variant: 'mainline-6.18', scenario: 'one-wakeup' });
    const one = verify({ variant: 'mainline-6.18', scenario: 'one-wakeup', preemptions: 0 });
    expect(all.complete && one.complete).toBe(true);
    expect(one.executions).toBeLessThan(all.executions);
  });
});

/**
 * Two readers dereference `gp->p` twice inside rcu_read_lock() (with `early`, reader 0
 * unlocks before its second use: a use-after-free some schedules reach); the updater
 * unpublishes the object and kfree_rcu()s it. The outcome: what each reader read, whether
 * the object is freed, and the violation.
 */
function rcuMachine(early: boolean): Make {
  return (seed) => {
    const m = new Machine({ ncpu: 3, seed });
    const obj = m.alloc('obj', { x: 7 }, 'obj');
    const gp = m.alloc('gp', { p: obj }, 'gp');
    const seen: number[][] = [[], []];
    for (const r of [0, 1]) {
      m.addTask({ name: `R${r}`, cpu: r, *body(c): Model<void> {
        rcu_read_lock(c);
        const p = (yield READ_ONCE(gp, 'p', 'reader')) as number;
        if (p !== 0) seen[r]!.push((yield load(p, 'x', 'reader')) as number);
        if (early && r === 0) rcu_read_unlock(c);
        if (p !== 0) seen[r]!.push((yield load(p, 'x', 'reader')) as number);
        if (!(early && r === 0)) rcu_read_unlock(c);
      } });
    }
    m.addTask({ name: 'U', cpu: 2, *body(c): Model<void> {
      yield WRITE_ONCE(gp, 'p', 0, 'updater');
      kfree_rcu(c, obj, 'updater');
    } });
    return { m, outcome: (status, v) => `${status} ${seen.map((x) => x.join('.')).join('|')} ` +
      `freed=${m.arena.isLive(obj) ? 0 : 1} ${v.map((x) => x.kind).join(',')}` };
  };
}

function enumerate(make: Make, mode: PorMode): { set: string[]; executions: number } {
  const s = new DporScheduler(mode);
  const seen = new Set<string>();
  let executions = 0;
  for (let more = true; more; executions++) {
    const b = make(0);
    s.attach(b.m);
    let quiescent = false;
    try {
      const out = b.m.run(s);
      quiescent = true;
      seen.add(b.outcome(out.status, out.violations));
    } catch (e) {
      if (!(e instanceof SleepBlocked)) throw e;
    }
    more = s.next(quiescent);
  }
  return { set: [...seen].sort(), executions };
}

describe('por: RCU grace periods', () => {
  for (const early of [false, true]) {
    it(`${early ? 'a reader that unlocks early' : 'readers and kfree_rcu'}: the reduced ` +
      'search reaches every outcome of the full enumeration', () => {
      const full = enumerate(rcuMachine(early), 'none');
      const red = enumerate(rcuMachine(early), 'dpor');
      expect(red.set).toEqual(full.set);
      expect(red.executions).toBeLessThan(full.executions);
      expect(full.set.some((o) => o.includes('use-after-free'))).toBe(early);
    });
  }

  it('adjacent independent steps commute on the RCU machine', () => {
    expect(nonCommuting(rcuMachine(false), 40)).toEqual([]);
    expect(nonCommuting(rcuMachine(true), 40)).toEqual([]);
  });

  it('canary: without the "rcu" location, a swap of a reader\'s entry and a need differs',
    () => {
      POR_TEST_SWITCHES.brokenRcu = true;
      expect(nonCommuting(rcuMachine(false), 40).length).toBeGreaterThan(0);
    });
});
