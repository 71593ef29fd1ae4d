/**
 * The run as text in the shape of `trace-cmd report` (ftrace's function events): one line
 * per step, `COMM-PID [CPU] FLAGS TIMESTAMP: FUNCTION: DETAILS`, so tools and eyes used to
 * kernel traces read it as they read one from a machine. COMM-PID is the context and its id
 * (hardirq contexts are `irq@CPU`); FLAGS are ftrace's latency flags as far as the model
 * has them: `d` while the CPU has interrupts disabled, `h` in a hardirq; the timestamp is
 * the step (1 us = 1 step, as in the Perfetto export), and the virtual time in ns ends the
 * details when it is not 0. Notes (`irqs off`) are not steps and are not printed.
 */
import type { TraceEvent } from '../sim/trace.ts';

/** One line per step of `trace`, with the trace-cmd header line for `ncpu` CPUs. */
export function ftraceText(trace: readonly TraceEvent[], ncpu: number): string {
  const lines = [`cpus=${ncpu}`];
  const irqOff = new Array<boolean>(ncpu).fill(false);
  for (const e of trace) {
    if (e.op === 'note') {
      if (e.value === 'irqs off') irqOff[e.cpu] = true;
      else if (e.value === 'irqs on') irqOff[e.cpu] = false;
      continue;
    }
    if (e.step < 0) continue;
    const hard = e.who.startsWith('irq@') || e.over !== undefined;
    const flags = `${irqOff[e.cpu] || hard ? 'd' : '.'}.${hard ? 'h' : '.'}.`;
    const comm = `${e.ctx < 0 ? `<${e.who}>` : e.who}-${e.ctx < 0 ? 0 : e.ctx}`;
    const us = String(e.step).padStart(7, '0');
    const ts = `${us.slice(0, -6)}.${us.slice(-6)}`;
    const target = e.obj ? ` ${e.obj}${e.field ? `.${e.field}` : ''}` : '';
    const value = e.value !== '' ? ` = ${e.value}` : '';
    const over = e.over ? ` (interrupting ${e.over})` : '';
    const time = e.time !== 0 ? ` [t=${e.time}ns]` : '';
    lines.push(`${comm.padStart(16)} [${String(e.cpu).padStart(3, '0')}] ${flags} ` +
      `${ts.padStart(12)}: ${e.fn || e.op}: ${e.op}${target}${value}${over}${time}`);
  }
  return `${lines.join('\n')}\n`;
}
