/**
 * The diff page: two variants' runs of one scenario and seed side by side, one HTML file
 * (inline everything, no network). At the top, the differences differential() found (most
 * severe first) and each side's violation and replay command; below, the two timelines in
 * aligned rows (diff.ts): a column per CPU on each side, every step labelled with its
 * kernel function, and each macro event (a syscall starting, an interrupt arriving) on one
 * row in both, so what each design did between two of them reads across.
 */
import type { DiffViewData } from './diff.ts';
import { scriptJson } from './page.ts';

const DIFF_CSS = String.raw`
body { margin: 0; font: 12px/1.35 ui-monospace, Menlo, Consolas, monospace; color: #1d2330;
  background: #f7f7f4; }
header { padding: 6px 10px; background: #20242c; color: #e8e8e2; }
h1 { font-size: 14px; margin: 0; }
section { padding: 4px 10px; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ddd; padding: 1px 5px; text-align: left; vertical-align: top; }
th { background: #eceae3; position: sticky; top: 0; }
.sev-violation, .sev-blocked { color: #b71c1c; font-weight: bold; }
code { user-select: all; word-break: break-all; }
#grid td { white-space: nowrap; max-width: 210px; overflow: hidden; text-overflow: ellipsis;
  border-color: #eee; }
#grid td.n { color: #889; text-align: right; }
#grid td.sep { background: #ccc; padding: 0 1px; }
#grid td.irq { background: #fce8cd; }
#grid td.ev { background: #dce8fa; }
#grid td.ev b { margin-right: 4px; }
#grid tr.macro td { border-top: 2px solid #c2185b; }
#grid tr.macro td.m { color: #c2185b; font-weight: bold; }
`;

const DIFF_JS = String.raw`
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('diff-data').textContent);
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c];
    });
  }
  function byStep(side) {
    var m = [];
    side.trace.forEach(function (e) { if (e.step >= 0) m[e.step] = e; });
    return m;
  }
  var A = byStep(D.a), B = byStep(D.b);
  function head(side, tag) {
    var h = '<th>' + tag + ' step</th>';
    for (var c = 0; c < side.ncpu; c++) h += '<th>' + tag + ' cpu' + c + '</th>';
    return h;
  }
  function cells(side, map, step) {
    var h = '<td class="n">' + (step >= 0 ? step : '') + '</td>';
    var e = step >= 0 ? map[step] : undefined;
    for (var c = 0; c < side.ncpu; c++) {
      if (!e || e.cpu !== c) { h += '<td></td>'; continue; }
      var irq = e.who.indexOf('irq@') === 0 || e.over !== undefined;
      var text = e.op + (e.obj ? ' ' + e.obj + (e.field ? '.' + e.field : '') : '') +
        (e.value !== '' ? ' = ' + e.value : '');
      h += '<td class="ev' + (irq ? ' irq' : '') + '" title="' + esc(e.who + ': ' + e.fn +
        ': ' + text) + '"><b>' + esc(e.fn || e.op) + '</b>' + esc(text) + '</td>';
    }
    return h;
  }
  var out = ['<table><tr><th>macro event</th>' + head(D.a, 'A') + '<th class="sep"></th>' +
    head(D.b, 'B') + '</tr>'];
  D.rows.forEach(function (r) {
    out.push('<tr' + (r.macro ? ' class="macro" data-macro="' + esc(r.macro) + '" data-a="' +
      r.a + '" data-b="' + r.b + '"' : '') + '><td class="m">' + esc(r.macro) + '</td>' +
      cells(D.a, A, r.a) + '<td class="sep"></td>' + cells(D.b, B, r.b) + '</tr>');
  });
  out.push('</table>');
  document.getElementById('grid').innerHTML = out.join('');
  document.body.setAttribute('data-ready', '1');
})();
`;

function esc(s: string): string {
  const named: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
  return s.replace(/[&<>"]/g, (c) => named[c]!);
}

/** The diff page. */
export function renderDiffPage(d: DiffViewData): string {
  const diffs = d.result.differences.map((x) => `<tr class="sev-${esc(x.severity)}"><td>` +
    `${esc(x.severity)}</td><td>${esc(x.where)}${x.index !== undefined ? ` #${x.index}` : ''}` +
    `</td><td>${esc(x.a)}</td><td>${esc(x.b)}</td></tr>`).join('');
  const sideInfo = (tag: string, s: DiffViewData['a']): string =>
    `<div><b>${tag}: ${esc(s.variant)}</b> (${s.steps} steps): ` +
    `${s.violation ? `<span class="sev-violation">${esc(s.violation)}</span>` : 'no violation'}` +
    `<br><code>${esc(s.replay)}</code></div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; ` +
`style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${esc(d.title)}</title>
<style>${DIFF_CSS}</style>
</head>
<body>
<header><h1>${esc(d.title)}</h1>alignment: ${esc(d.result.align)}` +
(d.result.divergences > 0 ? `, ${d.result.divergences} alignment divergence(s)` : '') + `
</header>
<section>${sideInfo('A', d.a)}${sideInfo('B', d.b)}</section>
<section><b>${d.result.differences.length} difference(s)</b>` +
(diffs ? `<table id="diffs"><tr><th>severity</th><th>where</th><th>A</th><th>B</th></tr>` +
  `${diffs}</table>` : '') + `</section>
<section id="grid"></section>
<script type="application/json" id="diff-data">${scriptJson(d)}</script>
<script>${DIFF_JS}</script>
</body>
</html>
`;
}
