#!/usr/bin/env node
// The eventpoll-sim command line: runs the compiled package (dist/, built by `npm run build`,
// which `npm ci` and `npm install` run through the `prepare` script). Without preloaded
// modules it runs the one-file bundle of the CLI (faster to start); with a user's variant
// preloaded (node --import, NODE_OPTIONS) it runs the package's own modules, so that the
// variant and the CLI share one variant registry.
import { existsSync } from 'node:fs';

const preloads = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]
  .some((a) => /^(--import|--require|-r|--loader|--experimental-loader)(=|$)/.test(a));
const bundle = new URL('../dist/cli/main.bundle.js', import.meta.url);
const { main } = await import(!preloads && existsSync(bundle)
  ? bundle.href : new URL('../dist/cli/main.js', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
