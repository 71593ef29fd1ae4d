/**
 * Runs fuzz campaigns for the CLI: the campaign is cut into chunks (a scenario's seed range,
 * see planChunks), the chunks are run on this thread and on worker threads as they free up,
 * and the results are merged in seed order (mergeChunks), so the summary, first failures and
 * replay commands are the ones a single thread gives; only the wall-clock time depends on
 * the number of threads. With stop-at-first, chunks after a scenario's first failing chunk
 * are skipped.
 *
 * With --jobs N the pool starts N-1 workers and the main thread runs chunks too, between
 * messages (each worker holds up to two chunks, so it does not wait while the main thread
 * is busy with one). Work is always done in chunks, also on one thread, so a time limit or
 * a signal stops the campaign between two chunks (no chunk is cut short: the summary is then
 * the exact summary of the chunks that ran, a prefix of each scenario's seed range).
 *
 * A shard (`select`) runs only the chunks the selector keeps, with a chunk size that
 * depends only on the campaign ({@link SHARD_CHUNK}), so the shards of one campaign on
 * different machines cut it the same way and their results merge into the whole.
 */
import type { Worker } from 'node:worker_threads';
import {
  mergeChunks, sumChunks, planChunks, runChunk, type ChunkResult, type FuzzChunk,
  type FuzzOptions, type FuzzSummary,
} from '../api/fuzz.ts';
import { resolveScenario } from '../scenario/library.ts';
import { failureOf, type Failure, type SimulateResult } from '../api/simulate.ts';
import type { Scenario } from '../scenario/types.ts';
import { LimitExceededError, SimError, SimUsageError } from '../sim/errors.ts';
import type { FuzzRequest, FuzzResponse, WireOptions } from './fuzz-worker.ts';
import { moduleWorker, siblingModule } from './threads.ts';

/**
 * Campaigns smaller than this stay on the calling thread: a worker takes time to start
 * (about a second when tsx compiles the sources again in each thread) and its JIT starts
 * cold, which a few seconds of work per thread must repay. Measured (tsx workers): 100,000
 * executions over the library take 18.1 s on one thread and 12.7 s on two; the 72,000 of
 * `npm start`, 9,000 per variant, gain nothing.
 */
export const MIN_PARALLEL = 20_000;

/** Chunk size of sharded campaigns: fixed, so that every shard cuts the campaign alike. */
export const SHARD_CHUNK = 500;

/** A failing execution, as soon as it is known (for --save-failures). */
export interface FoundFailure extends Failure {
  strategy: string;
  replay: string;
}

/** How a run of the pool is steered. */
export interface RunControl {
  /** Checked before each chunk starts: true stops the campaign (time limit, signal). */
  shouldStop?: () => boolean;
  /** Called with every failing execution as soon as it is known. */
  onFailure?: (f: FoundFailure) => void;
  /** Called with (executions done, executions planned, violating executions so far). */
  onProgress?: (done: number, total: number, violations: number) => void;
  /** Keep only the chunks this selector accepts (their index in the plan): a shard. */
  select?: (chunk: number) => boolean;
  /** Chunk size (default: one that balances the threads; SHARD_CHUNK for shards). */
  chunkSize?: number;
  /**
   * The watchdog: a worker holding a chunk that sends nothing for this long (ms) fails the
   * campaign with the chunk it was running (default: {@link watchdogMs}). Workers report
   * progress at least once a second while they run.
   */
  watchdogMs?: number;
}

/** The default watchdog: EVENTPOLL_SIM_WATCHDOG_SECONDS, or 120 s. */
export function watchdogMs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.EVENTPOLL_SIM_WATCHDOG_SECONDS);
  return (env.EVENTPOLL_SIM_WATCHDOG_SECONDS !== undefined && Number.isFinite(n) && n > 0
    ? n : 120) * 1000;
}

/** What a run of the pool did. */
export interface PoolRun {
  summary: FuzzSummary;
  /** The results of every chunk that ran (what a shard writes). */
  results: ChunkResult[];
  /** True when shouldStop ended the campaign before every chunk ran. */
  stopped: boolean;
  /** Executions the campaign (or the shard) planned. */
  planned: number;
  /** Threads used (1: only this one). */
  threads: number;
  /** Chunks in the campaign's plan (all of them, not only a shard's). */
  chunks: number;
  /** Chunks that ran on this thread (the rest ran on workers). */
  here: number;
}

/** Lets the event loop run (worker messages, signals) between two chunks. */
const breathe = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A pool of fuzz workers, started on first use; `close()` ends them. */
export class FuzzPool {
  private readonly workers: Worker[] = [];
  /** Threads the last campaign ran on (1 when it stayed on the calling thread). */
  used = 1;

  constructor(readonly jobs: number, private readonly minParallel = MIN_PARALLEL) {}

