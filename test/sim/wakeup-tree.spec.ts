/**
 * Wakeup trees (optimal DPOR, Abdulla et al. 2014, Section 6): weak initials and insertion.
 * Steps are footprints; two steps are dependent when they share a process or one writes a
 * location the other touches (sim/por.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Footprint } from '../../src/sim/por.ts';
import {
  insertSequence, weakInitial, type WakeupNode,
} from '../../src/sim/schedulers/wakeup-tree.ts';

/** A step of process p writing locations w and reading r (no CPU, not global). */
function st(p: number, w: number[], r: number[] = []): Footprint {
  return { p, cpu: -1, global: false, r, w, lock: 0, excl: false, drains: -1, plain: false };
}

/** A tree as nested [process, kids] pairs, for comparing shapes. */
function shape(t: WakeupNode[]): unknown[] {
  return t.map((c) => (c.kids.length === 0 ? c.p : [c.p, shape(c.kids)]));
}

describe('wakeup trees', () => {
  it('weak initials: a first step with no dependent step before it, or an independent one',
    () => {
      const seq = [st(1, [10]), st(2, [10]), st(3, [20])];
      expect(weakInitial(1, null, seq)).toBe(0);
      // Process 2's step follows a write to the location it writes.
      expect(weakInitial(2, null, seq)).toBe(-1);
      expect(weakInitial(3, null, seq)).toBe(2);
      // A process with no step in seq: only when its next step is independent of all of it.
      expect(weakInitial(4, st(4, [30]), seq)).toBe(3);
      expect(weakInitial(4, st(4, [], [20]), seq)).toBe(-1);
      expect(weakInitial(4, null, seq)).toBe(-1);
    });
  it('insertion follows weak initials, stops at a leaf, and appends what is new', () => {
    const t: WakeupNode[] = [];
    expect(insertSequence(t, [st(1, [10]), st(2, [10])])).toBe(true);
    expect(shape(t)).toEqual([[1, [2]]]);
    // 3 commutes with 1's step: it follows the branch of 1 and goes below it.
    expect(insertSequence(t, [st(3, [20]), st(1, [10]), st(3, [10])])).toBe(true);
    expect(shape(t)).toEqual([[1, [2, [3, [3]]]]]);
    // Already covered: 1 then 2 is a path.
    expect(insertSequence(t, [st(1, [10]), st(2, [10])])).toBe(false);
    // A leaf on the way covers the rest (any continuation is explored below it).
    expect(insertSequence(t, [st(1, [10]), st(2, [10]), st(5, [50])])).toBe(false);
    // 2 first is new: 1's step and 2's are dependent.
    expect(insertSequence(t, [st(2, [10])])).toBe(true);
    expect(shape(t)).toEqual([[1, [2, [3, [3]]]], 2]);
  });
});
