// Every award can be collected, however it was made: bulk awards (POST /awards/batch) carry
// each awarded row's claim link, in the synchronous answer and in the batch's results, a batch
// re-run returns the same links, and POST /awards/:id/claim-links makes a new link for an
// existing award (replacing its older unspent one).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { csvBatch, getBatch, jsonAward, postBatch, waitForBatch } from '../helpers/batch.js';

type Json = Record<string, any>;
let t: TestInstance;
beforeAll(async () => {
  t = await createTestInstance();
});
afterAll(async () => t.close());

const pathOf = (url: string): string => new URL(url).pathname;
const CLAIM_URL = /^http:\/\/localhost:3000\/claim\/[A-Za-z0-9_-]{43}$/;
const newLink = (id: string, token = ADMIN_TOKEN) => t.app.request(`/awards/${id}/claim-links`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });

/** The page of a claim link answers 200 and names the badge. */
async function claimable(claimUrl: string): Promise<void> {
  const page = await t.app.request(pathOf(claimUrl));
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('Your badge: Formative Assessment');
}

describe('bulk awards carry claim links', () => {
  it('the synchronous answer gives each awarded row its claimUrl and claimExpiresAt, and each link works', async () => {
    const res = await postJson(t.app, '/awards/batch', [jsonAward(1), jsonAward(2), { ...jsonAward(3), achievement: 'nope' }], { 'Batch-Id': 'claims-json' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    const [one, two, three] = body.rows as Json[];
    for (const row of [one, two]) {
      expect(row).toMatchObject({ state: 'issued', claimUrl: expect.stringMatching(CLAIM_URL) });
      const days = (Date.parse(row!.claimExpiresAt) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29.9);
      await claimable(row!.claimUrl);
    }
    expect(one!.claimUrl).not.toBe(two!.claimUrl);
    expect(three).toMatchObject({ state: 'rejected' });
    expect(three).not.toHaveProperty('claimUrl');
    // One link per awarded row, in the database.
    const links = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM claim_links WHERE award_id IN (${one!.awardId}, ${two!.awardId})`.execute(t.runtime.store.kysely)).rows[0]?.n);
    expect(links).toBe(2);

    // GET of the results carries the same links; a re-run of the batch returns them again.
    const results = await getBatch(t.app, 'claims-json');
    expect((results.rows as Json[]).map((r) => r.claimUrl ?? null)).toEqual([one!.claimUrl, two!.claimUrl, null]);
    const again = (await (await postJson(t.app, '/awards/batch', [jsonAward(1), jsonAward(2), { ...jsonAward(3), achievement: 'nope' }], { 'Batch-Id': 'claims-json' })).json()) as Json;
    expect(again.rows[0]).toMatchObject({ state: 'existing', claimUrl: one!.claimUrl, claimExpiresAt: one!.claimExpiresAt });
    expect(again.rows[1]).toMatchObject({ state: 'existing', claimUrl: two!.claimUrl });
    await claimable(one!.claimUrl);
  });

  it('a CSV batch run in the background has the links in its results', async () => {
    const res = await postBatch(t.app, csvBatch(3, 100), 'text/csv', { 'Batch-Id': 'claims-csv', Prefer: 'respond-async' });
    expect(res.status).toBe(202);
    const done = await waitForBatch(t.app, 'claims-csv');
    expect(done.counts.issued).toBe(3);
    const urls = (done.rows as Json[]).map((r) => r.claimUrl);
    expect(urls).toHaveLength(3);
    for (const url of urls) {
      expect(url).toMatch(CLAIM_URL);
      await claimable(url);
    }
    expect(new Set(urls).size).toBe(3);
  });

  it('a row whose badge was already collected says so instead of giving a link', async () => {
    const first = (await (await postJson(t.app, '/awards/batch', [jsonAward(50)], { 'Batch-Id': 'claims-claimed' })).json()) as Json;
    expect((await t.app.request(`${pathOf(first.rows[0].claimUrl)}/download`, { method: 'POST' })).status).toBe(200);
    const results = await getBatch(t.app, 'claims-claimed');
    expect(results.rows[0]).toMatchObject({ state: 'issued', claimUrl: null, claimUnavailable: 'claimed' });
  });
});

describe('POST /awards/:id/claim-links', () => {
  it('201 {claimUrl, expiresAt}: a new link for an existing award; the older unspent one is replaced (410)', async () => {
    const awarded = (await (await postJson(t.app, '/awards', awardBody({ recipient: { email: 'links@example.edu', name: 'Ana Lopez' } }))).json()) as Json;
    const res = await newLink(awarded.id);
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Json;
    expect(Object.keys(body)).toEqual(['claimUrl', 'expiresAt']);
    expect(body.claimUrl).toMatch(CLAIM_URL);
    expect(body.claimUrl).not.toBe(awarded.claimUrl);
    expect(Date.parse(body.expiresAt)).toBeGreaterThanOrEqual(Date.parse(awarded.claimExpiresAt));
    await claimable(body.claimUrl);
    const old = await t.app.request(pathOf(awarded.claimUrl));
    expect(old.status).toBe(410);
    expect(await old.text()).toContain('newer claim link');
  });

  it('makes a new link for a bulk award, and the batch results then show that link', async () => {
    const batch = (await (await postJson(t.app, '/awards/batch', [jsonAward(60)], { 'Batch-Id': 'claims-new-link' })).json()) as Json;
    const res = await newLink(batch.rows[0].awardId);
    expect(res.status).toBe(201);
    const { claimUrl } = (await res.json()) as Json;
    await claimable(claimUrl);
    expect((await getBatch(t.app, 'claims-new-link')).rows[0].claimUrl).toBe(claimUrl);
  });

  it('404 for an unknown award, 409 once the badge was collected, 401 without a token, 403 without the issue scope', async () => {
    expect((await newLink('no-such-award')).status).toBe(404);
    const awarded = (await (await postJson(t.app, '/awards', awardBody({ recipient: { email: 'collected@example.edu', name: 'Ana Lopez' } }))).json()) as Json;
    expect((await t.app.request(`${pathOf(awarded.claimUrl)}/download`, { method: 'POST' })).status).toBe(200);
    const collected = await newLink(awarded.id);
    expect(collected.status).toBe(409);
    expect((await collected.json()) as Json).toMatchObject({ type: expect.stringContaining('award-claimed') });
    expect((await t.app.request(`/awards/${awarded.id}/claim-links`, { method: 'POST' })).status).toBe(401);
    const created = (await (await postJson(t.app, '/tokens', { name: 'revoker', scopes: ['revoke'] })).json()) as Json;
    expect((await newLink(awarded.id, created.token)).status).toBe(403);
  });
});
