/**
 * The vitest configuration StrykerJS runs per mutation group (`npm run mutation`): the
 * repository's aliases, no global setup (the tests of a group import the sources, not
 * dist/), and only the group's tests (MUTATION_GROUP, see mutation/groups.json), with clean
 * sweeps at a tenth of their budget (test/budget.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import base from '../vitest.config.ts';

const groups = JSON.parse(readFileSync(fileURLToPath(new URL('./groups.json', import.meta.url)),
  'utf8')) as Record<string, { mutate: string[]; tests: string[] }>;
const group = groups[process.env.MUTATION_GROUP ?? ''];
if (!group) {
  throw new Error(`MUTATION_GROUP must be one of ${Object.keys(groups).join(', ')}`);
}

/**
 * Smaller test files first: a mutant stops at its first failing test, and the direct unit
 * tests (small files) kill most mutants in milliseconds, before the schedule sweeps run.
 */
class SmallFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const size = (f: TestSpecification): number => statSync(f.moduleId).size;
    return [...files].sort((a, b) => size(a) - size(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  resolve: base.resolve,
  test: {
    include: group.tests,
    exclude: ['test/package/**', '**/node_modules/**'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 120_000,
    sequence: { sequencer: SmallFirst },
    // Clean sweeps run a tenth of their CI budget (test/budget.ts).
    env: { EPSIM_MUTATION: '1' },
  },
});
