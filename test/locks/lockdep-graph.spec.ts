/**
 * The lockdep class graph (src/locks/lockdep-graph.ts) called directly on a hand-built
 * machine: lock classes, dependencies and the cycle they close (check_noncircular), hardirq
 * usage and its conflicts (mark_lock_irq), the IRQ-safe -> IRQ-unsafe order (check_irq_usage)
 * found from a new usage or from a new dependency, and the report texts' key facts.
 */
import { describe, expect, it } from 'vitest';
import {
  copySite, ENABLED_HARDIRQ, ENABLED_HARDIRQ_READ, LockGraph, siteText, USED_IN_HARDIRQ,
  USED_IN_HARDIRQ_READ, type LockClass, type LockSite,
} from '../../src/locks/lockdep-graph.ts';
import { CLONE, CLONE_FAST } from '../../src/sim/clone.ts';
import { fakeMachine, site, type FakeMachine } from './lockdep-fixture.ts';

interface Setup {
  fm: FakeMachine;
  g: LockGraph;
  /** The class of a new lock `label` (subclass 0). */
  cls(label: string): LockClass;
  /** addDependency(prev -> next) by T0 at `step` (prev taken at step - 1). */
  dep(prev: LockClass, next: LockClass, step: number): void;
  /** markUsage(bit) by T0 at `step`. */
  use(k: LockClass, bit: number, step: number): void;
}

function setup(): Setup {
  const fm = fakeMachine();
  const g = new LockGraph();
  const c = fm.task('T0', 0, 'ep_insert');
  return {
    fm, g,
    cls: (label) => g.classOf(fm.m, fm.lock(label), 0),
    dep: (prev, next, step) => g.addDependency(fm.m, c, prev, site('T0', prev.key, step - 1),
      next, site('T0', next.key, step)),
    use: (k, bit, step) => g.markUsage(fm.m, c, k, bit, site('T0', k.key, step)),
  };
}

/** The `key`s of a class's out (or in) neighbours, in map order. */
function outKeys(k: LockClass): string[] {
  return [...k.out.keys()].map((x) => x.key);
}
function inKeys(k: LockClass): string[] {
  return [...k.in.keys()].map((x) => x.key);
}

describe('lockdep graph: sites', () => {
  it('siteText names context, CPU, primitive, lock, function and step', () => {
    expect(siteText(site('T1', 'ep.lock', 12, 'ep_poll', 'spin_lock_irq', 3)))
      .toBe('T1 (cpu3) spin_lock_irq(ep.lock) in ep_poll at step 12');
  });

  it('siteText leaves out the function when the caller named none', () => {
    expect(siteText(site('T1', 'ep.lock', 12, '', 'spin_lock', 0)))
      .toBe('T1 (cpu0) spin_lock(ep.lock) at step 12');
  });

  it('copySite is a frozen copy with the same facts', () => {
    const s = site('T1', 'A', 4, 'f', 'spin_lock', 1);
    const k = copySite(s);
    expect(k).not.toBe(s);
    expect(k).toEqual(s);
    expect(Object.isFrozen(k)).toBe(true);
  });
});

