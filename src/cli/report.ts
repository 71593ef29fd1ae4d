/** Human-readable rendering of a run: the violation, the interleaving and how to replay. */
import type { SimulateResult } from '../api/simulate.ts';
import { renderColumns, renderTrace, type TraceEvent } from '../sim/trace.ts';

/** Number of CPUs seen in a trace. */
export function cpusOf(trace: readonly TraceEvent[]): number {
  let n = 1;
  for (const e of trace) if (e.cpu + 1 > n) n = e.cpu + 1;
  return n;
}

/** Options of {@link describeRun}. */
export interface DescribeOptions {
  /** Show the trace as per-CPU columns (default) or as one line per step. */
  columns?: boolean;
  /** Show only the last N steps of the trace (default: all). */
  tail?: number;
}

/** The headline of a run. */
export function headline(r: SimulateResult): string {
  const v = r.violations[0];
  const what = v ? `VIOLATION ${v.property} (${v.kind}) at step ${v.step}` : `OK (${r.status})`;
  return `${what}\n  variant ${r.variant}, scenario ${r.scenario}, seed ${r.seed}, memory ` +
    `${r.memory}, ${r.steps} steps, trace hash ${r.hash}`;
}

/** A full description: headline, violation lines, interleaving, results and replay line. */
export function describeRun(r: SimulateResult, o: DescribeOptions = {}): string {
  const out = [headline(r)];
  for (const v of r.violations) {
    out.push(`  ${v.message}`);
    for (const d of v.details ?? []) out.push(`    ${d}`);
  }
  if (r.trace) {
    const t = o.tail !== undefined ? r.trace.slice(-o.tail) : r.trace;
    out.push('', o.tail !== undefined ? `interleaving (last ${o.tail} events):` : 'interleaving:');
    out.push(o.columns === false ? renderTrace(t) : renderColumns(t, cpusOf(r.trace)));
  }
  if (r.results.length) {
    out.push('', 'syscall results:');
    for (const s of r.results) {
      const events = s.events?.length ? ' ' + s.events.join(' ') : '';
      out.push(`  ${s.task}: ${s.op} -> ${s.ret}${events}`);
    }
  }
  out.push('', `replay: ${r.replay}`);
  return out.join('\n');
}
