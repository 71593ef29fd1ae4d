/**
 * Determinism is the product: the same seed, scenario and variant give the same trace hash
 * in separate processes, and different seeds explore different interleavings.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function hashInChild(seed: number, memory: string): string {
  const code = `import { simulate } from './src/index.ts';
    const r = simulate({ variant: 'mainline-6.18', scenario: 'harvest-vs-irq', seed: ${seed},
      memory: '${memory}', trace: true });
    console.log(r.hash + ' ' + r.schedule.length + ' ' + r.trace.length);`;
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code],
    { cwd: ROOT, encoding: 'utf8' }).trim();
}

describe('sim: determinism across processes (harvest-vs-irq, seeds 5 and 6)', () => {
  for (const memory of ['sc', 'tso']) {
    it(`same seed, same hash in two processes (${memory})`, () => {
      const a = hashInChild(5, memory);
      const b = hashInChild(5, memory);
      const here = simulate({ variant: 'mainline-6.18', scenario: 'harvest-vs-irq', seed: 5,
        memory: memory as 'sc' | 'tso', trace: true });
      expect(a).toBe(b);
      expect(a).toBe(`${here.hash} ${here.schedule.length} ${here.trace!.length}`);
    });
  }
  it('tracing does not change the run', () => {
    const a = simulate({ variant: 'mainline-6.18', scenario: 'nested-sets', seed: 9 });
    const b = simulate({ variant: 'mainline-6.18', scenario: 'nested-sets', seed: 9, trace: true });
    expect(b.hash).toBe(a.hash);
    expect(b.schedule).toBe(a.schedule);
  });
  it('different seeds explore different interleavings', () => {
    const hashes = new Set<string>();
    for (let s = 0; s < 50; s++) hashes.add(simulate({ variant: 'mainline-6.18', scenario: 'harvest-vs-irq', seed: s }).hash);
    expect(hashes.size).toBeGreaterThan(40);
  });
});
