/**
 * Prepared setups: buildMachine runs a scenario's setup once and starts every later run
 * from a deep copy of the state it left. A run from the copy must equal a run that did
 * its own setup, trace hash for trace hash, over every variant and library scenario.
 */
import { describe, expect, it } from 'vitest';
import { defineVariant, getVariant, resolveVariant, variantNames }
  from '../../src/eventpoll/variant.ts';
import { buildMachine } from '../../src/scenario/build.ts';
import { resolveScenario, scenarioNames } from '../../src/scenario/library.ts';
import { randomScenario } from '../../src/scenario/random.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { cloneState } from '../../src/sim/clone.ts';
import { PctScheduler } from '../../src/sim/schedulers/pct.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import type { MemoryMode } from '../../src/sim/memory.ts';

function outcome(sc: Scenario, variant: string, seed: number, memory: MemoryMode,
  fresh: boolean): string {
  try {
    const b = buildMachine(sc, { cfg: resolveVariant(variant), seed, memory, fresh,
      trace: seed === 0 });
    const o = b.machine.run(seed % 2 === 0 ? new RandomScheduler() : new PctScheduler());
    return JSON.stringify([o.hash, o.steps, o.status, o.violations, b.results,
      o.trace?.map((e) => `${e.step} ${e.who} ${e.fn} ${e.op} ${e.obj}.${e.field}=${e.value}`)]);
  } catch (e) {
    return `error: ${String(e)}`;
  }
}

describe('prepared setups', () => {
  it('runs from a prepared copy equal fresh runs (every variant x library scenario, SC, '
    + 'TSO and LKMM, random and PCT)', () => {
    let compared = 0;
    for (const v of variantNames()) {
      for (const name of scenarioNames()) {
        const sc = resolveScenario(name).scenario;
        for (const memory of ['sc', 'tso', 'lkmm'] as const) {
          for (const seed of [0, 1]) {
            const fresh = outcome(sc, v, seed, memory, true);
            // Twice from the copy: the first run must not disturb the template.
            expect(outcome(sc, v, seed, memory, false), `${v} ${name} ${memory} ${seed}`)
              .toBe(fresh);
            expect(outcome(sc, v, seed, memory, false)).toBe(fresh);
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('generated scenarios too', () => {
    for (let g = 0; g < 40; g++) {
      const sc = randomScenario(g);
      expect(outcome(sc, 'mainline-6.18', g, 'tso', false)).toBe(
        outcome(sc, 'mainline-6.18', g, 'tso', true));
    }
  });

  it('a variant whose setup state cannot be copied runs with its own setup', () => {
    const base = getVariant('mainline-6.18');
    defineVariant({ name: 'test-uncopyable', base, ops: {
      ep_alloc(c, label) {
        // A user variant keeping a generator in the machine's ext state.
        c.m.ext.mine = (function* () { yield 1; })();
        return base.ops.ep_alloc(c, label);
      },
    } });
    const sc = resolveScenario('et-two-waiters').scenario;
    for (const seed of [0, 1, 2]) {
      expect(outcome(sc, 'test-uncopyable', seed, 'sc', false))
        .toBe(outcome(sc, 'test-uncopyable', seed, 'sc', true));
      expect(outcome(sc, 'test-uncopyable', seed, 'sc', false)).not.toMatch(/^error/);
    }
  });
});

describe('cloneState', () => {
  class Box { constructor(public v: unknown) {} get twice(): unknown { return [this.v, this.v]; } }

  it('copies arrays, maps, sets, typed arrays and class instances, keeping sharing', () => {
    const shared = { n: 1 };
    const key = { k: 1 };
    const src = { a: [shared, shared], m: new Map([[key, shared]]), s: new Set([key]),
      t: new Int32Array([1, 2]), b: new Box(shared), f: () => 1 };
    const c = cloneState(src, new Map());
    expect(c).not.toBe(src);
    expect(c.a[0]).toBe(c.a[1]);
    expect(c.a[0]).not.toBe(shared);
    expect(c.b).toBeInstanceOf(Box);
    expect(c.b.v).toBe(c.a[0]);
    const [k2] = [...c.s];
    expect(c.m.get(k2!)).toBe(c.a[0]);
    expect(c.t).not.toBe(src.t);
    expect([...c.t]).toEqual([1, 2]);
    expect(c.f).toBe(src.f);
    c.a[0]!.n = 5;
    expect(shared.n).toBe(1);
  });

  it('keeps cycles, substitutes what memo maps, shares frozen objects', () => {
    const frozen = Object.freeze({ x: 1 });
    const old = { name: 'old' };
    const neu = { name: 'new' };
    const o: Record<string, unknown> = { frozen, old };
    o.self = o;
    const c = cloneState(o, new Map<object, unknown>([[old, neu]]));
    expect(c.self).toBe(c);
    expect(c.frozen).toBe(frozen);
    expect(c.old).toBe(neu);
  });

  it('refuses a generator with an error that says why', () => {
    function* g(): Generator<number> { yield 1; }
    expect(() => cloneState({ gen: g() }, new Map())).toThrow(/cannot copy a Generator/);
  });
});
