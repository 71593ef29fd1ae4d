import { describe, expect, it } from 'vitest';
import { parseLitmus, type LitmusSource } from '../../src/litmus/parse.ts';
import { runLitmus } from '../../src/litmus/run.ts';
import { DOC_LITMUS_TESTS, LITMUS_TESTS } from '../../src/litmus/tests.ts';

/**
 * The kernel's memory-model litmus tests under the lkmm mode: every expressible test gets
 * the Result the kernel states (exhaustive search), and each known gap reads Never (the
 * behaviour it needs is one the model does not produce; docs/architecture.md).
 */
describe('litmus: tools/memory-model/litmus-tests and Documentation/litmus-tests, lkmm', () => {
  for (const src of [...LITMUS_TESTS, ...DOC_LITMUS_TESTS]) {
    const want = src.gap === undefined ? src.result : 'Never';
    it(`${src.name}: ${want}${src.gap ? ` (gap: stated ${src.result})` : ''}`, () => {
      const r = runLitmus(parseLitmus(src), 'lkmm');
      expect(r.complete).toBe(true);
      expect(r.verdict).toBe(want);
    });
  }

  it('the table: 35 + 9 ported, 43 agree, 1 gap (load buffering)', () => {
    expect(LITMUS_TESTS.length).toBe(35);
    expect(DOC_LITMUS_TESTS.length).toBe(9);
    expect([...LITMUS_TESTS, ...DOC_LITMUS_TESTS].filter((t) => t.gap).map((t) => t.name))
      .toEqual(['LB+poonceonces']);
  });
  it('RCU+sync+read without rcu_read_lock() in the reader is reachable (a canary)', () => {
    const t = DOC_LITMUS_TESTS.find((x) => x.name === 'RCU+sync+read')!;
    const bare = { ...t, procs: ['r0 = READ_ONCE(x); r1 = READ_ONCE(y)', t.procs[1]!] };
    expect(runLitmus(parseLitmus(bare)).verdict).toBe('Sometimes');
  });
  it('a failing cmpxchg orders nothing; with smp_mb__after_atomic it is a full barrier', () => {
    const find = (n: string): LitmusSource => DOC_LITMUS_TESTS.find((t) => t.name === n)!;
    expect(runLitmus(parseLitmus(find('cmpxchg-fail-unordered-1'))).verdict).toBe('Sometimes');
    expect(runLitmus(parseLitmus(find('cmpxchg-fail-ordered-1'))).verdict).toBe('Never');
  });
});

const find = (name: string): LitmusSource => LITMUS_TESTS.find((t) => t.name === name)!;

