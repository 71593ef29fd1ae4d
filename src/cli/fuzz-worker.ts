/**
 * A worker thread of a parallel fuzz campaign: receives chunks, runs them with runChunk,
 * posts their results (plain data, so they equal results computed on the main thread).
 */
import { parentPort } from 'node:worker_threads';
import { runChunk, type FuzzChunk, type FuzzOptions } from '../api/fuzz.ts';
import '../eventpoll/variants.ts';
import type { Scenario } from '../scenario/types.ts';

/** The options of a campaign as they cross threads (no callbacks; refs by index). */
export type WireOptions = Omit<FuzzOptions, 'onProgress' | 'refs' | 'variant'> & {
  variant: string;
  refs: [number, string][];
};

/** A request: run `chunk` of the campaign `options`; null ends the worker. */
export interface FuzzRequest {
  options: WireOptions;
  chunk: FuzzChunk;
}

/** Executions between two progress messages (a message per execution would cost more). */
const PROGRESS_EVERY = 64;

parentPort!.on('message', (req: FuzzRequest | null) => {
  if (req === null) {
    parentPort!.close();
    return;
  }
  const { refs, ...rest } = req.options;
  const o: FuzzOptions = { ...rest,
    refs: new Map(refs.map(([i, ref]) => [req.options.scenarios[i] as Scenario, ref])) };
  let n = 0;
  try {
    const result = runChunk(o, req.chunk, () => {
      if (++n % PROGRESS_EVERY === 0) {
        parentPort!.postMessage({ type: 'progress', n: PROGRESS_EVERY });
      }
    });
    parentPort!.postMessage({ type: 'progress', n: n % PROGRESS_EVERY });
    parentPort!.postMessage({ type: 'done', result });
  } catch (e) {
    const err = e as { name?: string; code?: string; message?: string };
    parentPort!.postMessage({ type: 'error', name: err.name, code: err.code,
      message: err.message ?? String(e) });
  }
});
