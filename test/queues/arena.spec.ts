/**
 * The arena on its own: sentinel names, what may be dereferenced, the messages of a bad
 * access and a bad kfree, embedding (a parent's kfree poisons its members, members of
 * members too, once), copies and the live objects of a kind.
 */
import { describe, expect, it } from 'vitest';
import {
  Arena, EP_UNACTIVE_PTR, forgetCopyPlan, LIST_POISON1, LIST_POISON2, NULL, sentinelName,
} from '../../src/queues/arena.ts';

const site = (fn: string) => ({ step: 7, ctx: 2, fn });

describe('queues: arena', () => {
  it('names the sentinels and negative pointers, and nothing else', () => {
    expect(sentinelName(NULL)).toBe('NULL');
    expect(sentinelName(EP_UNACTIVE_PTR)).toBe('EP_UNACTIVE_PTR');
    expect(sentinelName(LIST_POISON1)).toBe('LIST_POISON1');
    expect(sentinelName(LIST_POISON2)).toBe('LIST_POISON2');
    expect(sentinelName(-5)).toBe('bad pointer -5');
    expect(sentinelName(1)).toBeUndefined();
    const a = new Arena();
    expect(a.label(NULL)).toBe('NULL');
    expect(a.label(EP_UNACTIVE_PTR)).toBe('EP_UNACTIVE_PTR');
  });

  it('labels: given, kind#handle by default, ?h past the end', () => {
    const a = new Arena();
    const x = a.alloc('epitem', { n: 0 }, 'epi:x');
    const y = a.alloc('eventpoll', { n: 0 });
    expect([x, y]).toEqual([1, 2]);
    expect(a.label(x)).toBe('epi:x');
    expect(a.label(y)).toBe('eventpoll#2');
    expect(a.label(3)).toBe('?3');
    expect(a.objs[x]!.kind).toBe('epitem');
  });

  it('isLive and badAccess: live handles only, and why not', () => {
    const a = new Arena();
    const x = a.alloc('obj', {}, 'x');
    expect(a.isLive(x)).toBe(true);
    expect(a.isLive(NULL)).toBe(false);
    expect(a.isLive(2)).toBe(false);
    expect(a.isLive(-1)).toBe(false);
    expect(a.badAccess(x)).toBeUndefined();
    expect(a.badAccess(NULL)).toBe('dereference of NULL');
    expect(a.badAccess(LIST_POISON1)).toBe('dereference of LIST_POISON1');
    expect(a.badAccess(2)).toBe('dereference of wild pointer 2');
    expect(a.badAccess(1000)).toBe('dereference of wild pointer 1000');
    expect(a.free(x, site('kfree_test'))).toBeUndefined();
    expect(a.isLive(x)).toBe(false);
    expect(a.badAccess(x)).toBe('use-after-free of x (freed at step 7 by ctx 2 in kfree_test)');
  });

  it('kfree: a double free, a wild or a sentinel pointer are errors, each named', () => {
    const a = new Arena();
    const x = a.alloc('obj', {}, 'x');
    a.free(x, site('f'));
    expect(a.free(x, site('g'))).toBe('double free of x');
    expect(a.free(5, site('g'))).toBe('kfree: dereference of wild pointer 5');
    expect(a.free(NULL, site('g'))).toBe('kfree: dereference of NULL');
    // The first free's site is kept.
    expect(a.freeSites.get(x)!.fn).toBe('f');
  });

  it('embed: a parent kfree poisons its members and theirs, naming the parent', () => {
    const a = new Arena();
    const ep = a.alloc('eventpoll', {}, 'ep');
    const wq = a.alloc('wait_queue_head', {}, 'ep.wq');
    const lock = a.alloc('spinlock', {}, 'ep.wq.lock');
    const other = a.alloc('obj', {}, 'other');
    a.embed(wq, ep);
    a.embed(lock, wq);
    a.embed(lock, other); // a member keeps its first parent
    expect(a.parentOf(wq)).toBe(ep);
    expect(a.parentOf(lock)).toBe(wq);
    expect(a.parentOf(ep)).toBe(0);
    a.free(ep, site('ep_free'));
    expect([a.isLive(wq), a.isLive(lock), a.isLive(other)]).toEqual([false, false, true]);
    expect(a.badAccess(lock)).toMatch(/in ep_free, with ep, with ep\.wq\)$/);
    // The model's own later kfree of a member freed with its parent is not a double free.
    expect(a.free(lock, site('later'))).toBeUndefined();
    expect(a.free(ep, site('again'))).toBe('double free of ep');
  });

  it('embed ignores NULL, itself and sentinels; a member freed first stays as it was', () => {
    const a = new Arena();
    const p = a.alloc('obj', {}, 'p');
    const m1 = a.alloc('obj', {}, 'm1');
    const m2 = a.alloc('obj', {}, 'm2');
    a.embed(p, p);
    a.embed(NULL, p);
    a.embed(m1, NULL);
    a.embed(m1, -3);
    expect(a.parentOf(p)).toBe(0);
    expect(a.parentOf(m1)).toBe(0);
    a.embed(m1, p);
    a.embed(m2, p);
    a.free(m1, site('own'));
    a.free(p, site('parent'));
    expect(a.freeSites.get(m1)!.fn).toBe('own');
    expect(a.freeSites.get(m2)!.fn).toBe('parent, with p');
    // m1 was freed on its own: freeing it again is a double free.
    expect(a.free(m1, site('x'))).toBe('double free of m1');
  });

  it('copyFrom copies objects, poison, free sites, labels and embedding, not aliases', () => {
    const a = new Arena();
    const p = a.alloc('obj', { v: 1 }, 'p');
    const m = a.alloc('obj', { v: 2 });
    const q = a.alloc('obj', { v: 3 }, 'q');
    a.embed(m, p);
    a.free(q, site('f'));
    const b = new Arena();
    b.copyFrom(a);
    expect(b.objs.map((o) => ({ ...o }))).toEqual(a.objs.map((o) => ({ ...o })));
    expect([b.label(p), b.label(m), b.isLive(q), b.parentOf(m)]).toEqual(['p', 'obj#2', false, p]);
    expect(b.freeSites.get(q)).toEqual(site('f'));
    b.objs[p]!.v = 9;
    expect(a.objs[p]!.v).toBe(1);
    b.free(p, site('g'));
    expect([b.isLive(m), a.isLive(m), a.isLive(p)]).toEqual([false, true, true]);
    expect(() => b.copyFrom(a)).toThrow(/not empty/);
  });

  it('live(kind): live objects of that kind, in allocation order', () => {
    const a = new Arena();
    const x = a.alloc('epitem', {});
    a.alloc('eventpoll', {});
    const y = a.alloc('epitem', {});
    const z = a.alloc('epitem', {});
    a.free(y, site('f'));
    expect(a.live('epitem')).toEqual([x, z]);
    expect(a.live('file')).toEqual([]);
  });

  it('slot 0 is the NULL placeholder: freed, of kind NULL, never live', () => {
    const a = new Arena();
    expect(a.objs).toEqual([{ kind: 'NULL' }]);
    expect(a.freed).toEqual([1]);
    expect(a.live('NULL')).toEqual([]);
  });

  it('embed: NULL is never a member; every member of a parent is poisoned by its kfree', () => {
    const a = new Arena();
    const ep = a.alloc('eventpoll', {}, 'ep');
    const mtx = a.alloc('mutex', {}, 'ep.mtx');
    const lock = a.alloc('spinlock', {}, 'ep.lock');
    const rdl = a.alloc('list_head', {}, 'ep.rdllist');
    a.embed(NULL, ep);
    expect(a.parentOf(NULL)).toBe(0);
    for (const x of [mtx, lock, rdl]) a.embed(x, ep);
    expect([mtx, lock, rdl].map((x) => a.parentOf(x))).toEqual([ep, ep, ep]);
    a.free(ep, site('ep_free'));
    expect([mtx, lock, rdl].map((x) => a.isLive(x))).toEqual([false, false, false]);
    expect([mtx, lock, rdl].map((x) => a.freeSites.get(x)!.fn))
      .toEqual(['ep_free, with ep', 'ep_free, with ep', 'ep_free, with ep']);
  });

  it('reparent: the member leaves its old parent (the others stay) and dies with the new', () => {
    const a = new Arena();
    const file = a.alloc('file', {}, 'file');
    const ep = a.alloc('eventpoll', {}, 'ep');
    const fEp = a.alloc('hlist_head', {}, 'f_ep');
    const fLock = a.alloc('spinlock', {}, 'f_lock');
    a.embed(fEp, file);
    a.embed(fLock, file);
    a.reparent(fEp, ep);
    expect([a.parentOf(fEp), a.parentOf(fLock)]).toEqual([ep, file]);
    a.free(file, site('__fput'));
    expect([a.isLive(fEp), a.isLive(fLock)]).toEqual([true, false]);
    a.free(ep, site('ep_free'));
    expect(a.isLive(fEp)).toBe(false);
    expect(a.freeSites.get(fEp)!.fn).toBe('ep_free, with ep');
    // A member with no parent yet is simply embedded.
    const other = a.alloc('obj', {}, 'o');
    const x = a.alloc('obj', {}, 'x');
    a.reparent(x, other);
    expect(a.parentOf(x)).toBe(other);
  });

  /** A template: p embeds m, q freed, objects of two shapes, one label missing. */
  function template(): { a: Arena; p: number; m: number; q: number; r: number } {
    const a = new Arena();
    const p = a.alloc('obj', { v: 1, w: 'x' }, 'p');
    const m = a.alloc('obj', { v: 2, w: 'y' });
    const q = a.alloc('lock', { owner: 0 }, 'q');
    const r = a.alloc('obj', { v: 4, w: 'z' }, 'r');
    a.embed(m, p);
    a.embed(r, q);
    a.free(q, site('f'));
    return { a, p, m, q, r };
  }

  it('copyFromFast: the same copy as copyFrom, sharing nothing with the template', () => {
    const { a, p, m, q, r } = template();
    const slow = new Arena();
    slow.copyFrom(a);
    const b = new Arena();
    b.copyFromFast(a);
    expect(b.objs).toEqual(slow.objs);
    expect(b.objs.length).toBe(5);
    expect(b.freed).toEqual([1, 0, 0, 1, 1]);
    expect([p, m, q, r].map((h) => b.label(h))).toEqual(['p', 'obj#2', 'q', 'r']);
    expect([b.parentOf(m), b.parentOf(r)]).toEqual([p, q]);
    expect(b.freeSites.get(q)).toEqual(site('f'));
    expect(b.freeSites.get(r)).toEqual(site('f, with q'));
    // r was freed with its parent: the model's own later kfree of it is no double free.
    expect(b.free(r, site('later'))).toBeUndefined();
    // Nothing is shared: objects, poison, labels, parents, free sites, member lists.
    b.objs[p]!.v = 9;
    b.freeSites.get(q)!.fn = 'changed';
    const extra = b.alloc('obj', { v: 5, w: 'e' }, 'extra');
    b.embed(extra, p);
    b.free(p, site('g'));
    expect(a.objs[p]!.v).toBe(1);
    expect(a.freeSites.get(q)!.fn).toBe('f');
    expect([a.isLive(p), a.isLive(m), b.isLive(m), b.isLive(extra)]).toEqual([true, true, false,
      false]);
    expect([a.objs.length, a.freed.length, a.label(5), a.parentOf(5)]).toEqual([5, 5, '?5', 0]);
    expect(a.free(r, site('x'))).toBeUndefined();
    // The template's own later allocations keep their labels.
    const late = a.alloc('obj', { v: 8, w: 'l' }, 'late');
    expect([a.label(late), b.label(late)]).toEqual(['late', 'extra']);
    expect(() => b.copyFromFast(a)).toThrow(/not empty/);
  });

  it('copyFromFast: a grown template is copied whole; a reshaped one after forgetCopyPlan', () => {
    const { a, p } = template();
    const first = new Arena();
    first.copyFromFast(a);
    const s = a.alloc('obj', { v: 6, w: 'new' }, 's');
    const grown = new Arena();
    grown.copyFromFast(a);
    expect(grown.objs[s]).toEqual({ v: 6, w: 'new', kind: 'obj' });
    // setup() on the template again can add a field to an existing object.
    a.objs[p]!.extra = 7;
    forgetCopyPlan(a);
    const reshaped = new Arena();
    reshaped.copyFromFast(a);
    expect(reshaped.objs[p]).toEqual({ v: 1, w: 'x', kind: 'obj', extra: 7 });
    expect(reshaped.objs).toEqual(a.objs);
  });
});

