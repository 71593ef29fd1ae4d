/**
 * Command-line parsing on node:util's parseArgs (no dependency needed): strict, so an
 * unknown option is a usage error that names it.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { escapeText, quote, SimUsageError } from '../sim/errors.ts';

/** Parsed options and positionals. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `argv` against `options`; a bad option is a SimUsageError naming it (quoted: cut
 * and escaped, as node's own message would echo a 10 MB option name with its control bytes).
 */
export function parse(argv: string[], options: Options): Parsed {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (e) {
    const bad = (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
      ? unknownOption(argv, options) : undefined;
    if (bad !== undefined) throw new SimUsageError('E_USAGE', `Unknown option ${quote(bad)}`);
    const msg = (e as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, '');
    throw new SimUsageError('E_USAGE', escapeText(msg, 200));
  }
}

/** The first option of `argv` that `options` does not know (as parseArgs reads them). */
function unknownOption(argv: readonly string[], options: Options): string | undefined {
  const shorts = new Map(Object.entries(options).flatMap(([k, o]) => (o.short !== undefined
    ? [[o.short, k] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      if (!Object.hasOwn(options, name)) return `--${name}`;
      if (eq < 0 && options[name]!.type === 'string') i++;
    } else if (a.startsWith('-') && a.length > 1) {
      for (const c of a.slice(1)) {
        const long = shorts.get(c);
        if (long === undefined) return `-${c}`;
        if (options[long]!.type === 'string') break;
      }
    }
  }
  return undefined;
}

/** An integer option within [min, max], or the default. */
export function intOpt(v: unknown, name: string, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const s = String(v);
  if (!/^-?[0-9]+$/.test(s) || Number(s) < min || Number(s) > max) {
    throw new SimUsageError('E_USAGE', `bad --${name} ${quote(s, 40)}: expected an integer ` +
      `from ${min} to ${max}`);
  }
  return Number(s);
}

/** A string option restricted to `choices`. */
export function choiceOpt<T extends string>(v: unknown, name: string, choices: readonly T[]):
T | undefined {
  if (v === undefined) return undefined;
  if (!choices.includes(v as T)) {
    throw new SimUsageError('E_USAGE', `bad --${name} ${quote(String(v), 40)}: expected one ` +
      `of ${choices.join(', ')}`);
  }
  return v as T;
}
