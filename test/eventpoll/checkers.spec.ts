/**
 * The checkers on states built by hand: every branch of P2's eventpoll check and of P1's
 * "deliverable" reaches a report on its own, and each guard that keeps them quiet (a lock
 * held, a run not quiescent, an item not ready or disarmed) is shown to matter. A checker
 * emptied or a branch or guard removed fails here, not only where a canary bug happens to
 * be caught first by something else (DEBUG_LIST, for P2's canary).
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { checkEventpoll, listIntegrity } from '../../src/eventpoll/checkers/list-integrity.ts';
import {
  deliverable, fileReady, setDeliverable,
} from '../../src/eventpoll/checkers/deliverable.ts';
import { lostWakeup } from '../../src/eventpoll/checkers/lost-wakeup.ts';
import { wakeupSources } from '../../src/eventpoll/checkers/wakeup-source.ts';
import { leaks } from '../../src/eventpoll/checkers/leaks.ts';
import {
  exclusiveComplaint, hasWaiter, observeFrame, spuriousQueueing,
} from '../../src/eventpoll/checkers/spurious.ts';
import { itemQueued } from '../../src/eventpoll/checkers/queued.ts';
import type { CallbackFrame } from '../../src/eventpoll/ghost.ts';
import type { EpKernel } from '../../src/eventpoll/kernel.ts';
import { EPOLLET, EPOLLIN, EPOLLONESHOT, EPOLLOUT } from '../../src/eventpoll/uapi.ts';
import { resolveVariant } from '../../src/eventpoll/variant.ts';
import '../../src/eventpoll/variants.ts';
import { EP_UNACTIVE_PTR, NULL } from '../../src/queues/arena.ts';
import { listOwners } from '../../src/queues/list.ts';
import { buildMachine } from '../../src/scenario/build.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { W } from '../../src/scenario/steps.ts';
import { Machine } from '../../src/sim/machine.ts';
import type { Violation } from '../../src/sim/violation.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';

/** One set watching a (ET), b (LT) and c (ONESHOT); T0 waits on it forever. */
const STATE: Scenario = {
  name: 'checker-state', cpus: 1,
  files: [{ name: 'a', type: 'eventfd' }, { name: 'b', type: 'eventfd' },
    { name: 'c', type: 'eventfd' }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'a', events: ['IN', 'ET'] }, { set: 'ep', fd: 'b', events: ['IN'] },
    { set: 'ep', fd: 'c', events: ['IN', 'ONESHOT'] }],
  tasks: [{ name: 'T0', cpu: 0, program: [W('ep', 3, -1)] }],
};

interface State {
  m: Machine;
  ep: number;
  item: (file: string) => number;
  file: (name: string) => number;
  reports: Omit<Violation, 'step'>[];
}

/** The state at the end of STATE's only run: T0 asleep, nothing ready. */
function state(): State {
  const b = buildMachine(STATE, { cfg: resolveVariant('mainline-6.18'), seed: 0,
    memory: 'sc' });
  const m = b.machine;
  const out = m.run(new RandomScheduler());
  expect(out.violations).toEqual([]);
  const ep = (m.ext.ep as EpKernel).eventpolls[0]!;
  const items = listOwners(m, m.arena.objs[ep]!.rbr as number);
  const file = (n: string) => items.map((i) => m.arena.objs[i]!.ffd_file as number)
    .find((f) => m.arena.label(f) === n)!;
  const item = (n: string) => items.find((i) => m.arena.objs[i]!.ffd_file === file(n))!;
  const reports: Omit<Violation, 'step'>[] = [];
  m.report = (v) => { reports.push(v); };
  return { m, ep, item, file, reports };
}

const free = (m: Machine, h: number) => m.arena.free(h, { step: 1, ctx: 0, fn: 'kfree' });

/** Makes an eventfd readable (count 1), as a write would, with or without its wakeup edge. */
function ready(s: State, name: string, edge: boolean): void {
  const f = s.file(name);
  const ctx = s.m.arena.objs[f]!.private_data as number;
  s.m.arena.objs[ctx]!.count = '1';
  if (edge) s.m.arena.objs[f]!.g_edges = (s.m.arena.objs[f]!.g_edges as number) + 1;
}

