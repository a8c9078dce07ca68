// Verifying a program record: the pipeline checks the ClrCredential's own proof, dates and status,
// then every badge inside it against its own issuer, and that each is about the record's
// subject (report.embedded[]); @digitalbazaar/vc verifies the record's proof and
// @digitalcredentials/verifier-core each embedded badge. Then each way it must not verify: a
// badge altered after the record was signed, a badge altered before (the record re-signed over
// it), someone else's badge inside, and a revoked badge (the record is not current; revoking
// the badge offers to revoke the record, and does with revokeRecords).
import * as vc from '@digitalbazaar/vc';
import { verifyCredential as walletVerify } from '@digitalcredentials/verifier-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA } from '../../src/credentials/openBadge.js';
import { validateAgainstSchema } from '../../src/credentials/schema.js';
import { BUILT_IN_PROGRAM } from '../../src/programs/program.js';
import { buildClrCredential } from '../../src/programs/clrCredential.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { allowLoopbackOnly, type OfflineFetch } from '../helpers/network.js';
import { libraryCheckStatus } from '../helpers/status.js';
import { addEducator, observeSeven, post, type Json } from './helpers.js';

const ANA = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const BEN = 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH';
const pinnedSchema = JSON.parse(readFileSync(new URL('../../contexts/schemas/ob_v3p0_achievementcredential_schema.json', import.meta.url), 'utf8'));

let t: TestInstance;
let offline: OfflineFetch;
let educatorId: string;
let recordId: string;
let record: Json;
let bensBadge: Json;

const verify = async (credential: unknown): Promise<{ status: number; body: Json }> => {
  const res = await postJson(t.app, '/credentials/verify', { verifiableCredential: credential });
  return { status: res.status, body: (await res.json()) as Json };
};
const check = (report: Json, name: string): Json | undefined => (report.checks as Json[]).find((c) => c.check === name);
/** A record signed by this instance over the given badges (the builder the service uses). */
const signedRecord = (badges: Json[], subject = ANA): Promise<Json> =>
  t.runtime.issuer.sign(buildClrCredential({ credentialId: `${t.config.baseUrl}/records/hand-made`, issuer: t.runtime.issuer.profile, program: BUILT_IN_PROGRAM, baseUrl: t.config.baseUrl, subject: { did: subject, name: 'Ana Lopez' }, badges, validFrom: '2026-03-10T00:00:00Z' })) as Promise<Json>;

beforeAll(async () => {
  offline = allowLoopbackOnly({ [OB_ACHIEVEMENT_CREDENTIAL_SCHEMA]: pinnedSchema });
  t = await createTestInstance();
  educatorId = await addEducator(t, { name: 'Ana Lopez', did: ANA });
  const [last] = (await observeSeven(t, educatorId)).slice(-1);
  recordId = last?.records[0].id;
  record = (await (await t.app.request(`/records/${recordId}`)).json()) as Json;
  const ben = await addEducator(t, { name: 'Ben Ode', did: BEN });
  const answers = await observeSeven(t, ben, 5, 0, ['formative-assessment']);
  bensBadge = (await (await t.app.request(`/credentials/${answers.at(-1)?.awarded[0].awardId}`)).json()) as Json;
}, 60_000);
afterAll(async () => {
  offline.restore();
  await t?.close();
});

describe('a program record verifies, and every badge inside it', () => {
  it('POST /credentials/verify: the record and its seven badges, each in report.embedded[]', async () => {
    const started = performance.now();
    const { status, body } = await verify(record);
    const ms = performance.now() - started;
    expect(status, JSON.stringify(body.errors)).toBe(200);
    expect(body.report.verified).toBe(true);
    expect(body.report.summary).toMatchObject({ type: ['VerifiableCredential', 'ClrCredential'], subject: ANA, achievement: { achievementType: 'Certificate', humanCode: 'educator-preparation' } });
    for (const name of ['proof', 'issuer', 'dates', 'status']) expect(check(body.report, name)?.passed, name).toBe(true);
    expect(check(body.report, 'embedded')).toMatchObject({ passed: true, reason: 'All 7 credentials inside the record verified, each against its own issuer.' });
    expect(check(body.report, 'subject')?.passed).toBe(true);
    expect(body.report.embedded).toHaveLength(7);
    for (const badge of body.report.embedded) {
      expect(badge.verified).toBe(true);
      expect(check(badge, 'status')?.passed).toBe(true);
      expect(badge.trust.trusted).toBe(true);
    }
    console.info(`record verify (7 embedded badges, warm): ${ms.toFixed(0)} ms`);
  });

  it('the record passes @digitalbazaar/vc (its own proof) and each embedded badge @digitalcredentials/verifier-core', async () => {
    const result = await vc.verifyCredential({ credential: record, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader: t.runtime.issuer.documentLoader });
    expect(result.verified, JSON.stringify(result.error)).toBe(true);
    for (const badge of record.credentialSubject.verifiableCredential as Json[]) {
      const wallet = (await walletVerify({ credential: badge as any, knownDIDRegistries: [] })) as Json;
      expect(wallet.errors, JSON.stringify(wallet.errors)).toBeUndefined();
      expect((wallet.log as Json[]).find((e) => e.id === 'valid_signature')?.valid).toBe(true);
      expect(validateAgainstSchema(OB_ACHIEVEMENT_CREDENTIAL_SCHEMA, badge).valid).toBe(true);
    }
    expect(offline.refused).toEqual([]);
  });
});

