// POST /licenses refusals first: an unknown rule, a malformed body, a token without the issue
// scope, a basis about someone other than the applicant; then a record alone as the basis (a
// record stands in for its badges), and the licence's status entries and schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBadgeSchemaProblems } from '../../src/credentials/openBadgeSchemaGate.js';
import { createTestInstance, type TestInstance } from '../helpers/app.js';
import { createTestWallet, type TestWallet } from '../helpers/wallet.js';
import { addEducator, observeSeven, post, type Json } from './helpers.js';

let t: TestInstance;
let wallet: TestWallet;
let record: Json;
const application = (basis: Json, overrides: Json = {}) => ({
  applicant: { name: 'Ana Lopez', did: wallet.did },
  license: { code: 'online-teaching', name: 'Online Teaching Licence' },
  rule: 'online-teaching',
  basis,
  ...overrides,
});

beforeAll(async () => {
  // The default policy trusts the instance's own issuer: it verifies its own records.
  t = await createTestInstance();
  wallet = await createTestWallet();
  const educatorId = await addEducator(t, { name: 'Ana Lopez', did: wallet.did });
  const [last] = (await observeSeven(t, educatorId)).slice(-1);
  record = (await (await t.app.request(`/records/${last?.records[0].id}`)).json()) as Json;
}, 60_000);
afterAll(async () => t?.close());

describe('POST /licenses refuses', () => {
  it('an unknown rule (422, naming the field and the rules there are)', async () => {
    const res = await post(t, '/licenses', application({ verifiableCredential: record }, { rule: 'no-such-rule' }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ type: expect.stringContaining('unknown-rule'), errors: [{ pointer: '/rule' }], knownRules: ['online-teaching'] });
  });

  it('a body without a basis, or with both kinds (400 naming the field)', async () => {
    const missing = await post(t, '/licenses', { applicant: { name: 'Ana' }, license: { code: 'x', name: 'X' }, rule: 'online-teaching' });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body.errors)).toContain('/basis');
    const both = await post(t, '/licenses', application({ verifiableCredential: record, verifiablePresentation: {} }));
    expect(both.status).toBe(400);
  });

  it('a token without the issue scope (403)', async () => {
    const token = await post(t, '/tokens', { name: 'observer', scopes: ['observe'] });
    const res = await post(t, '/licenses', application({ verifiableCredential: record }), { Authorization: `Bearer ${token.body.token}` });
    expect(res.status).toBe(403);
  });

  it('a basis about someone other than the applicant (422 not-approved, with the reason)', async () => {
    const other = await createTestWallet();
    const res = await post(t, '/licenses', application({ verifiableCredential: record }, { applicant: { name: 'Ben Ode', did: other.did } }));
    expect(res.status).toBe(422);
    expect(res.body.type).toContain('not-approved');
    expect(res.body.reasons.join(' ')).toMatch(/does not count/);
  });
});

describe('POST /licenses issues', () => {
  it('on a record alone (its badges stand in), with revocation and suspension entries, valid against the OB 3.0 schema', async () => {
    const res = await post(t, '/licenses', application({ verifiableCredential: record }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.decision).toMatchObject({ approved: true, recipient: wallet.did });
    expect(res.body.decision.requirements.map((r: Json) => r.credentialId)).toEqual(expect.arrayContaining([expect.stringContaining('/credentials/')]));
    const licence = res.body.credential as Json;
    expect(licence.credentialStatus.map((e: Json) => e.statusPurpose)).toEqual(['revocation', 'suspension']);
    const { proof: _proof, ...unsigned } = licence;
    expect(openBadgeSchemaProblems(unsigned)).toEqual([]);
    const again = await post(t, '/licenses', application({ verifiableCredential: record }));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ type: expect.stringContaining('license-exists'), existingLicenseId: res.body.id });
  });
});
