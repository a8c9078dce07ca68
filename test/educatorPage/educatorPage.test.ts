// The educator's own page (issue 16) over HTTP, negative cases first: sign-in links that are
// unknown, expired or used; the same answer for known and unknown addresses, and the per-address
// limit; CSRF on every form; someone else's badge in a share request; withdrawn and expired share
// links (410). Then what works: the claim link into the page, the list with downloads and
// LinkedIn, share links as a page and as JSON the verify page checks, and name privacy.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractFromPng } from '../../src/badges/pngBaking.js';
import { hashSecret } from '../../src/educatorPage/signIn.js';
import type { MailTransport } from '../../src/mail/transport.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;
const ORIGIN = 'http://localhost:3000';
const sent: Array<{ to: string; text: string; html: string; subject: string }> = [];
const transport: MailTransport = {
  async send(message) {
    sent.push(message);
    return { messageId: `m${sent.length}` };
  },
  close() {},
};
let clock = Date.now();
const logLines: string[] = [];
let t: TestInstance;

beforeAll(async () => {
  // A capturing transport instead of SMTP (the SMTP transport has its own tests), a clock the
  // expiry tests move, and clients told apart by a header (app.request has no peer address), so
  // the per-client limit on sign-in emails counts each test's requests as its own.
  t = await createTestInstance({
    logLines,
    configure: (deps) => ({ ...deps, signInMail: { transport, from: 'badges@program.example' }, now: () => new Date(clock), rateLimitClientKey: (c) => c.req.header('x-test-client') ?? 'local' }),
  });
});
afterAll(async () => t.close());

let n = 0;
async function award(email: string, achievement = 'formative-assessment', name = 'Ana Lopez'): Promise<Json> {
  const r = await postJson(t.app, '/awards', awardBody({ recipient: { email, name }, achievement }));
  expect(r.status).toBe(201);
  return (await r.json()) as Json;
}
const pathOf = (url: string): string => new URL(url).pathname;
const form = (fields: Record<string, string | string[]>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const value of Array.isArray(v) ? v : [v]) p.append(k, value);
  return p.toString();
};
let clients = 0;
const post = (path: string, fields: Record<string, string | string[]> = {}, headers: Record<string, string> = {}) =>
  t.app.request(path, { method: 'POST', headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded', 'x-test-client': `client-${++clients}`, ...headers }, body: form(fields) });
const sessionCookie = (r: Response): string => {
  const set = r.headers.get('set-cookie') ?? '';
  const m = /educred-me=([^;]+)/.exec(set);
  expect(m, 'a session cookie').not.toBeNull();
  return `educred-me=${m![1]}`;
};
const page = async (cookie: string, path = '/me') => {
  const r = await t.app.request(path, { headers: { Cookie: cookie, Accept: 'text/html' } });
  return { status: r.status, html: await r.text() };
};
const csrfOf = (html: string): string => /name="csrf" value="([^"]+)"/.exec(html)![1]!;
async function signInByClaim(claimUrl: string): Promise<string> {
  const r = await post(`${pathOf(claimUrl)}/me`);
  expect(r.status).toBe(303);
  expect(r.headers.get('location')).toBe('/me');
  return sessionCookie(r);
}
async function emailedLink(email: string): Promise<string> {
  const before = sent.length;
  const r = await post('/me/sign-in', { email });
  expect(r.status).toBe(200);
  await new Promise((done) => setTimeout(done, 20));
  expect(sent.length).toBe(before + 1);
  return /http:\/\/localhost:3000(\/me\/sign-in\/[A-Za-z0-9_-]+)/.exec(sent.at(-1)!.text)![1]!;
}

