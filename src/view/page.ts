/**
 * The failure viewer page: one self-contained HTML file (inline stylesheet, script and data;
 * no network, no server; it opens from disk). The data is embedded as JSON in a
 * `<script type="application/json">` element, with `<` written as `\u003c` so no string in
 * the trace can end the element.
 */
import { POINTER_FIELDS } from '../sim/context.ts';
import { VIEW_JS } from './client.ts';
import type { ViewerData } from './data.ts';
import { VIEW_CSS } from './style.ts';

function esc(s: string): string {
  const named: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
  return s.replace(/[&<>"]/g, (c) => named[c]!);
}

/** Embeds a value as JSON inside a script element. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The page for one run. */
export function renderViewerPage(data: ViewerData): string {
  const embedded = { ...data, pointerFields: [...POINTER_FIELDS].sort() };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; ` +
`style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(data.title)}</title>
<style>${VIEW_CSS}</style>
</head>
<body>
<header><h1 id="title"></h1><div class="run" id="run"></div></header>
<div id="violation"></div>
<div id="controls">
<button id="first" title="first step (Home)">|&lt;</button>
<button id="prev" title="previous step (left or up arrow)">&lt; prev</button>
<button id="next" title="next step (right or down arrow)">next &gt;</button>
<button id="last" title="last step (End)">&gt;|</button>
<button id="toviol">violation</button>
<span id="pos"></span>
<span class="muted">click a step; arrows and Home/End move; click an object for its fields
and the step that last wrote each one</span>
</div>
<div id="main">
<div id="tlwrap"><div id="tl"></div><svg id="arrows"></svg></div>
<div id="state"></div>
</div>
<script type="application/json" id="view-data">${scriptJson(embedded)}</script>
<script>${VIEW_JS}</script>
</body>
</html>
`;
}
