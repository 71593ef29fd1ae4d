/**
 * The arena: kernel pointers as integer handles.
 *
 * Every kernel object the model allocates (an `epitem`, a `list_head`, a lock word, a
 * `task_struct`) is a plain record of numbers stored at an index of one array. A pointer is
 * that index, so the whole simulated kernel heap is a tree of plain data: immer can freeze a
 * snapshot of it, a checker can walk it, and a hash of it is cheap. Handles are never reused,
 * so a freed slot stays poisoned for the rest of the run and any later access through it is
 * reported as a use-after-free naming the site that freed it.
 *
 * Sentinel values that are never valid handles: `NULL` (0), `EP_UNACTIVE_PTR` (-1) and the
 * `LIST_POISON1/2` values that `list_del` writes (include/linux/poison.h).
 */

/** A kernel pointer: an index into the arena. The brand names the pointed-to kind. */
export type Ref<K extends string = string> = number & { readonly __kind?: K };

/** The NULL pointer. */
export const NULL = 0 as Ref<never>;
/** `EP_UNACTIVE_PTR` of fs/eventpoll.c: `(void *) -1L`. */
export const EP_UNACTIVE_PTR = -1 as Ref<never>;
/** `LIST_POISON1` of include/linux/poison.h (0x100 + delta): written to `next` by list_del. */
export const LIST_POISON1 = -0x100 as Ref<never>;
/** `LIST_POISON2` of include/linux/poison.h (0x122 + delta): written to `prev` by list_del. */
export const LIST_POISON2 = -0x122 as Ref<never>;

/** A heap object: a record of numeric fields plus its kind. */
export interface KObject {
  kind: string;
  [field: string]: number | string;
}

/** Where an object was freed, kept so a later use-after-free report can name it. */
export interface FreeSite {
  step: number;
  ctx: number;
  fn: string;
}

/** Names a sentinel pointer value, or returns undefined for an ordinary handle. */
export function sentinelName(h: number): string | undefined {
  if (h === NULL) return 'NULL';
  if (h === EP_UNACTIVE_PTR) return 'EP_UNACTIVE_PTR';
  if (h === LIST_POISON1) return 'LIST_POISON1';
  if (h === LIST_POISON2) return 'LIST_POISON2';
  if (h < 0) return `bad pointer ${h}`;
  return undefined;
}

/**
 * The object store. Slot 0 is reserved so that NULL is never a valid handle.
 * `freed[h]` is 0 while the object is live and 1 after kfree.
 */
export class Arena {
  /** The objects, by handle. Slot 0 is a placeholder for NULL. */
  readonly objs: KObject[] = [{ kind: 'NULL' }];
  /** 1 when the slot has been freed (poisoned). */
  readonly freed: number[] = [1];
  /** Where each freed slot was freed. */
  readonly freeSites = new Map<number, FreeSite>();
  /** The label given at allocation, if any (the default `kind#h` is built on demand). */
  private readonly labels: (string | undefined)[] = ['NULL'];
  /** The object each one is embedded in (0: none; see {@link embed}). */
  private readonly parents: number[] = [0];
  /** The members embedded in each object, in embedding order (a Map: ordered iteration). */
  private readonly members = new Map<number, number[]>();
  /** Members poisoned by their parent's kfree (their own later "free" is bookkeeping). */
  private readonly freedWithParent = new Set<number>();

  /**
   * Allocates an object of `kind` with the given initial fields and returns its handle.
   * `fields` becomes the object (callers pass a fresh literal), so no copy is made.
   */
  alloc<K extends string>(kind: K, fields: Record<string, number | string>, label?: string):
  Ref<K> {
    const h = this.objs.length;
    const obj = fields as KObject;
    obj.kind = kind;
    this.objs.push(obj);
    this.freed.push(0);
    this.labels.push(label);
    this.parents.push(0);
    return h as Ref<K>;
  }

  /**
   * Records that `member` is embedded in `parent` (a struct member, like `ep->mtx` or an
   * epitem's `rdllink`, which the model allocates as an object of its own): kfree of the
   * parent poisons the member too, so a use through an alias is a use-after-free. A member
   * keeps its first parent (`ep->lock` of 4.19 is `ep->wq.lock`, embedded in `ep->wq`).
   */
  embed(member: number, parent: number): void {
    if (member <= 0 || parent <= 0 || member === parent || this.parents[member] !== 0) return;
    this.parents[member] = parent;
    const list = this.members.get(parent);
    if (list === undefined) this.members.set(parent, [member]);
    else list.push(member);
  }

  /**
   * Moves `member` into `parent`: for a member the model allocated with one owner that the
   * kernel keeps in another object (an epoll file's `f_ep` is `&ep->refs`, eventpoll memory).
   */
  reparent(member: number, parent: number): void {
    const old = this.parents[member] ?? 0;
    if (old !== 0) {
      const list = this.members.get(old)!;
      list.splice(list.indexOf(member), 1);
    }
    this.parents[member] = 0;
    this.embed(member, parent);
  }

  /** The object `h` is embedded in, or 0. */
  parentOf(h: number): number {
    return this.parents[h] ?? 0;
  }

  /**
   * Makes this (new, empty) arena a copy of `other`: every object copied field by field,
   * the poison marks, free sites and labels. Used to start a machine from prepared state.
   */
  copyFrom(other: Arena): void {
    if (this.objs.length !== 1) throw new Error('Arena.copyFrom: the arena is not empty');
    for (let h = 1; h < other.objs.length; h++) {
      this.objs.push({ ...other.objs[h]! });
      this.freed.push(other.freed[h]!);
      this.labels.push(other.labels[h]);
      this.parents.push(other.parents[h]!);
    }
    for (const [h, site] of other.freeSites) this.freeSites.set(h, { ...site });
    for (const [h, list] of other.members) this.members.set(h, [...list]);
    for (const h of other.freedWithParent) this.freedWithParent.add(h);
  }

