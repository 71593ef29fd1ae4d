/**
 * Core benchmark: the machine alone on a reference workload (4 CPUs taking an IRQ-safe
 * spinlock and editing a shared list, interrupts taking a second lock, TSO on, a
 * list-integrity checker after every step), as a ratio to the bare generator loop.
 */
import type { MemoryMode } from '../sim/memory.ts';
import { lock_is_busy } from '../locks/busy.ts';
import { spin_lock, spin_lock_init, spin_lock_irq, spin_unlock, spin_unlock_irq }
  from '../locks/spinlock.ts';
import { checkList, list_add_tail, list_del_init, list_head_alloc } from '../queues/list.ts';
import type { Ctx } from '../sim/context.ts';
import { Machine } from '../sim/machine.ts';
import { load, store } from '../sim/mem.ts';
import type { Model } from '../sim/op.ts';
import { RandomScheduler } from '../sim/schedulers/random.ts';

/** A task: four rounds of taking the IRQ-safe lock and adding/removing its node. */
function* task(c: Ctx, lock: number, node: number, head: number): Model<void> {
  for (let i = 0; i < 4; i++) {
    yield* spin_lock_irq(c, lock);
    yield* list_add_tail(c, node, head);
    yield* list_del_init(c, node);
    yield* spin_unlock_irq(c, lock);
  }
}

/** An interrupt: bumps a counter under a second lock. */
function* handler(c: Ctx, irqLock: number, counter: number): Model<void> {
  yield* spin_lock(c, irqLock);
  const n: number = yield load(counter, 'n');
  yield store(counter, 'n', n + 1);
  yield* spin_unlock(c, irqLock);
}

/**
 * Builds and runs one execution of the reference workload (under TSO unless `memory` says
 * otherwise); returns its step count. The
 * generator functions are module-level: a generator function made per run (a closure)
 * gives its generator objects a new hidden class each run, which would measure V8's
 * megamorphic paths rather than the machine.
 */
export function coreRun(seed: number, checkers: boolean, memory: MemoryMode = 'tso'): number {
  const m = new Machine({ ncpu: 4, memory, seed });
  const lock = spin_lock_init(m, 'L', 'L');
  const irqLock = spin_lock_init(m, 'I', 'I');
  const head = list_head_alloc(m, 0, 'head');
  const counter = m.alloc('counter', { n: 0 });
  for (let t = 0; t < 4; t++) {
    const node = list_head_alloc(m, 0, `n${t}`);
    m.addTask({ name: `T${t}`, cpu: t, body: (c) => task(c, lock, node, head) });
  }
  for (let q = 0; q < 2; q++) {
    m.addIrqSource({ name: `irq${q}`, cpu: q * 2, count: 3,
      handler: (c) => handler(c, irqLock, counter) });
  }
  if (checkers) {
    m.addObserver({
      name: 'list',
      afterWritesOnly: true,
      afterStep(mm) {
        if (lock_is_busy(mm, lock)) return;
        if (checkList(mm, head) !== undefined) throw new Error('corrupt list in the benchmark');
      },
    });
  }
  return m.run(new RandomScheduler()).steps;
}
