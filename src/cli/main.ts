/**
 * eventpoll-sim: run, fuzz, replay, list, campaign (npm start), zoo, script, bench.
 * Exit codes: 0 clean, 1 a violation was found, 2 bad usage. Errors print one line.
 */
import { SimError } from '../sim/errors.ts';
import { cmdCampaign } from './commands/campaign.ts';
import { cmdExplore } from './commands/explore.ts';
import { cmdFuzz } from './commands/fuzz.ts';
import { cmdList } from './commands/list.ts';
import { cmdReplay, cmdRun } from './commands/run.ts';
import { cmdScript } from './commands/script.ts';
import { cmdDiff } from './commands/diff.ts';
import { cmdZoo } from './commands/zoo.ts';

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

common options: --variant NAME[+BUG...]  --scenario NAME|gen:SEED|FILE.json  --seed N
                --strategy random|pct|pct:D  --memory sc|tso  --json
run 'eventpoll-sim <command> --help' for the options of one command.`;

type Command = (argv: string[]) => Promise<number> | number;

const COMMANDS: Record<string, Command> = {
  run: cmdRun, replay: cmdReplay, fuzz: cmdFuzz, list: cmdList, campaign: cmdCampaign,
  zoo: cmdZoo, diff: cmdDiff,
  explore: cmdExplore, script: cmdScript,
};

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  const run = COMMANDS[cmd];
  if (!run) {
    console.error(`eventpoll-sim: unknown command '${cmd}' (expected one of ` +
      `${Object.keys(COMMANDS).join(', ')})`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (e) {
    if (e instanceof SimError) {
      console.error(`eventpoll-sim: ${e.message}`);
      return 2;
    }
    if (e instanceof SyntaxError) {
      console.error(`eventpoll-sim: ${e.message}`);
      return 2;
    }
    console.error(`eventpoll-sim: internal error: ${(e as Error).message}`);
    if (process.env.EVENTPOLL_SIM_DEBUG) console.error((e as Error).stack);
    return 3;
  }
}