describe('lockdep graph: lock classes', () => {
  it('a new class has no usage, no usage site and no dependencies', () => {
    const { cls } = setup();
    const a = cls('A');
    expect(a.key).toBe('A');
    expect(a.usage).toBe(0);
    expect(a.usageSite).toEqual([]);
    expect(a.out.size + a.in.size).toBe(0);
  });

  it('locks of one class share it; a subclass (_nested) is a class of its own', () => {
    const { fm, g } = setup();
    const a1 = fm.lock('ep1.lock', 'ep.lock');
    const a2 = fm.lock('ep2.lock', 'ep.lock');
    const k = g.classOf(fm.m, a1, 0);
    expect(g.classOf(fm.m, a2, 0)).toBe(k);
    expect(k.key).toBe('ep.lock');
    const n = g.classOf(fm.m, a2, 1);
    expect(n.key).toBe('ep.lock/1');
    expect(n).not.toBe(k);
    expect(g.classOf(fm.m, a1, 1)).toBe(n);
    // The subclass lookup does not change the lock's own class.
    expect(g.classOf(fm.m, a2, 0)).toBe(k);
    expect(g.classOf(fm.m, a2, 1)).toBe(n);
  });

  it('the NULL handle and a handle the arena does not hold get classes by label', () => {
    const { fm, g } = setup();
    const a = fm.lock('A');
    expect(g.classOf(fm.m, a, 0).key).toBe('A');
    expect(g.classOf(fm.m, 0, 0).key).toBe('NULL');
    expect(g.classOf(fm.m, 99, 0).key).toBe('?99');
    expect(g.classOf(fm.m, 99, 2).key).toBe('?99/2');
  });

  it('the version moves with each new class or dependency, not with a known lock', () => {
    const { fm, g, dep } = setup();
    const v0 = g.currentVersion();
    const l = fm.lock('A');
    const a = g.classOf(fm.m, l, 0);
    const v1 = g.currentVersion();
    expect(v1).toBeGreaterThan(v0);
    expect(g.classOf(fm.m, l, 0)).toBe(a);
    expect(g.currentVersion()).toBe(v1);
    const b = g.classOf(fm.m, fm.lock('B'), 0);
    const v2 = g.currentVersion();
    expect(v2).toBeGreaterThan(v1);
    dep(a, b, 2);
    const v3 = g.currentVersion();
    expect(v3).toBeGreaterThan(v2);
    dep(a, b, 3); // already known
    expect(g.currentVersion()).toBe(v3);
  });
});

describe('lockdep graph: dependencies and check_noncircular', () => {
  it('a dependency links both classes and keeps frozen copies of the first sites', () => {
    const { fm, g, cls } = setup();
    const c = fm.ctxs[0]!;
    const a = cls('A');
    const b = cls('B');
    const sa = site('T0', 'A', 1, 'ep_insert');
    const sb = site('T0', 'B', 2, 'ep_insert');
    g.addDependency(fm.m, c, a, sa, b, sb);
    const d = a.out.get(b)!;
    expect(b.in.get(a)).toBe(d);
    expect(d.from).toBe(a);
    expect(d.to).toBe(b);
    expect(d.prev).toEqual(sa);
    expect(d.prev).not.toBe(sa);
    expect(d.next).toEqual(sb);
    expect(Object.isFrozen(d.next)).toBe(true);
    sa.step = 77; // a reused held-lock record changes; the kept site does not
    expect(d.prev.step).toBe(1);
    expect(fm.reports).toEqual([]);
  });

  it('B -> A after A -> B: lock-inversion naming the new and the old order', () => {
    const { fm, g, cls } = setup();
    const t0 = fm.ctxs[0]!;
    const t1 = fm.task('T1', 1, 'ep_poll_callback');
    const a = cls('A');
    const b = cls('B');
    g.addDependency(fm.m, t0, a, site('T0', 'A', 1, 'ep_insert'), b,
      site('T0', 'B', 2, 'ep_insert'));
    const v = g.currentVersion();
    g.addDependency(fm.m, t1, b, site('T1', 'B', 5, 'ep_poll_callback', 'spin_lock', 1), a,
      site('T1', 'A', 6, 'ep_poll_callback', 'spin_lock', 1));
    expect(fm.reports).toHaveLength(1);
    const r = fm.reports[0]!;
    expect(r.property).toBe('P4-locking');
    expect(r.kind).toBe('lock-inversion');
    expect(r.ctx).toBe(t1.id);
    expect(r.cpu).toBe(1);
    const now = 'A taken by T1 (cpu1) spin_lock(A) in ep_poll_callback at step 6 while ' +
      'holding B (taken by T1 (cpu1) spin_lock(B) in ep_poll_callback at step 5)';
    const old = 'B taken by T0 (cpu0) spin_lock(B) in ep_insert at step 2 while holding A ' +
      '(taken by T0 (cpu0) spin_lock(A) in ep_insert at step 1)';
    expect(r.message).toBe(`possible circular locking dependency: ${now}, but the opposite ` +
      `order A -> B was seen before: ${old}`);
    expect(r.details).toEqual([`new: ${now}`, `old: ${old}`]);
    // The closing dependency is not recorded.
    expect(b.out.size).toBe(0);
    expect(a.in.size).toBe(0);
    expect(g.currentVersion()).toBe(v);
  });

  it('a dependency seen again keeps its first sites (and is not checked again)', () => {
    const { fm, cls, dep } = setup();
    const a = cls('A');
    const b = cls('B');
    dep(a, b, 2);
    dep(a, b, 9);
    expect(a.out.get(b)!.next.step).toBe(2);
    expect(a.out.get(b)!.prev.step).toBe(1);
    dep(b, a, 20);
    expect(fm.reports[0]!.details![1]).toContain('B taken by T0 (cpu0) spin_lock(B) at ' +
      'step 2 while holding A');
  });

  it('a three-class cycle lists the old order A -> B -> C in order', () => {
    const { fm, cls, dep } = setup();
    const a = cls('A');
    const b = cls('B');
    const c = cls('C');
    dep(a, b, 2);
    dep(b, c, 4);
    dep(c, a, 6);
    expect(fm.reports).toHaveLength(1);
    const d = fm.reports[0]!.details!;
    expect(d).toHaveLength(3);
    expect(d[1]).toMatch(/^old: B taken by .* at step 2 while holding A /);
    expect(d[2]).toMatch(/^old: C taken by .* at step 4 while holding B /);
    expect(fm.reports[0]!.message).toContain('the opposite order A -> C was seen before');
  });

  it('the cycle is reported along the first path found breadth-first', () => {
    // P -> Q1 -> R and P -> Q2 -> R, then R -> X: X -> P closes the cycle via Q1.
    const { fm, cls, dep } = setup();
    const [p, q1, q2, r, x] = ['P', 'Q1', 'Q2', 'R', 'X'].map(cls) as LockClass[];
    dep(p!, q1!, 2);
    dep(p!, q2!, 4);
    dep(q1!, r!, 6);
    dep(q2!, r!, 8);
    dep(r!, x!, 10);
    expect(fm.reports).toEqual([]);
    dep(x!, p!, 12);
    const d = fm.reports[0]!.details!.slice(1).map((l) => /^old: (\w+) taken .* holding (\w+)/
      .exec(l)!.slice(1).reverse().join('->'));
    expect(d).toEqual(['P->Q1', 'Q1->R', 'R->X']);
  });

  it('an order that only looks back along the graph is no cycle: A -> B, A -> C, B -> C', () => {
    const { fm, cls, dep } = setup();
    const a = cls('A');
    const b = cls('B');
    const c = cls('C');
    dep(a, b, 2);
    dep(a, c, 4);
    dep(b, c, 6);
    expect(fm.reports).toEqual([]);
    expect(outKeys(a)).toEqual(['B', 'C']);
    expect(inKeys(c)).toEqual(['A', 'B']);
  });
});

