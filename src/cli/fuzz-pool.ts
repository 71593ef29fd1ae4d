/**
 * Runs fuzz campaigns on worker threads. The campaign is cut into chunks (a scenario's
 * seed range, see planChunks), handed out to the workers as they free up, and merged in
 * seed order (mergeChunks), so the summary, first failures and replay commands are the
 * ones a single thread gives; only the wall-clock time depends on the number of threads.
 * With stop-at-first, chunks after a scenario's first failing chunk are skipped.
 */
import type { Worker } from 'node:worker_threads';
import {
  fuzz, mergeChunks, planChunks, type ChunkResult, type FuzzChunk, type FuzzOptions,
  type FuzzSummary,
} from '../api/fuzz.ts';
import { LimitExceededError, SimError, SimUsageError } from '../sim/errors.ts';
import type { FuzzRequest, WireOptions } from './fuzz-worker.ts';
import { moduleWorker, siblingModule } from './threads.ts';

/**
 * Campaigns smaller than this stay on the calling thread: a worker takes about a second to
 * start (tsx compiles the sources again in each thread) and its JIT starts cold, which a
 * few seconds of work per thread must repay. Measured: 100,000 executions over the library
 * take 18.1 s on one thread and 12.7 s on two; the 72,000 of `npm start`, 9,000 per variant,
 * gain nothing.
 */
export const MIN_PARALLEL = 20_000;

/** A pool of fuzz workers, started on first use; `close()` ends them. */
export class FuzzPool {
  private readonly workers: Worker[] = [];
  /** Threads the last campaign ran on (1 when it stayed on the calling thread). */
  used = 1;

  constructor(readonly jobs: number, private readonly minParallel = MIN_PARALLEL) {}

  /** Runs the campaign `o` (its variant given by name) on the pool's threads. */
  async fuzz(o: FuzzOptions & { variant: string }): Promise<FuzzSummary> {
    const total = o.scenarios.length * o.schedules;
    this.used = 1;
    if (this.jobs <= 1 || total < this.minParallel) return fuzz(o);
    this.used = this.jobs;
    // Chunks small enough to balance the threads, large enough to keep messages rare.
    const size = Math.max(25, Math.min(1000, Math.ceil(total / (this.jobs * 16))));
    const queue = planChunks(o, size);
    const stop = o.stopAtFirst ?? true;
    const wire: WireOptions = {
      variant: o.variant, scenarios: o.scenarios, schedules: o.schedules,
      refs: o.scenarios.flatMap((s, i) => (typeof s !== 'string' && o.refs?.has(s)
        ? [[i, o.refs.get(s)!] as [number, string]] : [])),
      ...(o.bugs ? { bugs: o.bugs } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.strategy ? { strategy: o.strategy } : {}), ...(o.memory ? { memory: o.memory } : {}),
      ...(o.stopAtFirst !== undefined ? { stopAtFirst: o.stopAtFirst } : {}),
    };
    const results: ChunkResult[] = [];
    /** Per scenario, the first execution of the earliest chunk known to fail. */
    const failedFrom = new Map<number, number>();
    let done = 0;
    const skip = (ch: FuzzChunk): boolean =>
      stop && (failedFrom.get(ch.index) ?? Infinity) < ch.from;
    while (this.workers.length < this.jobs) {
      this.workers.push(moduleWorker(siblingModule('./fuzz-worker', import.meta.url)));
    }
    const drive = (w: Worker): Promise<void> => new Promise((resolve, reject) => {
      let current: FuzzChunk | undefined;
      const next = (): void => {
        current = queue.shift();
        while (current !== undefined && skip(current)) {
          done += current.to - current.from;
          o.onProgress?.(done, total);
          current = queue.shift();
        }
        if (current === undefined) {
          detach();
          resolve();
          return;
        }
        w.postMessage({ options: wire, chunk: current } satisfies FuzzRequest);
      };
      const onMessage = (m: { type: string; n?: number; result?: ChunkResult;
        message?: string; code?: string; name?: string }): void => {
        if (m.type === 'progress') {
          done += m.n!;
          o.onProgress?.(done, total);
        } else if (m.type === 'done') {
          const r = m.result!;
          results.push(r);
          const ch = current!;
          if (r.schedules < ch.to - ch.from) {
            done += ch.to - ch.from - r.schedules;
            o.onProgress?.(done, total);
          }
          if (r.failure) {
            failedFrom.set(r.index, Math.min(failedFrom.get(r.index) ?? r.from, r.from));
          }
          next();
        } else {
          detach();
          queue.length = 0;
          reject(rebuild(m.name, m.code, m.message!));
        }
      };
      const onError = (e: Error): void => {
        detach();
        queue.length = 0;
        // A broken worker is not reused by a later campaign of this pool.
        const i = this.workers.indexOf(w);
        if (i >= 0) this.workers.splice(i, 1);
        void w.terminate();
        reject(e);
      };
      // A worker that exits in the middle of a chunk (killed, out of memory) would
      // otherwise leave the campaign waiting forever.
      const onExit = (code: number): void => onError(new Error(`a fuzz worker exited ` +
        `(code ${code}) while running executions ${current?.from}-${(current?.to ?? 0) - 1} ` +
        `of scenario ${current?.index}`));
      const detach = (): void => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      next();
    });
    await Promise.all(this.workers.map(drive));
    return mergeChunks(o, results);
  }

  /** Ends the workers. */
  async close(): Promise<void> {
    const ws = this.workers.splice(0);
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

/** The error a worker reported, as the class the CLI maps to its exit code. */
function rebuild(name: string | undefined, code: string | undefined, message: string): Error {
  if (name === 'SimUsageError') return new SimUsageError(code ?? 'E_USAGE', message);
  if (name === 'LimitExceededError') return new LimitExceededError(message);
  if (code !== undefined) return new SimError(code, message);
  return new Error(`in a fuzz worker: ${message}`);
}
