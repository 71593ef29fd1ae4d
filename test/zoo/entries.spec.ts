/**
 * The zoo's data: every entry of bug-zoo.md is present with a valid scenario family, a
 * property, and either a runnable fixed counterpart or a stated reason; and the CLI runs one
 * entry end to end (`eventpoll-sim zoo --entry B5 --families 1 --json`).
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { validateScenario } from '../../src/scenario/validate.ts';
import { fixedConfig, missing, ZOO } from '../../src/zoo/entries.ts';
import { ZOO_SCENARIOS } from '../../src/zoo/scenarios.ts';

describe('zoo: entries', () => {
  it('cover bug-zoo.md, then the entries added with the lkmm mode and with RCU', () => {
    expect(ZOO.map((e) => e.id)).toEqual(['B1', 'B3', 'B4', 'B5', 'B5-t0', 'B6', 'B7', 'B8b',
      'WF1', 'B11', 'B20', 'PW1', 'RW1']);
  });

  it('have valid, uniquely named scenarios', () => {
    for (const s of ZOO_SCENARIOS) expect(() => validateScenario(s)).not.toThrow();
    expect(new Set(ZOO_SCENARIOS.map((s) => s.name)).size).toBe(ZOO_SCENARIOS.length);
    for (const e of ZOO) {
      expect(e.scenarios.length).toBeGreaterThan(0);
      for (const s of e.scenarios) expect(ZOO_SCENARIOS).toContain(s);
    }
  });

  it('name a runnable fixed counterpart or say why there is none', () => {
    for (const e of ZOO) {
      const f = fixedConfig(e);
      if (f === undefined) expect((e.fixed as { pending: string }).pending.length).toBeGreaterThan(20);
      else if (missing(e.bug) === undefined) expect(missing(f)).toBeUndefined();
    }
  });

  it('eventpoll-sim zoo --entry B5 --families 1 --json: found, shrunk, fixed clean', async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    let code: number;
    try {
      code = await main(['zoo', '--entry', 'B5', '--families', '1', '--jobs', '1', '--json']);
    } finally {
      console.log = log;
    }
    expect(code).toBe(0);
    const [r] = JSON.parse(lines.join('\n')) as { status: string; shrunk?: { replay: string };
      fixedRuns: { clean: boolean; schedules: number }[] }[];
    expect(r!.status).toBe('found');
    expect(r!.shrunk?.replay).toMatch(/^npx eventpoll-sim replay --variant /);
    expect(r!.fixedRuns.map((f) => f.clean)).toEqual([true, true, true]);
  });
});
