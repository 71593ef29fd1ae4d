/**
 * Parallel fuzzing: a campaign cut into chunks and run on this thread and worker threads
 * gives the summary a single thread gives (counts, first failures, replay commands), with stop-at-first and
 * without; a worker's usage error comes back as the same one-line error.
 */
import { describe, expect, it } from 'vitest';
import { fuzz, mergeChunks, planChunks, runChunk, type FuzzOptions }
  from '../../src/api/fuzz.ts';
import { FuzzPool } from '../../src/cli/fuzz-pool.ts';
import { SimUsageError } from '../../src/sim/errors.ts';

const BASE = {
  variant: 'mainline-6.18+B7', scenarios: ['harvest-vs-irq', 'et-two-waiters', 'gen:3'],
  schedules: 120, strategy: 'pct',
} satisfies FuzzOptions;

describe('parallel fuzz', () => {
  it('chunks merged in any order equal the sequential campaign', () => {
    for (const stopAtFirst of [true, false]) {
      const o = { ...BASE, stopAtFirst };
      const whole = fuzz(o);
      const parts = planChunks(o, 7).map((ch) => runChunk(o, ch)).reverse();
      expect(mergeChunks(o, parts)).toEqual(whole);
    }
  });

  it.each([[2], [3]])('%i threads (this one and N-1 workers) give the single-thread summary',
    async (jobs) => {
      const pool = new FuzzPool(jobs, 0);
      try {
        for (const stopAtFirst of [true, false]) {
          const o = { ...BASE, stopAtFirst };
          const whole = fuzz(o);
          expect(whole.violations).toBeGreaterThan(0); // the comparison covers failures
          expect(await pool.fuzz(o)).toEqual(whole);
          expect(pool.used).toBe(jobs);
          // The main thread runs chunks too: no idle isolate.
          expect((pool as unknown as { workers: unknown[] }).workers).toHaveLength(jobs - 1);
        }
      } finally {
        await pool.close();
      }
    }, 60_000);

  it('the main thread and the worker both run chunks', async () => {
    const pool = new FuzzPool(2, 0);
    try {
      const o = { ...BASE, stopAtFirst: false };
      const run = await pool.run(o, { chunkSize: 10 });
      expect(run.summary).toEqual(fuzz(o));
      expect(run.threads).toBe(2);
      expect(run.results.length).toBe(planChunks(o, 10).length);
      expect(run.here).toBeGreaterThan(0);
      expect(run.here).toBeLessThan(run.results.length);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('a usage error in a worker is the same one-line error', async () => {
    const pool = new FuzzPool(2, 0);
    try {
      const err = await pool.fuzz({ ...BASE, variant: 'no-such-variant' }).catch((e) => e);
      expect(err).toBeInstanceOf(SimUsageError);
      expect(String(err.message)).toMatch(/unknown variant 'no-such-variant'/);
    } finally {
      await pool.close();
    }
  }, 60_000);
});
