/**
 * Property tests: under any interleaving (fast-check generated choice lists, which shrink to
 * a minimal schedule) and under SC and TSO, every lock serialises a non-atomic increment
 * (no update is lost), writers exclude everyone, and the run ends with every context done.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutex_init, mutex_lock, mutex_unlock } from '../../src/locks/mutex.ts';
import {
  read_lock, read_unlock, rwlock_init, write_lock_irq, write_unlock_irq,
} from '../../src/locks/rwlock.ts';
import { down_read, down_write, init_rwsem, up_read, up_write } from '../../src/locks/rwsem.ts';
import {
  spin_lock, spin_lock_init, spin_lock_irqsave, spin_unlock, spin_unlock_irqrestore,
} from '../../src/locks/spinlock.ts';
import type { Ctx } from '../../src/sim/context.ts';
import type { Machine } from '../../src/sim/machine.ts';
import { load } from '../../src/sim/mem.ts';
import type { MemoryMode } from '../../src/sim/memory.ts';
import type { Model } from '../../src/sim/op.ts';
import type { Scheduler } from '../../src/sim/scheduler.ts';
import { ChoicesScheduler } from '../../src/sim/schedulers/choices.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import { global, increment, machine, vars } from './helpers.ts';

type Kind = 'spinlock' | 'rwlock' | 'mutex' | 'rwsem';

/** Critical-section bookkeeping (local code between yields is atomic, so this is exact). */
class Sections {
  writers = 0;
  readers = 0;
  maxReaders = 0;
  bad = 0;
  enterW(): void {
    this.writers++;
    if (this.writers > 1 || this.readers > 0) this.bad++;
  }
  exitW(): void {
    this.writers--;
  }
  enterR(): void {
    this.readers++;
    if (this.writers > 0) this.bad++;
    if (this.readers > this.maxReaders) this.maxReaders = this.readers;
  }
  exitR(): void {
    this.readers--;
  }
}

interface Lock {
  w(c: Ctx): Model<unknown>;
  wu(c: Ctx, f: unknown): Model<void>;
  r(c: Ctx): Model<unknown>;
  ru(c: Ctx, f: unknown): Model<void>;
  /** Readers/writers in hardirq context (spinning locks only). */
  irq: boolean;
  /** Two tasks per CPU (sleeping locks switch tasks). */
  perCpu: number;
}

function lockOf(m: Machine, kind: Kind): Lock {
  switch (kind) {
    case 'spinlock': {
      const l = spin_lock_init(m, 'l');
      return {
        w: (c) => spin_lock_irqsave(c, l), wu: (c, f) => spin_unlock_irqrestore(c, l, f as number),
        r: (c) => (c.irq ? spin_lock(c, l) : spin_lock_irqsave(c, l)),
        ru: (c, f) => (c.irq ? spin_unlock(c, l) : spin_unlock_irqrestore(c, l, f as number)),
        irq: true, perCpu: 1,
      };
    }
    case 'rwlock': {
      const l = rwlock_init(m, 'rw');
      return {
        w: (c) => write_lock_irq(c, l), wu: (c) => write_unlock_irq(c, l),
        r: (c) => read_lock(c, l), ru: (c) => read_unlock(c, l), irq: true, perCpu: 1,
      };
    }
    case 'mutex': {
      const mu = mutex_init(m, 'mu');
      return {
        w: (c) => mutex_lock(c, mu), wu: (c) => mutex_unlock(c, mu),
        r: (c) => mutex_lock(c, mu), ru: (c) => mutex_unlock(c, mu), irq: false, perCpu: 2,
      };
    }
    case 'rwsem': {
      const s = init_rwsem(m, 'sem');
      return {
        w: (c) => down_write(c, s), wu: (c) => up_write(c, s),
        r: (c) => down_read(c, s), ru: (c) => up_read(c, s), irq: false, perCpu: 2,
      };
    }
  }
}

const SHARED = (k: Kind): boolean => k === 'rwlock' || k === 'rwsem';

/** One run: tasks write (increment) and read; IRQs read. Returns what the property checks. */
function exclusion(kind: Kind, mode: MemoryMode, sched: Scheduler, seed = 0, ncpu = 2,
  iters = 2) {
  const m = machine(ncpu, mode, seed);
  const lock = lockOf(m, kind);
  const v = vars(m);
  const s = new Sections();
  let writes = 0;
  const reader = function* (c: Ctx): Model<void> {
    const f = yield* lock.r(c);
    if (SHARED(kind)) s.enterR(); else s.enterW();
    yield load(v, 'v', 'reader');
    if (SHARED(kind)) s.exitR(); else s.exitW();
    yield* lock.ru(c, f);
  };
  for (let i = 0; i < ncpu * lock.perCpu; i++) {
    m.addTask({
      name: `T${i}`, cpu: i % ncpu,
      body: function* (c: Ctx): Model<void> {
        for (let k = 0; k < iters; k++) {
          const f = yield* lock.w(c);
          s.enterW();
          yield* increment(v);
          s.exitW();
          yield* lock.wu(c, f);
          writes++;
          yield* reader(c);
        }
      },
    });
  }
  if (lock.irq) {
    for (let cpu = 0; cpu < ncpu; cpu++) {
      m.addIrqSource({ name: `irq${cpu}`, cpu, count: 1, handler: reader });
    }
  }
  const out = m.run(sched);
  return { out, count: global(m, v, 'v'), writes, s };
}

const KINDS: Kind[] = ['spinlock', 'rwlock', 'mutex', 'rwsem'];
const MODES: MemoryMode[] = ['sc', 'tso'];

describe('locks: mutual exclusion under interleavings (fast-check seed 0x10c5)', () => {
  for (const kind of KINDS) {
    it(`${kind}: no lost update, writers exclusive (SC and TSO, choice lists)`, () => {
      fc.assert(fc.property(
        fc.constantFrom(...MODES), fc.array(fc.nat(), { maxLength: 200 }),
        (mode, choices) => {
          const r = exclusion(kind, mode, new ChoicesScheduler(choices));
          expect(r.out.violations).toEqual([]);
          expect(r.out.status).toBe('done');
          expect(r.s.bad).toBe(0);
          expect(r.count).toBe(r.writes);
        }), { seed: 0x10c5, numRuns: 40 });
    });
  }

  for (const kind of KINDS) {
    for (const mode of MODES) {
      const seeds = SHARED(kind) ? 60 : 30;
      it(`${kind} (${mode}): random scheduler, seeds 0..${seeds - 1}, 3 CPUs`, () => {
        let maxReaders = 0;
        for (let seed = 0; seed < seeds; seed++) {
          const r = exclusion(kind, mode, new RandomScheduler(), seed, 3, 2);
          expect(r.out.violations).toEqual([]);
          expect(r.out.status).toBe('done');
          expect(r.s.bad).toBe(0);
          expect(r.count).toBe(r.writes);
          maxReaders = Math.max(maxReaders, r.s.maxReaders);
        }
        // Shared locks do let readers in together (some seed overlaps them).
        if (SHARED(kind)) expect(maxReaders).toBeGreaterThanOrEqual(2);
      });
    }
  }
});
