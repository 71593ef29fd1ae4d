// A variant for test/cli/limits.spec.ts: mainline-6.18 whose ep_send_events spins forever
// (smp_mb in a loop, never making progress) when a task named T1 harvests,
// so some executions of a campaign go over the step limit and others finish. Preloaded with
// `node --import`; it imports the compiled package, as bin/eventpoll-sim.js does.
import { defineVariant, getVariant } from '../../dist/index.js';
import { smp_mb } from '../../dist/model.js';

const base = getVariant('mainline-6.18');
defineVariant({
  name: 'livelock-send-events',
  base,
  ops: {
    *ep_send_events(c, ep, out, maxevents) {
      if (c.name === 'T1') for (;;) yield smp_mb('ep_send_events');
      return yield* base.ops.ep_send_events(c, ep, out, maxevents);
    },
  },
});
