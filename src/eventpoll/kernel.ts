/**
 * The per-run eventpoll runtime: which variant runs, its bug switches, the process's
 * descriptor table, the global locks of fs/eventpoll.c (`epnested_mutex`, `loop_check_gen`)
 * and the ghost state the checkers read. Stored in `m.ext.ep`; model code reaches it with
 * {@link kernel}.
 */
import type { Ctx, MachineAccess } from '../sim/context.ts';
import { SimUsageError } from '../sim/errors.ts';
import type { EpOps, VariantConfig } from './variant.ts';
import { Ghost } from './ghost.ts';

/** Per-run eventpoll state. */
export class EpKernel {
  readonly m: MachineAccess;
  readonly cfg: VariantConfig;
  readonly ops: EpOps;
  /** The descriptor table of the one simulated process (all tasks are its threads). */
  readonly fdt: (number | undefined)[] = [];
  /** Global mutex of ep_loop_check (`epnested_mutex`, 6.4+; `epmutex` before). */
  epnested_mutex = 0;
  /** fs/eventpoll.c: loop_check_gen. */
  loop_check_gen = 0;
  /** fs/eventpoll.c: inserting_into (ep_loop_check). */
  inserting_into = 0;
  /** Ghost state for the properties. */
  readonly ghost: Ghost;
  /** Every eventpoll and file ever created, in creation order (for checkers). */
  readonly eventpolls: number[] = [];
  readonly files: number[] = [];

  constructor(m: MachineAccess, cfg: VariantConfig) {
    this.m = m;
    this.cfg = cfg;
    this.ops = cfg.variant.ops;
    this.ghost = new Ghost(m);
    for (let i = 0; i < 3; i++) this.fdt.push(-1); // stdin, stdout, stderr are taken
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
