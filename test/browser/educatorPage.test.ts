// The educator's own page in chromium (issue 16): in from the claim page, every badge listed with
// its live status, the baked PNG downloaded (an uncompressed iTXt `openbadgecredential` chunk
// holding the credential), a share link made and opened in a fresh browser (another profile: no
// cookie of the educator's), then withdrawn (410 there). At phone (390×844) and desktop
// (1280×800) sizes: axe-core finds no serious or critical violation and nothing scrolls sideways
// at 390 px. Screenshots go to test-artifacts/screenshots/.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractFromPng } from '../../src/badges/pngBaking.js';
import { ADMIN_TOKEN, awardBody, createServedInstance, type TestInstance } from '../helpers/app.js';
import { checkScreenSizes, hasChromium, launchBrowser, PHONE, SKIP_REASON, type TestBrowser } from '../helpers/browser.js';

type Json = Record<string, any>;
if (!hasChromium) console.warn(SKIP_REASON);
const checkScreen = (page: Page, name: string): Promise<void> => checkScreenSizes(page, `educator-${name}`);

describe.skipIf(!hasChromium)('the educator page in chromium', () => {
  let t: TestInstance & { origin: string };
  let browser: TestBrowser;
  let stranger: TestBrowser;
  const awards: Json[] = [];
  beforeAll(async () => {
    t = await createServedInstance();
    browser = await launchBrowser();
    stranger = await launchBrowser();
    for (const achievement of ['formative-assessment', 'aligned-instruction']) {
      const res = await fetch(`${t.origin}/awards`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify(awardBody({ recipient: { email: 'ana.lopez@example.edu', name: 'Ana Lopez' }, achievement })),
      });
      expect(res.status).toBe(201);
      awards.push((await res.json()) as Json);
    }
  });
  afterAll(async () => {
    await stranger?.close();
    await browser?.close();
    await t?.close();
  });

  it('from the claim page to the page; the PNG download carries the credential; a share link opens in a fresh browser and is withdrawn', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize(PHONE);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    expect((await page.goto(awards[0]!.claimUrl))?.status()).toBe(200);
    await page.getByRole('button', { name: 'Open my page' }).click();
    await page.waitForURL(`${t.origin}/me`);
    expect(await page.locator('h1').innerText()).toBe('Your badges and records');
    expect(await page.locator('li[data-award]').count()).toBe(2);
    expect(await page.locator('li[data-award] .pill.ok').count()).toBe(2);
    // The script shows the copy buttons (progressive enhancement: hidden without it).
    expect(await page.locator('button[data-copy]').first().isVisible()).toBe(true);
    const cookies = await browser.context.cookies(t.origin);
    expect(cookies.find((c) => c.name === 'educred-me')).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });
    await checkScreen(page, 'page');

    const card = page.locator(`li[data-award="${awards[0]!.id}"]`);
    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: 'Download .png' }).click()]);
    expect(download.suggestedFilename()).toBe('formative-assessment-badge.png');
    const png = readFileSync(await download.path());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // iTXt, keyword openbadgecredential, compression flag 0 (OB 3.0 §5.3.1).
    const chunk = png.indexOf(Buffer.from('iTXtopenbadgecredential\0\0', 'latin1'));
    expect(chunk).toBeGreaterThan(0);
    expect(extractFromPng(png)).toEqual({ kind: 'json', credential: awards[0]!.credential });

    const [json] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: 'Download .json' }).click()]);
    expect(JSON.parse(readFileSync(await json.path(), 'utf8')).id).toBe(awards[0]!.credential.id);

    for (const a of awards) await page.locator(`input[name="award"][value="${a.id}"]`).check();
    await page.getByLabel('Name (only you see it)').fill('Hiring committee');
    await page.getByRole('button', { name: 'Make a share link' }).click();
    await page.waitForURL(/\/me\?made=share$/);
    expect(await page.locator('#notice').innerText()).toContain('Share link made');
    const shareUrl = await page.locator('li[data-share] input[type=text]').first().inputValue();
    expect(shareUrl).toMatch(new RegExp(`^${t.origin}/shared/[A-Za-z0-9_-]{43}$`));
    await checkScreen(page, 'page-with-share');

    const visitor = await stranger.context.newPage();
    await visitor.setViewportSize(PHONE);
    expect((await visitor.goto(shareUrl))?.status()).toBe(200);
    expect(await visitor.locator('li[data-verified="true"]').count()).toBe(2);
    expect(await visitor.locator('main').innerText()).toContain('Verified');
    await checkScreen(visitor, 'share-page');
    // The visitor has no session of the educator's: /me is the sign-in form.
    await visitor.goto(`${t.origin}/me`);
    expect(await visitor.locator('h1').innerText()).toBe('See all your badges');
    await checkScreen(visitor, 'sign-in');
    // The verify page checks the share link's JSON.
    await visitor.goto(`${t.origin}/verify?url=${encodeURIComponent(shareUrl)}`);
    expect(await visitor.locator('#set .verdict').innerText()).toBe('2 of 2 verify.');

    await page.getByRole('button', { name: 'Withdraw' }).click();
    await page.waitForURL(/made=withdrawn/);
    expect((await visitor.goto(shareUrl))?.status()).toBe(410);
    expect(await visitor.locator('h1').innerText()).toBe('This share link is no longer open');
    await checkScreen(visitor, 'share-withdrawn');
    expect(errors).toEqual([]);
  });
});
