/**
 * Variants: one object per modelled design of fs/eventpoll.c, plus named deviations ("bug
 * switches") that reproduce a historical bug or an unmerged proposal's flaw.
 *
 * A variant is a table of model functions under their kernel names. The model always calls
 * through the table (`k.ops.ep_send_events(...)`), so a user's variant can replace any one
 * function (say `ep_poll_callback`) and inherit the rest: see docs/own-variant.md.
 */
import { quote, SimUsageError } from '../sim/errors.ts';
import type { Ctx, MachineAccess } from '../sim/context.ts';
import type { Model } from '../sim/op.ts';
import type { FileOps, PollTable } from './file.ts';
import type { EpollEvent } from './uapi.ts';

/** A scan procedure of ep_scan_ready_list(): works on the private txlist, `ep->mtx` held. */
export type ScanProc<P> = (c: Ctx, ep: number, txlist: number, priv: P) => Model<number>;

/** struct ep_send_events_data (v4.19 to v5.x): what ep_send_events_proc() fills. */
export interface SendEventsData {
  maxevents: number;
  events: EpollEvent[];
  res: number;
}

/**
 * The model functions a variant provides, under their fs/eventpoll.c names. Model code
 * calls every one of them through the running variant's table (`kernel(c).ops.NAME(...)`),
 * never directly, so `defineVariant({ base, ops: { NAME } })` replaces one function and
 * every caller follows. The first group is in every variant; the optional group exists
 * only in the eras that have the function (see {@link OPTIONAL_OPS}); in a run of a
 * variant without one, calling `kernel(c).ops.NAME(...)` throws a SimUsageError naming it.
 *
 * Plain (non-generator) members are functions that touch no shared memory in the model.
 */
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
  /** __ep_remove() (ep_remove() before 6.4): unhook and free an item; whether it was freed. */
  ep_remove(c: Ctx, ep: number, epi: number, force: boolean): Model<boolean>;
  /** ep_clear_and_put() (ep_free() before 6.4): the last close of an epoll file. */
  ep_clear_and_put(c: Ctx, ep: number): Model<void>;
  /** eventpoll_release_file(): the last close of a watched file. */
  eventpoll_release_file(c: Ctx, file: number): Model<void>;
  /** do_epoll_ctl(): epoll_ctl's checks in the kernel's errno order, then the op. */
  do_epoll_ctl(c: Ctx, epfd: number, op: number, fd: number, events: number, data: number):
  Model<number>;
  /** ep_find(): the item for (file, fd) in the set, or 0 (`ep->mtx` held). */
  ep_find(c: Ctx, ep: number, file: number, fd: number): number;
  /** ep_loop_check(): -1 if adding set `to` into `ep` makes a loop or too deep a path. */
  ep_loop_check(c: Ctx, ep: number, to: number): Model<number>;
  /** ep_loop_check_proc(): how deep the sets below `ep` go. */
  ep_loop_check_proc(c: Ctx, ep: number, depth: number): Model<number>;
  /** ep_get_upwards_depth_proc(): how many sets watch `ep`, transitively. */
  ep_get_upwards_depth_proc(c: Ctx, ep: number, depth: number): Model<number>;
  /**
   * ep_remove_safe(): remove an item and drop the set's reference (6.4+). The model's DEL
   * goes through it in every variant; older eras have no set refcount that matters.
   */
  ep_remove_safe(c: Ctx, ep: number, epi: number): Model<void>;
  /** ep_refcount_dec_and_test(): drop a reference of the set; true when it was the last. */
  ep_refcount_dec_and_test(c: Ctx, ep: number): Model<boolean>;
  /** eventpoll_release() (include/linux/eventpoll.h): __fput's hook for watched files. */
  eventpoll_release(c: Ctx, file: number): Model<void>;
  /** ep_free(): free the eventpoll itself once its last reference is gone. */
  ep_free(c: Ctx, ep: number): void;
  /** ep_poll_safewake(): wake the pollers of an epoll file (an outer set, poll(2)). */
  ep_poll_safewake(c: Ctx, ep: number, epi: number, pollflags: number): Model<void>;
  /** ep_ptable_queue_proc(): poll_wait's callback, hooking the item on a wait queue. */
  ep_ptable_queue_proc(c: Ctx, file: number, whead: number, pt: PollTable): Model<void>;
  /** ep_unregister_pollwait(): unhook every eppoll_entry of an item. */
  ep_unregister_pollwait(c: Ctx, ep: number, epi: number): Model<void>;
  /** ep_rbtree_insert(): link the item into the set's tree (a list in (file, fd) order). */
  ep_rbtree_insert(c: Ctx, ep: number, epi: number): Model<void>;
  /** ep_item_from_wait(): wait entry -> eppoll_entry -> epitem (no memory access). */
  ep_item_from_wait(c: Ctx, wait: number): number;

  // ---- optional: only the eras that have them (see OPTIONAL_OPS) ----
  /** ep_is_linked(): whether the item's rdllink is on a list (all but the wfcqueue RFC). */
  ep_is_linked?(c: Ctx, epi: number): Model<boolean>;
  /** ep_item_poll(): the item's readiness masked by its interest (2.6.25+). */
  ep_item_poll?(c: Ctx, epi: number, pt: PollTable | null, depth: number): Model<number>;
  /** ep_events_available(): rdllist or ovflist not empty (2.6.27+). */
  ep_events_available?(c: Ctx, ep: number): Model<boolean>;
  /** ep_start_scan(): steal rdllist, start chaining on ovflist (5.10+). */
  ep_start_scan?(c: Ctx, ep: number, txlist: number): Model<void>;
  /** ep_done_scan(): requeue ovflist, put txlist back, wake (5.10+). */
  ep_done_scan?(c: Ctx, ep: number, txlist: number): Model<void>;
  /** ep_scan_ready_list(): the scan around a procedure (2.6.27 to 5.9). */
  ep_scan_ready_list?<P>(c: Ctx, ep: number, sproc: ScanProc<P>, priv: P, depth: number,
    ep_locked: boolean): Model<number>;
  /** ep_send_events_proc(): the harvest's scan procedure (2.6.27 to 5.9). */
  ep_send_events_proc?(c: Ctx, ep: number, txlist: number, esed: SendEventsData):
  Model<number>;
  /** ep_read_events_proc(): the poll's scan procedure (2.6.27 to 5.9). */
  ep_read_events_proc?(c: Ctx, ep: number, txlist: number, depth: number): Model<number>;
  /** ep_autoremove_wake_function(): ep_poll's wake function (5.7+). */
  ep_autoremove_wake_function?(c: Ctx, wait: number, mode: number, sync: number,
    key: number): Model<number>;
  /**
   * default_wake_function() as the wake function of ep_poll's own wait entry, in eras that
   * queue it with init_waitqueue_entry() (before 5.7, and bug switch B6): replace it here to
   * change what waking an epoll_wait caller does, without touching other waiters.
   */
  default_wake_function?(c: Ctx, wait: number, mode: number, sync: number, key: number):
  Model<number>;
  /**
   * The tail of ep_insert() and ep_modify() (inline in the kernel; a function of its own in
   * the model so that it can be replaced alone): queue a ready item that is not linked and
   * wake ep->wq; returns whether poll_wait needs a safewake. mainline-6.18 and rwlock-5.1
   * take ep->lock inside; classic-4.19, exclusive-4.5 and roundrobin-rfc call it with
   * ep->lock held.
   */
  queue_if_ready?(c: Ctx, ep: number, epi: number): Model<boolean>;
  /** ep_pm_stay_awake(): activate the item's wakeup source (EPOLLWAKEUP, 3.5+). */
  ep_pm_stay_awake?(c: Ctx, epi: number): Model<void>;
  /** ep_create_wakeup_source(): the set's and the item's wakeup sources (3.5+). */
  ep_create_wakeup_source?(c: Ctx, ep: number, epi: number): Model<void>;
  /** ep_pm_stay_awake_rcu(): the callback's activation, an RCU reader of epi->ws (3.9+). */
  ep_pm_stay_awake_rcu?(c: Ctx, epi: number): Model<void>;
  /** ep_destroy_wakeup_source(): MOD without EPOLLWAKEUP frees the item's source (3.5+). */
  ep_destroy_wakeup_source?(c: Ctx, epi: number): Model<void>;
  /** list_add_tail_lockless(): the callback's lockless rdllist add (5.1 to 6.17). */
  list_add_tail_lockless?(c: Ctx, n: number, head: number): Model<boolean>;
  /** chain_epi_lockless(): the callback's lockless ovflist push (5.1 to 6.17). */
  chain_epi_lockless?(c: Ctx, ep: number, epi: number, precheck: boolean): Model<boolean>;
  /** ep_unlink(): take an item off the tree and the ready list (2.6.22). */
  ep_unlink?(c: Ctx, ep: number, epi: number): Model<boolean>;
  /** ep_mark_ready(): the IDLE -> READY cmpxchg (the wfcqueue RFC). */
  ep_mark_ready?(c: Ctx, epi: number): Model<boolean>;
  /** ep_notify_waiters(): wake waiters unless wqlock is busy (the wfcqueue RFC). */
  ep_notify_waiters?(c: Ctx, ep: number): Model<void>;
  /** ep_ready_prepare(): splice the ready queue onto the transaction queue (wfcqueue RFC). */
  ep_ready_prepare?(c: Ctx, ep: number): Model<number>;
  /** ep_poll_readyevents_proc(): is some queued item ready (the wfcqueue RFC's poll)? */
  ep_poll_readyevents_proc?(c: Ctx, ep: number, depth: number): Model<number>;
  /** ep_reap(): free a zombie item (the wfcqueue RFC). */
  ep_reap?(c: Ctx, ep: number, epi: number): void;
  /** reverse_path_check(): count every listed file's wakeup paths (3.3+; mainline only). */
  reverse_path_check?(c: Ctx): Model<number>;
  /** reverse_path_check_proc(): the paths up from one watchers' list, under RCU. */
  reverse_path_check_proc?(c: Ctx, refs: number, depth: number): Model<number>;
}

