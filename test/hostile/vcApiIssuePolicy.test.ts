// POST /credentials/issue signs only what the token's scope allows and no other route owns
// (src/awards/callerCredentialPolicy.ts): an `issue` token signs plain credentials and Open
// Badges; EndorsementCredentials only come from POST /endorsements, status list credentials
// never; framework achievements only from POST /awards (the mastery rule); status entries are
// the service's to allocate (an index is never shared); and what is signed is valid per VC DM
// 2.0 §4.9 (validFrom not after validUntil) and Bitstring Status List (a base-10 index).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;

let t: TestInstance;
let did: string;
let issueToken: string;
let awarded: Json;
let n = 0;

beforeAll(async () => {
  t = await createTestInstance(); // status lists on (the default)
  did = t.runtime.issuer.identity.did;
  issueToken = (await t.runtime.store.tokens.create('issuing-app', ['issue'])).token;
  awarded = ((await (await postJson(t.app, '/awards', awardBody())).json()) as Json).credential;
});
afterAll(async () => t.close());

const newId = () => `urn:uuid:00000000-0000-4000-9000-${String(++n).padStart(12, '0')}`;
const plain = (overrides: Json = {}): Json => ({
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  id: newId(),
  type: ['VerifiableCredential'],
  issuer: did,
  credentialSubject: { id: 'did:key:z6MkhTNL7i2etLerDK8Acz5t528giE5KA4p75T6ka1E1D74r' },
  ...overrides,
});
/** An Open Badge of a program's own achievement, built from an awarded badge. */
const ownBadge = (achievement: Json = {}): Json => {
  const { proof: _p, credentialStatus: _s, ...rest } = structuredClone(awarded);
  const { alignment: _a, ...base } = rest.credentialSubject.achievement;
  rest.credentialSubject.achievement = { ...base, id: 'https://program.example.edu/achievements/lesson-study', name: 'Lesson study', humanCode: 'lesson-study', ...achievement };
  return { ...rest, id: newId() };
};
const issue = (credential: Json, token?: string) =>
  postJson(t.app, '/credentials/issue', { credential }, token ? { Authorization: `Bearer ${token}` } : {});
