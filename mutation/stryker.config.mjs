// StrykerJS over one mutation group (MUTATION_GROUP, mutation/groups.json): the group's
// sources are mutated and only the group's tests run (mutation/vitest.config.ts). String
// literals are not mutated (messages), per the score the issue asks for.
import { readFileSync } from 'node:fs';

const groups = JSON.parse(readFileSync(new URL('./groups.json', import.meta.url), 'utf8'));
const name = process.env.MUTATION_GROUP ?? '';
const group = groups[name];
if (!group) throw new Error(`MUTATION_GROUP must be one of ${Object.keys(groups).join(', ')}`);

export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'mutation/vitest.config.ts', related: false },
  coverageAnalysis: 'perTest',
  mutate: group.mutate,
  mutator: { excludedMutations: ['StringLiteral'] },
  ignoreStatic: true,
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 60_000,
  // The initial run of every test takes minutes when the two cores are shared.
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  // `npx stryker run mutation/stryker.config.mjs --incremental` re-tests only the mutants
  // whose code or covering tests changed since the group's last incremental run.
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  tempDirName: `.stryker-tmp-${name}`,
  // dist/ stays in the sandbox: a few tests run the built CLI (not mutated: it only prints).
  ignorePatterns: ['reports', '.stryker-tmp-*', '/tmp'],
  cleanTempDir: true,
};