/** The names of the optional members of {@link EpOps}: functions of some eras only. */
export const OPTIONAL_OPS = [
  'ep_is_linked', 'ep_item_poll', 'ep_events_available', 'ep_start_scan', 'ep_done_scan',
  'ep_scan_ready_list', 'ep_send_events_proc', 'ep_read_events_proc',
  'ep_autoremove_wake_function', 'default_wake_function', 'queue_if_ready', 'ep_pm_stay_awake',
  'ep_create_wakeup_source', 'list_add_tail_lockless', 'chain_epi_lockless', 'ep_unlink',
  'ep_mark_ready', 'ep_notify_waiters', 'ep_ready_prepare', 'ep_poll_readyevents_proc',
  'ep_reap', 'reverse_path_check', 'reverse_path_check_proc', 'ep_pm_stay_awake_rcu',
  'ep_destroy_wakeup_source',
] as const satisfies readonly (keyof EpOps)[];

/** The table a running kernel calls: every member present (missing ones throw). */
export type FullEpOps = Required<EpOps>;

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
  /**
   * Semantics flags used by checkers: whether EPOLLWAKEUP and EPOLLEXCLUSIVE are supported;
   * whether ep_poll_callback drops a wakeup whose key has none of the item's events
   * (`keyedWakeups`, default true: since "epoll keyed wakeups", v2.6.30; before it any
   * wakeup queued the item, so the spurious-queueing property does not check the key);
   * `setRefcount`: ep_insert() takes a reference of the set (6.4+), so `ep->refcount` is a
   * real refcount_t and its misuse is reported (older eras only keep the field in step).
   */
  readonly features: { wakeupSources: boolean; exclusive: boolean; keyedWakeups?: boolean;
    setRefcount?: boolean };
  /**
   * Properties the variant is known to violate as it stands (a design kept broken on
   * purpose: an RFC as posted, a fix that closes one window only), each with the reason in
   * a sentence. `eventpoll-sim campaign` prints them, so a finding reads as expected.
   */
  readonly knownViolations?: readonly KnownViolation[];
  /**
   * The variant's own per-run state, made once per run before setup and kept as
   * `kernel(c).variantState`. It must be plain data (objects,
   * arrays, Maps, Sets, numbers, strings, class instances of those): prepared setups copy
   * it with the rest of the run's state after setup. A function in it is shared, not copied;
   * a generator cannot be copied, and makes every run do its own setup.
   */
  readonly initState?: (m: MachineAccess) => unknown;
  /**
   * The variant's per-task state, made the first time a context asks for it
   * (`kernel(c).taskState(c)`); default `{}`. Same rules as {@link initState}.
   */
  readonly initTaskState?: (c: Ctx) => unknown;
  /**
   * File types this variant adds (file_operations by name): a scenario creates one with
   * `files: [{ name, type }]` and its read, write and poll go through these operations.
   * Other variants in the same process do not see them. Names must not be built-in ones.
   */
  readonly fileTypes?: readonly FileOps[];
}

