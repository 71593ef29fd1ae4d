/**
 * Worker threads that run TypeScript modules: tsx is registered in the main thread only,
 * so a worker registers it first (as bin/ does), by absolute URL so that it works from any
 * directory, then imports its module. Modules the user preloaded with `node --import` (a
 * variant of their own, say) are imported in the worker too, since Node does not run them
 * there.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The `--import` modules of this process other than tsx, as URLs. */
export function userPreloads(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    const spec = a === '--import' ? execArgv[++i] : a.startsWith('--import=') ? a.slice(9)
      : undefined;
    if (spec === undefined || spec === 'tsx' || spec.startsWith('tsx/')) continue;
    out.push(/^[./]/.test(spec) ? pathToFileURL(resolve(spec)).href : spec);
  }
  return out;
}

/** Starts a worker running the TypeScript module at `url` (an absolute file URL). */
export function tsWorker(url: URL): Worker {
  const imports = [...userPreloads(), url.href].map((u) => `await import(${JSON.stringify(u)});`)
    .join(' ');
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
    `.then(async (t) => { t.register(); ${imports} });`;
  return new Worker(boot, { eval: true });
}
