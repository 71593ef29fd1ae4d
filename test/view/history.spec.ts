/**
 * The state history (src/view/history.ts): step k rebuilt from the initial snapshot and the
 * first k patch lists equals the state the machine had after k steps, taken directly from
 * a second run of the same schedule; the lists drawn equal the checkers' walkers run on
 * that live machine; and recording changes nothing about the run.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { simulate, type SimulateResult } from '../../src/api/simulate.ts';
import { resolveVariant } from '../../src/eventpoll/variant.ts';
import type { EpKernel } from '../../src/eventpoll/kernel.ts';
import { EP_UNACTIVE_PTR } from '../../src/queues/arena.ts';
import { listOwners } from '../../src/queues/list.ts';
import { ovflistItems } from '../../src/queues/ovflist.ts';
import { buildMachine } from '../../src/scenario/build.ts';
import { resolveScenario } from '../../src/scenario/library.ts';
import type { Machine } from '../../src/sim/machine.ts';
import { ReplayScheduler } from '../../src/sim/schedulers/replay.ts';
import { stateAt } from '../../src/view/history.ts';
import { snapshotMachine, type KernelSnapshot } from '../../src/view/snapshot.ts';
import { zooEntry } from '../../src/zoo/entries.ts';

interface Live {
  snap: KernelSnapshot;
  /** Per eventpoll: rdllist owners and ovflist items, walked on the live machine. */
  lists: { h: number; rdllist: number[]; ovflist: number[] | null }[];
  /** Per wait queue head: the entries' owners. */
  queues: { h: number; entries: number[] }[];
}

function liveLists(m: Machine): Pick<Live, 'lists' | 'queues'> {
  const k = m.ext.ep as EpKernel;
  const lists = k.eventpolls.filter((ep) => m.arena.isLive(ep)).map((ep) => ({
    h: ep, rdllist: listOwners(m, m.arena.objs[ep]!.rdllist as number, 64),
    ovflist: m.memory.readGlobal(ep, 'ovflist') === EP_UNACTIVE_PTR ? null
      : ovflistItems(m, ep, 64),
  }));
  const queues = m.arena.live('wait_queue_head').map((h) => ({
    h, entries: listOwners(m, m.arena.objs[h]!.head as number, 64),
  }));
  return { lists, queues };
}

/** Re-runs `r`'s schedule and takes the live state after each of `at` steps. */
function liveStates(r: SimulateResult, scenario: string | object, at: readonly number[]):
Map<number, Live> {
  const { scenario: sc } = resolveScenario(scenario as string);
  const built = buildMachine(sc, { cfg: resolveVariant(r.variant), seed: r.seed,
    memory: r.memory });
  const out = new Map<number, Live>();
  const take = (m: Machine): void => {
    if (at.includes(m.step) && !out.has(m.step)) {
      out.set(m.step, { snap: snapshotMachine(m), ...liveLists(m) });
    }
  };
  take(built.machine);
  built.machine.addObserver({ name: 'probe', afterStep: take });
  built.machine.run(new ReplayScheduler(r.schedule));
  take(built.machine);
  return out;
}

const B4 = zooEntry('B4')!;
const B20 = zooEntry('B20')!;
const B1 = zooEntry('B1')!;
const CASES: { name: string; variant: string; scenario: string | object; seed: number;
  memory?: 'sc' | 'tso' }[] = [
  { name: 'lt-two-waiters on mainline+B5', variant: 'mainline-6.18+B5+no-done-scan-wake',
    scenario: 'lt-two-waiters', seed: 3 },
  { name: 'harvest-vs-irq on rwlock-5.1 (TSO)', variant: 'rwlock-5.1',
    scenario: 'harvest-vs-irq', seed: 11, memory: 'tso' },
  { name: 'B4 two waiters, two IRQs', variant: B4.bug, scenario: B4.scenarios[0]!, seed: 1 },
  { name: 'B20 list corruption', variant: B20.bug, scenario: B20.scenarios[0]!, seed: 12 },
  { name: 'B1 under TSO', variant: B1.bug, scenario: B1.scenarios[0]!, seed: 5 },
];

describe('view: state history as immer patches', () => {
  for (const c of CASES) {
    it(`${c.name}: step k from patches equals the machine at step k`, () => {
      const base = { variant: c.variant, scenario: c.scenario as string, seed: c.seed,
        ...(c.memory ? { memory: c.memory } : {}) };
      const plain = simulate(base);
      const r = simulate({ ...base, history: true });
      // Recording changes nothing about the run.
      expect(r.schedule).toBe(plain.schedule);
      expect(r.hash).toBe(plain.hash);
      expect(r.steps).toBe(plain.steps);
      const h = r.history!;
      expect(h.patches.length).toBe(r.steps);
      expect(h.patches.some((p) => p.length > 0)).toBe(true);
      const n = r.steps;
      const at = [...new Set([0, 1, n >> 2, n >> 1, n - 1, n])].filter((k) => k >= 0);
      const live = liveStates(r, c.scenario, at);
      for (const k of at) {
        const got = stateAt(h, k);
        const want = live.get(k)!;
        expect(got, `step ${k}`).toEqual(want.snap);
        expect(got.eventpolls.map((e) => ({ h: e.h, rdllist: e.rdllist.items,
          ovflist: e.ovflist?.items ?? null }))).toEqual(want.lists);
        expect(got.waitqueues.map((q) => ({ h: q.h, entries: q.entries.items })))
          .toEqual(want.queues);
      }
      // JSON round trip: what the page embeds rebuilds the same state.
      const again = JSON.parse(JSON.stringify(h)) as typeof h;
      expect(stateAt(again, n)).toEqual(stateAt(h, n));
    });
  }

  it('a step whose patch list is dropped rebuilds a different state (the check can fail)', () => {
    const r = simulate({ variant: 'mainline-6.18', scenario: 'lt-two-waiters', seed: 3,
      history: true });
    const h = r.history!;
    // A step that rewrote a field of an existing object.
    const s = h.patches.findIndex((p) => p.some((x) => x.op === 'replace' &&
      x.path[0] === 'objs'));
    expect(s).toBeGreaterThanOrEqual(0);
    const broken = { initial: h.initial, patches: h.patches.map((p, i) => i === s ? [] : p) };
    expect(stateAt(broken, s + 1)).not.toEqual(stateAt(h, s + 1));
  });

  it('a run without history does not load immer (the compiled package, in a process)', () => {
    const sim = pathToFileURL(join(import.meta.dirname, '../../dist/api/simulate.js')).href;
    const loaded = (history: boolean): string => spawnSync(process.execPath, ['--input-type=module',
      '-e', `import { simulate } from '${sim}';
import { createRequire } from 'node:module';
simulate({ variant: 'mainline-6.18', scenario: 'lt-two-waiters', history: ${history} });
const cache = createRequire(import.meta.url).cache;
console.log(Object.keys(cache).some((k) => k.includes('/immer/')));`],
    { encoding: 'utf8' }).stdout.trim();
    expect(loaded(false)).toBe('false');
    expect(loaded(true)).toBe('true');
  });

  it('rejects a step outside the run', () => {
    const r = simulate({ variant: 'mainline-6.18', scenario: 'lt-two-waiters', history: true });
    expect(() => stateAt(r.history!, r.steps + 1)).toThrow(RangeError);
  });
});
