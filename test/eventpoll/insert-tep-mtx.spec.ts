/**
 * ep_insert() of a set into a set (issue 10, audit of frees and references): 6.18 holds the
 * inner set's mutex (tep->mtx, subclass 1) while it attaches the new item to the inner
 * set's file and inserts it in the outer set's tree, so nothing that holds tep->mtx (a
 * harvest or a ctl on the inner set) sees the attach half done.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import '../../src/eventpoll/variants.ts';

const NESTED_ADD: Scenario = {
  name: 'nested-add',
  description: 'one task adds a set that watches an eventfd into another set',
  cpus: 1,
  files: [{ name: 'e', type: 'eventfd', init: 0 }],
  sets: [{ name: 'ep1' }, { name: 'ep2' }],
  watches: [{ set: 'ep2', fd: 'e', events: ['IN'] }],
  tasks: [{ name: 'T1', cpu: 0, program: [
    { op: 'epoll_ctl', ctl: 'ADD', set: 'ep1', fd: 'ep2', events: ['IN'], expect: 0 }] }],
};

describe('ep_insert of an epoll file holds tep->mtx around the attach', () => {
  it('the attach to ep2\'s file and the insert in ep1\'s tree run under ep2.mtx', () => {
    const r = simulate({ variant: 'mainline-6.18', scenario: NESTED_ADD, seed: 0,
      trace: true });
    expect(r.violations).toEqual([]);
    const t1 = (r.trace ?? []).filter((e) => e.who === 'T1');
    const attach = t1.findIndex((e) => e.op === 'spin_lock' && e.obj === 'ep2.f_lock');
    const insert = t1.findIndex((e) => e.fn === 'ep_rbtree_insert');
    expect(attach).toBeGreaterThan(0);
    expect(insert).toBeGreaterThan(attach);
    /** Whether ep2.mtx is held by T1 at trace index `at`. */
    const held = (at: number): boolean => {
      let h = false;
      for (const e of t1.slice(0, at)) {
        if (e.obj !== 'ep2.mtx') continue;
        if (e.fn === 'mutex_lock') h = true;
        if (e.fn === 'mutex_unlock') h = false;
      }
      return h;
    };
    expect(held(attach)).toBe(true);
    expect(held(insert)).toBe(true);
  });
});
