/**
 * include/linux/irqflags.h @ v6.18: local_irq_disable(), local_irq_enable(),
 * local_irq_save(), local_irq_restore() on the simulated CPU.
 *
 * Interrupt masking is CPU-local and not a memory access, so these are plain functions, not
 * model steps: the machine's `setIrqDisabled` explains why no interleaving is lost.
 *
 * Like the x86 IF flag, the state is on or off: the machine's depth is only ever 0 or 1
 * here, so two local_irq_disable() calls are undone by one local_irq_enable(), as in the
 * kernel, and local_irq_save()/local_irq_restore() nest because `flags` carries the state
 * found. Enabling interrupts tells lockdep (lockdep_hardirqs_on), which marks the spinlocks
 * still held as taken with IRQs enabled.
 *
 * CONTRACT: `c` is the context running on its CPU. That holds for all model code after a
 * context's first op; the code before a task's first op runs when the task is added, so a
 * task body should not start by masking interrupts (start it with a real op).
 */
import type { Ctx } from '../sim/context.ts';
import { lockdep_irq_enable_in_hardirq } from './lockdep-context.ts';
import { lockdep_hardirqs_on } from './lockdep.ts';

/** `local_irq_disable()`: masks interrupts on this CPU. */
export function local_irq_disable(c: Ctx): void {
  if (c.m.irqDisabled(c.cpu) === 0) c.m.setIrqDisabled(c, 1);
}

/**
 * `local_irq_enable()`: unmasks interrupts on this CPU. In a hardirq handler this is a
 * lockdep warning and is ignored (the machine ends the handler with interrupts on anyway).
 */
export function local_irq_enable(c: Ctx): void {
  if (c.irq) {
    lockdep_irq_enable_in_hardirq(c);
    return;
  }
  if (c.m.irqDisabled(c.cpu) === 0) return;
  c.m.setIrqDisabled(c, 0);
  lockdep_hardirqs_on(c);
}

/** `local_irq_save(flags)`: masks interrupts and returns the state found (0 = enabled). */
export function local_irq_save(c: Ctx): number {
  const flags = c.m.irqDisabled(c.cpu);
  if (flags === 0) c.m.setIrqDisabled(c, 1);
  return flags;
}

/** `local_irq_restore(flags)`: returns to the state `local_irq_save` found. */
export function local_irq_restore(c: Ctx, flags: number): void {
  if (flags === 0) {
    local_irq_enable(c);
    return;
  }
  if (c.m.irqDisabled(c.cpu) === 0) c.m.setIrqDisabled(c, flags);
}

/** `irqs_disabled()`. */
export function irqs_disabled(c: Ctx): boolean {
  return c.m.irqDisabled(c.cpu) !== 0;
}
