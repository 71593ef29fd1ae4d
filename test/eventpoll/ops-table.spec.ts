/**
 * The variant's function table: every fs/eventpoll.c function the model has is called
 * through `kernel(c).ops`, so replacing one op in defineVariant() reaches every caller.
 * For each built-in variant and each op of its table, a variant whose only change is a
 * counting wrapper around that op (delegating to the base) must see the wrapper called by
 * the library scenarios: a direct call that bypasses the table leaves the count at 0.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../src/api/fuzz.ts';
import { simulate } from '../../src/api/simulate.ts';
import { ep_done_scan, ep_send_events } from '../../src/eventpoll/mainline/scan.ts';
import {
  defineVariant, getVariant, OPTIONAL_OPS, type EpOps, type Variant,
} from '../../src/eventpoll/variant.ts';
import '../../src/eventpoll/variants.ts';
import { spin_lock_irq, spin_unlock_irq } from '../../src/locks/spinlock.ts';
import { EP_UNACTIVE_PTR, NULL } from '../../src/queues/arena.ts';
import { list_splice } from '../../src/queues/list.ts';
import { scenarioNames } from '../../src/scenario/library.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import type { Ctx } from '../../src/sim/context.ts';
import { load, READ_ONCE, store, WRITE_ONCE } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';

const BUILT_IN = ['mainline-6.18', 'classic-4.19', 'rwlock-5.1', 'wfcqueue-rfc-v3',
  'wfcqueue-rfc-v3-fixed', 'singlepass-2.6.22', 'exclusive-4.5', 'roundrobin-rfc'];

/** Ops only a bug switch reaches (ep_poll's entry without autoremove under B6). */
const BUGS: Record<string, Record<string, string[]>> = {
  'mainline-6.18': { default_wake_function: ['B6'] },
  'rwlock-5.1': { default_wake_function: ['B6'] },
};

