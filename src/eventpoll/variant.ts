/**
 * Variants: one object per modelled design of fs/eventpoll.c, plus named deviations ("bug
 * switches") that reproduce a historical bug or an unmerged proposal's flaw.
 *
 * A variant is a table of model functions under their kernel names. The model always calls
 * through the table (`k.ops.ep_send_events(...)`), so a user's variant can replace any one
 * function (say `ep_poll_callback`) and inherit the rest: see docs/own-variant.md.
 */
import { quote, SimUsageError } from '../sim/errors.ts';
import type { Ctx } from '../sim/context.ts';
import type { Model } from '../sim/op.ts';
import type { PollTable } from './file.ts';
import type { EpollEvent } from './uapi.ts';

/** The model functions a variant provides (fs/eventpoll.c names). */
export interface EpOps {
  /** ep_alloc(): allocate the eventpoll and its locks. */
  ep_alloc(c: Ctx, label: string): number;
  /** ep_poll_callback(): the wait-queue callback hooked on every watched file. */
  ep_poll_callback(c: Ctx, wait: number, mode: number, sync: number, key: number):
  Model<number>;
  /** ep_poll(): the body of epoll_wait; returns the count or -errno, events into `out`. */
  ep_poll(c: Ctx, ep: number, out: EpollEvent[], maxevents: number, timeoutMs: number):
  Model<number>;
  /** ep_send_events(): harvest up to `maxevents` events into `out`. */
  ep_send_events(c: Ctx, ep: number, out: EpollEvent[], maxevents: number): Model<number>;
  /** ep_eventpoll_poll(): f_op->poll of an epoll file. */
  ep_eventpoll_poll(c: Ctx, file: number, pt: PollTable | null, depth: number): Model<number>;
  /** ep_insert(): EPOLL_CTL_ADD of a new item. */
  ep_insert(c: Ctx, ep: number, events: number, data: number, tfile: number, fd: number,
    full_check: boolean): Model<number>;
  /** ep_modify(): EPOLL_CTL_MOD. */
  ep_modify(c: Ctx, ep: number, epi: number, events: number, data: number): Model<number>;
  /** ep_remove_safe()/__ep_remove(): EPOLL_CTL_DEL and release; returns whether freed. */
  ep_remove(c: Ctx, ep: number, epi: number, force: boolean): Model<boolean>;
  /** ep_clear_and_put(): the last close of an epoll file. */
  ep_clear_and_put(c: Ctx, ep: number): Model<void>;
  /** eventpoll_release_file(): the last close of a watched file. */
  eventpoll_release_file(c: Ctx, file: number): Model<void>;
}

/** A named deviation from a variant's code. */
export interface BugSwitch {
  /** Zoo id or short name, e.g. `B4` or `no-mb-in-modify`. */
  readonly id: string;
  /** One line: what the switch changes and where it comes from. */
  readonly summary: string;
}

/** A modelled design. */
export interface Variant {
  readonly name: string;
  /** The kernel version, commit or patch it follows. */
  readonly follows: string;
  /** The LOCKING comment: lock order and what each lock protects. */
  readonly locking: string;
  /** Lock classes in acquisition order, for lockdep-lite's order check. */
  readonly lockOrder: readonly string[];
  /** The deviations it accepts. */
  readonly bugs: readonly BugSwitch[];
  readonly ops: EpOps;
  /** Semantics flags used by checkers (e.g. whether EPOLLWAKEUP is supported). */
  readonly features: { wakeupSources: boolean; exclusive: boolean };
  /**
   * Properties the variant is known to violate as it stands (a design kept broken on
   * purpose: an RFC as posted, a fix that closes one window only), each with the reason in
   * a sentence. `eventpoll-sim campaign` prints them, so a finding reads as expected.
   */
  readonly knownViolations?: readonly KnownViolation[];
}

/**
 * Injected faults: canaries that every variant accepts, each breaking one thing so that the
 * property meant to catch it can be shown to fail. Not historical bugs (see `bugs`).
 */
