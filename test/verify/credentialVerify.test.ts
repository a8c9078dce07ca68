// POST /credentials/verify and the pipeline behind it: each step of the OB 3.0 verification
// section passes for a good badge and fails, alone and with its reason, for a badge broken in
// that one way. Verified and trusted are reported apart.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { statusEntries, WITH_SUSPENSION } from '../helpers/status.js';

type Json = Record<string, any>;

let t: TestInstance;
let other: TestInstance;
let awarded: Json;
let credential: Json;

const verify = async (instance: TestInstance, verifiableCredential: unknown, options?: Json) => {
  const res = await postJson(instance.app, '/credentials/verify', { verifiableCredential, ...(options ? { options } : {}) }, { Authorization: '' });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Json };
};
const withoutStatus = ({ credentialStatus: _status, ...rest }: Json): Json => rest;
const check = (body: Json, name: string): any => (body.report.checks as Json[]).find((c) => c.check === name);
/** Signs a changed copy with the instance's own key: everything but the change is a real badge. */
const resign = async (instance: TestInstance, changed: Json): Promise<Json> => {
  const { proof: _proof, ...unsigned } = changed;
  return instance.runtime.issuer.sign(unsigned);
};

beforeAll(async () => {
  t = await createTestInstance();
  other = await createTestInstance();
  awarded = (await (await postJson(t.app, '/awards', awardBody())).json()) as Json;
  credential = awarded.credential;
});
afterAll(async () => {
  await t.close();
  await other.close();
});

