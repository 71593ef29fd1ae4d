/**
 * Wakeup trees of optimal DPOR (Abdulla, Aronis, Jonsson, Sagonas, "Optimal Dynamic Partial
 * Order Reduction", POPL 2014, Section 6 and Algorithm 2).
 *
 * The wakeup tree of a state is an ordered tree of step sequences still to be explored from
 * it: each child is a process and the footprint of its next step there, and its children
 * continue the sequence. A leaf means "then any continuation". Instead of one process from
 * the initials of a reversed race (a source set, Algorithm 1), the search inserts the whole
 * reversing sequence v = notdep(e).e', so that the execution started for it goes where the
 * race is reversed and is not cut short by the sleep set on the way.
 */
import { dependent, type Footprint } from '../por.ts';

/** A node of a wakeup tree: a process's next step, and what to run after it. */
export interface WakeupNode {
  readonly p: number;
  /** The footprint of the step, or null when unknown (then only its own event matches). */
  readonly fp: Footprint | null;
  readonly kids: WakeupNode[];
}

/**
 * Where `p` stands in `seq` as a weak initial (the paper's WI[E](w)): the index of p's
 * first step in seq when no earlier step of seq is dependent with it (it can go first);
 * seq.length when p has no step in seq and `fp`, its next step, is independent of all of seq
 * (it can go first and leave seq runnable after it); -1 when p is not a weak initial.
 */
export function weakInitial(p: number, fp: Footprint | null, seq: readonly Footprint[]):
number {
  for (let m = 0; m < seq.length; m++) {
    if (seq[m]!.p !== p) continue;
    const x = seq[m]!;
    for (let k = 0; k < m; k++) if (dependent(seq[k]!, x)) return -1;
    return m;
  }
  if (fp === null) return -1;
  for (const x of seq) if (dependent(fp, x)) return -1;
  return seq.length;
}

/**
 * The paper's insert[E](v, wut): follows the first (in ≺, insertion order) child whose
 * process is a weak initial of what is left of v, dropping that process's step from it; an
 * existing leaf on the way, or a path that already holds all of v, covers v (the exploration
 * below it will reverse what remains). Otherwise the rest of v becomes a new last branch.
 * Returns whether the tree grew.
 */
export function insertSequence(tree: WakeupNode[], v: readonly Footprint[]): boolean {
  let list = tree;
  let seq = v.slice();
  for (;;) {
    let next: WakeupNode | null = null;
    for (const c of list) {
      const m = weakInitial(c.p, c.fp, seq);
      if (m < 0) continue;
      if (m < seq.length) seq.splice(m, 1);
      next = c;
      break;
    }
    if (next === null) break;
    if (next.kids.length === 0 || seq.length === 0) return false;
    list = next.kids;
  }
  list.push(chain(seq, 0));
  return true;
}

function chain(seq: readonly Footprint[], k: number): WakeupNode {
  const x = seq[k]!;
  return { p: x.p, fp: x, kids: k + 1 < seq.length ? [chain(seq, k + 1)] : [] };
}
