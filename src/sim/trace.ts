/**
 * The trace: every step as data, a rendering a kernel developer can read, and a stable hash.
 *
 * Events carry what a per-CPU timeline viewer needs: the step, the CPU, the context (and the
 * task an IRQ interrupted), the kernel function, the object and field touched, the operation
 * and the value. The hash is computed for every run (also when events are not kept), over
 * integers only, so the same seed, scenario and variant give the same hash in any process.
 */

/** One trace event. `step` is -1 for notes that are not scheduling steps. */
export interface TraceEvent {
  step: number;
  cpu: number;
  /** Context id and name ("T0", "irq@1"). */
  ctx: number;
  who: string;
  /** For an IRQ context: the name of the task it interrupted, if any. */
  over?: string;
  /** The choice token of this step in the schedule encoding. */
  choice: string;
  /** Kernel function. */
  fn: string;
  /** Operation (`cmpxchg`, `spin_lock`, `irq_enter`, `store-buffer write-back`...). */
  op: string;
  /** Object label (`epi#7`) and field, or '' when none. */
  obj: string;
  field: string;
  /** The value read, stored or returned, rendered as text. */
  value: string;
  /** Virtual time in ns when the step ran. */
  time: number;
}

/** 32-bit FNV-1a style mixing over integers. */
export class TraceHash {
  h = 0x811c9dc5;

  /** Mixes one integer. */
  mix(x: number): void {
    this.h = Math.imul(this.h ^ (x | 0), 0x01000193);
  }

  /** Mixes a string (rare: only non-numeric values). */
  mixString(s: string): void {
    for (let i = 0; i < s.length; i++) this.mix(s.charCodeAt(i));
  }

  /** Mixes a value of unknown type deterministically. */
  mixValue(v: unknown): void {
    if (typeof v === 'number') {
      if (Number.isInteger(v)) this.mix(v);
      else this.mixString(String(v));
    } else if (v === null || v === undefined) this.mix(0x7fffffff);
    else if (typeof v === 'boolean') this.mix(v ? 0x7ffffffe : 0x7ffffffd);
    else this.mixString(String(v));
  }

  /** The hash as 8 hex digits. */
  hex(): string {
    let h = this.h >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    return (h >>> 0).toString(16).padStart(8, '0');
  }
}

/** Options for {@link renderTrace}. */
export interface RenderOptions {
  /** Only the last `tail` events. */
  tail?: number;
}

/**
 * Renders events one per line:
 * `  41 cpu1 irq@1>T0  ep_poll_callback  cmpxchg epi#5.next = NULL`.
 */
export function renderTrace(events: readonly TraceEvent[], opts: RenderOptions = {}): string {
  const list = opts.tail !== undefined ? events.slice(-opts.tail) : events;
  const lines: string[] = [];
  for (const e of list) {
    const step = e.step < 0 ? '    ' : String(e.step).padStart(4);
    const who = (e.over ? `${e.who}>${e.over}` : e.who).padEnd(10);
    const target = e.obj ? ` ${e.obj}${e.field ? '.' + e.field : ''}` : '';
    const value = e.value !== '' ? ` = ${e.value}` : '';
    lines.push(`${step} cpu${e.cpu} ${who} ${e.fn.padEnd(24)} ${e.op}${target}${value}`);
  }
  return lines.join('\n');
}

/** One event as a short cell: `fn: op obj.field = value`, or `(note)`. */
export function cellText(e: TraceEvent): string {
  if (e.op === 'note') return `  (${e.value})`;
  if (e.op === 'task start') return `${e.who} starts`;
  const irq = e.over !== undefined || e.who.startsWith('irq') ? 'IRQ ' : '';
  const target = e.obj ? ` ${e.obj}${e.field ? '.' + e.field : ''}` : '';
  const value = e.value !== '' ? ` = ${e.value}` : '';
  return `${irq}${e.fn}: ${e.op}${target}${value}`;
}

/**
 * Renders events as per-CPU columns, one row per step, so who-runs-when is visible at a
 * glance (the shape a timeline viewer draws). A header row names what runs on each CPU.
 */
export function renderColumns(events: readonly TraceEvent[], ncpu: number, width = 46):
string {
  const who: string[] = Array.from({ length: ncpu }, () => '');
  for (const e of events) {
    if (e.cpu >= 0 && e.cpu < ncpu && !e.who.startsWith('irq') && !who[e.cpu]!.includes(e.who)) {
      who[e.cpu] = who[e.cpu] ? `${who[e.cpu]},${e.who}` : e.who;
    }
  }
  const head = ['step'.padStart(5)];
  for (let c = 0; c < ncpu; c++) head.push(`cpu${c} ${who[c] ?? ''}`.trimEnd().padEnd(width));
  const rows = [head.join(' | ')];
  for (const e of events) {
    if (e.cpu < 0 || e.cpu >= ncpu) continue;
    const cells: string[] = [];
    for (let c = 0; c < ncpu; c++) {
      if (c !== e.cpu) {
        cells.push(''.padEnd(width));
        continue;
      }
      const text = cellText(e);
      cells.push(text.length > width ? text.slice(0, width - 1) + '~' : text.padEnd(width));
    }
    rows.push(`${(e.step < 0 ? '' : String(e.step)).padStart(5)} | ${cells.join(' | ').trimEnd()}`);
  }
  return rows.join('\n');
}
