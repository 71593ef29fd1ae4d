/**
 * The diff view's data: the same scenario and seed on two variants (differential(), whose
 * two runs are replayed exactly from their recorded schedules with the trace on), and the
 * two timelines lined up as the diff mode lines them up: by macro events, a task starting
 * its k-th syscall or an interrupt source firing. Between two macro events each variant
 * runs its own kernel code, so the shorter side of each stretch is padded with empty rows
 * and every macro event sits on one row in both columns.
 */
import {
  differential, type DifferentialOptions, type DifferentialResult,
} from '../api/differential.ts';
import { resolveVariant } from '../eventpoll/variant.ts';
import { buildMachine } from '../scenario/build.ts';
import { resolveScenario } from '../scenario/library.ts';
import { ARRIVE_BASE, IRQ_BASE, TIMER_BASE } from '../sim/schedule.ts';
import type { Scheduler } from '../sim/scheduler.ts';
import { ReplayScheduler } from '../sim/schedulers/replay.ts';
import type { TraceEvent } from '../sim/trace.ts';

/** A macro event and the step that took it. */
export interface MacroStep {
  /** `T0 syscall 2` or `irq dev #1` (the source's first interrupt). */
  name: string;
  step: number;
}

/** One side of the diff. */
export interface DiffSide {
  variant: string;
  steps: number;
  schedule: string;
  replay: string;
  violation: string | null;
  ncpu: number;
  trace: TraceEvent[];
  macros: MacroStep[];
}

/** The diff page's data. */
export interface DiffViewData {
  format: 'eventpoll-sim-diff/1';
  title: string;
  result: Omit<DifferentialResult, 'a' | 'b'>;
  a: DiffSide;
  b: DiffSide;
  /** The aligned rows: a step of each side (-1: padding) and the macro event there. */
  rows: { a: number; b: number; macro: string }[];
}

/** Replays one side with the trace on, recording its macro events as differential does. */
function side(o: DifferentialOptions, variant: string, schedule: string, replay: string,
  violation: string | undefined): DiffSide {
  const { scenario } = resolveScenario(o.scenario);
  const built = buildMachine(scenario, { cfg: resolveVariant(variant), seed: o.seed ?? 0,
    trace: true, ...(o.memory ? { memory: o.memory } : {}),
    ...(o.limits ? { limits: o.limits } : {}) });
  const names = scenario.tasks.map((t) => t.name);
  const started = names.map(() => -1);
  const irqs = (scenario.irqs ?? []).map((q) => q.name);
  const fired = irqs.map(() => 0);
  const macros: MacroStep[] = [];
  const replayer = new ReplayScheduler(schedule);
  const watch: Scheduler = {
    name: 'macro-watch',
    begin: (seed) => replayer.begin(seed),
    pick(ids, n, step) {
      const idx = replayer.pick(ids, n, step);
      const id = ids[idx]!;
      if (id < IRQ_BASE) {
        const done = built.results.filter((r) => r.task === names[id]).length;
        if (started[id] !== done) {
          started[id] = done;
          macros.push({ name: `${names[id]} syscall ${done}`, step });
        }
      } else if (id >= ARRIVE_BASE && id < TIMER_BASE) {
        const k = id - ARRIVE_BASE;
        fired[k] = (fired[k] ?? 0) + 1;
        macros.push({ name: `irq ${irqs[k] ?? k} #${fired[k]}`, step });
      }
      return idx;
    },
  };
  const out = built.machine.run(watch);
  return { variant, steps: out.steps, schedule, replay, violation: violation ?? null,
    ncpu: scenario.cpus, trace: out.trace ?? [], macros };
}

/** Lines up two sides by their macro events (in A's order; B's others follow in its own). */
export function alignSides(a: DiffSide, b: DiffSide): DiffViewData['rows'] {
  const rows: DiffViewData['rows'] = [];
  const bAt = new Map<string, number>();
  for (const m of b.macros) if (!bAt.has(m.name)) bAt.set(m.name, m.step);
  // Anchors: macro events both sides took, in increasing step order on both sides.
  const anchors: { a: number; b: number; name: string }[] = [];
  let lastB = -1;
  for (const m of a.macros) {
    const sb = bAt.get(m.name);
    if (sb !== undefined && sb > lastB) {
      anchors.push({ a: m.step, b: sb, name: m.name });
      lastB = sb;
    }
  }
  let ia = 0;
  let ib = 0;
  const fill = (toA: number, toB: number): void => {
    while (ia < toA || ib < toB) {
      rows.push({ a: ia < toA ? ia : -1, b: ib < toB ? ib : -1, macro: '' });
      if (ia < toA) ia++;
      if (ib < toB) ib++;
    }
  };
  for (const x of anchors) {
    fill(x.a, x.b);
    rows.push({ a: ia++, b: ib++, macro: x.name });
  }
  fill(a.steps, b.steps);
  return rows;
}

/** Runs differential() and builds the diff page's data. */
export function diffViewData(o: DifferentialOptions): DiffViewData {
  const r = differential(o);
  const a = side(o, r.a.variant, r.a.schedule, r.a.replay, r.a.violation);
  const b = side(o, r.b.variant, r.b.schedule, r.b.replay, r.b.violation);
  return {
    format: 'eventpoll-sim-diff/1',
    title: `${r.a.variant} vs ${r.b.variant} / ${r.scenario} / seed ${r.seed}`,
    result: { scenario: r.scenario, seed: r.seed, align: r.align,
      differences: r.differences, divergences: r.divergences },
    a, b, rows: alignSides(a, b),
  };
}
