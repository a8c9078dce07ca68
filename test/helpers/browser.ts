// Starts Debian's chromium through playwright-core for browser tests: a fresh profile per run,
// no network services of its own, and a flag that lets tests skip (with the reason) on a machine
// without /usr/bin/chromium. CI installs it (apt-get install chromium).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const SKIP_REASON = `browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`;
export const SCREENSHOTS = path.resolve('test-artifacts/screenshots');

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'educred-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1200, height: 900 };

/** The console's and the educator page's desktop size (1280×800). */
export const DESKTOP_1280 = { width: 1280, height: 800 };

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
type AxeResult = { violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown }> }> };

/** axe-core's serious and critical violations on the page as it is. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = (await page.evaluate(() => (globalThis as unknown as { axe: { run(): Promise<unknown> } }).axe.run())) as AxeResult;
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

/** How wide the page's content is: wider than the window scrolls sideways. */
export const scrollWidth = async (page: Page): Promise<number> => Number(await page.evaluate('document.documentElement.scrollWidth'));

/** Checks a screen at both sizes (axe, no sideways scroll at 390 px), screenshots it as `<name>-phone|desktop`, and leaves it at phone size. */
export async function checkScreenSizes(page: Page, name: string): Promise<void> {
  await page.setViewportSize(PHONE);
  expect(await scrollWidth(page), `${name} scrolls sideways at 390 px`).toBeLessThanOrEqual(PHONE.width);
  expect(await seriousViolations(page), `${name} at phone size`).toEqual([]);
  await screenshot(page, `${name}-phone`);
  await page.setViewportSize(DESKTOP_1280);
  expect(await seriousViolations(page), `${name} at desktop size`).toEqual([]);
  await screenshot(page, `${name}-desktop`);
  await page.setViewportSize(PHONE);
}
