/**
 * The memory system: the arena as "RAM" plus, in TSO mode, one FIFO store buffer per CPU.
 *
 * SC mode: every store is globally visible at once. TSO mode (x86-TSO, Sewell et al. 2010):
 * a store enters its CPU's buffer; a load on that CPU reads the newest buffered store to the
 * same location (store-to-load forwarding) or else memory; the oldest entry of a buffer can
 * be written back at any time, and each write-back is a scheduler choice; locked operations
 * and `smp_mb` drain the buffer first.
 */
import type { Arena } from '../queues/arena.ts';

/** The memory models the machine can run. */
export type MemoryMode = 'sc' | 'tso';

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

  constructor(arena: Arena, ncpu: number, mode: MemoryMode) {
    this.arena = arena;
    this.mode = mode;
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

  /** The value in memory, ignoring every store buffer (what checkers read). */
  readGlobal(h: number, f: string): unknown {
    return this.arena.objs[h]![f];
  }

  /** A store by `cpu`: buffered in TSO, immediate in SC. */
  write(cpu: number, h: number, f: string, v: unknown): void {
    if (this.mode === 'sc') {
      (this.arena.objs[h] as Record<string, unknown>)[f] = v;
      this.writes++;
      return;
    }
    this.buffers[cpu]!.push({ h, f, v });
    this.buffered++;
  }

  /** A store straight to memory (after a drain, for locked operations). */
  writeGlobal(h: number, f: string, v: unknown): void {
    (this.arena.objs[h] as Record<string, unknown>)[f] = v;
    this.writes++;
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

  /** Writes back every buffered store of `cpu`, oldest first. */
  drain(cpu: number): void {
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