describe('POST /credentials/verify', () => {
  it('verifies a badge this service issued, every check passed, in the VC-API shape', async () => {
    const { status, body } = await verify(t, credential);
    expect(status).toBe(200);
    expect(body.verified).toBe(true);
    expect(body.checks).toEqual(['structure', 'schema', 'proof', 'issuer', 'dates', 'status']);
    expect(body.errors).toEqual([]);
    expect(check(body, 'proof').reason).toMatch(/^Signature valid: DataIntegrityProof \(eddsa-rdfc-2022\)/);
    expect(check(body, 'status').reason).toMatch(/neither revoked nor suspended/);
    // With no policy configured, a service trusts its own issuer and says so.
    expect(body.report.trust).toMatchObject({ trusted: true, via: 'issuer' });
  });

  it('is public: no token needed', async () => {
    const res = await t.app.request('/credentials/verify', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ verifiableCredential: credential }) });
    expect(res.status).toBe(200);
  });

  it('fails a tampered badge at the proof, naming the signature', async () => {
    const tampered = structuredClone(credential);
    tampered.credentialSubject.achievement.name = 'Formative Assessment (Distinguished)';
    const { status, type, body } = await verify(t, tampered);
    expect(status).toBe(400);
    // A problem (RFC 9457) whose extension members are the VC-API verification result.
    expect(type).toContain('application/problem+json');
    expect(body).toMatchObject({ type: 'urn:educred:problem:not-verified', status: 400, verified: false, checks: ['structure', 'schema', 'dates', 'status'] });
    expect(body.detail).toMatch(/changed after it was signed/);
    expect(check(body, 'proof')).toMatchObject({ passed: false, code: 'signature_invalid' });
    expect(check(body, 'proof').reason).toMatch(/changed after it was signed/);
    expect(body.errors[0]).toMatchObject({ type: 'https://www.w3.org/TR/vc-data-model#CRYPTOGRAPHIC_SECURITY_ERROR', code: 'signature_invalid' });
    expect(body.report.trust.trusted).toBe(false);
  });

  it('fails a badge signed with another key than the issuer\'s', async () => {
    // Another service signs a badge that claims to come from this one.
    const forged = await resign(other, { ...credential, issuer: credential.issuer });
    const { status, body } = await verify(t, forged);
    expect(status).toBe(400);
    // The signature itself is sound; it is just not the issuer's.
    expect(check(body, 'proof').passed).toBe(true);
    expect(check(body, 'issuer')).toMatchObject({ passed: false, code: 'issuer_key_mismatch' });
    expect(check(body, 'issuer').reason).toContain(other.runtime.issuer.identity.did);
  });

  it('decides the VC-API answer on the options.checks asked for, still running and reporting the others', async () => {
    // A proof check includes that the issuer signed (test/verify/checksOption.test.ts has the rest).
    const forged = await resign(other, { ...credential, issuer: credential.issuer });
    const { status, body } = await verify(t, forged, { checks: ['proof'] });
    expect(status).toBe(400);
    expect(body.verified).toBe(false);
    expect(check(body, 'issuer').passed).toBe(false);
    expect(body.report.trust).toMatchObject({ trusted: false, reason: 'The issuer did not sign it, so trust was not considered.' });
    const tampered = structuredClone(credential);
    tampered.name = 'Changed';
    expect((await verify(t, tampered, { checks: ['proof'] })).status).toBe(400);
    const schemaOnly = await verify(t, forged, { checks: ['schema'] });
    expect(schemaOnly.status).toBe(200);
    expect(schemaOnly.body.report.verified).toBe(false);
    const unknownCheck = await verify(t, credential, { checks: ['proof', 'astrology'] });
    expect(unknownCheck.body.warnings.map((w: Json) => w.detail)).toContain('Unknown checks requested and ignored: astrology.');
    // Names that are not checks (object prototype keys among them) never turn checking off.
    expect((await verify(t, tampered, { checks: ['constructor', 'toString'] })).status).toBe(400);
  });

  it('fails a badge with a context it does not hold, before any JSON-LD work', async () => {
    const withContext = { ...credential, '@context': [...credential['@context'], 'https://contexts.example/badges/v9.json'] };
    const { status, body } = await verify(t, withContext);
    expect(status).toBe(400);
    expect(check(body, 'structure')).toMatchObject({ passed: false, code: 'context_unknown' });
    expect(check(body, 'structure').reason).toContain("'https://contexts.example/badges/v9.json'");
    expect(check(body, 'proof')).toBeUndefined();
  });

  it('reports an expired badge at the dates step while its signature still verifies', async () => {
    const expired = await resign(t, { ...credential, validFrom: '2024-01-01T00:00:00Z', validUntil: '2025-01-01T00:00:00Z' });
    const { status, body } = await verify(t, expired);
    expect(status).toBe(400);
    expect(check(body, 'proof').passed).toBe(true);
    expect(check(body, 'dates')).toMatchObject({ passed: false, code: 'expired', reason: 'Expired at 2025-01-01T00:00:00Z (validUntil).' });
  });

  it('reports a validFrom after validUntil in the dates check, not as a failed signature (VC DM 2.0 §4.9)', async () => {
    for (const [validFrom, validUntil] of [
      ['2025-06-01T00:00:00Z', '2025-01-01T00:00:00Z'],
      ['2099-06-01T00:00:00Z', '2099-01-01T00:00:00Z'],
      ['2099-01-01T00:00:00Z', '2025-06-01T00:00:00Z'],
    ]) {
      const inverted = await resign(t, { ...credential, validFrom, validUntil });
      const { status, body } = await verify(t, inverted);
      expect(status).toBe(400);
      expect(check(body, 'proof').passed, `${validFrom} ${validUntil}`).toBe(true);
      expect(check(body, 'issuer').passed).toBe(true);
      expect(check(body, 'dates')).toMatchObject({ passed: false, code: 'validity_window_invalid', reason: `validUntil ${validUntil} is before validFrom ${validFrom}: the credential is never valid.` });
    }
  });

  it('reports a badge that is not yet valid', async () => {
    const future = await resign(t, { ...credential, validFrom: '2099-01-01T00:00:00Z' });
    const { body } = await verify(t, future);
    expect(check(body, 'dates')).toMatchObject({ passed: false, code: 'not_yet_valid' });
  });

  it('fails a badge that does not match its JSON Schema, naming the field', async () => {
    const { achievement: _a, ...subject } = credential.credentialSubject;
    const broken = await resign(t, { ...credential, credentialSubject: { ...subject, achievement: { id: 'urn:uuid:1', type: ['Achievement'] } } });
    const { body } = await verify(t, broken);
    expect(check(body, 'schema')).toMatchObject({ passed: false, code: 'schema_invalid' });
    expect(check(body, 'schema').reason).toMatch(/\/credentialSubject\/achievement.*'(name|criteria|description)'/);
  });

  it('checks the recipient when asked: DID', async () => {
    const good = await verify(t, credential, { recipient: { did: (awardBody().recipient as Json).id } });
    expect(check(good.body, 'recipient')).toMatchObject({ passed: true });
    const bad = await verify(t, credential, { recipient: { did: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH' } });
    expect(bad.status).toBe(400);
    expect(check(bad.body, 'recipient')).toMatchObject({ passed: false, code: 'recipient_mismatch' });
  });

  it('checks the recipient when asked: email against the salted hash', async () => {
    const byEmail = ((await (await postJson(t.app, '/awards', awardBody({ recipient: { email: 'Ana.Lopez@example.edu', name: 'Ana Lopez' } }))).json()) as Json).credential;
    expect(check((await verify(t, byEmail, { recipient: { email: 'ana.lopez@example.edu' } })).body, 'recipient').passed).toBe(true);
    expect(check((await verify(t, byEmail, { recipient: { email: 'someone@example.edu' } })).body, 'recipient').passed).toBe(false);
  });

  it('reports a revoked badge through its one status entry', async () => {
    const fresh = (await (await postJson(t.app, '/awards', awardBody({ achievement: 'aligned-instruction' }))).json()) as Json;
    expect(statusEntries(fresh.credential).map((e) => e.statusPurpose)).toEqual(['revocation']);
    expect((await verify(t, fresh.credential)).body.verified).toBe(true);
    expect((await postJson(t.app, `/awards/${fresh.id}/revoke`, { reason: 'awarded in error' })).status).toBe(200);
    const revoked = await verify(t, fresh.credential);
    expect(check(revoked.body, 'status')).toMatchObject({ passed: false, code: 'revoked', reason: 'Revoked by its issuer.' });
  });

  it('reports suspended and reinstated badges of an issuer that chose suspension', async () => {
    const suspending = await createTestInstance({ env: WITH_SUSPENSION });
    try {
      const fresh = (await (await postJson(suspending.app, '/awards', awardBody({ achievement: 'aligned-instruction' }))).json()) as Json;
      expect(statusEntries(fresh.credential).map((e) => e.statusPurpose)).toEqual(['revocation', 'suspension']);
      expect((await postJson(suspending.app, `/awards/${fresh.id}/suspend`, { reason: 'under review' })).status).toBe(200);
      const suspended = await verify(suspending, fresh.credential);
      expect(suspended.status).toBe(400);
      expect(check(suspended.body, 'status')).toMatchObject({ passed: false, code: 'suspended' });
      expect((await postJson(suspending.app, `/awards/${fresh.id}/reinstate`, { reason: 'review closed' })).status).toBe(200);
      expect((await verify(suspending, fresh.credential)).body.verified).toBe(true);
    } finally {
      await suspending.close();
    }
  });

  it('says "verified, not trusted" for an issuer its policy does not name', async () => {
    const foreign = ((await (await postJson(other.app, '/awards', awardBody())).json()) as Json).credential;
    // The other service's status lists are not reachable from here: give the badge none.
    const { status, body } = await verify(t, await resign(other, withoutStatus(foreign)));
    expect(status).toBe(200);
    expect(body.verified).toBe(true);
    expect(body.report.trust.trusted).toBe(false);
    expect(body.report.trust.reason).toMatch(/not on this verifier's trust list and the badge carries no endorsement/);
    expect(body.warnings.map((w: Json) => w.type)).toContain('urn:educred:problem:issuer-not-trusted');
    expect(body.warnings.map((w: Json) => w.detail)).toContain('No credentialStatus: revocation cannot be checked.');
  });

  it('follows the trust policy file it is given', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'educred-policy-'));
    const file = path.join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ name: 'State B', trustedIssuers: [{ id: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH' }] }));
    const verifier = await createTestInstance({ env: { EDUCRED_TRUST_POLICY: file } });
    try {
      const foreign = await resign(t, withoutStatus(credential));
      const { body } = await verify(verifier, foreign);
      expect(body.verified).toBe(true);
      expect(body.report.trust).toMatchObject({ trusted: false, policy: 'State B' });
    } finally {
      await verifier.close();
    }
  });
});

describe('POST /credentials/verify refuses what is not a verification request', () => {
  it.each([
    ['no credential', {}],
    ['a string credential', { verifiableCredential: 'eyJhbGciOi...' }],
    ['a list', { verifiableCredential: [] }],
  ])('%s: 400 problem+json naming the field', async (_name, body) => {
    const res = await postJson(t.app, '/credentials/verify', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as Json).errors[0].pointer).toBe('/verifiableCredential');
  });

  it('an unknown approval rule: 400 naming the rules it has', async () => {
    const res = await postJson(t.app, '/credentials/verify', { verifiableCredential: credential, options: { rule: 'no-such-rule' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).detail).toMatch(/Unknown approval rule 'no-such-rule'.*online-teaching/);
  });
});

describe('the pipeline never throws on junk', () => {
  it.each([null, 42, 'text', [], {}, { '@context': 5 }, { '@context': ['https://www.w3.org/ns/credentials/v2'], type: 5 }, { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'], issuer: 'did:key:z6Mk', credentialSubject: {}, proof: { type: 'DataIntegrityProof' } }])(
    '%j gives a failed report',
    async (junk) => {
      const report = await t.runtime.verifier.verifyCredential(junk);
      expect(report.verified).toBe(false);
      expect(report.checks.find((c) => !c.passed)?.reason).toBeTruthy();
    },
  );
});

describe('competencies are matched across issuers by framework code or alignment', () => {
  it('an achievement without a humanCode matches through its alignment target', async () => {
    const { matchesCompetency } = await import('../../src/verify/trustPolicy.js');
    const { summarize } = await import('../../src/verify/verifyCredential.js');
    const foreign = structuredClone(credential);
    delete foreign.credentialSubject.achievement.humanCode;
    const { achievement } = summarize(foreign);
    expect(matchesCompetency(achievement, { code: 'formative-assessment' })).toBe(true);
    expect(matchesCompetency(achievement, { alignment: 'http://localhost:3000/frameworks/instructional-competencies#formative-assessment' })).toBe(true);
    expect(matchesCompetency(achievement, { code: 'differentiated-support' })).toBe(false);
  });
});
