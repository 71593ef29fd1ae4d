/**
 * Command-line parsing on node:util's parseArgs (no dependency needed): strict, so an
 * unknown option is a usage error that names it.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SimUsageError } from '../sim/errors.ts';

/** Parsed options and positionals. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses `argv` against `options`; a bad option is a SimUsageError naming it. */
export function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>): Parsed {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, '');
    throw new SimUsageError('E_USAGE', msg);
  }
}

/** An integer option within [min, max], or the default. */
export function intOpt(v: unknown, name: string, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const s = String(v);
  if (!/^-?[0-9]+$/.test(s) || Number(s) < min || Number(s) > max) {
    throw new SimUsageError('E_USAGE', `bad --${name} '${s}': expected an integer from ` +
      `${min} to ${max}`);
  }
  return Number(s);
}

/** A string option restricted to `choices`. */
export function choiceOpt<T extends string>(v: unknown, name: string, choices: readonly T[]):
T | undefined {
  if (v === undefined) return undefined;
  if (!choices.includes(v as T)) {
    throw new SimUsageError('E_USAGE', `bad --${name} '${String(v)}': expected one of ` +
      choices.join(', '));
  }
  return v as T;
}
