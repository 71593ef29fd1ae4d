/** Options shared by the commands, and loading a scenario from a name or a JSON file. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Scenario } from '../../scenario/types.ts';
import { validateScenario } from '../../scenario/validate.ts';
import { parseSeed, quote, SimUsageError } from '../../sim/errors.ts';
import { choiceOpt } from '../args.ts';
import { zooScenario } from '../../zoo/scenarios.ts';

/** parseArgs option specs used by several commands. */
export const COMMON = {
  variant: { type: 'string' },
  scenario: { type: 'string', multiple: true },
  seed: { type: 'string' },
  strategy: { type: 'string' },
  memory: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The largest scenario file read, in bytes (a scenario of a thousand calls is ~100 KB). */
export const SCENARIO_FILE_MAX = 4 << 20;

/** A scenario argument: a library or zoo name, `gen:SEED`, or a path to a JSON file. */
export function scenarioArg(s: string): { scenario: Scenario | string; ref: string } {
  // The zoo's scenarios (src/zoo/scenarios.ts) are accepted by name, so its replay lines work.
  const zoo = zooScenario(s);
  if (zoo) return { scenario: zoo, ref: s };
  if (s.endsWith('.json') || (s.includes('/') && existsSync(s))) {
    if (!existsSync(s)) throw new SimUsageError('E_USAGE', `scenario file ${quote(s)} not found`);
    // A regular file of sane size only: not /dev/zero (endless), not a FIFO (a hang).
    const st = statSync(s);
    if (!st.isFile() || st.size > SCENARIO_FILE_MAX) {
      throw new SimUsageError('E_USAGE', `scenario file ${quote(s)}: ${st.isFile()
        ? `${st.size} bytes, over the cap of ${SCENARIO_FILE_MAX}` : 'not a regular file'}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(s, 'utf8'));
    } catch (e) {
      throw new SimUsageError('E_BAD_SCENARIO', `scenario file ${quote(s)} is not valid JSON: ` +
        quote((e as Error).message, 120));
    }
    return { scenario: validateScenario(data), ref: s };
  }
  return { scenario: s, ref: s };
}

/** The seed option (default 0). */
export function seedArg(v: unknown): number {
  return v === undefined ? 0 : parseSeed(String(v));
}

/** The memory option. */
export function memoryArg(v: unknown): 'sc' | 'tso' | undefined {
  return choiceOpt(v, 'memory', ['sc', 'tso'] as const);
}

/** A required string option. */
export function required(v: unknown, name: string): string {
  if (typeof v !== 'string' || v === '') {
    throw new SimUsageError('E_USAGE', `missing --${name}`);
  }
  return v;
}
