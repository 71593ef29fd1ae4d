/**
 * The trace-cmd shaped text: one line per step in step order, each of the form
 * `COMM-PID [CPU] FLAGS SECS.USECS: FUNCTION: DETAILS`, hardirq steps flagged `d.h.`, steps
 * taken with interrupts off flagged `d`.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { ftraceText } from '../../src/view/ftrace.ts';

const LINE = /^ *(\S+)-(\d+) \[(\d{3})\] ([d.])\.([h.])\. +(\d+)\.(\d{6}): ([^:]+): (.+)$/;

describe('view: the ftrace text', () => {
  it('one well-formed line per step, in order, with the irq flags', () => {
    const r = simulate({ variant: 'mainline-6.18', scenario: 'et-two-waiters', seed: 4,
      trace: true });
    const text = ftraceText(r.trace!, 3);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('cpus=3');
    const steps = r.trace!.filter((e) => e.step >= 0);
    expect(lines.length - 1).toBe(steps.length);
    let sawHard = false;
    lines.slice(1).forEach((l, i) => {
      const m = LINE.exec(l);
      expect(m, l).not.toBeNull();
      const e = steps[i]!;
      expect(Number(m![6]) * 1e6 + Number(m![7])).toBe(e.step);
      expect(Number(m![3])).toBe(e.cpu);
      expect(m![8]).toBe(e.fn || e.op);
      if (e.who.startsWith('irq@')) {
        sawHard = true;
        expect(`${m![4]}${m![5]}`).toBe('dh');
      }
      if (e.op === 'spin_lock' && e.fn === 'spin_lock_irq') expect(m![4]).toBe('d');
    });
    expect(sawHard).toBe(true);
  });
});
