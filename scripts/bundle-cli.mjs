// Bundles the compiled CLI (dist/cli/main.js and every command it loads) into one file,
// dist/cli/main.bundle.js: a process then reads, resolves and compiles one module instead of
// about a hundred, which is most of what a short command costs (see docs/architecture.md).
// Runtime dependencies stay external. bin/eventpoll-sim.js uses the bundle only when no module
// was preloaded with --import/--require: a preloaded user variant imports the package's own
// modules and must register in the registry the CLI reads.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/cli/main.bundle.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
