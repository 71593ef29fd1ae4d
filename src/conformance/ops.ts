/**
 * The `.ops` script language (docs/ops-language.md), the pure TypeScript side:
 * typed lines, parser, serialiser, flag and errno tables and canonical output formatting.
 * Independent of any simulator; import everything from here.
 */
export * from './types.ts';
export * from './flags.ts';
export * from './errno.ts';
export { parseOps, OpsSyntaxError } from './parse.ts';
export { lineText, serialize } from './serialize.ts';
export * from './format.ts';
