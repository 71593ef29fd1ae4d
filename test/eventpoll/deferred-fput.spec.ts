/**
 * Deferred fput (issue 10, item 3): the final fput() queues ____fput as task work, and
 * __fput (eventpoll_release, f_op->release, the free) runs when the task returns to user
 * space. 6.18's ep_item_poll() holds a file reference (epi_fget) while it polls, under
 * ep->mtx; when a racing close() leaves the poller's fput() as the last one, the release
 * must not run there: eventpoll_release_file() takes the same ep->mtx.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/api/simulate.ts';
import { fput_file, __fput } from '../../src/eventpoll/syscalls.ts';
import { getVariant, defineVariant } from '../../src/eventpoll/variant.ts';
import type { PollTable } from '../../src/eventpoll/file.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import type { Ctx } from '../../src/sim/context.ts';
import { atomic_add_return, cmpxchg, load, READ_ONCE } from '../../src/sim/mem.ts';
import type { Model } from '../../src/sim/op.ts';
import '../../src/eventpoll/variants.ts';
import { budget } from '../budget.ts';

/** epi_fget(): file_ref_get(), an increment unless the count is already 0. */
function* epi_fget(epi: number): Model<number> {
  const file: number = yield load(epi, 'ffd_file', 'epi_fget');
  let n: number = yield READ_ONCE(file, 'f_count', 'epi_fget');
  while (n !== 0) {
    const old: number = yield cmpxchg(file, 'f_count', n, n + 1, 'epi_fget');
    if (old === n) return file;
    n = old;
  }
  return 0;
}

const base = getVariant('mainline-6.18').ops.ep_item_poll!;

/** ep_item_poll() as 6.18 writes it: poll under a reference of the file, then fput(). */
function* ep_item_poll_fget(c: Ctx, epi: number, pt: PollTable | null, depth: number):
Model<number> {
  const file = yield* epi_fget(epi);
  if (file === 0) return 0;
  const res = yield* base(c, epi, pt, depth);
  yield* fput_file(c, file);
  return res;
}

/** The same with the pre-task_work fput: __fput at once, under ep->mtx. */
function* ep_item_poll_fget_now(c: Ctx, epi: number, pt: PollTable | null, depth: number):
Model<number> {
  const file = yield* epi_fget(epi);
  if (file === 0) return 0;
  const res = yield* base(c, epi, pt, depth);
  const left: number = yield atomic_add_return(file, 'f_count', -1, 'fput');
  if (left === 0) yield* __fput(c, file);
  return res;
}

defineVariant({ name: 'test-epi-fget', base: 'mainline-6.18',
  ops: { ep_item_poll: ep_item_poll_fget } });
defineVariant({ name: 'test-epi-fget-immediate', base: 'mainline-6.18',
  ops: { ep_item_poll: ep_item_poll_fget_now } });

const SEEDS = 3000;

const HARVEST_VS_CLOSE: Scenario = {
  name: 'harvest-vs-close',
  description: 'a harvest polls a ready item while another thread closes its file',
  cpus: 2,
  files: [{ name: 'e', type: 'eventfd', init: 1 }],
  sets: [{ name: 'ep' }],
  watches: [{ set: 'ep', fd: 'e', events: ['IN'] }],
  tasks: [
    { name: 'T1', cpu: 0, program: [{ op: 'epoll_wait', set: 'ep', maxevents: 1, timeout: 0 }] },
    // The sleep lets the close land anywhere in the harvest (a timer may expire at any step).
    { name: 'T2', cpu: 1, program: [{ op: 'sleep', ms: 1 }, { op: 'close', fd: 'e', expect: 0 }] },
  ],
};

/** Whether T1 (the harvester) ran e's release from its task work at its syscall's end. */
function harvesterReleased(seed: number): boolean {
  const r = simulate({ variant: 'test-epi-fget', scenario: HARVEST_VS_CLOSE, seed,
    trace: true });
  const t1 = (r.trace ?? []).filter((e) => e.who === 'T1').map((e) => e.fn);
  const run = t1.indexOf('task_work_run');
  return run >= 0 && t1.indexOf('eventpoll_release_file', run) > run;
}

describe('deferred fput: a reference dropped under ep->mtx', () => {
  it('is clean when the last fput is the harvester\'s (release at its syscall end), over ' +
    '10,002 schedules (random, pct, portfolio)', () => {
    let runs = 0;
    for (const strategy of ['random', 'pct', 'portfolio']) {
      for (let seed = 0; seed < budget(3334); seed++) {
        const r = simulate({ variant: 'test-epi-fget', scenario: HARVEST_VS_CLOSE, seed,
          strategy });
        expect(r.violations).toEqual([]);
        runs++;
      }
    }
    expect(runs).toBe(3 * budget(3334));
    // The racy order (T2's close first, T1's fput last) is among them.
    let released = false;
    for (let seed = 0; seed < SEEDS && !released; seed++) released = harvesterReleased(seed);
    expect(released).toBe(true);
  }, 120_000);

  it('an fput that released at once would be P4 recursive locking of ep->mtx', () => {
    let found: string | undefined;
    for (let seed = 0; seed < SEEDS && found === undefined; seed++) {
      const r = simulate({ variant: 'test-epi-fget-immediate', scenario: HARVEST_VS_CLOSE,
        seed });
      if (r.violations.length > 0) {
        expect(r.violations[0]).toMatchObject({ property: 'P4-locking' });
        found = `seed ${seed}: ${r.violations[0]!.kind}: ${r.violations[0]!.message}`;
      }
    }
    expect(found).toMatch(/ep\.mtx/);
  });

  it('the release is in the trace: close() queues ____fput and runs it at its end', () => {
    const r = simulate({ variant: 'mainline-6.18', scenario: 'close-vs-close', seed: 0,
      trace: true });
    const fns = (r.trace ?? []).filter((e) => e.who === 'T2').map((e) => e.fn);
    const add = fns.indexOf('task_work_add');
    const run = fns.indexOf('task_work_run');
    expect(add).toBeGreaterThan(fns.indexOf('fput'));
    expect(run).toBeGreaterThan(add);
    expect(fns.indexOf('eventpoll_release_file')).toBeGreaterThan(run);
  });
});
