// The console in Chromium, at phone (390×844) and desktop (1280×800) sizes: a whole day. An
// observer signs in through a real OpenID provider (oidc-provider on 127.0.0.1), records six
// observations (the first amended) and sees the badge appear; a registrar signs in, revokes it
// with a reason and a confirmation, and the public badge page says "Revoked". An admin (the
// admin token: the embedded default) uploads a batch and sees the frameworks and access
// screens, and imports educators from CSV, watching the live progress bar reach 100% with the
// per-row results. On every screen: axe-core finds no serious or critical violation, nothing
// scrolls sideways at 390 px, and screenshots go to test-artifacts/screenshots/console-*.png.
// Page weight and time to interactive at phone size are printed and go to
// test-artifacts/console-metrics.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, awardBody, postJson, serveInstanceOn, type TestInstance } from '../helpers/app.js';
import { checkScreenSizes, hasChromium, launchBrowser, PHONE, screenshot, scrollWidth, seriousViolations, SKIP_REASON, type TestBrowser } from '../helpers/browser.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidcProvider.js';
import { freePort } from '../helpers/ports.js';

if (!hasChromium) console.warn(SKIP_REASON);
const metrics: Record<string, { bytes: number; transferBytes: number; requests: number; domInteractiveMs: number; loadMs: number }> = {};
let importPath = '';
let batchPath = '';

/** Checks a console screen at both sizes (axe, no sideways scroll at 390 px) and screenshots it. */
const checkScreen = (page: Page, name: string): Promise<void> => checkScreenSizes(page, `console-${name}`);

/**
 * Page weight and time to interactive at phone size: the bytes transferred for the document and
 * everything it loaded (Resource Timing's transferSize: headers and body; the CSS and script are
 * inline, so the document is nearly all of it), the document's body alone, and the navigation's
 * domInteractive and loadEventEnd (ms from the start of the navigation). Printed, not asserted.
 */
async function measure(page: Page, name: string, url: string): Promise<void> {
  await page.setViewportSize(PHONE);
  const response = await page.goto(url);
  await page.waitForLoadState('load');
  const bytes = (await response?.body())?.length ?? 0;
  const timing = (await page.evaluate(`(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    return {
      transferBytes: nav.transferSize + resources.reduce((n, r) => n + r.transferSize, 0),
      requests: 1 + resources.length,
      domInteractiveMs: Math.round(nav.domInteractive),
      loadMs: Math.round(nav.loadEventEnd),
    };
  })()`)) as { transferBytes: number; requests: number; domInteractiveMs: number; loadMs: number };
  metrics[name] = { bytes, ...timing };
}

