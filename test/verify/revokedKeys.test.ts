// A did:web issuer that rotated its key lists every earlier key (assertionMethod), so what they
// signed still verifies; a key its controller marked `revoked` (W3C Controlled Identifiers 1.0
// §2.2) is refused for every proof, by every suite, with a reason naming the key.
import { describe, expect, it } from 'vitest';
import { PROOF_SUITES, type ProofSuiteName } from '../../src/config.js';
import { dereferenceDidUrl, didDocumentWithKeys, issuerIdentity, type EarlierKey } from '../../src/signing/did.js';
import { createDocumentLoader } from '../../src/signing/documentLoader.js';
import { generateMultikey, importIssuerKey, type IssuerKey } from '../../src/signing/keys.js';
import { signCredential } from '../../src/signing/suites.js';
import { PinnedDocuments } from '../../src/verify/pinnedDocuments.js';
import { parseTrustPolicy } from '../../src/verify/trustPolicy.js';
import { createVerifier } from '../../src/verify/verifier.js';

type Json = Record<string, any>;
const DOMAIN = 'badges.rotating.example';
const DID = `did:web:${DOMAIN}`;
const REVOKED_AT = '2027-02-01T00:00:00Z';

const keys: IssuerKey[] = await Promise.all([1, 2, 3].map(async () => importIssuerKey(await generateMultikey(DID))));
const [first, second, current] = keys as [IssuerKey, IssuerKey, IssuerKey];
const identityOf = (key: IssuerKey) => issuerIdentity(key.publicKeyMultibase, DOMAIN);

function documentWith(earlier: EarlierKey[]): Json {
  return didDocumentWithKeys(identityOf(current), earlier);
}

async function signWith(key: IssuerKey, suite: ProofSuiteName, n: number): Promise<Json> {
  const document = documentWith([{ publicKeyMultibase: first.publicKeyMultibase }, { publicKeyMultibase: second.publicKeyMultibase }]);
  const documentLoader = createDocumentLoader({ resolveDid: async (url) => dereferenceDidUrl(document, url) ?? Promise.reject(new Error(url)) });
  const credential = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: `urn:uuid:6f1c9a3e-2b7d-4c1e-9a51-0d2f8e7b4c1${n}`,
    type: ['VerifiableCredential'],
    issuer: DID,
    validFrom: '2026-09-01T00:00:00Z',
    credentialSubject: { id: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' },
  };
  return signCredential(credential, { suite, signer: key.signerFor(identityOf(key).verificationMethod), documentLoader });
}

function verifierWith(document: Json) {
  const pinned = new PinnedDocuments();
  pinned.add(document);
  const policy = parseTrustPolicy({ name: 'test', trustedIssuers: [{ id: DID, name: 'Rotating program' }] });
  return createVerifier({ policy, pinned, fetchJson: async (url) => Promise.reject(new Error(`offline: ${url}`)) });
}

const proofCheck = (report: { checks: Json[] }): Json | undefined => report.checks.find((c) => c.check === 'proof');

describe('the DID document after rotations', () => {
  it('lists the current key for every relationship and earlier keys for assertions only', () => {
    const document = documentWith([{ publicKeyMultibase: first.publicKeyMultibase }, { publicKeyMultibase: second.publicKeyMultibase, revoked: REVOKED_AT }]);
    const id = (k: IssuerKey) => `${DID}#${k.publicKeyMultibase}`;
    expect(document.verificationMethod.map((m: Json) => m.id)).toEqual([id(current), id(first), id(second)]);
    expect(document.verificationMethod[2]).toMatchObject({ revoked: REVOKED_AT });
    expect(document.verificationMethod[1].revoked).toBeUndefined();
    expect(document.assertionMethod).toEqual([id(current), id(first)]);
    for (const relationship of ['authentication', 'capabilityInvocation', 'capabilityDelegation']) expect(document[relationship]).toEqual([id(current)]);
  });
});

describe.each(PROOF_SUITES)('%s: rotation keeps old proofs valid; revocation refuses them', (suite) => {
  it('a credential signed by an earlier key verifies while that key is listed', async () => {
    const old = await signWith(first, suite, 1);
    const report = await verifierWith(documentWith([{ publicKeyMultibase: first.publicKeyMultibase }, { publicKeyMultibase: second.publicKeyMultibase }])).verifyCredential(old);
    expect(proofCheck(report), JSON.stringify(report.checks)).toMatchObject({ passed: true });
    expect(report.verified).toBe(true);
  });

  it('a credential signed by a revoked key fails with key_revoked, naming the key and the time', async () => {
    const old = await signWith(first, suite, 2);
    const report = await verifierWith(documentWith([{ publicKeyMultibase: first.publicKeyMultibase, revoked: REVOKED_AT }, { publicKeyMultibase: second.publicKeyMultibase }])).verifyCredential(old);
    expect(report.verified).toBe(false);
    expect(proofCheck(report)).toMatchObject({ passed: false, code: 'key_revoked' });
    expect(proofCheck(report)?.reason).toContain(`${DID}#${first.publicKeyMultibase}`);
    expect(proofCheck(report)?.reason).toContain(REVOKED_AT);
  });

  it('a revoked key is refused even where its controller still lists it for assertions', async () => {
    const old = await signWith(first, suite, 3);
    const document = documentWith([{ publicKeyMultibase: first.publicKeyMultibase }]);
    (document.verificationMethod as Json[])[1]!.revoked = REVOKED_AT;
    expect(document.assertionMethod).toContain(`${DID}#${first.publicKeyMultibase}`);
    expect(proofCheck(await verifierWith(document).verifyCredential(old))).toMatchObject({ passed: false, code: 'key_revoked' });
  });

  it('the other keys are untouched by a revocation', async () => {
    const document = documentWith([{ publicKeyMultibase: first.publicKeyMultibase, revoked: REVOKED_AT }, { publicKeyMultibase: second.publicKeyMultibase }]);
    for (const [key, n] of [[second, 4], [current, 5]] as const) {
      const report = await verifierWith(document).verifyCredential(await signWith(key, suite, n));
      expect(report.verified, JSON.stringify(report.checks)).toBe(true);
    }
  });
});
