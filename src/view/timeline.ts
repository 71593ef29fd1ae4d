/**
 * The timeline of a run for the failure viewer: which lane each step runs in (a lane per
 * CPU, with its task context and its hardirq context beside it), and the spans and arrows
 * drawn over the steps: hardirq handlers from irq_enter to irq_exit (naming the task they
 * interrupted), sleeps from schedule() to the wake-up, wake-ups as arrows from the waker's
 * try_to_wake_up to the wakee's return from schedule(), and lock holds (from the state
 * history: a lock is held from the step after which it is first seen held).
 *
 * Steps are rows: row s is trace step s. Plain data, computed once in Node; the page only
 * draws it.
 */
import type { TraceEvent } from '../sim/trace.ts';
import type { Violation } from '../sim/violation.ts';
import { applyHistory, type StateHistory } from './history.ts';

/** A column of the timeline: one context kind on one CPU. */
export interface Lane {
  cpu: number;
  /** `task` (process context, store-buffer write-backs, signals) or `irq`. */
  kind: 'task' | 'irq';
  /** Context names seen in the lane, in order of appearance. */
  names: string[];
}

/** A span over rows `from..to` (inclusive) in a lane or a lock column. */
export interface Span {
  from: number;
  to: number;
  /** Lane index (for irq and sleep spans) or lock column index. */
  col: number;
  label: string;
}

/** A wake-up: from the waker's step to the wakee's resume step (or the end: never ran). */
export interface Wake {
  from: number;
  fromLane: number;
  to: number;
  toLane: number;
  label: string;
}

/** Everything the page draws besides the cells. */
export interface Timeline {
  lanes: Lane[];
  /** Per row (step): its lane, or -1 when no event was recorded (a faulting step). */
  rowLane: number[];
  irqs: Span[];
  sleeps: Span[];
  wakes: Wake[];
  /** Lock columns: the lock's label, and its holds. */
  locks: { label: string; kind: string }[];
  holds: Span[];
}

function laneKey(cpu: number, kind: 'task' | 'irq'): string {
  return `${cpu}:${kind}`;
}

function isIrq(e: TraceEvent): boolean {
  return e.who.startsWith('irq@') || e.over !== undefined;
}

