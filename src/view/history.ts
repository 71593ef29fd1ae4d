/**
 * The state history of one run, recorded compactly as immer patches: a plain snapshot of
 * the kernel before the first step (snapshot.ts) and, per step, the patch list that turns
 * the state before it into the state after it (`produceWithPatches`). Any step's state is
 * then `applyPatches` of the first k lists, without re-running the simulation: the failure
 * viewer embeds the history as JSON and moves through it in the browser.
 *
 * The recorder is a machine observer, added only when a history is asked for, so a run
 * without one costs nothing and a run with one takes the same steps, schedule and trace
 * hash (observers never change the machine). Each step it takes a fresh snapshot, finds
 * the values that differ from the previous state (a plain walk of two trees), and applies
 * just those to an immer draft, so the patches name exactly the fields the step changed.
 */
import { createRequire } from 'node:module';
import type { Immer, Patch } from 'immer';
import type { Machine, Observer } from '../sim/machine.ts';
import { snapshotMachine, type KernelSnapshot } from './snapshot.ts';

let instance: Immer | undefined;

/**
 * immer, loaded on first use: simulate() imports this module, and a run without history
 * (every fuzzing run) should not pay for loading immer either. No freezing: the states are
 * ours alone, and freezing every step's new values costs.
 */
function immer(): Immer {
  if (instance === undefined) {
    const m = createRequire(import.meta.url)('immer') as typeof import('immer');
    m.enablePatches();
    instance = new m.Immer({ autoFreeze: false });
  }
  return instance;
}

/** A run's state history. */
export interface StateHistory {
  /** The state before step 0. */
  initial: KernelSnapshot;
  /** `patches[s]`: what step s changed (one list per step of the run, possibly empty). */
  patches: Patch[][];
}

type Tree = Record<string, unknown> | unknown[];
type Change = { path: (string | number)[]; value: unknown };

function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null;
}

/**
 * The changes from `a` to `b`: a leaf that differs, a key added or removed, an array that
 * grew (its new items) or shrank (replaced whole). Objects are compared key by key.
 */
function diff(a: unknown, b: unknown, path: (string | number)[], out: Change[]): void {
  if (a === b) return;
  if (!isTree(a) || !isTree(b) || Array.isArray(a) !== Array.isArray(b)) {
    out.push({ path, value: b });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (b.length < a.length) {
      out.push({ path, value: b });
      return;
    }
    for (let i = 0; i < b.length; i++) {
      if (i < a.length) diff(a[i], b[i], [...path, i], out);
      else out.push({ path: [...path, i], value: b[i] });
    }
    return;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k of Object.keys(bo)) {
    if (!Object.hasOwn(ao, k)) out.push({ path: [...path, k], value: bo[k] });
    else diff(ao[k], bo[k], [...path, k], out);
  }
  for (const k of Object.keys(ao)) {
    if (!Object.hasOwn(bo, k)) out.push({ path: [...path, k], value: undefined });
  }
}

function applyChange(draft: Tree, c: Change): void {
  let t = draft as Record<string | number, unknown>;
  for (let i = 0; i < c.path.length - 1; i++) t = t[c.path[i]!] as Record<string, unknown>;
  const last = c.path[c.path.length - 1]!;
  if (c.value === undefined) delete t[last];
  else t[last] = c.value;
}

/** Records a run's history; add it as the machine's last observer, call finish() after. */
export class HistoryRecorder implements Observer {
  readonly name = 'state-history';
  private state: KernelSnapshot | undefined;
  private initial: KernelSnapshot | undefined;
  private readonly patches: Patch[][] = [];

  /** Takes the state before the first step. */
  begin(m: Machine): void {
    this.initial = snapshotMachine(m);
    this.state = this.initial;
  }

  afterStep(m: Machine): void {
    this.record(m);
  }

  private record(m: Machine): void {
    const next = snapshotMachine(m);
    const changes: Change[] = [];
    diff(this.state, next, [], changes);
    if (changes.length === 0) {
      this.patches.push([]);
      return;
    }
    const [state, patches] = immer().produceWithPatches(this.state!, (d) => {
      for (const c of changes) applyChange(d as Tree, c);
    });
    this.state = state;
    this.patches.push(patches);
  }

  /**
   * The history, once the run has ended: a step cut short by a fault (the run stops inside
   * it, before the observers run) gets its patch list here.
   */
  finish(m: Machine): StateHistory {
    if (this.initial === undefined) throw new Error('HistoryRecorder: begin() was not called');
    while (this.patches.length < m.step) this.record(m);
    return { initial: this.initial, patches: this.patches };
  }
}

/** The state after the first `steps` steps (0: the initial state). */
export function stateAt(h: StateHistory, steps: number): KernelSnapshot {
  if (!Number.isInteger(steps) || steps < 0 || steps > h.patches.length) {
    throw new RangeError(`stateAt: step ${steps} is not in 0..${h.patches.length}`);
  }
  let s = h.initial;
  for (let i = 0; i < steps; i++) {
    if (h.patches[i]!.length > 0) s = immer().applyPatches(s, h.patches[i]!);
  }
  return s;
}

/**
 * Calls `visit(s, state)` for s = 0..steps with the state after the first s steps, applying
 * each patch list once (a walk through the whole run costs one pass).
 */
export function applyHistory(h: StateHistory, steps: number,
  visit: (s: number, state: KernelSnapshot) => void): void {
  let s = h.initial;
  visit(0, s);
  for (let i = 0; i < steps && i < h.patches.length; i++) {
    if (h.patches[i]!.length > 0) s = immer().applyPatches(s, h.patches[i]!);
    visit(i + 1, s);
  }
}
