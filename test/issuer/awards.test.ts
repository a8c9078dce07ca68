// POST /awards and friends through app.request(): the award contract of issue #2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { validateAgainstSchema } from '../../src/credentials/schema.js';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA } from '../../src/credentials/openBadge.js';
import { hashEmail } from '../../src/credentials/recipient.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { sql } from 'kysely';
import { ADMIN_TOKEN, awardBody, createTestInstance, masteryEvidence, postJson, type TestInstance } from '../helpers/app.js';
import { libraryCheckStatus } from '../helpers/status.js';

type Json = Record<string, any>;

let t: TestInstance;
beforeAll(async () => {
  t = await createTestInstance();
});
afterAll(async () => t.close());

const expectProblem = async (res: Response, status: number): Promise<Json> => {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as Json;
  expect(body.status).toBe(status);
  expect(typeof body.detail).toBe('string');
  return body;
};

describe('GET /health and the competency framework', () => {
  it('answers health', async () => {
    const res = await t.app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('lists the seven built-in competencies as OB 3.0 Achievements with stable ids', async () => {
    const achievements = (await (await t.app.request('/achievements')).json()) as Json[];
    expect(achievements.map((a) => a.humanCode)).toEqual([
      'differentiated-support',
      'aligned-instruction',
      'formative-assessment',
      'performance-assessment-design',
      'data-informed-instruction',
      'lifelong-learning-sel',
      'personalized-blended-online',
    ]);
    for (const a of achievements) {
      expect(a.id).toBe(`http://localhost:3000/achievements/${a.humanCode}`);
      expect(a.type).toContain('Achievement');
      expect(a.criteria.narrative).toBeTruthy();
      expect(a.alignment[0].targetUrl).toContain('/frameworks/instructional-competencies#');
      expect(a.resultDescription[0].rubricCriterionLevel.map((l: Json) => l.name)).toEqual([
        'beginning',
        'developing',
        'proficient',
        'exemplary',
      ]);
      const one = await t.app.request(`/achievements/${a.humanCode}`);
      expect(await one.json()).toEqual(a);
    }
  });

  it('answers an unknown achievement with a 404 problem', async () => {
    await expectProblem(await t.app.request('/achievements/underwater-basket-weaving'), 404);
  });
});

describe('POST /awards', () => {
  it('issues a signed OpenBadgeCredential for a DID recipient that verifies and fits the 1EdTech schema', async () => {
    const res = await postJson(t.app, '/awards', awardBody());
    expect(res.status).toBe(201);
    const { id, credential } = (await res.json()) as Json;
    expect(credential.id).toBe(`http://localhost:3000/credentials/${id}`);
    expect(credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(credential.issuer.id).toBe(t.runtime.issuer.identity.did);
    expect(credential.credentialSubject.id).toBe(awardBody().recipient && (awardBody().recipient as Json).id);
    expect(credential.credentialSubject.achievement.humanCode).toBe('formative-assessment');
    expect(credential.credentialSubject.result[0].achievedLevel).toMatch(/#level-proficient$/);
    expect(credential.evidence).toHaveLength(5);
    expect(credential.validFrom).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(credential.proof).toHaveLength(1);
    expect(credential.proof[0].cryptosuite).toBe('eddsa-rdfc-2022');

    expect(validateAgainstSchema(OB_ACHIEVEMENT_CREDENTIAL_SCHEMA, credential)).toEqual({ valid: true, problems: [] });
    const verified = await vc.verifyCredential({ credential, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader: t.runtime.issuer.documentLoader });
    expect(verified.verified).toBe(true);

    const publicJson = await t.app.request(`/credentials/${id}`);
    expect(publicJson.status).toBe(200);
    expect(await publicJson.json()).toEqual(credential);
    const adminView = (await (await t.app.request(`/awards/${id}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as Json;
    expect(adminView.credential).toEqual(credential);
    expect((await t.runtime.store.audit.trail(id)).map((e) => e.action)).toEqual(['award.issued']);
  });

  it('puts an email recipient in the credential only as a salted SHA-256 identity, keeping the address in the database', async () => {
    const res = await postJson(t.app, '/awards', awardBody({ recipient: { email: 'Ana.Lopez@Example.org', name: 'Ana Lopez' } }));
    expect(res.status).toBe(201);
    const { id, credential } = (await res.json()) as Json;
    const text = JSON.stringify(credential);
    expect(text).not.toMatch(/example\.org/i);
    const [email, name] = credential.credentialSubject.identifier;
    expect(email).toMatchObject({ type: 'IdentityObject', hashed: true, identityType: 'emailAddress' });
    expect(email.identityHash).toBe(hashEmail('ana.lopez@example.org', email.salt));
    expect(name).toMatchObject({ hashed: false, identityType: 'name', identityHash: 'Ana Lopez' });
    expect(credential.credentialSubject.id).toBeUndefined();
    const [row] = (await sql<Json>`SELECT recipient_email FROM awards WHERE id = ${id}`.execute(t.runtime.store.kysely)).rows;
    expect(row?.recipient_email).toBe('ana.lopez@example.org');
  });

  it('returns the same credential for a retry with the same Idempotency-Key, never a second award', async () => {
    const before = await t.runtime.store.awards.count();
    const headers = { 'Idempotency-Key': 'term-2026-spring-ana-fa' };
    // A recipient of its own: the DID of awardBody() already holds this badge from an earlier test.
    const body = awardBody({ recipient: { id: 'did:example:idempotency-retry' } });
    const [first, second] = await Promise.all([postJson(t.app, '/awards', body, headers), postJson(t.app, '/awards', body, headers)]);
    const third = await postJson(t.app, '/awards', body, headers);
    const bodies = (await Promise.all([first.json(), second.json(), third.json()])) as Json[];
    // The award is made once (201); the retries return it (200, Idempotent-Replayed).
    expect([first.status, second.status, third.status].sort()).toEqual([200, 200, 201]);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(bodies[2]!.credential).toEqual(bodies[0]!.credential);
    expect(await t.runtime.store.awards.count()).toBe(before + 1);
  });

  it('refuses a reused Idempotency-Key with a different body (409)', async () => {
    const headers = { 'Idempotency-Key': 'reused-key' };
    const recipient = { id: 'did:example:idempotency-reused' };
    expect((await postJson(t.app, '/awards', awardBody({ recipient }), headers)).status).toBe(201);
    const body = await expectProblem(await postJson(t.app, '/awards', awardBody({ recipient, achievement: 'aligned-instruction' }), headers), 409);
    expect(body.type).toBe('urn:educred:problem:idempotency-conflict');
  });

  it('answers 422 with what is missing when the mastery rule does not hold, storing nothing', async () => {
    const before = await t.runtime.store.awards.count();
    const evidence = [...masteryEvidence(3), { ...masteryEvidence(1, 'developing')[0], date: '2026-03-04' }];
    const body = await expectProblem(await postJson(t.app, '/awards', awardBody({ evidence })), 422);
    expect(body.type).toBe('urn:educred:problem:mastery-not-met');
    expect(body.missing).toEqual([
      { requirement: 'minObservations', field: 'evidence', detail: 'at least 5 observations are required on distinct dates; 4 distinct dates given (4 observations)' },
      expect.objectContaining({ requirement: 'minLevel', field: 'evidence[3].level', detail: expect.stringContaining('evidence[3]') }),
    ]);
    expect(await t.runtime.store.awards.count()).toBe(before);
  });
});

describe('bad input gets a clear 4xx problem, never a 500 and never a stored award', () => {
  const cases: Array<[string, () => Promise<Response>, number, RegExp]> = [
    ['a missing token', async () => t.app.request('/awards', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(awardBody()) }), 401, /Bearer/],
    ['a wrong token', () => postJson(t.app, '/awards', awardBody(), { Authorization: 'Bearer not-a-real-token-at-all' }), 401, /not valid/],
    ['bad JSON', () => postJson(t.app, '/awards', '{"recipient": '), 400, /not valid JSON/],
    ['an empty body', () => postJson(t.app, '/awards', ''), 400, /empty/],
    ['a body that is not JSON typed', () => postJson(t.app, '/awards', JSON.stringify(awardBody()), { 'Content-Type': 'text/plain' }), 415, /application\/json/],
    ['an unknown achievement', () => postJson(t.app, '/awards', awardBody({ achievement: 'juggling' })), 422, /Unknown achievement 'juggling'/],
    ['a malformed DID', () => postJson(t.app, '/awards', awardBody({ recipient: { id: 'did:nope' } })), 400, /recipient/],
    ['a malformed email', () => postJson(t.app, '/awards', awardBody({ recipient: { email: 'ana@', name: 'Ana' } })), 400, /\/recipient/],
    ['an unknown rubric level', () => postJson(t.app, '/awards', awardBody({ evidence: masteryEvidence(5, 'superb') })), 400, /\/evidence\/0\/level/],
    ['an unknown field', () => postJson(t.app, '/awards', awardBody({ extra: 1 })), 400, /extra/],
    ['a validUntil in the past', () => postJson(t.app, '/awards', awardBody({ validUntil: '2001-01-01T00:00:00Z' })), 400, /validUntil/],
    ['a body over the size limit', () => postJson(t.app, '/awards', awardBody({ evidence: [{ ...masteryEvidence(1)[0], narrative: 'x'.repeat(2 * 1024 * 1024) }] })), 413, /exceeds/],
  ];
  for (const [what, send, status, detail] of cases) {
    it(`${what} → ${status}`, async () => {
      const before = await t.runtime.store.awards.count();
      const body = await expectProblem(await send(), status);
      expect(body.detail).toMatch(detail);
      expect(await t.runtime.store.awards.count()).toBe(before);
    });
  }

  it('audits refused requests without the presented secret', async () => {
    await postJson(t.app, '/awards', awardBody(), { Authorization: 'Bearer leaked-looking-secret-123' });
    const { rows } = await sql<Json>`SELECT detail_json FROM audit_events WHERE action = 'auth.refused'`.execute(t.runtime.store.kysely);
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain('leaked-looking-secret-123');
  });
});
