/**
 * Worker threads. The package runs as compiled JavaScript (dist/), where a worker is a plain
 * module; run from the TypeScript sources (vitest, `node --import tsx`), a worker must
 * register tsx itself before importing its module, since a loader registered in the main
 * thread does not reach workers. Modules the user preloaded with `node --import` (a variant
 * of their own, say) are imported in the worker too, since Node does not run them there.
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

/** True when this process was started with `--import tsx` (or a tsx subpath). */
function usesTsx(execArgv: readonly string[] = process.execArgv): boolean {
  return execArgv.some((a, i) => a === 'tsx' || a.startsWith('tsx/') || a === '--import=tsx' ||
    (a.startsWith('--import=tsx/')) || (execArgv[i - 1] === '--import' && a.startsWith('tsx')));
}

/**
 * The URL of a sibling module `rel` (written without extension, e.g. `../zoo/worker`) in the
 * same form as `base`: `.ts` when running from sources, `.js` when compiled.
 */
export function siblingModule(rel: string, base: string): URL {
  return new URL(`${rel}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}

/** Starts a worker running the module at `url` (an absolute file URL, `.js` or `.ts`). */
export function moduleWorker(url: URL): Worker {
  const imports = [...userPreloads(), url.href].map((u) => `await import(${JSON.stringify(u)});`)
    .join(' ');
  // tsx is a development dependency: only a `.ts` worker (run from sources) or a process that
  // itself runs under tsx (a user variant written in TypeScript) registers it.
  const boot = url.pathname.endsWith('.ts') || usesTsx()
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
      `.then(async (t) => { t.register(); ${imports} });`
    : `(async () => { ${imports} })();`;
  return new Worker(boot, { eval: true });
}
