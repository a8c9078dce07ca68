// Cross-origin use (Fetch standard, "CORS protocol"; Cross-Origin-Resource-Policy): the public
// documents a wallet, a portfolio or a browser verifier on another origin reads (badge images,
// credentials, status lists, DID documents, achievements, frameworks) are readable from any
// origin, the public verify API answers preflights, and nothing that needs a token is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;
const ORIGIN = 'https://wallet.example';

let t: TestInstance;
let pathDid: TestInstance;
let award: Json;
beforeAll(async () => {
  t = await createTestInstance({ env: { EDUCRED_DID_WEB_DOMAIN: 'localhost%3A3000' } });
  pathDid = await createTestInstance({ env: { EDUCRED_DID_WEB_DOMAIN: 'localhost%3A3000:programs:east' } });
  const res = await postJson(t.app, '/awards', awardBody());
  expect(res.status).toBe(201);
  award = (await res.json()) as Json;
});
afterAll(async () => {
  await t.close();
  await pathDid.close();
});

const pathOf = (url: string): string => new URL(url).pathname;
const fromOrigin = (app: TestInstance['app'], path: string, init: RequestInit = {}) =>
  app.request(path, { ...init, headers: { Origin: ORIGIN, ...(init.headers as Record<string, string> | undefined) } });
const preflight = (app: TestInstance['app'], path: string, method: string, headers = 'content-type') =>
  app.request(path, { method: 'OPTIONS', headers: { Origin: ORIGIN, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': headers } });

describe('public documents are readable from another origin', () => {
  const publicDocuments = (): Array<[string, TestInstance, string]> => {
    const credentialPath = pathOf(award.credential.id as string);
    return [
      ['the achievement badge image', t, '/achievements/formative-assessment/image.svg'],
      ['the baked badge image', t, `${credentialPath}/badge.svg`],
      ['the credential JSON', t, credentialPath],
      ['the status list credential', t, pathOf([award.credential.credentialStatus].flat()[0].statusListCredential as string)],
      ['the DID document (/.well-known/did.json)', t, '/.well-known/did.json'],
      ['the DID document (path form)', pathDid, '/programs/east/did.json'],
      ['the achievements', t, '/achievements'],
      ['one achievement', t, '/achievements/formative-assessment'],
      ['the framework', t, '/frameworks/instructional-competencies'],
      ['the OpenAPI document', t, '/openapi.json'],
    ];
  };

  it('sends Access-Control-Allow-Origin: * and Cross-Origin-Resource-Policy: cross-origin on each, never credentials mode', async () => {
    const documents = publicDocuments();
    expect(documents).toHaveLength(10);
    for (const [what, instance, path] of documents) {
      const res = await fromOrigin(instance.app, path);
      expect(res.status, what).toBe(200);
      expect(res.headers.get('access-control-allow-origin'), what).toBe('*');
      expect(res.headers.get('cross-origin-resource-policy'), what).toBe('cross-origin');
      expect(res.headers.get('access-control-allow-credentials'), what).toBeNull();
    }
  });

  it('lets a cross-origin reader see the ETag of a status list and revalidate with If-None-Match', async () => {
    const path = pathOf([award.credential.credentialStatus].flat()[0].statusListCredential as string);
    const res = await fromOrigin(t.app, path);
    expect(res.headers.get('access-control-expose-headers')?.split(',').map((h) => h.trim().toLowerCase())).toContain('etag');
    const check = await preflight(t.app, path, 'GET', 'if-none-match');
    expect(check.status).toBe(204);
    expect(check.headers.get('access-control-allow-origin')).toBe('*');
    expect(check.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('if-none-match');
    const again = await fromOrigin(t.app, path, { headers: { 'If-None-Match': res.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
    expect(again.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('keeps the unknown-document answer readable too (a 404 problem a verifier can show)', async () => {
    const res = await fromOrigin(t.app, '/credentials/not-a-credential');
    expect(res.status).toBe(404);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('keeps every other answer same-origin for resource loading (Cross-Origin-Resource-Policy: same-origin)', async () => {
    const res = await fromOrigin(t.app, `/awards/${award.id as string}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });
});

describe('the public verify API is usable from another origin', () => {
  for (const path of ['/credentials/verify', '/presentations/verify']) {
    it(`answers a preflight for POST ${path} with 204, POST and Content-Type, without credentials`, async () => {
      const res = await preflight(t.app, path, 'POST');
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-methods')?.split(',').map((m) => m.trim())).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase().split(',').map((h) => h.trim())).toEqual(['content-type']);
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    });

    it(`does not grant a preflight for POST ${path} that asks to send Authorization`, async () => {
      const res = await preflight(t.app, path, 'POST', 'content-type, authorization');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase() ?? '').not.toContain('authorization');
    });
  }

  it('lets the cross-origin caller read the verification answer, verified or not', async () => {
    const ok = await fromOrigin(t.app, '/credentials/verify', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ verifiableCredential: award.credential }) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    const tampered = { ...award.credential, name: 'Something else' };
    const bad = await fromOrigin(t.app, '/credentials/verify', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ verifiableCredential: tampered }) });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('access-control-allow-origin')).toBe('*');
    const presentation = await fromOrigin(t.app, '/presentations/verify', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ verifiablePresentation: {} }) });
    expect(presentation.status).toBe(400);
    expect(presentation.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('token routes, claim links and exchanges stay same-origin', () => {
  const tokenRoutes = (): Array<[string, string]> => [
    ['POST', '/awards'],
    ['GET', '/awards'],
    ['GET', `/awards/${award.id as string}`],
    ['POST', '/awards/batch'],
    ['GET', '/awards/batch/some-batch'],
    ['POST', `/awards/${award.id as string}/revoke`],
    ['POST', '/tokens'],
    ['GET', '/tokens'],
    ['DELETE', '/tokens/some-token'],
    ['GET', '/audit'],
    ['POST', '/credentials/issue'],
    ['POST', '/credentials/status'],
    ['POST', '/endorsements'],
    ['POST', '/status/some-list/publish'],
    ['POST', '/exchanges/some-token'],
    ['POST', '/claim/some-token/download'],
  ];

  it('sends no Access-Control-Allow-Origin on their answers, with or without a token', async () => {
    for (const [method, path] of tokenRoutes()) {
      for (const headers of [{} as Record<string, string>, { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }]) {
        const res = await fromOrigin(t.app, path, { method, headers, ...(method === 'POST' ? { body: '{}' } : {}) });
        expect(res.headers.get('access-control-allow-origin'), `${method} ${path}`).toBeNull();
        expect(res.headers.get('access-control-allow-credentials'), `${method} ${path}`).toBeNull();
      }
    }
  });

  it('grants no preflight for them', async () => {
    for (const [method, path] of tokenRoutes()) {
      const res = await preflight(t.app, path, method, 'authorization, content-type');
      expect(res.status, `${method} ${path}`).not.toBe(204);
      expect(res.headers.get('access-control-allow-origin'), `${method} ${path}`).toBeNull();
      expect(res.headers.get('access-control-allow-methods'), `${method} ${path}`).toBeNull();
      expect(res.headers.get('access-control-allow-headers'), `${method} ${path}`).toBeNull();
    }
  });

  it('grants no preflight for writing to a public document path', async () => {
    const credentialPath = pathOf(award.credential.id as string);
    for (const method of ['PUT', 'DELETE', 'POST']) {
      const res = await preflight(t.app, credentialPath, method);
      expect(res.headers.get('access-control-allow-origin'), method).toBeNull();
      expect(res.headers.get('access-control-allow-methods'), method).toBeNull();
    }
  });
});
