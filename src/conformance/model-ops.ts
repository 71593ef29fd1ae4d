/**
 * The `.ops` operations on the model: what each script line asks of the simulated kernel,
 * made with the syscalls of src/eventpoll/syscalls.ts by the one task of a script run, and
 * the {@link OpsResult} it prints. The conventions are the oracle's (oracle/epoll-oracle.c):
 *
 * - a name denotes the descriptor number it was bound to, also after it was closed (stale);
 *   `@N` denotes N itself; a failed creation binds -1;
 * - an item's data is its label, the FD operand as written by the add/mod/ctl that last set
 *   it, so a wait prints what the item was registered under;
 * - a descriptor is an eventfd when the script created one at that number (by `eventfd`, or
 *   `dup` of one) and has not closed it since: eventfd reads and writes move 8-byte values,
 *   `fill` writes descending powers of two until none fits, everything else moves 64 KiB
 *   chunks; `fill`/`drain` stop after 16 MiB; a failure before any byte moved prints the
 *   errno;
 * - `poll` passes the low 16 bits of FLAGS, as pollfd.events is a short.
 */
import {
  sys_close, sys_dup, sys_epoll_create1, sys_epoll_ctl, sys_epoll_wait, sys_eventfd, sys_pipe,
  sys_poll, sys_read, sys_regular, sys_shutdown, sys_socketpair, sys_write,
} from '../eventpoll/syscalls.ts';
import { EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, type EpollEvent } from '../eventpoll/uapi.ts';
import type { Ctx } from '../sim/context.ts';
import type { Model } from '../sim/op.ts';
import { errnoName } from './errno.ts';
import { result, type OpsResult } from './format.ts';
import { refText, type FdRef, type LineOf, type OpsLine } from './types.ts';

/** The oracle's chunk for `fill`/`drain` of anything but an eventfd. */
const CHUNK = 65536;
/** The oracle stops `fill`/`drain` after this many bytes (a regular file never says EAGAIN). */
const MOVE_CAP = 16 * 1024 * 1024;
const EAGAIN = 11;
const SHUT: Readonly<Record<'rd' | 'wr' | 'rdwr', number>> = { rd: 0, wr: 1, rdwr: 2 };

/** A line that made a syscall and prints a result (everything but order, echo, expect). */
export type CallLine = Exclude<OpsLine, LineOf<'order'> | LineOf<'echo'> | LineOf<'expect'>>;

/** A wait or poll that would sleep forever: the kernel's script would hang here. */
export class ScriptBlockedError extends Error {
  constructor(line: number, op: string) {
    super(`line ${line}: ${op} blocks forever (nothing can make it ready; the kernel would ` +
      'hang too)');
    this.name = 'ScriptBlockedError';
  }
}

function ret(r: number): OpsResult {
  return r < 0 ? result.errno(errnoName(-r)) : result.ok;
}

function count(r: number | bigint): OpsResult {
  return r < 0 ? result.errno(errnoName(-Number(r))) : result.value(r);
}

/** The state of one script run: names, labels and which descriptors hold eventfds. */
export class ModelOps {
  private readonly fds = new Map<string, number>();
  private readonly labels: string[] = [];
  private readonly labelIds = new Map<string, number>();
  private readonly eventfds = new Set<number>();

  /** The descriptor number an operand denotes. */
  fdOf(ref: FdRef): number {
    return ref.kind === 'raw' ? ref.fd : this.fds.get(ref.name) ?? -1;
  }

  private labelOf(ref: FdRef): number {
    const text = refText(ref);
    let id = this.labelIds.get(text);
    if (id === undefined) {
      id = this.labels.push(text) - 1;
      this.labelIds.set(text, id);
    }
    return id;
  }

  private bind(name: string, fd: number, eventfd: boolean): void {
    this.fds.set(name, fd);
    if (fd < 0) return;
    if (eventfd) this.eventfds.add(fd);
    else this.eventfds.delete(fd);
  }