describe('P1: deliverable items, and the observer', () => {
  it('the state to start from: T0 asleep, nothing deliverable, no report', () => {
    const s = state();
    expect(setDeliverable(s.m, s.ep)).toBeUndefined();
    lostWakeup.atEnd!(s.m, true);
    expect(s.reports).toEqual([]);
  });

  it('LT: ready is deliverable, not ready is not (even with a wakeup edge)', () => {
    const s = state();
    const f = s.file('b');
    s.m.arena.objs[f]!.g_edges = 5;
    expect(deliverable(s.m, s.item('b'))).toBeUndefined();
    ready(s, 'b', false);
    expect(deliverable(s.m, s.item('b'))).toMatch(/^LT .* is ready$/);
  });

  it('ET: ready and a wakeup after the last harvest is deliverable; ready alone is not', () => {
    const s = state();
    ready(s, 'a', false);
    expect(deliverable(s.m, s.item('a'))).toBeUndefined();
    ready(s, 'a', true);
    expect(deliverable(s.m, s.item('a'))).toMatch(/\(ET\) has an undelivered wakeup/);
  });

  it('ONESHOT: deliverable while armed; a spent (disarmed) item is not', () => {
    const s = state();
    ready(s, 'c', true);
    expect(deliverable(s.m, s.item('c'))).toMatch(/\(ONESHOT\) has an undelivered wakeup/);
    s.m.arena.objs[s.item('c')]!.events = EPOLLONESHOT; // no poll bits left
    expect(deliverable(s.m, s.item('c'))).toBeUndefined();
    // Armed, but for an event the file does not have: not deliverable either.
    s.m.arena.objs[s.item('c')]!.events = EPOLLONESHOT | 0x2; // EPOLLPRI: never on an eventfd
    expect(deliverable(s.m, s.item('c'))).toBeUndefined();
  });

  it('a set is deliverable when any item is, not only its first', () => {
    const s = state();
    const order = listOwners(s.m, s.m.arena.objs[s.ep]!.rbr as number);
    const last = order[order.length - 1]!;
    const name = s.m.arena.label(s.m.arena.objs[last]!.ffd_file as number);
    ready(s, name, true);
    expect(setDeliverable(s.m, s.ep)).toContain(s.m.arena.label(last));
  });

  it('the observer reports a sleeper only at quiescence, naming the task and the item', () => {
    const s = state();
    ready(s, 'b', false);
    lostWakeup.atEnd!(s.m, false);
    expect(s.reports).toEqual([]);
    lostWakeup.atEnd!(s.m, true);
    expect(s.reports.map((r) => [r.property, r.kind])).toEqual([['P1-lost-wakeup',
      'lost-wakeup']]);
    expect(s.reports[0]!.message).toMatch(/^T0 sleeps forever in epoll_wait on ep although LT/);
  });

  it('a task that is not waiting is not a lost wakeup', () => {
    const s = state();
    ready(s, 'b', false);
    for (const c of s.m.contexts()) delete c.local.waitingOn;
    lostWakeup.atEnd!(s.m, true);
    expect(s.reports).toEqual([]);
  });
});

describe('P2: the eventpoll check, branch by branch', () => {
  const ep = (s: State) => s.m.arena.objs[s.ep]!;

  it('a clean set passes', () => {
    const s = state();
    expect(checkEventpoll(s.m, s.ep)).toBeUndefined();
  });

  it('an item whose next is set with no scan running', () => {
    const s = state();
    s.m.arena.objs[s.item('a')]!.next = s.item('b');
    expect(checkEventpoll(s.m, s.ep)).toMatch(/->next is .* with no scan running/);
    // The observer reports it too (an emptied observer fails here).
    listIntegrity.afterStep!(s.m);
    expect(s.reports.map((r) => r.kind)).toEqual(['list-corruption']);
  });

  it('ovflist active with no scan running; a lock held is a scan, and quiet', () => {
    const s = state();
    ep(s).ovflist = s.item('a');
    s.m.arena.objs[s.item('a')]!.next = NULL;
    expect(checkEventpoll(s.m, s.ep)).toMatch(/ovflist of ep is active .* with no scan running/);
    s.m.arena.objs[ep(s).mtx as number]!.owner = 1;
    expect(checkEventpoll(s.m, s.ep)).toBeUndefined();
  });

  it('an ovflist chain that is not NULL-terminated, even during a scan', () => {
    const s = state();
    ep(s).ovflist = s.item('a');
    s.m.arena.objs[s.item('a')]!.next = s.item('b');
    s.m.arena.objs[s.item('b')]!.next = s.item('a');
    s.m.arena.objs[ep(s).mtx as number]!.owner = 1;
    expect(checkEventpoll(s.m, s.ep)).toMatch(/not a NULL-terminated chain/);
    // ...but not while ep->lock is held (the chain may be half-built).
    s.m.arena.objs[ep(s).lock as number]!.locked = 1;
    expect(checkEventpoll(s.m, s.ep)).toBeUndefined();
  });

  it('ep_is_linked() true for an item that is not on rdllist', () => {
    const s = state();
    const link = s.m.arena.objs[s.item('b')]!.rdllink as number;
    s.m.arena.objs[link]!.next = ep(s).rdllist as number;
    expect(checkEventpoll(s.m, s.ep)).toMatch(/ep_is_linked\(\) is true but it is not on rdllist/);
  });

  it('a malformed rdllist', () => {
    const s = state();
    const head = ep(s).rdllist as number;
    s.m.arena.objs[head]!.prev = s.m.arena.objs[s.item('b')]!.rdllink as number;
    expect(checkEventpoll(s.m, s.ep)).toMatch(/->prev is/);
  });
});

