// A claim link follows the badge's live status: a replay returns the same link while it is
// valid (not a new one that silently retires the one already sent), no link is made or handed
// out for a revoked or suspended badge, and no delivery path (page download, VC-API exchange)
// gives out a revoked or suspended badge. A reinstated badge can be claimed again.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashClaimToken } from '../../src/store/claimLinks.js';
import { ADMIN_TOKEN, awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { createTestWallet } from '../helpers/wallet.js';

type Json = Record<string, any>;
let t: TestInstance;
beforeAll(async () => {
  // Revocation and suspension both, so that suspending is possible.
  t = await createTestInstance({ env: { EDUCRED_STATUS_PURPOSES: 'revocation,suspension' } });
});
afterAll(async () => t.close());

let counter = 0;
const emailAward = async (key = `status-claim-${++counter}`): Promise<Json & { key: string }> => {
  const res = await postJson(t.app, '/awards', awardBody({ recipient: { email: `educator${counter}@example.edu`, name: 'Ana Lopez' } }), { 'Idempotency-Key': key });
  expect(res.status).toBe(201);
  return { ...((await res.json()) as Json), key };
};
const replay = async (key: string): Promise<Json> => {
  const res = await postJson(t.app, '/awards', awardBody({ recipient: { email: `educator${key.split('-').pop()}@example.edu`, name: 'Ana Lopez' } }), { 'Idempotency-Key': key });
  // A replay answers 200 with the existing award (one badge per recipient, achievement and level).
  expect(res.status).toBe(200);
  expect(res.headers.get('idempotent-replayed')).toBe('true');
  return (await res.json()) as Json;
};
const changeStatus = async (id: string, action: 'revoke' | 'suspend' | 'reinstate'): Promise<void> => {
  const res = await postJson(t.app, `/awards/${id}/${action}`, { reason: 'test' });
  expect(res.status, await res.clone().text()).toBe(200);
};
const pathOf = (url: string): string => new URL(url).pathname;
const tokenOf = (url: string): string => url.split('/').pop()!;
const download = (claimUrl: string) => t.app.request(`${pathOf(claimUrl)}/download`, { method: 'POST' });
const exchange = (claimUrl: string, body: unknown) =>
  t.app.request(`/exchanges/${tokenOf(claimUrl)}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const newLink = (id: string) => t.app.request(`/awards/${id}/claim-links`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });

describe('a replay returns the same claim link while it is valid', () => {
  it('same URL and expiry on every replay; the link sent first keeps working', async () => {
    const first = await emailAward();
    const second = await replay(first.key);
    const third = await replay(first.key);
    expect(second.claimUrl).toBe(first.claimUrl);
    expect(third.claimUrl).toBe(first.claimUrl);
    expect(second.claimExpiresAt).toBe(first.claimExpiresAt);
    expect((await t.app.request(pathOf(first.claimUrl))).status).toBe(200);
    // Still one link in the database, kept as a hash only.
    const rows = (await sql<{ token_hash: string }>`SELECT token_hash FROM claim_links WHERE award_id = ${first.id}`.execute(t.runtime.store.kysely)).rows.map((r) => r.token_hash);
    expect(rows).toEqual([hashClaimToken(tokenOf(first.claimUrl))]);
  });

  it('after the link was replaced by POST /awards/:id/claim-links, a replay returns the newer link', async () => {
    const first = await emailAward();
    const created = await newLink(first.id);
    expect(created.status).toBe(201);
    const { claimUrl } = (await created.json()) as Json;
    expect((await replay(first.key)).claimUrl).toBe(claimUrl);
  });
});

describe('no claim link for a revoked badge', () => {
  it('a replay answers claimUrl null and says the badge was revoked', async () => {
    const awarded = await emailAward();
    await changeStatus(awarded.id, 'revoke');
    const again = await replay(awarded.key);
    expect(again.id).toBe(awarded.id);
    expect(again.claimUrl).toBeNull();
    expect(again.claimUnavailable).toBe('revoked');
    expect(again.claimExpiresAt).toBeUndefined();
  });

  it("a batch row's results, and a re-run of the batch, give no link for a revoked badge", async () => {
    const rows = [{ recipient: { email: 'batch.revoked@example.edu', name: 'Ana Lopez' }, achievement: 'formative-assessment', evidence: awardBody().evidence }];
    const first = (await (await postJson(t.app, '/awards/batch', rows, { 'Batch-Id': 'status-revoked' })).json()) as Json;
    expect(first.rows[0].claimUrl).toMatch(/\/claim\//);
    await changeStatus(first.rows[0].awardId, 'revoke');
    const again = (await (await postJson(t.app, '/awards/batch', rows, { 'Batch-Id': 'status-revoked' })).json()) as Json;
    expect(again.rows[0]).toMatchObject({ state: 'existing', awardId: first.rows[0].awardId, claimUrl: null, claimUnavailable: 'revoked' });
    expect(again.rows[0]).not.toHaveProperty('claimExpiresAt');
  });

  it('POST /awards/:id/claim-links answers a 409 problem naming the status', async () => {
    const awarded = await emailAward();
    await changeStatus(awarded.id, 'revoke');
    const res = await newLink(awarded.id);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as Json;
    expect(problem).toMatchObject({ type: expect.stringContaining('award-revoked'), awardStatus: 'revoked' });
    expect(problem.detail).toMatch(/revoked/);
  });

  it('the claim page shows the revoked status and offers neither the wallet nor the download', async () => {
    const awarded = await emailAward();
    await changeStatus(awarded.id, 'revoke');
    const page = await t.app.request(pathOf(awarded.claimUrl));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Revoked');
    expect(html).toContain('The issuer has revoked this badge');
    expect(html).not.toContain('dccrequest://');
    expect(html).not.toContain('/download');
    expect(html).not.toContain('for your wallet');
  });

  it('refuses the download, the wallet QR code and both exchange steps (409), and spends nothing', async () => {
    const awarded = await emailAward();
    await changeStatus(awarded.id, 'revoke');
    const res = await download(awarded.claimUrl);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('revoked');
    expect((await t.app.request(`${pathOf(awarded.claimUrl)}/wallet-qr.svg`)).status).toBe(409);
    const start = await exchange(awarded.claimUrl, {});
    expect(start.status).toBe(409);
    expect(((await start.json()) as Json).awardStatus).toBe('revoked');
    const wallet = await createTestWallet();
    const challenge = (await sql<{ challenge: string }>`SELECT challenge FROM claim_links WHERE award_id = ${awarded.id}`.execute(t.runtime.store.kysely)).rows[0]!.challenge;
    const presentation = await wallet.authenticate({ challenge, domain: 'localhost:3000' });
    const delivered = await exchange(awarded.claimUrl, { verifiablePresentation: presentation });
    expect(delivered.status).toBe(409);
    expect(JSON.stringify(await delivered.json())).not.toContain('"proof"');
    expect(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM claim_links WHERE award_id = ${awarded.id} AND spent_at IS NOT NULL`.execute(t.runtime.store.kysely)).rows[0]?.n)).toBe(0);
  });
});

