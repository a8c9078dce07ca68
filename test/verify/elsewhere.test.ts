// A credential from elsewhere: the signed example of the 1EdTech OB 3.0 implementation guide
// (VC 1.1, OB context 3.0.0, Data Integrity v1, eddsa-rdfc-2022), verified fully offline with
// its key document pinned; one changed character makes it fail.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PinnedDocuments } from '../../src/verify/pinnedDocuments.js';
import { EMPTY_TRUST_POLICY, parseTrustPolicy } from '../../src/verify/trustPolicy.js';
import { createVerifier } from '../../src/verify/verifier.js';

type Json = Record<string, any>;

const FIXTURES = fileURLToPath(new URL('../fixtures/elsewhere/', import.meta.url));
const VECTOR_TEXT = readFileSync(`${FIXTURES}ob3-spec-eddsa-rdfc-2022.json`, 'utf8');
const vector = (): Json => JSON.parse(VECTOR_TEXT) as Json;
const fetched: string[] = [];
const offline = async (url: string): Promise<unknown> => {
  fetched.push(url);
  throw new Error('this test is offline');
};
const verifierWith = (documents: string | undefined, policy = EMPTY_TRUST_POLICY) =>
  createVerifier({ policy, pinned: PinnedDocuments.fromDirectory(documents), fetchJson: offline });
const check = (report: { checks: Json[] }, name: string): Json | undefined => report.checks.find((c) => c.check === name);

describe('the OB 3.0 implementation guide test vector', () => {
  it('verifies with its key document pinned, without touching the network', async () => {
    const report = await verifierWith(`${FIXTURES}documents`).verifyCredential(vector());
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.verified).toBe(true);
    expect(check(report, 'structure')?.reason).toMatch(/OpenBadgeCredential \(VC 1\.1\)/);
    expect(check(report, 'proof')?.details).toMatchObject({ cryptosuite: 'eddsa-rdfc-2022', verificationMethod: 'https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi' });
    expect(fetched).toEqual([]);
  });

  it('fails when one character of the credential changes', async () => {
    const changed = VECTOR_TEXT.replace('"Teamwork Badge"', '"Teamwork Badgf"');
    expect(changed).not.toBe(VECTOR_TEXT);
    const report = await verifierWith(`${FIXTURES}documents`).verifyCredential(JSON.parse(changed));
    expect(report.verified).toBe(false);
    expect(check(report, 'proof')).toMatchObject({ passed: false, code: 'signature_invalid' });
  });

  it('fails when one character of the proof value changes', async () => {
    const credential = vector();
    credential.proof.proofValue = credential.proof.proofValue.replace(/.$/, (c: string) => (c === 'D' ? 'E' : 'D'));
    const report = await verifierWith(`${FIXTURES}documents`).verifyCredential(credential);
    expect(check(report, 'proof')?.passed).toBe(false);
  });

  it('without the key document, says which document to pin (and never fetches an https key)', async () => {
    const report = await verifierWith(undefined).verifyCredential(vector());
    expect(check(report, 'proof')?.passed).toBe(false);
    expect(check(report, 'proof')?.reason).toMatch(/https:\/\/example\.edu\/issuers\/565049/);
    expect(fetched).toEqual([]);
  });

  it('is verified but not trusted unless a policy names its issuer (here an https URL)', async () => {
    expect((await verifierWith(`${FIXTURES}documents`).verifyCredential(vector())).trust.trusted).toBe(false);
    const trusting = parseTrustPolicy({ name: 'test', trustedIssuers: [{ id: 'https://example.edu/issuers/565049', name: 'Example Corp' }] });
    expect((await verifierWith(`${FIXTURES}documents`, trusting).verifyCredential(vector())).trust).toMatchObject({ trusted: true, via: 'issuer' });
  });
});

