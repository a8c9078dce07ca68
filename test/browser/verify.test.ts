// In a real browser: a verifier pastes a tampered badge into the verify page and sees the
// failing check named; the public page of a revoked badge says "Revoked"; a file over the size
// limit gets the form back with a message; a good badge opened from its page's "Verify this
// badge" button verifies. Screenshots go to test-artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, awardBody, type TestInstance, createServedInstance } from '../helpers/app.js';
import { DESKTOP, hasChromium, launchBrowser, PHONE, screenshot, SKIP_REASON, type TestBrowser } from '../helpers/browser.js';

type Json = Record<string, any>;
if (!hasChromium) console.warn(SKIP_REASON);

describe.skipIf(!hasChromium)('verify page and badge status in chromium', () => {
  let t: TestInstance & { origin: string };
  let browser: TestBrowser;
  const award = async (achievement: string): Promise<Json> => {
    const res = await fetch(`${t.origin}/awards`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify(awardBody({ recipient: { email: 'ana.lopez@example.edu', name: 'Ana Lopez' }, achievement })),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Json;
  };
  beforeAll(async () => {
    t = await createServedInstance();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('names the failing check of a tampered badge pasted into the verify page', async () => {
    const { credential } = await award('formative-assessment');
    credential.credentialSubject.achievement.name = 'Formative Assessment (Distinguished)';
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setViewportSize(PHONE);
    await page.goto(`${t.origin}/verify`);
    await page.getByLabel('Credential or presentation (JSON)').fill(JSON.stringify(credential, null, 2));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${t.origin}/verify`);
    expect(await page.locator('.credential-report .verdict').innerText()).toBe('Not verified: signature check failed.');
    const failed = page.locator('li[data-passed="false"]');
    expect(await failed.count()).toBe(1);
    expect(await failed.innerText()).toContain('Signature');
    expect(await failed.innerText()).toContain('changed after it was signed');
    await screenshot(page, 'verify-tampered-phone');
    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'verify-tampered-desktop');
    expect(errors).toEqual([]);
  });

  it('shows "Revoked" on the public page of a revoked badge, and the verify button agrees', async () => {
    const { id, credential } = await award('data-informed-instruction');
    const revoke = await fetch(`${t.origin}/awards/${id}/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ reason: 'observation records were falsified' }),
    });
    expect(revoke.status).toBe(200);
    const page = await browser.context.newPage();
    await page.setViewportSize(PHONE);
    await page.goto(credential.id);
    expect(await page.locator('#status').innerText()).toBe('Revoked');
    await screenshot(page, 'badge-revoked-phone');
    await page.getByRole('link', { name: 'Verify this badge' }).click();
    expect(await page.locator('.credential-report .verdict').innerText()).toBe('Revoked: its issuer has withdrawn this badge.');
    expect(await page.locator('li[data-check="status"]').innerText()).toContain('Revoked by its issuer.');
    await screenshot(page, 'verify-revoked-phone');
  });

  it('answers a file over the size limit with the form and a message, not an error document', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize(PHONE);
    await page.goto(`${t.origin}/verify`);
    const huge = Buffer.from(`{"padding": "${'x'.repeat(2 * 1024 * 1024)}"}`);
    await page.locator('#file').setInputFiles({ name: 'huge.json', mimeType: 'application/json', buffer: huge });
    const [answer] = await Promise.all([page.waitForResponse(`${t.origin}/verify`), page.getByRole('button', { name: 'Verify' }).click()]);
    expect(answer.status()).toBe(413);
    expect(await page.locator('#form-error').innerText()).toContain('This is larger than the page accepts (1 MB)');
    await screenshot(page, 'verify-too-large-phone');
  });

  it('verifies a good badge opened from its page, at desktop width', async () => {
    const { credential } = await award('personalized-blended-online');
    const page = await browser.context.newPage();
    await page.setViewportSize(DESKTOP);
    await page.goto(credential.id);
    await page.getByRole('link', { name: 'Verify this badge' }).click();
    expect(await page.locator('.credential-report .verdict').innerText()).toBe('Verified and trusted.');
    expect(await page.locator('li[data-passed="false"]').count()).toBe(0);
    await screenshot(page, 'verify-valid-desktop');
  });
});
