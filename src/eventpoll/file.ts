/**
 * struct file and the file_operations the model needs (include/linux/fs.h, fs/file_table.c,
 * include/linux/poll.h), v6.18.
 *
 * A file is an arena object `{f_count, f_op, private_data, f_ep, f_lock, f_mode}`. `f_op`
 * names its file_operations (a string field keeps the state plain data), looked up in the
 * run's table: the built-in types of {@link FOPS} plus the running variant's own
 * (`Variant.fileTypes`), so a variant's file type exists only in that variant's runs.
 * `f_ep` is the list of epitems watching the file (an hlist in the kernel), protected by
 * `f_lock`.
 */
import { list_head_alloc } from '../queues/list.ts';
import type { Ctx, MachineAccess } from '../sim/context.ts';
import type { Model } from '../sim/op.ts';
import { atomic_add_return } from '../sim/mem.ts';
import { init_task_work, task_work_add } from './task-work.ts';

/** poll_table (include/linux/poll.h): on the caller's stack, so plain JS data. */
export interface PollTable {
  /** The queueing callback: ep_ptable_queue_proc, or null for a pure readiness check. */
  qproc: ((c: Ctx, file: number, whead: number, pt: PollTable) => Model<void>) | null;
  /** The events the caller is interested in (pt->_key). */
  key: number;
  /** ep_pqueue.epi: the item being inserted, for ep_ptable_queue_proc. */
  epi: number;
}

/** A scenario's `files` entry for a variant's own file type: its name, type and options. */
export interface CustomFileSpec {
  readonly name: string;
  readonly type: string;
  readonly [option: string]: unknown;
}

/**
 * The file_operations of one file type. A variant adds its own with `fileTypes`; `read`,
 * `write`, `poll` and `release` are what the syscalls call on a file of that type.
 */
export interface FileOps {
  /** Name (the file's `f_op`, and the scenario's `type` for a variant's own type). */
  readonly name: string;
  /** f_op->poll: returns the ready mask, calling poll_wait on its wait queues. */
  poll: ((c: Ctx, file: number, pt: PollTable | null) => Model<number>) | null;
  /** f_op->release on the last fput. */
  release(c: Ctx, file: number): Model<void>;
  /** Side-effect-free readiness of the file in global memory (for checkers only). */
  readyMask(m: MachineAccess, file: number): number;
  /**
   * f_op->read of `n` bytes: the count read or -errno (absent: -EINVAL, as for a file
   * without a read method). A counter-like file may leave the value read in `out.value`.
   */
  read?(c: Ctx, file: number, n: number, out: { value: bigint }): Model<number>;
  /** f_op->write of `n` (a byte count, or the value for a counter-like file). */
  write?(c: Ctx, file: number, n: number | bigint): Model<number>;
  /**
   * Makes a file of this type for a scenario's `files` entry, in setup (process context,
   * CPU 0): allocate it with {@link alloc_file} (`f_op` = this type's name) and return it.
   * Without `create` a scenario cannot name the type.
   */
  create?(c: Ctx, spec: CustomFileSpec): number;
  /** The handler of a scenario interrupt source (`irqs`) on a file of this type. */
  irq?(c: Ctx, file: number): Model<unknown>;
}

/**
 * The built-in file_operations by name (eventfd, pipe, socket, regular, eventpoll): each
 * built-in file module registers itself here when loaded. A variant's own types are not
 * added here but to its runs' table (see {@link fileTypesOf}).
 */
export const FOPS = new Map<string, FileOps>();

/** The run's tables by the variant's list of file types (the same list, the same table). */
const TABLES = new WeakMap<readonly FileOps[], ReadonlyMap<string, FileOps>>();

/** The file_operations table of a run: the built-in types, then a variant's own. */
export function fileTypesOf(own: readonly FileOps[]): ReadonlyMap<string, FileOps> {
  if (own.length === 0) return FOPS;
  let t = TABLES.get(own);
  if (t === undefined) {
    const all = new Map(FOPS);
    for (const f of own) all.set(f.name, f);
    t = all;
    TABLES.set(own, t);
  }
  return t;
}

/** FMODE_READ: opened for reading (the FMODE bits the model uses). */
export const FMODE_READ = 1;
/** FMODE_WRITE: opened for writing. */
export const FMODE_WRITE = 2;

/** alloc_file(): a new file with one reference. */
export function alloc_file(m: MachineAccess, fop: string, priv: number, mode: number,
  label: string): number {
  const f = m.alloc('file', {
    f_count: 1, f_op: fop, private_data: priv, f_ep: 0, f_lock: 0, f_mode: mode,
    g_edges: 0, g_union: 0, g_inter: -1,
  }, label);
  const o = m.arena.objs[f]!;
  o.f_ep = list_head_alloc(m, f, `${label}.f_ep`);
  return f;
}

/** The file_operations of a file, from the run's table (built-ins alone without one). */
export function fops(m: MachineAccess, file: number): FileOps {
  const name = m.arena.objs[file]!.f_op as string;
  const table = (m.ext.ep as { fops?: ReadonlyMap<string, FileOps> } | undefined)?.fops ?? FOPS;
  const ops = table.get(name);
  if (!ops) throw new Error(`no file_operations '${name}'`);
  return ops;
}

/** file_can_poll(). */
export function file_can_poll(m: MachineAccess, file: number): boolean {
  return fops(m, file).poll !== null;
}

/** vfs_poll(): f_op->poll with the caller's poll table, masked by nothing. */
export function* vfs_poll(c: Ctx, file: number, pt: PollTable | null): Model<number> {
  const ops = fops(c.m, file);
  if (ops.poll === null) return 0;
  return yield* ops.poll(c, file, pt);
}

/** poll_wait(): register on `whead` through the table's queueing callback, if any. */
export function* poll_wait(c: Ctx, file: number, whead: number, pt: PollTable | null):
Model<void> {
  if (pt !== null && pt.qproc !== null && whead !== 0) yield* pt.qproc(c, file, whead, pt);
}

/** get_file(): take a reference. */
export function* get_file(_c: Ctx, file: number): Model<void> {
  yield atomic_add_return(file, 'f_count', 1, 'get_file');
}

/**
 * fput() of v6.18 (fs/file_table.c): drop a reference; the last one queues `____fput` as
 * task work (__fput_deferred(): init_task_work + task_work_add(TWA_RESUME)), so __fput
 * (eventpoll_release, f_op->release, the free: syscalls.ts) runs when this task returns to
 * user space, with no locks held, and shows in the trace there (task_work_run).
 */
export function* fput(c: Ctx, file: number): Model<void> {
  const left: number = yield atomic_add_return(file, 'f_count', -1, 'fput');
  if (left !== 0) return;
  yield* task_work_add(c, init_task_work(c, file, '____fput'));
}
