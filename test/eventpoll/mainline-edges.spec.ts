/**
 * mainline-6.18's small behaviours that no property sweep pins down, each on a fixed
 * scenario: the rb-tree's (file, fd) order, the safewake of ep_insert()/ep_modify() (only
 * when the set is polled, always then), ep_poll()'s deadline and exclusiveWake()'s key
 * table. Found by mutation testing (docs/mutation.md, mainline group).
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { exclusiveWake } from '../../src/eventpoll/mainline/callback.ts';
import { defineVariant, getVariant } from '../../src/eventpoll/variant.ts';
import '../../src/eventpoll/variants.ts';
import {
  EPOLLEXCLUSIVE, EPOLLIN, EPOLLOUT, POLLFREE,
} from '../../src/eventpoll/uapi.ts';
import { kfree_rcu } from '../../src/locks/rcu.ts';
import { listOwners } from '../../src/queues/list.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import type { Ctx } from '../../src/sim/context.ts';
import type { Model } from '../../src/sim/op.ts';

const base = getVariant('mainline-6.18').ops;

/** The (file, fd) of every item of the set, in rb-tree order, after each ADD. */
const orders: [number, number][][] = [];
function* ep_insert_recorded(c: Ctx, ep: number, events: number, data: number, tfile: number,
  fd: number, full: boolean): Model<number> {
  const r = yield* base.ep_insert(c, ep, events, data, tfile, fd, full);
  orders.push(listOwners(c.m, c.m.arena.objs[ep]!.rbr as number).map((epi) => {
    const o = c.m.arena.objs[epi]!;
    return [o.ffd_file as number, o.ffd_fd as number];
  }));
  return r;
}
defineVariant({ name: 'test-rbr-order', base: 'mainline-6.18',
  ops: { ep_insert: ep_insert_recorded } });
// ep_free() that forgets ep->ws (wakeup_source_unregister): a leak for P3.
defineVariant({ name: 'test-ep-free-keeps-ws', base: 'mainline-6.18',
  ops: { ep_free: (c: Ctx, ep: number) => kfree_rcu(c, ep, 'ep_free') } });

const add = (fd: string, events: string[] = ['IN']) =>
  ({ op: 'epoll_ctl', ctl: 'ADD', set: 'ep', fd, events, expect: 0 }) as const;

describe('ep_rbtree_insert(): items in (file, fd) order, as the rb-tree walks them', () => {
  it('whatever the ADD order, and a dup\'d fd sorts by its file first', () => {
    const sc: Scenario = {
      name: 'rbr-order', description: 'four ADDs out of order, one of a dup\'d fd', cpus: 1,
      files: [{ name: 'a', type: 'eventfd' }, { name: 'b', type: 'eventfd' },
        { name: 'c', type: 'eventfd' }],
      sets: [{ name: 'ep' }],
      tasks: [{ name: 'T1', cpu: 0, program: [{ op: 'dup', fd: 'a', as: 'a2' },
        add('c'), add('a2'), add('b'), add('a')] }],
    };
    orders.length = 0;
    const r = simulate({ variant: 'test-rbr-order', scenario: sc, seed: 0 });
    expect(r.violations).toEqual([]);
    const last = orders.at(-1)!;
    expect(last).toHaveLength(4);
    const sorted = [...last].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    expect(last).toEqual(sorted);
    // Every ADD kept the order, not only the last.
    for (const o of orders) expect(o).toEqual([...o].sort((x, y) => x[0] - y[0] || x[1] - y[1]));
    // The case that tells file order from fd order: a2 (file a) has a larger fd than b.
    const [a, a2, b] = last;
    expect(a![0]).toBe(a2![0]);
    expect(a2![1]).toBeGreaterThan(b![1]);
    // The same file's fds in the other order of ADDs: a, then a2.
    orders.length = 0;
    const r2 = simulate({ variant: 'test-rbr-order', seed: 0, scenario: { ...sc,
      tasks: [{ name: 'T1', cpu: 0, program: [{ op: 'dup', fd: 'a', as: 'a2' }, add('a'),
        add('a2')] }] } });
    expect(r2.violations).toEqual([]);
    expect(orders.at(-1)).toEqual([a, a2]);
  });
});

