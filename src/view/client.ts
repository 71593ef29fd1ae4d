/**
 * The failure viewer's script, inlined into the page as plain browser JavaScript (no
 * modules, no network). It reads the embedded JSON, draws the timeline (cells per step in
 * their CPU lane, irq and sleep spans, lock holds, wake-up arrows), and for the selected
 * step rebuilds the kernel state from the initial snapshot and the immer patch lists
 * (add / replace / remove on a path, as immer writes them), checkpointed every 32 steps,
 * then draws each eventpoll's lists, the wait queues, epitems, locks, CPUs, contexts and
 * freed objects. The lists carry data attributes (`data-rdllist`, `data-entries`, JSON
 * arrays of labels) that the browser test compares with the model.
 */
export const VIEW_JS = String.raw`
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('view-data').textContent);
  var H = D.history, T = D.trace, TL = D.timeline, N = D.run.steps;
  var PTR = {};
  (D.pointerFields || []).forEach(function (f) { PTR[f] = true; });
  var SENT = { '0': 'NULL', '-1': 'EP_UNACTIVE_PTR', '-256': 'LIST_POISON1',
    '-290': 'LIST_POISON2' };
  function $(id) { return document.getElementById(id); }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function clone(x) { return x === undefined ? x : JSON.parse(JSON.stringify(x)); }

  // ---- state from patches ------------------------------------------------------------
  function applyPatch(s, p) {
    var t = s, path = p.path;
    for (var i = 0; i < path.length - 1; i++) t = t[path[i]];
    var k = path[path.length - 1];
    if (p.op === 'replace') t[k] = clone(p.value);
    else if (p.op === 'add') {
      if (Array.isArray(t)) t.splice(k, 0, clone(p.value)); else t[k] = clone(p.value);
    } else if (p.op === 'remove') {
      if (Array.isArray(t)) t.splice(k, 1); else delete t[k];
    }
  }
  var CP = 32, checkpoints = [clone(H.initial)];
  /** The state after the first n steps. */
  function stateAt(n) {
    var j = Math.min(Math.floor(n / CP), checkpoints.length - 1);
    var s = clone(checkpoints[j]);
    for (var i = j * CP; i < n; i++) {
      var ps = H.patches[i];
      for (var q = 0; q < ps.length; q++) applyPatch(s, ps[q]);
      if ((i + 1) % CP === 0 && checkpoints.length === (i + 1) / CP) checkpoints.push(clone(s));
    }
    return s;
  }
  /** The last step at or before row r whose patches wrote objs[h][f] (or made objs[h]). */
  function lastWrite(h, f, r) {
    for (var i = Math.min(r, H.patches.length - 1); i >= 0; i--) {
      var ps = H.patches[i];
      for (var q = 0; q < ps.length; q++) {
        var p = ps[q].path;
        if (p[0] === 'objs' && p[1] === h && (p.length === 2 || p[2] === f)) return i;
        if (p[0] === 'objs' && p.length === 1) return i;
      }
    }
    return -1;
  }

  // ---- header ------------------------------------------------------------------------
  var R = D.run, V = D.violation;
  $('title').textContent = D.title;
  $('run').textContent = R.variant + ' | scenario ' + R.scenario + ' | seed ' + R.seed +
    ' | memory ' + R.memory + ' | ' + R.steps + ' steps | ' + R.status + ' | hash ' + R.hash;
  var vrow = -1;
  if (V) {
    vrow = Math.max(0, Math.min(V.step, N - 1));
    $('violation').innerHTML = '<b>' + esc(V.property) + ' (' + esc(V.kind) + ')</b> at step ' +
      V.step + ': ' + esc(V.message) +
      (V.details ? '<br>' + V.details.map(esc).join('<br>') : '') +
      '<code id="replay">' + esc(R.replay) + '</code>';
  } else {
    $('violation').className = 'clean';
    $('violation').innerHTML = 'no violation <code id="replay">' + esc(R.replay) + '</code>';
  }

  // ---- timeline ----------------------------------------------------------------------
  var tl = $('tl');
  var lanes = TL.lanes, nl = lanes.length, nlock = TL.locks.length;
  var LANE0 = 2, LOCK0 = LANE0 + nl;
  tl.style.gridTemplateColumns = '74px ' + lanes.map(function () {
    return 'minmax(230px, 1fr)';
  }).join(' ') + (nlock ? ' ' + TL.locks.map(function () { return '14px'; }).join(' ') : '');
  tl.style.gridTemplateRows = 'auto repeat(' + Math.max(N, 1) + ', 17px)';
  var frag = document.createDocumentFragment();
  function el(cls, row, col, rows, text, title) {
    var d = document.createElement('div');
    d.className = cls;
    d.style.gridRow = (row + 2) + ' / span ' + rows;
    d.style.gridColumn = String(col);
    if (text !== undefined) d.textContent = text;
    if (title) d.title = title;
    frag.appendChild(d);
    return d;
  }
  var hd = document.createElement('div');
  hd.className = 'hd'; hd.style.gridRow = '1'; hd.style.gridColumn = '1';
  hd.textContent = 'step  t(ns)'; frag.appendChild(hd);
  lanes.forEach(function (l, i) {
    var d = document.createElement('div');
    d.className = 'hd'; d.style.gridRow = '1'; d.style.gridColumn = String(LANE0 + i);
    d.textContent = 'cpu' + l.cpu + ' ' + (l.kind === 'irq' ? 'hardirq' : 'task') +
      (l.names.length ? ': ' + l.names.join(', ') : '');
    d.dataset.lane = String(i);
    frag.appendChild(d);
  });
  TL.locks.forEach(function (l, i) {
    var d = document.createElement('div');
    d.className = 'hd lock'; d.style.gridRow = '1'; d.style.gridColumn = String(LOCK0 + i);
    d.textContent = l.label; d.title = l.kind + ' ' + l.label;
    frag.appendChild(d);
  });
  TL.irqs.forEach(function (s) {
    el('span irqspan', s.from, LANE0 + s.col, s.to - s.from + 1, undefined, s.label);
  });
  TL.sleeps.forEach(function (s) {
    el('span sleep', s.from, LANE0 + s.col, s.to - s.from + 1, undefined, s.label);
  });
  TL.holds.forEach(function (s) {
    var l = TL.locks[s.col];
    el('span hold ' + l.kind, s.from, LOCK0 + s.col, s.to - s.from + 1, undefined,
      l.label + ' held by ' + (s.label || '?') + ' (steps ' + s.from + '-' + s.to + ')');
  });
  var rowEls = [], cellOf = [];
  for (var r = 0; r < N; r++) rowEls.push([]);
  var lastTime = -1;
  var byStep = [];
  T.forEach(function (e) { if (e.step >= 0 && e.step < N) byStep[e.step] = e; });
  var prevInLane = {};
  for (r = 0; r < N; r++) {
    var e = byStep[r];
    var st = el('st', r, 1, 1);
    st.dataset.row = String(r);
    st.innerHTML = r + (e && e.time !== lastTime ? ' <span class="t">' + e.time + '</span>' : '');
    if (e) lastTime = e.time;
    rowEls[r].push(st);
    var lane = TL.rowLane[r];
    if (lane < 0) continue;
    var text, fn, cls = 'ev';
    if (!e) {
      fn = 'fault'; text = V ? V.kind + ': ' + V.message : 'no event';
      cls += ' first';
    } else {
      fn = e.fn || e.op;
      if (lanes[lane].kind === 'irq') cls += ' irq';
      if (e.ctx < 0) cls += ' wb';
      var tgt = e.obj ? ' ' + e.obj + (e.field ? '.' + e.field : '') : '';
      text = e.op + tgt + (e.value !== '' ? ' = ' + e.value : '');
      if (e.op === 'task start') text = e.who + ' starts';
      var pv = prevInLane[lane];
      if (pv && pv.ctx === e.ctx && pv.fn === e.fn && pv.row === r - 1) cls += ' cont';
      else cls += ' first';
      prevInLane[lane] = { ctx: e.ctx, fn: e.fn, row: r };
    }
    if (r === vrow && V) { cls += ' viol'; st.className += ' viol'; }
    var c = el(cls, r, LANE0 + lane, 1);
    c.innerHTML = '<span class="fn">' + esc(fn) + ' </span>' + esc(text);
    c.title = 'step ' + r + (e ? ' ' + e.who + (e.over ? ' (interrupting ' + e.over + ')' : '') +
      ' cpu' + e.cpu + ' t=' + e.time + 'ns\n' + fn + ': ' + text : '');
    c.dataset.row = String(r);
    c.dataset.lane = String(lane);
    rowEls[r].push(c);
    cellOf[r] = c;
  }
  tl.appendChild(frag);
  tl.addEventListener('click', function (ev) {
    var t = ev.target;
    while (t && t !== tl && !(t.dataset && t.dataset.row !== undefined)) t = t.parentNode;
    if (t && t !== tl) select(Number(t.dataset.row));
  });

  // Wake-up arrows, drawn once the grid is laid out.
  function drawArrows() {
    var svg = $('arrows');
    svg.setAttribute('width', String(tl.scrollWidth));
    svg.setAttribute('height', String(tl.scrollHeight));
    var base = tl.getBoundingClientRect();
    var out = '<defs><marker id="ah" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" ' +
      'markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#c2185b"/></marker>' +
      '</defs>';
    TL.wakes.forEach(function (w) {
      var a = cellOf[w.from], b = cellOf[w.to];
      if (!a) return;
      var ra = a.getBoundingClientRect();
      var x1 = ra.left - base.left + ra.width * 0.85, y1 = ra.top - base.top + ra.height / 2;
      var x2, y2;
      if (b) {
        var rb = b.getBoundingClientRect();
        x2 = rb.left - base.left + 12; y2 = rb.top - base.top + rb.height / 2;
      } else {
        var hdl = tl.querySelector('.hd[data-lane="' + w.toLane + '"]');
        var rh = hdl.getBoundingClientRect();
        x2 = rh.left - base.left + 12; y2 = tl.scrollHeight - 4;
      }
      var mx = Math.max(x1, x2) + 30;
      out += '<path marker-end="url(#ah)" d="M' + x1 + ',' + y1 + ' C' + mx + ',' + y1 + ' ' +
        mx + ',' + y2 + ' ' + x2 + ',' + y2 + '"><title>' + esc(w.label) + '</title></path>';
    });
    svg.innerHTML = out;
  }

  // ---- state panel -------------------------------------------------------------------
  var S = null, sel = -1, inspected = 0;
  function lab(h) {
    if (SENT[String(h)] !== undefined) return SENT[String(h)];
    return S.labels[h] !== undefined ? S.labels[h] : '?' + h;
  }
  function objLink(h) {
    if (h <= 0 || S.labels[h] === undefined) return esc(lab(h));
    return '<a class="obj' + (S.freed[h] ? ' freed' : '') + '" data-h="' + h + '">' +
      esc(lab(h)) + '</a>';
  }
  function chain(head, items, end) {
    var s = '<div class="chain">' + (head ? '<span class="node head">' + esc(head) +
      '</span>' : '');
    items.forEach(function (h) {
      s += '<span class="arrow">&rarr;</span><span class="node" data-h="' + h + '">' +
        objLink(h) + '</span>';
    });
    return s + '<span class="arrow">&rarr;</span><span class="node end">' + esc(end) +
      '</span></div>';
  }
  /** The kernel function of a context's last step at or before row r. */
  function lastFn(ctx, r) {
    for (var i = r; i >= 0; i--) if (byStep[i] && byStep[i].ctx === ctx) return byStep[i].fn;
    return '';
  }
  function labels(items) { return esc(JSON.stringify(items.map(lab))); }
  function render() {
    var r = sel, out = [];
    S = stateAt(r + 1);
    var e = byStep[r];
    out.push('<div class="where" id="where" data-step="' + r + '"><b>after step ' + r +
      '</b> (t=' + S.time + 'ns)' + (e ? ': ' + esc(e.who) + ' on cpu' + e.cpu + ' in ' +
      esc(e.fn) + ': ' + esc(e.op) + (e.obj ? ' ' + esc(e.obj) + (e.field ? '.' +
      esc(e.field) : '') : '') + (e.value !== '' ? ' = ' + esc(e.value) : '') : '') +
      (r === vrow && V ? ' <span class="bad">' + esc(V.property) + '</span>' : '') + '</div>');
    out.push('<h2>eventpoll sets</h2>');
    if (S.eventpolls.length === 0) out.push('<div class="muted">none live</div>');
    S.eventpolls.forEach(function (ep) {
      var L = lab(ep.h);
      out.push('<div class="ep" data-ep="' + esc(L) + '" data-rdllist="' +
        labels(ep.rdllist.items) + '" data-ovflist="' +
        (ep.ovflist ? labels(ep.ovflist.items) : 'inactive') + '">');
      out.push('<h3>' + objLink(ep.h) + ' <span class="muted">lock ' + objLink(ep.lock) +
        ', mtx ' + objLink(ep.mtx) + ', wq ' + objLink(ep.wq) + '</span></h3>');
      out.push('<div>rdllist:</div>' + chain(L + '.rdllist', ep.rdllist.items, L + '.rdllist'));
      if (ep.rdllist.bad) out.push('<div class="bad">' + esc(ep.rdllist.bad) + '</div>');
      if (ep.ovflist) {
        out.push('<div>ovflist (scan running):</div>' + chain('ep->ovflist', ep.ovflist.items,
          'NULL'));
        if (ep.ovflist.bad) out.push('<div class="bad">' + esc(ep.ovflist.bad) + '</div>');
      } else {
        out.push('<div>ovflist: <span class="muted">EP_UNACTIVE_PTR (no scan)</span></div>');
      }
      var items = S.epitems.filter(function (x) { return x.ep === ep.h; });
      if (items.length) {
        out.push('<table><tr><th>epitem</th><th>linked</th><th>on ovflist</th><th>events</th>' +
          '<th>ep refcount</th></tr>');
        items.forEach(function (x) {
          out.push('<tr data-epi="' + esc(lab(x.h)) + '"><td>' + objLink(x.h) + '</td><td>' +
            (x.linked ? '<span class="yes">yes</span>' : 'no') + '</td><td>' +
            (x.onOvflist ? '<span class="yes">yes</span>' : 'no') + '</td><td>0x' +
            (x.events >>> 0).toString(16) + '</td><td>' + x.refcount + '</td></tr>');
        });
        out.push('</table>');
      }
      out.push('</div>');
    });
    out.push('<h2>wait queues</h2>');
    S.waitqueues.forEach(function (q) {
      out.push('<div class="wq" data-wq="' + esc(lab(q.h)) + '" data-entries="' +
        labels(q.entries.items) + '">' + objLink(q.h) + ': ');
      if (q.entries.items.length === 0) out.push('<span class="muted">empty</span>');
      else {
        out.push(q.entries.items.map(function (w) {
          var o = S.objs[w] || {};
          return '[' + objLink(w) + ' ' + esc(o.func || '') + ' private=' +
            objLink(o.private || 0) + (o.flags ? ' flags=' + o.flags : '') + ']';
        }).join(' &rarr; '));
      }
      if (q.entries.bad) out.push(' <span class="bad">' + esc(q.entries.bad) + '</span>');
      out.push('</div>');
    });
    out.push('<h2>locks</h2><table><tr><th>lock</th><th>kind</th><th>state</th>' +
      '<th>owner</th><th>waiters</th></tr>');
    S.locks.forEach(function (l) {
      out.push('<tr data-lock="' + esc(lab(l.h)) + '"><td>' + objLink(l.h) + '</td><td>' +
        esc(l.kind) + '</td><td>' + (l.held ? '<span class="held">held</span>' : 'free') +
        '</td><td>' + esc(l.owner) + '</td><td>' + esc(l.waiters.join(', ')) + '</td></tr>');
    });
    out.push('</table><h2>CPUs and contexts</h2><table><tr><th>cpu</th><th>running</th>' +
      '<th>irqs off</th><th>store buffer</th></tr>');
    S.cpus.forEach(function (c, i) {
      var run = c.running >= 0 ? S.ctxs[c.running].name : 'idle';
      if (c.interrupted >= 0) run += ' (interrupting ' + S.ctxs[c.interrupted].name + ')';
      out.push('<tr><td>cpu' + i + '</td><td>' + esc(run) + '</td><td>' + c.irqOff +
        '</td><td>' + c.buffer.map(function (b) {
          return objLink(b.h) + '.' + esc(b.f) + '=' + esc(b.v);
        }).join(', ') + '</td></tr>');
    });
    out.push('</table><table><tr><th>context</th><th>cpu</th><th>status</th><th>fn</th>' +
      '<th>waits for</th></tr>');
    S.ctxs.forEach(function (c) {
      if (c.cpu === 0 && c.name === 'setup') return;
      out.push('<tr><td>' + esc(c.name) + '</td><td>' + c.cpu + '</td><td>' + esc(c.status) +
        '</td><td>' + esc(c.status === 'done' ? '' : c.fn || lastFn(c.id, r)) + '</td><td>' +
        esc(c.waits) + '</td></tr>');
    });
    out.push('</table><h2>freed (poisoned) objects</h2>');
    var freed = [];
    for (var h = 1; h < S.freed.length; h++) {
      if (!S.freed[h]) continue;
      var site = S.freeSites[String(h)];
      freed.push('<div data-freed="' + esc(lab(h)) + '">' + objLink(h) + (site ? ' <span ' +
        'class="muted">freed at step ' + site.step + ' by ' + esc((S.ctxs[site.ctx] ||
        { name: 'ctx ' + site.ctx }).name) + (site.fn.indexOf(', with ') === 0 ? ' (' +
        esc(site.fn.slice(2)) + ')' : site.fn ? ' in ' + esc(site.fn) : '') + '</span>' : '') +
        '</div>');
    }
    out.push(freed.length ? freed.join('') : '<div class="muted">none</div>');
    out.push('<h2>object</h2><div id="inspect">' + inspect() + '</div>');
    $('state').innerHTML = out.join('');
  }
  function inspect() {
    var h = inspected;
    if (!h || !S.objs[h]) return '<span class="muted">click an object to see its fields</span>';
    var o = S.objs[h], rows = [];
    Object.keys(o).forEach(function (f) {
      var v = o[f], shown = esc(v);
      if (PTR[f] && typeof v === 'number') shown = objLink(v) + ' <span class="muted">(' + v +
        ')</span>';
      var w = f === 'kind' ? -2 : lastWrite(h, f, sel);
      rows.push('<tr><td>' + esc(f) + '</td><td>' + shown + '</td><td>' + (w >= 0 ?
        '<button class="jump" data-jump="' + w + '">last written at step ' + w + '</button>' :
        w === -1 ? '<span class="muted">since setup</span>' : '') + '</td></tr>');
    });
    return '<b>' + objLink(h) + '</b> ' + (S.freed[h] ? '<span class="freed">freed</span>' :
      '') + '<table>' + rows.join('') + '</table>';
  }
  $('state').addEventListener('click', function (ev) {
    var t = ev.target;
    if (t.dataset && t.dataset.jump !== undefined) { select(Number(t.dataset.jump)); return; }
    if (t.dataset && t.dataset.h !== undefined) {
      inspected = Number(t.dataset.h);
      $('inspect').innerHTML = inspect();
    }
  });

  // ---- selection ---------------------------------------------------------------------
  function select(r) {
    if (N === 0) return;
    r = Math.max(0, Math.min(N - 1, r));
    if (sel >= 0) rowEls[sel].forEach(function (x) { x.classList.remove('sel'); });
    sel = r;
    rowEls[sel].forEach(function (x) { x.classList.add('sel'); });
    var target = cellOf[sel] || rowEls[sel][0];
    if (target.scrollIntoView) target.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    $('pos').textContent = 'step ' + sel + ' / ' + (N - 1);
    render();
  }
  $('prev').onclick = function () { select(sel - 1); };
  $('next').onclick = function () { select(sel + 1); };
  $('first').onclick = function () { select(0); };
  $('last').onclick = function () { select(N - 1); };
  $('toviol').onclick = function () { if (vrow >= 0) select(vrow); };
  if (vrow < 0) $('toviol').disabled = true;
  document.addEventListener('keydown', function (ev) {
    var k = ev.key;
    if (k === 'ArrowDown' || k === 'ArrowRight') { select(sel + 1); ev.preventDefault(); }
    else if (k === 'ArrowUp' || k === 'ArrowLeft') { select(sel - 1); ev.preventDefault(); }
    else if (ev.key === 'Home') select(0);
    else if (ev.key === 'End') select(N - 1);
  });
  drawArrows();
  select(vrow >= 0 ? vrow : 0);
  document.body.setAttribute('data-ready', '1');
})();
`;