describe('lockdep graph: hardirq usage (mark_lock_irq)', () => {
  it('a usage bit keeps the site it was first seen at', () => {
    const { cls, use, fm } = setup();
    const a = cls('A');
    use(a, ENABLED_HARDIRQ_READ, 3);
    use(a, ENABLED_HARDIRQ_READ, 8);
    use(a, ENABLED_HARDIRQ, 9);
    expect(a.usage).toBe(ENABLED_HARDIRQ | ENABLED_HARDIRQ_READ);
    expect(a.usageSite[3]!.step).toBe(3);
    expect(a.usageSite[2]!.step).toBe(9);
    expect(a.usageSite[0]).toBeUndefined();
    expect(fm.reports).toEqual([]);
  });

  it('in hardirq, then with IRQs on: irq-unsafe-lock naming both sites', () => {
    const { fm, g, cls } = setup();
    const a = cls('dev.lock');
    const irq = fm.irq(1);
    const t1 = fm.task('T1', 0, 'ep_poll');
    g.markUsage(fm.m, irq, a, USED_IN_HARDIRQ,
      site('irq@1', 'dev.lock', 3, '', 'spin_lock', 1));
    expect(fm.reports).toEqual([]);
    g.markUsage(fm.m, t1, a, ENABLED_HARDIRQ, site('T1', 'dev.lock', 7, 'ep_poll'));
    expect(fm.reports).toHaveLength(1);
    const r = fm.reports[0]!;
    expect(r.kind).toBe('irq-unsafe-lock');
    expect(r.ctx).toBe(t1.id);
    expect(r.cpu).toBe(0);
    expect(r.message).toBe('inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage of lock ' +
      'class dev.lock: taken in hardirq by irq@1 (cpu1) spin_lock(dev.lock) at step 3, and ' +
      'with IRQs enabled by T1 (cpu0) spin_lock(dev.lock) in ep_poll at step 7; an ' +
      'interrupt on the CPU holding it with IRQs enabled deadlocks');
    expect(r.details).toEqual(['hardirq: irq@1 (cpu1) spin_lock(dev.lock) at step 3',
      'IRQs enabled: T1 (cpu0) spin_lock(dev.lock) in ep_poll at step 7']);
    // A second use of the same kind is not reported again.
    g.markUsage(fm.m, t1, a, ENABLED_HARDIRQ, site('T1', 'dev.lock', 9, 'ep_poll'));
    expect(fm.reports).toHaveLength(1);
  });

  it('with IRQs on, then in hardirq: the report still puts the hardirq site first', () => {
    const { fm, cls, use } = setup();
    const a = cls('A');
    use(a, ENABLED_HARDIRQ, 2);
    use(a, USED_IN_HARDIRQ, 5);
    const r = fm.reports[0]!;
    expect(r.message).toMatch(/^inconsistent \{IN-HARDIRQ-W\} -> \{HARDIRQ-ON-W\} usage of lock class A: taken in hardirq by T0 \(cpu0\) spin_lock\(A\) at step 5, and with IRQs enabled by T0 \(cpu0\) spin_lock\(A\) at step 2;/);
    expect(r.details).toEqual(['hardirq: T0 (cpu0) spin_lock(A) at step 5',
      'IRQs enabled: T0 (cpu0) spin_lock(A) at step 2']);
  });

  /** The usage names of the one report after marking `first` then `second` on one class. */
  function conflict(first: number[], second: number): string | undefined {
    const { fm, cls, use } = setup();
    const a = cls('A');
    first.forEach((b, i) => use(a, b, i + 1));
    use(a, second, 10);
    expect(fm.reports.length).toBeLessThanOrEqual(1);
    return /^inconsistent (\S+) -> (\S+) usage/.exec(fm.reports[0]?.message ?? '')
      ?.slice(1).join(' ');
  }

  it("lockdep's exclusion table: a hardirq read conflicts only with a write, IRQs on", () => {
    const IN_W = USED_IN_HARDIRQ;
    const IN_R = USED_IN_HARDIRQ_READ;
    const ON_W = ENABLED_HARDIRQ;
    const ON_R = ENABLED_HARDIRQ_READ;
    expect(conflict([IN_W], ON_R)).toBe('{IN-HARDIRQ-W} {HARDIRQ-ON-R}');
    expect(conflict([ON_R], IN_W)).toBe('{IN-HARDIRQ-W} {HARDIRQ-ON-R}');
    expect(conflict([IN_R], ON_W)).toBe('{IN-HARDIRQ-R} {HARDIRQ-ON-W}');
    expect(conflict([ON_W], IN_R)).toBe('{IN-HARDIRQ-R} {HARDIRQ-ON-W}');
    expect(conflict([IN_R], ON_R)).toBeUndefined();
    expect(conflict([ON_R], IN_R)).toBeUndefined();
    expect(conflict([IN_W], IN_R)).toBeUndefined();
    expect(conflict([ON_W], ON_R)).toBeUndefined();
  });

  it('with two conflicting usages, the report names the lower (write) one', () => {
    expect(conflict([ENABLED_HARDIRQ, ENABLED_HARDIRQ_READ], USED_IN_HARDIRQ))
      .toBe('{IN-HARDIRQ-W} {HARDIRQ-ON-W}');
    expect(conflict([USED_IN_HARDIRQ, USED_IN_HARDIRQ_READ], ENABLED_HARDIRQ))
      .toBe('{IN-HARDIRQ-W} {HARDIRQ-ON-W}');
  });
});

