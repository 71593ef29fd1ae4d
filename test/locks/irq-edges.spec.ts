/**
 * local_irq_disable/enable/save/restore and irqs_disabled() on one CPU: the state each call
 * leaves, and the trace's `irqs off` / `irqs on` notes, which must appear only when the
 * state really changes (a second local_irq_disable() is a no-op, as on x86).
 */
import { describe, expect, it } from 'vitest';
import {
  irqs_disabled, local_irq_disable, local_irq_enable, local_irq_restore, local_irq_save,
} from '../../src/locks/irq.ts';
import type { Ctx } from '../../src/sim/context.ts';
import { Machine, type RunOutcome } from '../../src/sim/machine.ts';
import { load } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { vars } from './helpers.ts';

/** Runs `body` as task T0 on a traced 1-CPU machine (after one real op, see irq.ts). */
function runTraced(body: (c: Ctx) => void): RunOutcome {
  const m = new Machine({ ncpu: 1, memory: 'sc', seed: 0, trace: true });
  const v = vars(m);
  m.addTask({
    name: 'T0', cpu: 0,
    body: function* (c: Ctx): Model<void> {
      yield load(v, 'v');
      body(c);
      yield load(v, 'v');
    },
  });
  return m.run(new ChoicesScheduler([]));
}

/** The interrupt-state notes of a run's trace, in order. */
function irqNotes(out: RunOutcome): string[] {
  return out.trace!.filter((e) => e.op === 'note' && /^irqs (on|off)$/.test(e.value))
    .map((e) => e.value);
}

describe('locks: irq: local_irq_disable / local_irq_enable', () => {
  it('a second local_irq_disable() changes nothing; one local_irq_enable() undoes both', () => {
    const seen: boolean[] = [];
    const out = runTraced((c) => {
      seen.push(irqs_disabled(c));
      local_irq_disable(c);
      local_irq_disable(c);
      seen.push(irqs_disabled(c));
      local_irq_enable(c);
      seen.push(irqs_disabled(c));
      // Already enabled: nothing to do (no lockdep_hardirqs_on, no state change).
      local_irq_enable(c);
      seen.push(irqs_disabled(c));
    });
    expect(out.violations).toEqual([]);
    expect(seen).toEqual([false, true, false, false]);
    expect(irqNotes(out)).toEqual(['irqs off', 'irqs on']);
  });

  it('irqs_disabled() reads the CPU state set by the machine', () => {
    const m = new Machine({ ncpu: 2, memory: 'sc', seed: 0 });
    const seen: boolean[] = [];
    m.setup('setup', function* (c: Ctx): Model<void> {
      seen.push(irqs_disabled(c));
      m.setIrqDisabled(c, 1);
      seen.push(irqs_disabled(c));
      m.setIrqDisabled(c, 0);
      seen.push(irqs_disabled(c));
    });
    expect(seen).toEqual([false, true, false]);
  });
});

describe('locks: irq: local_irq_save / local_irq_restore', () => {
  it('nested save/restore: the inner pair changes nothing, the outer restores "on"', () => {
    const flags: number[] = [];
    const seen: boolean[] = [];
    const out = runTraced((c) => {
      const outer = local_irq_save(c);
      const inner = local_irq_save(c);
      flags.push(outer, inner);
      local_irq_restore(c, inner);
      seen.push(irqs_disabled(c));
      local_irq_restore(c, outer);
      seen.push(irqs_disabled(c));
    });
    expect(out.violations).toEqual([]);
    expect(flags).toEqual([0, 1]);
    expect(seen).toEqual([true, false]);
    expect(irqNotes(out)).toEqual(['irqs off', 'irqs on']);
  });

  it('local_irq_restore(flags "off") masks interrupts again after an enable in between', () => {
    const seen: boolean[] = [];
    const out = runTraced((c) => {
      local_irq_disable(c);
      const flags = local_irq_save(c);
      local_irq_enable(c);
      seen.push(irqs_disabled(c));
      local_irq_restore(c, flags);
      seen.push(irqs_disabled(c));
      local_irq_enable(c);
    });
    expect(out.violations).toEqual([]);
    expect(seen).toEqual([false, true]);
    expect(irqNotes(out)).toEqual(['irqs off', 'irqs on', 'irqs off', 'irqs on']);
  });

  it('local_irq_save with interrupts on returns 0 and masks them once', () => {
    const flags: number[] = [];
    const out = runTraced((c) => {
      flags.push(local_irq_save(c));
      flags.push(c.m.irqDisabled(c.cpu));
      local_irq_restore(c, flags[0]!);
      flags.push(c.m.irqDisabled(c.cpu));
    });
    expect(flags).toEqual([0, 1, 0]);
    expect(irqNotes(out)).toEqual(['irqs off', 'irqs on']);
  });
});
