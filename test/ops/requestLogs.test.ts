// Structured request logs: one JSON line per request with its id, route, status and time; the
// same id in the X-Request-Id answer header and as the `instance` of a problem+json answer; and,
// over a whole flow (tokens, an email award, its claim, wallet exchange, refused requests), no
// line carries a token, a claim secret, a key or an email address.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKeyFile } from '../../src/signing/keys.js';
import { ADMIN_TOKEN, awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let t: TestInstance;
const lines: string[] = [];
beforeAll(async () => {
  t = await createTestInstance({ logLines: lines, env: { EDUCRED_SMTP_URL: 'smtp://mailer:Zx8-smtp-password@127.0.0.1:9', EDUCRED_MAIL_FROM: 'badges@program.example' } });
});
afterAll(async () => t.close());

const entries = (): Json[] => lines.map((l) => JSON.parse(l) as Json);
const requestLine = (id: string): Json | undefined => entries().find((e) => e.msg === 'request' && e.requestId === id);

describe('request ids', () => {
  it('every answer has its own X-Request-Id, and the request log line carries it with the route', async () => {
    const a = await t.app.request('/health');
    const b = await t.app.request('/health');
    const ida = a.headers.get('x-request-id') ?? '';
    expect(ida).toMatch(UUID);
    expect(b.headers.get('x-request-id')).not.toBe(ida);
    expect(requestLine(ida)).toMatchObject({ method: 'GET', route: '/health', path: '/health', status: 200, ms: expect.any(Number) });
  });

  it('a problem+json answer names its request as `instance`', async () => {
    const res = await postJson(t.app, '/awards', { achievement: 'formative-assessment' });
    expect(res.status).toBe(400);
    const id = res.headers.get('x-request-id');
    expect(((await res.json()) as Json).instance).toBe(`urn:uuid:${id}`);
    expect(requestLine(id ?? '')?.status).toBe(400);
  });

  it('so do 401, 404 and not-verified answers', async () => {
    for (const res of [await t.app.request('/tokens'), await t.app.request('/no-such-route'), await postJson(t.app, '/credentials/verify', { verifiableCredential: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'] } })]) {
      const body = (await res.json()) as Json;
      expect(body.instance, JSON.stringify(body)).toBe(`urn:uuid:${res.headers.get('x-request-id')}`);
    }
  });

  it('a client cannot choose its request id (it would reach the logs)', async () => {
    const res = await t.app.request('/health', { headers: { 'X-Request-Id': 'forged-by-client' } });
    expect(res.headers.get('x-request-id')).toMatch(UUID);
    expect(lines.join('\n')).not.toContain('forged');
  });
});

describe('what the logs never carry', () => {
  it('no token, claim secret, key or email address over a whole flow', async () => {
    const created = (await (await postJson(t.app, '/tokens', { name: 'registrar', scopes: ['issue'] })).json()) as Json;
    const email = 'private.person@example.edu';
    const award = (await (await postJson(t.app, '/awards', awardBody({ recipient: { email, name: 'Private Person' }, notify: true }), { Authorization: `Bearer ${created.token}` })).json()) as Json;
    const claimToken = String(award.claimUrl).split('/').pop() as string;
    await t.app.request(`/claim/${claimToken}`);
    await t.app.request(`/exchanges/${claimToken}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    await t.app.request(`/claim/${claimToken}/download`, { method: 'POST' });
    await t.app.request(`/awards?recipient=${encodeURIComponent(email)}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    await t.app.request('/awards', { headers: { Authorization: 'Bearer Zx8-wrong-token-value' } });
    await t.app.request('/awards?token=Zx8-query-token');
    // Let the mail loop try (and fail) to send the claim email, logging why.
    await t.runtime.mail?.deliverDue();

    const text = lines.join('\n');
    expect(entries().filter((e) => e.msg === 'request').length).toBeGreaterThan(6);
    const secretKey = readKeyFile(t.config.keyFile).secretKeyMultibase;
    const claimSecret = readFileSync(`${t.dataDir}/keys/claim-links.key`).toString('hex');
    for (const secret of [ADMIN_TOKEN, created.token, claimToken, email, 'Zx8-wrong-token-value', 'Zx8-query-token', 'Zx8-smtp-password', secretKey, claimSecret]) {
      expect(text, `a log line carries ${secret}`).not.toContain(secret);
    }
  });
});