describe('P6: an item queued with no active wakeup source, each way of being queued', () => {
  const WAKE: Scenario = { ...STATE, name: 'checker-state-ws',
    watches: [{ set: 'ep', fd: 'a', events: ['IN', 'WAKEUP'] }] };

  function wsState(): State & { epi: number } {
    const b = buildMachine(WAKE, { cfg: resolveVariant('mainline-6.18'), seed: 0,
      memory: 'sc' });
    const m = b.machine;
    expect(m.run(new RandomScheduler()).violations).toEqual([]);
    const ep = (m.ext.ep as EpKernel).eventpolls[0]!;
    const epi = listOwners(m, m.arena.objs[ep]!.rbr as number)[0]!;
    const reports: Omit<Violation, 'step'>[] = [];
    m.report = (v) => { reports.push(v); };
    return { m, ep, epi, item: () => epi, file: () => 0, reports };
  }

  it('not queued: quiet; on rdllist: reported', () => {
    const s = wsState();
    expect(s.m.arena.objs[s.epi]!.ws).not.toBe(0);
    wakeupSources.afterStep!(s.m);
    expect(s.reports).toEqual([]);
    const link = s.m.arena.objs[s.epi]!.rdllink as number;
    s.m.arena.objs[link]!.next = s.m.arena.objs[s.ep]!.rdllist as number;
    wakeupSources.afterStep!(s.m);
    expect(s.reports.map((r) => r.kind)).toEqual(['no-wakeup-source']);
  });

  it('chained on ovflist: reported; with its source active: quiet', () => {
    const s = wsState();
    s.m.arena.objs[s.epi]!.next = NULL;
    wakeupSources.afterStep!(s.m);
    expect(s.reports.map((r) => r.kind)).toEqual(['no-wakeup-source']);
    s.reports.length = 0;
    s.m.arena.objs[s.m.arena.objs[s.epi]!.ws as number]!.active = 1;
    wakeupSources.afterStep!(s.m);
    expect(s.reports).toEqual([]);
  });

  it('in state READY (the wfcqueue RFC): reported; while ep->lock is held: quiet', () => {
    const s = wsState();
    s.m.arena.objs[s.epi]!.state = 1;
    s.m.arena.objs[s.m.arena.objs[s.ep]!.lock as number]!.locked = 1;
    wakeupSources.afterStep!(s.m);
    expect(s.reports).toEqual([]);
    s.m.arena.objs[s.m.arena.objs[s.ep]!.lock as number]!.locked = 0;
    wakeupSources.afterStep!(s.m);
    expect(s.reports.map((r) => r.kind)).toEqual(['no-wakeup-source']);
  });
});

describe('P1 with EXCLUSIVE items: a wakeup is owed to at least one exclusive set', () => {
  const EXCL: Scenario = {
    name: 'checker-state-excl', cpus: 1,
    files: [{ name: 'e', type: 'eventfd' }],
    sets: [{ name: 'ep1' }, { name: 'ep2' }],
    watches: [{ set: 'ep1', fd: 'e', events: ['IN', 'EXCLUSIVE'] },
      { set: 'ep2', fd: 'e', events: ['IN', 'EXCLUSIVE'] }],
    tasks: [{ name: 'T0', cpu: 0, program: [W('ep1', 1, -1)] }],
  };

  it('delivered once any exclusive item harvested after the last wakeup', () => {
    const b = buildMachine(EXCL, { cfg: resolveVariant('mainline-6.18'), seed: 0,
      memory: 'sc' });
    const m = b.machine;
    expect(m.run(new RandomScheduler()).violations).toEqual([]);
    const [ep1, ep2] = (m.ext.ep as EpKernel).eventpolls;
    const epiOf = (ep: number) => listOwners(m, m.arena.objs[ep]!.rbr as number)[0]!;
    const [i1, i2] = [epiOf(ep1!), epiOf(ep2!)];
    const file = m.arena.objs[i1]!.ffd_file as number;
    m.arena.objs[m.arena.objs[file]!.private_data as number]!.count = '1';
    m.arena.objs[file]!.g_edges = 2;
    m.arena.objs[i1]!.g_consumed = 1;
    m.arena.objs[i2]!.g_consumed = 1;
    expect(deliverable(m, i1)).toMatch(/EXCLUSIVE .* no exclusive set harvested its last wakeup/);
    expect(deliverable(m, i2)).toBeDefined();
    // ep2's item harvested the last wakeup: ep1 owes nothing any more.
    m.arena.objs[i2]!.g_consumed = 2;
    expect(deliverable(m, i1)).toBeUndefined();
    // A non-exclusive (ET) item of the same file counts only for itself.
    m.arena.objs[i2]!.events = EPOLLIN | EPOLLET;
    expect(deliverable(m, i1)).toBeDefined();
    expect(deliverable(m, i2)).toBeUndefined();
  });
});

