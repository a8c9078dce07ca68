// Access control: scoped tokens created by an admin (POST /tokens) and stored hashed, refused
// requests audited, rate limits on the public verify and claim routes, body size limits, and
// security headers on pages.
import { Hono } from 'hono';
import { sql } from 'kysely';
import { createApp } from '../../src/app.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimit } from '../../src/http/rateLimit.js';
import { DEFAULT_PAGE_POLICY } from '../../src/http/pagePolicy.js';
import { ADMIN_TOKEN, awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { jsonAward, waitForBatch } from '../helpers/batch.js';

type Json = Record<string, any>;
let t: TestInstance;
beforeAll(async () => {
  t = await createTestInstance({
    env: { EDUCRED_BODY_LIMIT: String(64 * 1024) },
    configure: (deps) => ({ ...deps, rateLimitPerMinute: 3, rateLimitClientKey: (c) => c.req.header('x-test-client') ?? 'anonymous' }),
  });
});
afterAll(async () => t.close());

const bearer = (token: string, extra: Record<string, string> = {}): Record<string, string> => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...extra });
const audited = async (reason: string): Promise<number> =>
  Number((await sql<{ n: number }>`SELECT count(*) AS n FROM audit_events WHERE action = 'auth.refused' AND detail_json LIKE ${`%${reason}%`}`.execute(t.runtime.store.kysely)).rows[0]!.n);
const allRows = async (table: string): Promise<unknown[]> => (await sql`SELECT * FROM ${sql.table(table)}`.execute(t.runtime.store.kysely)).rows;

describe('POST /tokens: scoped tokens', () => {
  it('creates a token with the asked scopes, shown once, stored only as a hash', async () => {
    const res = await postJson(t.app, '/tokens', { name: 'registrar import', scopes: ['issue', 'issue'] });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const created = (await res.json()) as Json;
    expect(created).toMatchObject({ name: 'registrar import', scopes: ['issue'] });
    expect(created.token).toMatch(/^edc_[A-Za-z0-9_-]{43}$/);
    const dump = JSON.stringify(await allRows('api_tokens')) + JSON.stringify(await allRows('audit_events'));
    expect(dump).not.toContain(created.token);

    // The token issues, but cannot create tokens; the refusal is audited without the secret.
    expect((await t.app.request('/awards', { method: 'POST', headers: bearer(created.token), body: JSON.stringify(awardBody()) })).status).toBe(201);
    const before = await audited("lacks scope 'admin'");
    const refused = await t.app.request('/tokens', { method: 'POST', headers: bearer(created.token), body: JSON.stringify({ name: 'x', scopes: ['admin'] }) });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await audited("lacks scope 'admin'")).toBe(before + 1);
  });

  it('keeps a revoke-only token away from issuing', async () => {
    const { token } = (await (await postJson(t.app, '/tokens', { name: 'registrar revocations', scopes: ['revoke'] })).json()) as Json;
    const res = await t.app.request('/awards/batch', { method: 'POST', headers: bearer(token), body: JSON.stringify([jsonAward(1)]) });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('refuses unknown scopes, empty names and callers without a token', async () => {
    expect((await postJson(t.app, '/tokens', { name: 'x', scopes: ['root'] })).status).toBe(400);
    expect((await postJson(t.app, '/tokens', { name: ' ', scopes: ['issue'] })).status).toBe(400);
    expect((await postJson(t.app, '/tokens', { name: 'x', scopes: [] })).status).toBe(400);
    const before = await audited('missing token');
    const anonymous = await t.app.request('/tokens', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('scope="admin"');
    expect(await audited('missing token')).toBe(before + 1);
  });
});

describe('rate limits on public verify and claim routes', () => {
  it('answers 429 problem+json with Retry-After once a client spends its bucket, per client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.app.request('/claim/not-a-real-token/download', { method: 'POST', headers: { 'x-test-client': 'kiosk-1' } })).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
    const limited = await t.app.request('/exchanges/not-a-real-token', { method: 'POST', headers: { 'x-test-client': 'kiosk-1' }, body: '{}' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await limited.json()) as Json).type).toBe('urn:educred:problem:rate-limited');
    // Another client is not affected; verify routes have their own bucket.
    expect((await t.app.request('/claim/not-a-real-token/download', { method: 'POST', headers: { 'x-test-client': 'kiosk-2' } })).status).toBe(404);
    expect((await t.app.request('/credentials/verify', { method: 'POST', headers: { 'x-test-client': 'kiosk-1' }, body: '{}' })).status).not.toBe(429);
  });

  it('does not limit authenticated issuing routes', async () => {
    for (let i = 0; i < 5; i++) expect((await t.app.request('/health', { headers: { 'x-test-client': 'kiosk-1' } })).status).toBe(200);
    // An educator of its own: the DID of awardBody() already holds this badge from an earlier test.
    expect((await postJson(t.app, '/awards', awardBody({ recipient: { id: 'did:example:kiosk-educator' } }), { 'x-test-client': 'kiosk-1' })).status).toBe(201);
  });

  it('refills the bucket over time (token bucket)', async () => {
    let now = 0;
    const app = new Hono();
    app.use('*', rateLimit({ perMinute: 2, now: () => now, clientKey: () => 'one' }));
    app.get('/', (c) => c.text('ok'));
    const status = async (): Promise<number> => (await app.request('/')).status;
    expect([await status(), await status(), await status()]).toEqual([200, 200, 429]);
    now += 30_000; // half a minute refills one request of a 2-per-minute bucket
    expect([await status(), await status()]).toEqual([200, 429]);
  });

  it('forgets the oldest clients beyond its bound, so memory stays bounded', async () => {
    let client = 0;
    const app = new Hono();
    app.use('*', rateLimit({ perMinute: 1, maxClients: 2, clientKey: () => String(client) }));
    app.get('/', (c) => c.text('ok'));
    for (client = 0; client < 3; client++) expect((await app.request('/')).status).toBe(200);
    client = 0; // forgotten: a full bucket again
    expect((await app.request('/')).status).toBe(200);
    client = 2;
    expect((await app.request('/')).status).toBe(429);
  });
});