describe('a suspended badge', () => {
  it('cannot be collected while suspended, and can be once reinstated (the same link)', async () => {
    const awarded = await emailAward();
    await changeStatus(awarded.id, 'suspend');
    const page = await (await t.app.request(pathOf(awarded.claimUrl))).text();
    expect(page).toContain('Suspended');
    expect(page).not.toContain('/download');
    expect((await download(awarded.claimUrl)).status).toBe(409);
    expect((await exchange(awarded.claimUrl, {})).status).toBe(409);
    const whileSuspended = await replay(awarded.key);
    expect(whileSuspended).toMatchObject({ claimUrl: null, claimUnavailable: 'suspended' });
    const refused = await newLink(awarded.id);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as Json).awardStatus).toBe('suspended');

    await changeStatus(awarded.id, 'reinstate');
    expect((await replay(awarded.key)).claimUrl).toBe(awarded.claimUrl);
    const valid = await (await t.app.request(pathOf(awarded.claimUrl))).text();
    expect(valid).toContain('Valid');
    expect(valid).toContain('dccrequest://');
    const res = await download(awarded.claimUrl);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(awarded.credential);
  });

  it('a wallet cannot finish an exchange it started before the suspension', async () => {
    const awarded = await emailAward();
    const start = await exchange(awarded.claimUrl, {});
    expect(start.status).toBe(200);
    const { verifiablePresentationRequest: vpr } = (await start.json()) as Json;
    await changeStatus(awarded.id, 'suspend');
    const wallet = await createTestWallet();
    const presentation = await wallet.authenticate({ challenge: vpr.challenge, domain: vpr.domain });
    const delivered = await exchange(awarded.claimUrl, { verifiablePresentation: presentation });
    expect(delivered.status).toBe(409);
    expect(((await delivered.json()) as Json).awardStatus).toBe('suspended');
  });
});
