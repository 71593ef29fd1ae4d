/**
 * Canary: the list-integrity checking must catch a planted bug. Concurrent lockless tail
 * adds (what ep_poll_callback() does under the read side of `ep->lock` in v5.1 to v6.17) stay
 * intact; a mutant that mixes lockless head adds with lockless tail adds must be reported as
 * list corruption within the seed budget, and its first failing seed is pinned.
 *
 * No rwlock is taken: in the kernel the read lock only keeps out the writers (plain list
 * operations under the write lock), and these scenarios have none.
 *
 * Where the mutant breaks: only while the list is empty. On a non-empty list a head add and
 * a tail add write disjoint fields (`head->next`, `first->prev` versus `head->prev`,
 * `last->next`), so the mix is harmless there; the last test pins that down. Every scenario
 * here starts from an empty `rdllist`, as epoll does after each scan, which is why the very
 * first seed already fails.
 */
import { describe, expect, it } from 'vitest';
import { list_add_lockless_head_MUTANT as HEAD_MUTANT, list_add_tail_lockless as TAIL } from
  '../../src/queues/list-lockless.ts';
import { checkList, list_head_alloc, listOwners } from '../../src/queues/list.ts';
import type { RunOutcome } from '../../src/sim/machine.ts';
import { RandomScheduler } from '../../src/sim/schedulers/random.ts';
import { machine } from './helpers.ts';
import { type Adder, lockless } from './lockless-scenario.ts';

/** Seeds searched (random scheduler, TSO, 3 CPUs, 2 adds each). */
const BUDGET = 2000;
/** The first failing seed of the mutant scenario, found by the search below. */
const PINNED_MUTANT_SEED = 0;

function run(adders: readonly Adder[], seed: number, fifo: boolean): RunOutcome {
  const s = lockless({ memory: 'tso', seed, adders, per: 2, fifo });
  return s.m.run(new RandomScheduler());
}

const MUTANT_MIX: readonly Adder[] = [HEAD_MUTANT, TAIL, TAIL];
const ALL_TAIL: readonly Adder[] = [TAIL, TAIL, TAIL];

describe('canary: concurrent lockless tail adds under a read lock stay intact, while a ' +
  'mutant mixing lockless head and tail adds is reported as list corruption ' +
  `(tso, random scheduler, seeds 0..${BUDGET - 1})`, () => {
  it(`the mutant mix fails at the pinned seed ${PINNED_MUTANT_SEED} as P2 list corruption`,
    () => {
      const out = run(MUTANT_MIX, PINNED_MUTANT_SEED, false);
      expect(out.status).toBe('violation');
      expect(out.violations[0]!.property).toBe('P2-list-integrity');
      expect(out.violations[0]!.kind).toBe('list-corruption');
      expect(out.violations[0]!.message).toMatch(/^list rdllist: /);
    });

  it('a search over the budget finds the mutant, first at the pinned seed', () => {
    let first = -1;
    for (let seed = 0; seed < BUDGET && first < 0; seed++) {
      if (run(MUTANT_MIX, seed, false).status !== 'done') first = seed;
    }
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBe(PINNED_MUTANT_SEED);
  });

  it('concurrent lockless tail adds stay intact, in FIFO order per producer, for every seed',
    () => {
      for (let seed = 0; seed < BUDGET; seed++) {
        const out = run(ALL_TAIL, seed, true);
        if (out.status !== 'done') {
          throw new Error(`seed ${seed}: ${out.violations.map((v) => v.message).join('; ')}`);
        }
      }
    });

  it('lockless head adds alone are intact too: the bug is the mix', () => {
    for (let seed = 0; seed < BUDGET; seed += 4) {
      const out = run([HEAD_MUTANT, HEAD_MUTANT, HEAD_MUTANT], seed, false);
      expect(out.status).toBe('done');
    }
  });

  it('the mutant mix is harmless on a non-empty list (the two ends are disjoint)', () => {
    for (let seed = 0; seed < 500; seed++) {
      const m = machine(3, 'tso', seed);
      const head = list_head_alloc(m, 0, 'rdllist');
      const pre = list_head_alloc(m, m.alloc('epitem', {}), 'pre');
      // Link `pre` in at allocation time (still private, so no steps).
      const o = m.arena.objs;
      o[head]!.next = pre;
      o[head]!.prev = pre;
      o[pre]!.next = head;
      o[pre]!.prev = head;
      MUTANT_MIX.forEach((adder, cpu) => {
        const links = [0, 1].map(() => list_head_alloc(m, m.alloc('epitem', {})));
        m.addTask({
          name: `P${cpu}`, cpu,
          body: function* (c) { for (const l of links) yield* adder(c, l, head); },
        });
      });
      const out = m.run(new RandomScheduler());
      expect(out.status).toBe('done');
      expect(checkList(m, head)).toBeUndefined();
      expect(listOwners(m, head).length).toBe(7);
    }
  });
});