describe('sign-in links: refused when unknown, expired or used', () => {
  it('an unknown link: 404 on GET and POST, and no cookie', async () => {
    expect((await t.app.request('/me/sign-in/not-a-real-token', { headers: { Accept: 'text/html' } })).status).toBe(404);
    const r = await post('/me/sign-in/not-a-real-token');
    expect(r.status).toBe(404);
    expect(r.headers.get('set-cookie')).toBeNull();
  });

  it('a used link: the first POST signs in, the second is 410', async () => {
    const email = `used${++n}@example.edu`;
    await award(email);
    const link = await emailedLink(email);
    expect((await t.app.request(link)).status).toBe(200);
    const first = await post(link);
    expect(first.status).toBe(303);
    sessionCookie(first);
    const again = await post(link);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('already used');
    expect((await t.app.request(link)).status).toBe(410);
  });

  it('an expired link (after 7 days): 410, and it signs no one in', async () => {
    const email = `expired${++n}@example.edu`;
    await award(email);
    const link = await emailedLink(email);
    const start = clock;
    clock += 7 * 86_400_000 + 1000;
    try {
      expect((await t.app.request(link)).status).toBe(410);
      const r = await post(link);
      expect(r.status).toBe(410);
      expect(r.headers.get('set-cookie')).toBeNull();
    } finally {
      clock = start;
    }
  });

  it('a GET never spends the link (mail scanners fetch links)', async () => {
    const email = `scanner${++n}@example.edu`;
    await award(email);
    const link = await emailedLink(email);
    for (let i = 0; i < 3; i++) expect((await t.app.request(link)).status).toBe(200);
    expect((await post(link)).status).toBe(303);
  });

  it('stores only the SHA-256 of the link token, which expires in 7 days', async () => {
    const email = `hashed${++n}@example.edu`;
    await award(email);
    const link = await emailedLink(email);
    const token = link.split('/').pop()!;
    const { rows } = await sql<Json>`SELECT * FROM educator_sign_ins WHERE token_hash = ${hashSecret(token)}`.execute(t.runtime.store.kysely);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(Date.parse(rows[0]!.expires_at) - Date.parse(rows[0]!.created_at)).toBe(7 * 86_400_000);
  });
});

describe('asking for a sign-in link', () => {
  it('answers the same for a known and an unknown address, and mails only the known one', async () => {
    const email = `known${++n}@example.edu`;
    await award(email);
    const before = sent.length;
    const known = await post('/me/sign-in', { email: email.toUpperCase() });
    const unknown = await post('/me/sign-in', { email: `nobody${n}@example.edu` });
    expect(known.status).toBe(unknown.status);
    expect(await known.text()).toBe(await unknown.text());
    await new Promise((done) => setTimeout(done, 20));
    expect(sent.length).toBe(before + 1);
    expect(sent.at(-1)!.to).toBe(email);
  });

  it('sends at most 3 links an hour to one address, with the same answer', async () => {
    const email = `limited${++n}@example.edu`;
    await award(email);
    const before = sent.length;
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) answers.push(await (await post('/me/sign-in', { email })).text());
    await new Promise((done) => setTimeout(done, 20));
    expect(sent.length - before).toBe(3);
    expect(new Set(answers).size).toBe(1);
  });

  it('one client asking more than 10 times a minute gets 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await post('/me/sign-in', { email: `flood${i}@example.edu` }, { 'x-test-client': 'flooder' })).status);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it('a malformed address is a 400 form that says what to enter', async () => {
    const r = await post('/me/sign-in', { email: 'not an address' });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('Enter an email address');
  });

  it('a form from another site is refused (403), and nothing is mailed', async () => {
    const before = sent.length;
    const r = await post('/me/sign-in', { email: 'x@example.edu' }, { Origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(sent.length).toBe(before);
  });
});

describe('forms of a signed-in educator need the CSRF token and this origin', () => {
  it('share, withdraw and sign-out without the token are refused; from another origin too', async () => {
    const email = `csrf${++n}@example.edu`;
    const a = await award(email);
    const cookie = await signInByClaim(a.claimUrl);
    const noToken = await post('/me/shares', { award: a.id, days: '30' }, { Cookie: cookie });
    expect(noToken.status).toBe(403);
    const { html } = await page(cookie);
    const csrf = csrfOf(html);
    const foreignOrigin = await post('/me/shares', { award: a.id, days: '30', csrf }, { Cookie: cookie, Origin: 'https://evil.example' });
    expect(foreignOrigin.status).toBe(403);
    expect((await post('/me/sign-out', {}, { Cookie: cookie })).status).toBe(403);
    expect(await t.runtime.store.educatorPages.sharesOf(email)).toHaveLength(0);
    // A CSRF token of another session does not do either.
    const other = await signInByClaim((await award(`csrf-other${n}@example.edu`)).claimUrl);
    expect((await post('/me/shares', { award: a.id, days: '30', csrf: csrfOf((await page(other)).html) }, { Cookie: cookie })).status).toBe(403);
  });
});

