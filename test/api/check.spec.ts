/**
 * assertNoViolation(): fast-check generates scenarios and interleavings, shrinks a failure,
 * and the error names the property, shows the interleaving and the replay command.
 */
import { describe, expect, it } from 'vitest';
import { assertNoViolation, checkNoViolation } from '../../src/index.ts';

describe('api: assertNoViolation (fast-check seed 42)', () => {
  it('passes on mainline-6.18 over generated scenarios and schedules', () => {
    expect(() => assertNoViolation({ variant: 'mainline-6.18', numRuns: 150 })).not.toThrow();
  });
  it('finds B5 on generated scenarios and reports a readable, shrunk failure', () => {
    const out = checkNoViolation({ variant: 'mainline-6.18+B5', numRuns: 300 });
    expect(out.ok).toBe(false);
    expect(out.report).toMatch(/^P1-lost-wakeup violated \(lost-wakeup\)/);
    expect(out.report).toContain('shrunk interleaving:');
    expect(out.report).toMatch(/replay \(save the scenario above as scenario.json\): npx eventpoll-sim replay/);
    expect(() => assertNoViolation({ variant: 'mainline-6.18+B5', numRuns: 300 }))
      .toThrow(/P1-lost-wakeup violated/);
  });
  it('on a fixed library scenario too', () => {
    const out = checkNoViolation({ variant: 'mainline-6.18+B5', scenario: 'lt-two-waiters', numRuns: 100 });
    expect(out.ok).toBe(false);
    expect(out.failure!.violations[0]!.property).toBe('P1-lost-wakeup');
  });
});
