/**
 * `merge`: the summary of a campaign run as shards (`fuzz --shard i/n --json`, `campaign
 * --shard i/n --json`), equal to what the campaign prints on one machine (text, or JSON
 * with --json), apart from timing. See src/cli/shard.ts.
 */
import { mergeChunks } from '../../api/fuzz.ts';
import { quote, SimUsageError } from '../../sim/errors.ts';
import { parse } from '../args.ts';
import { checkShards } from '../shard.ts';
import { campaignFromShard, printCampaign } from './campaign.ts';
import { readInputFile } from './common.ts';
import { campaignOptions, printFuzz } from './fuzz.ts';

/**
 * The largest shard file read (a campaign's shard holds one small record per chunk: a
 * million seeds of every variant are a few megabytes).
 */
export const SHARD_FILE_MAX = 256 << 20;

const HELP = `usage: eventpoll-sim merge SHARD.json... [--json]
Merges the results of the shards of one campaign, written by 'fuzz --shard I/N --json' or
'campaign --shard I/N --json' (one file per shard, in any order), and prints the summary
the campaign gives on one machine: the same table, counts, first failures and replay
commands (the timing is the sum of the shards'). Every shard 1..N must be given exactly
once, all of the same campaign, each complete. Exit codes as the campaign's own.`;

/** `merge`. */
export function cmdMerge(argv: string[]): number {
  const { values: v, positionals } = parse(argv, {
    json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const files = positionals.map((path) => {
    // Regular files only (merge /dev/zero read until memory ran out), of a generous size.
    const text = readInputFile(path, 'shard file', SHARD_FILE_MAX);
    try {
      return { path, data: JSON.parse(text) as unknown };
    } catch (e) {
      throw new SimUsageError('E_USAGE', `shard file ${quote(path)} is not JSON: ` +
        quote((e as Error).message, 120));
    }
  });
  const shards = checkShards(files);
  const timing = {
    seconds: shards.reduce((a, s) => a + s.timing.seconds, 0),
    threads: shards.reduce((a, s) => a + s.timing.threads, 0),
  };
  const first = shards[0]!;
  if (first.command === 'fuzz') {
    const o = campaignOptions(first.campaign);
    const sum = mergeChunks(o, shards.flatMap((s) => s.runs[0]?.results ?? []));
    return printFuzz(sum, timing, !!v.json, o);
  }
  const c = campaignFromShard(first.campaign);
  const runs = c.variants.map((_, i) => mergeChunks(c.options(i),
    shards.flatMap((s) => s.runs[i]?.results ?? [])));
  return printCampaign(c, runs, { seconds: timing.seconds, threads: timing.threads,
    perVariant: c.variants.map(() => timing.seconds / c.variants.length) }, !!v.json);
}