describe('a VC 1.1 badge with the OB 3.0.2 context and an Ed25519Signature2020 proof', () => {
  // The shape deployed issuers built on VC 1.1 produce (issuanceDate, context-3.0.2.json, the
  // 2020 suite), signed here by a key of the test's own with the plain library.
  it('verifies, and its dates are read from issuanceDate / expirationDate', async () => {
    const vc = await import('@digitalbazaar/vc');
    const Ed25519Multikey = await import('@digitalbazaar/ed25519-multikey');
    const { Ed25519Signature2020 } = await import('@digitalbazaar/ed25519-signature-2020');
    const { createDocumentLoader } = await import('../../src/signing/documentLoader.js');
    const { resolveDidKey } = await import('../../src/signing/did.js');
    const key = await Ed25519Multikey.generate();
    const did = `did:key:${key.publicKeyMultibase}`;
    const signer = (await Ed25519Multikey.from({ ...(await key.export({ publicKey: true, secretKey: true })), id: `${did}#${key.publicKeyMultibase}`, controller: did })).signer();
    const unsigned = {
      '@context': ['https://www.w3.org/2018/credentials/v1', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json', 'https://w3id.org/security/suites/ed25519-2020/v1'],
      id: 'urn:uuid:2a5c1f0e-8c3b-4d7e-9f21-6b0a4e9d3c77',
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      issuer: { id: did, type: ['Profile'], name: 'A VC 1.1 issuer' },
      issuanceDate: '2024-05-01T00:00:00Z',
      expirationDate: '2034-05-01T00:00:00Z',
      name: 'Teamwork',
      credentialSubject: {
        id: 'did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG',
        type: ['AchievementSubject'],
        achievement: { id: 'https://example.org/achievements/teamwork', type: ['Achievement'], name: 'Teamwork', description: 'Works well in teams.', criteria: { narrative: 'Nominated by peers.' } },
      },
    };
    const signed = await vc.issue({ credential: unsigned, suite: new Ed25519Signature2020({ signer }), documentLoader: createDocumentLoader({ resolveDid: resolveDidKey }) });
    const report = await verifierWith(undefined).verifyCredential(signed);
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(check(report, 'structure')?.reason).toMatch(/\(VC 1\.1\)/);
    expect(check(report, 'proof')?.details).toMatchObject({ type: 'Ed25519Signature2020' });
    expect(check(report, 'dates')?.reason).toBe('Within its validity period (from 2024-05-01T00:00:00Z until 2034-05-01T00:00:00Z).');
    const expired = await verifierWith(undefined).verifyCredential(signed, { now: new Date('2035-01-01T00:00:00Z') });
    expect(check(expired, 'dates')).toMatchObject({ passed: false, code: 'expired', reason: 'Expired at 2034-05-01T00:00:00Z (expirationDate).' });
    expect(check(expired, 'proof')?.passed).toBe(true);
  });
});

describe('trust policy files', () => {
  it('are read as YAML or JSON, and an invalid one is refused naming the field', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { loadTrustPolicy, TrustPolicyError } = await import('../../src/verify/trustPolicy.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'educred-policy-'));
    const yamlFile = path.join(dir, 'state-b.yaml');
    writeFileSync(
      yamlFile,
      [
        'name: State B educator licensure',
        'trustedEndorsers:',
        '  - id: did:web:education.state-a.example',
        '    name: State A Department of Education',
        '    scope:',
        '      - code: personalized-blended-online',
        'approvalRules:',
        '  - id: online-teaching',
        '    name: Online teaching approval (State B)',
        '    requires:',
        '      - code: personalized-blended-online',
        '      - code: formative-assessment',
      ].join('\n'),
    );
    const policy = loadTrustPolicy(yamlFile);
    expect(policy.trustedEndorsers[0]).toMatchObject({ id: 'did:web:education.state-a.example', scope: [{ code: 'personalized-blended-online' }] });
    expect(policy.approvalRules[0]).toMatchObject({ requires: [{ code: 'personalized-blended-online' }, { code: 'formative-assessment' }] });
    const bad = path.join(dir, 'bad.yml');
    writeFileSync(bad, 'trustedIssuers:\n  - name: no id\n');
    expect(() => loadTrustPolicy(bad)).toThrow(TrustPolicyError);
    expect(() => loadTrustPolicy(bad)).toThrow(/trustedIssuers\.0\.id/);
  });
});

describe('badges signed by other implementations', () => {
  // Provenance in test/fixtures/elsewhere/README.md: the guide's 2024 re-signed vector (VC 2.0,
  // OB 3.0.3) and two credentials signed by the Digital Credentials Consortium's tools.
  it.each(['ob3-spec-eddsa-rdfc-2022-vc2.json', 'dcc-vc1-ob302-ed25519signature2020.json', 'dcc-vc1-ob303-eddsa-rdfc-2022.json'])(
    '%s verifies offline, and fails with one character changed',
    async (file) => {
      const text = readFileSync(`${FIXTURES}${file}`, 'utf8');
      const verifier = verifierWith(`${FIXTURES}documents`);
      const report = await verifier.verifyCredential(JSON.parse(text));
      expect(report.checks.filter((c) => !c.passed)).toEqual([]);
      const name = (JSON.parse(text) as Json).name as string;
      const changed = text.replace(JSON.stringify(name), JSON.stringify(`${name.slice(0, -1)}${name.endsWith('x') ? 'y' : 'x'}`));
      expect(changed).not.toBe(text);
      expect(check(await verifier.verifyCredential(JSON.parse(changed)), 'proof')).toMatchObject({ passed: false });
    },
  );
});
