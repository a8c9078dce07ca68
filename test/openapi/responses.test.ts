// Real answers against the documented schemas: each request here goes through the app as a
// client sends it, and its body must validate against the schema /openapi.json gives for that
// route, status and media type, so the document cannot drift from what the server answers.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_EXAMPLE } from '../../src/openapi/routes.js';
import { ADMIN_TOKEN, awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { waitForBatch } from '../helpers/batch.js';

type Json = Record<string, any>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

let t: TestInstance;
let didWeb: TestInstance;
let doc: Json;
let ajv: Ajv2020;
const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };

beforeAll(async () => {
  // Both purposes, so a badge carries a list of entries and can be suspended (the default, one entry as an object, is covered below).
  t = await createTestInstance({ env: { EDUCRED_STATUS_PURPOSES: 'revocation,suspension' } });
  didWeb = await createTestInstance({ env: { EDUCRED_DID_WEB_DOMAIN: 'localhost%3A3000' } });
  doc = (await (await t.app.request('/openapi.json')).json()) as Json;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
});
afterAll(async () => {
  await t.close();
  await didWeb.close();
});

const validators = new Map<string, ValidateFunction>();

/** An award for an educator of its own: the same request twice is a replay (one badge per recipient). */
let educators = 0;
const freshAward = (): Record<string, unknown> => {
  educators++;
  return awardBody({ recipient: { email: `educator-${educators}@example.org`, name: `Educator ${educators}` } });
};

/** Validates a real answer against the schema documented for its route, status and media type. */
async function expectDocumented(res: Response, method: string, routePath: string): Promise<Json> {
  const status = String(res.status);
  const media = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const operation = doc.paths[routePath]?.[method] as Json | undefined;
  expect(operation, `${method} ${routePath} is documented`).toBeDefined();
  const response = operation!.responses[status] as Json | undefined;
  expect(response, `${method} ${routePath} documents ${status}`).toBeDefined();
  const schema = response!.content?.[media]?.schema as Json | undefined;
  expect(schema, `${method} ${routePath} ${status} documents ${media}`).toBeDefined();
  const key = `${method} ${routePath} ${status} ${media}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile({ ...schema, components: doc.components });
    validators.set(key, validate);
  }
  const body = (await res.json()) as Json;
  expect(validate(body), `${key}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  // Documented response headers are sent.
  for (const name of Object.keys((response!.headers ?? {}) as Json)) {
    if (name === 'Idempotent-Replayed' || name === 'Retry-After') continue;
    expect(res.headers.get(name), `${key} sends ${name}`).not.toBeNull();
  }
  return body;
}

