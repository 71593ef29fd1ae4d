/**
 * The zoo entry added with the lkmm mode (PW1, poll(2)'s __pollwake without its smp_wmb()):
 * found under lkmm at its pinned seed, clean under x86-TSO over 10,000 schedules (TSO keeps
 * stores in order, so the mutant is harmless there), and its fixed form clean under lkmm
 * over 10,000 schedules.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import type { MemoryMode } from '../../src/sim/memory.ts';
import { parseLitmus } from '../../src/litmus/parse.ts';
import { runLitmus } from '../../src/litmus/run.ts';
import { fixedConfig, ZOO, zooEntry } from '../../src/zoo/entries.ts';
import { B1_PINGPONG } from '../../src/zoo/scenarios.ts';
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

describe('the zoo under lkmm', () => {
  it('every fixed counterpart is clean on its scenarios (300 random + 300 PCT), but B1', () => {
    for (const e of ZOO) {
      const f = fixedConfig(e);
      if (f === undefined || e.id === 'B1') continue;
      for (const strategy of ['random', 'pct']) {
        for (let i = 0; i < 300; i++) {
          const scenario = e.scenarios[i % e.scenarios.length]!;
          const r = simulate({ variant: f, scenario, seed: i, strategy, memory: 'lkmm' });
          expect(r.violations[0]?.message, `${e.id} ${f} ${scenario.name} ${strategy} ${i}`)
            .toBeUndefined();
        }
      }
    }
  }, 120_000);

  it('finding: B1\'s fix does not pair with an eventfd waker under lkmm (pinned)', () => {
    // mainline-6.18 has the smp_mb() of 128dd1759d96; the waker's store of the count and
    // ep_poll_callback's read of the mask are ordered only by spin_lock(ep->lock), an
    // acquire: the store-buffering pair stays open on arm64/POWER/RISC-V.
    const r = simulate({ variant: 'mainline-6.18', scenario: B1_PINGPONG, seed: 5,
      strategy: 'pct', memory: 'lkmm' });
    expect(r.violations[0]?.property).toBe('P1-lost-wakeup');
    const t = (waker: string) => parseLitmus({ name: 'B1-eventfd', result: 'Sometimes',
      procs: ['WRITE_ONCE(events, 1); smp_mb(); r0 = READ_ONCE(count)', waker],
      exists: '0:r0=0 /\\ 1:r1=0' });
    expect(runLitmus(t('spin_lock(wqh); WRITE_ONCE(count, 1); spin_lock(eplock); ' +
      'r1 = READ_ONCE(events); spin_unlock(eplock); spin_unlock(wqh)')).verdict)
      .toBe('Sometimes');
    expect(runLitmus(t('spin_lock(wqh); WRITE_ONCE(count, 1); spin_lock(eplock); ' +
      'smp_mb__after_spinlock(); r1 = READ_ONCE(events); spin_unlock(eplock); ' +
      'spin_unlock(wqh)')).verdict).toBe('Never');
  });
});
