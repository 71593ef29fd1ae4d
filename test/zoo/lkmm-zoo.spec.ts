/**
 * The zoo entry added with the lkmm mode (PW1, poll(2)'s __pollwake without its smp_wmb()):
 * found under lkmm at its pinned seed, clean under x86-TSO over 10,000 schedules (TSO keeps
 * stores in order, so the mutant is harmless there), and its fixed form clean under lkmm
 * over 10,000 schedules.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import type { MemoryMode } from '../../src/sim/memory.ts';
import { zooEntry } from '../../src/zoo/entries.ts';
import { familySeed } from '../../src/zoo/search.ts';
import { PINS } from './pins.ts';

const e = zooEntry('PW1')!;

/** The first failing seed of `n` random schedules (scenario i mod 3), or 'clean'. */
function sweep(variant: string, memory: MemoryMode, n: number): string {
  for (let i = 0; i < n; i++) {
    const scenario = e.scenarios[i % e.scenarios.length]!;
    const r = simulate({ variant, scenario, seed: familySeed(0, i), strategy: 'random', memory });
    const v = r.violations[0];
    if (v !== undefined) return `${scenario.name} seed ${r.seed}: ${v.message}`;
  }
  return 'clean';
}

describe('zoo PW1 (lkmm only)', () => {
  it('the bug: a lost wakeup under lkmm at the pinned seed, a stale read in its trace', () => {
    const pin = PINS.PW1!.random![0]!;
    const scenario = e.scenarios[pin.seed % e.scenarios.length]!;
    const r = simulate({ variant: e.bug, scenario, seed: pin.seed, strategy: 'random',
      trace: true });
    expect(r.violations[0]?.property).toBe('P1-lost-wakeup');
    expect(r.trace!.some((t) => t.op === 'READ_ONCE' && t.value.includes('stale'))).toBe(true);
  });
  it('the bug is clean under TSO over 10,000 schedules', () => {
    expect(sweep(e.bug, 'tso', 10_000)).toBe('clean');
  });
  it('the fixed form (mainline-6.18) is clean under lkmm over 10,000 schedules', () => {
    expect(sweep(e.fixed as string, 'lkmm', 10_000)).toBe('clean');
  });
});