describe('answers match the documented schemas', () => {
  it('an award: POST /awards (first and replayed), GET /awards/{id}', async () => {
    const body = freshAward();
    const first = await postJson(t.app, '/awards', body, { 'Idempotency-Key': 'doc-award-1' });
    expect(first.status).toBe(201);
    const created = await expectDocumented(first, 'post', '/awards');
    expect(created.credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    const replay = await postJson(t.app, '/awards', body, { 'Idempotency-Key': 'doc-award-1' });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    await expectDocumented(replay, 'post', '/awards');
    await expectDocumented(await t.app.request(`/awards/${created.id as string}`, { headers: auth }), 'get', '/awards/{id}');
    await expectDocumented(await postJson(t.app, '/awards', awardBody({ recipient: { id: 'did:key:z6MkhTNL7i2etLerDK8Acz5t528giE5KA4p75T6ka1E1D74r' } })), 'post', '/awards');
  });

  it('a batch: JSON with a bad row, the documented CSV example, 202 with Prefer: respond-async, and GET of its rows', async () => {
    const json = await expectDocumented(await postJson(t.app, '/awards/batch', [freshAward(), { achievement: 'nope' }]), 'post', '/awards/batch');
    expect(json.counts).toMatchObject({ issued: 1, invalid: 1 });
    const csv = await expectDocumented(
      await t.app.request('/awards/batch', { method: 'POST', headers: { ...auth, 'Content-Type': 'text/csv' }, body: CSV_EXAMPLE }),
      'post',
      '/awards/batch',
    );
    expect(csv.counts.issued).toBe(2);
    const accepted = await postJson(t.app, '/awards/batch', [freshAward()], { Prefer: 'respond-async', 'Batch-Id': 'doc-async-1' });
    expect(accepted.status).toBe(202);
    await expectDocumented(accepted, 'post', '/awards/batch');
    expect((await waitForBatch(t.app, 'doc-async-1')).counts.issued).toBe(1);
    const rows = await expectDocumented(await t.app.request(`/awards/batch/${json.batchId as string}?rows=problems&limit=5`, { headers: auth }), 'get', '/awards/batch/{batchId}');
    expect(rows.rows).toHaveLength(1);
  });

  it('a status list, a status change (both forms), and the verify answers (verified, not verified, not a request)', async () => {
    const award = (await (await postJson(t.app, '/awards', freshAward())).json()) as Json;
    const listUrl = new URL([award.credential.credentialStatus].flat()[0].statusListCredential as string);
    await expectDocumented(await t.app.request(listUrl.pathname), 'get', '/status/{listId}');
    await expectDocumented(await t.app.request('/credentials/verify', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ verifiableCredential: award.credential }) }), 'post', '/credentials/verify');
    await expectDocumented(await postJson(t.app, `/awards/${award.id as string}/suspend`, { reason: 'review' }), 'post', '/awards/{id}/suspend');
    await expectDocumented(
      await postJson(t.app, '/credentials/status', { credentialId: award.credential.id, credentialStatus: { type: 'BitstringStatusListCredential', status: 'unsuspended' } }),
      'post',
      '/credentials/status',
    );
    const narrowed = await expectDocumented(await postJson(t.app, '/credentials/verify', { verifiableCredential: award.credential, options: { checks: ['proof'] } }), 'post', '/credentials/verify');
    expect(narrowed.report.requested).toMatchObject({ checks: expect.arrayContaining(['proof']), verified: true });
    const tampered = { ...award.credential, name: 'Another badge' };
    const notVerified = await expectDocumented(await postJson(t.app, '/credentials/verify', { verifiableCredential: tampered }), 'post', '/credentials/verify');
    expect(notVerified.type).toBe('urn:educred:problem:not-verified');
    const notRequest = await expectDocumented(await postJson(t.app, '/credentials/verify', { verifiableCredential: 'text' }), 'post', '/credentials/verify');
    expect(notRequest.errors[0].pointer).toBe('/verifiableCredential');
    const presentation = await expectDocumented(
      await postJson(t.app, '/presentations/verify', { verifiablePresentation: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: [award.credential] } }),
      'post',
      '/presentations/verify',
    );
    expect(presentation.verified).toBe(false);
  });

  it('the public documents, the service routes and a claim', async () => {
    await expectDocumented(await t.app.request('/health'), 'get', '/health');
    await expectDocumented(await t.app.request('/openapi.json'), 'get', '/openapi.json');
    const achievements = await expectDocumented(await t.app.request('/achievements'), 'get', '/achievements');
    expect(achievements).toHaveLength(7);
    await expectDocumented(await t.app.request('/achievements/formative-assessment'), 'get', '/achievements/{code}');
    await expectDocumented(await t.app.request('/frameworks/instructional-competencies'), 'get', '/frameworks/{code}');
    await expectDocumented(await didWeb.app.request('/.well-known/did.json'), 'get', '/.well-known/did.json');
    const single = await expectDocumented(await postJson(didWeb.app, '/awards', awardBody()), 'post', '/awards');
    expect(single.credential.credentialStatus.type).toBe('BitstringStatusListEntry');
    await expectDocumented(await postJson(t.app, '/tokens', { name: 'docs', scopes: ['issue'] }), 'post', '/tokens');
    const plain = { '@context': ['https://www.w3.org/ns/credentials/v2'], id: 'urn:uuid:5f7c8a52-2b0e-4c4c-9d0a-3c1f0e9b1a01', type: ['VerifiableCredential'], issuer: t.runtime.issuer.identity.did, credentialSubject: { id: 'did:key:z6MkhTNL7i2etLerDK8Acz5t528giE5KA4p75T6ka1E1D74r' } };
    await expectDocumented(await postJson(t.app, '/credentials/issue', { credential: plain }), 'post', '/credentials/issue');
    await expectDocumented(await postJson(t.app, '/endorsements', { issuer: 'did:web:program.example.edu', issuerName: 'Program' }), 'post', '/endorsements');
    const awardRequest = freshAward();
    const award = (await (await postJson(t.app, '/awards', awardRequest)).json()) as Json;
    await expectDocumented(await t.app.request(new URL(award.credential.id as string).pathname), 'get', '/credentials/{id}');
    const relinked = await expectDocumented(await postJson(t.app, `/awards/${award.id as string}/claim-links`, {}), 'post', '/awards/{id}/claim-links');
    award.claimUrl = relinked.claimUrl;
    const token = new URL(award.claimUrl as string).pathname.split('/').pop()!;
    const request = await expectDocumented(await postJson(t.app, `/exchanges/${token}`, {}), 'post', '/exchanges/{token}');
    expect(request.verifiablePresentationRequest.challenge).toEqual(expect.any(String));
    await expectDocumented(await t.app.request(`/claim/${token}/download`, { method: 'POST' }), 'post', '/claim/{token}/download');
    // Collected: a replay of the award hands out no link, and says why.
    const replay = await expectDocumented(await postJson(t.app, '/awards', awardRequest), 'post', '/awards');
    expect(replay).toMatchObject({ claimUrl: null, claimUnavailable: 'claimed' });
  });

  it('the listings: awards (filtered, a second page), tokens, the audit log', async () => {
    for (let i = 0; i < 3; i++) expect((await postJson(t.app, '/awards', freshAward())).status).toBe(201);
    const first = await expectDocumented(await t.app.request('/awards?limit=2&achievement=formative-assessment', { headers: auth }), 'get', '/awards');
    expect(first.items).toHaveLength(2);
    expect(first.next).toEqual(expect.any(String));
    await expectDocumented(await t.app.request(`/awards?limit=2&achievement=formative-assessment&cursor=${first.next as string}`, { headers: auth }), 'get', '/awards');
    await expectDocumented(await t.app.request('/awards?status=revoked', { headers: auth }), 'get', '/awards');
    const created = (await (await postJson(t.app, '/tokens', { name: 'listing', scopes: ['revoke'] })).json()) as Json;
    const tokens = await expectDocumented(await t.app.request('/tokens', { headers: auth }), 'get', '/tokens');
    expect(tokens.items.map((k: Json) => k.name)).toContain('listing');
    expect((await t.app.request(`/tokens/${created.id as string}`, { method: 'DELETE', headers: auth })).status).toBe(204);
    const audit = await expectDocumented(await t.app.request(`/audit?subject=token:${created.id as string}`, { headers: auth }), 'get', '/audit');
    expect(audit.items.map((e: Json) => e.action)).toEqual(expect.arrayContaining(['token.created']));
  });

  it('fails a body that does not match (the check can fail)', async () => {
    const res = new Response(JSON.stringify({ status: 'fine' }), { status: 200, headers: { 'Content-Type': 'application/json' } });
    await expect(expectDocumented(res, 'get', '/health')).rejects.toThrow(/get \/health 200 application\/json/);
  });
});
