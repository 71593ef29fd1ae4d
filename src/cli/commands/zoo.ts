/**
 * `zoo`: re-find every bug of the zoo from seeds, per strategy and seed family, shrink the
 * shortest failure, and sweep the fixed counterparts. Prints the zoo table (or JSON).
 * Exit 0 when every runnable entry was found with its expected property and every fixed
 * counterpart stayed clean; 1 otherwise (pending entries do not count).
 */
import { quote, SimUsageError } from '../../sim/errors.ts';
import { ZOO, zooEntry, type ZooEntry } from '../../zoo/entries.ts';
import { runEntries } from '../zoo-parallel.ts';
import type { EntryReport, StrategyStats } from '../../zoo/run.ts';
import { intOpt, parse } from '../args.ts';
import { table } from '../table.ts';
import { status } from '../progress.ts';
import { cliReplay } from '../replay-line.ts';
import { jobsArg, noPositionals } from './common.ts';
import { writeViewOfReplay } from './view.ts';

const HELP = `usage: eventpoll-sim zoo [--entry ID ...] [--families N] [--budget N]
       [--fixed-multiple N] [--no-fixed] [--no-shrink] [--jobs N] [--json | --markdown]
       [--html FILE]
For each bug of the zoo (bug-zoo.md) and each strategy (random, pct, portfolio), runs
seeds 0,1,2,... of N seed families (--families, default 10; family f starts at seed
f*1000000) until the first failure (at most --budget schedules, default per entry),
shrinks the failures with the fewest context switches (keeping the smallest result), and
runs the fixed counterpart for --fixed-multiple (default 100) times the worst family's
schedules, with each strategy. The default strategy is pct (see docs/zoo.md). Entries run
on --jobs worker threads (default and maximum: the CPU count); results do not depend on
it. (--seeds, which means "N seeds from --seed" in fuzz, campaign and diff, is not a zoo
option: see --families.)
Entries whose variant does not exist yet are reported as pending. --markdown prints the
table as markdown (what docs/zoo.md shows); --json prints every measurement. --html FILE
writes the viewer page (see 'view') of the first entry's shrunk failure.`;

function stat(s: StrategyStats | undefined, budget: number): string {
  if (!s) return '-';
  const med = s.median === null ? `>${budget}` : String(s.median);
  const max = s.max === null ? `>${budget}` : String(s.max);
  return `${med}/${max}`;
}

function fixedCell(r: EntryReport): string {
  if (r.status === 'pending') return '-';
  if (r.fixedPending !== undefined) return 'pending';
  if (r.fixedRuns.length === 0) return '-';
  const bad = r.fixedRuns.find((f) => !f.clean);
  if (bad) return `FAIL (${bad.strategy} seed ${bad.failure!.seed})`;
  return r.fixedRuns.map((f) => `${f.strategy} ${f.schedules}`).join(' + ') + ' clean';
}

function row(r: EntryReport): string[] {
  const found = r.status === 'found' ? 'yes' : r.status === 'pending' ? 'pending'
    : r.status === 'unexpected' ? 'OTHER' : 'no';
  const sh = r.shrunk ? `${r.shrunk.steps} st/${r.shrunk.decisions} sw` : '-';
  const replay = r.status === 'pending' ? r.pending ?? ''
    : cliReplay(r.shrunk?.replay ?? r.example?.replay ?? '');
  return [r.id, r.bug, r.property, found, stat(r.strategies[0], r.budget),
    stat(r.strategies[1], r.budget), stat(r.strategies[2], r.budget), sh, fixedCell(r),
    replay];
}


/** Renders reports as the zoo table. */
export function zooTable(reports: readonly EntryReport[]): string {
  return table(['entry', 'variant+switches', 'property', 'found', 'random med/max',
    'pct med/max (default)', 'portfolio med/max', 'shrunk', 'fixed: schedules clean',
    'replay (shrunk) / pending reason'],
  reports.map(row));
}

