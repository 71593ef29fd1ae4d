/**
 * The PRNG: seedrandom's xor128 stream, stepped inline, and an unbiased `below` computed
 * without a floating-point modulo. Both must give exactly the numbers the straightforward
 * code gives, or every recorded seed would replay differently.
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { Prng, seedrandomState } from '../../src/sim/prng.ts';

describe('Prng', () => {
  it('gives seedrandom xor128\'s 32-bit stream', () => {
    for (const seed of [0, 1, 42, 0xffffffff]) {
      const ref = (seedrandom.xor128 as unknown as (s: string) => { int32(): number })(
        String(seed >>> 0));
      const p = new Prng(seed);
      for (let i = 0; i < 1000; i++) expect(p.u32()).toBe(ref.int32() >>> 0);
    }
  });

  it('seeds as seedrandom xor128 does (the inline seeding)', () => {
    for (let i = 0; i < 5000; i++) {
      const seed = i < 2500 ? i : (i * 2654435761) >>> 0;
      expect(new Prng(seed).state()).toEqual(seedrandomState(seed));
    }
    for (const seed of [-1, 0xffffffff, 2 ** 32 + 5, 1.5]) {
      expect(new Prng(seed).state()).toEqual(seedrandomState(seed));
    }
  });

  it('below(n) equals rejection sampling with x % n, for small and huge n', () => {
    const a = new Prng(7);
    const b = new Prng(7);
    const ref = (n: number): number => {
      if (n <= 1) return 0;
      const limit = 0x100000000 - (0x100000000 % n);
      let x = b.u32();
      while (x >= limit) x = b.u32();
      return x % n;
    };
    for (let i = 0; i < 200_000; i++) {
      const n = 1 + (i % 70_000);
      expect(a.below(n)).toBe(ref(n));
    }
    for (let i = 0; i < 2_000; i++) {
      const n = 0x100000000 - i * 977_777;
      expect(a.below(n)).toBe(ref(n));
    }
  });

  it('restores from its state', () => {
    const p = new Prng(3);
    p.u32();
    const q = Prng.fromState(p.state());
    for (let i = 0; i < 10; i++) expect(q.u32()).toBe(p.u32());
  });
});
