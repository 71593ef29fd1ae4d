// A variant for test/cli/failures.spec.ts (the fuzz pool's watchdog): mainline-6.18 whose
// ep_alloc never returns in a worker thread (an endless loop that sends nothing), and works
// on the main thread. Preloaded with `node --import`, so workers import it too. It imports
// the compiled package, as bin/eventpoll-sim.js does (one registry).
import { isMainThread } from 'node:worker_threads';
import { defineVariant, getVariant } from '../../dist/index.js';

const base = getVariant('mainline-6.18');
defineVariant({
  name: 'hang-in-worker',
  base,
  ops: {
    ep_alloc(c, label) {
      if (!isMainThread) for (;;);
      return base.ops.ep_alloc(c, label);
    },
  },
});
