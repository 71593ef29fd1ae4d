/**
 * The kernel's epoll selftest on the model: the 43 threaded cases as scenarios
 * (src/scenario/selftests.ts), each of whose expected results must hold under every
 * schedule explored on mainline-6.18 (seeds 0..99, random and PCT); the 22 single-threaded
 * cases are `.ops` scripts (model.spec.ts). Together: all 65 cases. Plus the threaded LTP
 * scenarios, and canaries showing the expectations fail on the historical bugs they guard.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate, type SimulateResult } from '../../src/api/simulate.ts';
import { REPO_ROOT } from '../../src/conformance/oracle.ts';
import { LTP_SCENARIOS } from '../../src/scenario/ltp.ts';
import { SELFTESTS, selftestCases, TIMING } from '../../src/scenario/selftests.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { validateScenario } from '../../src/scenario/validate.ts';

const SEEDS = 100;
const STRATEGIES = ['random', 'pct'] as const;

const memo = new Map<string, SimulateResult[]>();

/** Every seed and strategy of a scenario on a variant (memoised: several tests read them). */
function runs(sc: Scenario, variant = 'mainline-6.18'): SimulateResult[] {
  const key = `${variant} ${sc.name}`;
  const had = memo.get(key);
  if (had) return had;
  const out: SimulateResult[] = [];
  memo.set(key, out);
  for (const strategy of STRATEGIES) {
    for (let seed = 0; seed < SEEDS; seed++) {
      out.push(simulate({ variant, scenario: sc, seed, strategy }));
    }
  }
  return out;
}

/** The OR tally of a "2 or 3" case, from the calls' results: main ORs 2, waiter ORs 1. */
function orTally(r: SimulateResult): number {
  let v = 0;
  for (const x of r.results) {
    if (x.op === 'epoll_wait' && typeof x.ret === 'number' && x.ret > 0) {
      v |= x.task === 'main' ? 2 : 1;
    }
  }
  return v;
}

function sumTally(r: SimulateResult): number {
  return r.results.filter((x) => x.op === 'epoll_wait' && typeof x.ret === 'number' &&
    x.ret > 0).length;
}

describe('selftests: coverage of epoll_wakeup_test.c', () => {
  it('covers all 65 cases: 22 scripts and 43 scenarios', () => {
    const scripts = readdirSync(join(REPO_ROOT, 'conformance', 'selftests'))
      .map((f) => /^epoll(\d+)\.ops$/.exec(f)?.[1]).filter((n) => n !== undefined).map(Number);
    expect(scripts).toHaveLength(22);
    expect(selftestCases()).toHaveLength(43);
    const all = [...scripts, ...selftestCases()].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 65 }, (_, i) => i + 1));
  });
  it('every scenario is valid JSON data', () => {
    for (const sc of [...SELFTESTS, ...LTP_SCENARIOS]) {
      expect(validateScenario(JSON.parse(JSON.stringify(sc)))).toEqual(sc);
    }
  });
});

describe(`selftests: the threaded cases hold on mainline-6.18 (seeds 0..${SEEDS - 1}, ` +
  'random and pct)', () => {
  for (const sc of [...SELFTESTS, ...LTP_SCENARIOS]) {
    it(`${sc.name}: ${sc.description ?? ''}`, () => {
      const bad = runs(sc).filter((r) => r.violations.length > 0)
        .map((r) => `${r.violations[0]!.message}\n  ${r.replay}`);
      expect(bad).toEqual([]);
    });
  }
});

describe('selftests: outcomes that must all occur', () => {
  const raced = SELFTESTS.filter((s) => {
    const e = s.tallies?.[0]?.expect;
    return Array.isArray(e) && e[0] === 2 && e[1] === 3;
  });
  it('eight "2 or 3" cases', () => expect(raced.map((s) => s.name)).toEqual(
    ['epoll34', 'epoll36', 'epoll38', 'epoll40', 'epoll42', 'epoll44', 'epoll46', 'epoll48']));
  for (const sc of raced) {
    it(`${sc.name}: the outer thread both wins and loses the race`, () => {
      expect(new Set(runs(sc).map(orTally))).toEqual(new Set([2, 3]));
    });
  }
  for (const sc of SELFTESTS.filter((s) => s.tallies?.[0]?.expect === TIMING)) {
    it(`${sc.name}: the selftest's 2 is the common outcome`, () => {
      const sums = runs(sc).map(sumTally);
      expect(sums.filter((v) => v === 2).length).toBeGreaterThan(sums.length / 2);
    });
  }
});

describe('selftests: canaries (the expectations fail on the bugs they guard)', () => {
  const CANARIES: [string, string, string][] = [
    ['epoll09', 'no-done-scan-wake', 'P1-lost-wakeup'],
    ['epoll29', 'B5-t0', 'assertion'],
    ['epoll61', 'B7', 'P1-lost-wakeup'],
    ['epoll65', 'B5-t0', 'assertion'],
  ];
  for (const [name, bug, property] of CANARIES) {
    it(`${name} fails on mainline-6.18+${bug} (${property})`, () => {
      const sc = SELFTESTS.find((s) => s.name === name)!;
      const first = runs(sc, `mainline-6.18+${bug}`).find((r) => r.violations.length > 0);
      expect(first?.violations[0]?.property).toBe(property);
    });
  }
});
