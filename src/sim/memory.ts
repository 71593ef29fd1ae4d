/**
 * The memory system: the arena as "RAM" plus, in TSO mode, one FIFO store buffer per CPU.
 *
 * SC mode: every store is globally visible at once. TSO mode (x86-TSO, Sewell et al. 2010):
 * a store enters its CPU's buffer; a load on that CPU reads the newest buffered store to the
 * same location (store-to-load forwarding) or else memory; the oldest entry of a buffer can
 * be written back at any time, and each write-back is a scheduler choice; locked operations
 * and `smp_mb` drain the buffer first. LKMM mode (lkmm.ts): no buffers; the arena holds the
 * newest write of each location and {@link Lkmm} keeps older writes and per-CPU views, so a
 * load may read a stale write (a scheduler choice) within what the barriers allow.
 */
import type { Arena } from '../queues/arena.ts';
import { Lkmm } from './lkmm.ts';

/** The memory models the machine can run. */
export type MemoryMode = 'sc' | 'tso' | 'lkmm';

/** Every memory model, in the order error messages name them. */
export const MEMORY_MODES: readonly MemoryMode[] = ['sc', 'tso', 'lkmm'];

/** One buffered store. */
interface Pending {
  h: number;
  f: string;
  v: unknown;
}

/** Memory with optional per-CPU store buffers. Access checks are done by the caller. */
export class Memory {
  readonly arena: Arena;
  readonly mode: MemoryMode;
  /** Store buffers, by CPU (empty arrays in SC mode). */
  readonly buffers: Pending[][];
  /** Total entries over all buffers (to skip the drain scan quickly). */
  buffered = 0;
  /**
   * Count of writes that reached memory (stores in SC, write-backs and locked operations).
   * Observers compare it with the value at their last check to skip unchanged states.
   */
  writes = 0;
  /**
   * The lkmm mode's views and older writes (null in the other modes, and while the machine
   * runs setup, whose stores are all visible at once).
   */
  lk: Lkmm | null;

  constructor(arena: Arena, ncpu: number, mode: MemoryMode) {
    this.arena = arena;
    this.mode = mode;
    this.lk = mode === 'lkmm' ? new Lkmm(arena, ncpu) : null;
    this.buffers = [];
    for (let i = 0; i < ncpu; i++) this.buffers.push([]);
  }

  /** The value CPU `cpu` sees at `h.f` (forwarding from its own buffer in TSO). */
  read(cpu: number, h: number, f: string): unknown {
    if (this.buffered !== 0) {
      const b = this.buffers[cpu]!;
      for (let i = b.length - 1; i >= 0; i--) {
        const e = b[i]!;
        if (e.h === h && e.f === f) return e.v;
      }
    }
    return this.arena.objs[h]![f];
  }

  /**
   * For checkers: the OR of the values CPU `cpu` may read at `h.f` (a numeric field): the
   * one {@link read} gives, and under lkmm also the older writes its view still allows.
   */
  readableBits(cpu: number, h: number, f: string): number {
    const v = this.read(cpu, h, f) as number;
    return this.lk === null ? v : v | this.lk.readableBits(cpu, h, f);
  }

  /**
   * {@link read} by a primitive that then acts on the value (a busy-wait's exit, a custom
   * op's load): under lkmm the CPU has now seen that write (coherence), unlike a checker's
   * read, which must not change what the CPU may read next.
   */
  readSeen(cpu: number, h: number, f: string): unknown {
    this.lk?.seeNewest(cpu, h, f);
    return this.read(cpu, h, f);
  }

  /**
   * An acquire load by a lock primitive (atomic_cond_read_acquire): {@link read}, and under
   * lkmm the write read (the newest) brings its view.
   */
  readAcquire(cpu: number, h: number, f: string): unknown {
    this.lk?.acquireNewest(cpu, h, f);
    return this.read(cpu, h, f);
  }

