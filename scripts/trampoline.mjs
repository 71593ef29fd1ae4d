// Rewrites the compiled model (dist/{eventpoll,locks,queues}) so that every `yield* EXPR`
// becomes `(yield __call(EXPR))`: the machine then runs the callee as a subroutine (see
// call() in src/sim/call.ts) instead of resuming it through one `yield*` frame per level
// under every step. The sources stay as written; only the build output changes. Text edits
// in place (no reprinting): lines do not move, so the source maps stay right to the line.
// Before that, the compiled JavaScript is copied as it is to dist/baseline/, a second module
// graph the bench runs as its baseline in the same process (not part of the package).
// Run it after tsc (npm run build does); a file already rewritten is left alone.
// Usage: node scripts/trampoline.mjs [distDir]
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import ts from 'typescript';

const dist = process.argv[2] ?? 'dist';
const DIRS = ['eventpoll', 'locks', 'queues'];

const MARK = 'import { call as __call }';

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (p === join(dist, 'baseline')) continue;
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith('.js') && !p.endsWith('.bundle.js')) out.push(p);
  }
  return out;
}

// The untransformed graph, for the bench's baseline (a rewritten file keeps its old copy).
for (const f of files(dist)) {
  const src = readFileSync(f, 'utf8');
  if (src.includes(MARK)) continue;
  const to = join(dist, 'baseline', relative(dist, f));
  mkdirSync(dirname(to), { recursive: true });
  // Without its source map (not copied): the comment would send tools to a missing file.
  writeFileSync(to, src.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n'));
}

/** The edits of one file: [position, length to replace, text], any order. */
function edits(src) {
  const sf = ts.createSourceFile('x.js', src, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const out = [];
  const visit = (n) => {
    if (ts.isYieldExpression(n) && n.asteriskToken !== undefined && n.expression) {
      const start = n.getStart(sf);
      out.push([start, n.expression.getStart(sf) - start, '(yield __call(']);
      out.push([n.end, 0, '))']);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

let total = 0;
for (const d of DIRS) {
  for (const f of files(join(dist, d))) {
    const src = readFileSync(f, 'utf8');
    if (src.includes(MARK)) continue;
    const e = edits(src).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    if (e.length === 0) continue;
    let s = src;
    for (const [pos, len, text] of e) s = s.slice(0, pos) + text + s.slice(pos + len);
    let rel = relative(dirname(f), join(dist, 'sim', 'call.js')).replace(/\\/g, '/');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    // At the end, so no line moves (an import is hoisted wherever it stands).
    const map = s.lastIndexOf('\n//# sourceMappingURL=');
    const imp = `${MARK} from '${rel}';`;
    s = map < 0 ? `${s}\n${imp}\n` : `${s.slice(0, map)}\n${imp}${s.slice(map)}`;
    writeFileSync(f, s);
    total += e.length / 2;
  }
}
console.log(`trampoline: ${total} yield* rewritten in ${dist}`);
