/**
 * eventpoll-sim: run, fuzz, replay, list, campaign (npm start), zoo, script, diff, explore,
 * merge. Exit codes: 0 clean, 1 a finding (a violation, a run over a limit), 2 bad usage
 * (or output that could not be written), 3 an internal error. Errors print one line.
 */
import { escapeText, quote, SimError } from '../sim/errors.ts';
import { guardOutput } from './output.ts';
import { version } from './version.ts';

const USAGE = `usage: eventpoll-sim <command> [options]

commands:
  run       one execution of a scenario on a variant
  fuzz      many executions over scenarios and seeds
  replay    re-run a recorded schedule with the full interleaving
  list      variants, bug switches, scenarios and strategies
  campaign  a short fuzz campaign over every variant (what npm start runs)
  script    run a .ops script on the model (the kernel oracle's transcript)
  zoo       re-find the bug zoo: schedules to first failure, shrunk, fixed counterparts
  diff      the same scenario and seeds on two variants: the first observable difference
  explore   bounded exhaustive search (every schedule within K preemptions)
  merge     merge the --json results of the shards of a fuzz or campaign (--shard i/n)
  verify    every schedule up to equivalence (partial-order reduction), or a failure
  view      one HTML page of a run: per-CPU timeline and kernel state at every step

common options: --variant NAME[+BUG...]  --scenario NAME|gen:SEED|FILE.json  --seed N
                --seeds N (N seeds from --seed: fuzz, campaign, diff)
                --strategy portfolio|random|pct[:D]|preempt:K  --memory sc|tso|lkmm  --json
long runs (fuzz, campaign): --jobs N  --time-limit SECONDS (fuzz, campaign, explore)
                --save-failures DIR (fuzz)  --shard I/N, then 'merge' (fuzz, campaign)
run 'eventpoll-sim <command> --help' for the options of one command;
'eventpoll-sim --version' prints the version.
exit codes: 0 clean, 1 a property was violated (or a run went over a limit), 2 bad usage,
3 internal error.`;

type Command = (argv: string[]) => Promise<number> | number;

/** The longest error message printed (the rest is cut). */
const MESSAGE_MAX = 900;

/**
 * By name; a Map, so that `constructor` or `__proto__` is an unknown command. Each command's
 * module is imported when it runs, so `list` or `--version` does not load the zoo, fast-check
 * or the conformance suite (start-up is most of what a short command costs).
 */
const COMMANDS = new Map<string, () => Promise<Command>>([
  ['run', async () => (await import('./commands/run.ts')).cmdRun],
  ['replay', async () => (await import('./commands/run.ts')).cmdReplay],
  ['fuzz', async () => (await import('./commands/fuzz.ts')).cmdFuzz],
  ['list', async () => (await import('./commands/list.ts')).cmdList],
  ['campaign', async () => (await import('./commands/campaign.ts')).cmdCampaign],
  ['zoo', async () => (await import('./commands/zoo.ts')).cmdZoo],
  ['diff', async () => (await import('./commands/diff.ts')).cmdDiff],
  ['explore', async () => (await import('./commands/explore.ts')).cmdExplore],
  ['script', async () => (await import('./commands/script.ts')).cmdScript],
  ['merge', async () => (await import('./commands/merge.ts')).cmdMerge],
  ['verify', async () => (await import('./commands/verify.ts')).cmdVerify],
  ['view', async () => (await import('./commands/view.ts')).cmdView],
]);

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  guardOutput();
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
    console.log(version());
    return 0;
  }
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  const load = COMMANDS.get(cmd);
  if (!load) {
    console.error(`eventpoll-sim: unknown command ${quote(cmd, 60)} (expected one of ` +
      `${[...COMMANDS.keys()].join(', ')})`);
    return 2;
  }
  try {
    // Every command may name a built-in variant: register them (not needed for --version).
    await import('../eventpoll/variants.ts');
    return await (await load())(rest);
  } catch (e) {
    // One line, whatever the message holds (a message should quote what it echoes; this
    // is the last line of defence against raw control characters and runaway lengths).
    if (e instanceof SimError || e instanceof SyntaxError) {
      console.error(`eventpoll-sim: ${escapeText(e.message, MESSAGE_MAX)}`);
      return 2;
    }
    console.error(`eventpoll-sim: internal error: ${escapeText(String((e as Error).message),
      MESSAGE_MAX)}`);
    if (process.env.EVENTPOLL_SIM_DEBUG) console.error((e as Error).stack);
    return 3;
  }
}
