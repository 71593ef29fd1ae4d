/**
 * The build's trampolined model (scripts/trampoline.mjs: every `yield*` of the compiled
 * model becomes a machine call()) against the untransformed copy the build keeps in
 * dist/baseline/, run there by the baseline engine: every run must be the same, byte for
 * byte (status, steps, schedule, trace hash, violations, results, and the trace when kept).
 * Over every variant and library scenario, SC and TSO, random and PCT, and the zoo's failing
 * runs. dist/ is built by the test setup (test/setup/build.ts).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SimulateOptions, SimulateResult } from '../../src/api/simulate.ts';

const DIST = join(import.meta.dirname, '..', '..', 'dist');

type Sim = (o: SimulateOptions) => SimulateResult;
let fast: Sim;
let base: Sim;
let variants: string[];
let scenarios: string[];
let zoo: { id: string; bug: string; scenarios: object[] }[];
let missing: (config: string) => string | undefined;

async function load<T>(path: string): Promise<T> {
  return (await import(pathToFileURL(join(DIST, path)).href)) as T;
}

function run(sim: Sim, o: SimulateOptions): string {
  try {
    return JSON.stringify(sim(o));
  } catch (err) {
    return `error: ${String(err)}`;
  }
}

beforeAll(async () => {
  fast = (await load<{ simulate: Sim }>('api/simulate.js')).simulate;
  base = (await load<{ simulate: Sim }>('baseline/api/simulate.js')).simulate;
  (await load<{ setEngine(e: string): void }>('baseline/sim/engine.js')).setEngine('baseline');
  variants = (await load<{ variantNames(): string[] }>('eventpoll/variant.js')).variantNames();
  scenarios = (await load<{ scenarioNames(): string[] }>('scenario/library.js'))
    .scenarioNames();
  const z = await load<{ ZOO: typeof zoo; missing: typeof missing }>('zoo/entries.js');
  zoo = z.ZOO;
  missing = z.missing;
});

describe('trampolined model (dist) = untransformed model on the baseline engine', () => {
  it('the build rewrote the model', async () => {
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(DIST, 'eventpoll', 'mainline', 'wait.js'), 'utf8'))
      .toContain('__call(');
    expect(readFileSync(join(DIST, 'baseline', 'eventpoll', 'mainline', 'wait.js'), 'utf8'))
      .not.toContain('__call(');
  });

  it('every variant x library scenario, SC and TSO, random and PCT: same runs', () => {
    let runs = 0;
    let k = 0;
    for (const variant of variants) {
      for (const scenario of scenarios) {
        for (const memory of ['sc', 'tso'] as const) {
          for (const strategy of ['random', 'pct']) {
            const seed = ((k + 7) * 2654435761) >>> 16;
            const trace = k % 4 === 1;
            k++;
            const o: SimulateOptions = { variant, scenario, seed, memory, strategy, trace };
            const b = run(base, o);
            expect(b).not.toMatch(/^error/);
            expect(run(fast, o), `${variant} ${scenario} ${memory} ${strategy} seed ${seed}`)
              .toBe(b);
            runs++;
          }
        }
      }
    }
    expect(runs).toBeGreaterThanOrEqual(8 * 27 * 4);
  });

  it('the bug zoo: failing runs equal too', () => {
    let failing = 0;
    for (const e of zoo) {
      if (missing(e.bug) !== undefined) continue;
      let found = 0;
      for (let seed = 0; seed < 400 && found < 2; seed++) {
        const scenario = e.scenarios[seed % e.scenarios.length] as SimulateOptions['scenario'];
        const o: SimulateOptions = { variant: e.bug, scenario, seed,
          strategy: seed % 2 === 0 ? 'pct' : 'random' };
        const f = run(fast, o);
        if (!f.includes('"property"') && seed % 20 !== 0) continue;
        expect(f, `${e.id} ${seed}`).toBe(run(base, o));
        expect(run(fast, { ...o, trace: true })).toBe(run(base, { ...o, trace: true }));
        if (f.includes('"property"')) {
          found++;
          failing++;
        }
      }
    }
    expect(failing).toBeGreaterThan(10);
  });
});
