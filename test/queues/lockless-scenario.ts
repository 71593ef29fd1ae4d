/**
 * The scenario of the lockless-add tests and the canary: several CPUs, each adding its own
 * entries to one shared list with a lockless add (one adder function per CPU), optionally
 * with an interrupt source adding more from hardirq context. At the end an observer reports
 * as P2 list corruption a malformed list, or a list that does not hold every entry exactly
 * once in per-producer order (for `fifo`; head adds reverse a producer's order).
 */
import { checkList, list_head_alloc, listOwners } from '../../src/queues/list.ts';
import type { Ctx } from '../../src/sim/context.ts';
import type { Machine } from '../../src/sim/machine.ts';
import type { MemoryMode } from '../../src/sim/memory.ts';
import type { Model } from '../../src/sim/op.ts';
import { atEnd, fifoPerProducer, machine } from './helpers.ts';

/** A lockless add: list_add_tail_lockless or the mutant. */
export type Adder = (c: Ctx, n: number, head: number) => Model<boolean>;

/** What to build. */
export interface LocklessSpec {
  memory: MemoryMode;
  seed?: number;
  /** One adder per CPU. */
  adders: readonly Adder[];
  /** Entries each CPU's task adds. */
  per: number;
  /** An interrupt source on CPU `cpu` adding `count` entries with `adder`. */
  irq?: { cpu: number; count: number; adder: Adder };
  /** Check per-producer order too (only meaningful when every adder is a tail add). */
  fifo: boolean;
}

/** The built machine, the list head and every producer's entry owners in add order. */
export interface Lockless {
  m: Machine;
  head: number;
  owners: number[][];
  /** Set when an add returned false (no entry is ever added twice here). */
  lostRace: boolean;
}

/** Builds the scenario; run it with `m.run(scheduler)`. */
export function lockless(spec: LocklessSpec): Lockless {
  const m = machine(spec.adders.length, spec.memory, spec.seed ?? 0);
  const head = list_head_alloc(m, 0, 'rdllist');
  const owners: number[][] = [];
  const s: Lockless = { m, head, owners, lostRace: false };
  const entries = (p: number, n: number): number[] => {
    const links: number[] = [];
    const own: number[] = [];
    for (let i = 0; i < n; i++) {
      const epi = m.alloc('epitem', { id: p * 100 + i }, `epi${p}.${i}`);
      own.push(epi);
      links.push(list_head_alloc(m, epi, `rdllink${p}.${i}`));
    }
    owners.push(own);
    return links;
  };
  spec.adders.forEach((adder, cpu) => {
    const links = entries(cpu, spec.per);
    m.addTask({
      name: `P${cpu}`, cpu,
      body: function* (c) {
        for (const l of links) if (!(yield* adder(c, l, head))) s.lostRace = true;
      },
    });
  });
  if (spec.irq) {
    const { adder, cpu, count } = spec.irq;
    const links = entries(spec.adders.length, count);
    let next = 0;
    m.addIrqSource({
      name: 'irq', cpu, count,
      handler: function* (c) {
        if (!(yield* adder(c, links[next++]!, head))) s.lostRace = true;
      },
    });
  }
  m.addObserver(atEnd('list-integrity', (mm) => {
    const bad = checkList(mm, head);
    if (bad !== undefined) return bad;
    const got = listOwners(mm, head);
    if (spec.fifo) return fifoPerProducer(got, owners);
    const want = owners.flat().length;
    if (got.length !== want || new Set(got).size !== want) {
      return `list holds ${got.length} entries (${new Set(got).size} distinct), want ${want}`;
    }
    return undefined;
  }));
  return s;
}
