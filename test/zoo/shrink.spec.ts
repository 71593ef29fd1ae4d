/**
 * The schedule shrinker: deterministic, bounded, and its result replays exactly.
 * Seeds are pinned (B5, family 0 of the zoo's seed families, random strategy).
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { zooEntry } from '../../src/zoo/entries.ts';
import { firstFailure } from '../../src/zoo/search.ts';
import { shrinkSchedule } from '../../src/zoo/shrink.ts';
import { StickyChoicesScheduler, StickyRecorder } from '../../src/zoo/sticky.ts';
import { ReplayScheduler } from '../../src/sim/schedulers/replay.ts';
import { resolveVariant } from '../../src/eventpoll/variant.ts';
import { buildMachine } from '../../src/scenario/build.ts';
import { encodeSchedule } from '../../src/sim/schedule.ts';

const B5 = zooEntry('B5')!;

function failure() {
  return firstFailure(B5.bug, B5.scenarios, { strategy: 'random', family: 0, budget: 100 })!;
}

describe('zoo: shrinkSchedule (B5, family 0, random, seed 0)', () => {
  it('a recorded run re-expressed as sticky choices replays the same schedule', () => {
    const f = failure();
    const cfg = resolveVariant(B5.bug);
    const rec = new StickyRecorder(new ReplayScheduler(f.schedule));
    buildMachine(f.scenario, { cfg, seed: f.seed }).machine.run(rec);
    const again = buildMachine(f.scenario, { cfg, seed: f.seed }).machine
      .run(new StickyChoicesScheduler(rec.choices));
    expect(encodeSchedule(again.schedule)).toBe(f.schedule);
  });

  it('shrinks to fewer context switches, still violating P1, and replays exactly', () => {
    const f = failure();
    expect(f.seed).toBe(0);
    const s = shrinkSchedule({ variant: B5.bug, scenario: f.scenario, seed: f.seed,
      schedule: f.schedule, property: f.property, kind: f.kind });
    expect(s.decisions).toBeLessThan(s.originalDecisions);
    expect(s.decisions).toBe(1);
    expect(s.runs).toBeLessThanOrEqual(1500);
    const r = simulate({ variant: B5.bug, scenario: f.scenario, seed: f.seed,
      schedule: s.schedule });
    expect(r.violations[0]?.property).toBe('P1-lost-wakeup');
    expect(r.steps).toBe(s.steps);
    expect(s.replay).toContain(`--schedule ${s.schedule}`);
  });

  it('is deterministic', () => {
    const f = failure();
    const input = { variant: B5.bug, scenario: f.scenario, seed: f.seed, schedule: f.schedule,
      property: f.property, kind: f.kind };
    expect(shrinkSchedule(input)).toEqual(shrinkSchedule(input));
  });

  it('respects its run budget', () => {
    const f = failure();
    const s = shrinkSchedule({ variant: B5.bug, scenario: f.scenario, seed: f.seed,
      schedule: f.schedule, property: f.property, kind: f.kind, maxRuns: 5 });
    expect(s.runs).toBeLessThanOrEqual(5);
    const r = simulate({ variant: B5.bug, scenario: f.scenario, seed: f.seed,
      schedule: s.schedule });
    expect(r.violations[0]?.property).toBe('P1-lost-wakeup');
  });

  it('refuses a schedule that does not fail as claimed', () => {
    const f = failure();
    expect(() => shrinkSchedule({ variant: B5.bug, scenario: f.scenario, seed: f.seed,
      schedule: f.schedule, property: 'P2-list-integrity', kind: 'list-corruption' }))
      .toThrow(/does not violate/);
  });
});
