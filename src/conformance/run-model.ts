/**
 * The `.ops` front end on the model: runs a script on a simulated machine with one CPU and
 * one task (the script's process) making the syscalls of src/eventpoll/syscalls.ts, and
 * prints the canonical transcript, byte for byte what oracle/epoll-oracle.c prints for the
 * same script on the kernel when the model is faithful.
 *
 * A single-threaded script has one interleaving, so the run makes no real scheduling
 * choice: the task always runs; once it sleeps (a wait or poll with a positive timeout and
 * nothing ready) the only thing left is its timer, which fires, and the call returns 0, as
 * on the kernel. A wait or poll with a negative timeout that finds nothing would sleep for
 * ever (the oracle would hang): that is a {@link ScriptBlockedError}.
 */
import '../eventpoll/variants.ts';
import { EpKernel } from '../eventpoll/kernel.ts';
import { resolveVariant } from '../eventpoll/variant.ts';
import { mutex_init } from '../locks/mutex.ts';
import type { Ctx } from '../sim/context.ts';
import { LimitExceededError, ModelError } from '../sim/errors.ts';
import { Machine } from '../sim/machine.ts';
import type { Model } from '../sim/op.ts';
import type { Scheduler } from '../sim/scheduler.ts';
import { OpsPrinter } from './format.ts';
import { ModelOps, ScriptBlockedError, type CallLine } from './model-ops.ts';
import { parseOps } from './parse.ts';
import type { OpsLine } from './types.ts';

export { ScriptBlockedError } from './model-ops.ts';

/** The variant scripts run on unless told otherwise: the host kernel's. */
export const DEFAULT_SCRIPT_VARIANT = 'mainline-6.18';

/** Options of {@link runModel}. */
export interface RunModelOptions {
  /** A registered variant, `name+BUG...` (default {@link DEFAULT_SCRIPT_VARIANT}). */
  readonly variant?: string;
  /** Step limit of the run (default 50 million: a 16 MiB fill takes a few hundred thousand). */
  readonly stepsMax?: number;
}

/** What a script printed on the model. */
export interface ModelTranscript {
  /** The output lines, without newlines. */
  readonly lines: readonly string[];
  /** The whole transcript: every line followed by a newline (the oracle's stdout). */
  readonly text: string;
  /** Scheduling steps the run took. */
  readonly steps: number;
  /** Virtual time at the end, in ns (timeouts advance it). */
  readonly timeNs: number;
}

/** The one candidate there is: the task while it runs, then its timer. */
const ONLY: Scheduler = {
  name: 'single-threaded',
  begin() {},
  pick: () => 0,
};

/**
 * Runs a script (text, or lines) on the model and returns its transcript.
 * @throws {OpsSyntaxError} for malformed script text (nothing runs);
 * @throws {ScriptBlockedError} when a wait or poll would sleep forever;
 * @throws {ModelError} when the model itself reports a property violation.
 */
export function runModel(script: string | readonly OpsLine[], options: RunModelOptions = {}):
ModelTranscript {
  const lines = typeof script === 'string' ? parseOps(script) : script;
  const cfg = resolveVariant(options.variant ?? DEFAULT_SCRIPT_VARIANT);
  const m = new Machine({ ncpu: 1, seed: 0, time: 'eager',
    limits: { stepsMax: options.stepsMax ?? 50_000_000 } });
  const k = new EpKernel(m, cfg);
  m.ext.ep = k;
  m.setup('boot', function* (): Model<void> {
    k.epnested_mutex = mutex_init(m, 'epnested_mutex', 'epnested_mutex');
  });
  const out: string[] = [];
  let blocked: ScriptBlockedError | undefined;
  /** The line being run, for errors that stop the run (the step limit). */
  let at: OpsLine | undefined;
  m.addTask({
    name: 'script', cpu: 0,
    body: function* (c: Ctx): Model<void> {
      const ops = new ModelOps();
      const printer = new OpsPrinter();
      for (const line of lines) {
        at = line;
        if (line.op === 'order' || line.op === 'echo' || line.op === 'expect') {
          out.push(printer.print(line));
          continue;
        }
        try {
          out.push(printer.print(line, yield* ops.run(c, line as CallLine)));
        } catch (e) {
          if (!(e instanceof ScriptBlockedError)) throw e;
          blocked = e;
          return;
        }
      }
    },
  });
  let run;
  try {
    run = m.run(ONLY);
  } catch (e) {
    if (!(e instanceof LimitExceededError) || at === undefined) throw e;
    throw new LimitExceededError(`line ${at.line} (${at.op}): ${e.message}`);
  }
  if (blocked) throw blocked;
  const v = run.violations[0];
  if (v !== undefined) {
    throw new ModelError(`${at ? `line ${at.line} (${at.op}): ` : ''}the model reported ` +
      `${v.property} (${v.kind}) after ${out.length} output lines: ${v.message}`);
  }
  if (run.status !== 'done') {
    // Every line prints one line, so the line that never returned is the next one.
    const line = lines[out.length];
    throw new ScriptBlockedError(line?.line ?? 0, line?.op ?? 'a call');
  }
  return { lines: out, text: out.map((l) => `${l}\n`).join(''), steps: run.steps,
    timeNs: run.time };
}
