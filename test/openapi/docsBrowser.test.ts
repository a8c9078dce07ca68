// /docs in a real browser: readable with JavaScript off (rendered on the server), and "Try it"
// with JavaScript on sends the example body and shows the answer. Screenshots go to
// test-artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createServedInstance, type TestInstance } from '../helpers/app.js';
import path from 'node:path';
import { DESKTOP, hasChromium, launchBrowser, PHONE, SCREENSHOTS, screenshot, SKIP_REASON, type TestBrowser } from '../helpers/browser.js';

if (!hasChromium) console.warn(SKIP_REASON);

describe.skipIf(!hasChromium)('/docs in chromium', () => {
  let t: TestInstance & { origin: string };
  let browser: TestBrowser;
  beforeAll(async () => {
    t = await createServedInstance();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('is readable without JavaScript: Markdown descriptions, the CSV column table, example bodies', async () => {
    const page = await browser.context.newPage();
    // JavaScript off for this page (the persistent context cannot switch it off per context).
    await (await browser.context.newCDPSession(page)).send('Emulation.setScriptExecutionDisabled', { value: true });
    await page.setViewportSize(DESKTOP);
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${t.origin}/docs#postAwardsBatch`);
    const batch = page.locator('#postAwardsBatch');
    expect(await batch.locator('strong', { hasText: 'CSV' }).count()).toBe(1);
    const rows = batch.locator('.description table tbody tr');
    expect(await rows.count()).toBe(7);
    expect(await rows.nth(4).locator('td').first().innerText()).toBe('observations');
    expect(await rows.nth(4).locator('td').nth(1).innerText()).toContain('date|observer|level|narrative');
    expect(await batch.locator('#postAwardsBatch-example-text-csv').innerText()).toContain('recipient_did,recipient_email,recipient_name,achievement,observations,valid_until');
    expect(await page.locator('#postAwards-example-application-json').innerText()).toContain('"achievement": "formative-assessment"');
    expect(errors).toEqual([]);
    // The page's script (which marks <html class="js">) did not run: everything above is server-rendered.
    expect(await page.locator('html').getAttribute('class')).toBeNull();
    await screenshot(page, 'docs-nojs-desktop');
    await batch.screenshot({ path: path.join(SCREENSHOTS, 'docs-nojs-batch.png') });
    await page.close();
    // The whole API reference (~320 kB) renders in one page: on a loaded 2-core machine that takes
    // longer than the default 30 s, which is about the machine, not the page.
  }, 90_000);

  it('sends the example body with "Try it" and shows the answer (JavaScript on, phone width)', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setViewportSize(PHONE);
    await page.goto(`${t.origin}/docs#postTokens`);
    expect(await page.locator('html').getAttribute('class')).toBe('js');
    await page.locator('#token').fill(ADMIN_TOKEN);
    const card = page.locator('#postTokens');
    await card.locator('summary', { hasText: 'Try it' }).click();
    await card.getByRole('button', { name: 'Send' }).click();
    const output = card.locator('output');
    await expect.poll(() => output.innerText()).toMatch(/^201 /);
    expect(await output.innerText()).toContain('"name": "student-information-system"');
    const batch = page.locator('#getAwardsBatchBatchId');
    await batch.locator('summary', { hasText: 'Try it' }).click();
    await batch.getByLabel('batchId').fill('no-such-batch');
    await batch.getByLabel('rows (query, optional)').fill('problems');
    await batch.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => batch.locator('output').innerText()).toMatch(/^404 /);
    expect(errors).toEqual([]);
    await card.screenshot({ path: path.join(SCREENSHOTS, 'docs-try-phone.png') });
    await page.close();
  }, 90_000);
});
