/**
 * A clean sweep's schedule budget. CI runs it in full; under `npm run mutation`
 * (EPSIM_MUTATION=1, set by mutation/vitest.config.ts) it is a tenth, because Stryker runs
 * every covering test once per mutant and a mutant that survives runs all of them. A smaller
 * budget can only let a mutant survive, never kill one that CI would not: the score stays a
 * lower bound.
 */
export function budget(n: number): number {
  return process.env['EPSIM_MUTATION'] === '1' ? Math.max(1, Math.ceil(n / 10)) : n;
}
