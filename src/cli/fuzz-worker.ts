/**
 * A worker thread of a parallel fuzz campaign: receives chunks, runs them with runChunk,
 * posts their results (plain data, so they equal results computed on the main thread).
 * Requests are handled one at a time, in the order they came (the pool keeps up to two
 * queued per worker).
 */
import { parentPort } from 'node:worker_threads';
import { runChunk, type ChunkResult, type FuzzChunk, type FuzzOptions } from '../api/fuzz.ts';
import { failureOf } from '../api/simulate.ts';
import '../eventpoll/variants.ts';
import type { Scenario } from '../scenario/types.ts';
import type { FoundFailure } from './fuzz-pool.ts';

/** The options of a campaign as they cross threads (no callbacks; refs by index). */
export type WireOptions = Omit<FuzzOptions, 'onProgress' | 'refs' | 'variant'> & {
  variant: string;
  refs: [number, string][];
  /** Post every failing execution (for --save-failures), not only the chunk's result. */
  failures?: boolean;
};

/** A request: run `chunk` of the campaign `options`; null ends the worker. */
export interface FuzzRequest {
  options: WireOptions;
  chunk: FuzzChunk;
}

/** What a worker posts: progress (executions and violating ones), failures, results. */
export type FuzzResponse =
  | { type: 'progress'; n: number; v: number }
  | { type: 'failure'; failure: FoundFailure }
  | { type: 'done'; result: ChunkResult }
  | { type: 'error'; name?: string; code?: string; message: string };

/** Executions between two progress messages (a message per execution would cost more). */
const PROGRESS_EVERY = 64;

const post = (m: FuzzResponse): void => parentPort!.postMessage(m);

parentPort!.on('message', (req: FuzzRequest | null) => {
  if (req === null) {
    parentPort!.close();
    return;
  }
  const { refs, failures, ...rest } = req.options;
  const o: FuzzOptions = { ...rest,
    refs: new Map(refs.map(([i, ref]) => [req.options.scenarios[i] as Scenario, ref])) };
  const sc = o.scenarios[req.chunk.index]!;
  let n = 0;
  let v = 0;
  let last = performance.now();
  /** Every 64 executions, and at least once a second (the pool's watchdog listens). */
  const tick = (long: boolean): void => {
    if (n === PROGRESS_EVERY || (n & 7) === 0 || long) {
      const now = performance.now();
      if (n === PROGRESS_EVERY || now - last >= 1000) {
        post({ type: 'progress', n, v });
        n = 0;
        v = 0;
        last = now;
      }
    }
  };
  try {
    const result = runChunk(o, req.chunk, (r) => {
      // A verify chunk reports its failure here and counts executions in the last callback.
      if (!req.chunk.verify) n++;
      if (r.violations.length > 0) {
        v++;
        if (failures) {
          post({ type: 'failure', failure: { ...failureOf(r, sc)!, strategy: r.strategy,
            replay: r.replay } });
        }
      }
      tick(r.steps > 10_000);
    }, () => {
      // An execution over a limit: counted as done (the chunk's result carries it).
      n++;
      tick(true);
    }, () => {
      n++;
      tick(true);
    });
    post({ type: 'progress', n, v });
    post({ type: 'done', result });
  } catch (e) {
    const err = e as { name?: string; code?: string; message?: string };
    post({ type: 'error', ...(err.name ? { name: err.name } : {}),
      ...(err.code ? { code: err.code } : {}), message: err.message ?? String(e) });
  }
});
