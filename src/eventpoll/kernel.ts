/**
 * The per-run eventpoll runtime: which variant runs, its bug switches, its function table,
 * its file types, the process's descriptor table, the global locks of fs/eventpoll.c
 * (`epnested_mutex`, `loop_check_gen`), the variant's own per-run and per-task state, and
 * the ghost state the checkers read. Stored in `m.ext.ep`; model code reaches it with
 * {@link kernel}.
 */
import type { Ctx, MachineAccess } from '../sim/context.ts';
import { cloneState, CLONE_FAST, type FastCloning } from '../sim/clone.ts';
import { SimUsageError } from '../sim/errors.ts';
import { fileTypesOf, type FileOps } from './file.ts';
import { fullOps, type FullEpOps, type VariantConfig } from './variant.ts';
import { Ghost } from './ghost.ts';

/** Per-run eventpoll state. */
export class EpKernel implements FastCloning {
  readonly m: MachineAccess;
  readonly cfg: VariantConfig;
  /**
   * The variant's function table: model code calls every fs/eventpoll.c function through
   * it (`kernel(c).ops.ep_done_scan(...)`), so a user variant can replace any one.
   */
  readonly ops: FullEpOps;
  /** file_operations by f_op name: the built-in types and the variant's own. */
  readonly fops: ReadonlyMap<string, FileOps>;
  /**
   * The variant's own per-run state, from `Variant.initState` (undefined without one).
   * Plain data: prepared setups copy it (see {@link variantState}).
   */
  variantState: unknown;
  /** Per-task state of the variant by task handle (see {@link EpKernel.taskState}). */
  readonly taskStates = new Map<number, unknown>();
  /** The descriptor table of the one simulated process (all tasks are its threads). */
  readonly fdt: (number | undefined)[] = [];
  /** Global mutex of ep_loop_check (`epnested_mutex`, 6.4+; `epmutex` before). */
  epnested_mutex = 0;
  /** fs/eventpoll.c: loop_check_gen. */
  loop_check_gen = 0;
  /** fs/eventpoll.c: inserting_into (ep_loop_check). */
  inserting_into = 0;
  /** fs/eventpoll.c: tfile_check_list, the files a full check visits (reverse-path.ts). */
  readonly tfile_check_list: number[] = [];
  /** fs/eventpoll.c: path_count[], paths per depth of the file being checked. */
  readonly path_count: number[] = [0, 0, 0, 0, 0];
  /** Ghost state for the properties. */
  readonly ghost: Ghost;
  /** Every eventpoll and file ever created, in creation order (for checkers). */
  readonly eventpolls: number[] = [];
  readonly files: number[] = [];

  constructor(m: MachineAccess, cfg: VariantConfig) {
    this.m = m;
    this.cfg = cfg;
    this.ops = fullOps(cfg.variant);
    this.fops = fileTypesOf(cfg.variant.fileTypes ?? []);
    this.ghost = new Ghost(m);
    for (let i = 0; i < 3; i++) this.fdt.push(-1); // stdin, stdout, stderr are taken
    this.variantState = cfg.variant.initState?.(m);
  }

  /**
   * The copy a machine started from prepared state gets (fast engine): the same fields in
   * the same order as the constructor makes them, the configuration shared, the rest copied
   * (plain data through cloneState). `memo` maps the template machine to the new one.
   */
  [CLONE_FAST](memo: Map<object, unknown>): EpKernel {
    const k = Object.create(EpKernel.prototype) as EpKernel;
    memo.set(this, k);
    const w = k as unknown as Record<string, unknown>;
    w.m = memo.get(this.m) ?? this.m;
    w.cfg = this.cfg;
    w.ops = this.ops;
    w.fops = this.fops;
    w.variantState = cloneState(this.variantState, memo);
    w.taskStates = cloneState(this.taskStates, memo);
    w.fdt = this.fdt.slice();
    w.epnested_mutex = this.epnested_mutex;
    w.loop_check_gen = this.loop_check_gen;
    w.inserting_into = this.inserting_into;
    w.tfile_check_list = this.tfile_check_list.slice();
    w.path_count = this.path_count.slice();
    w.ghost = this.ghost.copy(memo);
    w.eventpolls = this.eventpolls.slice();
    w.files = this.files.slice();
    return k;
  }

  /**
   * The variant's state for the context's task, made by `Variant.initTaskState` (default
   * `{}`) on first use. Keyed by the task_struct handle; a hardirq context (no task) gets
   * its CPU's interrupt state, keyed by `-1 - cpu`. Plain data, as `variantState`.
   */
  taskState<T = Record<string, unknown>>(c: Ctx): T {
    const key = c.irq ? -1 - c.cpu : c.task;
    let s = this.taskStates.get(key);
    if (s === undefined) {
      s = this.cfg.variant.initTaskState?.(c) ?? {};
      this.taskStates.set(key, s);
    }
    return s as T;
  }

  /** True when the named bug switch is on. */
  bug(id: string): boolean {
    return this.cfg.bugs.has(id);
  }

  /** get_unused_fd_flags() + fd_install(): the lowest free descriptor. */
  fd_install(file: number): number {
    let fd = 3;
    while (fd < this.fdt.length && this.fdt[fd] !== undefined) fd++;
    if (fd > 1024) throw new SimUsageError('E_LIMIT', 'more than 1024 open descriptors');
    this.fdt[fd] = file;
    return fd;
  }

  /** fdget(): the file of a descriptor, or undefined (EBADF). */
  fdget(fd: number): number | undefined {
    if (!Number.isInteger(fd) || fd < 3) return undefined;
    return this.fdt[fd];
  }

  /** Removes a descriptor from the table; returns its file. */
  fd_remove(fd: number): number | undefined {
    const f = this.fdget(fd);
    if (f !== undefined) this.fdt[fd] = undefined;
    return f;
  }
}

/** The eventpoll runtime of the machine a context runs on. */
export function kernel(c: Ctx): EpKernel {
  return c.m.ext.ep as EpKernel;
}

/**
 * The running variant's per-run state (what its `initState` made), typed by the caller.
 * It lives in the run's kernel, so each run has its own, and prepared setups copy it.
 */
export function variantState<T>(c: Ctx): T {
  return kernel(c).variantState as T;
}
