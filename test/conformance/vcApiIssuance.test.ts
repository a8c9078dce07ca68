// What the W3C VC-API issuer, Data Integrity and VC Data Model 2.0 suites taught educred about
// POST /credentials/issue, in our own words: a caller's credential is checked against the data
// model before it is signed, a plain credential keeps one proof object, VC 1.1 is issued beside
// 2.0, one id names one credential, and VC 2.0 credentials get status entries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, type TestInstance, createTestInstance } from '../helpers/app.js';

type Json = Record<string, any>;

let t: TestInstance;
let did: string;
let n = 0;

const plain = (overrides: Json = {}): Json => ({
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  id: `urn:uuid:00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  type: ['VerifiableCredential'],
  issuer: did,
  credentialSubject: { id: 'did:key:z6MkhTNL7i2etLerDK8Acz5t528giE5KA4p75T6ka1E1D74r' },
  ...overrides,
});
const issue = (credential: Json) => postJson(t.app, '/credentials/issue', { credential });
const problemAt = async (res: Response): Promise<string[]> => ((await res.json()) as Json).errors.map((e: Json) => e.pointer);

beforeAll(async () => {
  t = await createTestInstance();
  did = t.runtime.issuer.identity.did;
});
afterAll(async () => t.close());

describe('POST /credentials/issue', () => {
  it('gives a plain credential one proof object, as the VC-API and most verifiers expect', async () => {
    const res = await issue(plain());
    expect(res.status).toBe(201);
    const { verifiableCredential } = (await res.json()) as Json;
    expect(Array.isArray(verifiableCredential.proof)).toBe(false);
    expect(verifiableCredential.proof).toMatchObject({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod' });
  });

  it('adds a revocation entry (one object) to a VC 2.0 credential, which POST /credentials/status can then change', async () => {
    const credential = plain();
    const { verifiableCredential } = (await (await issue(credential)).json()) as Json;
    expect(verifiableCredential.credentialStatus).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' });
    const change = await postJson(t.app, '/credentials/status', { credentialId: credential.id, credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' } });
    expect(change.status).toBe(200);
    const report = await t.runtime.verifier.verifyCredential(verifiableCredential);
    expect(report.checks.find((c) => c.check === 'status')).toMatchObject({ passed: false, code: 'revoked' });
  });

  it('issues VC 1.1 credentials (issuanceDate) as sent, without status entries, and they verify', async () => {
    const res = await issue({ ...plain({ '@context': ['https://www.w3.org/2018/credentials/v1'] }), issuanceDate: '2026-01-01T00:00:00Z' });
    expect(res.status).toBe(201);
    const { verifiableCredential } = (await res.json()) as Json;
    expect(verifiableCredential.credentialStatus).toBeUndefined();
    expect((await t.runtime.verifier.verifyCredential(verifiableCredential)).verified).toBe(true);
  });

  it('returns the same credential when the same one is asked again, and refuses another under that id', async () => {
    const credential = plain();
    const first = (await (await issue(credential)).json()) as Json;
    const again = await issue({ ...credential });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as Json).verifiableCredential).toEqual(first.verifiableCredential);
    const different = await issue({ ...credential, credentialSubject: { id: 'did:example:someone-else' } });
    expect(different.status).toBe(409);
    expect(((await different.json()) as Json).type).toBe('urn:educred:problem:credential-id-taken');
  });

  it.each([null, true, 4, [], 'did:example:1234'])('refuses credentialSubject %j (it must be an object)', async (subject) => {
    const res = await issue(plain({ credentialSubject: subject }));
    expect(res.status).toBe(422);
    expect(await problemAt(res)).toContain('/credentialSubject');
  });

  it.each([
    ['a credentialSchema without a type', { credentialSchema: { id: 'https://example.org/schema.json' } }, '/credentialSchema/type'],
    ['a credentialSchema without an id', { credentialSchema: { type: 'JsonSchema' } }, '/credentialSchema/id'],
    ['a credentialSchema whose id is not a URL', { credentialSchema: { type: 'JsonSchema', id: 'https ://example.org/s.json' } }, '/credentialSchema/id'],
    ['a refreshService without a type', { refreshService: { id: 'https://example.org/refresh' } }, '/refreshService/type'],
    ['evidence without a type', { evidence: [{ id: 'https://example.org/evidence/1' }] }, '/evidence/0/type'],
    ['a relatedResource given as a string', { relatedResource: ['https://www.w3.org/ns/credentials/v2'] }, '/relatedResource/0'],
    ['a relatedResource without an id', { relatedResource: [{ digestSRI: 'sha384-AAAA' }] }, '/relatedResource/0/id'],
    ['a relatedResource listed twice', { relatedResource: [{ id: 'https://example.org/r', digestSRI: 'sha256-AAAA' }, { id: 'https://example.org/r', digestMultibase: 'uAAAA' }] }, '/relatedResource/1/id'],
    ['a relatedResource without a digest', { relatedResource: [{ id: 'https://example.org/r' }] }, '/relatedResource/0'],
    ['a relatedResource with a digest that is not SRI', { relatedResource: [{ id: 'https://example.org/r', digestSRI: 'md5-AAAA' }] }, '/relatedResource/0/digestSRI'],
  ])('refuses %s, naming the field', async (_name, fields, pointer) => {
    const res = await issue(plain(fields));
    expect(res.status).toBe(422);
    expect(await problemAt(res)).toContain(pointer);
  });

  it('accepts typed schemas and refresh services, and related resources with digests', async () => {
    const res = await issue(
      plain({
        credentialSchema: [{ id: 'https://example.org/schema.json', type: 'JsonSchema' }],
        refreshService: { id: 'https://example.org/refresh', type: 'https://example.org/vocab#RefreshService' },
        relatedResource: [{ id: 'https://example.org/context', digestSRI: 'sha384-AAAA', mediaType: 'application/ld+json' }, { id: 'https://example.org/r', digestMultibase: 'uAAAA' }],
      }),
    );
    expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
  });
});

describe('the verifier applies the same data model rules', () => {
  it('refuses a signed credential whose credentialSchema names no type', async () => {
    const signed = await t.runtime.issuer.sign(plain({ credentialSchema: { id: 'https://example.org/schema.json' } }));
    const report = await t.runtime.verifier.verifyCredential(signed);
    expect(report.checks[0]).toMatchObject({ check: 'structure', passed: false, code: 'malformed_value' });
    expect(report.checks[0]?.reason).toContain('/credentialSchema/type');
  });
});
