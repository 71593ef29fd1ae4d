/** The package's version, for `eventpoll-sim --version` and shard files. */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The version in package.json, found relative to this module: src/cli/version.ts and its
 * compiled dist/cli/version.js both sit two levels below the package root.
 */
export function version(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url),
      'utf8')) as { version?: unknown };
    cached = String(pkg.version);
  }
  return cached;
}
