// The public badge page: HTML for browsers at the credential's own URL, JSON for everyone
// else; live status read from Bitstring Status Lists; Open Graph tags; everything escaped.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prefersHtml } from '../../src/http/badgePage.js';
import { badgePage } from '../../src/pages/badgePage.js';
import { renderPage } from '../../src/pages/layout.js';
import { createStatusBitReader, liveStatus, statusBit } from '../../src/pages/liveStatus.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;
let t: TestInstance;
let credential: Json;
beforeAll(async () => {
  t = await createTestInstance();
  const body = awardBody({ recipient: { email: 'ana@example.edu', name: 'Ana <script>alert(1)</script> Lopez' } });
  credential = ((await (await postJson(t.app, '/awards', body)).json()) as Json).credential;
});
afterAll(async () => t.close());

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const pathOf = (url: string) => new URL(url).pathname;

describe('content negotiation at GET /credentials/:id', () => {
  it('serves the page to a browser, and JSON by default and for application/json', async () => {
    const page = await t.app.request(pathOf(credential.id), { headers: { Accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('vary')).toBe('Accept');
    for (const accept of [undefined, 'application/json', '*/*', 'application/json, text/html;q=0.5']) {
      const res = await t.app.request(pathOf(credential.id), accept ? { headers: { Accept: accept } } : {});
      expect(res.headers.get('content-type'), String(accept)).toMatch(/^application\/vc\+ld\+json/);
      expect(await res.json()).toEqual(credential);
    }
    expect(prefersHtml('text/html')).toBe(true);
    expect(prefersHtml(undefined)).toBe(false);
  });

  it('shows the badge for people, escaped, with Open Graph tags and a verify link', async () => {
    const html = await (await t.app.request(pathOf(credential.id), { headers: { Accept: 'text/html' } })).text();
    expect(html).toContain('<h1>Formative Assessment</h1>');
    expect(html).toContain('Ana &lt;script&gt;alert(1)&lt;/script&gt; Lopez');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('<meta property="og:title" content="Formative Assessment badge">');
    expect(html).toContain(`<meta property="og:url" content="${credential.id}">`);
    expect(html).toContain(`href="/verify?url=${encodeURIComponent(credential.id)}"`);
    expect(html).toContain('id="status">Valid<');
    expect(html).toContain('Criteria');
    expect(html).toContain('Observation 1');
  });

  it('answers an unknown badge with a 404 page for browsers and a problem for API clients', async () => {
    expect((await t.app.request('/credentials/nope', { headers: { Accept: 'text/html' } })).status).toBe(404);
    const api = await t.app.request('/credentials/nope');
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/problem\+json/);
  });
});

describe('live status from Bitstring Status Lists', () => {
  const encoded = (setBits: number[], size = 131072) => {
    const bytes = Buffer.alloc(size / 8);
    for (const i of setBits) bytes[Math.floor(i / 8)]! |= 1 << (7 - (i % 8));
    return 'u' + gzipSync(bytes).toString('base64url');
  };
  const entry = (purpose: string, index: number) => ({
    type: 'BitstringStatusListEntry',
    statusPurpose: purpose,
    statusListIndex: String(index),
    statusListCredential: `https://x.example/status/${purpose}`,
  });
  const lists = (revoked: number[], suspended: number[]) => async (url: string) => ({
    credentialSubject: { encodedList: encoded(url.endsWith('revocation') ? revoked : suspended) },
  });

  it('reads bit 0 as the most significant bit of the first byte', () => {
    expect(statusBit(encoded([0]), 0)).toBe(true);
    expect(statusBit(encoded([0]), 7)).toBe(false);
    expect(statusBit(encoded([131071]), 131071)).toBe(true);
    expect(statusBit('ugarbage', 3)).toBeUndefined();
  });

  it('says revoked, suspended, valid, expired or unknown', async () => {
    const c = { credentialStatus: [entry('revocation', 42), entry('suspension', 42)] };
    expect((await liveStatus(c, lists([42], []))).state).toBe('revoked');
    expect((await liveStatus(c, lists([], [42]))).state).toBe('suspended');
    expect((await liveStatus(c, lists([41, 43], [41]))).state).toBe('valid');
    expect((await liveStatus(c, async () => undefined)).state).toBe('unknown');
    expect((await liveStatus({ validUntil: '2001-01-01T00:00:00Z' }, async () => undefined)).state).toBe('expired');
  });

  it('decodes with the bounded decoder: a list that inflates past 2^24 entries reads as unknown, not valid', async () => {
    const bomb = 'u' + gzipSync(Buffer.alloc(64 * 1024 * 1024)).toString('base64url');
    const c = { credentialStatus: [entry('revocation', 42)] };
    expect(statusBit(bomb, 42)).toBeUndefined();
    expect(await liveStatus(c, async () => ({ credentialSubject: { encodedList: bomb } }))).toMatchObject({ state: 'unknown' });
  });

  it('decodes each published list once per version: page views of an unchanged list decode nothing', async () => {
    const reader = createStatusBitReader();
    const c = { credentialStatus: [entry('revocation', 42), entry('suspension', 42)] };
    const revokedLater = { revoked: [] as number[] };
    const load = async (url: string) => ({ credentialSubject: { encodedList: encoded(url.endsWith('revocation') ? revokedLater.revoked : []) } });
    for (let view = 0; view < 5; view++) expect((await liveStatus(c, load, new Date(), reader)).state).toBe('valid');
    expect(reader.decodes()).toBe(2);
    revokedLater.revoked = [42];
    expect((await liveStatus(c, load, new Date(), reader)).state).toBe('revoked');
    expect((await liveStatus(c, load, new Date(), reader)).state).toBe('revoked');
    expect(reader.decodes()).toBe(3);
  });

  it('renders "Revoked" prominently on the page', async () => {
    const html = await renderPage(badgePage(credential, { state: 'revoked', detail: 'The issuer has revoked this badge.' }));
    expect(String(html)).toContain('<span class="pill bad" id="status">Revoked</span>');
  });
});
