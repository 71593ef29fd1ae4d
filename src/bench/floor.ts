/**
 * The machine's floor: the step rate of a model that does nothing but a load and a store
 * per round, called through `depth` nested generator functions, on 4 CPUs in SC mode with
 * no observer. It bounds what any model on this machine can reach: the eventpoll model's
 * steps run 5 to 8 calls deep (syscall, ep_poll, ep_send_events, a lock, a list helper).
 */
import type { Ctx } from '../sim/context.ts';
import { Machine } from '../sim/machine.ts';
import { load, store } from '../sim/mem.ts';
import type { Model } from '../sim/op.ts';
import { RandomScheduler } from '../sim/schedulers/random.ts';

function* leaf(h: number): Model<void> {
  const v: number = yield load(h, 'n');
  yield store(h, 'n', v + 1);
}

function* nest(h: number, depth: number): Model<void> {
  if (depth <= 1) yield* leaf(h);
  else yield* nest(h, depth - 1);
}

function* rounds(_c: Ctx, h: number, depth: number): Model<void> {
  for (let i = 0; i < 100; i++) yield* nest(h, depth);
}

/** One execution: 4 tasks of 100 rounds each; returns its step count. */
export function floorRun(seed: number, depth: number): number {
  const m = new Machine({ ncpu: 4, memory: 'sc', seed });
  const h = m.alloc('counter', { n: 0 });
  for (let t = 0; t < 4; t++) {
    m.addTask({ name: `T${t}`, cpu: t, body: (c) => rounds(c, h, depth) });
  }
  return m.run(new RandomScheduler()).steps;
}
