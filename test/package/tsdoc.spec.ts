/**
 * Every export of the package's entry points carries a doc comment (TSDoc), so an editor
 * shows what it is and the declarations a user installs explain themselves.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRIES = ['index.ts', 'model.ts', 'fast-check.ts', 'vitest.ts'];

function undocumented(): Map<string, string[]> {
  const cfg = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.build.json'), {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const program = ts.createProgram(ENTRIES.map((e) => join(ROOT, 'src', e)), cfg.options);
  const checker = program.getTypeChecker();
  const out = new Map<string, string[]>();
  for (const e of ENTRIES) {
    const sf = program.getSourceFile(join(ROOT, 'src', e))!;
    const missing: string[] = [];
    for (const sym of checker.getExportsOfModule(checker.getSymbolAtLocation(sf)!)) {
      let target = sym;
      if (target.flags & ts.SymbolFlags.Alias) target = checker.getAliasedSymbol(target);
      // A namespace re-export (`export * as x`) is documented by its module's header.
      if (target.flags & ts.SymbolFlags.ValueModule) continue;
      const docs = ts.displayPartsToString(target.getDocumentationComment(checker)).trim();
      if (docs === '') missing.push(sym.getName());
    }
    out.set(e, missing.sort());
  }
  return out;
}

describe('TSDoc on every export', () => {
  const found = undocumented();
  for (const e of ENTRIES) {
    it(`src/${e}`, () => {
      expect(found.get(e)).toEqual([]);
    });
  }
});