/** Renders reports as a markdown table (docs/zoo.md). */
export function zooMarkdown(reports: readonly EntryReport[]): string {
  const head = ['entry', 'variant+switches', 'property', 'found', 'random med/max',
    'pct med/max (default)', 'portfolio med/max', 'shrunk (steps / switches)',
    'fixed: schedules clean'];
  const cell = (x: string) => x.replace(/\|/g, '\\|');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`];
  for (const r of reports) {
    const cells = row(r).slice(0, 9);
    cells[1] = `\`${cells[1]}\``;
    lines.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Whether a report counts as a success for the exit code. */
export function zooOk(r: EntryReport): boolean {
  if (r.status === 'pending') return true;
  return r.status === 'found' && r.fixedRuns.every((f) => f.clean);
}

/** `zoo`. */
export async function cmdZoo(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, {
    entry: { type: 'string', multiple: true }, seeds: { type: 'string' },
    families: { type: 'string' }, 'force-jobs': { type: 'boolean' },
    budget: { type: 'string' }, 'fixed-multiple': { type: 'string' },
    'no-fixed': { type: 'boolean' }, 'no-shrink': { type: 'boolean' }, jobs: { type: 'string' },
    json: { type: 'boolean' }, markdown: { type: 'boolean' }, html: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  noPositionals('zoo', positionals);
  if (v.seeds !== undefined) {
    throw new SimUsageError('E_USAGE', 'zoo: --seeds is now --families (the number of seed ' +
      'families; --seeds means a number of seeds from --seed in fuzz, campaign and diff)');
  }
  const ids = (v.entry as string[] | undefined) ?? [];
  const entries: ZooEntry[] = ids.length === 0 ? [...ZOO] : ids.map((id) => {
    const e = zooEntry(id);
    if (!e) {
      throw new SimUsageError('E_USAGE', `unknown zoo entry ${quote(id)}: expected one of ` +
        ZOO.map((x) => x.id).join(', '));
    }
    return e;
  });
  const families = intOpt(v.families, 'families', 10, 1, 1000);
  const budget = v.budget === undefined ? undefined : intOpt(v.budget, 'budget', 0, 1, 1e9);
  const fixedMultiple = intOpt(v['fixed-multiple'], 'fixed-multiple', 100, 1, 1e6);
  const jobs = jobsArg(v.jobs, !!v['force-jobs']);
  const seconds = new Map<string, number>();
  // The total is not known in advance, so a status line rather than a bar.
  const show = status('zoo', !v.json && !v.markdown);
  const done = await runEntries(entries, {
    families, fixedMultiple, skipFixed: !!v['no-fixed'], skipShrink: !!v['no-shrink'],
    ...(budget !== undefined ? { budget } : {}), onProgress: show,
  }, jobs, (r, s) => seconds.set(r.id, s));
  show('', -1);
  const reports = done.map((r) => ({ ...r, seconds: seconds.get(r.id) ?? 0 }));
  if (v.json) {
    console.log(JSON.stringify(reports, null, 1));
  } else if (v.markdown) {
    console.log(zooMarkdown(reports));
  } else {
    console.log(zooTable(reports));
    for (const r of reports) {
      for (const s of r.strategies) {
        for (const u of s.unexpected) {
          console.log(`\n${r.id} ${s.strategy} family ${u.family}: unexpected ${u.property}: ` +
            `${u.message}\n  replay: ${cliReplay(u.replay)}`);
        }
      }
      for (const f of r.fixedRuns) {
        if (f.failure) {
          console.log(`\n${r.id} fixed (${r.fixed}, ${f.strategy}): ${f.failure.property}: ` +
            `${f.failure.message}\n  replay: ${cliReplay(f.failure.replay)}`);
        }
      }
      if (r.fixedPending) console.log(`\n${r.id} fixed counterpart pending: ${r.fixedPending}`);
    }
    const secs = reports.reduce((a, r) => a + r.seconds, 0);
    console.log(`\n${reports.length} entries, ${secs.toFixed(1)} s of work on ${jobs} ` +
      `thread${jobs === 1 ? '' : 's'}; seeds: family f runs ` +
      'f*1000000, f*1000000+1, ...; "shrunk" = steps / chosen context switches.');
  }
  // --html FILE: the viewer page of the first shrunk failure, as its replay line gives it.
  const shrunk = reports.find((r) => r.shrunk !== undefined)?.shrunk;
  if (v.html !== undefined && shrunk) writeViewOfReplay(String(v.html), shrunk.replay);
  return reports.every(zooOk) ? 0 : 1;
}
