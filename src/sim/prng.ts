/**
 * The one source of choice in the simulator (TigerBeetle's stdx/prng.zig discipline).
 *
 * The only module that imports seedrandom. Its API is integer-only: no floats leak into the
 * model, so a draw means the same thing on every machine. Sub-components take a *derived*
 * seed (`derive()`), so that one extra draw in one place does not shift every other choice.
 */
import seedrandom from 'seedrandom';

/**
 * seedrandom's own xor128 state for `seed` (the reference the inline seeding of
 * {@link Prng} must equal; for tests).
 * @internal
 */
export function seedrandomState(seed: number): PrngState {
  const make = seedrandom.xor128 as unknown as (seed: string,
    opts: { state: boolean }) => { state(): PrngState };
  return make(String(seed >>> 0), { state: true }).state();
}

/** A probability as an exact ratio `num / den` (never a float). */
export interface Ratio {
  readonly num: number;
  readonly den: number;
}

/** Builds a {@link Ratio}; `den` must be positive and `num` within `[0, den]`. */
export function ratio(num: number, den: number): Ratio {
  if (!(den > 0) || num < 0 || num > den) throw new RangeError(`bad ratio ${num}/${den}`);
  return { num, den };
}

/** The serialisable state of a {@link Prng} (for checkpoints). */
export type PrngState = { x: number; y: number; z: number; w: number };

/** Seeded xorshift128 generator with an integer API. */
/** 2^32 minus (2^32 mod n), for small n: the rejection limit of {@link Prng.below}. */
const LIMITS: readonly number[] = Array.from({ length: 1024 },
  (_, n) => (n < 2 ? 0 : 0x100000000 - (0x100000000 % n)));

export class Prng {
  // The xor128 state (Marsaglia 2003), stepped here exactly as seedrandom's xor128 steps it,
  // so streams equal seedrandom's while a pick costs no closure call. Seeding is seedrandom's.
  private x: number;
  private y: number;
  private z: number;
  private w: number;

  /** Creates a generator from a 32-bit seed (or restores one from `state`). */
  constructor(seed: number, state?: PrngState) {
    if (state !== undefined) {
      this.x = state.x | 0;
      this.y = state.y | 0;
      this.z = state.z | 0;
      this.w = state.w | 0;
      return;
    }
    // seedrandom's xor128 seeding of the seed's decimal string, inline (a run makes one or
    // two generators, and seedrandom's closures cost more than the run's scheduler picks):
    // mix in each character, then discard 64 values. test/sim/prng.spec.ts compares it
    // with seedrandom itself ({@link seedrandomState}).
    const str = String(seed >>> 0);
    this.x = 0;
    this.y = 0;
    this.z = 0;
    this.w = 0;
    for (let k = 0; k < str.length + 64; k++) {
      if (k < str.length) this.x ^= str.charCodeAt(k);
      this.u32();
    }
  }

  /** Restores a generator from {@link Prng.state}. */
  static fromState(state: PrngState): Prng {
    return new Prng(0, state);
  }

  /** A uniform unsigned 32-bit integer. */
  u32(): number {
    const t = this.x ^ (this.x << 11);
    this.x = this.y;
    this.y = this.z;
    this.z = this.w;
    this.w ^= (this.w >>> 19) ^ t ^ (t >>> 8);
    return this.w >>> 0;
  }

  /** A uniform integer in `[0, n)`, without modulo bias. `n` must be in `[1, 2^32]`. */
  below(n: number): number {
    if (n <= 1) return 0;
    // Rejection sampling: discard the top partial bucket so every result is equally likely.
    const limit = n < LIMITS.length ? LIMITS[n]! : 0x100000000 - (0x100000000 % n);
    let x = this.u32();
    while (x >= limit) x = this.u32();
    // x % n without a floating-point modulo (x may exceed 2^31): by 16-bit halves.
    if (n <= 0x8000) return ((((x >>> 16) % n) << 16) + (x & 0xffff)) % n;
    return x % n;
  }

  /** A uniform integer in `[0, max]`. */
  intInclusive(max: number): number {
    return this.below(max + 1);
  }

  /** A uniform integer in `[min, max]`. */
  rangeInclusive(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  /** A uniform index into `array` (which must not be empty). */
  index(array: ArrayLike<unknown>): number {
    if (array.length === 0) throw new RangeError('index() of an empty array');
    return this.below(array.length);
  }

  /** A fair coin. */
  boolean(): boolean {
    return (this.u32() & 1) === 1;
  }

  /** True with probability `r`. */
  chance(r: Ratio): boolean {
    return this.below(r.den) < r.num;
  }

  /** Shuffles `array` in place (Fisher-Yates) and returns it. */
  shuffle<T>(array: T[]): T[] {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = array[i]!;
      array[i] = array[j]!;
      array[j] = t;
    }
    return array;
  }

  /** A seed for a sub-component, drawn from this generator. */
  derive(): number {
    return this.u32();
  }

  /** The generator's state, for {@link Prng.fromState}. */
  state(): PrngState {
    return { x: this.x, y: this.y, z: this.z, w: this.w };
  }
}
