/**
 * A worker thread of the parallel zoo run: receives entry ids, runs them, posts reports.
 * Plain data both ways, so results are identical to a run in the main thread.
 */
import { parentPort } from 'node:worker_threads';
import { zooEntry } from './entries.ts';
import { runEntry, type ZooRunOptions } from './run.ts';

/** A request: run entry `id` with `options` (no callbacks: they cannot cross threads). */
export interface WorkerRequest {
  id: string;
  options: Omit<ZooRunOptions, 'onProgress'>;
}

parentPort!.on('message', (req: WorkerRequest | null) => {
  if (req === null) {
    parentPort!.close();
    return;
  }
  const e = zooEntry(req.id)!;
  const report = runEntry(e, { ...req.options,
    onProgress: (phase, n) => parentPort!.postMessage({ type: 'progress', phase, n }) });
  parentPort!.postMessage({ type: 'report', id: req.id, report });
});
