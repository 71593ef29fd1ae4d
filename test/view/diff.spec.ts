/**
 * The diff view: two variants' runs lined up at their macro events (a task starting a
 * syscall, an interrupt arriving), as differential() aligns them. Every step of each side
 * appears once, in order; each macro event both sides took sits on one row; the page
 * carries the differences and is self-contained.
 */
import { describe, expect, it } from 'vitest';
import { renderDiffPage } from '../../src/view/diff-page.ts';
import { alignSides, diffViewData } from '../../src/view/diff.ts';

const CASES = [
  { variantA: 'classic-4.19', variantB: 'mainline-6.18+B5+no-done-scan-wake',
    scenario: 'lt-two-waiters', seed: 3 },
  { variantA: 'rwlock-5.1', variantB: 'mainline-6.18', scenario: 'harvest-vs-irq', seed: 7 },
  { variantA: 'mainline-6.18', variantB: 'mainline-6.18', scenario: 'et-two-waiters', seed: 2 },
];

describe('view: the diff page', () => {
  for (const c of CASES) {
    it(`${c.variantA} vs ${c.variantB} on ${c.scenario}: aligned rows`, () => {
      const d = diffViewData(c);
      for (const side of ['a', 'b'] as const) {
        const steps = d.rows.map((r) => r[side]).filter((s) => s >= 0);
        expect(steps).toEqual([...Array(d[side].steps).keys()]);
        expect(d[side].macros.length).toBeGreaterThan(0);
      }
      for (const r of d.rows.filter((x) => x.macro !== '')) {
        expect(d.a.macros.find((m) => m.name === r.macro)?.step).toBe(r.a);
        expect(d.b.macros.find((m) => m.name === r.macro)?.step).toBe(r.b);
      }
      // Under syscall alignment B follows A's macro order: every macro event is aligned.
      if (d.result.divergences === 0) {
        expect(d.rows.filter((r) => r.macro !== '').length).toBe(d.a.macros.length);
      }
      if (c.variantA === c.variantB) {
        expect(d.result.differences).toEqual([]);
        expect(d.rows.every((r) => r.a === r.b)).toBe(true);
      }
      const html = renderDiffPage(d);
      expect(html).not.toMatch(/<script[^>]+src=|<link\b|https?:\/\//);
      for (const x of d.result.differences) expect(html).toContain(x.where);
    });
  }

  it('alignment pads the shorter side between two macro events', () => {
    const side = (steps: number, macros: [string, number][]) => ({ variant: 'v', steps,
      schedule: '', replay: '', violation: null, ncpu: 1, trace: [],
      macros: macros.map(([name, step]) => ({ name, step })) });
    const rows = alignSides(side(5, [['x', 0], ['y', 3]]), side(3, [['x', 0], ['y', 1]]));
    expect(rows).toEqual([
      { a: 0, b: 0, macro: 'x' }, { a: 1, b: -1, macro: '' }, { a: 2, b: -1, macro: '' },
      { a: 3, b: 1, macro: 'y' }, { a: 4, b: 2, macro: '' },
    ]);
  });
});
