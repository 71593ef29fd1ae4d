/**
 * The run as Chrome Trace Event JSON (the "JSON trace format" that ui.perfetto.dev and
 * chrome://tracing open): one process, one track (thread) per CPU and context kind as in
 * the viewer's lanes, one per lock, slices per kernel function (runs of steps of one
 * function in one context), hardirq handlers as enclosing slices, wake-ups as flow events
 * from the waker's slice to the wakee's, and the violation as a global instant event.
 *
 * Time is the step: step s is at s microseconds (virtual time does not advance between most
 * steps, so it cannot order them); each slice's arguments carry the virtual time in ns.
 */
import type { ViewerData } from './data.ts';

/** One Trace Event. */
export interface TraceEventJson {
  name: string;
  ph: 'X' | 'M' | 'i' | 's' | 'f';
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  cat?: string;
  id?: number;
  bp?: 'e';
  s?: 'g' | 'p' | 't';
  args?: Record<string, unknown>;
}

/** The JSON object format: `traceEvents` plus metadata. */
export interface TraceFile {
  traceEvents: TraceEventJson[];
  displayTimeUnit: 'ns' | 'ms';
  otherData: Record<string, string | number>;
}

const PID = 1;
const LOCK_TID0 = 1000;

/** The Trace Event file of a viewer's run. */
export function perfettoTrace(d: ViewerData): TraceFile {
  const tl = d.timeline;
  const ev: TraceEventJson[] = [];
  const meta = (tid: number, name: string, sort: number): void => {
    ev.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid, args: { name } });
    ev.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid: PID, tid,
      args: { sort_index: sort } });
  };
  ev.push({ name: 'process_name', ph: 'M', ts: 0, pid: PID, tid: 0,
    args: { name: `eventpoll-sim ${d.run.variant} ${d.run.scenario} seed ${d.run.seed}` } });
  tl.lanes.forEach((l, i) => meta(i + 1, `cpu${l.cpu} ${l.kind === 'irq' ? 'hardirq' : 'task'}` +
    (l.names.length > 0 ? ` (${l.names.join(', ')})` : ''), i));
  tl.locks.forEach((l, i) => meta(LOCK_TID0 + i, `lock ${l.label} (${l.kind})`, 100 + i));

  const byStep = new Map<number, ViewerData['trace'][number]>();
  for (const e of d.trace) if (e.step >= 0) byStep.set(e.step, e);
  // Hardirq handlers enclose the function slices they ran.
  for (const s of tl.irqs) {
    ev.push({ name: `hardirq ${s.label}`, cat: 'irq', ph: 'X', ts: s.from, dur: s.to - s.from + 1,
      pid: PID, tid: s.col + 1 });
  }
  // Function slices: consecutive steps of one function in one context and lane.
  const sliceAt = new Map<number, { lane: number }>();
  let open: { lane: number; ctx: number; fn: string; from: number; to: number;
    ops: string[]; time: number } | undefined;
  const flush = (): void => {
    if (!open) return;
    ev.push({ name: open.fn, cat: 'step', ph: 'X', ts: open.from, dur: open.to - open.from + 1,
      pid: PID, tid: open.lane + 1, args: { steps: `${open.from}-${open.to}`,
        time_ns: open.time, ops: open.ops.slice(0, 32) } });
    open = undefined;
  };
  for (let s = 0; s < d.run.steps; s++) {
    const e = byStep.get(s);
    const lane = tl.rowLane[s] ?? -1;
    if (lane < 0 || e === undefined) {
      flush();
      continue;
    }
    sliceAt.set(s, { lane });
    const fn = e.fn || e.op;
    const text = `${s}: ${e.op}${e.obj ? ` ${e.obj}${e.field ? `.${e.field}` : ''}` : ''}` +
      `${e.value !== '' ? ` = ${e.value}` : ''}`;
    if (open && open.lane === lane && open.ctx === e.ctx && open.fn === fn && open.to === s - 1) {
      open.to = s;
      open.ops.push(text);
    } else {
      flush();
      open = { lane, ctx: e.ctx, fn, from: s, to: s, ops: [text], time: e.time };
    }
  }
  flush();
  // Wake-ups: a flow from the waker's step to the wakee's return from schedule().
  tl.wakes.forEach((w, i) => {
    if (!sliceAt.has(w.from) || !sliceAt.has(w.to)) return;
    ev.push({ name: w.label, cat: 'wakeup', ph: 's', id: i + 1, ts: w.from, pid: PID,
      tid: w.fromLane + 1 });
    ev.push({ name: w.label, cat: 'wakeup', ph: 'f', bp: 'e', id: i + 1, ts: w.to, pid: PID,
      tid: w.toLane + 1 });
  });
  for (const h of tl.holds) {
    ev.push({ name: h.label || 'held', cat: 'lock', ph: 'X', ts: h.from, dur: h.to - h.from + 1,
      pid: PID, tid: LOCK_TID0 + h.col });
  }
  const v = d.violation;
  if (v) {
    ev.push({ name: `${v.property} (${v.kind})`, cat: 'violation', ph: 'i', s: 'g',
      ts: Math.min(v.step, Math.max(0, d.run.steps - 1)), pid: PID, tid: 0,
      args: { message: v.message, replay: d.run.replay } });
  }
  return {
    traceEvents: ev, displayTimeUnit: 'ns',
    otherData: { variant: d.run.variant, scenario: d.run.scenario, seed: d.run.seed,
      schedule: d.run.schedule, hash: d.run.hash, time_unit: '1 us = 1 step' },
  };
}
