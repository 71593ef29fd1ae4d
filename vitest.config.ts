import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests and examples import the package by name; in the repository that is the sources
    // (one module graph, so a variant an example registers is the one the tests run).
    alias: [
      { find: /^eventpoll-sim$/, replacement: src('index.ts') },
      { find: /^eventpoll-sim\/model$/, replacement: src('model.ts') },
      { find: /^eventpoll-sim\/fast-check$/, replacement: src('fast-check.ts') },
      { find: /^eventpoll-sim\/vitest$/, replacement: src('vitest.ts') },
    ],
  },
  test: {
    include: ['test/**/*.{spec,test}.ts'],
    // A user's test file, run by test/package/installed.spec.ts in a scratch project.
    exclude: ['test/package/fixture/**', '**/node_modules/**'],
    globalSetup: ['test/setup/build.ts'],
    // Simulation tests are CPU-bound: two workers match the 2-core CI machine.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    reporters: ['default'],
  },
});
