#!/usr/bin/env node
// The eventpoll-sim command line. tsx runs the TypeScript sources directly (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
