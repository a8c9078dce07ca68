// EDUCRED_ROLE=verifier: a verifier that is only a verifier. No issuer key is generated, no
// admin token is made, the issuance routes are absent; presentation requests, the verify page
// and the verification API work, with the token EDUCRED_VERIFY_TOKEN gives.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { ensureVerifierTokens } from '../../src/runtime.js';
import { createVerifierService, type VerifierService } from '../../src/service.js';

const VERIFY_TOKEN = 'verify-token-0123456789abcdef';
let dataDir: string;
let service: VerifierService;

const env = (extra: Record<string, string> = {}) => ({ EDUCRED_ROLE: 'verifier', EDUCRED_DATA_DIR: dataDir, BASE_URL: 'http://localhost:3000', LOG_LEVEL: 'silent', EDUCRED_RATE_LIMIT: '0', ...extra });

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'educred-verifier-'));
  const policy = path.join(dataDir, 'policy.json');
  writeFileSync(policy, JSON.stringify({ name: 'State B licensure', trustedEndorsers: [{ id: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' }] }));
  const config = loadConfig(env({ EDUCRED_TRUST_POLICY: policy, EDUCRED_VERIFY_TOKEN: VERIFY_TOKEN }));
  service = await createVerifierService(config, pino({ level: 'silent' }));
  await ensureVerifierTokens(service.runtime.store, config);
});

afterAll(async () => {
  await service?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const request = (route: string, init: RequestInit = {}) => Promise.resolve(service.app.request(route, init));

describe('EDUCRED_ROLE=verifier', () => {
  it('generates no issuer key (only the keys OpenID4VP requests and the federation entity configuration are signed with) and no admin token', async () => {
    expect(existsSync(path.join(dataDir, 'keys', 'issuer.json'))).toBe(false);
    expect(readdirSync(path.join(dataDir, 'keys')).sort()).toEqual(['openid-federation.pem', 'openid4vp-requests.pem']);
    const tokens = await service.runtime.store.tokens.list({ limit: 10 });
    expect(tokens.map((t) => [t.name, t.scopes])).toEqual([['verify (EDUCRED_VERIFY_TOKEN)', ['verify']]]);
  });

  it('publishes an OpenID Federation Entity Configuration with federation_entity metadata only (it issues nothing)', async () => {
    const res = await request('/.well-known/openid-federation');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/entity-statement+jwt');
    const claims = JSON.parse(Buffer.from((await res.text()).split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims.iss).toBe(claims.sub);
    expect(Object.keys(claims.metadata)).toEqual(['federation_entity']);
  });

  it('has no issuance routes: awards, issuing, endorsements, status lists and the issuer DID answer 404', async () => {
    for (const [method, route] of [['POST', '/awards'], ['POST', '/credentials/issue'], ['POST', '/endorsements'], ['GET', '/.well-known/did.json'], ['GET', '/achievements'], ['POST', '/exchanges/x']]) {
      const res = await request(route!, { method: method!, headers: { Authorization: `Bearer ${VERIFY_TOKEN}`, 'Content-Type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
      expect(res.status, `${method} ${route}`).toBe(404);
    }
  });

  it('makes presentation requests with the EDUCRED_VERIFY_TOKEN token; the verify page and API answer', async () => {
    const res = await request('/presentation-requests', { method: 'POST', headers: { Authorization: `Bearer ${VERIFY_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ rule: 'online-teaching' }) });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Record<string, string>;
    const vpr = await request(new URL(created.exchangeUrl!).pathname, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(vpr.status).toBe(200);
    expect((await request('/verify')).status).toBe(200);
    const verify = await request('/credentials/verify', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ verifiableCredential: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'] } }) });
    expect(verify.status).toBe(400);
    expect(((await verify.json()) as { verified: boolean }).verified).toBe(false);
  });

  it('refuses to start without a trust policy (it would trust nobody)', async () => {
    await expect(createVerifierService(loadConfig(env()), pino({ level: 'silent' }))).rejects.toThrow(ConfigError);
    await expect(createVerifierService(loadConfig(env()), pino({ level: 'silent' }))).rejects.toThrow(/EDUCRED_ROLE=verifier needs EDUCRED_TRUST_POLICY/);
  });
});

describe("the issuer's own registry entry", () => {
  it('GET /.well-known/dcc-issuer-registry-entry.json lists this issuer in the DCC format, and a verifier reads it', async () => {
    const { createTestInstance } = await import('../helpers/app.js');
    const { parseDccRegistry } = await import('../../src/verify/trustRegistries.js');
    const t = await createTestInstance({ env: { EDUCRED_ISSUER_NAME: 'Program P' } });
    try {
      const res = await t.app.request('/.well-known/dcc-issuer-registry-entry.json');
      expect(res.status).toBe(200);
      const entry = await res.json();
      const listings = parseDccRegistry(entry, { name: 'r', format: 'dcc-issuer-registry', file: 'x' });
      expect(listings.get(t.runtime.issuer.identity.did)).toMatchObject({ name: 'Program P' });
    } finally {
      await t.close();
    }
  });
});
