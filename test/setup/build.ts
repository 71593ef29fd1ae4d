/**
 * vitest global setup: compile the package (dist/) once before the tests, so that tests which
 * start the CLI (bin/ runs dist/) or install the packed package never run stale JavaScript.
 * Type errors do not stop the emit (the typecheck test reports them); a build that emits
 * nothing does stop the run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')),
    'bin', 'tsc');
  const started = Date.now();
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')],
    { cwd: root, encoding: 'utf8' });
  const main = join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(main) || statSync(main).mtimeMs < started - 1000) {
    throw new Error(`the build (tsc -p tsconfig.build.json) emitted nothing:\n${r.stdout}${r.stderr}`);
  }
  if (r.status !== 0) console.warn(`tsc reported type errors (see test/typecheck.spec.ts):\n${r.stdout}`);
  // The model's yield* as machine calls (as npm run build does), and the untransformed copy.
  const t = spawnSync(process.execPath, [join(root, 'scripts', 'trampoline.mjs')],
    { cwd: root, encoding: 'utf8' });
  if (t.status !== 0) throw new Error(`the trampoline step failed:\n${t.stdout}${t.stderr}`);
  // The CLI's one-file bundle (bin/ runs it when nothing is preloaded): stale would be wrong.
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'bundle-cli.mjs')],
    { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`bundling the CLI failed:\n${b.stdout}${b.stderr}`);
}