/** Builds the timeline of a run with `steps` steps on `ncpu` CPUs. */
export function buildTimeline(trace: readonly TraceEvent[], history: StateHistory | undefined,
  ncpu: number, steps: number, violation: Violation | undefined): Timeline {
  const laneIdx = new Map<string, number>();
  const lanes: Lane[] = [];
  const used = new Set<string>();
  for (const e of trace) {
    if (e.cpu >= 0 && e.cpu < ncpu) used.add(laneKey(e.cpu, isIrq(e) ? 'irq' : 'task'));
  }
  for (let c = 0; c < ncpu; c++) {
    for (const kind of ['task', 'irq'] as const) {
      if (kind === 'irq' && !used.has(laneKey(c, kind))) continue;
      laneIdx.set(laneKey(c, kind), lanes.length);
      lanes.push({ cpu: c, kind, names: [] });
    }
  }
  const rowLane = new Array<number>(steps).fill(-1);
  const irqs: Span[] = [];
  const sleeps: Span[] = [];
  const wakes: Wake[] = [];
  const openIrq = new Map<number, { from: number; label: string }>();
  const asleep = new Map<string, { from: number; lane: number }>();
  const pendingWake = new Map<string, { from: number; lane: number }>();
  const taskLane = new Map<string, number>();
  let last = -1;
  for (const e of trace) {
    if (e.cpu < 0 || e.cpu >= ncpu) continue;
    const lane = laneIdx.get(laneKey(e.cpu, isIrq(e) ? 'irq' : 'task'))!;
    if (e.step >= 0) {
      last = e.step;
      if (e.step < steps) rowLane[e.step] = lane;
      const names = lanes[lane]!.names;
      if (e.ctx >= 0 && !names.includes(e.who)) names.push(e.who);
      if (!isIrq(e) && e.ctx >= 0) taskLane.set(e.who, lane);
    }
    if (e.op === 'irq_enter') {
      openIrq.set(lane, { from: e.step, label: `${e.fn}${e.over ? ` > ${e.over}` : ''}` });
    } else if (e.op === 'irq_exit') {
      const o = openIrq.get(lane);
      if (o) irqs.push({ from: o.from, to: last, col: lane, label: o.label });
      openIrq.delete(lane);
    } else if (e.op === 'schedule' && e.step >= 0) {
      asleep.set(e.who, { from: e.step, lane });
    } else if (e.op === 'try_to_wake_up' && e.value === '1' && e.obj !== '') {
      pendingWake.set(e.obj, { from: e.step, lane });
    } else if (e.op === 'signal') {
      pendingWake.set(e.who, { from: e.step, lane });
    } else if (e.op === 'schedule (woken)') {
      const s = asleep.get(e.who);
      if (s) sleeps.push({ from: s.from, to: e.step, col: s.lane, label: `${e.who} asleep` });
      asleep.delete(e.who);
      const w = pendingWake.get(e.who);
      if (w) {
        wakes.push({ from: w.from, fromLane: w.lane, to: e.step, toLane: lane,
          label: `wakes ${e.who}` });
      }
      pendingWake.delete(e.who);
    }
  }
  const end = Math.max(0, steps - 1);
  for (const [lane, o] of openIrq) irqs.push({ from: o.from, to: end, col: lane, label: o.label });
  for (const [who, s] of asleep) {
    sleeps.push({ from: s.from, to: end, col: s.lane, label: `${who} asleep` });
    const w = pendingWake.get(who);
    if (w) wakes.push({ from: w.from, fromLane: w.lane, to: end, toLane: s.lane,
      label: `wakes ${who} (never ran again)` });
  }
  if (violation && violation.step < steps && rowLane[violation.step] === -1) {
    const c = violation.cpu >= 0 ? violation.cpu : 0;
    const ctxName = trace.find((e) => e.ctx === violation.ctx)?.who;
    const irq = ctxName?.startsWith('irq@') ?? false;
    rowLane[violation.step] = laneIdx.get(laneKey(c, irq ? 'irq' : 'task')) ??
      laneIdx.get(laneKey(c, 'task'))!;
  }
  const { locks, holds } = lockHolds(history, steps);
  return { lanes, rowLane, irqs, sleeps, wakes, locks, holds };
}

/** Lock holds from the state history: row s shows the state after step s. */
function lockHolds(history: StateHistory | undefined, steps: number):
Pick<Timeline, 'locks' | 'holds'> {
  const locks: Timeline['locks'] = [];
  const holds: Span[] = [];
  if (history === undefined) return { locks, holds };
  const col = new Map<number, number>();
  const open = new Map<number, { from: number; owner: string }>();
  const close = (h: number, to: number): void => {
    const o = open.get(h);
    if (o === undefined) return;
    holds.push({ from: o.from, to, col: col.get(h)!, label: o.owner });
    open.delete(h);
  };
  applyHistory(history, steps, (s, state) => {
    const row = s - 1;
    if (row < 0) return;
    const seen = new Set<number>();
    for (const l of state.locks) {
      if (!l.held) continue;
      seen.add(l.h);
      if (!col.has(l.h)) {
        col.set(l.h, locks.length);
        locks.push({ label: state.labels[l.h] ?? `#${l.h}`, kind: l.kind });
      }
      const o = open.get(l.h);
      if (o !== undefined && o.owner !== l.owner) close(l.h, row - 1);
      if (!open.has(l.h)) open.set(l.h, { from: row, owner: l.owner });
    }
    for (const h of [...open.keys()]) if (!seen.has(h)) close(h, row - 1);
  });
  for (const h of [...open.keys()]) close(h, Math.max(0, steps - 1));
  return { locks, holds };
}