describe('ep_insert() / ep_modify(): ep_poll_safewake() only for a set that is polled', () => {
  const calls = (r: ReturnType<typeof simulate>) =>
    r.trace!.filter((e) => e.fn === 'ep_poll_safewake').length;

  it('ADDs and MODs, ready or not, nobody polling the set: no safewake', () => {
    const sc: Scenario = {
      name: 'no-poller', description: 'ADD of a ready fd, harvest, MOD re-arms it', cpus: 1,
      files: [{ name: 'e', type: 'eventfd', init: 1 }, { name: 'idle', type: 'eventfd' }],
      sets: [{ name: 'ep' }],
      tasks: [{ name: 'T1', cpu: 0, program: [add('idle'),
        { op: 'epoll_ctl', ctl: 'MOD', set: 'ep', fd: 'idle', events: ['IN'], expect: 0 },
        add('e', ['IN', 'ONESHOT']),
        { op: 'epoll_wait', set: 'ep', maxevents: 1, timeout: 0, expect: 1 },
        { op: 'epoll_ctl', ctl: 'MOD', set: 'ep', fd: 'e', events: ['IN'], expect: 0 },
        { op: 'epoll_wait', set: 'ep', maxevents: 1, timeout: 0, expect: 1 }] }],
    };
    const r = simulate({ variant: 'mainline-6.18', scenario: sc, seed: 0, trace: true });
    expect(r.violations).toEqual([]);
    expect(calls(r)).toBe(0);
  });

  /** T1 polls the set; T2 makes an item ready by `ctl` after a sleep. */
  function pollerVs(ctl: 'ADD' | 'MOD'): Scenario {
    // MOD: a ready ONESHOT item from the setup, which T1 harvests (spent) before it polls.
    const t1 = ctl === 'ADD' ? [{ op: 'sleep', ms: 1 } as const]
      : [{ op: 'epoll_wait', set: 'ep', maxevents: 1, timeout: 0, expect: 1 } as const];
    const last = ctl === 'ADD' ? add('e')
      : { op: 'epoll_ctl', ctl: 'MOD', set: 'ep', fd: 'e', events: ['IN'], expect: 0 } as const;
    return {
      name: `poller-vs-${ctl}`, description: `poll(2) of the set, then an ${ctl}`, cpus: 2,
      files: [{ name: 'e', type: 'eventfd', init: 1 }],
      sets: [{ name: 'ep' }],
      watches: ctl === 'ADD' ? [] : [{ set: 'ep', fd: 'e', events: ['IN', 'ONESHOT'] }],
      tasks: [
        { name: 'T1', cpu: 0, program: [...t1,
          { op: 'poll', fd: 'ep', events: ['IN'], timeout: -1, expect: 1 }] },
        { name: 'T2', cpu: 1, program: [{ op: 'sleep', ms: 2 }, last] },
      ],
    };
  }

  for (const ctl of ['ADD', 'MOD'] as const) {
    it(`a poll(2) of the set sleeping while an ${ctl} makes an item ready is woken`, () => {
      let slept = 0;
      for (let seed = 0; seed < 20; seed++) {
        const r = simulate({ variant: 'mainline-6.18', scenario: pollerVs(ctl), seed,
          trace: true });
        expect(r.violations).toEqual([]);
        expect(r.results.find((x) => x.op === 'poll')?.ret).toBe(1);
        // T2's ctl is the only safewake: T1 was asleep on poll_wait when it came.
        if (r.trace!.some((e) => e.fn === 'ep_poll_safewake' && e.who === 'T2')) slept++;
      }
      expect(slept).toBeGreaterThan(0);
    });
  }
});

describe('ep_modify(): EPOLLWAKEUP gives the item a wakeup source once', () => {
  const creates = (mods: number) => {
    const mod = { op: 'epoll_ctl', ctl: 'MOD', set: 'ep', fd: 'e', events: ['IN', 'WAKEUP'],
      expect: 0 } as const;
    const r = simulate({ variant: 'mainline-6.18', seed: 0, trace: true, scenario: {
      name: 'mod-wakeup', description: 'MODs that ask for EPOLLWAKEUP', cpus: 1,
      files: [{ name: 'e', type: 'eventfd' }], sets: [{ name: 'ep' }],
      tasks: [{ name: 'T1', cpu: 0, program: [add('e'), ...Array(mods).fill(mod)] }],
    } });
    expect(r.violations).toEqual([]);
    // Each ep_create_wakeup_source() reads ep->ws once.
    return r.trace!.filter((e) => e.fn === 'ep_create_wakeup_source' && e.op === 'load')
      .length;
  };
  it('the first MOD with EPOLLWAKEUP creates it, a second one does not', () => {
    expect(creates(1)).toBe(1);
    expect(creates(2)).toBe(1);
  });
});

