/**
 * Shards: one campaign cut over machines (a CI matrix, a Kubernetes indexed Job). Every
 * shard plans the same chunks (a fixed chunk size, see SHARD_CHUNK) and runs chunk k when
 * k mod n = i - 1, which spreads every scenario over the shards. With --json a shard writes
 * its chunk results and the campaign they belong to; `eventpoll-sim merge` checks that the
 * files are the n shards of one campaign, each once and complete, and prints the summary
 * the campaign gives on one machine (mergeChunks: the same counts, first failures and
 * replay commands; only the timing differs).
 */
import type { ChunkResult } from '../api/fuzz.ts';
import { quote, SimUsageError } from '../sim/errors.ts';

/** The format tag of a shard file. */
export const SHARD_FORMAT = 'eventpoll-sim-shard/1';

/** Shard i of n (1-based). */
export interface ShardSpec {
  index: number;
  count: number;
}

/** Parses `i/n` (1 <= i <= n <= 10000). */
export function parseShard(v: unknown): ShardSpec | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  const m = /^([0-9]{1,5})\/([0-9]{1,5})$/.exec(s);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 10000 || index < 1 || index > count) {
    throw new SimUsageError('E_USAGE', `bad --shard ${quote(s, 40)}: expected i/n with ` +
      '1 <= i <= n <= 10000 (e.g. 2/3)');
  }
  return { index, count };
}

/** The chunk selector of a shard: chunk k of the plan when k mod n = i - 1. */
export function shardSelect(s: ShardSpec): (chunk: number) => boolean {
  return (k) => k % s.count === s.index - 1;
}

/** A shard file (what `fuzz --shard i/n --json` and `campaign --shard i/n --json` write). */
export interface ShardFile {
  format: typeof SHARD_FORMAT;
  command: 'fuzz' | 'campaign';
  /** The campaign, as data: shards merge only with shards of an equal campaign. */
  campaign: unknown;
  shard: ShardSpec;
  /** Per fuzz run of the campaign (one for fuzz, one per variant for campaign). */
  runs: { results: ChunkResult[] }[];
  /** Set when the shard did not run all its chunks (a time limit, a signal). */
  stopped?: string;
  timing: { seconds: number; threads: number };
}

/** Reads and checks shard files: the shards 1..n of one campaign, each once, complete. */
export function checkShards(files: readonly { path: string; data: unknown }[]): ShardFile[] {
  if (files.length === 0) {
    throw new SimUsageError('E_USAGE', 'merge takes the shard files to merge (FILE...)');
  }
  const shards = files.map(({ path, data }) => {
    const d = data as Partial<ShardFile> | null;
    if (typeof d !== 'object' || d === null || d.format !== SHARD_FORMAT ||
      (d.command !== 'fuzz' && d.command !== 'campaign') || !Array.isArray(d.runs) ||
      !Number.isInteger(d.shard?.count) || !Number.isInteger(d.shard?.index) ||
      d.shard!.count < 1 || d.shard!.count > 10000 || d.shard!.index < 1 ||
      d.shard!.index > d.shard!.count) {
      throw new SimUsageError('E_USAGE', `${quote(path)} is not a shard result (write one with ` +
        'fuzz --shard i/n --json or campaign --shard i/n --json)');
    }
    if (d.stopped !== undefined) {
      throw new SimUsageError('E_USAGE', `${quote(path)}: shard ` +
        `${d.shard!.index}/${d.shard!.count} is incomplete (stopped: ${quote(d.stopped)}); ` +
        'run it again');
    }
    return { path, s: d as ShardFile };
  });
  const first = shards[0]!;
  const key = JSON.stringify([first.s.command, first.s.campaign]);
  for (const x of shards.slice(1)) {
    if (x.s.shard.count !== first.s.shard.count ||
      JSON.stringify([x.s.command, x.s.campaign]) !== key) {
      throw new SimUsageError('E_USAGE', `${quote(x.path)} and ${quote(first.path)} are ` +
        'shards of different campaigns' + (x.s.shard.count !== first.s.shard.count
        ? ` (cut in ${x.s.shard.count} and ${first.s.shard.count} shards)` : ''));
    }
  }
  const n = first.s.shard.count;
  const seen = new Map<number, string>();
  for (const x of shards) {
    const prev = seen.get(x.s.shard.index);
    if (prev !== undefined) {
      throw new SimUsageError('E_USAGE', `shard ${x.s.shard.index}/${n} is given twice ` +
        `(${quote(prev)} and ${quote(x.path)})`);
    }
    seen.set(x.s.shard.index, x.path);
  }
  const missing: number[] = [];
  for (let i = 1; i <= n; i++) if (!seen.has(i)) missing.push(i);
  if (missing.length > 0) {
    throw new SimUsageError('E_USAGE', `missing shard${missing.length > 1 ? 's' : ''} ` +
      `${missing.slice(0, 10).map((i) => `${i}/${n}`).join(', ')}` +
      `${missing.length > 10 ? ', ...' : ''} of the campaign`);
  }
  return shards.map((x) => x.s).sort((a, b) => a.shard.index - b.shard.index);
}
