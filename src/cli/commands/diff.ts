/**
 * `diff`: the same scenario and seeds on two variants; prints, per seed, the first
 * observable difference (syscall results, violation, final state) and how to replay both
 * runs. See src/api/differential.ts for what "the same schedule" means.
 * Exit 0 when no seed showed a difference, 1 otherwise.
 */
import { differential, type DifferentialResult } from '../../api/differential.ts';
import { SimUsageError } from '../../sim/errors.ts';
import { choiceOpt, intOpt, parse } from '../args.ts';
import { cliReplay } from '../replay-line.ts';
import { COMMON, memoryArg, noPositionals, scenarioArg, seedArg, strategyArg } from './common.ts';

const HELP = `usage: eventpoll-sim diff --variant A --variant B --scenario S [--seeds N] [--seed N]
       [--strategy random|pct[:D]|preempt:K|portfolio] [--memory sc|tso|lkmm]
       [--align syscalls|seed] [--all] [--json]
Runs scenario S on variants A and B for --seeds N seeds starting at --seed SEED, i.e.
SEED..SEED+N-1 (defaults: N 2, SEED 0), and reports
the first observable difference of each seed, most severe first: a different violation, a
call that returned in one variant only, a different return value, other events (often
scheduling: which waiter got which event), or the final state of files and sets.
--align syscalls (default): B follows the order in which A's tasks start syscalls and A's
interrupts fire, while each variant interleaves its own kernel steps from the seed;
--align seed: the same seed, nothing more. --all prints every difference of a seed, not
just the first. Exit 1 if any seed differs.`;

function show(r: DifferentialResult, all: boolean): string {
  const out: string[] = [];
  const d = r.differences;
  const caveat = r.divergences > 0 ? ` (B left A's syscall order ${r.divergences} time(s))` : '';
  if (d.length === 0) {
    out.push(`seed ${r.seed}: no difference${caveat}`);
    return out.join('\n');
  }
  out.push(`seed ${r.seed}: ${d.length} difference(s)${caveat}`);
  for (const x of all ? d : d.slice(0, 1)) {
    const where = x.kind === 'results' ? `${x.where} syscall #${x.index! + 1}` : x.where;
    out.push(`  ${x.severity}: ${x.kind} ${where}:\n    A ${r.a.variant}: ${x.a}\n    ` +
      `B ${r.b.variant}: ${x.b}`);
  }
  out.push(`  replay A: ${cliReplay(r.a.replay)}`, `  replay B: ${cliReplay(r.b.replay)}`);
  return out.join('\n');
}

/** `diff`. */
export function cmdDiff(argv: string[]): number {
  const { values: v, positionals } = parse(argv, {
    ...COMMON, variant: { type: 'string', multiple: true }, seeds: { type: 'string' },
    align: { type: 'string' }, all: { type: 'boolean' },
  });
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  noPositionals('diff', positionals);
  const strategy = strategyArg(v.strategy);
  const variants = (v.variant as string[] | undefined) ?? [];
  if (variants.length !== 2) {
    throw new SimUsageError('E_USAGE', 'diff takes exactly two --variant options');
  }
  const scen = (v.scenario as string[] | undefined) ?? [];
  if (scen.length !== 1) throw new SimUsageError('E_USAGE', 'diff takes exactly one --scenario');
  const { scenario, ref } = scenarioArg(scen[0]!);
  const seeds = intOpt(v.seeds, 'seeds', 2, 1, 1e7);
  const seed0 = seedArg(v.seed);
  const align = choiceOpt(v.align, 'align', ['syscalls', 'seed'] as const) ?? 'syscalls';
  const memory = memoryArg(v.memory);
  const results: DifferentialResult[] = [];
  for (let i = 0; i < seeds; i++) {
    results.push(differential({
      variantA: variants[0]!, variantB: variants[1]!, scenario, scenarioRef: ref,
      seed: seed0 + i, align, ...(strategy ? { strategy } : {}),
      ...(memory ? { memory } : {}),
    }));
  }
  const differing = results.filter((r) => r.differences.length > 0);
  if (v.json) {
    console.log(JSON.stringify(results.map((r) => ({ ...r,
      a: { ...r.a, replay: cliReplay(r.a.replay) },
      b: { ...r.b, replay: cliReplay(r.b.replay) } })), null, 1));
  } else {
    for (const r of results) console.log(show(r, !!v.all));
    const by = new Map<string, number>();
    for (const r of differing) {
      const k = r.differences[0]!.severity;
      by.set(k, (by.get(k) ?? 0) + 1);
    }
    const kinds = [...by].map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(`\n${variants[0]} vs ${variants[1]} on ${ref}: ${differing.length} of ` +
      `${seeds} seed(s) differ${kinds ? ` (by first difference: ${kinds})` : ''}; align ${align}.`);
  }
  return differing.length > 0 ? 1 : 0;
}
