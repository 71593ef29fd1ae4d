#!/usr/bin/env node
// The eventpoll-sim command line: runs the compiled package (dist/, built by `npm run build`,
// which `npm ci` and `npm install` run through the `prepare` script).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