describe('P1, P3 leaks and P6: what each must not report', () => {
  it('P1: a waiter that has exited is not asleep', () => {
    const s = state();
    ready(s, 'b', false);
    for (const c of s.m.contexts()) {
      if (c.local.waitingOn !== undefined) (c as { status: number }).status = 3;
    }
    lostWakeup.atEnd!(s.m, true);
    expect(s.reports).toEqual([]);
  });

  it('P3: objects left while a file is open are not a leak; after the last close they are',
    () => {
      const s = state();
      leaks.atEnd!(s.m, true);
      expect(s.reports).toEqual([]);
      for (const f of s.m.arena.live('file')) free(s.m, f);
      leaks.atEnd!(s.m, true);
      expect(s.reports.map((r) => [r.property, r.kind])).toEqual([['P3-memory-safety',
        'leak']]);
      expect(s.reports[0]!.message).toBe('every file is closed but 1 eventpoll object(s) ' +
        'remain: ep');
      s.reports.length = 0;
      free(s.m, s.ep);
      leaks.atEnd!(s.m, true);
      expect(s.reports[0]!.message).toMatch(/^every file is closed but 3 epitem object\(s\) remain: epi:a, epi:b, epi:c$/);
    });

  it('P6: an item with no wakeup source, or a set with none, is not checked', () => {
    const s = state();
    const link = s.m.arena.objs[s.item('a')]!.rdllink as number;
    s.m.arena.objs[link]!.next = s.m.arena.objs[s.ep]!.rdllist as number;
    expect(s.m.arena.objs[s.item('a')]!.ws).toBe(0);
    wakeupSources.afterStep!(s.m);
    expect(s.reports).toEqual([]);
  });
});

describe('P5: a drop in readiness counts from the store that made it', () => {
  it('a read that drains the eventfd before its unlock steps ends a harvest\'s "stayed ready"',
    () => {
      // Found by the portfolio's reduced search: T1's eventfd_read stores count 0, and before
      // its spin_unlock_irq's two steps T2's timeout-0 epoll_wait re-polls (0) and returns 0.
      // The ghost folded the drop only after the unlock, so P5 reported an LT item that had
      // "stayed ready". Now the run goes on past that step (the schedule ends there).
      const program = [];
      for (let i = 0; i < 91; i++) {
        program.push({ op: 'write', fd: 'e', n: 1 } as const,
          { op: 'epoll_wait', set: 'ep', maxevents: 4, timeout: 0 } as const,
          { op: 'read', fd: 'e', n: 8 } as const);
      }
      const long = { name: 'long', cpus: 2, files: [{ name: 'e', type: 'eventfd' }],
        sets: [{ name: 'ep' }], watches: [{ set: 'ep', fd: 'e', events: ['IN'] }],
        tasks: [{ name: 'T1', cpu: 0, program }, { name: 'T2', cpu: 1, program }] } as Scenario;
      expect(() => simulate({ variant: 'mainline-6.18', scenario: long,
        schedule: 'a6729b6704a11b9' })).toThrow(/the schedule ended after 13453 choices but the run continues/);
    });
});