describe('ep_poll(): the timeout is counted from the call', () => {
  it('epoll_wait(10 ms) called at 5 ms on an idle set returns 0 at 15 ms', () => {
    const sc: Scenario = {
      name: 'late-timeout', description: 'a timed wait that starts late', cpus: 1,
      files: [{ name: 'e', type: 'eventfd' }],
      sets: [{ name: 'ep' }],
      watches: [{ set: 'ep', fd: 'e', events: ['IN'] }],
      tasks: [{ name: 'T1', cpu: 0, program: [{ op: 'sleep', ms: 5 },
        { op: 'epoll_wait', set: 'ep', maxevents: 1, timeout: 10, expect: 0 }] }],
    };
    const r = simulate({ variant: 'mainline-6.18', scenario: sc, seed: 0 });
    expect(r.violations).toEqual([]);
    expect(r.time).toBeGreaterThanOrEqual(15_000_000);
    expect(r.time).toBeLessThan(20_000_000);
  });
});

describe('exclusiveWake(): what ep_poll_callback returns for an EPOLLEXCLUSIVE item', () => {
  it('1 only for a key that matches the item\'s IN/OUT interest, or no key', () => {
    const X = EPOLLEXCLUSIVE;
    expect(exclusiveWake(X | EPOLLIN, EPOLLIN)).toBe(1);
    expect(exclusiveWake(X | EPOLLOUT, EPOLLIN)).toBe(0);
    expect(exclusiveWake(X | EPOLLOUT, EPOLLOUT)).toBe(1);
    expect(exclusiveWake(X | EPOLLIN, EPOLLOUT)).toBe(0);
    expect(exclusiveWake(X | EPOLLIN, 0)).toBe(1);
    expect(exclusiveWake(X | EPOLLIN | EPOLLOUT, EPOLLIN | EPOLLOUT)).toBe(0);
    expect(exclusiveWake(X | EPOLLIN, EPOLLIN | POLLFREE)).toBe(0);
    // Not exclusive: 0 (the callback returns 1 for it itself).
    expect(exclusiveWake(EPOLLIN, EPOLLIN)).toBe(0);
    expect(exclusiveWake(EPOLLIN, 0)).toBe(0);
  });
});

describe('reverse_path_check(): path_limits[] per depth', () => {
  it('an 11th wakeup path of depth 4 is refused (EINVAL), though a set walked later has room',
    () => {
      // f <- s1 <- s2 <- s3 <- {s4, s4b}; t1..t11 watch s4: each top adds a path of depth 4
      // (limit 10). s4b, walked after s4 under s3, must not hide s4's error.
      const tops = Array.from({ length: 11 }, (_, i) => `t${i + 1}`);
      const addTo = (set: string, fd: string, expect = 0) =>
        ({ op: 'epoll_ctl', ctl: 'ADD', set, fd, events: ['IN'], expect }) as const;
      const sc: Scenario = {
        name: 'path-limits', description: 'eleven paths of depth 4 to one eventfd', cpus: 1,
        files: [{ name: 'f', type: 'eventfd' }],
        sets: ['s1', 's2', 's3', 's4', 's4b', ...tops].map((name) => ({ name })),
        tasks: [{ name: 'T1', cpu: 0, program: [addTo('s1', 'f'), addTo('s2', 's1'),
          addTo('s3', 's2'), addTo('s4', 's3'), addTo('s4b', 's3'),
          ...tops.map((t, i) => addTo(t, 's4', i === 10 ? -22 : 0))] }],
      };
      const r = simulate({ variant: 'mainline-6.18', scenario: sc, seed: 0 });
      expect(r.violations).toEqual([]);
      expect(r.results.map((x) => x.ret).at(-1)).toBe('EINVAL');
      expect(r.results.filter((x) => x.ret === 'EINVAL')).toHaveLength(1);
    });
});

describe('P3 leaks: EPOLLWAKEUP sources go with their item and their set', () => {
  const sc: Scenario = {
    name: 'ws-lifetime', description: 'a harvested EPOLLWAKEUP item, then both files closed',
    cpus: 1,
    files: [{ name: 'e', type: 'eventfd', init: 1 }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN', 'WAKEUP'] }],
    tasks: [{ name: 'T1', cpu: 0, program: [
      { op: 'epoll_wait', set: 'ep', maxevents: 1, timeout: 0, expect: 1 },
      { op: 'close', fd: 'e', expect: 0 }, { op: 'close', fd: 'ep', expect: 0 }] }],
  };
  it('mainline-6.18 frees both (__ep_remove the item\'s, ep_free the set\'s): clean', () => {
    expect(simulate({ variant: 'mainline-6.18', scenario: sc, seed: 0 }).violations).toEqual([]);
  });
  it('canary: an ep_free() that keeps ep->ws leaves a wakeup_source (P3 leak)', () => {
    const v = simulate({ variant: 'test-ep-free-keeps-ws', scenario: sc, seed: 0 }).violations;
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ property: 'P3-memory-safety', kind: 'leak' });
    expect(v[0]!.message).toMatch(/^every file is closed but 1 wakeup_source object\(s\) remain: /);
  });
});
