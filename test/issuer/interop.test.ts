// Independent verification: badges educred issues, with either proof suite, are accepted by
// @digitalcredentials/verifier-core (the verifier behind the Learner Credential Wallet and
// VerifierPlus), and a tampered badge is refused by it as well as by @digitalbazaar/vc.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { verifyCredential as walletVerify } from '@digitalcredentials/verifier-core';
import { readFileSync } from 'node:fs';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA } from '../../src/credentials/openBadge.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { allowLoopbackOnly, type OfflineFetch } from '../helpers/network.js';
import { libraryCheckStatus } from '../helpers/status.js';

type Json = Record<string, any>;

const SUITES = [
  { name: 'eddsa-rdfc-2022', proofType: 'DataIntegrityProof' },
  { name: 'Ed25519Signature2020', proofType: 'Ed25519Signature2020' },
] as const;

// verifier-core fetches the 1EdTech schema a credential cites: it gets our pinned copy.
const pinnedSchema = JSON.parse(readFileSync(new URL('../../contexts/schemas/ob_v3p0_achievementcredential_schema.json', import.meta.url), 'utf8'));

let offline: OfflineFetch;
beforeAll(() => {
  offline = allowLoopbackOnly({ [OB_ACHIEVEMENT_CREDENTIAL_SCHEMA]: pinnedSchema });
});
afterAll(() => offline.restore());

function logEntry(result: Json, id: string): Json | undefined {
  return (result.log as Json[] | undefined)?.find((entry) => entry.id === id);
}

for (const suite of SUITES) {
  describe(`${suite.name} badges`, () => {
    let t: TestInstance;
    let credential: Json;
    beforeAll(async () => {
      t = await createTestInstance({ env: { EDUCRED_PROOF_SUITE: suite.name } });
      credential = ((await (await postJson(t.app, '/awards', awardBody())).json()) as Json).credential;
    });
    afterAll(async () => t.close());

    it('carries a proof of that suite', () => {
      expect(credential.proof[0].type).toBe(suite.proofType);
      expect(credential.proof[0].verificationMethod).toBe(t.runtime.issuer.identity.verificationMethod);
      expect(credential.proof[0].proofPurpose).toBe('assertionMethod');
    });

    it('verifies with @digitalbazaar/vc', async () => {
      const result = await vc.verifyCredential({ credential, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader: t.runtime.issuer.documentLoader });
      expect(result.verified).toBe(true);
    });

    it('verifies with @digitalcredentials/verifier-core (independent wallet verifier)', async () => {
      const result = (await walletVerify({ credential: credential as any, knownDIDRegistries: [] })) as Json;
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      expect(logEntry(result, 'valid_signature')?.valid).toBe(true);
      expect(logEntry(result, 'expiration')?.valid).toBe(true);
      const schemaCheck = (result.additionalInformation as Json[]).find((i) => i.id === 'schema_check');
      expect(schemaCheck?.results).toEqual([expect.objectContaining({ schema: OB_ACHIEVEMENT_CREDENTIAL_SCHEMA, result: { valid: true } })]);
      expect(offline.refused).toEqual([]);
    });

    it('is refused by verifier-core when the subject is tampered with', async () => {
      const tampered = structuredClone(credential);
      tampered.credentialSubject.id = 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH';
      const result = (await walletVerify({ credential: tampered as any, knownDIDRegistries: [] })) as Json;
      const signatureOk = logEntry(result, 'valid_signature')?.valid === true;
      expect(signatureOk).toBe(false);
      expect(JSON.stringify(result.errors ?? result.log)).toMatch(/signature|invalid/i);
    });
  });
}
