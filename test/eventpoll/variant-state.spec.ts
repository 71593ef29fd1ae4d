/**
 * Per-run and per-task state of a user variant: `initState` makes `kernel(c).variantState`
 * once per run (before setup), `kernel(c).taskState(c)` keeps one record per task, and
 * prepared setups copy both with the rest of the state, so a run from a copy equals a run
 * that did its own setup and no run sees another's counts.
 */
import { describe, expect, it } from 'vitest';
import { kernel, variantState } from '../../src/eventpoll/kernel.ts';
import { defineVariant, getVariant, resolveVariant } from '../../src/eventpoll/variant.ts';
import '../../src/eventpoll/variants.ts';
import { buildMachine } from '../../src/scenario/build.ts';
import { resolveScenario } from '../../src/scenario/library.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';

/** What the test variant counts for the whole run. */
interface RunCounts {
  inserts: number;
  callbacks: number;
  /** Callbacks per item label, in first-seen order (a Map copies in order). */
  byItem: Map<string, number>;
}

/** What it counts per task. */
interface TaskCounts {
  harvests: number;
  events: number;
}

const base = getVariant('mainline-6.18');
let inits = 0;
defineVariant({
  name: 'test-stateful', base,
  initState: (): RunCounts => {
    inits++;
    return { inserts: 0, callbacks: 0, byItem: new Map() };
  },
  initTaskState: (): TaskCounts => ({ harvests: 0, events: 0 }),
  ops: {
    ep_insert(c, ...rest) {
      variantState<RunCounts>(c).inserts++;
      return base.ops.ep_insert(c, ...rest);
    },
    *ep_poll_callback(c, wait, mode, sync, key) {
      const s = variantState<RunCounts>(c);
      s.callbacks++;
      const label = c.m.arena.label(kernel(c).ops.ep_item_from_wait(c, wait));
      s.byItem.set(label, (s.byItem.get(label) ?? 0) + 1);
      return yield* base.ops.ep_poll_callback(c, wait, mode, sync, key);
    },
    *ep_send_events(c, ep, out, maxevents) {
      const t = kernel(c).taskState<TaskCounts>(c);
      t.harvests++;
      const n = yield* base.ops.ep_send_events(c, ep, out, maxevents);
      t.events += Math.max(n, 0);
      return n;
    },
  },
});

function run(sc: Scenario, seed: number, fresh: boolean): { counts: RunCounts;
  tasks: Map<number, unknown>; results: unknown[]; hash: string; } {
  const b = buildMachine(sc, { cfg: resolveVariant('test-stateful'), seed, fresh });
  const o = b.machine.run(new RandomScheduler());
  return { counts: b.kernel.variantState as RunCounts, tasks: b.kernel.taskStates,
    results: b.results, hash: o.hash };
}

describe('eventpoll: per-run and per-task variant state (seeds 0..19)', () => {
  const sc = resolveScenario('harvest-vs-irq').scenario;

  it('counts what happened in this run only, the same from a prepared copy as fresh', () => {
    for (let seed = 0; seed < 20; seed++) {
      const fresh = run(sc, seed, true);
      const copy1 = run(sc, seed, false);
      const copy2 = run(sc, seed, false);
      // The setup's two ADDs are in every run's state, copied from the prepared setup.
      expect(fresh.counts.inserts).toBe(sc.watches!.length);
      expect(copy1.counts).toEqual(fresh.counts);
      expect(copy2.counts).toEqual(fresh.counts);
      expect(copy1.counts).not.toBe(copy2.counts);
      expect([...copy1.tasks]).toEqual([...fresh.tasks]);
      expect(copy1.hash).toBe(fresh.hash);
      expect(copy1.results).toEqual(fresh.results);
      // Two interrupt sources each signal once: two callbacks on distinct items.
      expect(fresh.counts.callbacks).toBe(2);
      expect([...fresh.counts.byItem.keys()].sort()).toEqual(['epi:a', 'epi:b']);
    }
  });

  it('keeps one record per task, and the records add up to the events returned', () => {
    for (let seed = 0; seed < 20; seed++) {
      const r = run(sc, seed, false);
      const records = [...r.tasks.values()] as TaskCounts[];
      expect(records.length).toBe(2); // T0 and T1 (the setup context harvests nothing)
      const returned = (r.results as { op: string; ret: number | string }[])
        .filter((x) => x.op === 'epoll_wait' && typeof x.ret === 'number')
        .reduce((a, x) => a + (x.ret as number), 0);
      expect(records.reduce((a, t) => a + t.events, 0)).toBe(returned);
      expect(records.every((t) => t.harvests >= 1)).toBe(true);
    }
  });

  it('initState runs once per setup, not once per run from a copy', () => {
    const before = inits;
    const other: Scenario = { ...sc, name: 'harvest-vs-irq-copy', cpus: 3 };
    for (let seed = 0; seed < 10; seed++) run(other, seed, false);
    // One prepared setup (made once, plus its copy check) serves all ten runs.
    expect(inits - before).toBeLessThanOrEqual(1);
    for (let seed = 0; seed < 3; seed++) run(other, seed, true);
    expect(inits - before).toBeLessThanOrEqual(4);
  });

  it('a variant without initState has undefined state and {} per task', () => {
    const b = buildMachine(sc, { cfg: resolveVariant('mainline-6.18'), seed: 0 });
    expect(b.kernel.variantState).toBeUndefined();
    b.machine.run(new RandomScheduler());
    expect(b.kernel.taskStates.size).toBe(0);
  });
});
