/**
 * The Perfetto / Chrome Trace Event export, checked against the format: every event has
 * ph, ts, pid and tid; complete slices have a duration and nest on their track (a
 * timeline viewer cannot draw partly overlapping slices on one track); flow events pair
 * up (one start and one finish per id, the finish not before the start, each inside a
 * slice on its track); every track is named. Over every zoo entry's shrunk failure.
 */
import { describe, expect, it } from 'vitest';
import { viewRun } from '../../src/view/data.ts';
import { perfettoTrace, type TraceEventJson } from '../../src/view/perfetto.ts';
import { zooShrunkFailure } from '../../src/view/zoo.ts';
import { ZOO } from '../../src/zoo/entries.ts';

/** Problems with a trace file, as text (empty when valid). */
function problems(evs: readonly TraceEventJson[]): string[] {
  const out: string[] = [];
  const named = new Set<number>();
  const slices = new Map<number, { ts: number; end: number; name: string }[]>();
  for (const e of evs) {
    for (const k of ['ph', 'ts', 'pid', 'tid'] as const) {
      if (e[k] === undefined) out.push(`${e.name}: no ${k}`);
    }
    if (typeof e.ts !== 'number' || e.ts < 0) out.push(`${e.name}: bad ts ${e.ts}`);
    if (e.ph === 'M' && e.name === 'thread_name') named.add(e.tid);
    if (e.ph === 'X') {
      if (!(typeof e.dur === 'number' && e.dur > 0)) out.push(`${e.name}: bad dur ${e.dur}`);
      const list = slices.get(e.tid) ?? [];
      list.push({ ts: e.ts, end: e.ts + e.dur!, name: e.name });
      slices.set(e.tid, list);
    }
  }
  for (const [tid, list] of slices) {
    if (!named.has(tid)) out.push(`track ${tid} has no thread_name`);
    list.sort((a, b) => a.ts - b.ts || b.end - a.end);
    const stack: { end: number; name: string }[] = [];
    for (const s of list) {
      while (stack.length > 0 && stack[stack.length - 1]!.end <= s.ts) stack.pop();
      const top = stack[stack.length - 1];
      if (top && s.end > top.end) out.push(`track ${tid}: ${s.name} overlaps ${top.name}`);
      stack.push(s);
    }
  }
  const inside = (tid: number, ts: number): boolean =>
    (slices.get(tid) ?? []).some((s) => s.ts <= ts && ts < s.end);
  const flows = new Map<number, { s: TraceEventJson[]; f: TraceEventJson[] }>();
  for (const e of evs) {
    if (e.ph !== 's' && e.ph !== 'f') continue;
    const x = flows.get(e.id!) ?? { s: [], f: [] };
    x[e.ph].push(e);
    flows.set(e.id!, x);
    if (!inside(e.tid, e.ts)) out.push(`flow ${e.id} ${e.ph}: not inside a slice`);
  }
  for (const [id, x] of flows) {
    if (x.s.length !== 1 || x.f.length !== 1) {
      out.push(`flow ${id}: ${x.s.length} starts, ${x.f.length} finishes`);
    } else if (x.f[0]!.ts < x.s[0]!.ts) out.push(`flow ${id}: finishes before it starts`);
  }
  return out;
}

describe('view: the Perfetto export', () => {
  for (const e of ZOO) {
    it(`${e.id}: a valid Trace Event file with the run's steps, wake-ups and violation`, () => {
      const { data } = viewRun(zooShrunkFailure(e.id).options);
      const t = perfettoTrace(JSON.parse(JSON.stringify(data)));
      expect(problems(t.traceEvents)).toEqual([]);
      // Every recorded step is inside exactly one function slice.
      const fnSlices = t.traceEvents.filter((x) => x.cat === 'step');
      const covered = fnSlices.reduce((n, x) => n + x.dur!, 0);
      expect(covered).toBe(data.trace.filter((x) => x.step >= 0).length);
      expect(t.traceEvents.filter((x) => x.ph === 's').length).toBe(data.timeline.wakes
        .filter((w) => data.trace.some((x) => x.step === w.to)).length);
      const v = t.traceEvents.find((x) => x.cat === 'violation')!;
      expect(v.name).toContain(e.property);
      expect(JSON.parse(JSON.stringify(t))).toEqual(t);
    });
  }

  it('the validator finds a broken file (overlap, unpaired flow, missing field)', () => {
    const bad: TraceEventJson[] = [
      { name: 'thread_name', ph: 'M', ts: 0, pid: 1, tid: 1, args: { name: 'x' } },
      { name: 'a', ph: 'X', ts: 0, dur: 5, pid: 1, tid: 1 },
      { name: 'b', ph: 'X', ts: 3, dur: 5, pid: 1, tid: 1 },
      { name: 'w', ph: 's', id: 9, ts: 1, pid: 1, tid: 1 },
      { name: 'c', ph: 'X', ts: 9, pid: 1, tid: 1 } as TraceEventJson,
    ];
    const p = problems(bad);
    expect(p.some((x) => x.includes('overlaps'))).toBe(true);
    expect(p.some((x) => x.includes('1 starts, 0 finishes'))).toBe(true);
    expect(p.some((x) => x.includes('bad dur'))).toBe(true);
  });
});