/** "X->Y" for each dependency line of an irq-lock-inversion report's details. */
function chain(details: string[]): string[] {
  return details.slice(2).map((l) => /^(\S+) taken .* while holding (\S+) /.exec(l)!
    .slice(1).reverse().join('->'));
}

describe('lockdep graph: HARDIRQ-safe -> HARDIRQ-unsafe order, found by a new usage', () => {
  it('A -> B -> C with C taken with IRQs on, then A in hardirq', () => {
    const { fm, cls, dep, use } = setup();
    const a = cls('A');
    const b = cls('B');
    const c = cls('C');
    dep(a, b, 2);
    dep(b, c, 4);
    use(c, ENABLED_HARDIRQ, 6);
    expect(fm.reports).toEqual([]);
    use(a, USED_IN_HARDIRQ, 8);
    expect(fm.reports).toHaveLength(1);
    const r = fm.reports[0]!;
    expect(r.kind).toBe('irq-lock-inversion');
    expect(r.property).toBe('P4-locking');
    expect(r.message).toMatch(/^HARDIRQ-safe -> HARDIRQ-unsafe lock order: A is taken in hardirq \(T0 \(cpu0\) spin_lock\(A\) at step 8\) and is held while taking C \(/);
    expect(r.message).toMatch(/, which is taken with IRQs enabled \(T0 \(cpu0\) spin_lock\(C\) at step 6\); an interrupt taking A can deadlock against the holder of C$/);
    expect(r.details!.slice(0, 2)).toEqual([
      '{IN-HARDIRQ-W}: T0 (cpu0) spin_lock(A) at step 8',
      '{HARDIRQ-ON-W}: T0 (cpu0) spin_lock(C) at step 6']);
    expect(chain(r.details!)).toEqual(['A->B', 'B->C']);
  });

  it('A in hardirq and A -> B -> C, then C taken with IRQs on (the path read backwards)', () => {
    const { fm, cls, dep, use } = setup();
    const a = cls('A');
    const b = cls('B');
    const c = cls('C');
    use(a, USED_IN_HARDIRQ, 1);
    dep(a, b, 3);
    dep(b, c, 5);
    expect(fm.reports).toEqual([]);
    use(c, ENABLED_HARDIRQ_READ, 7);
    expect(fm.reports).toHaveLength(1);
    const r = fm.reports[0]!;
    expect(r.kind).toBe('irq-lock-inversion');
    expect(r.message).toMatch(/^HARDIRQ-safe -> HARDIRQ-unsafe lock order: A is taken in hardirq \(T0 \(cpu0\) spin_lock\(A\) at step 1\) and is held while taking C /);
    expect(r.details!.slice(0, 2)).toEqual([
      '{IN-HARDIRQ-W}: T0 (cpu0) spin_lock(A) at step 1',
      '{HARDIRQ-ON-R}: T0 (cpu0) spin_lock(C) at step 7']);
    expect(chain(r.details!)).toEqual(['A->B', 'B->C']);
  });

  it('a hardirq read lock ordered before a lock read with IRQs on is fine', () => {
    const { fm, cls, dep, use } = setup();
    const a = cls('A');
    const b = cls('B');
    dep(a, b, 2);
    use(b, ENABLED_HARDIRQ_READ, 3);
    use(a, USED_IN_HARDIRQ_READ, 4);
    expect(fm.reports).toEqual([]);
    use(b, ENABLED_HARDIRQ, 5);
    expect(fm.reports).toHaveLength(1);
    expect(fm.reports[0]!.details!.slice(0, 2).map((l) => l.split(':')[0]))
      .toEqual(['{IN-HARDIRQ-R}', '{HARDIRQ-ON-W}']);
  });

  it('two IRQ-safe classes, or two IRQ-unsafe ones, in any order are fine', () => {
    const { fm, cls, dep, use } = setup();
    const a = cls('A');
    const b = cls('B');
    const c = cls('C');
    const d = cls('D');
    dep(a, b, 2);
    dep(c, d, 3);
    use(a, USED_IN_HARDIRQ, 4);
    use(b, USED_IN_HARDIRQ, 5);
    use(c, ENABLED_HARDIRQ, 6);
    use(d, ENABLED_HARDIRQ, 7);
    expect(fm.reports).toEqual([]);
  });
});

describe('lockdep graph: HARDIRQ-safe -> HARDIRQ-unsafe order, found by a new dependency', () => {
  it('S in hardirq, U with IRQs on, then S -> U: reported with that dependency', () => {
    const { fm, cls, dep, use } = setup();
    const s = cls('S');
    const u = cls('U');
    use(s, USED_IN_HARDIRQ, 1);
    use(u, ENABLED_HARDIRQ, 2);
    dep(s, u, 4);
    expect(fm.reports).toHaveLength(1);
    const r = fm.reports[0]!;
    expect(r.kind).toBe('irq-lock-inversion');
    expect(r.details).toEqual([
      '{IN-HARDIRQ-W}: T0 (cpu0) spin_lock(S) at step 1',
      '{HARDIRQ-ON-W}: T0 (cpu0) spin_lock(U) at step 2',
      'U taken by T0 (cpu0) spin_lock(U) at step 4 while holding S (taken by T0 (cpu0) ' +
      'spin_lock(S) at step 3)']);
    // The dependency is kept: the order exists, it is just unsafe.
    expect(s.out.has(u)).toBe(true);
  });

  it('P (hardirq) -> A, B -> C (IRQs on), then A -> B: the classes around the new edge', () => {
    const { fm, cls, dep, use } = setup();
    const p = cls('P');
    const a = cls('A');
    const b = cls('B');
    const c = cls('C');
    use(p, USED_IN_HARDIRQ, 1);
    use(c, ENABLED_HARDIRQ, 2);
    dep(p, a, 4);
    dep(b, c, 6);
    expect(fm.reports).toEqual([]);
    dep(a, b, 8);
    expect(fm.reports).toHaveLength(1);
    const r = fm.reports[0]!;
    expect(r.message).toMatch(/^HARDIRQ-safe -> HARDIRQ-unsafe lock order: P is taken in hardirq .* and is held while taking C \(B taken by T0 \(cpu0\) spin_lock\(B\) at step 8 while holding A /);
    expect(r.details!.slice(0, 2)).toEqual([
      '{IN-HARDIRQ-W}: T0 (cpu0) spin_lock(P) at step 1',
      '{HARDIRQ-ON-W}: T0 (cpu0) spin_lock(C) at step 2']);
    expect(chain(r.details!)).toEqual(['A->B']);
  });

  it('a longer way round on both sides: P -> Q -> A and B -> D -> C', () => {
    const { fm, cls, dep, use } = setup();
    const [p, q, a, b, d, c] = ['P', 'Q', 'A', 'B', 'D', 'C'].map(cls) as LockClass[];
    dep(p!, q!, 2);
    dep(q!, a!, 3);
    dep(b!, d!, 4);
    dep(d!, c!, 5);
    use(p!, USED_IN_HARDIRQ_READ, 6);
    use(c!, ENABLED_HARDIRQ, 7);
    expect(fm.reports).toEqual([]);
    dep(a!, b!, 9);
    expect(fm.reports).toHaveLength(1);
    expect(fm.reports[0]!.details!.slice(0, 2)).toEqual([
      '{IN-HARDIRQ-R}: T0 (cpu0) spin_lock(P) at step 6',
      '{HARDIRQ-ON-W}: T0 (cpu0) spin_lock(C) at step 7']);
    expect(chain(fm.reports[0]!.details!)).toEqual(['A->B']);
  });

  it('hardirq read before IRQs-on read, through a new edge, is fine', () => {
    const { fm, cls, dep, use } = setup();
    const p = cls('P');
    const a = cls('A');
    const b = cls('B');
    const c = cls('C');
    use(p, USED_IN_HARDIRQ_READ, 1);
    use(c, ENABLED_HARDIRQ_READ, 2);
    dep(p, a, 4);
    dep(b, c, 6);
    dep(a, b, 8);
    expect(fm.reports).toEqual([]);
    expect(a.out.has(b)).toBe(true);
  });

  it('an IRQ-safe class only after the new edge, or an IRQ-unsafe one only before, is fine',
    () => {
      const { fm, cls, dep, use } = setup();
      const u = cls('U');
      const a = cls('A');
      const b = cls('B');
      const s = cls('S');
      use(u, ENABLED_HARDIRQ, 1);
      use(s, USED_IN_HARDIRQ, 2);
      dep(u, a, 4);
      dep(b, s, 6);
      dep(a, b, 8);
      expect(fm.reports).toEqual([]);
    });
});

describe('lockdep graph: copies for a prepared setup', () => {
  /**
   * A template: A -> B -> C, A -> D/1 (lock d only as subclass 1), usages on A and C, and
   * lock e2 of class A looked up only later.
   */
  function template() {
    const st = setup();
    const { fm, g } = st;
    const la = fm.lock('A');
    const lb = fm.lock('B');
    const lc = fm.lock('C');
    const ld = fm.lock('D');
    const a = g.classOf(fm.m, la, 0);
    const b = g.classOf(fm.m, lb, 0);
    const c = g.classOf(fm.m, lc, 0);
    const d1 = g.classOf(fm.m, ld, 1);
    st.dep(a, b, 2);
    st.dep(b, c, 4);
    st.dep(a, d1, 6);
    st.use(a, USED_IN_HARDIRQ_READ, 7);
    st.use(c, ENABLED_HARDIRQ_READ, 8);
    const a2 = fm.lock('A2', 'A');
    expect(fm.reports).toEqual([]);
    return { ...st, la, lb, lc, ld, a2, a, b, c, d1 };
  }

  type Copier = (g: LockGraph, memo: Map<object, unknown>) => LockGraph;
  const copiers: [string, Copier][] = [
    ['cloneState ([CLONE])', (g, memo) => cloneWith(g, memo, 0)],
    ['the fast engine ([CLONE_FAST])', (g, memo) => cloneWith(g, memo, 1)],
  ];

  for (const [name, copy] of copiers) {
    describe(name, () => {
      it('copies every class with its usage, sites and edges, in the same orders', () => {
        const t = template();
        const memo = new Map<object, unknown>();
        const g2 = copy(t.g, memo);
        expect(g2).toBeInstanceOf(LockGraph);
        expect(memo.get(t.g)).toBe(g2);
        for (const k of [t.a, t.b, t.c, t.d1]) {
          const k2 = memo.get(k) as LockClass;
          expect(k2).toBeDefined();
          expect(k2).not.toBe(k);
          expect(k2.key).toBe(k.key);
          expect(k2.usage).toBe(k.usage);
          expect(k2.usageSite).toEqual(k.usageSite);
          expect(k2.usageSite).not.toBe(k.usageSite);
          expect(outKeys(k2)).toEqual(outKeys(k));
          expect(inKeys(k2)).toEqual(inKeys(k));
          for (const [n2, d2] of k2.out) {
            expect(d2.from).toBe(k2);
            expect(d2.to).toBe(n2);
            expect(n2.in.get(k2)).toBe(d2);
            // The frozen sites are shared, the dependency is not.
            const d = k.out.get([...k.out.keys()].find((x) => x.key === n2.key)!)!;
            expect(d2).not.toBe(d);
            expect(d2.prev).toBe(d.prev);
            expect(d2.next).toBe(d.next);
          }
          expect([...k2.in.keys()]).toEqual([...k.in.keys()].map((x) => memo.get(x)));
        }
        expect([...(memo.get(t.a) as LockClass).out.keys()])
          .toEqual([memo.get(t.b), memo.get(t.d1)]);
      });

      it('the copy finds the same classes for the same locks, without a new version', () => {
        const t = template();
        const memo = new Map<object, unknown>();
        const g2 = copy(t.g, memo);
        const v = g2.currentVersion();
        expect(g2.classOf(t.fm.m, t.la, 0)).toBe(memo.get(t.a));
        expect(g2.classOf(t.fm.m, t.lb, 0)).toBe(memo.get(t.b));
        expect(g2.classOf(t.fm.m, t.lc, 0)).toBe(memo.get(t.c));
        expect(g2.currentVersion()).toBe(v);
        // By key: a subclass, and another lock of a known class.
        expect(g2.classOf(t.fm.m, t.ld, 1)).toBe(memo.get(t.d1));
        expect(g2.classOf(t.fm.m, t.a2, 0)).toBe(memo.get(t.a));
        expect(g2.classOf(t.fm.m, t.ld, 0)).not.toBe(memo.get(t.d1));
      });

      it('the copy goes its own way: a cycle in it is reported, the template unchanged', () => {
        const t = template();
        const memo = new Map<object, unknown>();
        const g2 = copy(t.g, memo);
        const c2 = memo.get(t.c) as LockClass;
        const a2 = memo.get(t.a) as LockClass;
        const fm = t.fm;
        g2.addDependency(fm.m, fm.ctxs[0]!, c2, site('T0', 'C', 20), a2, site('T0', 'A', 21));
        expect(fm.reports).toHaveLength(1);
        expect(fm.reports[0]!.details!.slice(1)).toEqual([
          'old: B taken by T0 (cpu0) spin_lock(B) at step 2 while holding A (taken by T0 ' +
          '(cpu0) spin_lock(A) at step 1)',
          'old: C taken by T0 (cpu0) spin_lock(C) at step 4 while holding B (taken by T0 ' +
          '(cpu0) spin_lock(B) at step 3)']);
        // New edges and usages of the copy stay in the copy.
        const e = g2.classOf(fm.m, fm.lock('E'), 0);
        g2.addDependency(fm.m, fm.ctxs[0]!, c2, site('T0', 'C', 22), e, site('T0', 'E', 23));
        g2.markUsage(fm.m, fm.ctxs[0]!, a2, ENABLED_HARDIRQ_READ, site('T0', 'A', 24));
        expect(outKeys(c2)).toEqual(['E']);
        expect(t.c.out.size).toBe(0);
        expect(t.a.usage).toBe(USED_IN_HARDIRQ_READ);
        expect(t.a.usageSite[3]).toBeUndefined();
        expect(a2.usageSite[3]!.step).toBe(24);
        // The template's own report: C -> A still closes its cycle.
        t.dep(t.c, t.a, 30);
        expect(fm.reports).toHaveLength(2);
      });

      it('a copy can be copied again, and knows the same locks', () => {
        const t = template();
        const m1 = new Map<object, unknown>();
        const g2 = copy(t.g, m1);
        const m2 = new Map<object, unknown>();
        const g3 = copy(g2, m2);
        const a3 = m2.get(m1.get(t.a) as object) as LockClass;
        expect(a3.key).toBe('A');
        expect(outKeys(a3)).toEqual(['B', 'D/1']);
        expect(g3.classOf(t.fm.m, t.la, 0)).toBe(a3);
        expect(g3.classOf(t.fm.m, t.ld, 1)).toBe(m2.get(m1.get(t.d1) as object));
        expect(g3.classOf(t.fm.m, t.a2, 0)).toBe(a3);
      });
    });
  }

  it('the fast copy follows the template after it changes (a stale plan is redone)', () => {
    const t = template();
    const first = cloneWith(t.g, new Map(), 1);
    expect(first.classOf(t.fm.m, t.lc, 0).out.size).toBe(0);
    // One new class and one new dependency since the plan was made.
    const e = t.g.classOf(t.fm.m, t.fm.lock('E'), 0);
    t.dep(t.c, e, 10);
    const memo = new Map<object, unknown>();
    const again = cloneWith(t.g, memo, 1);
    expect(outKeys(memo.get(t.c) as LockClass)).toEqual(['E']);
    expect(memo.get(e)).toBeDefined();
    expect(again.classOf(t.fm.m, t.lc, 0)).toBe(memo.get(t.c));
    // And with only a usage changed (no new version), the usage is still read at copy time.
    t.use(e, ENABLED_HARDIRQ_READ, 11);
    const m3 = new Map<object, unknown>();
    cloneWith(t.g, m3, 1);
    expect((m3.get(e) as LockClass).usage).toBe(ENABLED_HARDIRQ_READ);
    expect((m3.get(e) as LockClass).usageSite[3]!.step).toBe(11);
  });
});

/** Copies `g` with [CLONE] (kind 0) or [CLONE_FAST] (kind 1). */
function cloneWith(g: LockGraph, memo: Map<object, unknown>, kind: number): LockGraph {
  return kind === 0 ? g[CLONE](memo) : g[CLONE_FAST](memo);
}