const stored = async (id: string): Promise<number> => Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM awards WHERE credential_id = ${id}`.execute(t.runtime.store.kysely)).rows[0]!.n);
const pointers = (body: Json): string[] => (body.errors ?? []).map((e: Json) => e.pointer);

describe('credential types by token scope', () => {
  it('lets an issue token sign a plain credential and an Open Badge of its own achievement', async () => {
    expect((await issue(plain(), issueToken)).status).toBe(201);
    const badge = await issue(ownBadge(), issueToken);
    expect(badge.status, JSON.stringify(await badge.clone().json())).toBe(201);
  });

  it('refuses an EndorsementCredential to every token (403), naming the type and POST /endorsements', async () => {
    const endorsement = plain({
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      type: ['VerifiableCredential', 'EndorsementCredential'],
      credentialSubject: { id: 'did:key:z6MkhTNL7i2etLerDK8Acz5t528giE5KA4p75T6ka1E1D74r', type: ['EndorsementSubject'], endorsementComment: 'Trusted program' },
    });
    for (const token of [issueToken, undefined]) {
      const res = await issue(endorsement, token);
      const body = (await res.json()) as Json;
      expect(res.status).toBe(403);
      expect(body.type).toBe('urn:educred:problem:credential-type-forbidden');
      expect(body.refusedType).toBe('EndorsementCredential');
      expect(body.detail).toContain('POST /endorsements');
    }
    expect(await stored(endorsement.id)).toBe(0);
  });

  it('refuses an EndorsementCredential renamed by an inline context (the expanded type decides)', async () => {
    const disguised = plain({
      '@context': ['https://www.w3.org/ns/credentials/v2', { Recommendation: 'https://purl.imsglobal.org/spec/vc/ob/vocab.html#EndorsementCredential' }],
      type: ['VerifiableCredential', 'Recommendation'],
    });
    const res = await issue(disguised);
    expect(res.status).toBe(403);
    expect(((await res.json()) as Json).refusedType).toBe('EndorsementCredential');
  });

  it('never signs a status list credential on request (422), even for an admin token', async () => {
    const list = plain({
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      credentialSubject: { id: 'https://localhost:3000/status/1#list', type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: 'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA' },
    });
    const res = await issue(list);
    const body = (await res.json()) as Json;
    expect(res.status).toBe(422);
    expect(body.type).toBe('urn:educred:problem:credential-type-refused');
    expect(body.refusedType).toBe('BitstringStatusListCredential');
    expect(body.detail).toContain('never issued on request');
    expect(await stored(list.id)).toBe(0);
  });

  it('refuses other types to an issue token (403, naming the type and the admin scope); an admin token signs them', async () => {
    const other = plain({ '@context': ['https://www.w3.org/ns/credentials/v2', { ExampleTestCredential: 'https://example.org/#ExampleTestCredential' }], type: ['VerifiableCredential', 'ExampleTestCredential'] });
    const refused = await issue(other, issueToken);
    const body = (await refused.json()) as Json;
    expect(refused.status).toBe(403);
    expect(body.refusedType).toBe('ExampleTestCredential');
    expect(body.detail).toContain('needs an admin token');
    expect((await issue(other)).status).toBe(201);
  });
});

describe('framework achievements come only from POST /awards (the mastery rule)', () => {
  it('refuses a badge awarding a framework achievement without evidence, to every token, pointing to POST /awards', async () => {
    const { proof: _p, credentialStatus: _s, ...copy } = structuredClone(awarded);
    copy.id = newId();
    copy.evidence = [];
    for (const token of [issueToken, undefined]) {
      const res = await issue(copy, token);
      const body = (await res.json()) as Json;
      expect(res.status).toBe(422);
      expect(pointers(body)).toContain('/credentialSubject/achievement/id');
      expect(body.detail).toContain('POST /awards');
    }
    expect(await stored(copy.id)).toBe(0);
  });

  it('refuses a look-alike achievement: the framework name or code, or an alignment to this framework', async () => {
    const byCode = await issue(ownBadge({ humanCode: 'formative-assessment' }), issueToken);
    expect(byCode.status).toBe(422);
    expect(pointers((await byCode.json()) as Json)).toEqual(['/credentialSubject/achievement/humanCode']);
    const byName = await issue(ownBadge({ name: ` ${String(awarded.credentialSubject.achievement.name).toUpperCase()}` }), issueToken);
    expect(byName.status).toBe(422);
    expect(pointers((await byName.json()) as Json)).toEqual(['/credentialSubject/achievement/name']);
    const aligned = await issue(ownBadge({ alignment: awarded.credentialSubject.achievement.alignment }), issueToken);
    expect(aligned.status).toBe(422);
    expect(pointers((await aligned.json()) as Json)).toContain('/credentialSubject/achievement/alignment/0/targetUrl');
  });
});

describe('status entries are the service\'s to allocate', () => {
  it('refuses an entry naming a status list and index, e.g. one copied from an issued badge (an index would be shared)', async () => {
    const entry = awarded.credentialStatus[0] ?? awarded.credentialStatus;
    expect(entry.statusListIndex).toMatch(/^\d+$/);
    const res = await issue(plain({ credentialStatus: entry }));
    const body = (await res.json()) as Json;
    expect(res.status).toBe(422);
    expect(pointers(body)).toEqual(['/credentialStatus']);
    expect(body.detail).toContain('credential.credentialStatus names statusListCredential and statusListIndex');
  });

  it('refuses an entry whose statusListIndex is not a base-10 integer string, naming credential.credentialStatus and the index', async () => {
    for (const index of ['12abc', '1e3', '-1', '007', 42]) {
      const credential = plain({ credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListCredential: 'https://example.org/status/1', statusListIndex: index } });
      const res = await issue(credential);
      const body = (await res.json()) as Json;
      expect(res.status, String(index)).toBe(422);
      expect(pointers(body).sort()).toEqual(['/credentialStatus', '/credentialStatus/statusListIndex']);
      expect(body.detail).toContain('credential.credentialStatus');
      expect(body.detail).toContain('base 10');
      expect(await stored(credential.id)).toBe(0);
    }
  });

  it('refuses a BitstringStatusListEntry of its own making (an id) and an entry with a URL of this service', async () => {
    const own = await issue(plain({ credentialStatus: { id: 'https://example.org/status/1#3', type: 'BitstringStatusListEntry', statusPurpose: 'revocation' } }));
    expect(own.status).toBe(422);
    expect(pointers((await own.json()) as Json)).toEqual(['/credentialStatus']);
    const ours = await issue(plain({ '@context': ['https://www.w3.org/ns/credentials/v2', { CredentialStatusList2017: 'https://example.org/examples#CredentialStatusList2017' }], credentialStatus: { id: `${t.config.baseUrl}/status/1#3`, type: 'CredentialStatusList2017' } }));
    expect(ours.status).toBe(422);
    expect(pointers((await ours.json()) as Json)).toEqual(['/credentialStatus/id']);
  });

  it('answers the request form {type, statusPurpose} with entries the service allocates, which POST /credentials/status then changes', async () => {
    const credential = plain({ credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' } });
    const res = await issue(credential, issueToken);
    expect(res.status).toBe(201);
    const { verifiableCredential } = (await res.json()) as Json;
    const entries = [verifiableCredential.credentialStatus].flat();
    expect(entries.map((e: Json) => e.statusPurpose)).toContain('revocation');
    for (const e of entries) {
      expect(e.statusListCredential.startsWith(`${t.config.baseUrl}/status/`)).toBe(true);
      expect(e.statusListIndex).toMatch(/^(0|[1-9]\d*)$/);
    }
    expect((await t.runtime.verifier.verifyCredential(verifiableCredential)).verified).toBe(true);
    const revoke = await postJson(t.app, '/credentials/status', { credentialId: credential.id, credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' } });
    expect(revoke.status).toBe(200);
    const report = await t.runtime.verifier.verifyCredential(verifiableCredential);
    expect(report.checks.find((c) => c.check === 'status')).toMatchObject({ passed: false, code: 'revoked' });
  });

  it('refuses a request for a purpose the service does not allocate', async () => {
    const res = await issue(plain({ credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'message' } }));
    expect(res.status).toBe(422);
    expect(((await res.json()) as Json).detail).toContain('"message" is not one this service allocates');
  });

  it('keeps an entry of a status type it does not run (the VC DM 2.0 suite\'s) and adds its own beside it', async () => {
    const foreign = { id: 'did:example:status', type: 'CredentialStatusList2017' };
    const res = await issue(plain({ '@context': ['https://www.w3.org/ns/credentials/v2', { CredentialStatusList2017: 'https://example.org/examples#CredentialStatusList2017' }], credentialStatus: foreign }));
    expect(res.status).toBe(201);
    const { verifiableCredential } = (await res.json()) as Json;
    expect(verifiableCredential.credentialStatus[0]).toEqual(foreign);
    expect(verifiableCredential.credentialStatus.slice(1).map((e: Json) => e.type)).toEqual(expect.arrayContaining(['BitstringStatusListEntry']));
  });
});

describe('validity window (VC DM 2.0 §4.9)', () => {
  it('refuses validFrom after validUntil (422 naming /validUntil), and issuanceDate after expirationDate', async () => {
    const v2 = await issue(plain({ validFrom: '2027-01-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' }));
    const body = (await v2.json()) as Json;
    expect(v2.status).toBe(422);
    expect(pointers(body)).toEqual(['/validUntil']);
    expect(body.detail).toContain('must not be earlier than validFrom');
    const v1 = await issue(plain({ '@context': ['https://www.w3.org/2018/credentials/v1'], issuanceDate: '2027-01-01T00:00:00Z', expirationDate: '2026-01-01T00:00:00Z' }));
    expect(v1.status).toBe(422);
    expect(pointers((await v1.json()) as Json)).toEqual(['/expirationDate']);
  });

  it('signs a credential whose window is in order', async () => {
    expect((await issue(plain({ validFrom: '2026-01-01T00:00:00Z', validUntil: '2027-01-01T00:00:00Z' }))).status).toBe(201);
  });
});
