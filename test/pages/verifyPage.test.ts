// The verify page through app.request(): the form, a badge pasted or uploaded (JSON or a baked
// SVG), a tampered badge showing its failing check by name, a presentation, a rule, and input
// that is not a credential answered with the form and a message, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkName, credentialHeadline } from '../../src/pages/verifyPage.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { createTestWallet } from '../helpers/wallet.js';

type Json = Record<string, any>;
/** What a browser sends with a form submission. */
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

let t: TestInstance;
let awarded: Json;

beforeAll(async () => {
  t = await createTestInstance();
  awarded = (await (await postJson(t.app, '/awards', awardBody({ achievement: 'personalized-blended-online' }))).json()) as Json;
});
afterAll(async () => t.close());

const submit = async (fields: Record<string, string | Blob>) => {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const res = await t.app.request('/verify', { method: 'POST', body: form, headers: { Accept: BROWSER } });
  return { status: res.status, html: await res.text(), csp: res.headers.get('content-security-policy') };
};
const checkItem = (html: string, check: string) => new RegExp(`data-check="${check}" data-passed="(true|false)"`).exec(html)?.[1];

describe('GET /verify', () => {
  it('shows the form with the rules of the trust policy, under a strict CSP', async () => {
    const res = await t.app.request('/verify');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>Verify a badge</h1>');
    expect(html).toContain('<textarea id="document" name="document"');
    expect(html).toContain('<option value="online-teaching">Online teaching approval</option>');
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'sha256-/);
  });

  it('opens one of its own badges from the badge page link', async () => {
    const res = await t.app.request(`/verify?url=${encodeURIComponent(awarded.credential.id)}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Verified and trusted.');
    expect(checkItem(html, 'proof')).toBe('true');
  });

  it('fetches other URLs only through the guarded fetcher: a link-local address is refused', async () => {
    const res = await t.app.request(`/verify?url=${encodeURIComponent('http://169.254.169.254/latest/meta-data')}`, { headers: { Accept: BROWSER } });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('The badge could not be fetched: Refusing to fetch http://169.254.169.254/latest/meta-data');
    expect(text).toMatch(/169.254.169.254 is a linkLocal address, not a public one/);
  });

  it('answers a client that is not a browser with problem+json', async () => {
    const res = await t.app.request('/verify', { method: 'POST', body: new FormData() });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as Json).detail).toBe('Paste a credential or presentation, or choose a file.');
  });
});

describe('POST /verify', () => {
  it('verifies a pasted badge and lists every check in plain words', async () => {
    const { status, html, csp } = await submit({ document: JSON.stringify(awarded.credential) });
    expect(status).toBe(200);
    expect(html).toContain('Verified and trusted.');
    for (const check of ['structure', 'schema', 'proof', 'dates', 'status']) {
      expect(checkItem(html, check), check).toBe('true');
      expect(html).toContain(`<strong>${checkName(check)}</strong>`);
    }
    expect(csp).toMatch(/default-src 'none'/);
  });

  it('names the failing check of a tampered badge', async () => {
    const tampered = structuredClone(awarded.credential);
    tampered.credentialSubject.achievement.name = 'Personalised Learning';
    const { html } = await submit({ document: JSON.stringify(tampered) });
    expect(html).toContain('Not verified: signature check failed.');
    expect(checkItem(html, 'proof')).toBe('false');
    expect(html).toContain('The signature does not match the content');
  });

  it('accepts the badge image with the credential baked in', async () => {
    const svg = await (await t.app.request(`${new URL(awarded.credential.id).pathname}/badge.svg`)).text();
    const { html } = await submit({ file: new File([svg], 'badge.svg', { type: 'image/svg+xml' }) });
    expect(html).toContain('Verified and trusted.');
  });

  it('verifies a presentation and decides the chosen rule, naming what is missing', async () => {
    const wallet = await createTestWallet();
    const badge = ((await (await postJson(t.app, '/awards', awardBody({ recipient: { id: wallet.did }, achievement: 'formative-assessment' }))).json()) as Json).credential;
    const presentation = await wallet.present({ credentials: [badge], challenge: 'c-123' });
    const { html } = await submit({ document: JSON.stringify(presentation), rule: 'online-teaching', challenge: 'c-123' });
    expect(html).toContain('The presentation verifies.');
    expect(html).toContain('Not approved');
    expect(html).toContain('No badge for 7. Personalized, Blended and Online Learning was presented.');
  });

  it.each([
    ['nothing', { document: '' }, 'Paste a credential or presentation, or choose a file.'],
    ['not JSON', { document: '{"@context": ' }, 'The document is not valid JSON'],
    ['an SVG without a credential', { document: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' }, 'This SVG image has no credential baked into it.'],
    ['an unknown rule', { document: '{}', rule: 'fly-planes' }, 'Unknown approval rule'],
  ])('answers %s with the form and a message (400)', async (_name, fields, message) => {
    const { status, html } = await submit(fields);
    expect(status).toBe(400);
    expect(html).toContain('id="form-error"');
    expect(html).toContain(message);
  });

  it('answers a body over the size limit with the form and a message (413), for a browser', async () => {
    const big = new File([`{"padding": "${'x'.repeat(2 * 1024 * 1024)}"}`], 'huge.json', { type: 'application/json' });
    const { status, html } = await submit({ file: big });
    expect(status).toBe(413);
    expect(html).toContain('id="form-error"');
    expect(html).toContain('This is larger than the page accepts (1 MB)');
  });

  it('keeps the size limit when the body is streamed without a length', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 40) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const init = { method: 'POST', body, duplex: 'half', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } } as RequestInit;
    const res = await t.app.request('/verify', init);
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as Json).detail).toMatch(/exceeds the limit of \d+ bytes/);
  });

  it('escapes what the document says', async () => {
    const hostile = { ...awarded.credential, credentialSubject: { ...awarded.credential.credentialSubject, achievement: { ...awarded.credential.credentialSubject.achievement, name: '<img src=x onerror=alert(1)>' } } };
    const { html } = await submit({ document: JSON.stringify(hostile) });
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('the headline of a report', () => {
  it('says revoked before anything else', async () => {
    const report = await t.runtime.verifier.verifyCredential(awarded.credential);
    expect(credentialHeadline(report).text).toBe('Verified and trusted.');
    const revoked = { ...report, verified: false, checks: report.checks.map((c) => (c.check === 'status' ? { ...c, passed: false, code: 'revoked' } : c)) };
    expect(credentialHeadline(revoked)).toEqual({ text: 'Revoked: its issuer has withdrawn this badge.', tone: 'bad' });
  });
});

describe('without status lists', () => {
  it('still renders (a badge with no status entry)', async () => {
    // Status lists off on purpose: a badge from an issuer that publishes none.
    const plain = await createTestInstance({ configure: (deps) => ({ ...deps, status: undefined }) });
    try {
      const credential = ((await (await postJson(plain.app, '/awards', awardBody())).json()) as Json).credential;
      const form = new FormData();
      form.append('document', JSON.stringify(credential));
      const html = await (await plain.app.request('/verify', { method: 'POST', body: form })).text();
      expect(html).toContain('its issuer cannot revoke or suspend it');
    } finally {
      await plain.close();
    }
  });
});