/** The f_op names of the built-in file types (and scenario type names), not reusable. */
export const BUILTIN_FILE_TYPES: readonly string[] = ['eventfd', 'pipe', 'socketpair',
  'socket', 'regular', 'eventpoll'];

/** Checks a variant's own file types: named, unique, not built-in. */
function checkFileTypes(name: string, types: readonly FileOps[]): void {
  const seen = new Set<string>();
  for (const t of types) {
    if (BUILTIN_FILE_TYPES.includes(t.name) || seen.has(t.name)) {
      throw new SimUsageError('E_BAD_VARIANT', `variant '${name}': file type '${t.name}' is ` +
        `${seen.has(t.name) ? 'defined twice' : 'built in'} (built-in types: ` +
        `${BUILTIN_FILE_TYPES.join(', ')})`);
    }
    seen.add(t.name);
  }
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
  { id: 'fault:ctl-no-epnested-mutex', summary: 'P4 canary (sleeping deadlock): an ADD of an ' +
    'epoll file skips epnested_mutex and the loop check, so two crossing ADDs each hold one ' +
    'set\'s ep->mtx while polling the other (lockdep-lite sees one class and subclasses)' },
  { id: 'fault:no-stay-awake', summary: 'P6 canary: ep_poll_callback queues an item without ' +
    'activating its wakeup source' },
  { id: 'fault:callback-no-interest-filter', summary: 'P5 canary (mainline, classic-4.19, ' +
    'exclusive-4.5): ep_poll_callback queues its item for a wakeup whose key has none of ' +
    'the events it watches' },
  { id: 'fault:callback-no-disarm-filter', summary: 'P5 canary (mainline, classic-4.19, ' +
    'exclusive-4.5): ep_poll_callback queues a disabled item (a spent EPOLLONESHOT)' },
  { id: 'fault:callback-wq-always-active', summary: 'P5 canary (mainline, classic-4.19, ' +
    'exclusive-4.5): an EXCLUSIVE item\'s ep_poll_callback returns 1 (a wake given) as if ' +
    'ep->wq always had a waiter' },
];