  /** Runs one line that makes a syscall; returns what it prints after ` -> `. */
  *run(c: Ctx, line: CallLine): Model<OpsResult> {
    switch (line.op) {
      case 'create': case 'pipe': case 'socketpair': case 'eventfd': case 'file': case 'dup':
        return yield* this.create(c, line);
      case 'add': case 'mod': case 'del': case 'ctl': {
        const op = line.op === 'ctl' ? line.ctlOp : line.op === 'add' ? EPOLL_CTL_ADD
          : line.op === 'mod' ? EPOLL_CTL_MOD : EPOLL_CTL_DEL;
        const events = line.op === 'del' ? 0 : line.events.mask;
        return ret(yield* sys_epoll_ctl(c, this.fdOf(line.ep), op, this.fdOf(line.fd),
          events, this.labelOf(line.fd)));
      }
      case 'wait': return yield* this.wait(c, line);
      case 'poll': {
        const out = [0];
        const r = yield* sys_poll(c, this.fdOf(line.fd), line.events.mask, out, line.timeoutMs);
        if (r === 0 && line.timeoutMs < 0) throw new ScriptBlockedError(line.line, 'poll');
        return r < 0 ? ret(r) : result.revents(out[0]!);
      }
      case 'write': case 'read': return yield* this.io(c, line);
      case 'fill': case 'drain': return count(yield* this.move(c, this.fdOf(line.fd),
        line.op === 'fill'));
      case 'shutdown': return ret(yield* sys_shutdown(c, this.fdOf(line.fd), SHUT[line.how]));
      case 'close': {
        const fd = this.fdOf(line.fd);
        const r = yield* sys_close(c, fd);
        if (r === 0) this.eventfds.delete(fd);
        return ret(r);
      }
    }
  }

  private *create(c: Ctx, line: LineOf<'create' | 'pipe' | 'socketpair' | 'eventfd' | 'file' |
    'dup'>): Model<OpsResult> {
    switch (line.op) {
      case 'create': {
        const fd = sys_epoll_create1(c, 0, line.name);
        this.bind(line.name, fd, false);
        return ret(fd);
      }
      case 'pipe': case 'socketpair': {
        const [a, b] = line.op === 'pipe' ? sys_pipe(c, line.name) : sys_socketpair(c, line.name);
        const [sa, sb] = line.op === 'pipe' ? ['r', 'w'] : ['0', '1'];
        this.bind(line.name + sa, a, false);
        this.bind(line.name + sb, b, false);
        return result.ok;
      }
      case 'eventfd': {
        const fd = sys_eventfd(c, line.name, line.init ?? 0, line.sem);
        this.bind(line.name, fd, true);
        return result.ok;
      }
      case 'file': {
        this.bind(line.name, sys_regular(c, line.name), false);
        return result.ok;
      }
      case 'dup': {
        const from = this.fdOf(line.fd);
        const fd = yield* sys_dup(c, from);
        this.bind(line.name, fd, fd >= 0 && this.eventfds.has(from));
        return ret(fd);
      }
    }
  }

  private *wait(c: Ctx, line: LineOf<'wait'>): Model<OpsResult> {
    const out: EpollEvent[] = [];
    const r = yield* sys_epoll_wait(c, this.fdOf(line.ep), out, line.maxEvents, line.timeoutMs);
    if (r === 0 && line.timeoutMs < 0) throw new ScriptBlockedError(line.line, 'wait');
    if (r < 0) return ret(r);
    return result.events(out.map((e) => ({ label: this.labels[e.data] ?? '?', events: e.events })));
  }

  private *io(c: Ctx, line: LineOf<'write' | 'read'>): Model<OpsResult> {
    const fd = this.fdOf(line.fd);
    if (this.eventfds.has(fd)) {
      if (line.op === 'write') return ret(yield* sys_write(c, fd, BigInt(line.count)));
      const out = { value: 0n };
      const r = yield* sys_read(c, fd, 8, out);
      return count(r < 0 ? r : out.value);
    }
    return count(line.op === 'write' ? yield* sys_write(c, fd, line.count)
      : yield* sys_read(c, fd, line.count));
  }

  /** fill/drain: move until EAGAIN or end of file; an error before anything moved wins. */
  private *move(c: Ctx, fd: number, writing: boolean): Model<number> {
    const eventfd = this.eventfds.has(fd);
    let total = 0;
    let bit = 63n;
    while (total < MOVE_CAP) {
      const r = eventfd ? (writing ? yield* sys_write(c, fd, 1n << bit) : yield* sys_read(c, fd, 8))
        : writing ? yield* sys_write(c, fd, CHUNK) : yield* sys_read(c, fd, CHUNK);
      if (r === -EAGAIN && eventfd && writing && bit > 0n) {
        bit--;
        continue;
      }
      if (r < 0) return total > 0 || r === -EAGAIN ? total : r;
      if (r === 0) break;
      total += r;
    }
    return total;
  }
}
