// The HTML pages (a run's, and the matrix), rendered in headless Chromium: they render
// without a request leaving the page, their counts are the JSON report's, the filter
// narrows the list, and the matrix shows its reasons in print.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OUTCOMES, type CaseResult } from '../../harness/run/result.js';
import { renderRunHtml } from '../../reports/html.js';
import { toJsonReport, type JsonReport } from '../../reports/json.js';
import { renderHtml } from '../../reports/matrix.js';
import { startBrowser, type Browser } from '../helpers/browser.js';
import { mixed, result, summary, warnedCase } from './factory.js';

const dir = mkdtempSync(join(tmpdir(), 'conform-html-'));
const save = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

const nasty = '<script>alert(1)</script> & "quotes"';
const results = (): CaseResult[] => [
  ...mixed().map((r, i) => ({
    ...r,
    startMs: i * 10,
    ...(r.outcome === 'fail' ? { runtimeLog: '$ runc create x\n  exit 1\n  stderr: cannot apply rlimit' } : {}),
  })),
  result('process.title-nasty', { outcome: 'fail', title: nasty, message: nasty, failures: [{ message: nasty, expected: nasty, actual: 1 }] }),
  warnedCase(),
];

describe('the run page, as text', () => {
  const html = renderRunHtml(summary(results()));

  test('is self-contained: no script, style, image or font from elsewhere', () => {
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).toContain('Content-Security-Policy" content="default-src &#39;none&#39;;');
  });

  test('names the convention a case checks beyond the spec', () => {
    const page = renderRunHtml(
      summary([
        result('engines.podman.exec', {
          outcome: 'warn',
          convention: 'runc-cli',
          message: 'the runc CLI convention beyond the spec not followed: exec failed',
        }),
      ]),
    );
    expect(page).toContain('[runc-cli convention]');
  });

  test('escapes what it shows', () => {
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });
});

describe('the pages in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await startBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the run page renders; its counts are the JSON report's; each failure shows expected, found and the runtime's stderr", async () => {
    const s = summary(results());
    const json = toJsonReport(s);
    const page = await browser.open(save('run.html', renderRunHtml(s)));
    expect(await page.title()).toBe('conform: runc 1.1.5 --root /tmp/state dir: FAIL');
    expect(await page.locator('#verdict').innerText()).toBe('FAIL');
    for (const o of OUTCOMES) expect(Number(await page.locator(`#counts td[data-outcome="${o}"]`).innerText()), o).toBe(json.counts[o]);
    expect(Number(await page.locator('#counts td[data-count-total]').innerText())).toBe(json.results.length);
    expect(await page.locator('#cases tbody tr').count()).toBe(json.results.length);
    const failed = page.locator('section[id="case-process.rlimits.nofile"]');
    expect(await failed.locator('pre.expected').innerText()).toContain('"soft": 1024');
    expect(await failed.locator('pre.found').innerText()).toContain('"soft": 1048576');
    expect(await failed.locator('pre.stderr').innerText()).toContain('stderr: cannot apply rlimit');
    expect(await page.locator('#requirements tbody tr').count()).toBe(Object.keys(json.requirements).length);
    expect(await page.locator('section[id="case-process.title-nasty"] .msg').innerText()).toBe(nasty);
    expect(browser.problems).toEqual([]);
  });

  test('the filter narrows the case list and the failures, by text and by outcome', async () => {
    const page = await browser.open(save('filter.html', renderRunHtml(summary(results()))));
    const visibleRows = () => page.locator('#cases tbody tr:not(.hidden)').count();
    const total = results().length;
    expect(await page.locator('#shown').innerText()).toBe(String(total));
    await page.locator('#filter').fill('cgroups');
    expect(await visibleRows()).toBe(3);
    expect(await page.locator('#shown').innerText()).toBe('3');
    await page.locator('#filter').fill('');
    await page.locator('#filters input[data-outcome="pass"]').uncheck();
    await page.locator('#filters input[data-outcome="skip"]').uncheck();
    expect(await visibleRows()).toBe(total - 3);
    expect(await page.locator('section[id="case-mounts.recursive.rro"]').isVisible()).toBe(true);
    expect(await page.locator('section[id="case-process.rlimits.nofile"]').isVisible()).toBe(true);
    await page.locator('#filters input[data-outcome="fail"]').uncheck();
    expect(await page.locator('section[id="case-process.rlimits.nofile"]').isVisible()).toBe(false);
    expect(browser.problems).toEqual([]);
  });

  test('the matrix page shows every reason as text, also in print, and totals that add up', async () => {
    const a = toJsonReport(summary(results()));
    const b: JsonReport = {
      ...toJsonReport(summary([result('process.umask'), result('process.rlimits.nofile')])),
      runtime: { path: '/usr/bin/crun', args: [], version: 'crun version 1.8.1' },
    };
    const page = await browser.open(save('matrix.html', renderHtml([a, b])));
    await page.emulateMedia({ media: 'print' });
    const why = page.locator('td[data-outcome="fail"] .why').first();
    expect(await why.isVisible()).toBe(true);
    expect(await why.innerText()).toBe('nofile limits differ');
    const headers = await page.locator('#matrix thead th').allInnerTexts();
    expect(headers[1]).toContain('runc 1.1.5 --root /tmp/state dir');
    expect(headers[1]).toContain('ci-1, Linux 6.1.0-18-amd64, cgroup hybrid, 2025-01-02');
    expect(headers[2]).toContain('crun 1.8.1');
    const totals = await page.locator('tr.totals td').allInnerTexts();
    expect(totals[0]).toBe(`${a.results.length} cases: ${OUTCOMES.map((o) => `${a.counts[o]} ${o}`).join(', ')}`);
    expect(browser.problems).toEqual([]);
  });
});