/** A property a variant is known to violate, and why (see {@link Variant.knownViolations}). */
export interface KnownViolation {
  readonly property: string;
  readonly why: string;
}

/** A variant with a set of enabled deviations. */
export interface VariantConfig {
  readonly variant: Variant;
  readonly bugs: ReadonlySet<string>;
}

const REGISTRY = new Map<string, Variant>();

/** Registers a variant under its name (replacing one of the same name). */
export function registerVariant(v: Variant): Variant {
  checkFileTypes(v.name, v.fileTypes ?? []);
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

/** What {@link defineVariant} takes. */
export interface VariantDefinition {
  name: string;
  /** The variant it starts from: everything not given here is the base's. */
  base: string | Variant;
  follows?: string;
  /** The functions it replaces (any subset of {@link EpOps}). */
  ops?: Partial<EpOps>;
  bugs?: readonly BugSwitch[];
  locking?: string;
  /** Its per-run state (replaces the base's; see {@link Variant.initState}). */
  initState?: (m: MachineAccess) => unknown;
  /** Its per-task state (replaces the base's; see {@link Variant.initTaskState}). */
  initTaskState?: (c: Ctx) => unknown;
  /** File types it adds to the base's (see {@link Variant.fileTypes}). */
  fileTypes?: readonly FileOps[];
}

/**
 * Derives a user variant from a registered one by replacing model functions, and optionally
 * adding per-run state and file types. The result is registered, so the CLI and
 * `simulate()` find it by name.
 */
export function defineVariant(def: VariantDefinition): Variant {
  const base = typeof def.base === 'string' ? getVariant(def.base) : def.base;
  const initState = def.initState ?? base.initState;
  const initTaskState = def.initTaskState ?? base.initTaskState;
  const fileTypes = [...base.fileTypes ?? [], ...def.fileTypes ?? []];
  return registerVariant({
    name: def.name,
    follows: def.follows ?? `${base.name} with replaced functions`,
    locking: def.locking ?? base.locking,
    lockOrder: base.lockOrder,
    bugs: def.bugs ?? base.bugs,
    ops: { ...base.ops, ...def.ops },
    features: base.features,
    ...initState ? { initState } : {},
    ...initTaskState ? { initTaskState } : {},
    ...fileTypes.length > 0 ? { fileTypes } : {},
  });
}

/** Every op of a variant, the missing optional ones as stubs that say so (cached). */
const FULL_OPS = new WeakMap<Variant, FullEpOps>();

/**
 * The table a run calls: the variant's own functions, and for each optional one it does
 * not have (an era without that function), a stub that throws a SimUsageError naming it.
 */
export function fullOps(v: Variant): FullEpOps {
  let ops = FULL_OPS.get(v);
  if (ops === undefined) {
    const all: Record<string, unknown> = { ...v.ops };
    for (const name of OPTIONAL_OPS) {
      if (all[name] !== undefined) continue;
      all[name] = (): never => {
        throw new SimUsageError('E_NO_OP', `variant '${v.name}' has no ${name}() (its era ` +
          `does not have that function); give one in defineVariant({ ops: { ${name} } })`);
      };
    }
    ops = all as unknown as FullEpOps;
    FULL_OPS.set(v, ops);
  }
  return ops;
}