  /**
   * The value in memory, ignoring every store buffer (what checkers read). Under lkmm, inside
   * a locked operation (after {@link drain} or {@link lockAcquire}), it acquires that write.
   */
  readGlobal(h: number, f: string): unknown {
    const lk = this.lk;
    if (lk !== null && lk.locked >= 0) lk.acquireNewest(lk.locked, h, f);
    return this.arena.objs[h]![f];
  }

  /**
   * A store by `cpu` from a lock primitive (spin_unlock): buffered in TSO, immediate in SC,
   * a release store under lkmm. Plain stores of model code go through the machine.
   */
  write(cpu: number, h: number, f: string, v: unknown): void {
    if (this.mode === 'sc') {
      (this.arena.objs[h] as Record<string, unknown>)[f] = v;
      this.writes++;
      return;
    }
    if (this.lk !== null) {
      this.lk.store(cpu, h, f, v, true);
      this.writes++;
      return;
    }
    this.buffers[cpu]!.push({ h, f, v });
    this.buffered++;
  }

  /**
   * A store straight to memory (after a drain, for locked operations). Under lkmm it is the
   * newest write of the location: a release by the locked operation's CPU, if any.
   */
  writeGlobal(h: number, f: string, v: unknown): void {
    const lk = this.lk;
    if (lk !== null) {
      if (lk.locked >= 0) lk.store(lk.locked, h, f, v, true);
      else lk.storeAnonymous(h, f, v);
      this.writes++;
      return;
    }
    (this.arena.objs[h] as Record<string, unknown>)[f] = v;
    this.writes++;
  }

  /**
   * A store by `cpu` into an object no other context can reach yet (a stack waiter, a
   * task_work before the cmpxchg that publishes it): never buffered (nobody can read it
   * before the publishing lock or RMW drains), but under lkmm a write of `cpu`, so that the
   * release that publishes it carries it; an anonymous write is in no CPU's view, and a reader
   * could still see the location's older value.
   */
  writePrivate(cpu: number, h: number, f: string, v: unknown): void {
    if (this.lk !== null) this.write(cpu, h, f, v);
    else this.writeGlobal(h, f, v);
  }

  /**
   * The start of a lock acquisition by `cpu` (spin_lock): TSO drains the buffer (a locked
   * RMW); lkmm orders this CPU's earlier accesses and makes the lock word's read an acquire.
   */
  lockAcquire(cpu: number): void {
    if (this.lk !== null) this.lk.lockAcquire(cpu);
    else this.drain(cpu);
  }

  /**
   * A task on `cpu` returns from schedule() after a wake-up: under lkmm a full barrier
   * (the runqueue lock and smp_mb__after_spinlock() of __schedule()), so it sees what its
   * waker did before try_to_wake_up(); nothing in the other modes.
   */
  resumed(cpu: number): void {
    this.lk?.fence(cpu);
  }

  /**
   * Writes back the oldest buffered store of `cpu`. Returns the handle written, so the
   * caller can check that the object is still live (a late store into freed memory).
   */
  drainOne(cpu: number): Pending | undefined {
    const e = this.buffers[cpu]!.shift();
    if (e === undefined) return undefined;
    this.buffered--;
    this.writes++;
    (this.arena.objs[e.h] as Record<string, unknown>)[e.f] = e.v;
    return e;
  }

  /**
   * Writes back every buffered store of `cpu`, oldest first (a locked operation or a full
   * barrier). Under lkmm: smp_mb(), and the rest of the step is a locked operation of `cpu`.
   */
  drain(cpu: number): void {
    if (this.lk !== null) {
      this.lk.fence(cpu);
      this.lk.locked = cpu;
      return;
    }
    const b = this.buffers[cpu]!;
    if (b.length === 0) return;
    for (const e of b) (this.arena.objs[e.h] as Record<string, unknown>)[e.f] = e.v;
    this.buffered -= b.length;
    this.writes += b.length;
    b.length = 0;
  }

  /** Number of stores waiting in `cpu`'s buffer. */
  pending(cpu: number): number {
    return this.buffers[cpu]!.length;
  }
}
