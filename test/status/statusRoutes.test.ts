// Revocation and suspension over HTTP: issue, change the status, fetch the published list and
// read the bit; the list is a signed credential any verifier can check, cacheable per its ttl;
// revocation is final; concurrent changes to one list all land; the reason stays private.
import * as vc from '@digitalbazaar/vc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { decodeStatusList, getBit, MIN_STATUS_LIST_LENGTH } from '../../src/status/bitstring.js';
import { ADMIN_TOKEN, awardBody, postJson, type TestInstance, createTestInstance } from '../helpers/app.js';
import { checkerFor, WITH_SUSPENSION } from '../helpers/status.js';

type Json = Record<string, any>;

let t: TestInstance;
const logLines: string[] = [];
beforeAll(async () => {
  // Suspension is tested here: this issuer chose two status entries per badge.
  t = await createTestInstance({ logLines, env: WITH_SUSPENSION });
});
afterAll(async () => t.close());

let educators = 0;
/** Each award to an educator of its own: a recipient holds one badge per achievement and level. */
async function award(): Promise<{ id: string; credential: Json }> {
  const res = await postJson(t.app, '/awards', awardBody({ recipient: { id: `did:example:status-educator-${++educators}` } }));
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; credential: Json };
}

const entryOf = (credential: Json, purpose: string): Json => (credential.credentialStatus as Json[]).find((e) => e.statusPurpose === purpose)!;
const listPath = (entry: Json): string => new URL(entry.statusListCredential).pathname;

async function list(entry: Json, headers: Record<string, string> = {}): Promise<Response> {
  return t.app.request(listPath(entry), { headers });
}

async function bit(entry: Json): Promise<boolean> {
  const listCredential = (await (await list(entry)).json()) as Json;
  return getBit(decodeStatusList(listCredential.credentialSubject.encodedList), Number(entry.statusListIndex));
}