describe('P5 spurious queueing: the checker on hand-built frames', () => {
  /** A frame for item `name`'s callback as T0, with `key`, never queued before. */
  function frame(s: State, name: string, key: number, events?: number): CallbackFrame {
    const epi = s.item(name);
    const t0 = s.m.contexts().find((c) => c.name === 'T0')!;
    const o = s.m.arena.objs[epi]!;
    return { ctx: t0, epi, ep: s.ep, key, exclusive: false,
      events: events ?? o.events as number, queued: false, waiter: false, ret: undefined };
  }
  const link = (s: State, name: string) => {
    const l = s.m.arena.objs[s.item(name)]!.rdllink as number;
    s.m.arena.objs[l]!.next = s.m.arena.objs[s.ep]!.rdllist as number;
  };

  it('itemQueued: on a list, chained on ovflist, READY; not otherwise, nor when freed', () => {
    const s = state();
    const a = s.item('a');
    expect(itemQueued(s.m, a, 0)).toBe(false);
    link(s, 'a');
    expect(itemQueued(s.m, a, 0)).toBe(true);
    expect(itemQueued(s.m, a)).toBe(true);
    const t = state();
    t.m.arena.objs[t.item('a')]!.next = NULL;
    expect(itemQueued(t.m, t.item('a'), 0)).toBe(true);
    const u = state();
    u.m.arena.objs[u.item('a')]!.state = 1;
    expect(itemQueued(u.m, u.item('a'), 0)).toBe(true);
    u.m.arena.objs[u.item('a')]!.state = 2;
    expect(itemQueued(u.m, u.item('a'), 0)).toBe(false);
    free(s.m, a);
    expect(itemQueued(s.m, a, 0)).toBe(false);
  });

  it('observeFrame: a queueing by the callback for a key it watches is fine; for another key,' +
    ' or disarmed, it is reported; not by the callback, or unkeyed, it is not', () => {
    const s = state();
    const ok = frame(s, 'b', EPOLLIN);
    link(s, 'b');
    expect(observeFrame(s.m, ok, true)).toBeUndefined();
    expect(ok.queued).toBe(true);
    // Already queued: a second look reports nothing.
    expect(observeFrame(s.m, ok, true)).toBeUndefined();
    const t = state();
    const out = frame(t, 'b', EPOLLOUT);
    link(t, 'b');
    expect(observeFrame(t.m, out, true)).toMatch(/for a wakeup with key 0x4/);
    const u = state();
    const other = frame(u, 'b', EPOLLOUT);
    link(u, 'b');
    expect(observeFrame(u.m, other, false)).toBeUndefined();
    expect(other.queued).toBe(true);
    const v = state();
    link(v, 'b');
    expect(observeFrame(v.m, frame(v, 'b', EPOLLOUT), true, false)).toBeUndefined();
    const w = state();
    link(w, 'b');
    expect(observeFrame(w.m, frame(w, 'b', 0), true)).toBeUndefined();
    const x = state();
    x.m.arena.objs[x.item('c')]!.events = EPOLLONESHOT;
    link(x, 'c');
    expect(observeFrame(x.m, frame(x, 'c', 0, EPOLLONESHOT), true)).toMatch(/disarmed/);
  });

  it('observeFrame: a freed item\'s memory is not folded into the frame\'s events', () => {
    const s = state();
    const f = frame(s, 'b', EPOLLIN, EPOLLIN);
    s.m.arena.objs[s.item('b')]!.events = EPOLLIN | EPOLLOUT;
    free(s.m, s.item('b'));
    expect(observeFrame(s.m, f, true)).toBeUndefined();
    expect(f.events).toBe(EPOLLIN);
    expect(f.queued).toBe(false);
  });

  it('observeFrame: the union of the events over the call covers a racing MOD', () => {
    const s = state();
    const f = frame(s, 'b', EPOLLOUT, EPOLLIN);
    // A MOD to OUT lands during the call: the union holds both, so OUT is watched.
    s.m.arena.objs[s.item('b')]!.events = EPOLLOUT;
    link(s, 'b');
    expect(observeFrame(s.m, f, true)).toBeUndefined();
    expect(f.events & (EPOLLIN | EPOLLOUT)).toBe(EPOLLIN | EPOLLOUT);
  });

  it('exclusiveComplaint: only an exclusive frame that returned non-zero with no waiter', () => {
    const s = state();
    const f = frame(s, 'b', EPOLLIN);
    expect(exclusiveComplaint(s.m, f)).toBeUndefined();
    f.exclusive = true;
    expect(exclusiveComplaint(s.m, f)).toBeUndefined();
    f.ret = 0;
    expect(exclusiveComplaint(s.m, f)).toBeUndefined();
    f.ret = 1;
    expect(exclusiveComplaint(s.m, f)).toMatch(/returned 1 .* had no waiter/);
    f.waiter = true;
    expect(exclusiveComplaint(s.m, f)).toBeUndefined();
  });

  it('the observer blames a queueing on the callback only for a step of its own context', () => {
    const s = state();
    const k = s.m.ext.ep as EpKernel;
    const t0 = s.m.contexts().find((c) => c.name === 'T0')!;
    const other = { ...t0, id: t0.id + 100 };
    let by: unknown = null;
    (s.m as { lastStepContext: () => unknown }).lastStepContext = () => by;
    // Queued for a key it does not watch, seen after a step of no context, then of another.
    for (const who of [null, other]) {
      const t = state();
      const tk = t.m.ext.ep as EpKernel;
      (t.m as { lastStepContext: () => unknown }).lastStepContext = () => who;
      const f = frame(t, 'b', EPOLLOUT);
      link(t, 'b');
      tk.ghost.frames.push(f);
      spuriousQueueing.afterStep!(t.m);
      expect(t.reports).toEqual([]);
      expect(f.queued).toBe(true);
    }
    // A step of T0 itself: reported (mainline-6.18 has keyed wakeups by default).
    by = t0;
    const f = frame(s, 'b', EPOLLOUT);
    link(s, 'b');
    k.ghost.frames.push(f);
    spuriousQueueing.afterStep!(s.m);
    expect(s.reports.map((r) => [r.property, r.kind, r.ctx, r.cpu])).toEqual(
      [['P5-event-semantics', 'spurious-queue', t0.id, t0.cpu]]);
    expect(s.reports[0]!.message).toMatch(/^T0 in ep_poll_callback queued epi:b for a wakeup/);
  });

  it('the observer drops every frame that returned, two in a row too', () => {
    const s = state();
    const k = s.m.ext.ep as EpKernel;
    const open = frame(s, 'c', EPOLLIN);
    for (const f of [frame(s, 'a', EPOLLIN), frame(s, 'b', EPOLLIN), open]) {
      if (f !== open) f.ret = 1;
      k.ghost.frames.push(f);
    }
    spuriousQueueing.afterStep!(s.m);
    expect(k.ghost.frames).toEqual([open]);
    expect(s.reports).toEqual([]);
  });

  it('the observer reports a frame once it is wrong, and drops frames that returned', () => {
    const s = state();
    const k = s.m.ext.ep as EpKernel;
    const done = frame(s, 'a', EPOLLIN);
    done.ret = 1;
    k.ghost.frames.push(done);
    spuriousQueueing.afterStep!(s.m);
    expect(k.ghost.frames).toEqual([]);
    expect(s.reports).toEqual([]);
    // T0 waits on the set: an exclusive wake given is fine.
    const given = frame(s, 'b', EPOLLIN);
    given.exclusive = true;
    given.ret = 1;
    k.ghost.frames.push(given);
    spuriousQueueing.afterStep!(s.m);
    expect(s.reports).toEqual([]);
    // With ep->wq empty (T0's entry taken off), the same frame is a wake given to nobody.
    const wq = s.m.arena.objs[s.ep]!.wq as number;
    const head = s.m.arena.objs[wq]!.head as number;
    s.m.arena.objs[head]!.next = head;
    const bad = frame(s, 'b', EPOLLIN);
    bad.exclusive = true;
    bad.ret = 1;
    k.ghost.frames.push(bad);
    spuriousQueueing.afterStep!(s.m);
    expect(s.reports.map((r) => r.kind)).toEqual(['spurious-exclusive-wake']);
  });
});