  /** Runs the campaign `o` (its variant given by name) and returns its summary. */
  async fuzz(o: FuzzOptions & { variant: string }): Promise<FuzzSummary> {
    return (await this.run(o, {
      ...(o.onProgress ? { onProgress: (d: number, t: number) => o.onProgress!(d, t) } : {}),
    })).summary;
  }

  /** Runs the campaign `o` under `c`; see the file comment. */
  async run(o: FuzzOptions & { variant: string }, c: RunControl = {}): Promise<PoolRun> {
    const all = planChunks(o, c.chunkSize ?? (c.select ? SHARD_CHUNK : Infinity));
    const kept = c.select ? all.filter((_, i) => c.select!(i)) : all;
    const planned = kept.reduce((a, ch) => a + ch.to - ch.from, 0);
    const threads = this.jobs <= 1 || planned < this.minParallel ? 1 : this.jobs;
    this.used = threads;
    // Chunks small enough to balance the threads (and to stop soon after a time limit or a
    // signal), large enough to keep messages rare.
    const size = c.chunkSize ?? (c.select ? SHARD_CHUNK
      : Math.max(25, Math.min(1000, Math.ceil(planned / (threads * 16)))));
    const queue = c.select || c.chunkSize ? kept : planChunks(o, size);
    const stop = o.stopAtFirst ?? true;
    const results: ChunkResult[] = [];
    /** Per scenario, the first execution of the earliest chunk known to fail. */
    const failedFrom = new Map<number, number>();
    let done = 0;
    let violations = 0;
    let stopped = false;
    const progress = (): void => c.onProgress?.(done, planned, violations);
    const skip = (ch: FuzzChunk): boolean =>
      stop && (failedFrom.get(ch.index) ?? Infinity) < ch.from;
    const record = (ch: FuzzChunk, r: ChunkResult): void => {
      results.push(r);
      if (r.schedules < ch.to - ch.from) {
        done += ch.to - ch.from - r.schedules;
        progress();
      }
      if (r.failure || r.limit) {
        failedFrom.set(r.index, Math.min(failedFrom.get(r.index) ?? r.from, r.from));
      }
    };
    /** The next chunk to start, or undefined (none left, or the campaign stops). */
    const take = (): FuzzChunk | undefined => {
      if (!stopped && c.shouldStop?.()) stopped = true;
      if (stopped) {
        queue.length = 0;
        return undefined;
      }
      let ch = queue.shift();
      while (ch !== undefined && skip(ch)) {
        done += ch.to - ch.from;
        progress();
        ch = queue.shift();
      }
      return ch;
    };
    const onOne = (sc: Scenario | string) => (r: SimulateResult): void => {
      done++;
      if (r.violations.length > 0) {
        violations++;
        if (c.onFailure) c.onFailure(found(r, sc));
      }
      progress();
    };
    const onLimit = (): void => {
      done++;
      progress();
    };
    let here = 0;
    /** A verify chunk's failure (its executions are counted by onLimit's tick). */
    const onFound = (sc: Scenario | string) => (r: SimulateResult): void => {
      violations++;
      if (c.onFailure) c.onFailure(found(r, sc));
      progress();
    };
    const runHere = (ch: FuzzChunk): void => {
      here++;
      const sc = o.scenarios[ch.index]!;
      record(ch, ch.verify ? runChunk(o, ch, onFound(sc), undefined, onLimit)
        : runChunk(o, ch, onOne(sc), onLimit));
    };

    if (threads === 1) {
      for (let ch = take(); ch !== undefined; ch = take()) {
        runHere(ch);
        await breathe();
      }
      return { summary: summarize(o, results, stopped || !!c.select), results, stopped,
        planned, threads, chunks: all.length, here };
    }

    const wire: WireOptions = {
      variant: o.variant, scenarios: o.scenarios, schedules: o.schedules,
      refs: o.scenarios.flatMap((s, i) => (typeof s !== 'string' && o.refs?.has(s)
        ? [[i, o.refs.get(s)!] as [number, string]] : [])),
      ...(o.bugs ? { bugs: o.bugs } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.strategy ? { strategy: o.strategy } : {}), ...(o.memory ? { memory: o.memory } : {}),
      ...(o.stopAtFirst !== undefined ? { stopAtFirst: o.stopAtFirst } : {}),
      failures: c.onFailure !== undefined,
    };
    while (this.workers.length < threads - 1) {
      this.workers.push(moduleWorker(siblingModule('./fuzz-worker', import.meta.url)));
    }
    let failed: Error | undefined;
    /** Wakes the main loop when a worker message arrives. */
    let wake: (() => void) | undefined;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    /** Per worker, the chunks it holds, oldest first. */
    const held = new Map<Worker, FuzzChunk[]>();
    /** Per worker, when it was last heard from (or given work while idle). */
    const heard = new Map<Worker, number>();
    const limit = c.watchdogMs ?? watchdogMs();
    const names = o.scenarios.map((sc) => resolveScenario(sc).name);
    /**
     * Fails the campaign when a busy worker has been silent for longer than the watchdog.
     * Called only right after the event loop ran (messages that arrived while this thread
     * ran a chunk have been handled by then), so a busy main thread is no false alarm.
     */
    const watchdog = (): void => {
      const now = performance.now();
      for (const [w, h] of held) {
        if (h.length === 0 || now - (heard.get(w) ?? now) <= limit) continue;
        const ch = h[0]!;
        const seed0 = o.seed ?? 0;
        const i = this.workers.indexOf(w);
        if (i >= 0) this.workers.splice(i, 1);
        held.set(w, []);
        void w.terminate();
        fail(new Error(`a fuzz worker made no progress for ${Math.round(limit / 1000)} s ` +
          `while running executions ${ch.from}-${ch.to - 1} of scenario ${names[ch.index]} ` +
          `(seeds ${seed0 + ch.from}-${seed0 + ch.to - 1}); it was stopped ` +
          '(EVENTPOLL_SIM_WATCHDOG_SECONDS sets the limit)'));
        return;
      }
    };
    const fail = (e: Error): void => {
      failed ??= e;
      queue.length = 0;
      notify();
    };
    const feed = (w: Worker): void => {
      const mine = held.get(w)!;
      if (mine.length === 0) heard.set(w, performance.now());
      while (failed === undefined && mine.length < 2) {
        const ch = take();
        if (ch === undefined) break;
        mine.push(ch);
        w.postMessage({ options: wire, chunk: ch } satisfies FuzzRequest);
      }
    };
    const detachers: (() => void)[] = [];
    for (const w of this.workers.slice(0, threads - 1)) {
      held.set(w, []);
      const onMessage = (m: FuzzResponse): void => {
        heard.set(w, performance.now());
        if (m.type === 'progress') {
          done += m.n;
          violations += m.v;
          progress();
        } else if (m.type === 'failure') {
          c.onFailure?.(m.failure);
        } else if (m.type === 'done') {
          const ch = held.get(w)!.shift()!;
          record(ch, m.result);
          feed(w);
        } else {
          fail(rebuild(m.name, m.code, m.message));
        }
        notify();
      };
      const onError = (e: Error): void => {
        // A broken worker is not reused by a later campaign of this pool.
        const i = this.workers.indexOf(w);
        if (i >= 0) this.workers.splice(i, 1);
        held.set(w, []);
        void w.terminate();
        fail(e);
      };
      // A worker that exits in the middle of a chunk (killed, out of memory) would
      // otherwise leave the campaign waiting forever.
      const onExit = (code: number): void => {
        const ch = held.get(w)?.[0];
        onError(new Error(`a fuzz worker exited (code ${code})` + (ch === undefined ? ''
          : ` while running executions ${ch.from}-${ch.to - 1} of scenario ${ch.index}`)));
      };
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      detachers.push(() => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      });
    }
    try {
      for (const w of held.keys()) feed(w);
      const busy = (): boolean => [...held.values()].some((h) => h.length > 0);
      for (;;) {
        if (failed !== undefined) throw failed;
        const ch = take();
        if (ch !== undefined) {
          runHere(ch);
          await breathe();
          watchdog();
          for (const w of held.keys()) feed(w);
          continue;
        }
        if (!busy()) break;
        // Waiting for the workers: wake up at least once a second for the watchdog.
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((r) => {
          wake = r;
          timer = setTimeout(r, Math.min(1000, limit));
        });
        clearTimeout(timer);
        wake = undefined;
        await breathe();
        watchdog();
      }
      if (failed !== undefined) throw failed;
    } finally {
      for (const d of detachers) d();
    }
    return { summary: summarize(o, results, stopped || !!c.select), results, stopped,
      planned, threads, chunks: all.length, here };
  }

  /** Ends the workers. */
  async close(): Promise<void> {
    const ws = this.workers.splice(0);
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

/**
 * The summary of the chunks that ran. A whole campaign goes through mergeChunks (which
 * checks that every execution is covered); a part of one (a shard, or a campaign stopped
 * by a time limit or a signal) is added up the same way without that check: per scenario
 * in seed order, up to the first failure with stop-at-first.
 */
export function summarize(o: FuzzOptions, results: readonly ChunkResult[], partial: boolean):
FuzzSummary {
  return partial ? sumChunks(o, results) : mergeChunks(o, results);
}

/** The failure record of a violating execution, with its strategy and replay command. */
export function found(r: SimulateResult, sc: Scenario | string): FoundFailure {
  return { ...failureOf(r, sc)!, strategy: r.strategy, replay: r.replay };
}

/** The error a worker reported, as the class the CLI maps to its exit code. */
function rebuild(name: string | undefined, code: string | undefined, message: string): Error {
  if (name === 'SimUsageError') return new SimUsageError(code ?? 'E_USAGE', message);
  if (name === 'LimitExceededError') return new LimitExceededError(message);
  if (code !== undefined) return new SimError(code, message);
  return new Error(`in a fuzz worker: ${message}`);
}
