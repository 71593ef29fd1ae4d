/**
 * Differential testing of the model against the kernel: one script's model transcript next
 * to the oracle's, where they first differ, and a report a human can act on (the script and
 * both outputs, the first difference marked).
 */
import { runModel, type RunModelOptions } from './run-model.ts';
import { serialize } from './serialize.ts';
import type { OpsLine } from './types.ts';

/** The model's transcript of a script, or the one-line reason it could not run. */
export function modelText(script: string | readonly OpsLine[], options: RunModelOptions = {}):
string {
  try {
    return runModel(script, options).text;
  } catch (e) {
    return `!! the model failed: ${(e as Error).message}\n`;
  }
}

/** The first line where two transcripts differ (1-based), or null when they are equal. */
export function firstDifference(kernel: string, model: string): number | null {
  if (kernel === model) return null;
  const k = kernel.split('\n');
  const m = model.split('\n');
  let i = 0;
  while (i < k.length && i < m.length && k[i] === m[i]) i++;
  return i + 1;
}

/** One script compared. */
export interface Comparison {
  readonly script: string;
  readonly kernel: string;
  readonly model: string;
  /** First differing output line (1-based), or null when the model agrees. */
  readonly firstDiff: number | null;
}

/** Compares a script's model transcript with the kernel's (already run by the oracle). */
export function compare(script: string | readonly OpsLine[], kernel: string,
  options: RunModelOptions = {}): Comparison {
  const text = typeof script === 'string' ? script : serialize(script);
  const model = modelText(script, options);
  return { script: text, kernel, model, firstDiff: firstDifference(kernel, model) };
}

function numbered(text: string, mark: number | null): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.map((l, i) => `${i + 1 === mark ? '>>' : '  '} ${String(i + 1).padStart(3)}  ${l}`)
    .join('\n');
}

/** A mismatch for humans: the script, both transcripts, the first difference marked `>>`. */
export function describeMismatch(c: Comparison): string {
  const at = c.firstDiff;
  return [
    `the model and the kernel differ at output line ${at ?? '-'}`,
    '--- script', numbered(c.script, null),
    '--- kernel', numbered(c.kernel, at),
    '--- model', numbered(c.model, at),
  ].join('\n');
}
