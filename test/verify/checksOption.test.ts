// VC-API `options.checks` narrows only the VC-API `verified` answer, and the answer says so.
// A proof check includes that the named issuer signed. Trust decisions and approval decisions
// always use every check, whatever `checks` says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { createKeyHolder, presentationOf, type KeyHolder } from '../helpers/proofSets.js';

type Json = Record<string, any>;
const ONLINE_TEACHING = ['personalized-blended-online', 'differentiated-support', 'formative-assessment', 'data-informed-instruction'];

let t: TestInstance;
let other: TestInstance;
let educator: KeyHolder;
let credential: Json;

const verify = async (verifiableCredential: unknown, options?: Json) => {
  const res = await postJson(t.app, '/credentials/verify', { verifiableCredential, ...(options ? { options } : {}) });
  return { status: res.status, body: (await res.json()) as Json };
};
const check = (report: Json, name: string): Json | undefined => (report.checks as Json[]).find((c) => c.check === name);
const resign = async (instance: TestInstance, changed: Json): Promise<Json> => {
  const { proof: _proof, ...unsigned } = changed;
  return instance.runtime.issuer.sign(unsigned);
};
/** One badge per recipient and achievement: `did` tells recipients apart. */
async function award(achievement: string, did = educator.did): Promise<Json> {
  const res = await postJson(t.app, '/awards', awardBody({ recipient: { id: did, name: 'Ana Lopez' }, achievement }));
  expect(res.status).toBe(201);
  return (await res.json()) as Json;
}

beforeAll(async () => {
  [t, other, educator] = await Promise.all([createTestInstance(), createTestInstance(), createKeyHolder()]);
  credential = (await award('formative-assessment', 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH')).credential;
});
afterAll(async () => {
  await t.close();
  await other.close();
});

describe('options.checks narrows only the VC-API verified answer', () => {
  it('a proof check includes that the named issuer signed: another key\'s valid signature is not verified', async () => {
    const forged = await resign(other, { ...credential });
    const { status, body } = await verify(forged, { checks: ['proof'] });
    expect(status).toBe(400);
    expect(body.verified).toBe(false);
    expect(body.errors.map((e: Json) => e.code)).toEqual(['issuer_key_mismatch']);
  });

  it('an expired badge verified for ["proof"] only: verified in the answer, which says so, never trusted', async () => {
    const expired = await resign(t, { ...credential, validFrom: '2024-01-01T00:00:00Z', validUntil: '2025-01-01T00:00:00Z' });
    const { status, body } = await verify(expired, { checks: ['proof'] });
    expect(status).toBe(200);
    expect(body.verified).toBe(true);
    // The report is the whole truth: every check decides it.
    expect(body.report.verified).toBe(false);
    expect(body.report.requested).toEqual({ checks: ['structure', 'proof', 'issuer'], verified: true });
    expect(body.warnings.map((w: Json) => w.detail)).toContainEqual(expect.stringMatching(/^verified answers only the checks asked for \(structure, proof, issuer\); with every check this credential does not verify: Expired at 2025-01-01T00:00:00Z/));
    expect(body.report.trust.trusted).toBe(false);
    expect(check(body.report, 'dates')).toMatchObject({ passed: false, code: 'expired' });
  });

  it('a revoked badge never counts toward an approval, whatever checks says (presentation)', async () => {
    const awarded = await Promise.all(ONLINE_TEACHING.map((code) => award(code)));
    expect((await postJson(t.app, `/awards/${awarded[3]!.id}/revoke`, { reason: 'awarded in error' })).status).toBe(200);
    const vp = await educator.sign(presentationOf(awarded.map((a) => a.credential), educator.did), { challenge: 'c', domain: 'd' });
    const res = await postJson(t.app, '/presentations/verify', { verifiablePresentation: vp, options: { challenge: 'c', domain: 'd', rule: 'online-teaching', checks: ['proof'] } });
    const body = (await res.json()) as Json;
    expect(res.status).toBe(200);
    expect(body.verified).toBe(true);
    expect(body.report.verified).toBe(false);
    expect(body.report.requested).toEqual({ checks: ['structure', 'proof', 'issuer'], verified: true });
    expect(body.warnings.map((w: Json) => w.detail)).toContainEqual(expect.stringMatching(/^verified answers only the checks asked for/));
    expect(check(body.report.credentials[3], 'status')).toMatchObject({ passed: false, code: 'revoked' });
    expect(body.report.credentials[3].trust.trusted).toBe(false);
    expect(body.approval.approved).toBe(false);
    expect(body.approval.missing).toEqual([expect.objectContaining({ requirement: '5. Data-Informed Instruction', reason: expect.stringMatching(/revoked/i) })]);
  });

  it('a revoked badge never counts toward an approval, whatever checks says (credential)', async () => {
    const revoked = await award('personalized-blended-online', (await createKeyHolder()).did);
    expect((await postJson(t.app, `/awards/${revoked.id}/revoke`, { reason: 'awarded in error' })).status).toBe(200);
    const { body } = await verify(revoked.credential, { checks: ['proof'], rule: 'online-teaching' });
    expect(body.verified).toBe(true);
    expect(body.report.verified).toBe(false);
    expect(body.approval.requirements[0]).toMatchObject({ satisfied: false, reason: expect.stringMatching(/revoked/i) });
  });

  it('without checks the answer is the report\'s, and says nothing about narrowing', async () => {
    const { status, body } = await verify(credential);
    expect(status).toBe(200);
    expect(body.report.requested).toBeUndefined();
    expect(body.warnings.map((w: Json) => w.detail)).not.toContainEqual(expect.stringMatching(/checks asked for/));
  });
});

describe('the verify page uses every check', () => {
  it('shows an expired badge as not verified (there is no checks field to narrow it)', async () => {
    const expired = await resign(t, { ...credential, validFrom: '2024-01-01T00:00:00Z', validUntil: '2025-01-01T00:00:00Z' });
    const form = new FormData();
    form.append('document', JSON.stringify(expired));
    form.append('checks', 'proof');
    const res = await t.app.request('/verify', { method: 'POST', body: form, headers: { Accept: 'text/html' } });
    const html = await res.text();
    expect(html).toContain('data-check="dates" data-passed="false"');
    expect(html).not.toContain('Verified and trusted.');
  });
});

describe('a forged issuer is refused under any checks that include the proof or the issuer', () => {
  it('checks ["issuer"], ["proof"] and ["proof", "dates"] all need the issuer\'s own signature', async () => {
    const forged = await resign(other, credential);
    for (const checks of [['proof'], ['issuer'], ['proof', 'dates']]) {
      const { status } = await verify(forged, { checks });
      expect(status, checks.join()).toBe(400);
    }
  });
});
