// Debian's headless Chromium, driven by playwright-core (no browser download: the system's
// /usr/bin/chromium, which .ci/run installs), with a fresh profile and nothing that reaches
// out to the network.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export interface Browser {
  /** Opens a file in a new page; console errors and failed requests are collected in `problems`. */
  open(file: string): Promise<Page>;
  problems: string[];
  close(): Promise<void>;
}

export async function startBrowser(): Promise<Browser> {
  if (!hasChromium) throw new Error(`${CHROMIUM} is needed for this test: apt-get install -y chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'conform-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const problems: string[] = [];
  return {
    problems,
    async open(file) {
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`);
      });
      await page.goto(`file://${file}`);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
