/**
 * Runs zoo entries on several worker threads (one entry per worker at a time), returning
 * the reports in the entries' order. Each entry's run is deterministic on its own, so the
 * reports do not depend on the number of workers; only the wall-clock time does (this is
 * CLI code: it reads the clock for per-entry seconds).
 */
import type { ZooEntry } from '../zoo/entries.ts';
import { runEntry, type EntryReport, type ZooRunOptions } from '../zoo/run.ts';
import type { WorkerRequest } from '../zoo/worker.ts';
import { moduleWorker, siblingModule } from './threads.ts';

/** Runs `entries` on `jobs` workers (in this thread when jobs is 1). */
export async function runEntries(entries: readonly ZooEntry[], o: ZooRunOptions, jobs: number,
  onReport?: (r: EntryReport, seconds: number) => void): Promise<EntryReport[]> {
  const { onProgress, ...options } = o;
  const out = new Map<string, EntryReport>();
  if (jobs <= 1 || entries.length <= 1) {
    for (const e of entries) {
      const t0 = performance.now();
      const r = runEntry(e, o);
      out.set(e.id, r);
      onReport?.(r, (performance.now() - t0) / 1000);
    }
    return entries.map((e) => out.get(e.id)!);
  }
  const queue = [...entries];
  const work = (): Promise<void> => new Promise((resolve, reject) => {
    const w = moduleWorker(siblingModule('../zoo/worker', import.meta.url));
    let started = 0;
    const next = () => {
      const e = queue.shift();
      if (e === undefined) {
        w.postMessage(null);
        return;
      }
      started = performance.now();
      w.postMessage({ id: e.id, options } satisfies WorkerRequest);
    };
    w.on('message', (m: { type: string; phase?: string; n?: number; id?: string;
      report?: EntryReport }) => {
      if (m.type === 'progress') {
        onProgress?.(m.phase!, m.n!);
        return;
      }
      out.set(m.id!, m.report!);
      onReport?.(m.report!, (performance.now() - started) / 1000);
      next();
    });
    w.on('error', reject);
    w.on('exit', () => resolve());
    next();
  });
  await Promise.all(Array.from({ length: Math.min(jobs, entries.length) }, work));
  return entries.map((e) => out.get(e.id)!);
}
