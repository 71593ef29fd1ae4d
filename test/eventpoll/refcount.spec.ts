/**
 * The set's reference count as 6.18 checks it (issue 10, audit of frees and references):
 * ep->refcount is a refcount_t, so an increment from 0 and a drop below 0 are refcount_t's
 * own warnings ("addition on 0", "underflow"; both say use-after-free); the last drop with
 * items still in the tree is ep_refcount_dec_and_test()'s WARN_ON_ONCE; and ep_remove_safe()
 * warns when an item held the set's last reference. Each canary below is a mutant with a
 * missing or an extra put, which the kernel would report at that call.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { mutex_lock, mutex_unlock } from '../../src/locks/mutex.ts';
import { kernel } from '../../src/eventpoll/kernel.ts';
import { defineVariant, getVariant } from '../../src/eventpoll/variant.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import type { Ctx } from '../../src/sim/context.ts';
import type { Model } from '../../src/sim/op.ts';
import '../../src/eventpoll/variants.ts';

const base = getVariant('mainline-6.18').ops;

/** ep_insert() without its ep_get(): the item's reference is never taken. */
function* ep_insert_no_get(c: Ctx, ep: number, events: number, data: number, tfile: number,
  fd: number, full: boolean): Model<number> {
  const r = yield* base.ep_insert(c, ep, events, data, tfile, fd, full);
  yield* kernel(c).ops.ep_refcount_dec_and_test(c, ep);
  return r;
}

/** ep_clear_and_put() that drops every reference but removes no item. */
function* ep_clear_and_put_leaky(c: Ctx, ep: number): Model<void> {
  const ops = kernel(c).ops;
  const mtx = c.m.arena.objs[ep]!.mtx as number;
  yield* mutex_lock(c, mtx);
  yield* mutex_unlock(c, mtx);
  while (!(yield* ops.ep_refcount_dec_and_test(c, ep))) { /* drop the next one */ }
  ops.ep_free(c, ep);
}

/** EPOLL_CTL_DEL that puts the set twice: the set's own reference goes with the item's. */
function* ep_remove_safe_double(c: Ctx, ep: number, epi: number): Model<void> {
  yield* base.ep_remove_safe(c, ep, epi);
  yield* kernel(c).ops.ep_refcount_dec_and_test(c, ep);
}

defineVariant({ name: 'test-del-double-put', base: 'mainline-6.18',
  ops: { ep_remove_safe: ep_remove_safe_double } });
defineVariant({ name: 'test-ep-insert-no-get', base: 'mainline-6.18',
  ops: { ep_insert: ep_insert_no_get } });
defineVariant({ name: 'test-clear-without-remove', base: 'mainline-6.18',
  ops: { ep_clear_and_put: ep_clear_and_put_leaky } });

/** One task's program on a set watching an eventfd. */
function oneTask(name: string, program: Scenario['tasks'][number]['program']): Scenario {
  return {
    name, description: `one task: ${name}`, cpus: 1,
    files: [{ name: 'e', type: 'eventfd', init: 0 }],
    sets: [{ name: 'ep' }],
    watches: [{ set: 'ep', fd: 'e', events: ['IN'] }],
    tasks: [{ name: 'T1', cpu: 0, program }],
  };
}

const DEL = { op: 'epoll_ctl', ctl: 'DEL', set: 'ep', fd: 'e', expect: 0 } as const;
const ADD = { op: 'epoll_ctl', ctl: 'ADD', set: 'ep', fd: 'e', events: ['IN'],
  expect: 0 } as const;
const CLOSE_EP = { op: 'close', fd: 'ep', expect: 0 } as const;
const DEL_ADD = oneTask('del-add', [DEL, ADD]);
const DEL_CLOSE = oneTask('del-close', [DEL, CLOSE_EP]);

/** Close the set while it still watches a file. */
const CLOSE_SET = oneTask('close-set', [CLOSE_EP]);

function kinds(variant: string, scenario: Scenario): string[] {
  const r = simulate({ variant, scenario, seed: 0 });
  return r.violations.map((v) => `${v.property}/${v.kind}: ${v.message}`);
}

describe('ep->refcount is checked as 6.18 checks it', () => {
  it('the model of 6.18 itself is clean on these scenarios', () => {
    for (const sc of [DEL_ADD, DEL_CLOSE, CLOSE_SET]) {
      expect(kinds('mainline-6.18', sc)).toEqual([]);
    }
  });

  it('a missing ep_get(): the item held the last reference, ep_remove_safe() warns', () => {
    expect(kinds('test-ep-insert-no-get', DEL_ADD)).toEqual(['assertion/warn-on: ' +
      'WARN_ON_ONCE in ep_remove_safe: an item held the last reference of ep']);
  });

  it('an extra put: the next ep_get() is an addition on 0, the next put an underflow', () => {
    expect(kinds('test-del-double-put', DEL_ADD)).toEqual(['P3-memory-safety/refcount: ' +
      'refcount_t: addition on 0; use-after-free (ep.refcount)']);
    expect(kinds('test-del-double-put', DEL_CLOSE)).toEqual(['P3-memory-safety/refcount: ' +
      'refcount_t: underflow; use-after-free (ep.refcount)']);
  });

  it('the last put with items in the tree is ep_refcount_dec_and_test()\'s warning', () => {
    expect(kinds('test-clear-without-remove', CLOSE_SET)).toEqual(['assertion/warn-on: ' +
      'WARN_ON_ONCE in ep_refcount_dec_and_test: ep loses its last reference with items ' +
      'in ep->rbr']);
  });
});