describe('litmus: canaries (the harness can tell reachable from unreachable)', () => {
  it('MP without barriers is reachable under lkmm, with release/acquire it is not', () => {
    expect(runLitmus(parseLitmus(find('MP+poonceonces'))).verdict).toBe('Sometimes');
    expect(runLitmus(parseLitmus(find('MP+pooncerelease+poacquireonce'))).verdict)
      .toBe('Never');
  });
  it('SB is reachable without smp_mb, not with it', () => {
    expect(runLitmus(parseLitmus(find('SB+poonceonces'))).verdict).toBe('Sometimes');
    expect(runLitmus(parseLitmus(find('SB+fencembonceonces'))).verdict).toBe('Never');
  });
  it('WRC and ISA2: plain chains reach, release/acquire chains do not', () => {
    const pairs = [['WRC+poonceonces+Once', 'WRC+pooncerelease+fencermbonceonce+Once'],
      ['ISA2+poonceonces', 'ISA2+pooncerelease+poacquirerelease+poacquireonce']] as const;
    for (const [reach, never] of pairs) {
      expect(runLitmus(parseLitmus(find(reach))).verdict).toBe('Sometimes');
      expect(runLitmus(parseLitmus(find(never))).verdict).toBe('Never');
    }
  });
  it('coherence order: a store may go before an unseen newer write, unless a strong fence', () => {
    // Not kernel-shipped tests: Results derived from linux-kernel.cat, where only the
    // propagation axiom (prop ; strong-fence) forbids a cycle of two coherence edges; wmb and
    // release stores are cumul-fences, not strong fences, so 2+2W with them is allowed.
    const w2 = (name: string, fence: string, result: 'Sometimes' | 'Never') => parseLitmus({
      name, result, procs: [`WRITE_ONCE(x, 1); ${fence}WRITE_ONCE(y, 2)`,
        `WRITE_ONCE(y, 1); ${fence}WRITE_ONCE(x, 2)`], exists: 'x=1 /\\ y=1' });
    expect(runLitmus(w2('2+2W+poonceonces', '', 'Sometimes')).verdict).toBe('Sometimes');
    expect(runLitmus(w2('2+2W+fencewmbonceonces', 'smp_wmb(); ', 'Sometimes')).verdict)
      .toBe('Sometimes');
    expect(runLitmus(w2('2+2W+fencembonceonces', 'smp_mb(); ', 'Never')).verdict)
      .toBe('Never');
    // The placed store's own CPU still reads it or a newer write (coherence: CoWR).
    const t = parseLitmus({ name: 'S+poonceonces+read', result: 'Never',
      procs: ['WRITE_ONCE(x, 2); WRITE_ONCE(y, 1)',
        'r0 = READ_ONCE(y); WRITE_ONCE(x, 1); r1 = READ_ONCE(x)'],
      exists: 'x=2 /\\ 1:r0=1 /\\ 1:r1=0' });
    expect(runLitmus(t).verdict).toBe('Never');
  });
  it('a wrong stated Result is caught: MP+poonceonces claimed Never disagrees', () => {
    const wrong = { ...find('MP+poonceonces'), result: 'Never' as const };
    expect(runLitmus(parseLitmus(wrong)).verdict).not.toBe(wrong.result);
  });
  it('MP with only smp_wmb on the writer still reaches: loads reorder too', () => {
    const t = parseLitmus({ name: 'MP+fencewmbonceonce+poonceonce', result: 'Sometimes',
      procs: ['WRITE_ONCE(x, 1); smp_wmb(); WRITE_ONCE(y, 1)',
        'r0 = READ_ONCE(y); r1 = READ_ONCE(x)'], exists: '1:r0=1 /\\ 1:r1=0' });
    expect(runLitmus(t).verdict).toBe('Sometimes');
  });
  it('the same tests under TSO: MP, WRC, ISA2, IRIW unreachable, SB reachable', () => {
    expect(runLitmus(parseLitmus(find('MP+poonceonces')), 'tso').verdict).toBe('Never');
    expect(runLitmus(parseLitmus(find('WRC+poonceonces+Once')), 'tso').verdict).toBe('Never');
    expect(runLitmus(parseLitmus(find('SB+poonceonces')), 'tso').verdict).toBe('Sometimes');
  });
  it('the reduced search agrees with the unreduced one on small tests', () => {
    for (const name of ['MP+poonceonces', 'MP+onceassign+derefonce', 'SB+fencembonceonces',
      'MP+polockonce+poacquiresilsil', 'R+fencembonceonces', 'WRC+poonceonces+Once',
      'S+poonceonces', 'R+poonceonces', 'CoWW+poonceonce']) {
      const t = parseLitmus(find(name));
      const a = runLitmus(t, 'lkmm', 'dpor');
      const b = runLitmus(t, 'lkmm', 'none');
      expect(b.complete).toBe(true);
      expect(a.verdict).toBe(b.verdict);
      expect(a.outcomes).toEqual(b.outcomes);
    }
  });
  it('a bad test is refused with a clear message', () => {
    expect(() => parseLitmus({ name: 'bad', result: 'Never', procs: ['r0 = FOO(x)'],
      exists: 'x=1' })).toThrow(/unknown function 'FOO'/);
    expect(() => parseLitmus({ name: 'bad', result: 'Never', procs: ['WRITE_ONCE(x)'],
      exists: 'x=1' })).toThrow(/takes 2 argument/);
  });
});
