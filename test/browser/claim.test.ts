// In a real browser: an educator opens the claim link, reads the badge, downloads it; the link
// refuses a second use; the public badge page, the API reference and the home page render at
// phone and desktop widths. Screenshots go to test-artifacts/screenshots/.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, awardBody, createServedInstance, type TestInstance } from '../helpers/app.js';
import { createOid4vciWallet } from '../helpers/oid4vciWallet.js';
import { DESKTOP, hasChromium, launchBrowser, PHONE, screenshot, SKIP_REASON, type TestBrowser } from '../helpers/browser.js';

type Json = Record<string, any>;
if (!hasChromium) console.warn(SKIP_REASON);

describe.skipIf(!hasChromium)('claim page in chromium', () => {
  let t: TestInstance & { origin: string };
  let browser: TestBrowser;
  let awarded: Json;
  beforeAll(async () => {
    t = await createServedInstance();
    browser = await launchBrowser();
    const res = await fetch(`${t.origin}/awards`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify(awardBody({ recipient: { email: 'ana.lopez@example.edu', name: 'Ana Lopez' }, achievement: 'personalized-blended-online' })),
    });
    expect(res.status).toBe(201);
    awarded = (await res.json()) as Json;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the badge, downloads the credential, then refuses the link the second time', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize(PHONE);
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const first = await page.goto(awarded.claimUrl);
    expect(first?.status()).toBe(200);
    expect(await page.locator('h1').innerText()).toContain('Personalized, Blended and Online Learning');
    expect(await page.locator('img.qr').first().evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    expect(await page.locator('.badge-head img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await screenshot(page, 'claim-page-phone');
    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'claim-page-desktop');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download credential (.json)' }).click()]);
    expect(download.suggestedFilename()).toBe('personalized-blended-online-badge.json');
    const file = await download.path();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(awarded.credential);

    const second = await page.goto(awarded.claimUrl);
    expect(second?.status()).toBe(410);
    expect(await page.locator('h1').innerText()).toBe('This claim link can no longer be used');
    expect(await page.locator('main').innerText()).toContain('already collected');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'claim-link-used-phone');
    // The browser logs the 410 itself; anything else is a page error.
    expect(errors.filter((e) => !/status of 410/.test(e))).toEqual([]);
  });

  it('one link for all of an educator\'s badges: lists each; on a phone the buttons lead and the QR stays hidden, on a desktop it shows', async () => {
    const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` };
    const educator = (await (await fetch(`${t.origin}/educators`, { method: 'POST', headers, body: JSON.stringify({ name: 'Bea Chen', email: 'bea.chen@example.edu' }) })).json()) as Json;
    for (const achievement of ['differentiated-support', 'aligned-instruction', 'formative-assessment']) {
      const res = await fetch(`${t.origin}/awards`, { method: 'POST', headers, body: JSON.stringify(awardBody({ recipient: { email: 'bea.chen@example.edu', name: 'Bea Chen' }, achievement })) });
      expect(res.status).toBe(201);
    }
    const link = (await (await fetch(`${t.origin}/educators/${educator.id}/claim-links`, { method: 'POST', headers })).json()) as Json;
    const page = await browser.context.newPage();
    await page.setViewportSize(PHONE);
    expect((await page.goto(link.claimUrl))?.status()).toBe(200);
    const text = await page.locator('main').innerText();
    for (const name of ['Differentiated Support', 'Aligned Instruction', 'Formative Assessment']) expect(text).toContain(name);
    await expect.poll(() => page.locator('#lcw-link').isVisible()).toBe(true);
    expect(await page.locator('#openid-link').isVisible()).toBe(true);
    expect(await page.locator('#wallet-qr').isVisible()).toBe(false);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'claim-bundle-phone');
    await page.setViewportSize(DESKTOP);
    expect(await page.locator('#wallet-qr').isVisible()).toBe(true);
    await screenshot(page, 'claim-bundle-desktop');
  });

  it('offers both protocols: on a phone the wallet buttons lead and the QR codes stay hidden; on a desktop both QR codes show; an OpenID wallet collects from the page', async () => {
    const res = await fetch(`${t.origin}/awards`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify(awardBody({ recipient: { email: 'both.protocols@example.edu', name: 'Ana Lopez' } })),
    });
    const claim = (await res.json()) as Json;
    const page = await browser.context.newPage();
    await page.setViewportSize(PHONE);
    expect((await page.goto(claim.claimUrl))?.status()).toBe(200);
    const lcw = page.locator('#lcw-link');
    const openid = page.locator('#openid-link');
    await expect.poll(() => lcw.isVisible()).toBe(true);
    expect(await openid.isVisible()).toBe(true);
    expect(await lcw.getAttribute('href')).toMatch(/^dccrequest:\/\/request\?/);
    expect(await openid.getAttribute('href')).toMatch(/^openid-credential-offer:\/\/\?credential_offer_uri=/);
    expect(await page.locator('#wallet-qr').isVisible()).toBe(false);
    // The buttons are above the fold of a 390×844 phone once the wallet section is reached, before any QR.
    const box = (await openid.boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'claim-both-protocols-phone');

    await page.setViewportSize(DESKTOP);
    expect(await page.locator('#wallet-qr').isVisible()).toBe(true);
    const widths = await page.locator('#wallet-qr img.qr').evaluateAll((imgs) => imgs.map((img) => (img as unknown as { naturalWidth: number }).naturalWidth));
    expect(widths).toHaveLength(2);
    expect(widths.every((w) => w > 0)).toBe(true);
    await screenshot(page, 'claim-both-protocols-desktop');

    const wallet = await createOid4vciWallet('did:key');
    const { credential } = (await wallet.collect((await openid.getAttribute('href'))!, 'OpenBadgeCredential_jwt_vc_json')) as { credential: string };
    expect(typeof credential).toBe('string');
    expect((await page.goto(claim.claimUrl))?.status()).toBe(410);
  });

  it('renders the public badge page, the API reference and the home page without errors', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));

    await page.setViewportSize(PHONE);
    expect((await page.goto(awarded.credential.id))?.status()).toBe(200);
    expect(await page.locator('#status').innerText()).toBe('Valid');
    await screenshot(page, 'badge-page-phone');
    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'badge-page-desktop');

    await page.goto(`${t.origin}/docs`);
    await page.locator('#getHealth summary', { hasText: 'Try it' }).click();
    await page.locator('#getHealth button').click();
    await expect.poll(() => page.locator('#getHealth output').innerText()).toContain('200');
    await screenshot(page, 'docs-desktop');

    await page.setViewportSize(PHONE);
    await page.goto(`${t.origin}/`);
    await screenshot(page, 'home-phone');
    expect(errors).toEqual([]);
  }, 90_000); // the full-page screenshot of the whole API reference is slow on a loaded machine
});
