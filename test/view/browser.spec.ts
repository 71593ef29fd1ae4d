/**
 * The failure viewer in a real browser: Debian's Chromium (/usr/bin/chromium) driven by
 * playwright-core. For every zoo entry, the page of its shrunk failure is under 2 MB, loads
 * (script run, timeline and state panel drawn) in under 2 s, and its state panel at the
 * violation step shows the model's lists: each eventpoll's rdllist and ovflist and every
 * wait queue's entries, read from the DOM's data attributes and compared with the checkers'
 * walkers run on a live machine replaying the same schedule, stopped at that step. One
 * page is also stepped through (buttons, arrow keys, "last written at step N") and
 * screenshotted.
 *
 * Skipped, saying why, when /usr/bin/chromium is absent (CI installs it: see .ci/run).
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { SimulateOptions } from '../../src/api/simulate.ts';
import type { EpKernel } from '../../src/eventpoll/kernel.ts';
import { resolveVariant } from '../../src/eventpoll/variant.ts';
import { EP_UNACTIVE_PTR } from '../../src/queues/arena.ts';
import { listOwners } from '../../src/queues/list.ts';
import { ovflistItems } from '../../src/queues/ovflist.ts';
import { buildMachine } from '../../src/scenario/build.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import type { Machine } from '../../src/sim/machine.ts';
import { ReplayScheduler } from '../../src/sim/schedulers/replay.ts';
import { viewRun } from '../../src/view/data.ts';
import { renderViewerPage } from '../../src/view/page.ts';
import { diffViewData } from '../../src/view/diff.ts';
import { renderDiffPage } from '../../src/view/diff-page.ts';
import { zooShrunkFailure } from '../../src/view/zoo.ts';
import { ZOO } from '../../src/zoo/entries.ts';

const CHROMIUM = '/usr/bin/chromium';
const HAVE = existsSync(CHROMIUM);
const PAGE_MAX = 2 * 1024 * 1024;
const LOAD_MAX_MS = 2000;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

if (!HAVE) {
  console.warn(`test/view/browser.spec.ts: skipped: ${CHROMIUM} is absent ` +
    '(apt-get install chromium; CI installs it)');
}

interface Lists {
  eps: Record<string, { rdllist: string[]; ovflist: string[] | 'inactive' }>;
  wqs: Record<string, string[]>;
}

/** The lists after `steps` steps, walked on a live machine replaying `o`'s schedule. */
function modelLists(o: SimulateOptions, steps: number): Lists {
  const cfg = resolveVariant(o.variant);
  const built = buildMachine(o.scenario as Scenario, { cfg, seed: o.seed ?? 0,
    ...(o.memory ? { memory: o.memory } : {}) });
  let got: Lists | undefined;
  const take = (m: Machine): void => {
    if (m.step !== steps || got) return;
    const a = m.arena;
    const k = m.ext.ep as EpKernel;
    const eps: Lists['eps'] = {};
    for (const ep of k.eventpolls.filter((h) => a.isLive(h))) {
      const ovf = m.memory.readGlobal(ep, 'ovflist') === EP_UNACTIVE_PTR ? 'inactive'
        : ovflistItems(m, ep, 64).map((h) => a.label(h));
      eps[a.label(ep)] = { rdllist: listOwners(m, a.objs[ep]!.rdllist as number, 64)
        .map((h) => a.label(h)), ovflist: ovf };
    }
    const wqs: Lists['wqs'] = {};
    for (const h of a.live('wait_queue_head')) {
      wqs[a.label(h)] = listOwners(m, a.objs[h]!.head as number, 64).map((x) => a.label(x));
    }
    got = { eps, wqs };
  };
  built.machine.addObserver({ name: 'probe', afterStep: take });
  built.machine.run(new ReplayScheduler(o.schedule!));
  take(built.machine);
  return got!;
}

/** The lists the state panel draws, from its data attributes. */
async function pageLists(page: Page): Promise<Lists> {
  return page.evaluate(() => {
    const eps: Record<string, { rdllist: string[]; ovflist: string[] | 'inactive' }> = {};
    for (const el of document.querySelectorAll<HTMLElement>('#state .ep')) {
      const ovf = el.dataset.ovflist!;
      eps[el.dataset.ep!] = { rdllist: JSON.parse(el.dataset.rdllist!) as string[],
        ovflist: ovf === 'inactive' ? 'inactive' : JSON.parse(ovf) as string[] };
    }
    const wqs: Record<string, string[]> = {};
    for (const el of document.querySelectorAll<HTMLElement>('#state .wq')) {
      wqs[el.dataset.wq!] = JSON.parse(el.dataset.entries!) as string[];
    }
    return { eps, wqs };
  });
}

async function shownStep(page: Page): Promise<number> {
  return Number(await page.getAttribute('#where', 'data-step'));
}

