import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/sim/machine.ts';
import { load, smp_mb, store } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import type { Ctx } from '../../src/sim/context.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import type { MemoryMode } from '../../src/sim/memory.ts';

/** Store-buffer litmus: x=1; r1=y || y=1; r2=x. Returns the set of (r1,r2) outcomes. */
function sb(mode: MemoryMode, fence: boolean, seeds: number): Set<string> {
  const seen = new Set<string>();
  for (let seed = 0; seed < seeds; seed++) {
    const m = new Machine({ ncpu: 2, memory: mode, seed });
    const v = m.alloc('vars', { x: 0, y: 0 });
    const r = [-1, -1];
    const side = (me: 'x' | 'y', other: 'x' | 'y', i: number) =>
      function* (_c: Ctx): Model<void> {
        yield store(v, me, 1, 'litmus');
        if (fence) yield smp_mb('litmus');
        r[i] = yield load(v, other, 'litmus');
      };
    m.addTask({ name: 'P0', cpu: 0, body: side('x', 'y', 0) });
    m.addTask({ name: 'P1', cpu: 1, body: side('y', 'x', 1) });
    const out = m.run(new RandomScheduler());
    expect(out.status).toBe('done');
    seen.add(`${r[0]}${r[1]}`);
  }
  return seen;
}

describe('sim: memory: store-buffer litmus (seeds 0..199)', () => {
  it('r1=r2=0 is reachable under TSO', () => {
    expect(sb('tso', false, 200).has('00')).toBe(true);
  });
  it('r1=r2=0 is unreachable under SC', () => {
    expect(sb('sc', false, 200).has('00')).toBe(false);
  });
  it('r1=r2=0 is unreachable under TSO with smp_mb', () => {
    const s = sb('tso', true, 200);
    expect(s.has('00')).toBe(false);
    expect(s.size).toBeGreaterThan(1);
  });
});
