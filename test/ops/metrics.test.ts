// GET /metrics: Prometheus text behind an admin token; each metric moves when its event happens
// (and only then: a replay is not an award); no label carries an id, a recipient or a token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;

let t: TestInstance;
beforeAll(async () => {
  // A mail server nobody listens on: a notify award's email stays queued (pending).
  t = await createTestInstance({ env: { EDUCRED_SMTP_URL: 'smtp://127.0.0.1:9', EDUCRED_MAIL_FROM: 'badges@program.example' } });
});
afterAll(async () => t.close());

async function scrape(): Promise<string> {
  const res = await t.app.request('/metrics', { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one sample (`name{labels}`), 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((w) => have.includes(w))) return Number(match[3]);
  }
  return 0;
}

async function createToken(scopes: string[]): Promise<string> {
  const res = await postJson(t.app, '/tokens', { name: `metrics-${scopes.join('-')}`, scopes });
  return ((await res.json()) as Json).token as string;
}

describe('GET /metrics', () => {
  it('is refused without a token (401) and with a token lacking the admin scope (403)', async () => {
    expect((await t.app.request('/metrics')).status).toBe(401);
    const issueToken = await createToken(['issue', 'revoke']);
    const res = await t.app.request('/metrics', { headers: { Authorization: `Bearer ${issueToken}` } });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('educred_awards_issued_total');
  });

  it('answers the Prometheus text format with an admin token', async () => {
    const res = await t.app.request('/metrics', { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of ['educred_awards_issued_total', 'educred_signing_seconds', 'educred_status_changes_total', 'educred_verifications_total', 'educred_claim_deliveries_total', 'educred_batch_rows_total', 'educred_mail_queue_depth']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('counts an award once (a replay is not an award), its signing time, a status change, verifications by outcome and a delivery', async () => {
    const before = await scrape();
    const body = awardBody({ recipient: { email: 'metrics.person@example.edu', name: 'Metrics Person' }, notify: true });
    const first = await postJson(t.app, '/awards', body, { 'Idempotency-Key': 'metrics-1' });
    expect(first.status).toBe(201);
    const award = (await first.json()) as Json;
    expect((await postJson(t.app, '/awards', body, { 'Idempotency-Key': 'metrics-1' })).status).toBe(200);

    const verified = await postJson(t.app, '/credentials/verify', { verifiableCredential: award.credential });
    expect(verified.status).toBe(200);
    const tampered = structuredClone(award.credential);
    tampered.credentialSubject.achievement.name = 'Changed';
    expect((await postJson(t.app, '/credentials/verify', { verifiableCredential: tampered })).status).toBe(400);

    const download = await t.app.request(`/claim/${String(award.claimUrl).split('/').pop()}/download`, { method: 'POST' });
    expect(download.status).toBe(200);
    expect((await postJson(t.app, `/awards/${award.id}/revoke`, { reason: 'metrics test' })).status).toBe(200);
    // Revoking again changes nothing, and is not counted.
    expect((await postJson(t.app, `/awards/${award.id}/revoke`, { reason: 'again' })).status).toBe(200);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}): number => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('educred_awards_issued_total', { achievement: 'formative-assessment' })).toBe(1);
    expect(delta('educred_signing_seconds_count', { suite: 'eddsa-rdfc-2022' })).toBeGreaterThanOrEqual(2); // the badge and the re-signed status list
    expect(delta('educred_verifications_total', { kind: 'credential', outcome: 'verified' })).toBe(1);
    expect(delta('educred_verifications_total', { kind: 'credential', outcome: 'signature_invalid' })).toBe(1);
    expect(delta('educred_claim_deliveries_total', { protocol: 'download' })).toBe(1);
    expect(delta('educred_status_changes_total', { action: 'revoke' })).toBe(1);

    // No label carries an award id, a recipient, a token or a claim secret.
    for (const secret of [award.id, 'metrics.person@example.edu', ADMIN_TOKEN, String(award.claimUrl).split('/').pop()]) expect(after).not.toContain(secret);
  });

  it('shows the claim emails waiting in the outbox as the queue depth', async () => {
    const body = awardBody({ recipient: { email: 'queued.person@example.edu', name: 'Queued Person' }, achievement: 'aligned-instruction', notify: true });
    expect((await postJson(t.app, '/awards', body)).status).toBe(201);
    const depth = (await t.runtime.store.mail.counts()).pending;
    expect(depth).toBeGreaterThan(0);
    expect(sample(await scrape(), 'educred_mail_queue_depth')).toBe(depth);
  });

  it('counts bulk rows by state', async () => {
    const before = await scrape();
    const rows = [
      awardBody({ recipient: { id: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH', name: 'Row One' }, achievement: 'data-informed-instruction' }),
      awardBody({ achievement: 'no-such-achievement' }),
    ];
    const res = await postJson(t.app, '/awards/batch', rows, { 'Batch-Id': 'metrics-batch' });
    expect(res.status).toBe(200);
    const after = await scrape();
    expect(sample(after, 'educred_batch_rows_total', { state: 'issued' }) - sample(before, 'educred_batch_rows_total', { state: 'issued' })).toBe(1);
    expect(sample(after, 'educred_batch_rows_total', { state: 'rejected' }) - sample(before, 'educred_batch_rows_total', { state: 'rejected' })).toBe(1);
  });
});