describe('request body limits', () => {
  it('refuses a body over EDUCRED_BODY_LIMIT with 413 problem+json', async () => {
    const res = await postJson(t.app, '/awards', awardBody({ recipient: { email: 'a@example.edu', name: 'n'.repeat(100 * 1024) } }));
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('lets a batch upload use its own, larger limit', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => jsonAward(9000 + i));
    const body = JSON.stringify(rows);
    expect(body.length).toBeGreaterThan(64 * 1024);
    const res = await postJson(t.app, '/awards/batch', body, { Prefer: 'respond-async', 'Batch-Id': 'over-global-limit' });
    expect(res.status).toBe(202);
    expect((await waitForBatch(t.app, 'over-global-limit')).counts.issued).toBe(120);
  });
});

describe('security headers on pages', () => {
  it('sends a strict Content-Security-Policy and the secure headers on every HTML page', async () => {
    const { id } = (await (await postJson(t.app, '/awards', awardBody())).json()) as Json;
    const pages = ['/', '/docs', `/credentials/${id}`, '/claim/unknown-token'];
    for (const page of pages) {
      const res = await t.app.request(page, { headers: { Accept: 'text/html', 'x-test-client': 'pages' } });
      expect(res.headers.get('content-type'), page).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, page).toContain("default-src 'none'");
      expect(csp, page).toContain("frame-ancestors 'none'");
      expect(csp, page).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options'), page).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), page).toBe('no-referrer');
      expect(res.headers.get('x-frame-options'), page).toBeTruthy();
    }
  });

  it('gives an HTML answer without its own policy the strict default', async () => {
    const app = createApp(t.deps);
    app.get('/test-only/raw-page', (c) => c.html('<p>no policy of its own</p>'));
    const res = await app.request('/test-only/raw-page');
    expect(res.headers.get('content-security-policy')).toBe(DEFAULT_PAGE_POLICY);
  });
});

describe('admin token from the environment', () => {
  it('is the only token at first start, stored hashed', async () => {
    const rows = (await sql<{ token_hash: string }>`SELECT token_hash FROM api_tokens WHERE name LIKE 'admin%'`.execute(t.runtime.store.kysely)).rows.map((r) => r.token_hash);
    expect(rows).toHaveLength(1);
    expect(rows[0]).not.toContain(ADMIN_TOKEN);
  });
});