describe('the checkers: guards, poll(2) sleepers and report fields', () => {
  it('observers on a machine with no eventpoll runtime do nothing (and do not throw)', () => {
    const m = new Machine({ ncpu: 1, memory: 'sc' });
    const reports: unknown[] = [];
    m.report = (v) => { reports.push(v); };
    listIntegrity.afterStep!(m);
    wakeupSources.afterStep!(m);
    spuriousQueueing.afterStep!(m);
    expect(reports).toEqual([]);
  });

  it('P1: a task asleep in poll(2) on a ready file is a lost wakeup; not ready for its mask, not',
    () => {
      const s = state();
      const t0 = s.m.contexts().find((c) => c.name === 'T0')!;
      delete t0.local.waitingOn;
      t0.local.pollingOn = s.file('b');
      t0.local.pollingFor = 0x2; // EPOLLPRI: never on an eventfd
      ready(s, 'b', false);
      lostWakeup.atEnd!(s.m, true);
      expect(s.reports).toEqual([]);
      t0.local.pollingFor = EPOLLIN | EPOLLOUT;
      lostWakeup.atEnd!(s.m, true);
      expect(s.reports).toEqual([{ property: 'P1-lost-wakeup', kind: 'lost-wakeup',
        message: 'T0 sleeps forever in poll() on b although it is ready (mask 0x5)',
        ctx: t0.id, cpu: t0.cpu }]);
    });

  it('P1: a poll(2) sleeper on a file that is not ready does not hide a later epoll waiter',
    () => {
      const s = state();
      const t0 = s.m.contexts().find((c) => c.name === 'T0')!;
      const ep = t0.local.waitingOn;
      delete t0.local.waitingOn;
      t0.local.pollingOn = s.file('a');
      t0.local.pollingFor = EPOLLIN;
      // A second sleeper: T0's twin in epoll_wait (its context copied by hand).
      const twin = { ...t0, id: 99, name: 'T9', local: { waitingOn: ep } };
      const ctxs = [...s.m.contexts(), twin];
      (s.m as unknown as { contexts: () => unknown[] }).contexts = () => ctxs;
      ready(s, 'b', false);
      lostWakeup.atEnd!(s.m, true);
      expect(s.reports.map((r) => r.message)).toEqual(
        [expect.stringMatching(/^T9 sleeps forever in epoll_wait on ep although LT/)]);
    });

  it('P2, P3 leaks and P6 observer reports blame no context (ctx and cpu -1)', () => {
    const s = state();
    s.m.arena.objs[s.item('a')]!.next = s.item('b');
    listIntegrity.afterStep!(s.m);
    for (const f of s.m.arena.live('file')) free(s.m, f);
    leaks.atEnd!(s.m, true);
    expect(s.reports.map((r) => [r.kind, r.ctx, r.cpu])).toEqual([
      ['list-corruption', -1, -1], ['leak', -1, -1]]);
  });

  it('P3 leaks: at most four objects are named', () => {
    const s = state();
    for (let i = 0; i < 3; i++) s.m.alloc('eventpoll', {}, `extra${i}`);
    for (const f of s.m.arena.live('file')) free(s.m, f);
    leaks.atEnd!(s.m, true);
    expect(s.reports[0]!.message).toBe('every file is closed but 4 eventpoll object(s) ' +
      'remain: ep, extra0, extra1, extra2');
    s.reports.length = 0;
    s.m.alloc('eventpoll', {}, 'extra3');
    leaks.atEnd!(s.m, true);
    expect(s.reports[0]!.message).toBe('every file is closed but 5 eventpoll object(s) ' +
      'remain: ep, extra0, extra1, extra2');
  });

  it('P2: an ovflist chain of 4097 items is still NULL-terminated; one more is not', () => {
    const s = state();
    const o = s.m.arena.objs[s.ep]!;
    const chain = (n: number) => {
      let next: number = NULL;
      for (let i = 0; i < n; i++) next = s.m.alloc('epitem', { next }, `x${i}`);
      return next;
    };
    s.m.arena.objs[o.mtx as number]!.owner = 1; // a scan is running
    o.ovflist = chain(4097);
    expect(checkEventpoll(s.m, s.ep)).toBeUndefined();
    o.ovflist = chain(4098);
    expect(checkEventpoll(s.m, s.ep)).toMatch(/^ovflist of ep is not a NULL-terminated chain/);
  });

  it('P2: a freed set is not walked', () => {
    const s = state();
    const rdl = s.m.arena.objs[s.ep]!.rdllist as number;
    free(s.m, s.ep);
    expect(s.m.arena.isLive(rdl)).toBe(false);
    listIntegrity.afterStep!(s.m);
    expect(s.reports).toEqual([]);
  });
});

