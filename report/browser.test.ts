import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleReportInput } from '../harness/fixtures/report-sample.ts';
import { renderReport } from './index.ts';
import { layoutTimeline } from './layout.ts';

/**
 * The report in a real browser: the system Chromium, driven by playwright-core, opens the file,
 * and the test checks the lanes, the ringed violation, the replay command, hover and click, a
 * console free of errors, and the render time of a 10,000-event trace. The screenshot and the
 * figures go to reports/ (a CI artifact). Without Chromium the test says how to get it; under CI
 * (CI=true, or NETSTACK_REQUIRE_BROWSER=1 as .ci/run sets) it fails instead: .ci/run installs it.
 */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/google-chrome', '/usr/bin/chromium-browser'];
const CHROMIUM = process.env.CHROMIUM_PATH ?? CANDIDATES.find((p) => existsSync(p)) ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const INSTALL = 'apt-get install -y chromium chromium-driver (Debian), or set CHROMIUM_PATH';
const REPORTS = fileURLToPath(new URL('../reports/', import.meta.url));
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Events wanted in the big trace, and the render time it must stay under (a loose bound: CI is slow). */
const BIG_TRACE_EVENTS = 10_000;
const BIG_TRACE_RENDER_MS_MAX = 3_000;

if (!HAVE_CHROMIUM) {
  describe('the report in headless Chromium', () => {
    it(`needs Chromium at ${CHROMIUM}: ${INSTALL}`, (ctx) => {
      if (process.env.CI === 'true' || process.env.NETSTACK_REQUIRE_BROWSER === '1') {
        throw new Error(`CI must run the browser test: no Chromium at ${CHROMIUM}`);
      }
      console.warn(`report/browser.test.ts skipped: no Chromium at ${CHROMIUM}; ${INSTALL}`);
      ctx.skip(`no Chromium at ${CHROMIUM}; ${INSTALL}`);
    });
  });
} else {
  describe('the report in headless Chromium', () => {
    const work = mkdtempSync(join(tmpdir(), 'netstack-browser-'));
    let browser: BrowserContext;

    beforeAll(async () => {
      mkdirSync(REPORTS, { recursive: true });
      // A fresh profile each run (launchPersistentContext is how playwright takes --user-data-dir).
      browser = await chromium.launchPersistentContext(join(work, 'profile'), {
        executablePath: CHROMIUM,
        headless: true,
        args: FLAGS,
        viewport: { width: 1400, height: 800 },
      });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      rmSync(work, { recursive: true, force: true });
    });

    async function open(name: string, html: string) {
      const file = join(work, name);
      writeFileSync(file, html);
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) errors.push(`network request: ${r.url()}`);
      });
      const started = process.hrtime.bigint();
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
      const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
      return { page, errors, loadMs };
    }

    it('shows the lanes, the violation, the replay command; hover and click show an event', async () => {
      const input = sampleReportInput(40);
      const layout = layoutTimeline(input.trace);
      const { page, errors } = await open('sample.html', renderReport(input));

      expect(await page.locator('.cpu-lane').count()).toBe(layout.cpus.length);
      expect(await page.locator('.lane').count()).toBe(layout.lanes.length);
      expect(await page.locator('.cpu-lane[data-cpu="2"] .lane').first().getAttribute('data-kind')).toBe(
        'netisr',
      );
      expect(await page.locator('#violation .rule').textContent()).toBe(input.rule);
      expect(await page.locator('#replay').textContent()).toBe(input.replayCommand);

      // The violation is ringed, and the first view is scrolled so the rings are on screen.
      const rings = page.locator('.violation-mark');
      expect(await rings.count()).toBe(input.highlight.length);
      const plot = await page.locator('#plot').boundingBox();
      for (const [k, i] of input.highlight.entries()) {
        expect(await rings.nth(k).getAttribute('data-event')).toBe(String(i));
        const box = await rings.nth(k).boundingBox();
        if (plot === null || box === null) throw new Error('no layout box');
        expect(box.x).toBeGreaterThanOrEqual(plot.x);
        expect(box.x + box.width).toBeLessThanOrEqual(plot.x + plot.width);
        expect(box.y).toBeGreaterThanOrEqual(plot.y);
        expect(box.y + box.height).toBeLessThanOrEqual(plot.y + plot.height);
      }

      // Hover over the second violating event: the tooltip shows its fields; a click keeps them.
      const second = input.highlight[1] ?? 0;
      const box = await rings.nth(1).boundingBox();
      if (box === null) throw new Error('no ring box');
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await expect.poll(() => page.locator('#tooltip').isVisible()).toBe(true);
      expect(await page.locator('#tooltip').textContent()).toMatch(new RegExp(`^#\\s+${second}\\n`));
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      expect(await page.locator('#event-details').getAttribute('data-event')).toBe(String(second));
      expect(await page.locator('#event-details').textContent()).toContain(input.trace[second]?.kind ?? '?');

      await page.mouse.move(5, 5);
      await page.click('#zoom-out');
      await page.screenshot({ path: join(REPORTS, 'report-screenshot.png') });
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);

    it(`renders a ${BIG_TRACE_EVENTS.toLocaleString('en')}-event trace and stays responsive`, async () => {
      let packets = Math.ceil(BIG_TRACE_EVENTS / 6.8);
      let input = sampleReportInput(packets);
      while (input.trace.length < BIG_TRACE_EVENTS) {
        packets += 50;
        input = sampleReportInput(packets);
      }
      const { page, errors, loadMs } = await open('big.html', renderReport(input));
      const renderMs = Number(await page.locator('body').getAttribute('data-render-ms'));
      // The overview strip takes the view anywhere in the run: a click near its end scrolls there.
      const strip = await page.locator('#overview').boundingBox();
      if (strip === null) throw new Error('no overview');
      await page.mouse.click(strip.x + strip.width * 0.9, strip.y + strip.height / 2);
      expect(await page.locator('#scroller').evaluate((el) => el.scrollLeft)).toBeGreaterThan(strip.width);
      // A zoom to the whole run redraws every mark at once: the worst frame. (Page code as a string:
      // this file is type-checked without the DOM library.)
      const fitMs = Number(
        await page.evaluate(`new Promise((resolve) => {
          const t = performance.now();
          document.getElementById('zoom-fit').click();
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t)));
        })`),
      );
      const figures = {
        events: input.trace.length,
        renderMs,
        loadMs: Math.round(loadMs),
        fitRedrawMs: Math.round(fitMs),
      };
      writeFileSync(join(REPORTS, 'report-render.json'), `${JSON.stringify(figures, null, 2)}\n`);
      console.log(`report render: ${JSON.stringify(figures)}`);
      expect(input.trace.length).toBeGreaterThanOrEqual(BIG_TRACE_EVENTS);
      expect(renderMs).toBeLessThan(BIG_TRACE_RENDER_MS_MAX);
      expect(await page.locator('.violation-mark').count()).toBe(input.highlight.length);
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);
  });
}