describe('a program record that must not verify', () => {
  it('a badge altered after the record was signed: the record\'s own proof fails', async () => {
    const tampered = structuredClone(record);
    tampered.credentialSubject.verifiableCredential[0].credentialSubject.achievement.name = 'Something else';
    const { status, body } = await verify(tampered);
    expect(status).toBe(400);
    expect(check(body.report, 'proof')).toMatchObject({ passed: false, code: 'signature_invalid' });
  });

  it('a badge altered before the record was signed: the record verifies as a document, the badge inside does not', async () => {
    const badges = structuredClone(record.credentialSubject.verifiableCredential) as Json[];
    badges[2]!.credentialSubject.achievement.name = 'Something else';
    const { body } = await verify(await signedRecord(badges));
    expect(check(body.report, 'proof')?.passed).toBe(true);
    expect(check(body.report, 'embedded')).toMatchObject({ passed: false, code: 'record_not_current' });
    expect(body.report.embedded[2].verified).toBe(false);
    expect(check(body.report.embedded[2], 'proof')).toMatchObject({ passed: false, code: 'signature_invalid' });
    expect(body.report.verified).toBe(false);
  });

  it("someone else's badge inside the record: the subject check fails, naming it", async () => {
    const badges = [...(record.credentialSubject.verifiableCredential as Json[]).slice(0, 6), bensBadge];
    const { body } = await verify(await signedRecord(badges));
    expect(check(body.report, 'embedded')?.passed).toBe(true);
    expect(check(body.report, 'subject')).toMatchObject({ passed: false, code: 'subject_mismatch' });
    expect(check(body.report, 'subject')?.reason).toContain(`is about ${BEN}`);
  });

  it('an empty record, and a record inside a record, are refused', async () => {
    expect(check((await verify(await signedRecord([]))).body.report, 'embedded')).toMatchObject({ passed: false, code: 'record_empty' });
    expect(check((await verify(await signedRecord([record]))).body.report, 'embedded')).toMatchObject({ passed: false, code: 'record_nested' });
  });

  it('a revoked badge: the revocation names the record; the record is not current; revokeRecords revokes it, audited', async () => {
    const badge = (record.credentialSubject.verifiableCredential as Json[])[2]!;
    const awardId = new URL(badge.id).pathname.split('/').pop();
    const revoked = await post(t, `/awards/${awardId}/revoke`, { reason: 'observation records were falsified' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.affectedRecords).toEqual([{ id: recordId, program: 'educator-preparation', url: record.id, revoked: false }]);
    expect(revoked.body.revokeRecords).toMatch(/"revokeRecords": true/);
    const { status, body } = await verify(record);
    expect(status).toBe(400);
    expect(check(body.report, 'proof')?.passed).toBe(true);
    expect(check(body.report, 'status')?.passed).toBe(true);
    expect(check(body.report, 'embedded')).toMatchObject({ passed: false, code: 'record_not_current' });
    expect(check(body.report, 'embedded')?.reason).toMatch(/^Not current: 1 of the 7 credentials inside the record does not verify \(.*Revoked by its issuer\)\.$/);
    const page = await (await t.app.request(`/records/${recordId}`, { headers: { Accept: 'text/html' } })).text();
    expect(page).toContain('Not current');
    const again = await post(t, `/educators/${educatorId}/records`, { program: 'educator-preparation' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ type: expect.stringContaining('record-not-current'), recordId });

    const both = await post(t, `/awards/${awardId}/revoke`, { reason: 'observation records were falsified', revokeRecords: true });
    expect(both.body.affectedRecords).toEqual([{ id: recordId, program: 'educator-preparation', url: record.id, revoked: true }]);
    expect(check((await verify(record)).body.report, 'status')).toMatchObject({ passed: false, code: 'revoked' });
    const audit = (await (await t.app.request('/audit?limit=100', { headers: { Authorization: 'Bearer test-admin-token-0123456789abcdef' } })).json()) as Json;
    const rows = (audit.items ?? audit.events ?? audit) as Json[];
    expect(rows.filter((e) => e.action === 'award.revoked').map((e) => e.subject)).toEqual(expect.arrayContaining([awardId, recordId]));
    // With the record revoked and the badge gone, the program is not complete: 422 names it.
    const after = await post(t, `/educators/${educatorId}/records`, { program: 'educator-preparation' });
    expect(after.status).toBe(422);
    expect(after.body.missing).toHaveLength(1);
  });
});