describe('issue → revoke → published list', () => {
  it('revokes: the bit is set in the re-signed list and our checker reports revoked', async () => {
    const { id, credential } = await award();
    const revocation = entryOf(credential, 'revocation');
    expect(await bit(revocation)).toBe(false);
    const { check } = checkerFor(t);
    expect((await check(credential)).every((r) => r.ok)).toBe(true);

    const res = await postJson(t.app, `/awards/${id}/revoke`, { reason: 'Awarded in error: wrong educator' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, action: 'revoke', changed: true, status: { revoked: true, suspended: false } });
    expect(await bit(revocation)).toBe(true);

    const results = await checkerFor(t).check(credential);
    expect(results).toContainEqual(expect.objectContaining({ purpose: 'revocation', set: true, ok: false, reason: 'revoked', code: 'revoked' }));
    expect(results).toContainEqual(expect.objectContaining({ purpose: 'suspension', set: false, ok: true }));
  });

  it('publishes a BitstringStatusListCredential that verifies with @digitalbazaar/vc, with the spec shape and minimum size', async () => {
    const { credential } = await award();
    const entry = entryOf(credential, 'suspension');
    const res = await list(entry);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/vc\+ld\+json/);
    const listCredential = (await res.json()) as Json;
    expect(listCredential).toMatchObject({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: entry.statusListCredential,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: t.runtime.issuer.identity.did,
      credentialSubject: { id: `${entry.statusListCredential}#list`, type: 'BitstringStatusList', statusPurpose: 'suspension', ttl: 300_000 },
    });
    expect(Date.parse(listCredential.validFrom)).not.toBeNaN();
    expect(listCredential.credentialSubject.encodedList).toMatch(/^u[A-Za-z0-9_-]+$/);
    expect(decodeStatusList(listCredential.credentialSubject.encodedList).length * 8).toBe(MIN_STATUS_LIST_LENGTH);
    const verified = await vc.verifyCredential({ credential: listCredential, suite: createVerifyingSuites(), documentLoader: t.runtime.issuer.documentLoader });
    expect(verified.verified, JSON.stringify(verified.error)).toBe(true);
  });

  it('serves the list with Cache-Control from its ttl, an ETag per version and 304 for If-None-Match, and re-signs only when a bit changes', async () => {
    const { id, credential } = await award();
    const entry = entryOf(credential, 'suspension');
    const first = await list(entry);
    const etag = first.headers.get('etag')!;
    expect(first.headers.get('cache-control')).toBe('public, max-age=300');
    const body = await first.text();
    // Same version: the same signed bytes, and 304 when the client has them.
    expect(await (await list(entry)).text()).toBe(body);
    const notModified = await list(entry, { 'If-None-Match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(notModified.headers.get('cache-control')).toBe('public, max-age=300');

    expect((await postJson(t.app, `/awards/${id}/suspend`, { reason: 'Under review' })).status).toBe(200);
    const changed = await list(entry, { 'If-None-Match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('suspends and reinstates (round trip), and a suspended credential is reported suspended meanwhile', async () => {
    const { id, credential } = await award();
    const suspension = entryOf(credential, 'suspension');
    expect(await (await postJson(t.app, `/awards/${id}/suspend`, { reason: 'Complaint under review' })).json()).toMatchObject({ changed: true, status: { suspended: true, revoked: false } });
    expect(await bit(suspension)).toBe(true);
    expect(await checkerFor(t).check(credential)).toContainEqual(expect.objectContaining({ purpose: 'suspension', ok: false, reason: 'suspended' }));
    // Suspending again changes nothing.
    expect(await (await postJson(t.app, `/awards/${id}/suspend`, { reason: 'again' })).json()).toMatchObject({ changed: false });

    expect(await (await postJson(t.app, `/awards/${id}/reinstate`, { reason: 'Review closed, no finding' })).json()).toMatchObject({ changed: true, status: { suspended: false, revoked: false } });
    expect(await bit(suspension)).toBe(false);
    expect((await checkerFor(t).check(credential)).every((r) => r.ok)).toBe(true);
    expect((await t.runtime.store.audit.trail(id)).map((e) => e.action)).toEqual(['award.issued', 'award.suspended', 'award.reinstated']);
  });

  it('should refuse to reinstate (or suspend) a revoked credential: revocation is final', async () => {
    const { id, credential } = await award();
    expect((await postJson(t.app, `/awards/${id}/revoke`, { reason: 'Misconduct' })).status).toBe(200);
    for (const action of ['reinstate', 'suspend']) {
      const res = await postJson(t.app, `/awards/${id}/${action}`, { reason: 'Appeal' });
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(((await res.json()) as Json).detail).toMatch(/revoked.*final/);
    }
    expect(await bit(entryOf(credential, 'revocation'))).toBe(true);
    expect(await bit(entryOf(credential, 'suspension'))).toBe(false);
  });

  it('keeps the reason in the audit log only, never in the public list, and logs no client identity for list requests', async () => {
    const { id, credential } = await award();
    const reason = 'Confidential: investigation #4711';
    await postJson(t.app, `/awards/${id}/revoke`, { reason });
    expect((await t.runtime.store.audit.trail(id)).find((e) => e.action === 'award.revoked')?.detail).toMatchObject({ reason, purpose: 'revocation' });
    logLines.length = 0;
    const res = await list(entryOf(credential, 'revocation'), { 'X-Forwarded-For': '203.0.113.9', 'User-Agent': 'state-verifier/1.0' });
    expect(await res.text()).not.toContain('4711');
    const logged = logLines.join('\n');
    expect(logged).toContain('/status/');
    expect(logged).not.toMatch(/203\.0\.113\.9|state-verifier|user-agent|remoteAddress/i);
  });

  it('answers problem+json: unknown award 404, missing reason 400, no token 401, unknown list 404', async () => {
    expect((await postJson(t.app, '/awards/00000000-0000-4000-8000-000000000000/revoke', { reason: 'x' })).status).toBe(404);
    const noReason = await postJson(t.app, `/awards/${(await award()).id}/revoke`, {});
    expect(noReason.status).toBe(400);
    expect(((await noReason.json()) as Json).errors[0].pointer).toBe('/reason');
    const blank = await postJson(t.app, `/awards/${(await award()).id}/suspend`, { reason: '   ' });
    expect(blank.status).toBe(400);
    const anonymous = await t.app.request(`/awards/${(await award()).id}/revoke`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"reason":"x"}' });
    expect(anonymous.status).toBe(401);
    expect((await t.app.request('/status/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await t.app.request('/status/..%2f..%2fetc')).status).toBe(404);
  });

  it('accepts the VC-API shape on POST /credentials/status (revoked, suspended, unsuspended) by credential id or status entry id', async () => {
    const { id, credential } = await award();
    const body = (status: string, credentialId = credential.id) => ({ credentialId, credentialStatus: [{ type: 'BitstringStatusListCredential', status }] });
    expect(await (await postJson(t.app, '/credentials/status', body('suspended'))).json()).toMatchObject({ id, changed: true, status: { suspended: true } });
    expect(await (await postJson(t.app, '/credentials/status', body('unsuspended', entryOf(credential, 'suspension').id))).json()).toMatchObject({ id, status: { suspended: false } });
    expect(await (await postJson(t.app, '/credentials/status', body('revoked'))).json()).toMatchObject({ id, status: { revoked: true } });
    expect((await postJson(t.app, '/credentials/status', body('unsuspended'))).status).toBe(409);
    expect((await postJson(t.app, '/credentials/status', body('revoked', 'https://elsewhere.example/credentials/1'))).status).toBe(404);
    expect((await postJson(t.app, '/credentials/status', body('deleted'))).status).toBe(400);
  });

  it('answers 204 on POST /status/:listId/publish (publishing is immediate)', async () => {
    const { credential } = await award();
    const res = await postJson(t.app, `${listPath(entryOf(credential, 'revocation'))}/publish`, {});
    expect(res.status).toBe(204);
  });

  it('lands 200 concurrent revocations through HTTP on one list: every bit is set in the published list', async () => {
    const awards = [];
    for (let i = 0; i < 200; i++) awards.push(await award());
    const responses = await Promise.all(awards.map((a, i) => postJson(t.app, `/awards/${a.id}/revoke`, { reason: `batch ${i}` })));
    expect(responses.map((r) => r.status)).toEqual(awards.map(() => 200));
    const lists = new Set(awards.map((a) => entryOf(a.credential, 'revocation').statusListCredential));
    expect(lists.size).toBe(1);
    const listCredential = (await (await list(entryOf(awards[0]!.credential, 'revocation'))).json()) as Json;
    const bits = decodeStatusList(listCredential.credentialSubject.encodedList);
    for (const a of awards) expect(getBit(bits, Number(entryOf(a.credential, 'revocation').statusListIndex))).toBe(true);
  });
});

describe('a status change from the CLI', () => {
  it('revokes in the local database and the server publishes it', async () => {
    const { changeStatusFromCli } = await import('../../src/cli/revoke.js');
    const { id, credential } = await award();
    const env = { EDUCRED_DATA_DIR: t.dataDir, BASE_URL: t.config.baseUrl, EDUCRED_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'silent' };
    await expect(changeStatusFromCli(id, 'revoke', '  ', env)).rejects.toThrow(/--reason/);
    expect((await changeStatusFromCli(id, 'revoke', 'Revoked by the registrar', env)).status).toEqual({ revoked: true, suspended: false });
    await expect(changeStatusFromCli(id, 'reinstate', 'appeal', env)).rejects.toThrow(/final/);
    expect(await bit(entryOf(credential, 'revocation'))).toBe(true);
  });
});