describe('P6: which items and sets are checked', () => {
  const WAKE: Scenario = { ...STATE, name: 'checker-state-ws2',
    watches: [{ set: 'ep', fd: 'a', events: ['IN', 'WAKEUP'] },
      { set: 'ep', fd: 'b', events: ['IN'] }] };

  function wsState() {
    const b = buildMachine(WAKE, { cfg: resolveVariant('mainline-6.18'), seed: 0,
      memory: 'sc' });
    const m = b.machine;
    expect(m.run(new RandomScheduler()).violations).toEqual([]);
    const ep = (m.ext.ep as EpKernel).eventpolls[0]!;
    const [withWs, without] = listOwners(m, m.arena.objs[ep]!.rbr as number)
      .sort((x, y) => (m.arena.objs[y]!.ws as number) - (m.arena.objs[x]!.ws as number));
    const reports: Omit<Violation, 'step'>[] = [];
    m.report = (v) => { reports.push(v); };
    const queue = (epi: number) => { m.arena.objs[epi]!.next = NULL; };
    return { m, ep, withWs: withWs!, without: without!, reports, queue };
  }

  it('a queued item without a source in a set with one is not checked', () => {
    const s = wsState();
    expect(s.m.arena.objs[s.withWs]!.ws).not.toBe(0);
    expect(s.m.arena.objs[s.without]!.ws).toBe(0);
    s.queue(s.without);
    wakeupSources.afterStep!(s.m);
    expect(s.reports).toEqual([]);
    s.queue(s.withWs);
    wakeupSources.afterStep!(s.m);
    expect(s.reports.map((r) => [r.kind, r.ctx, r.cpu])).toEqual([['no-wakeup-source', -1, -1]]);
    expect(s.reports[0]!.message).toMatch(/^epi:a is queued but neither its wakeup source nor ep's/);
  });

  it('a set whose own source is gone (ws 0) is not checked', () => {
    const s = wsState();
    s.queue(s.withWs);
    s.m.arena.objs[s.ep]!.ws = 0;
    wakeupSources.afterStep!(s.m);
    expect(s.reports).toEqual([]);
  });

  it('the set\'s source active covers the item; a freed source is not active', () => {
    const s = wsState();
    s.queue(s.withWs);
    const setWs = s.m.arena.objs[s.ep]!.ws as number;
    s.m.arena.objs[setWs]!.active = 1;
    wakeupSources.afterStep!(s.m);
    expect(s.reports).toEqual([]);
    // Freed with active still 1 in its memory: not an active source.
    s.m.arena.objs[setWs]!.active = 0;
    const itemWs = s.m.arena.objs[s.withWs]!.ws as number;
    s.m.arena.objs[itemWs]!.active = 1;
    free(s.m, itemWs);
    wakeupSources.afterStep!(s.m);
    expect(s.reports.map((r) => r.kind)).toEqual(['no-wakeup-source']);
  });

  it('a freed set is not checked', () => {
    const s = wsState();
    s.queue(s.withWs);
    free(s.m, s.ep);
    wakeupSources.afterStep!(s.m);
    expect(s.reports).toEqual([]);
  });
});

describe('P5 and the readiness helpers on freed objects', () => {
  it('hasWaiter: a freed set or a freed ep->wq has no waiter, whatever its memory says', () => {
    const s = state();
    expect(hasWaiter(s.m, s.ep)).toBe(true); // T0 sleeps in epoll_wait
    const wq = s.m.arena.objs[s.ep]!.wq as number;
    free(s.m, wq);
    expect(hasWaiter(s.m, s.ep)).toBe(false);
    const t = state();
    free(t.m, t.ep);
    expect(hasWaiter(t.m, t.ep)).toBe(false);
    // A set whose wq is an object of its own (not embedded): freeing the set is enough.
    const m = new Machine({ ncpu: 1, memory: 'sc' });
    const qe = m.alloc('list_head', { next: 0, prev: 0, owner: 0 }, 'entry');
    const head = m.alloc('list_head', { next: qe, prev: qe, owner: 0 }, 'wq.head');
    const wq2 = m.alloc('wait_queue_head', { head }, 'wq');
    const ep = m.alloc('eventpoll', { wq: wq2 }, 'ep');
    expect(hasWaiter(m, ep)).toBe(true);
    free(m, ep);
    expect(hasWaiter(m, ep)).toBe(false);
  });

  it('itemQueued: a freed rdllink is not in use', () => {
    const s = state();
    const a = s.item('a');
    const link = s.m.arena.objs[a]!.rdllink as number;
    s.m.arena.objs[link]!.next = s.m.arena.objs[s.ep]!.rdllist as number;
    expect(itemQueued(s.m, a)).toBe(true);
    free(s.m, link);
    expect(itemQueued(s.m, a)).toBe(false);
  });

  it('itemQueued: global memory by default, a CPU\'s own view (store buffer) when given', () => {
    const m = new Machine({ ncpu: 2, memory: 'tso' });
    const epi = m.alloc('epitem', { next: EP_UNACTIVE_PTR, state: 0, rdllink: 0 }, 'epi');
    const link = m.alloc('list_head', { next: 0, prev: 0, owner: epi }, 'rdllink');
    m.arena.objs[link]!.next = link;
    m.arena.objs[epi]!.rdllink = link;
    const head = m.alloc('list_head', { next: 0, prev: 0, owner: 0 }, 'rdllist');
    // CPU 1's list_add_tail of the rdllink still sits in its store buffer.
    m.memory.write(1, link, 'next', head);
    expect([itemQueued(m, epi), itemQueued(m, epi, 0), itemQueued(m, epi, 1)])
      .toEqual([false, false, true]);
    // And CPU 0's chaining of a second item on ovflist in its own.
    const epi2 = m.alloc('epitem', { next: EP_UNACTIVE_PTR, state: 0, rdllink: 0 }, 'epi2');
    m.memory.write(0, epi2, 'next', NULL);
    expect([itemQueued(m, epi2), itemQueued(m, epi2, 0), itemQueued(m, epi2, 1)])
      .toEqual([false, true, false]);
  });

  it('itemQueued: a freed item is not queued, whatever its memory says', () => {
    const m = new Machine({ ncpu: 1, memory: 'sc' });
    const epi = m.alloc('epitem', { next: NULL, state: 1, rdllink: 0 }, 'epi');
    expect(itemQueued(m, epi)).toBe(true);
    free(m, epi);
    expect(itemQueued(m, epi)).toBe(false);
  });

  it('fileReady: a closed file is not ready; an epoll file is ready when an item is queued',
    () => {
      const s = state();
      ready(s, 'b', false);
      const f = s.file('b');
      expect(fileReady(s.m, f)).not.toBe(0);
      free(s.m, f);
      expect(fileReady(s.m, f)).toBe(0);
      const t = state();
      const epFile = t.m.arena.live('file').find((x) => t.m.arena.objs[x]!.f_op === 'eventpoll')!;
      expect(fileReady(t.m, epFile)).toBe(0);
      ready(t, 'a', false);
      expect(fileReady(t.m, epFile)).toBe(0);
      t.m.arena.objs[t.item('a')]!.next = NULL; // chained on ovflist: queued
      expect(fileReady(t.m, epFile) & EPOLLIN).toBe(EPOLLIN);
    });

  it('deliverable: an item with only private bits left (disarmed) is not, even when ready', () => {
    const s = state();
    ready(s, 'b', true);
    expect(deliverable(s.m, s.item('b'))).toBeDefined();
    s.m.arena.objs[s.item('b')]!.events = EPOLLONESHOT | EPOLLET;
    expect(deliverable(s.m, s.item('b'))).toBeUndefined();
  });

  it('setDeliverable: a freed set holds nothing', () => {
    const s = state();
    ready(s, 'b', false);
    expect(setDeliverable(s.m, s.ep)).toBeDefined();
    free(s.m, s.ep);
    expect(setDeliverable(s.m, s.ep)).toBeUndefined();
  });
});