describe.skipIf(!HAVE)('view: the page in headless Chromium, for every zoo entry', () => {
  let dir = '';
  let ctx: BrowserContext;
  const measured: string[] = [];
  let arrowsSeen = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eventpoll-view-'));
    const { chromium } = await import('playwright-core');
    ctx = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM, headless: true, args: ARGS,
      viewport: { width: 1600, height: 1000 },
    });
  }, 60_000);

  afterAll(async () => {
    await ctx?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (measured.length > 0) console.log(`viewer pages:\n${measured.join('\n')}`);
  });

  for (const e of ZOO) {
    it(`${e.id}: under 2 MB, loads in under 2 s, the state at the violation is the model's`,
      async () => {
        const f = zooShrunkFailure(e.id);
        const { data, result } = viewRun(f.options);
        expect(result.violations[0]?.property).toBe(e.property);
        const html = renderViewerPage(data);
        const file = join(dir, `${e.id}.html`);
        writeFileSync(file, html);
        const bytes = statSync(file).size;
        expect(bytes).toBeLessThan(PAGE_MAX);

        const page = await ctx.newPage();
        const errors: string[] = [];
        page.on('pageerror', (err) => errors.push(err.message));
        const t0 = performance.now();
        await page.goto(pathToFileURL(file).href);
        await page.waitForSelector('body[data-ready="1"]', { timeout: 10_000 });
        const ms = performance.now() - t0;
        measured.push(`  ${e.id.padEnd(6)} ${String(result.steps).padStart(4)} steps ` +
          `${(bytes / 1024).toFixed(0).padStart(5)} KiB  loaded in ${ms.toFixed(0)} ms`);
        expect(errors).toEqual([]);
        expect(ms).toBeLessThan(LOAD_MAX_MS);

        // The page opens at the violation: its row is marked and the panel shows that step.
        const vrow = Math.min(result.violations[0]!.step, result.steps - 1);
        expect(await shownStep(page)).toBe(vrow);
        expect(await page.locator('#tl .st.viol').count()).toBe(1);
        expect(await page.textContent('#violation')).toContain(result.violations[0]!.message);
        expect(await page.textContent('#replay')).toContain(`--schedule ${result.schedule}`);
        // One lane per CPU that ran something, in the header.
        const lanes = await page.locator('#tl .hd[data-lane]').allTextContents();
        expect(lanes.length).toBe(data.timeline.lanes.length);
        // Every wake-up is an arrow; every lock hold and sleep a span.
        const tl = data.timeline;
        const arrows = await page.locator('#arrows path[marker-end]').count();
        expect(arrows).toBe(tl.wakes.filter((w) => tl.rowLane[w.from]! >= 0).length);
        arrowsSeen += arrows;
        expect(await page.locator('#tl .span.hold').count()).toBe(tl.holds.length);
        expect(await page.locator('#tl .span.sleep').count()).toBe(tl.sleeps.length);
        // The state panel at the violation step is the model's state there.
        const want = modelLists(f.options, vrow + 1);
        expect(await pageLists(page)).toEqual(want);
        await page.close();
      }, 60_000);
  }

  it('the diff page draws both runs in aligned rows', async () => {
    const d = diffViewData({ variantA: 'classic-4.19',
      variantB: 'mainline-6.18+B5+no-done-scan-wake', scenario: 'lt-two-waiters', seed: 3 });
    const file = join(dir, 'diff.html');
    writeFileSync(file, renderDiffPage(d));
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="1"]');
    expect(errors).toEqual([]);
    const macros = await page.locator('#grid tr.macro').evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute('data-macro'), Number(r.getAttribute('data-a')),
        Number(r.getAttribute('data-b'))]));
    expect(macros).toEqual(d.rows.filter((r) => r.macro !== '').map((r) => [r.macro, r.a, r.b]));
    expect(await page.locator('#grid tr').count()).toBe(d.rows.length + 1);
    expect(await page.locator('#diffs tr').count()).toBe(d.result.differences.length + 1);
    await page.close();
  }, 60_000);

  it('steps forward and back, jumps to the last write of a field, and draws a screenshot',
    async () => {
      const f = zooShrunkFailure('B5');
      const { data, result } = viewRun(f.options);
      const file = join(dir, 'B5-steps.html');
      writeFileSync(file, renderViewerPage(data));
      const page = await ctx.newPage();
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-ready="1"]');
      const v = await shownStep(page);
      // Some zoo pages (run before this one) drew wake-up arrows.
      expect(arrowsSeen).toBeGreaterThan(0);
      await page.keyboard.press('ArrowUp');
      expect(await shownStep(page)).toBe(v - 1);
      await page.click('#prev');
      expect(await shownStep(page)).toBe(v - 2);
      await page.click('#next');
      expect(await shownStep(page)).toBe(v - 1);
      await page.click('#first');
      expect(await shownStep(page)).toBe(0);
      // Step 0's panel is the model's too (the state after one step).
      expect(await pageLists(page)).toEqual(modelLists(f.options, 1));
      await page.click('#toviol');
      expect(await shownStep(page)).toBe(v);
      // Inspect the eventpoll and jump to where its first written field was last written.
      await page.click('#state .ep h3 a.obj');
      const h = Number(await page.getAttribute('#state .ep h3 a.obj', 'data-h'));
      const jump = page.locator('#inspect button.jump').first();
      const field = await page.evaluate(() =>
        document.querySelector('#inspect button.jump')!.closest('tr')!.firstElementChild!
          .textContent!);
      const at = Number(/step (\d+)/.exec((await jump.textContent()) ?? '')![1]);
      await jump.click();
      expect(await shownStep(page)).toBe(at);
      // That step's patches write the field (or create the object), and no later one up to
      // the violation does.
      const writes = (s: number): boolean => result.history!.patches[s]!.some((p) =>
        p.path[0] === 'objs' && p.path[1] === h && (p.path.length === 2 || p.path[2] === field));
      expect(writes(at)).toBe(true);
      for (let s = at + 1; s <= v; s++) expect(writes(s)).toBe(false);
      // Clicking a cell selects its step.
      await page.click('#tl .ev[data-row="3"]');
      expect(await shownStep(page)).toBe(3);
      await page.click('#toviol');
      const png = await page.screenshot({ path: join(dir, 'B5.png') });
      // A blank page compresses to a few KB; the drawn viewer is far larger.
      expect(png.length).toBeGreaterThan(40_000);
      await page.close();
    }, 60_000);
});
