#!/usr/bin/env node
// `npm run mutation [-- GROUP ...]`: StrykerJS over each group of mutation/groups.json in
// turn (default: all four; `--incremental` re-tests only what changed since the last
// incremental run), then one line per group: killed / (killed + survived + no
// coverage), string literals excluded. Reports land in reports/mutation/GROUP.json.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const groups = JSON.parse(readFileSync(new URL('../mutation/groups.json', import.meta.url),
  'utf8'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const asked = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const f of flags) {
  if (f !== '--incremental') {
    console.error(`mutation: unknown option '${f}': expected --incremental`);
    process.exit(2);
  }
}
for (const g of asked) {
  if (!(g in groups)) {
    console.error(`mutation: unknown group '${g}': expected one of ` +
      Object.keys(groups).join(', '));
    process.exit(2);
  }
}
const run = asked.length > 0 ? asked : Object.keys(groups);
const lines = [];
for (const g of run) {
  const r = spawnSync('npx', ['stryker', 'run', 'mutation/stryker.config.mjs', ...flags],
    { stdio: 'inherit', env: { ...process.env, MUTATION_GROUP: g } });
  if (r.status !== 0) {
    lines.push(`${g}: stryker exited ${r.status}`);
    continue;
  }
  const rep = JSON.parse(readFileSync(`reports/mutation/${g}.json`, 'utf8'));
  const n = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, other: 0 };
  for (const f of Object.values(rep.files)) {
    for (const m of f.mutants) n[m.status in n ? m.status : 'other']++;
  }
  const killed = n.Killed + n.Timeout;
  const score = killed / Math.max(1, killed + n.Survived + n.NoCoverage);
  lines.push(`${g}: ${(100 * score).toFixed(1)}% (killed ${killed}, survived ${n.Survived}, ` +
    `no coverage ${n.NoCoverage}, other ${n.other})`);
}
console.log(`\nmutation score, killed / (killed + survived + no coverage):\n${lines.join('\n')}`);