describe.skipIf(!hasChromium)('the program console in chromium', () => {
  let t: TestInstance & { origin: string };
  let idp: TestOidcProvider;
  let browser: TestBrowser;
  let page: Page;
  let educatorId: string;

  const signInAt = async (login: string): Promise<void> => {
    await browser.context.clearCookies();
    await page.goto(`${t.origin}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    await page.getByRole('link', { name: /^Sign in with 127\.0\.0\.1/ }).click();
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${t.origin}/console/educators`);
  };

  beforeAll(async () => {
    const port = await freePort();
    idp = await startOidcProvider({
      redirectUri: `http://127.0.0.1:${port}/console/sign-in/callback`,
      accounts: {
        maya: { name: 'Maya Rivera', email: 'maya.rivera@program.example', role: 'observer' },
        reggie: { name: 'Reggie Okafor', email: 'registrar@program.example', role: 'registrar' },
      },
    });
    t = await serveInstanceOn(port, { env: idp.env });
    const created = await postJson(t.app, '/educators', { name: 'Ana Lopez', email: 'ana.lopez@example.edu', cohort: '2026 cohort', externalId: 'S-1001' });
    expect(created.status).toBe(201);
    educatorId = ((await created.json()) as { id: string }).id;
    await postJson(t.app, '/educators', { name: 'Ben Carter', email: 'ben.carter@example.edu', cohort: '2026 cohort' });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    // Nothing leaves the machine (the provider's development pages name a web font).
    await page.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
    page.on('pageerror', (e) => {
      throw e;
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await idp?.close();
    mkdirSync('test-artifacts', { recursive: true });
    writeFileSync(path.join('test-artifacts', 'console-metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  });

  it('an observer signs in at the identity provider, records six observations and sees the badge appear', async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${t.origin}/console/sign-in`);
    await checkScreen(page, 'sign-in');
    await signInAt('maya');
    expect(await page.locator('nav .who').innerText()).toContain('Maya Rivera · observer');
    await checkScreen(page, 'educators-empty');

    for (let i = 1; i <= 6; i++) {
      await page.goto(`${t.origin}/console/observe?educator=${educatorId}`);
      if (i === 1) {
        await page.getByRole('group', { name: '3. Formative Assessment' }).getByText('What the levels mean').click();
        await checkScreen(page, 'observe');
      }
      await page.getByLabel('Date of the lesson').fill(`2026-03-0${i}`);
      // The first lesson shows the practice still developing: it does not count toward the badge.
      await page.getByRole('group', { name: '3. Formative Assessment' }).getByLabel(i === 1 ? 'developing' : 'proficient').check();
      await page.getByRole('group', { name: '1. Differentiated Support' }).getByLabel('developing').check();
      await page.getByRole('button', { name: 'Save observation' }).click();
      await page.waitForURL(/\/observations\//);
      const said = await page.locator('#awarded').innerText();
      if (i < 6) expect(said).toBe('No new badge for Ana Lopez from this observation.');
      if (i === 1) {
        // Amended before anything counts it: a note added, the level unchanged.
        await page.getByRole('link', { name: 'Amend it' }).click();
        await page.getByLabel('Notes (optional)').fill('Exit tickets used to regroup students.');
        await page.getByRole('button', { name: 'Save the amendment' }).click();
        expect(await page.locator('h1').innerText()).toBe('Amendment saved');
      }
    }
    expect(await page.locator('#awarded').innerText()).toContain('It awarded a badge');
    expect(await page.locator('#awarded').innerText()).toContain('Formative Assessment (proficient)');
    await checkScreen(page, 'observation-saved');

    await page.goto(`${t.origin}/console/educators`);
    const cell = page.locator('tbody tr', { hasText: 'Ana Lopez' }).locator('td').nth(2);
    expect(await cell.innerText()).toContain('P');
    await checkScreen(page, 'educators');
    await page.getByRole('link', { name: 'Ana Lopez' }).click();
    expect(await page.locator('[data-status]').first().innerText()).toBe('Valid');
    // What a badge counts can no longer be amended; the first (developing) lesson still can.
    expect(await page.getByRole('link', { name: 'Amend this observation' }).count()).toBe(1);
    await checkScreen(page, 'educator-observer');
    expect(await page.getByText('Revoke or suspend').count()).toBe(0);
  }, 180_000);

  it('a registrar revokes the badge with a reason and a confirmation; the public badge page says Revoked', async () => {
    await signInAt('reggie');
    await page.getByRole('link', { name: 'Ana Lopez' }).click();
    await page.getByText('Revoke or suspend').click();
    await page.getByLabel('Revoke (final)').check();
    await page.getByLabel(/^Reason/).fill('Observation records were entered for the wrong candidate');
    await checkScreen(page, 'educator-registrar');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.locator('h1').innerText()).toBe('Revoke this badge?');
    await checkScreen(page, 'revoke-confirm');
    await page.getByRole('button', { name: 'Yes, revoke it' }).click();
    expect(await page.locator('p.notice').innerText()).toContain('The badge is revoked');
    expect(await page.locator('[data-status]').first().innerText()).toBe('Revoked');
    await page.getByRole('link', { name: 'Public badge page' }).click();
    expect(await page.locator('#status').innerText()).toBe('Revoked');
    expect(await scrollWidth(page), 'the badge page scrolls sideways').toBeLessThanOrEqual(PHONE.width);
    await page.getByRole('link', { name: 'Verify this badge' }).click();
    expect(await page.locator('.credential-report .verdict').innerText()).toBe('Revoked: its issuer has withdrawn this badge.');
    expect(await scrollWidth(page), 'the verify result scrolls sideways').toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'verify-result-phone');
    const audit = await t.runtime.store.audit.list({ action: 'award.revoked', limit: 5 });
    expect(audit[0]?.actor).toBe('person:Reggie Okafor <registrar@program.example>');
    expect(audit[0]?.detail?.reason).toBe('Observation records were entered for the wrong candidate');
  }, 60_000);

  it('an admin (the admin token) uploads an award batch, and reads frameworks and access', async () => {
    await browser.context.clearCookies();
    await page.goto(`${t.origin}/console/sign-in`);
    await page.getByText('Sign in with an API token instead').click();
    await page.getByLabel('API token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${t.origin}/console/educators`);
    await page.getByRole('link', { name: 'Batches' }).click();
    const csv = [
      'recipient_email,recipient_name,achievement,observations',
      ...['ana', 'ben', 'cara'].map((n) => `${n}@example.edu,${n},aligned-instruction,"${[2, 3, 4, 5, 6].map((d) => `2026-02-0${d}|Dr. Rivera|proficient`).join('; ')}"`),
    ].join('\n');
    await checkScreen(page, 'batches');
    await page.getByLabel('CSV file').setInputFiles({ name: 'awards.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.waitForURL(/\/console\/batches\/[0-9a-f-]+$/);
    await expect.poll(async () => page.reload().then(() => page.locator('label[for=progress]').innerText()), { timeout: 20_000 }).toContain('Done 3 of 3');
    await checkScreen(page, 'batch');
    batchPath = new URL(page.url()).pathname;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download the results/ }).click()]);
    const results = readFileSync(await download.path(), 'utf8');
    expect(results.split('\r\n')[0]).toBe('line,state,credential_id,claim_url,problem');
    expect(results).toContain('/claim/');

    await page.getByRole('link', { name: 'Frameworks and programs' }).click();
    expect(await page.locator('#programs ~ section h3').first().innerText()).not.toBe('');
    await checkScreen(page, 'frameworks');
    await page.getByRole('link', { name: 'Access' }).click();
    expect(await page.locator('#audit ~ .table-wrap').innerText()).toContain('award.revoked');
    await checkScreen(page, 'access');
  }, 90_000);

  it('an admin imports educators from CSV on the Educators screen and watches the live progress bar reach 100% with the per-row results', async () => {
    await browser.context.clearCookies();
    await page.setViewportSize(PHONE);
    await page.goto(`${t.origin}/console/sign-in`);
    await page.getByText('Sign in with an API token instead').click();
    await page.getByLabel('API token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${t.origin}/console/educators`);
    // By keyboard: Tab to "Import from CSV", open it, reach the file field and the button.
    const reached: string[] = [];
    for (let i = 0; i < 200 && !reached.includes('BUTTON:Import educators'); i++) {
      await page.keyboard.press('Tab');
      const focused = String(await page.evaluate(`(() => { const el = document.activeElement; return el ? el.tagName + ':' + (el.tagName === 'INPUT' ? el.id : (el.textContent ?? '').trim().slice(0, 30)) : ''; })()`));
      reached.push(focused);
      if (focused === 'SUMMARY:Import from CSV') await page.keyboard.press('Enter');
    }
    expect(reached).toEqual(expect.arrayContaining(['SUMMARY:Import from CSV', 'INPUT:import-file', 'BUTTON:Import educators']));
    await checkScreen(page, 'educators-import-form');

    const rows = 2000;
    const csv = [
      'name,email,external_id,cohort',
      ...Array.from({ length: rows }, (_, i) => (i === 10 ? 'Bad Email,not-an-email,I-10,2027' : i === 20 ? 'Twice,person0@import.example,,2027' : `Person ${i},person${i}@import.example,I-${i},2027`)),
    ].join('\n');
    await page.getByLabel('CSV file of educators').setInputFiles({ name: 'cohort-2027.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Import educators' }).click();
    await page.waitForURL(/\/console\/imports\/[0-9a-f-]+$/);
    importPath = new URL(page.url()).pathname;
    // The page came while the job ran: the bar follows the state route; the page is never reloaded.
    expect(await page.locator('progress[data-state]').count()).toBe(1);
    await page.evaluate('window.__sameDocument = true');
    expect(await page.locator('body').getAttribute('data-live')).toBe('running');
    await checkScreen(page, 'educator-import-running');
    // (Polled from here: the page's policy allows no eval, which a string waitForFunction needs.)
    await expect.poll(() => page.locator('body').getAttribute('data-live'), { timeout: 90_000, interval: 250 }).toBe('done');
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    const bar = page.locator('#progress');
    expect([Number(await bar.getAttribute('value')), Number(await bar.getAttribute('max'))]).toEqual([rows, rows]);
    expect(await page.evaluate(`(() => { const p = document.getElementById('progress'); return [p.value, p.max]; })()`)).toEqual([rows, rows]);
    expect(await page.locator('#progress-label').innerText()).toBe(`Done: ${rows} of ${rows} educators`);
    expect(await page.locator('#progress-counts').innerText()).toBe(`${rows - 2} created · 1 invalid · 1 duplicate`);
    expect(await page.locator('#progress-counts').getAttribute('aria-live')).toBe('polite');
    // The finished rows replaced the table in place: each line with its outcome, the bad ones naming the column.
    expect(await page.locator('#rows tr[data-line="12"]').innerText()).toMatch(/12\s+invalid\s+email: email: must be an email address/);
    expect(await page.locator('#rows tr[data-line="22"]').innerText()).toMatch(/22\s+duplicate\s+email: email 'person0@import.example' is on line 2 already/);
    expect(await page.locator('#rows tr[data-line="2"]').innerText()).toMatch(/2\s+created\s+the educator/);
    await checkScreen(page, 'educator-import-done');
    const job = await t.runtime.store.imports.find(importPath.split('/').pop() ?? '');
    console.info(`educator import: ${rows} rows in ${((Date.parse(job?.finishedAt ?? '') - Date.parse(job?.createdAt ?? '')) / 1000).toFixed(1)} s (in-process SQLite, the browser polling, on the shared machine)`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download the results/ }).click()]);
    const results = readFileSync(await download.path(), 'utf8').split('\r\n');
    expect(results[0]).toBe('line,state,educator_id,column,problem');
    expect(results.filter((l) => /^\d+,created,/.test(l))).toHaveLength(rows - 2);
    expect((await t.runtime.store.educators.listEducators({ cohort: '2027', limit: 5000 })).length).toBe(rows - 2);
  }, 120_000);

  it('reaches every control of the observation form by keyboard, with a visible focus ring', async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${t.origin}/console/observe?educator=${educatorId}`);
    const seen: string[] = [];
    for (let i = 0; i < 120; i++) {
      await page.keyboard.press('Tab');
      const focused = (await page.evaluate(`(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return undefined;
        const style = getComputedStyle(el);
        return { text: el.tagName + ':' + (el.getAttribute('type') ?? '') + ':' + (el.textContent ?? '').trim().slice(0, 30), ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
      })()`)) as { text: string; ring: boolean } | undefined;
      if (!focused) continue;
      expect(focused.ring, `no visible focus on ${focused.text}`).toBe(true);
      seen.push(focused.text);
      if (focused.text === 'BUTTON:submit:Save observation') break;
    }
    expect(seen).toContain('BUTTON:submit:Save observation');
    expect(seen.filter((s) => s.startsWith('SUMMARY::What the levels mean')).length).toBeGreaterThanOrEqual(7);
  });

  it('keeps the verify page and every console page within 390 px, and measures them at phone size', async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${t.origin}/verify`);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'verify-form-phone');
    // A good badge's report names its issuer's DID in running text: it wraps (it scrolled before).
    const issued = await postJson(t.app, '/awards', awardBody({ recipient: { email: 'dana@example.edu', name: 'Dana Kim' } }));
    const { credential } = (await issued.json()) as { credential: { id: string } };
    await page.goto(`${t.origin}/verify?url=${encodeURIComponent(credential.id)}`);
    expect(await page.locator('.credential-report .verdict').innerText()).toBe('Verified and trusted.');
    expect(await scrollWidth(page), 'the verify result scrolls sideways').toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'verify-valid-phone');
    for (const [name, url] of [
      ['educators', '/console/educators'],
      ['educator', `/console/educators/${educatorId}`],
      ['observe', `/console/observe?educator=${educatorId}`],
      ['batches', '/console/batches'],
      ['frameworks', '/console/frameworks'],
      ['access', '/console/access'],
      ['batch', batchPath],
      ['import', importPath],
      ['sign-in', '/console/sign-in'],
    ] as const) {
      if (url) await measure(page, name, `${t.origin}${url}`);
    }
    // For the closing note (no timed assertion: the machine is shared).
    console.info(`console screens at 390x844 (bytes transferred incl. inline CSS/JS, requests, domInteractive, loadEventEnd):\n${Object.entries(metrics)
      .map(([name, m]) => `  ${name.padEnd(10)} ${String(m.transferBytes).padStart(7)} B  ${m.requests} req  ${String(m.domInteractiveMs).padStart(4)} ms  ${String(m.loadMs).padStart(4)} ms`)
      .join('\n')}`);
    for (const [name, m] of Object.entries(metrics)) {
      expect(m.bytes, name).toBeGreaterThan(0);
      expect(m.transferBytes, name).toBeGreaterThanOrEqual(m.bytes);
    }
  }, 60_000);
});
