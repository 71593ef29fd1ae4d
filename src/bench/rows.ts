/**
 * The bench's rows, in a module of their own: main.ts runs them from this module graph (the
 * built package: fast engine, trampolined model) and from the untransformed copy the build
 * keeps in dist/baseline/ (baseline engine), in one process.
 */
import { simulate } from '../api/simulate.ts';
import { setEngine } from '../sim/engine.ts';
import { coreRun } from './core.ts';
import { floorRun } from './floor.ts';

export { setEngine };

const EP = (scenario: string, checkers = true, memory?: 'sc' | 'tso' | 'lkmm') =>
  (seed: number) => simulate({ variant: 'mainline-6.18', scenario, seed,
    ...(checkers ? {} : { checkers: [] }), ...(memory ? { memory } : {}) }).steps;

/** The rows: name and one execution (returns its step count). */
export const ROWS: [string, (seed: number) => number][] = [
  ['floor: empty model, 1 call deep, SC, no checker', (s) => floorRun(s, 1)],
  ['floor: empty model, 6 calls deep, SC, no checker', (s) => floorRun(s, 6)],
  ['core: 4 CPUs, locks+lists+IRQs, TSO, checker on', (s) => coreRun(s, true)],
  ['core: same, checker off', (s) => coreRun(s, false)],
  ['core: same workload under lkmm, checker on', (s) => coreRun(s, true, 'lkmm')],
  ...['signal-eintr', 'one-wakeup', 'et-two-waiters', 'lt-two-waiters', 'harvest-vs-irq',
    'nested-sets', 'oneshot-twice'].map((sc): [string, (seed: number) => number] =>
    [`eventpoll: ${sc}, checkers on`, EP(sc)]),
  ['eventpoll: oneshot-twice, checkers off', EP('oneshot-twice', false)],
  ['eventpoll: harvest-vs-irq, tso, checkers on', EP('harvest-vs-irq', true, 'tso')],
  ['eventpoll: harvest-vs-irq, lkmm, checkers on', EP('harvest-vs-irq', true, 'lkmm')],
];
