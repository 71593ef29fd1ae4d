/**
 * Pinned first failures of the zoo (found by search, then pinned here so CI re-checks them
 * exactly): per entry and strategy, for seed families 0, 1, 2, the schedules up to the first
 * failure (1-based) and the failing seed. A model change that moves a bug shows up here as
 * a changed count; re-pin after checking that the new first failure is still the bug.
 */

/** Schedules to the first failure and its seed, per family; null: none within the budget. */
export type FamilyPins = readonly ({ schedules: number; seed: number } | null)[];

/**
 * Pins per entry id: `pct` (the zoo's default strategy) always, `random` where it finds;
 * `portfolio` (fuzz's default) in {@link PORTFOLIO_PINS}.
 */
export const PINS: Readonly<Record<string, { pct: FamilyPins; random?: FamilyPins }>> = {
  B1: { pct: [{ schedules: 679, seed: 678 }, { schedules: 333, seed: 1000332 },
    { schedules: 1, seed: 2000000 }] },
  B3: { pct: [{ schedules: 30, seed: 29 }, { schedules: 1, seed: 1000000 },
    { schedules: 11, seed: 2000010 }],
  random: [{ schedules: 512, seed: 511 }, { schedules: 1740, seed: 1001739 },
    { schedules: 426, seed: 2000425 }] },
  B4: { pct: [{ schedules: 64, seed: 63 }, { schedules: 54, seed: 1000053 },
    { schedules: 28, seed: 2000027 }],
  random: [{ schedules: 2, seed: 1 }, { schedules: 4, seed: 1000003 },
    { schedules: 2, seed: 2000001 }] },
  B5: { pct: [{ schedules: 3, seed: 2 }, { schedules: 19, seed: 1000018 },
    { schedules: 12, seed: 2000011 }],
  random: [{ schedules: 1, seed: 0 }, { schedules: 5, seed: 1000004 },
    { schedules: 7, seed: 2000006 }] },
  'B5-t0': { pct: [{ schedules: 61, seed: 60 }, { schedules: 163, seed: 1000162 },
    { schedules: 12, seed: 2000011 }],
  random: [{ schedules: 1301, seed: 1300 }, { schedules: 1124, seed: 1001123 },
    { schedules: 119, seed: 2000118 }] },
  B6: { pct: [{ schedules: 31, seed: 30 }, { schedules: 5, seed: 1000004 },
    { schedules: 1, seed: 2000000 }] },
  B7: { pct: [{ schedules: 44, seed: 43 }, { schedules: 3, seed: 1000002 },
    { schedules: 6, seed: 2000005 }] },
  B8b: { pct: [{ schedules: 14, seed: 13 }, { schedules: 7, seed: 1000006 },
    { schedules: 74, seed: 2000073 }] },
  WF1: { pct: [{ schedules: 31, seed: 30 }, { schedules: 7, seed: 1000006 },
    { schedules: 20, seed: 2000019 }] },
  B11: { pct: [{ schedules: 63, seed: 62 }, { schedules: 103, seed: 1000102 },
    { schedules: 107, seed: 2000106 }] },
  B20: { pct: [{ schedules: 13, seed: 12 }, { schedules: 65, seed: 1000064 },
    { schedules: 24, seed: 2000023 }],
  random: [{ schedules: 744, seed: 743 }, { schedules: 606, seed: 1000605 },
    { schedules: 430, seed: 2000429 }] },
  PW1: { pct: [null, null, null],
    random: [{ schedules: 511, seed: 510 }, { schedules: 661, seed: 1000660 },
      { schedules: 4, seed: 2000003 }] },
  RW1: { pct: [{ schedules: 61, seed: 60 }, { schedules: 83, seed: 1000082 },
    { schedules: 126, seed: 2000125 }] },
};

/** The portfolio's pins (families 0..2), per entry id. */
export const PORTFOLIO_PINS: Readonly<Record<string, FamilyPins>> = {
  B1: [{ schedules: 435, seed: 434 }, { schedules: 590, seed: 1000589 },
    { schedules: 1, seed: 2000000 }],
  B3: [{ schedules: 72, seed: 71 }, { schedules: 1, seed: 1000000 },
    { schedules: 26, seed: 2000025 }],
  B4: [{ schedules: 4, seed: 3 }, { schedules: 4, seed: 1000003 },
    { schedules: 36, seed: 2000035 }],
  B5: [{ schedules: 7, seed: 6 }, { schedules: 63, seed: 1000062 },
    { schedules: 21, seed: 2000020 }],
  'B5-t0': [{ schedules: 30, seed: 29 }, { schedules: 10, seed: 1000009 },
    { schedules: 3, seed: 2000002 }],
  B6: [{ schedules: 5, seed: 4 }, { schedules: 3, seed: 1000002 }, { schedules: 1, seed: 2000000 }],
  B7: [{ schedules: 14, seed: 13 }, { schedules: 13, seed: 1000012 },
    { schedules: 11, seed: 2000010 }],
  B8b: [{ schedules: 78, seed: 77 }, { schedules: 7, seed: 1000006 },
    { schedules: 6, seed: 2000005 }],
  WF1: [{ schedules: 31, seed: 30 }, { schedules: 3, seed: 1000002 },
    { schedules: 122, seed: 2000121 }],
  B11: [{ schedules: 63, seed: 62 }, { schedules: 103, seed: 1000102 },
    { schedules: 1333, seed: 2001332 }],
  B20: [{ schedules: 13, seed: 12 }, { schedules: 65, seed: 1000064 },
    { schedules: 24, seed: 2000023 }],
  // Under lkmm only uniform random finds PW1: the lkmm table gives it five slots of eight.
  PW1: [{ schedules: 511, seed: 510 }, { schedules: 661, seed: 1000660 },
    { schedules: 2587, seed: 2002586 }],
  RW1: [{ schedules: 97, seed: 96 }, { schedules: 83, seed: 1000082 },
    { schedules: 77, seed: 2000076 }],
};

/** The worst pinned family of a strategy (the schedules the bug needed). */
export function worst(p: FamilyPins): number {
  return Math.max(...p.map((x) => x?.schedules ?? Infinity));
}
