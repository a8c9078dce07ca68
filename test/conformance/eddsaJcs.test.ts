// eddsa-jcs-2022: the Data Integrity EdDSA suite over JSON canonicalization (RFC 8785) instead
// of RDF. educred signs with it when configured (EDUCRED_PROOF_SUITE or the VC-API option) and
// verifies it always; the JSON-LD rules still apply before a JCS signature, so a credential
// means the same to every verifier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;

let jcs: TestInstance;
beforeAll(async () => {
  jcs = await createTestInstance({ env: { EDUCRED_PROOF_SUITE: 'eddsa-jcs-2022' } });
});
afterAll(async () => jcs.close());

const check = (report: { checks: Json[] }, name: string) => report.checks.find((c) => c.check === name);

describe('eddsa-jcs-2022', () => {
  it('signs badges when configured, and they verify', async () => {
    const { credential } = (await (await postJson(jcs.app, '/awards', awardBody())).json()) as Json;
    expect(credential.proof[0]).toMatchObject({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-jcs-2022' });
    const report = await jcs.runtime.verifier.verifyCredential(credential);
    expect(report.verified).toBe(true);
    expect(check(report, 'proof')?.reason).toContain('(eddsa-jcs-2022)');
  });

  it('fails a JCS-signed badge changed after signing', async () => {
    const { credential } = (await (await postJson(jcs.app, '/awards', awardBody())).json()) as Json;
    credential.credentialSubject.achievement.name = 'Changed';
    expect(check(await jcs.runtime.verifier.verifyCredential(credential), 'proof')).toMatchObject({ passed: false, code: 'signature_invalid' });
  });

  it('is chosen per request through the VC-API, and still refuses terms no context defines', async () => {
    const base = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
      issuer: jcs.runtime.issuer.identity.did,
      credentialSubject: { id: 'did:example:educator' },
    };
    const ok = await postJson(jcs.app, '/credentials/issue', { credential: base, options: { suite: 'eddsa-jcs-2022' } });
    expect(ok.status).toBe(201);
    const undefinedTerm = await postJson(jcs.app, '/credentials/issue', { credential: { ...base, credentialSubject: { id: 'did:example:educator', favouriteColour: 'teal' } }, options: { suite: 'eddsa-jcs-2022' } });
    expect(undefinedTerm.status).toBe(422);
    expect(((await undefinedTerm.json()) as Json).detail).toMatch(/safe mode.*favouriteColour/);
  });
});
