// Claim links: one per award, unguessable, stored hashed, single use, expiring, replaced by a
// replay; their QR codes; the JSON download; and no token in the request log.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashClaimToken } from '../../src/store/claimLinks.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;
const logLines: string[] = [];
let t: TestInstance;
beforeAll(async () => {
  t = await createTestInstance({ logLines });
});
afterAll(async () => t.close());

let educators = 0;
/**
 * An award to an educator of its own (a recipient holds one badge per achievement and level);
 * a replay names the first award's educator and expects 200.
 */
const emailAward = (headers: Record<string, string> = {}, replayOf?: string) =>
  postJson(t.app, '/awards', awardBody({ recipient: { email: replayOf ?? `educator${++educators}@example.edu`, name: 'Ana Lopez' } }), headers).then(async (r) => {
    expect(r.status).toBe(replayOf ? 200 : 201);
    return (await r.json()) as Json;
  });
const tokenOf = (claimUrl: string): string => claimUrl.split('/').pop()!;
const pathOf = (url: string): string => new URL(url).pathname;

describe('POST /awards returns a claim link', () => {
  it('beside id and credential: an unguessable 256-bit token that expires in 30 days by default', async () => {
    const body = await emailAward();
    expect(Object.keys(body)).toEqual(['id', 'credential', 'claimUrl', 'claimExpiresAt']);
    expect(body.claimUrl).toMatch(/^http:\/\/localhost:3000\/claim\/[A-Za-z0-9_-]{43}$/);
    const days = (Date.parse(body.claimExpiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
  });

  it('stores only the SHA-256 of the token', async () => {
    const body = await emailAward();
    const token = tokenOf(body.claimUrl);
    const { rows } = await sql<Json>`SELECT * FROM claim_links WHERE award_id = ${body.id}`.execute(t.runtime.store.kysely);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(hashClaimToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(t.runtime.store.kysely);
    expect(readFileSync(t.config.databaseFile).includes(Buffer.from(token))).toBe(false);
  });

  it('an idempotent replay returns the same award and the same claim link, which keeps working', async () => {
    const first = await emailAward({ 'Idempotency-Key': 'replay-claim-1' });
    const second = await emailAward({ 'Idempotency-Key': 'replay-claim-1' }, `educator${educators}@example.edu`);
    expect(second.id).toBe(first.id);
    expect(second.credential).toEqual(first.credential);
    expect(second.claimUrl).toBe(first.claimUrl);
    expect((await t.app.request(pathOf(first.claimUrl))).status).toBe(200);
  });

  it('once the award is claimed, a replay returns claimUrl null', async () => {
    const first = await emailAward({ 'Idempotency-Key': 'replay-claim-2' });
    expect((await t.app.request(`${pathOf(first.claimUrl)}/download`, { method: 'POST' })).status).toBe(200);
    const again = await emailAward({ 'Idempotency-Key': 'replay-claim-2' }, `educator${educators}@example.edu`);
    expect(again.claimUrl).toBeNull();
  });
});

describe('claim link QR codes', () => {
  it('serves the claim URL as SVG (with an accessible name) and as PNG', async () => {
    const { claimUrl } = await emailAward();
    const svg = await t.app.request(`${pathOf(claimUrl)}/qr.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    const text = await svg.text();
    expect(text).toMatch(/^<svg[^>]*role="img"/);
    expect(text).toContain('<title>');
    const png = await t.app.request(`${pathOf(claimUrl)}/qr.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    expect((await t.app.request(`${pathOf(claimUrl)}/wallet-qr.svg`)).status).toBe(200);
  });

  it('refuses QR codes for unknown tokens (404)', async () => {
    expect((await t.app.request('/claim/nope/qr.svg')).status).toBe(404);
    expect((await t.app.request('/claim/nope/qr.png')).status).toBe(404);
  });
});

describe('downloading the credential spends the link', () => {
  it('returns the stored credential as an attachment once, then 410 everywhere', async () => {
    const body = await emailAward();
    const path = pathOf(body.claimUrl);
    const res = await t.app.request(`${path}/download`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="formative-assessment-badge.json"');
    expect(await res.json()).toEqual(body.credential);
    const again = await t.app.request(`${path}/download`, { method: 'POST' });
    expect(again.status).toBe(410);
    const page = await t.app.request(path);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('already collected');
    expect((await t.app.request(`${path}/qr.svg`)).status).toBe(410);
  });
});

describe('expiry', () => {
  it('an expired link answers 410 and says it expired', async () => {
    const short = await createTestInstance({ env: { EDUCRED_CLAIM_TTL_DAYS: '0.000001' } });
    try {
      const res = await postJson(short.app, '/awards', awardBody());
      const { claimUrl } = (await res.json()) as Json;
      await new Promise((r) => setTimeout(r, 150));
      const page = await short.app.request(pathOf(claimUrl));
      expect(page.status).toBe(410);
      expect(await page.text()).toContain('expired');
    } finally {
      await short.close();
    }
  });
});

describe('claim page', () => {
  it('renders badge facts, the wallet deep link and the download form, under a strict CSP', async () => {
    const { claimUrl } = await emailAward();
    const res = await t.app.request(pathOf(claimUrl));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*style-src 'sha256-/);
    const page = await res.text();
    expect(page).toContain('Formative Assessment');
    expect(page).toContain('Ana Lopez');
    expect(page).toContain('dccrequest://request?');
    expect(page).toContain('https://lcw.app/request.html?');
    expect(page).toMatch(/<form method="post" action="\/claim\/[^"]+\/download">/);
    expect(page).toContain('5 pieces of evidence');
  });

  it('answers 404 with a page for an unknown token', async () => {
    const res = await t.app.request('/claim/unknown');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('never writes a claim token to the request log', async () => {
    const { claimUrl } = await emailAward();
    await t.app.request(pathOf(claimUrl));
    const token = tokenOf(claimUrl);
    expect(logLines.some((l) => l.includes('/claim/[token]'))).toBe(true);
    expect(logLines.some((l) => l.includes(token))).toBe(false);
  });
});