  /**
   * Same result as {@link copyFrom}, faster: the objects are copied by functions made once
   * per object shape (an object literal of fixed keys, which V8 builds in one go, where a
   * spread of objects of many shapes takes its slow path), and the flat arrays by slice.
   */
  copyFromFast(other: Arena): void {
    if (this.objs.length !== 1) throw new Error('Arena.copyFrom: the arena is not empty');
    const src = other.objs;
    const copiers = copiersOf(other);
    const objs = this.objs;
    for (let h = 1; h < src.length; h++) objs.push(copiers[h]!(src[h]!));
    const self = this as unknown as { freed: number[]; labels: unknown[]; parents: number[] };
    self.freed = other.freed.slice();
    self.labels = other.labels.slice();
    self.parents = other.parents.slice();
    for (const [h, site] of other.freeSites) this.freeSites.set(h, { ...site });
    for (const [h, list] of other.members) this.members.set(h, [...list]);
    for (const h of other.freedWithParent) this.freedWithParent.add(h);
  }

  /** True when `h` names a live object. */
  isLive(h: number): boolean {
    return h > 0 && h < this.objs.length && this.freed[h] === 0;
  }

  /**
   * Describes why `h` cannot be dereferenced, or returns undefined when it can.
   * Used by the memory layer on every access, so it is kept branch-light.
   */
  badAccess(h: number): string | undefined {
    if (h > 0 && h < this.objs.length && this.freed[h] === 0) return undefined;
    const s = sentinelName(h);
    if (s !== undefined) return `dereference of ${s}`;
    if (h >= this.objs.length) return `dereference of wild pointer ${h}`;
    const site = this.freeSites.get(h);
    const where = site ? ` (freed at step ${site.step} by ctx ${site.ctx} in ${site.fn})` : '';
    return `use-after-free of ${this.label(h)}${where}`;
  }

  /** Marks `h` freed; returns an error string for a double free or a bad pointer. */
  free(h: number, site: FreeSite): string | undefined {
    const bad = this.badAccess(h);
    if (bad !== undefined) {
      // The model "frees" some members itself after their parent: nothing in the kernel.
      if (this.freedWithParent.has(h)) return undefined;
      return this.freed[h] === 1 && h > 0 ? `double free of ${this.label(h)}` : `kfree: ${bad}`;
    }
    this.freed[h] = 1;
    this.freeSites.set(h, site);
    this.poisonMembers(h, site);
    return undefined;
  }

  /** kfree of `h` frees the memory of everything embedded in it, members of members too. */
  private poisonMembers(h: number, site: FreeSite): void {
    const list = this.members.get(h);
    if (list === undefined) return;
    const with_ = { ...site, fn: `${site.fn}, with ${this.label(h)}` };
    for (const k of list) {
      if (this.freed[k] !== 0) continue;
      this.freed[k] = 1;
      this.freeSites.set(k, with_);
      this.freedWithParent.add(k);
      this.poisonMembers(k, with_);
    }
  }

  /** The label of a handle, or the sentinel's name. */
  label(h: number): string {
    const s = sentinelName(h);
    if (s !== undefined) return s;
    if (h >= this.objs.length) return `?${h}`;
    return this.labels[h] ?? `${this.objs[h]!.kind}#${h}`;
  }

  /** Handles of live objects of one kind, in allocation order. */
  live(kind: string): number[] {
    const out: number[] = [];
    for (let h = 1; h < this.objs.length; h++) {
      if (this.freed[h] === 0 && this.objs[h]!.kind === kind) out.push(h);
    }
    return out;
  }
}

type Copier = (o: KObject) => KObject;

/** Copiers by object shape (the keys in order), shared by every arena (bounded). */
const COPIERS = new Map<string, Copier>();
/**
 * Per template arena: the copier of each handle, valid while it has `n` objects and until
 * {@link forgetCopyPlan} (the machine calls it when setup runs on the template again, which
 * can add fields to existing objects).
 */
const PLANS = new WeakMap<Arena, { n: number; copiers: Copier[] }>();

/** Drops the copy plan of `a` (its objects may have changed shape). */
export function forgetCopyPlan(a: Arena): void {
  PLANS.delete(a);
}

function copiersOf(a: Arena): Copier[] {
  const n = a.objs.length;
  let plan = PLANS.get(a);
  if (plan !== undefined && plan.n === n) return plan.copiers;
  const copiers: Copier[] = [];
  for (let h = 0; h < n; h++) {
    const keys = Object.keys(a.objs[h]!);
    const sig = keys.join('\0');
    let f = COPIERS.get(sig);
    if (f === undefined) {
      // Keys are quoted by JSON.stringify, so any field name is safe in the source.
      const body = keys.map((k) => `${JSON.stringify(k)}: s[${JSON.stringify(k)}]`).join(', ');
      f = new Function('s', `return { ${body} };`) as Copier;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: a cache bound only
      if (COPIERS.size >= 4096) COPIERS.clear();
      COPIERS.set(sig, f);
    }
    copiers.push(f);
  }
  // Stryker disable next-line ObjectLiteral: a plan that never matches: rebuilt, same copy
  plan = { n, copiers };
  PLANS.set(a, plan);
  return copiers;
}