export const FAULTS: readonly BugSwitch[] = [
  { id: 'fault:callback-no-linked-check', summary: 'P2 canary: ep_poll_callback adds the ' +
    'item to rdllist even when it is already linked (a double list_add)' },
  { id: 'fault:no-unregister-pollwait', summary: 'P3 canary: removing an item leaves its ' +
    'wait-queue hooks behind, so a later wakeup runs the callback on freed memory' },
  { id: 'fault:scan-no-irq', summary: 'P4 canary: ep_start_scan takes ep->lock with ' +
    'spin_lock, without masking interrupts, though callbacks take it in hardirq context' },
  { id: 'fault:no-oneshot-disarm', summary: 'P5 canary: a delivered ONESHOT item is not ' +
    'disarmed' },
  { id: 'fault:no-stay-awake', summary: 'P6 canary: ep_poll_callback queues an item without ' +
    'activating its wakeup source' },
];

/** A variant with a set of enabled deviations. */
/** A property a variant is known to violate, and why (see {@link Variant.knownViolations}). */
export interface KnownViolation {
  readonly property: string;
  readonly why: string;
}

export interface VariantConfig {
  readonly variant: Variant;
  readonly bugs: ReadonlySet<string>;
}

const REGISTRY = new Map<string, Variant>();

/** Registers a variant under its name (replacing one of the same name). */
export function registerVariant(v: Variant): Variant {
  REGISTRY.set(v.name, v);
  return v;
}

/** Names of all registered variants, in registration order. */
export function variantNames(): string[] {
  return [...REGISTRY.keys()];
}

/** A registered variant by name, or a SimUsageError naming the known ones. */
export function getVariant(name: string): Variant {
  const v = REGISTRY.get(name);
  if (!v) {
    throw new SimUsageError('E_UNKNOWN_VARIANT', `unknown variant ${quote(name)}: expected one ` +
      `of ${variantNames().join(', ')}`);
  }
  return v;
}

/**
 * Resolves `name[+BUG...]` (e.g. `rwlock-5.1+B3`) or a variant with explicit bugs.
 * Unknown bug switches are a SimUsageError naming the ones the variant accepts.
 */
export function resolveVariant(spec: string | Variant, bugs: readonly string[] = []):
VariantConfig {
  let variant: Variant;
  const all = [...bugs];
  if (typeof spec === 'string') {
    const [name, ...rest] = spec.split('+');
    variant = getVariant(name!);
    all.push(...rest);
  } else {
    variant = spec;
  }
  for (const b of all) {
    if (!variant.bugs.some((s) => s.id === b) && !FAULTS.some((s) => s.id === b)) {
      const known = [...variant.bugs, ...FAULTS].map((s) => s.id).join(', ');
      throw new SimUsageError('E_UNKNOWN_BUG', `variant ${quote(variant.name)} has no bug ` +
        `switch ${quote(b)} (it accepts: ${known})`);
    }
  }
  return { variant, bugs: new Set(all) };
}

/** The display name of a configuration: `name+B1+B2`. */
export function configName(cfg: VariantConfig): string {
  return [cfg.variant.name, ...[...cfg.bugs].sort()].join('+');
}

/**
 * Derives a user variant from a registered one by replacing model functions.
 * The result is registered, so the CLI and `simulate()` find it by name.
 */
export function defineVariant(def: {
  name: string;
  base: string | Variant;
  follows?: string;
  ops?: Partial<EpOps>;
  bugs?: readonly BugSwitch[];
  locking?: string;
}): Variant {
  const base = typeof def.base === 'string' ? getVariant(def.base) : def.base;
  return registerVariant({
    name: def.name,
    follows: def.follows ?? `${base.name} with replaced functions`,
    locking: def.locking ?? base.locking,
    lockOrder: base.lockOrder,
    bugs: def.bugs ?? base.bugs,
    ops: { ...base.ops, ...def.ops },
    features: base.features,
  });
}
