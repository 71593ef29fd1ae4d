/**
 * `eventpoll-sim view` and `--html FILE` on run and replay, through the built CLI: the page
 * is written, the exit code is the run's, and the usual output does not change.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, replayArgv } from '../cli/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'eventpoll-view-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function page(file: string): { format: string; run: { schedule: string; steps: number } } {
  const html = readFileSync(file, 'utf8');
  const m = /<script type="application\/json" id="view-data">([\s\S]*?)<\/script>/.exec(html);
  return JSON.parse(m![1]!);
}

const RUN = ['run', '--variant', 'mainline-6.18+B5+no-done-scan-wake', '--scenario',
  'lt-two-waiters', '--seed', '3'];

describe('view: the CLI', () => {
  it('view --zoo ID writes the page of the shrunk failure and exits 1', () => {
    const file = join(dir, 'zoo.html');
    const r = cli(['view', '--zoo', 'B5-t0', '--html', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/wrote .*zoo\.html \(\d+ bytes, \d+ steps\)/);
    expect(page(file).format).toBe('eventpoll-sim-view/1');
  });

  it('run --html: the same output and exit code, plus the page; replay of it views the same',
    () => {
      const plain = cli(RUN);
      const file = join(dir, 'run.html');
      const r = cli([...RUN, '--html', file]);
      expect(r.code).toBe(plain.code);
      expect(r.out).toBe(plain.out);
      const p = page(file);
      const line = r.out.split('\n').find((l) => l.includes('eventpoll-sim replay'))!;
      const again = join(dir, 'replay.html');
      const rr = cli([...replayArgv(line.replace(/^replay: /, '')), '--html', again]);
      expect(rr.code).toBe(plain.code);
      expect(page(again).run).toEqual(p.run);
      const view = join(dir, 'view.html');
      const rv = cli(['view', ...replayArgv(line.replace(/^replay: /, '')).slice(1),
        '--html', view]);
      expect(rv.code).toBe(plain.code);
      expect(page(view).run.schedule).toBe(p.run.schedule);
    });

  it('view --perfetto FILE alone writes the Trace Event JSON', () => {
    const file = join(dir, 'trace.json');
    const r = cli(['view', '--zoo', 'B5-t0', '--perfetto', file]);
    expect(r.code).toBe(1);
    const t = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: { ph: string }[] };
    expect(t.traceEvents.some((e) => e.ph === 'X')).toBe(true);
    expect(existsSync(join(dir, 'zoo2.html'))).toBe(false);
  });

  it('fuzz --html and zoo --html view the first failure', () => {
    const f = join(dir, 'fuzz.html');
    const r = cli(['fuzz', '--variant', 'mainline-6.18+B5+no-done-scan-wake', '--scenario',
      'lt-two-waiters', '--seeds', '50', '--html', f]);
    expect(r.code).toBe(1);
    const seed = /seed (\d+) \(P1-lost-wakeup[,)]/.exec(r.out)?.[1];
    expect(seed).toBeDefined();
    expect(readFileSync(f, 'utf8')).toContain(`seed ${seed}: P1-lost-wakeup`);
    const z = join(dir, 'zoo-table.html');
    const rz = cli(['zoo', '--entry', 'B5-t0', '--families', '1', '--no-fixed', '--jobs', '1',
      '--html', z]);
    expect(rz.code).toBe(0);
    const shrunk = /--schedule (\S+)/.exec(rz.out)![1]!;
    expect(page(z).run.schedule).toBe(shrunk);
  });

  it('view --against B writes the diff page and exits 1 when the runs differ', () => {
    const f = join(dir, 'diff.html');
    const r = cli(['view', '--variant', 'classic-4.19', '--against',
      'mainline-6.18+B5+no-done-scan-wake', '--scenario', 'lt-two-waiters', '--seed', '3',
      '--html', f]);
    expect(r.code).toBe(1);
    const html = readFileSync(f, 'utf8');
    expect(html).toContain('id="diff-data"');
    expect(html).toContain('P1-lost-wakeup');
  });

  it('usage errors: no --html, an unknown zoo entry', () => {
    const a = cli(['view', '--zoo', 'B5']);
    expect(a.code).toBe(2);
    expect(a.err).toContain('missing --html');
    const b = cli(['view', '--zoo', 'nope', '--html', join(dir, 'x.html')]);
    expect(b.code).toBe(2);
    expect(b.err).toContain("no zoo entry 'nope'");
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
  });
});
