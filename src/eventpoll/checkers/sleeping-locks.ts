/**
 * Sleeping deadlocks: at quiescence (nothing can run any more), a task still asleep in a
 * sleeping lock's slow path (mutex_lock, down_read, down_write) can never be woken. The
 * machine reports spinning deadlocks itself; a sleeper is not spinning, so without this
 * check two tasks asleep on each other's `ep->mtx` would end the run as clean.
 *
 * - A cycle in the wait-for graph (T1 waits for a lock T2 holds, T2 for one T1 holds, ...)
 *   is `P4-locking` / `deadlock`, the cycle in the message. Lockdep-lite misses such a
 *   cycle when both locks are of one class taken with subclasses (mutex_lock_nested), as
 *   the kernel's lockdep does.
 * - Otherwise (the holder exited with the lock, sleeps elsewhere, or nobody holds it and
 *   the wakeup was lost) it is `P7-liveness` / `asleep-forever`.
 *
 * Every task's state is in the details. Tasks asleep in epoll_wait or poll(2) with no
 * timeout are not judged here: P1 decides whether such a sleep lost a wakeup.
 */
import type { BlockedOn } from '../../sim/context.ts';
import { DONE, SLEEPING } from '../../sim/context.ts';
import type { Machine, Observer } from '../../sim/machine.ts';

type Task = ReturnType<Machine['contexts']>[number];

function blockedOn(c: Task): BlockedOn | undefined {
  return c.status === SLEEPING ? c.local.blockedOn as BlockedOn | undefined : undefined;
}

/** One line per task: what it waits for and who holds it, or how it ended. */
function describe(m: Machine, c: Task, name: (task: number) => string): string {
  const b = blockedOn(c);
  if (b !== undefined) {
    const holders = b.holders(m, b.lock).map(name);
    return `${c.name} waits for ${m.arena.label(b.lock)} (${b.op}) held by ` +
      (holders.length > 0 ? holders.join(', ') : 'nobody');
  }
  if (c.status === DONE) return `${c.name} has exited`;
  if (c.status !== SLEEPING) return `${c.name} is runnable`;
  const ep = c.local.waitingOn as number | undefined;
  return ep !== undefined ? `${c.name} asleep in epoll_wait on ${m.arena.label(ep)}`
    : `${c.name} asleep in ${c.fn || 'schedule()'}`;
}

/** The sleeping-deadlock observer (always on in scenario runs). */
export const sleepingLocks: Observer = {
  name: 'P4-sleeping-deadlock',
  atEnd(m: Machine, quiescent: boolean): void {
    if (!quiescent) return;
    const tasks = m.contexts().filter((c) => !c.irq && c.task !== 0);
    const blocked = tasks.filter((c) => blockedOn(c) !== undefined);
    if (blocked.length === 0) return;
    const byTask = new Map<number, Task>(tasks.map((c) => [c.task, c]));
    const name = (t: number): string => byTask.get(t)?.name ?? m.arena.label(t);
    // Follow "waits for a lock held by" from each blocked task until a task repeats.
    let cycle: Task[] | undefined;
    for (const start of blocked) {
      // Stryker disable next-line ArrayDeclaration: a stray first element is never a task
      const path: Task[] = [];
      let at: Task | undefined = start;
      while (at !== undefined && !path.includes(at)) {
        path.push(at);
        const b: BlockedOn | undefined = blockedOn(at);
        if (b === undefined) {
          at = undefined;
          break;
        }
        at = b.holders(m, b.lock).map((t) => byTask.get(t)).find((x) => x !== undefined);
      }
      // Stryker disable next-line LogicalOperator: path never holds undefined
      if (at !== undefined && path.includes(at)) {
        cycle = path.slice(path.indexOf(at));
        break;
      }
    }
    const details = tasks.map((c) => describe(m, c, name));
    const first = cycle?.[0] ?? blocked[0]!;
    if (cycle !== undefined) {
      m.report({ property: 'P4-locking', kind: 'deadlock',
        message: `sleeping deadlock: ${cycle.map((c) => describe(m, c, name)).join('; ')}`,
        ctx: first.id, cpu: first.cpu, details });
    } else {
      const others = details.filter((d) => !d.startsWith(`${first.name} `));
      m.report({ property: 'P7-liveness', kind: 'asleep-forever',
        message: `${describe(m, first, name)}, and nothing can wake it any more` +
          (others.length > 0 ? `: ${others.join('; ')}` : ''),
        ctx: first.id, cpu: first.cpu, details });
    }
  },
};
