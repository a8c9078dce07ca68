// Proof sets and chains (W3C VC Data Integrity): a credential may carry several proofs, and a
// proof may name earlier ones in `previousProof`, signing the document with them in it. The
// Data Integrity suite showed educred refusing both; now a set passes on the issuer's proof, a
// chain passes when every proof it names exists and verifies, and anything less fails.
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import jsigs from 'jsonld-signatures';
import { describe, expect, it } from 'vitest';
import { resolveDidKey } from '../../src/signing/did.js';
import { createDocumentLoader } from '../../src/signing/documentLoader.js';
import { PinnedDocuments } from '../../src/verify/pinnedDocuments.js';
import { EMPTY_TRUST_POLICY } from '../../src/verify/trustPolicy.js';
import { createVerifier } from '../../src/verify/verifier.js';

type Json = Record<string, any>;

const documentLoader = createDocumentLoader({ resolveDid: resolveDidKey });
const verifier = createVerifier({ policy: EMPTY_TRUST_POLICY, pinned: new PinnedDocuments(), fetchJson: async () => Promise.reject(new Error('offline')) });
const check = (report: { checks: Json[] }, name: string) => report.checks.find((c) => c.check === name);

type Signer = ReturnType<Ed25519Multikey.Ed25519KeyPair['signer']>;

async function newKey(): Promise<{ did: string; signer: Signer }> {
  const generated = await Ed25519Multikey.generate();
  const did = `did:key:${generated.publicKeyMultibase}`;
  const key = await Ed25519Multikey.from({ ...(await generated.export({ publicKey: true, secretKey: true })), id: `${did}#${generated.publicKeyMultibase}`, controller: did });
  return { did, signer: key.signer() };
}

/** A proof by `signer` over `document` as given (with any proofs already in it), naming `previousProof`. */
async function proofOver(document: Json, signer: Signer, extra: Json = {}): Promise<Json> {
  const suite = new DataIntegrityProof({ signer, cryptosuite: eddsaRdfc2022 }) as unknown as { proof?: Json; createProof(o: Json): Promise<Json> };
  suite.proof = extra;
  const proof = await suite.createProof({ document, purpose: new jsigs.purposes.AssertionProofPurpose(), proofSet: [], documentLoader });
  delete proof['@context'];
  return proof;
}

async function credentialWithChain() {
  const [issuer, witness] = await Promise.all([newKey(), newKey()]);
  const unsigned: Json = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: 'urn:uuid:7d1f3c9e-0b5a-4c1e-8e2f-5a9b6c7d8e01',
    type: ['VerifiableCredential'],
    issuer: issuer.did,
    validFrom: '2026-01-01T00:00:00Z',
    credentialSubject: { id: 'did:example:educator' },
  };
  const first = await proofOver(unsigned, witness.signer, { id: 'urn:uuid:first-proof' });
  const second = await proofOver({ ...unsigned, proof: first }, issuer.signer, { previousProof: 'urn:uuid:first-proof' });
  return { unsigned, first, second, issuer, witness };
}

describe('proof chains', () => {
  it('verify when the chained proof is the issuer\'s and the proof it names verifies', async () => {
    const { unsigned, first, second } = await credentialWithChain();
    const report = await verifier.verifyCredential({ ...unsigned, proof: [first, second] });
    expect(check(report, 'proof')).toMatchObject({ passed: true });
    expect(check(report, 'proof')?.reason).toMatch(/proof chain/);
    expect(check(report, 'issuer')).toMatchObject({ passed: true });
    expect(report.verified).toBe(true);
  });

  it('fail when the proof named in previousProof is missing', async () => {
    const { unsigned, second } = await credentialWithChain();
    const report = await verifier.verifyCredential({ ...unsigned, proof: [second] });
    expect(check(report, 'proof')).toMatchObject({ passed: false, code: 'proof_chain_invalid' });
    expect(check(report, 'proof')?.reason).toContain('urn:uuid:first-proof is not in the proof set');
  });

  it('fail when the proof named in previousProof does not verify', async () => {
    const { unsigned, first, second } = await credentialWithChain();
    const broken = { ...first, proofValue: `${String(first.proofValue).slice(0, -2)}zz` };
    const report = await verifier.verifyCredential({ ...unsigned, proof: [broken, second] });
    expect(check(report, 'proof')?.passed).toBe(false);
    expect(check(report, 'proof')?.reason).toContain('the previous proof urn:uuid:first-proof does not verify');
  });

  it('fail when previousProof is not a string or a list of strings', async () => {
    const { unsigned, first, second } = await credentialWithChain();
    const report = await verifier.verifyCredential({ ...unsigned, proof: [first, { ...second, previousProof: 7 }] });
    expect(check(report, 'proof')?.passed).toBe(false);
  });
});

describe('proof sets', () => {
  it('pass on the issuer\'s proof, a witness\'s valid proof beside it being reported', async () => {
    const [issuer, witness] = await Promise.all([newKey(), newKey()]);
    const unsigned: Json = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'], issuer: issuer.did, credentialSubject: { id: 'did:example:educator' } };
    const signed = await vc.issue({ credential: structuredClone(unsigned), suite: new DataIntegrityProof({ signer: issuer.signer, cryptosuite: eddsaRdfc2022 }), documentLoader });
    const witnessProof = await proofOver(unsigned, witness.signer);
    const report = await verifier.verifyCredential({ ...signed, proof: [signed.proof, witnessProof] });
    expect(report.verified).toBe(true);
    expect(check(report, 'issuer')).toMatchObject({ passed: true });
  });

  it('fail the issuer check when only someone else signed', async () => {
    const [issuer, witness] = await Promise.all([newKey(), newKey()]);
    const unsigned: Json = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'], issuer: issuer.did, credentialSubject: { id: 'did:example:educator' } };
    const report = await verifier.verifyCredential({ ...unsigned, proof: await proofOver(unsigned, witness.signer) });
    expect(check(report, 'proof')).toMatchObject({ passed: true });
    expect(check(report, 'issuer')).toMatchObject({ passed: false, code: 'issuer_key_mismatch' });
    expect(report.verified).toBe(false);
  });
});
