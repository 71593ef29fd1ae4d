/** The failure viewer's stylesheet (inlined into the page: no network, opens from disk). */
export const VIEW_CSS = String.raw`
* { box-sizing: border-box; }
body { margin: 0; font: 12px/1.35 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  color: #1d2330; background: #f7f7f4; height: 100vh; display: flex; flex-direction: column; }
header { padding: 6px 10px; background: #20242c; color: #e8e8e2; }
header h1 { font-size: 14px; margin: 0 0 2px 0; }
header .run { color: #aab; }
#violation { margin: 0; padding: 6px 10px; background: #fde2e0;
  border-bottom: 2px solid #c62828; }
#violation b { color: #b71c1c; }
#violation code { display: block; white-space: pre-wrap; word-break: break-all; color: #333;
  background: #fff6f5; padding: 2px 4px; margin-top: 3px; user-select: all; }
#violation.clean { background: #e3f4e1; border-color: #2e7d32; }
#controls { padding: 4px 10px; background: #eceae3; border-bottom: 1px solid #ccc;
  display: flex; gap: 6px; align-items: center; }
#controls button { font: inherit; padding: 1px 8px; }
#main { flex: 1; display: flex; min-height: 0; }
#tlwrap { flex: 1 1 58%; overflow: auto; position: relative; border-right: 1px solid #bbb; }
#tl { display: grid; position: relative; align-items: stretch; }
#tl .hd { position: sticky; top: 0; z-index: 5; background: #dfe3ea;
  border-bottom: 1px solid #99a; padding: 2px 4px; font-weight: bold; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
#tl .hd.lock { writing-mode: vertical-rl; font-weight: normal; font-size: 10px; padding: 2px 0; }
#tl .st { color: #667; padding: 0 4px; text-align: right; cursor: pointer; white-space: nowrap;
  border-bottom: 1px solid #eee; }
#tl .st .t { color: #99a; font-size: 10px; }
#tl .ev { z-index: 2; padding: 0 4px; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis;
  cursor: pointer; background: rgba(220, 232, 250, 0.9); border-left: 3px solid #5b7fbf; }
#tl .ev.irq { background: rgba(252, 232, 205, 0.92); border-left-color: #d08a2a; }
#tl .ev.wb { background: rgba(226, 226, 226, 0.95); border-left-color: #888; font-style: italic; }
#tl .ev.first { border-top: 1px solid #8aa0c8; }
#tl .ev .fn { font-weight: bold; }
#tl .ev.cont .fn { display: none; }
#tl .ev.viol, #tl .st.viol { background: #f6b9b4; border-left-color: #c62828; }
#tl .sel { outline: 2px solid #1565c0; outline-offset: -2px; }
#tl .st.sel { background: #cfe0fb; }
#tl .span { z-index: 1; margin: 0 1px; border-radius: 3px; }
#tl .span.irqspan { background: #fff1dc; border: 1px dashed #d08a2a; }
#tl .span.sleep { background: repeating-linear-gradient(45deg, #eef0f4, #eef0f4 4px, #dde1ea 4px,
  #dde1ea 8px); border: 1px dotted #889; }
#tl .span.hold { z-index: 2; margin: 0 3px; background: #7b61c4; border-radius: 2px; }
#tl .span.hold.mutex, #tl .span.hold.rw_semaphore { background: #2e8b57; }
#tl .span.hold.rwlock { background: #c27c0e; }
#arrows { position: absolute; left: 0; top: 0; pointer-events: none; z-index: 4; }
#arrows path { fill: none; stroke: #c2185b; stroke-width: 1.6; }
#state { flex: 1 1 42%; overflow: auto; padding: 6px 10px; background: #fff; }
#state h2 { font-size: 13px; margin: 10px 0 4px; border-bottom: 1px solid #ddd; }
#state h3 { font-size: 12px; margin: 6px 0 2px; }
#state .where { color: #445; }
.chain { display: flex; flex-wrap: wrap; align-items: center; gap: 2px; margin: 2px 0; }
.chain .node { border: 1px solid #5b7fbf; background: #eef3fc; padding: 0 4px; border-radius: 3px; }
.chain .node.head { background: #dde3ee; border-style: dashed; }
.chain .node.end { background: #f3f3f3; border-color: #999; }
.chain .arrow { color: #667; }
.bad { color: #b71c1c; font-weight: bold; }
.muted { color: #889; }
table { border-collapse: collapse; margin: 2px 0 6px; }
td, th { border: 1px solid #ddd; padding: 1px 5px; text-align: left; white-space: nowrap; }
th { background: #f0f0ec; }
a.obj { color: #1a4fa0; cursor: pointer; text-decoration: underline dotted; }
.freed, a.obj.freed { color: #9e9e9e; text-decoration: line-through; }
.held { color: #6a1b9a; font-weight: bold; }
#inspect .jump { font: inherit; font-size: 10px; padding: 0 4px; }
.yes { color: #1b5e20; font-weight: bold; }
`;
