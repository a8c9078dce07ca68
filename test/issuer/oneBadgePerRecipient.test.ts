// One badge per recipient, achievement and achieved level (issue "Every flow a user touches",
// defect 4): a rule of the domain, held by issueAward and a unique index, so POST /awards without
// an Idempotency-Key, concurrent requests and every other entry point return the existing award
// (the same request) or a 409 naming it (a different request), never a second badge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WITH_SUSPENSION } from '../helpers/status.js';
import { ADMIN_TOKEN, awardBody, createTestInstance, masteryEvidence, observation, postJson, type TestInstance } from '../helpers/app.js';


type Json = Record<string, any>;

let t: TestInstance;
beforeAll(async () => {
  // Suspension is part of the rule tested here: this issuer chose both status entries.
  t = await createTestInstance({ env: WITH_SUSPENSION });
});
afterAll(async () => t.close());

let n = 0;
/** A DID no other test of this file awards to. */
const freshDid = (): string => `did:example:one-badge-${++n}`;

const expectProblem = async (res: Response, status: number): Promise<Json> => {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await res.json()) as Json;
};

describe('one badge per recipient, achievement and level', () => {
  it('answers the same request sent again without an Idempotency-Key with the existing award (200, Idempotent-Replayed), not a second badge', async () => {
    const body = awardBody({ recipient: { id: freshDid() } });
    const before = await t.runtime.store.awards.count();
    const first = await postJson(t.app, '/awards', body);
    expect(first.status).toBe(201);
    const issued = (await first.json()) as Json;
    const again = await postJson(t.app, '/awards', body);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(`/awards/${issued.id}`);
    const replayed = (await again.json()) as Json;
    expect(replayed.id).toBe(issued.id);
    expect(replayed.credential).toEqual(issued.credential);
    expect(await t.runtime.store.awards.count()).toBe(before + 1);
  });

  it('refuses a different request for the same recipient, achievement and level with a 409 naming the existing award', async () => {
    const recipient = { id: freshDid() };
    const first = (await (await postJson(t.app, '/awards', awardBody({ recipient }))).json()) as Json;
    const before = await t.runtime.store.awards.count();
    const other = masteryEvidence().map((o) => ({ ...o, narrative: 'A different write-up of the same practice.' }));
    const body = await expectProblem(await postJson(t.app, '/awards', awardBody({ recipient, evidence: other })), 409);
    expect(body.type).toBe('urn:educred:problem:award-exists');
    expect(body.existingAwardId).toBe(first.id);
    expect(body.existingAwardUrl).toBe(`http://localhost:3000/awards/${first.id}`);
    expect(body.detail).toContain(first.id);
    expect(body.detail).toContain("'formative-assessment'");
    expect(await t.runtime.store.awards.count()).toBe(before);
  });

  it('treats an email recipient as one recipient whatever its case', async () => {
    const first = await postJson(t.app, '/awards', awardBody({ recipient: { email: 'Rosa.Diaz@Example.org', name: 'Rosa Diaz' } }));
    expect(first.status).toBe(201);
    const { id } = (await first.json()) as Json;
    const body = await expectProblem(await postJson(t.app, '/awards', awardBody({ recipient: { email: 'rosa.diaz@example.org', name: 'Rosa Diaz' } })), 409);
    expect(body.existingAwardId).toBe(id);
  });

  it('issues one badge when two identical requests race, and answers the other with it', async () => {
    const body = awardBody({ recipient: { id: freshDid() } });
    const before = await t.runtime.store.awards.count();
    const answers = await Promise.all([postJson(t.app, '/awards', body), postJson(t.app, '/awards', body)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 201]);
    const ids = (await Promise.all(answers.map((r) => r.json()))).map((b) => (b as Json).id);
    expect(ids[0]).toBe(ids[1]);
    expect(await t.runtime.store.awards.count()).toBe(before + 1);
  });

  it('issues one badge when two different requests for it race: the other is a 409 naming the winner', async () => {
    const recipient = { id: freshDid() };
    const before = await t.runtime.store.awards.count();
    const answers = await Promise.all([
      postJson(t.app, '/awards', awardBody({ recipient })),
      postJson(t.app, '/awards', awardBody({ recipient, evidence: masteryEvidence().map((o) => ({ ...o, observer: 'Sam Okafor' })) })),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    const [winner, loser] = answers[0]!.status === 201 ? answers : [answers[1]!, answers[0]!];
    expect(((await loser!.json()) as Json).existingAwardId).toBe(((await winner!.json()) as Json).id);
    expect(await t.runtime.store.awards.count()).toBe(before + 1);
  });

  it('awards a different achieved level as a different badge (deeper mastery)', async () => {
    const recipient = { id: freshDid() };
    const proficient = await postJson(t.app, '/awards', awardBody({ recipient }));
    const exemplary = await postJson(t.app, '/awards', awardBody({ recipient, evidence: masteryEvidence(5, 'exemplary') }));
    expect([proficient.status, exemplary.status]).toEqual([201, 201]);
    const levels = (await Promise.all([proficient.json(), exemplary.json()])).map((b) => (b as Json).credential.credentialSubject.result[0].achievedLevel);
    expect(levels[0]).toMatch(/#level-proficient$/);
    expect(levels[1]).toMatch(/#level-exemplary$/);
  });

  it('awards the same achievement to another recipient and another achievement to the same recipient', async () => {
    const recipient = { id: freshDid() };
    expect((await postJson(t.app, '/awards', awardBody({ recipient }))).status).toBe(201);
    expect((await postJson(t.app, '/awards', awardBody({ recipient, achievement: 'aligned-instruction' }))).status).toBe(201);
    expect((await postJson(t.app, '/awards', awardBody({ recipient: { id: freshDid() } }))).status).toBe(201);
  });

  it('lets a revoked award be awarded again (a re-award after revocation), and a suspended one still blocks', async () => {
    const recipient = { id: freshDid() };
    const body = awardBody({ recipient });
    const first = (await (await postJson(t.app, '/awards', body)).json()) as Json;
    const suspended = await postJson(t.app, `/awards/${first.id}/suspend`, { reason: 'Complaint under review' });
    expect(suspended.status).toBe(200);
    expect((await postJson(t.app, '/awards', body)).status).toBe(200);
    const revoked = await postJson(t.app, `/awards/${first.id}/revoke`, { reason: 'Awarded on the wrong observations' });
    expect(revoked.status).toBe(200);
    const again = await postJson(t.app, '/awards', body);
    expect(again.status).toBe(201);
    const second = (await again.json()) as Json;
    expect(second.id).not.toBe(first.id);
    // The new award is now the one that blocks.
    const blocked = await expectProblem(await postJson(t.app, '/awards', awardBody({ recipient, evidence: [...masteryEvidence(), observation('proficient', '2026-03-20')] })), 409);
    expect(blocked.existingAwardId).toBe(second.id);
  });

  it('keeps the Idempotency-Key semantics: a retry is a 200 replay, the key with another body a 409', async () => {
    const recipient = { id: freshDid() };
    const headers = { 'Idempotency-Key': `one-badge-key-${n}` };
    expect((await postJson(t.app, '/awards', awardBody({ recipient }), headers)).status).toBe(201);
    const retry = await postJson(t.app, '/awards', awardBody({ recipient }), headers);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const reused = await expectProblem(await postJson(t.app, '/awards', awardBody({ recipient: { id: freshDid() } }), headers), 409);
    expect(reused.type).toBe('urn:educred:problem:idempotency-conflict');
  });

  it('answers GET /awards/:id for the award a 409 names', async () => {
    const recipient = { id: freshDid() };
    await postJson(t.app, '/awards', awardBody({ recipient }));
    const conflict = await expectProblem(await postJson(t.app, '/awards', awardBody({ recipient, validUntil: '2099-01-01T00:00:00Z' })), 409);
    const res = await t.app.request(`/awards/${conflict.existingAwardId}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).recipient).toEqual({ id: recipient.id });
  });
});
