/**
 * Canaries: each planted locking bug must be found from a seed (random scheduler, no forced
 * schedule) within a budget, and its correct twin must be clean over the same budget.
 * First failing seeds are pinned; if a change to the model or the machine moves them,
 * re-pin after checking the new trace is the same bug.
 */
import { describe, expect, it } from 'vitest';
import {
  irqUnsafe, lostWakeup, mutexUseAfterFree, starvation,
} from './canary-scenarios.ts';
import { failingSeeds, firstFailing, kinds } from './helpers.ts';

describe('locks: canary 2: lost wakeup (check-then-queue waiter), budget 100', () => {
  const BUDGET = 100;
  const PINNED_SC = 5;
  const PINNED_TSO = 2;

  it(`is found under SC, first at seed ${PINNED_SC}`, () => {
    expect(firstFailing(BUDGET, (s) => lostWakeup(s, true))).toBe(PINNED_SC);
    expect(lostWakeup(PINNED_SC, true)).toBe(true);
  });

  it(`is found under TSO, first at seed ${PINNED_TSO}`, () => {
    expect(firstFailing(BUDGET, (s) => lostWakeup(s, true, 'tso'))).toBe(PINNED_TSO);
  });

  it('prepare_to_wait / re-check / schedule is clean under SC and TSO', () => {
    expect(failingSeeds(BUDGET, (s) => lostWakeup(s, false))).toEqual([]);
    expect(failingSeeds(BUDGET, (s) => lostWakeup(s, false, 'tso'))).toEqual([]);
  });
});

describe('locks: canary 4: spin_lock shared with a hardirq on the same CPU, budget 50', () => {
  const BUDGET = 50;
  const PINNED = 0;
  const PINNED_USAGE = 1;
  const isP4Irq = (s: number): boolean => {
    const v = irqUnsafe(s, true).violations[0];
    return v !== undefined && v.property === 'P4-locking' &&
      (v.kind === 'irq-unsafe-lock' || v.kind === 'irq-self-deadlock');
  };

  it(`is reported as P4, first at seed ${PINNED} (an IRQ inside the section)`, () => {
    expect(firstFailing(BUDGET, isP4Irq)).toBe(PINNED);
    const out = irqUnsafe(PINNED, true);
    expect(kinds(out.violations)[0]).toBe('P4-locking/irq-self-deadlock');
    expect(out.violations[0]!.message).toContain('held by the task it interrupted on cpu0');
    // Both sites: the spinning hardirq and the interrupted holder.
    expect(out.violations[0]!.details).toEqual([
      expect.stringMatching(/^hardirq: irq@0 \(cpu0\) spin_lock\(dev\.lock\)/),
      expect.stringMatching(/^holder: T0 \(cpu0\) spin_lock\(dev\.lock\)/),
    ]);
  });

  it(`an IRQ outside the section is an irq-unsafe-lock usage report (seed ${PINNED_USAGE})`,
    () => {
      const v = irqUnsafe(PINNED_USAGE, true).violations[0]!;
      expect(`${v.property}/${v.kind}`).toBe('P4-locking/irq-unsafe-lock');
      expect(v.details).toHaveLength(2);
      expect(v.details![0]).toMatch(/^hardirq: irq@0 \(cpu0\) spin_lock\(dev\.lock\)/);
      expect(v.details![1]).toMatch(/^IRQs enabled: T[01] \(cpu[01]\) spin_lock\(dev\.lock\)/);
    });

  it('every seed of the budget is caught, and spin_lock_irq in process context is clean', () => {
    expect(failingSeeds(BUDGET, (s) => !isP4Irq(s))).toEqual([]);
    for (let s = 0; s < BUDGET; s++) {
      const out = irqUnsafe(s, false);
      expect(out.violations).toEqual([]);
      expect(out.status).toBe('done');
    }
  });
});

describe('locks: canary 5 (B11): hardirq readers starve write_lock_irq, budget 50', () => {
  const BUDGET = 50;
  const PINNED = 0;
  const starved = (s: number, irq: boolean): boolean =>
    kinds(starvation(s, irq).violations).includes('P7-liveness/writer-starvation');

  it(`is reported by the liveness check, first at seed ${PINNED}`, () => {
    expect(firstFailing(BUDGET, (s) => starved(s, true))).toBe(PINNED);
    const v = starvation(PINNED, true).violations[0]!;
    expect(v.message).toMatch(/^writer starvation: writer \(cpu0\) has waited for /);
    expect(v.message).toContain('write_lock(ep.lock)');
    expect(v.message).toContain('9 readers took the lock (more than bypassMax 8)');
    expect(v.message).toContain('in interrupt context');
  });

  it('is found with the default bypassMax (32) too: budget 100, first at seed 50', () => {
    expect(firstFailing(100, (s) =>
      kinds(starvation(s, true, 32).violations).includes('P7-liveness/writer-starvation')))
      .toBe(50);
  });

  it('readers in process context queue behind the writer: never starved', () => {
    for (let s = 0; s < BUDGET; s++) {
      const out = starvation(s, false);
      expect(out.violations).toEqual([]);
      expect(out.status).toBe('done');
    }
  });
});

describe('locks: canary 6 (B15): mutex freed by the next owner inside mutex_unlock', () => {
  const BUDGET = 50;
  const PINNED_TSO = 31;
  const PINNED_SC = 3;
  const uaf = (s: number, mode: 'sc' | 'tso'): boolean => {
    const v = mutexUseAfterFree(s, true, mode, 3).violations[0];
    return v !== undefined && v.property === 'P3-memory-safety' && v.kind === 'use-after-free';
  };

  it(`is a use-after-free under TSO (budget ${BUDGET}, first seed ${PINNED_TSO})`, () => {
    expect(firstFailing(BUDGET, (s) => uaf(s, 'tso'))).toBe(PINNED_TSO);
    const v = mutexUseAfterFree(PINNED_TSO, true, 'tso', 3).violations[0]!;
    expect(v.message).toMatch(/store to obj\.mutex\.wait_lock drained after free/);
    expect(v.message).toContain('in obj_put');
  });

  it(`is a use-after-free under SC (budget ${BUDGET}, first seed ${PINNED_SC})`, () => {
    expect(firstFailing(BUDGET, (s) => uaf(s, 'sc'))).toBe(PINNED_SC);
    const v = mutexUseAfterFree(PINNED_SC, true, 'sc', 3).violations[0]!;
    expect(v.message).toMatch(/in __mutex_unlock_slowpath: .*wait_lock: /);
    expect(v.message).toContain('use-after-free of obj.mutex');
  });

  it('freeing only after each unlocker is done is clean (same budget, SC and TSO)', () => {
    for (let s = 0; s < BUDGET; s++) {
      for (const mode of ['sc', 'tso'] as const) {
        const out = mutexUseAfterFree(s, false, mode, 3);
        expect(out.violations).toEqual([]);
        expect(out.status).toBe('done');
      }
    }
  });
});