describe('share links', () => {
  it('refuses another educator’s badge in a share request (403) and stores nothing', async () => {
    const mine = await award(`owner${++n}@example.edu`);
    const theirs = await award(`stranger${n}@example.edu`);
    const cookie = await signInByClaim(mine.claimUrl);
    const csrf = csrfOf((await page(cookie)).html);
    const r = await post('/me/shares', { award: [mine.id, theirs.id], days: '30', csrf }, { Cookie: cookie });
    expect(r.status).toBe(403);
    expect(await r.text()).toContain('Only your own badges');
    expect(await t.runtime.store.educatorPages.sharesOf(`owner${n}@example.edu`)).toHaveLength(0);
  });

  it('refuses no selection and a lifetime over a year (422)', async () => {
    const mine = await award(`limits${++n}@example.edu`);
    const cookie = await signInByClaim(mine.claimUrl);
    const csrf = csrfOf((await page(cookie)).html);
    expect((await post('/me/shares', { days: '30', csrf }, { Cookie: cookie })).status).toBe(422);
    expect((await post('/me/shares', { award: mine.id, days: '366', csrf }, { Cookie: cookie })).status).toBe(422);
  });

  async function makeShare(email: string, count = 2): Promise<{ cookie: string; csrf: string; url: string; awards: Json[] }> {
    const awards = [await award(email, 'formative-assessment')];
    if (count > 1) awards.push(await award(email, 'aligned-instruction'));
    const cookie = await signInByClaim(awards[0]!.claimUrl);
    const csrf = csrfOf((await page(cookie)).html);
    const made = await post('/me/shares', { award: awards.map((a) => a.id), days: '30', label: 'For the district', csrf }, { Cookie: cookie });
    expect(made.status).toBe(303);
    const { html } = await page(cookie, made.headers.get('location')!);
    const url = /value="(http:\/\/localhost:3000\/shared\/[A-Za-z0-9_-]+)"/.exec(html)![1]!;
    return { cookie, csrf, url, awards };
  }

  it('a withdrawn share link is 410, as a page and as JSON', async () => {
    const email = `withdraw${++n}@example.edu`;
    const { cookie, csrf, url } = await makeShare(email, 1);
    expect((await t.app.request(pathOf(url), { headers: { Accept: 'text/html' } })).status).toBe(200);
    const [share] = await t.runtime.store.educatorPages.sharesOf(email);
    // Someone else's session cannot withdraw it.
    const other = await signInByClaim((await award(`withdraw-other${n}@example.edu`)).claimUrl);
    expect((await post(`/me/shares/${share!.id}/withdraw`, { csrf: csrfOf((await page(other)).html) }, { Cookie: other })).status).toBe(404);
    expect((await post(`/me/shares/${share!.id}/withdraw`, { csrf }, { Cookie: cookie })).status).toBe(303);
    const gone = await t.app.request(pathOf(url), { headers: { Accept: 'text/html' } });
    expect(gone.status).toBe(410);
    expect(await gone.text()).toContain('withdrew this share link');
    const json = await t.app.request(`${pathOf(url)}?format=json`);
    expect(json.status).toBe(410);
    expect(((await json.json()) as Json).type).toContain('share-withdrawn');
  });

  it('an expired share link is 410', async () => {
    const { url } = await makeShare(`expire-share${++n}@example.edu`, 1);
    const start = clock;
    clock += 31 * 86_400_000;
    try {
      expect((await t.app.request(pathOf(url), { headers: { Accept: 'text/html' } })).status).toBe(410);
      expect((await t.app.request(pathOf(url))).status).toBe(410);
    } finally {
      clock = start;
    }
  });

  it('an unknown share link is 404', async () => {
    expect((await t.app.request('/shared/abcdefabcdef', { headers: { Accept: 'text/html' } })).status).toBe(404);
    expect((await t.app.request('/shared/abcdefabcdef')).status).toBe(404);
  });

  it('the page verifies each item live; the JSON is an unsigned VC 2.0 presentation of the credentials; the verify page checks it', async () => {
    const { url, awards } = await makeShare(`share${++n}@example.edu`);
    const html = await (await t.app.request(pathOf(url), { headers: { Accept: 'text/html' } })).text();
    expect(html.match(/data-verified="true"/g)).toHaveLength(2);
    const vp = (await (await t.app.request(`${pathOf(url)}?format=json`)).json()) as Json;
    expect(vp).toMatchObject({ '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], id: url });
    expect(vp.proof).toBeUndefined();
    expect(vp.verifiableCredential.map((c: Json) => c.id)).toEqual(awards.map((a) => a.credential.id));
    // Content negotiation: a client asking for JSON gets the same document.
    expect(await (await t.app.request(pathOf(url), { headers: { Accept: 'application/json' } })).json()).toEqual(vp);
    const verified = await (await t.app.request(`/verify?url=${encodeURIComponent(url)}`, { headers: { Accept: 'text/html' } })).text();
    expect(verified).toContain('2 of 2 verify.');
    // Pasted into the verify page, the same JSON is checked credential by credential.
    const pasted = await t.app.request('/verify', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' }, body: form({ document: JSON.stringify(vp) }) });
    expect(await pasted.text()).toContain('2 of 2 verify.');
    // A revoked badge shows as revoked on the share page.
    expect((await postJson(t.app, `/awards/${awards[0]!.id}/revoke`, { reason: 'test' })).status).toBeLessThan(300);
    const after = await (await t.app.request(pathOf(url), { headers: { Accept: 'text/html' } })).text();
    expect(after).toContain('Revoked');
    expect(after.match(/data-verified="true"/g)).toHaveLength(1);
  });

  it('keeps only the SHA-256 of the share token', async () => {
    const email = `share-hash${++n}@example.edu`;
    const { url } = await makeShare(email, 1);
    const token = url.split('/').pop()!;
    const { rows } = await sql<Json>`SELECT * FROM share_links WHERE subject = ${email}`.execute(t.runtime.store.kysely);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(hashSecret(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(t.runtime.store.kysely);
    expect(readFileSync(t.config.databaseFile).includes(Buffer.from(token))).toBe(false);
  });
});

describe('the page', () => {
  it('a claim link opens it; a replaced claim link does not (410)', async () => {
    const email = `claim${++n}@example.edu`;
    const a = await award(email);
    const replaced = await postJson(t.app, `/awards/${a.id}/claim-links`, {});
    expect(replaced.status).toBe(201);
    const r = await post(`${pathOf(a.claimUrl)}/me`);
    expect(r.status).toBe(410);
    expect(r.headers.get('set-cookie')).toBeNull();
    expect((await post('/claim/unknown-token/me')).status).toBe(404);
    // The claim page and its email lead here.
    const claimPage = await (await t.app.request(pathOf(((await replaced.json()) as Json).claimUrl))).text();
    expect(claimPage).toContain('/me" class="card" id="my-page"');
  });

  it('lists every badge of the educator with status, downloads, LinkedIn and the public link; the JSON download is theirs only', async () => {
    const email = `list${++n}@example.edu`;
    const a = await award(email, 'formative-assessment');
    const b = await award(email, 'aligned-instruction');
    const stranger = await award(`list-stranger${n}@example.edu`);
    const cookie = await signInByClaim(a.claimUrl);
    const { status, html } = await page(cookie);
    expect(status).toBe(200);
    for (const x of [a, b]) {
      expect(html).toContain(`data-award="${x.id}"`);
      expect(html).toContain(`${pathOf(x.credential.id)}/badge.png`);
      expect(html).toContain(`${pathOf(x.credential.id)}/badge.svg`);
      expect(html).toContain(`value="${x.credential.id}"`);
    }
    expect(html).not.toContain(stranger.id);
    expect(html.match(/class="pill ok">Valid/g)?.length).toBe(2);
    const linkedIn = new URL(/href="(https:\/\/www\.linkedin\.com\/profile\/add[^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&'));
    expect(Object.fromEntries(linkedIn.searchParams)).toMatchObject({ startTask: 'CERTIFICATION_NAME', certUrl: a.credential.id, certId: a.id, issueYear: expect.stringMatching(/^\d{4}$/) });
    const json = await t.app.request(`/me/awards/${a.id}/credential.json`, { headers: { Cookie: cookie } });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(((await json.json()) as Json).id).toBe(a.credential.id);
    expect((await t.app.request(`/me/awards/${stranger.id}/credential.json`, { headers: { Cookie: cookie } })).status).toBe(404);
    expect((await t.app.request(`/me/awards/${a.id}/credential.json`)).status).toBe(401);
    const png = Buffer.from(await (await t.app.request(`${pathOf(a.credential.id)}/badge.png`)).arrayBuffer());
    expect(extractFromPng(png)).toMatchObject({ kind: 'json' });
  });

  it('sign-out ends the session', async () => {
    const a = await award(`signout${++n}@example.edu`);
    const cookie = await signInByClaim(a.claimUrl);
    const csrf = csrfOf((await page(cookie)).html);
    expect((await post('/me/sign-out', { csrf }, { Cookie: cookie })).status).toBe(303);
    expect((await page(cookie)).html).toContain('Email me a sign-in link');
  });

  it('never logs a sign-in or share token', async () => {
    const email = `logs${++n}@example.edu`;
    await award(email);
    const link = await emailedLink(email);
    await t.app.request(link);
    const token = link.split('/').pop()!;
    expect(logLines.join('\n')).not.toContain(token);
    expect(logLines.some((l) => l.includes('/me/sign-in/[token]'))).toBe(true);
  });
});

describe('name privacy (a program setting, pages only)', () => {
  it('refuses an unknown value naming the field', async () => {
    const r = await postJson(t.app, '/programs', { code: 'bad-privacy', name: 'X', description: 'X', completion: 'X', requires: [{ achievement: 'formative-assessment' }], namePrivacy: { recipients: 'nickname' } });
    expect(r.status).toBe(400);
    expect(JSON.stringify(await r.json())).toContain('/namePrivacy/recipients');
  });

  it('hides observer names by default, shows initials when the program says so, and leaves the signed credential unchanged', async () => {
    const email = `privacy${++n}@example.edu`;
    const a = await award(email, 'formative-assessment', 'Ana Maria Lopez');
    let html = await (await t.app.request(pathOf(a.credential.id), { headers: { Accept: 'text/html' } })).text();
    expect(html).toContain('Ana Maria Lopez');
    expect(html).not.toContain('Maya Rivera');
    expect(html).toContain('by an observer');
    const made = await postJson(t.app, '/programs', {
      code: 'private-program',
      name: 'Private',
      description: 'A program that shows initials.',
      completion: 'Done',
      requires: [{ achievement: 'formative-assessment' }],
      namePrivacy: { recipients: 'initials', observers: 'initials' },
    });
    expect(made.status).toBe(201);
    expect(((await made.json()) as Json).namePrivacy).toEqual({ recipients: 'initials', observers: 'initials' });
    const listed = ((await (await t.app.request('/programs')).json()) as Json).items as Json[];
    expect(listed.find((p) => p.code === 'educator-preparation')?.namePrivacy).toEqual({ recipients: 'full', observers: 'none' });
    html = await (await t.app.request(pathOf(a.credential.id), { headers: { Accept: 'text/html' } })).text();
    expect(html).not.toContain('Ana Maria Lopez');
    expect(html).toContain('A. M. L.');
    expect(html).toContain('by D. M. R.');
    const json = await (await t.app.request(pathOf(a.credential.id))).text();
    expect(json).toContain('Ana Maria Lopez');
    expect(json).toContain('Dr. Maya Rivera');
  });
});
