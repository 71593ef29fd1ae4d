/**
 * The fast engine (sim/engine.ts: per-run reset, step loop) against the baseline engine it
 * replaced: with the same scheduling points, every run must be the same, byte for byte:
 * status, steps, schedule, trace hash, violations, syscall results, virtual time and, with
 * tracing on, every trace event. Over every variant and library scenario, SC and TSO,
 * random and PCT.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { simulate, type SimulateOptions } from '../../src/api/simulate.ts';
import { variantNames } from '../../src/eventpoll/variant.ts';
import { scenarioNames } from '../../src/scenario/library.ts';
import { randomScenario } from '../../src/scenario/random.ts';
import { engine, setEngine, type Engine } from '../../src/sim/engine.ts';
import { coreRun } from '../../src/bench/core.ts';
import { floorRun } from '../../src/bench/floor.ts';
import { missing, ZOO } from '../../src/zoo/entries.ts';
import { call, Machine } from '../../src/sim/machine.ts';
import { load, store } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import type { Ctx } from '../../src/sim/context.ts';
import { spin_lock, spin_lock_init, spin_unlock } from '../../src/locks/spinlock.ts';
import type { LockdepState } from '../../src/locks/lockdep.ts';

function run(e: Engine, o: SimulateOptions): string {
  setEngine(e);
  try {
    return JSON.stringify(simulate(o));
  } catch (err) {
    return `error: ${String(err)}`;
  }
}

afterEach(() => {
  setEngine('fast');
});

describe('fast engine = baseline engine', () => {
  it('is the default', () => {
    expect(engine()).toBe('fast');
  });

  it('every variant x library scenario, SC and TSO, random and PCT: same runs', () => {
    let runs = 0;
    let violations = 0;
    let traced = 0;
    let errors = 0;
    let k = 0;
    for (const variant of variantNames()) {
      for (const scenario of scenarioNames()) {
        for (const memory of ['sc', 'tso'] as const) {
          for (const strategy of ['random', 'pct']) {
            // Seeds spread over the combinations; one run in four keeps its full trace.
            const seed = (k * 2654435761) >>> 16;
            const trace = k % 4 === 0;
            k++;
            const o: SimulateOptions = { variant, scenario, seed, memory, strategy, trace };
            const base = run('baseline', o);
            const fast = run('fast', o);
            expect(fast, `${variant} ${scenario} ${memory} ${strategy} seed ${seed}`)
              .toBe(base);
            runs++;
            if (base.includes('"property"')) violations++;
            if (trace) traced++;
            if (base.startsWith("error")) errors++;
          }
        }
      }
    }
    expect(runs).toBeGreaterThanOrEqual(8 * 27 * 4);
    // The comparison covers failing runs too (where the run stops at a violation).
    expect(errors).toBe(0);
    expect(violations).toBeGreaterThan(5);
    expect(traced).toBeGreaterThan(100);
  });

  it('the bug zoo: failing runs (a run stops at its violation) equal too', () => {
    let failing = 0;
    for (const e of ZOO) {
      if (missing(e.bug) !== undefined) continue;
      // The first two failing seeds the fast engine finds, and every 20th seed before them,
      // are compared with the baseline, with and without the trace.
      let found = 0;
      for (let seed = 0; seed < 400 && found < 2; seed++) {
        const scenario = e.scenarios[seed % e.scenarios.length]!;
        const o: SimulateOptions = { variant: e.bug, scenario, seed,
          strategy: seed % 2 === 0 ? 'pct' : 'random' };
        const fast = run('fast', o);
        if (!fast.includes('"property"') && seed % 20 !== 0) continue;
        expect(fast, `${e.id} ${scenario.name} ${seed}`).toBe(run('baseline', o));
        const traced = { ...o, trace: true };
        expect(run('fast', traced)).toBe(run('baseline', traced));
        if (fast.includes('"property"')) {
          found++;
          failing++;
        }
      }
    }
    expect(failing).toBeGreaterThan(10);
  });

  it('mainline: more seeds per library scenario', () => {
    for (const scenario of scenarioNames()) {
      for (let seed = 100; seed < 104; seed++) {
        const o: SimulateOptions = { variant: 'mainline-6.18', scenario, seed,
          memory: seed % 2 === 0 ? 'sc' : 'tso', strategy: seed < 102 ? 'random' : 'pct' };
        expect(run('fast', o), `${scenario} ${seed}`).toBe(run('baseline', o));
      }
    }
  });

  it('generated scenarios and bug switches, including failing runs', () => {
    for (let g = 0; g < 30; g++) {
      const o: SimulateOptions = { variant: g % 3 === 0 ? 'mainline-6.18+B5' : 'mainline-6.18',
        scenario: randomScenario(g), seed: g, memory: g % 2 === 0 ? 'sc' : 'tso',
        strategy: g % 4 < 2 ? 'random' : 'pct' };
      expect(run('fast', o), `gen ${g}`).toBe(run('baseline', o));
    }
  });

  it('a template that runs setup again after a copy is copied afresh (no stale plan)', () => {
    const t = new Machine({ ncpu: 1 });
    const h = t.alloc('x', { a: 1 });
    const l1 = spin_lock_init(t, 'L1');
    const l2 = spin_lock_init(t, 'L2');
    t.setup('one', function* (c: Ctx) {
      yield* spin_lock(c, l1);
      yield store(h, 'a', 2);
      yield* spin_unlock(c, l1);
    });
    new Machine({ ncpu: 1 }).restoreSetup(t);
    t.setup('two', function* (c: Ctx) {
      (t.arena.objs[h] as Record<string, unknown>).b = 3;
      yield* spin_lock(c, l1);
      yield* spin_lock(c, l2);
      yield* spin_unlock(c, l2);
      yield* spin_unlock(c, l1);
    });
    const m = new Machine({ ncpu: 1 });
    m.restoreSetup(t);
    expect(m.arena.objs[h]).toEqual(t.arena.objs[h]);
    expect(m.arena.objs[h]!.b).toBe(3);
    const keys = (x: Machine) => {
      const p = (x.ext.lockdep as LockdepState).graph.plan();
      return [p.classes.map((k) => k.key), p.deps.length];
    };
    expect(keys(m)).toEqual(keys(t));
    expect(keys(m)[1]).toBe(1);
  });

  it('call() = yield*: the return value, and an exception caught by the caller', () => {
    function* callee(h: number, fail: boolean): Model<number> {
      const v = (yield load(h, 'n')) as number;
      if (fail) throw new Error(`boom ${v}`);
      return v + 1;
    }
    function* inner(h: number, useCall: boolean): Model<number> {
      return useCall ? (yield call(callee(h, false))) as number : yield* callee(h, false);
    }
    function* body(h: number, useCall: boolean): Model<void> {
      const a = useCall ? (yield call(inner(h, true))) as number : yield* inner(h, false);
      yield store(h, 'n', a);
      let caught = '';
      try {
        if (useCall) yield call(callee(h, true));
        else yield* callee(h, true);
      } catch (e) {
        caught = (e as Error).message;
      }
      yield store(h, 'm', caught);
    }
    const outcomes = new Set<string>();
    for (const e of ['baseline', 'fast'] as const) {
      for (const useCall of [false, true]) {
        setEngine(e);
        const m = new Machine({ ncpu: 2, seed: 3 });
        const h = m.alloc('x', { n: 5, m: '' });
        m.addTask({ name: 'T0', cpu: 0, body: () => body(h, useCall) });
        m.addTask({ name: 'T1', cpu: 1, body: () => body(h, useCall) });
        const o = m.run(new RandomScheduler());
        outcomes.add(JSON.stringify([o.hash, o.steps, m.arena.objs[h]]));
      }
    }
    expect(outcomes.size).toBe(1);
    expect([...outcomes][0]).toContain('boom');
  });

  it('the machine alone (the bench workloads: IRQs, TSO, an observer)', () => {
    for (let seed = 0; seed < 20; seed++) {
      setEngine('baseline');
      const a = [coreRun(seed, true), coreRun(seed, false), floorRun(seed, 3)];
      setEngine('fast');
      expect([coreRun(seed, true), coreRun(seed, false), floorRun(seed, 3)]).toEqual(a);
    }
  });
});
