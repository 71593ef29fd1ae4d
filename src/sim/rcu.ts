/**
 * RCU grace periods as the machine sees them (kernel/rcu/tree.c @ v6.18, reduced to what
 * the model can observe): which contexts are inside a read-side critical section, the grace
 * period in progress and the contexts it still waits for, and the callbacks queued behind
 * it. The kernel API on top of this is `locks/rcu.ts`.
 *
 * A grace period starts when someone needs one (call_rcu, kfree_rcu, synchronize_rcu) and
 * none is in progress. It waits for the contexts that were inside a read-side section when
 * it started; each one reports its quiescent state when it leaves its outermost section.
 * Once none is left, its end is a scheduler choice (`Z0.`, see schedule.ts) that the machine
 * offers like a store-buffer write-back: the callbacks queued before it started run then.
 * Tree RCU's rule is per CPU (a CPU passes a quiescent state when it is outside a read-side
 * section); read-side sections here never sleep (the kernel's non-preemptible RCU, checked in
 * `schedule()`), so a CPU's contexts inside one are exactly the ones running or interrupted
 * there, and waiting per context is the same rule. The kernel may end a grace period later
 * (at the next tick or context switch), never earlier: every schedule the kernel can produce
 * is offered.
 *
 * A need that finds no context inside a read-side section is met at once (the callback runs,
 * synchronize_rcu returns): no reader can hold a reference the grace period protects, so no
 * execution can tell an immediate free from a later one, except one that reaches the object
 * after it was unlinked, and the immediate free shows that one soonest. This keeps the
 * schedules of runs without readers as they were before grace periods existed.
 *
 * Memory ordering (the guarantee Documentation/RCU/Design/Memory-Ordering describes, checked
 * by the litmus tests RCU+sync+free and RCU+sync+read): every CPU executes a full barrier
 * during a grace period, here at its end (and at once for a grace period met at once), and a
 * reader that enters during a grace period without being waited for is on a CPU that passed
 * its quiescent state, so it enters after a full barrier. The barriers are made by the
 * machine (the end) and by locks/rcu.ts (the rest); this file only says when.
 *
 * Everything here is plain data, visited in insertion order (no iteration over unordered
 * state), so runs stay deterministic and a prepared setup can be copied.
 */

/** A callback queued behind a grace period: here always the free of one object. */
export interface RcuCallback {
  /** The grace period whose end runs it. */
  readonly gp: number;
  /** The object to free. */
  readonly h: number;
  /** What the kernel calls (`kfree_rcu`, `epi_rcu_free`). */
  readonly func: string;
  /** Where it was queued: the kernel function, the context and the step. */
  readonly fn: string;
  readonly ctx: number;
  readonly step: number;
}

/** The state of RCU in one run. */
export class RcuState {
  /** Read-side nesting depth per context id (rcu_read_lock_nesting). */
  readonly depth: number[] = [];
  /** Grace periods completed (rcu_state.gp_seq, counted in whole grace periods). */
  completed = 0;
  /** True while grace period `completed + 1` is in progress. */
  active = false;
  /** Context ids the grace period in progress still waits for, in the order they entered. */
  waiting: number[] = [];
  /** The latest grace period anyone needs (0: none beyond `completed`). */
  needed = 0;
  /** Queued callbacks, oldest first. */
  callbacks: RcuCallback[] = [];
  /**
   * Counts read-side entries and exits and grace-period needs, for partial-order reduction
   * (sim/por.ts): a step that changes it touches RCU's state. Not hashed.
   */
  events = 0;

  /** The read-side depth of context `id`. */
  depthOf(id: number): number {
    return this.depth[id] ?? 0;
  }

  /** The contexts inside a read-side section now, in id order. */
  readers(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.depth.length; i++) if ((this.depth[i] ?? 0) > 0) out.push(i);
    return out;
  }

  /**
   * rcu_read_lock() by context `id`. Returns true when it enters its outermost section
   * during a grace period that does not wait for it: its CPU then passed its quiescent
   * state for that grace period before the section began, which the kernel orders with a
   * full barrier (the caller makes it; see locks/rcu.ts).
   */
  enter(id: number): boolean {
    const d = this.depthOf(id);
    this.depth[id] = d + 1;
    this.events++;
    return d === 0 && this.active && !this.waiting.includes(id);
  }

  /**
   * rcu_read_unlock() by context `id`; leaving the outermost section is its quiescent state.
   * Returns false when it was not inside one.
   */
  exit(id: number): boolean {
    const d = this.depthOf(id);
    if (d === 0) return false;
    this.depth[id] = d - 1;
    this.events++;
    if (d === 1 && this.active) this.waiting = this.waiting.filter((x) => x !== id);
    return true;
  }

  /**
   * Someone needs a grace period that covers every reader inside now. Returns the number of
   * the grace period whose end guarantees it, or 0 when no reader is inside (met at once).
   * One in progress started earlier and may miss readers that entered since: the next one.
   */
  need(): number {
    this.events++;
    const readers = this.readers();
    if (readers.length === 0) return 0;
    let gp: number;
    if (!this.active) {
      this.start(readers);
      gp = this.completed + 1;
    } else {
      gp = this.completed + 2;
    }
    if (gp > this.needed) this.needed = gp;
    return gp;
  }

  /** Queues the free of `h` behind grace period `gp` (from {@link need}). */
  queue(cb: RcuCallback): void {
    this.callbacks.push(cb);
  }

  /** The grace period in progress may end now: every reader it waits for has left. */
  endable(): boolean {
    return this.active && this.waiting.length === 0;
  }

  /**
   * Ends the grace period in progress: returns the callbacks it runs, oldest first, and
   * starts the next one if anyone needs it (with the readers inside now).
   */
  end(): RcuCallback[] {
    this.completed++;
    this.active = false;
    this.events++;
    const due = this.callbacks.filter((cb) => cb.gp <= this.completed);
    this.callbacks = this.callbacks.filter((cb) => cb.gp > this.completed);
    if (this.needed > this.completed) this.start(this.readers());
    return due;
  }

  /** Copies another run's state (a prepared setup). */
  copyFrom(o: RcuState): void {
    this.depth.length = 0;
    this.depth.push(...o.depth);
    this.completed = o.completed;
    this.active = o.active;
    this.waiting = [...o.waiting];
    this.needed = o.needed;
    this.callbacks = [...o.callbacks];
    this.events = o.events;
  }

  private start(readers: number[]): void {
    this.active = true;
    this.waiting = readers;
  }
}