/** Scenarios for paths the library does not take: closing a set, DEL, nested polls. */
const EXTRA: Scenario[] = [
  { name: 'ops-close-set', cpus: 2,
    files: [{ name: 'e', type: 'eventfd', init: 1 }, { name: 'f', type: 'eventfd' }],
    sets: [{ name: 'ep' }, { name: 'outer' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN', 'WAKEUP'] },
      { set: 'ep', fd: 'f', events: ['IN'] }, { set: 'outer', fd: 'ep', events: ['IN'] }],
    tasks: [{ name: 'T0', cpu: 0, program: [
      { op: 'poll', fd: 'outer', events: ['IN'] },
      { op: 'epoll_wait', set: 'outer', maxevents: 1, timeout: 0 },
      { op: 'epoll_ctl', ctl: 'MOD', set: 'ep', fd: 'f', events: ['IN', 'ET'] },
      { op: 'epoll_ctl', ctl: 'MOD', set: 'ep', fd: 'e', events: ['IN'] },
      { op: 'epoll_ctl', ctl: 'DEL', set: 'ep', fd: 'e' },
      { op: 'close', fd: 'outer' }, { op: 'close', fd: 'ep' }, { op: 'close', fd: 'f' }] },
    { name: 'P', cpu: 1, program: [{ op: 'write', fd: 'f', n: 1 }] }] },
];

/** Runs scenarios until `count()` is positive; returns the count. */
function reach(v: Variant, bugs: string[], count: () => number): number {
  const scenarios: (Scenario | string)[] = [...EXTRA, ...scenarioNames()];
  for (const seed of [0, 1, 2, 3]) {
    for (const sc of scenarios) {
      simulate({ variant: v, bugs, scenario: sc, seed, memory: seed >= 2 ? 'tso' : 'sc' });
      if (count() > 0) return count();
    }
  }
  return count();
}

/** A variant whose `op` is a wrapper that counts its calls and delegates to the base. */
function counting(base: Variant, op: keyof EpOps): { v: Variant; count: () => number } {
  const orig = base.ops[op] as (...a: unknown[]) => unknown;
  let n = 0;
  const wrapper = (...args: unknown[]): unknown => {
    n++;
    return orig(...args);
  };
  const v = defineVariant({ name: `test-count:${base.name}:${op}`, base,
    ops: { [op]: wrapper } as Partial<EpOps> });
  return { v, count: () => n };
}

describe('eventpoll: the function table (every op of every built-in variant, seeds 0..3)', () => {
  for (const name of BUILT_IN) {
    it(`${name}: every op is called through the table`, () => {
      const base = getVariant(name);
      const ops = Object.keys(base.ops) as (keyof EpOps)[];
      expect(ops.length).toBeGreaterThan(25);
      const missed: string[] = [];
      for (const op of ops) {
        const { v, count } = counting(base, op);
        if (reach(v, BUGS[name]?.[op] ?? [], count) === 0) missed.push(op);
      }
      expect(missed).toEqual([]);
    });
  }

  it('a wrapper is not called when its variant does not run (the count is per variant)', () => {
    const { count } = counting(getVariant('mainline-6.18'), 'ep_done_scan');
    simulate({ variant: 'mainline-6.18', scenario: 'harvest-vs-irq', seed: 0 });
    expect(count()).toBe(0);
  });

  it('an op the era does not have is a SimUsageError naming it', () => {
    // classic-4.19 has ep_scan_ready_list, not mainline's ep_start_scan/ep_done_scan.
    expect(getVariant('classic-4.19').ops.ep_start_scan).toBeUndefined();
    expect(OPTIONAL_OPS).toContain('ep_start_scan');
    defineVariant({ name: 'test-classic-mainline-send', base: 'classic-4.19',
      ops: { ep_send_events } });
    expect(() => simulate({ variant: 'test-classic-mainline-send', scenario: 'lt-two-waiters',
      seed: 0 })).toThrow(/variant 'test-classic-mainline-send' has no ep_start_scan\(\)/);
  });
});

const ROOT = join(import.meta.dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/**
 * Direct calls of a table op that are meant: ep_autoremove_wake_function() calls the
 * scheduler's default_wake_function() as the kernel does (the table's one is ep_poll's own
 * entry's); the 2.6.22 single-pass ep_send_events(txlist) is the body of that era's table
 * entry ep_events_transfer().
 */
const MEANT = ['src/eventpoll/mainline/wait.ts: default_wake_function',
  'src/eventpoll/singlepass-2.6.22/send.ts: ep_send_events'];

describe('eventpoll: no direct calls of table ops in the model (static)', () => {
  it('every call of an op name with a context goes through kernel(c).ops', () => {
    const names = new Set<string>(OPTIONAL_OPS);
    for (const v of BUILT_IN) for (const k of Object.keys(getVariant(v).ops)) names.add(k);
    const hits: string[] = [];
    for (const f of tsFiles(join(ROOT, 'src', 'eventpoll'))) {
      const path = relative(ROOT, f);
      if (path === 'src/eventpoll/variant.ts') continue;
      const text = readFileSync(f, 'utf8').replace(/^\s*(\/\/|\*|\/\*\*).*$/gm, '');
      for (const m of text.matchAll(/(?<![.\w])([a-z_]+)\(c\b/g)) {
        if (!names.has(m[1]!)) continue;
        const line = text.slice(text.lastIndexOf('\n', m.index) + 1, text.indexOf('\n', m.index));
        // A declaration (function or method), not a call.
        if (/function\*?\s+\w+\(c\b/.test(line) || /^\s*\*?\w+\(c\b[^)]*\)\s*\{/.test(line)) {
          continue;
        }
        hits.push(`${path}: ${m[1]!}`);
      }
    }
    expect(hits.filter((h) => !MEANT.includes(h))).toEqual([]);
    expect(MEANT.every((h) => hits.includes(h))).toBe(true);
  });
});

/**
 * ep_done_scan() with the bug the issue names: the items callbacks chained on ovflist during
 * the scan are unchained but never put back on rdllist, so their events are lost.
 */
function* ep_done_scan_drops_ovflist(c: Ctx, ep: number, txlist: number): Model<void> {
  const FN = 'ep_done_scan';
  const o = c.m.arena.objs[ep]!;
  yield* spin_lock_irq(c, o.lock as number);
  let nepi: number = yield READ_ONCE(ep, 'ovflist', FN);
  while (nepi !== NULL) {
    const epi = nepi;
    nepi = yield load(epi, 'next', FN);
    yield store(epi, 'next', EP_UNACTIVE_PTR, FN);
    // BUG: no list_add(&epi->rdllink, &ep->rdllist) for an unlinked item.
  }
  yield WRITE_ONCE(ep, 'ovflist', EP_UNACTIVE_PTR, FN);
  yield* list_splice(c, txlist, o.rdllist as number);
  yield* spin_unlock_irq(c, o.lock as number);
}

describe('eventpoll: ep_done_scan replaced alone (mainline-6.18, seeds 0..299)', () => {
  it('a version that drops the ovflist items is found by the checkers', () => {
    let calls = 0;
    defineVariant({ name: 'test-done-scan-drops-ovflist', base: 'mainline-6.18',
      ops: { ep_done_scan: (c, ep, txlist) => {
        calls++;
        return ep_done_scan_drops_ovflist(c, ep, txlist);
      } } });
    const s = fuzz({ variant: 'test-done-scan-drops-ovflist', schedules: 300,
      scenarios: ['harvest-vs-irq', 'et-two-waiters', 'lt-two-waiters', 'nested-sets'] });
    expect(calls).toBeGreaterThan(0);
    expect(s.violations).toBeGreaterThan(0);
    const props = s.scenarios.flatMap((x) => x.failure ? [x.failure.violation.property] : []);
    expect(props).toContain('P1-lost-wakeup');
  });

  it('the same scenarios and seeds are clean with mainline\'s own ep_done_scan', () => {
    defineVariant({ name: 'test-done-scan-same', base: 'mainline-6.18',
      ops: { ep_done_scan } });
    const s = fuzz({ variant: 'test-done-scan-same', schedules: 300,
      scenarios: ['harvest-vs-irq', 'et-two-waiters', 'lt-two-waiters', 'nested-sets'] });
    expect(s.violations).toBe(0);
  });
});
