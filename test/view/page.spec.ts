/**
 * The viewer page without a browser: self-contained (no external reference of any kind),
 * its embedded JSON is the run's data (a `</script>` in the data cannot end the element),
 * and the timeline puts every step in its CPU lane with wake-up arrows and lock holds.
 */
import { describe, expect, it } from 'vitest';
import { viewRun, type ViewerData } from '../../src/view/data.ts';
import { renderViewerPage, scriptJson } from '../../src/view/page.ts';

function embedded(html: string): ViewerData {
  const m = /<script type="application\/json" id="view-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!) as ViewerData;
}

describe('view: the page', () => {
  const { data, result } = viewRun({ variant: 'mainline-6.18+B5+no-done-scan-wake',
    scenario: 'lt-two-waiters', seed: 3 });
  const html = renderViewerPage(data);

  it('is one file that loads nothing from anywhere', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script[^>]+src=|<link\b|<img\b|<iframe\b|@import/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain("default-src 'none'");
  });

  it('embeds the run: trace, history and timeline round-trip', () => {
    const d = embedded(html);
    expect(d.trace).toEqual(result.trace);
    expect(d.history).toEqual(JSON.parse(JSON.stringify(result.history)));
    expect(d.run.replay).toBe(result.replay);
    expect(d.violation).toEqual(result.violations[0] ?? null);
  });

  it('a "</script>" inside the data cannot end the element', () => {
    const s = scriptJson({ msg: '</script><script>alert(1)</script>' });
    expect(s).not.toContain('</script');
    expect(JSON.parse(s)).toEqual({ msg: '</script><script>alert(1)</script>' });
  });

  it('the timeline: every traced step in its CPU lane, wake-ups from waker to wakee', () => {
    const tl = data.timeline;
    for (const e of result.trace!) {
      if (e.step < 0) continue;
      const lane = tl.lanes[tl.rowLane[e.step]!]!;
      expect(lane.cpu).toBe(e.cpu);
      expect(lane.kind).toBe(e.who.startsWith('irq@') || e.over ? 'irq' : 'task');
    }
    expect(tl.wakes.length).toBeGreaterThan(0);
    for (const w of tl.wakes) {
      const from = result.trace!.find((e) => e.step === w.from)!;
      expect(from.op).toMatch(/try_to_wake_up|signal/);
      const to = result.trace!.find((e) => e.step === w.to);
      if (to) expect(to.op).toBe('schedule (woken)');
    }
    expect(tl.holds.length).toBeGreaterThan(0);
    for (const h of tl.holds) expect(h.from).toBeLessThanOrEqual(h.to);
  });
});
