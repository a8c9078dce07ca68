// The signing fast path (src/signing/fastCanonize.ts) changes nothing but speed: for generated
// awards (Unicode names, evidence counts, optional fields, both status configurations, issuers
// with and without endorsements) its canonical N-Quads equal jsonld.toRDF + rdf-canonize on the
// same document, and a badge signed through it is byte-for-byte the badge the general path signs.
// EDUCRED_DIFFERENTIAL_RUNS raises the number of generated awards (the default keeps `npm test` short).
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { BUILT_IN_FRAMEWORK } from '../../src/competencies/framework.js';
import { toAchievement } from '../../src/credentials/achievement.js';
import { buildOpenBadgeCredential, type IssuerProfile, type OpenBadgeInput } from '../../src/credentials/openBadge.js';
import type { Observation } from '../../src/competencies/mastery.js';
import { resolveDidKey } from '../../src/signing/did.js';
import { createDocumentLoader } from '../../src/signing/documentLoader.js';
import { createFastCanonizer, type Canonize } from '../../src/signing/fastCanonize.js';
import { generateMultikey, importIssuerKey } from '../../src/signing/keys.js';
import { signCredential, useSigningFastPath, fastCanonizerFor, type JsonObject } from '../../src/signing/suites.js';
import { statusEntry } from '../../src/status/entries.js';

const RUNS = Number(process.env.EDUCRED_DIFFERENTIAL_RUNS ?? 300);
const BASE = 'https://badges.example.edu';
const documentLoader = createDocumentLoader({ resolveDid: resolveDidKey });
const general = eddsaRdfc2022.canonize as Canonize;
const options = { documentLoader, base: null, safe: true };

async function outcome(canonize: Canonize, document: unknown): Promise<string> {
  try {
    return `ok\n${await canonize(structuredClone(document), options)}`;
  } catch (error) {
    const e = error as { name?: string; message?: string };
    return `error ${e.name} ${e.message}`;
  }
}

// Text that stresses N-Quads escaping and JSON-LD: quotes, backslashes, newlines, combining marks,
// right-to-left text, emoji (surrogate pairs), and what looks like markup or IRIs.
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('Ana "Ani" López\\n', 'Zoë\u0301 O\'Brien', 'محمد الأحمد', '李小龍 🧑🏽‍🏫', '<b>x</b> &amp;', 'https://example.org/not-an-iri-here', 'line one\nline two\r\n\ttab'),
);
const date = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const observation: fc.Arbitrary<Observation> = fc.record(
  {
    kind: fc.constant('observation' as const),
    date,
    observer: text,
    level: fc.constantFrom('beginning', 'developing', 'proficient', 'exemplary'),
    narrative: text,
    url: fc.webUrl({ withFragments: false, withQueryParameters: false }),
  },
  { requiredKeys: ['kind', 'date', 'observer', 'level'] },
) as fc.Arbitrary<Observation>;

const endorsement = (issuerId: string, comment: string): JsonObject => ({
  '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
  id: 'urn:uuid:5b0f7d7e-6f3a-4a52-9a4e-1f4c8d2b9e01',
  type: ['VerifiableCredential', 'EndorsementCredential'],
  name: 'Endorsement of the program',
  issuer: { id: 'did:web:agency.example.gov', type: ['Profile'], name: 'State agency' },
  validFrom: '2026-01-01T00:00:00Z',
  credentialSubject: { id: issuerId, type: ['EndorsementSubject'], endorsementComment: comment },
  proof: [{ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', created: '2026-01-01T00:00:00Z', verificationMethod: 'did:web:agency.example.gov#key-1', proofPurpose: 'assertionMethod', proofValue: 'z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKELCMF6vpWBCHxSsR' }],
});

const award: fc.Arbitrary<JsonObject> = fc
  .record({
    competency: fc.constantFrom(...BUILT_IN_FRAMEWORK.competencies),
    issuerDid: fc.constantFrom('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', 'did:web:badges.example.edu'),
    issuerName: text,
    issuerUrl: fc.option(fc.webUrl(), { nil: undefined }),
    endorsed: fc.option(text, { nil: undefined }),
    achievementName: fc.option(text, { nil: undefined }),
    recipient: fc.oneof(
      fc.record({ kind: fc.constant('email' as const), email: fc.emailAddress(), salt: fc.string({ minLength: 8, maxLength: 32 }), name: text }),
      fc.record({ kind: fc.constant('did' as const), did: fc.constantFrom('did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH', 'did:example:holder'), name: fc.option(text, { nil: undefined }) }),
    ),
    observations: fc.array(observation, { maxLength: 8 }),
    level: fc.constantFrom('proficient', 'exemplary'),
    validFrom: date,
    validUntil: fc.option(date, { nil: undefined }),
    status: fc.constantFrom<Array<'revocation' | 'suspension'>>([], ['revocation'], ['revocation', 'suspension']),
    index: fc.nat({ max: 131071 }),
  })
  .map((g) => {
    const issuer: IssuerProfile = {
      id: g.issuerDid,
      type: ['Profile'],
      name: g.issuerName,
      ...(g.issuerUrl ? { url: g.issuerUrl } : {}),
      ...(g.endorsed !== undefined ? { endorsement: [endorsement(g.issuerDid, g.endorsed)] } : {}),
    };
    const achievement = toAchievement(BASE, BUILT_IN_FRAMEWORK, g.competency);
    const input: OpenBadgeInput = {
      credentialId: `${BASE}/credentials/${g.index.toString(16).padStart(8, '0')}-2b7d-4c1e-9a51-0d2f8e7b4c10`,
      issuer,
      achievement: g.achievementName === undefined ? achievement : { ...achievement, name: g.achievementName },
      recipient: g.recipient,
      observations: g.observations,
      achievedLevel: g.level,
      validFrom: `${g.validFrom}T00:00:00Z`,
      validUntil: g.validUntil ? `${g.validUntil}T00:00:00Z` : undefined,
      awardedDate: `${g.validFrom}T00:00:00Z`,
      credentialStatus: g.status.map((purpose, i) => statusEntry(BASE, `list-${i}`, purpose, g.index)),
    };
    return buildOpenBadgeCredential(input);
  });

describe('the signing fast path', () => {
  it(`canonicalizes ${RUNS} generated awards exactly as jsonld.toRDF + rdf-canonize do`, async () => {
    const fast = createFastCanonizer(general);
    await fc.assert(
      fc.asyncProperty(award, async (credential) => {
        expect(await outcome(fast.canonize, credential)).toBe(await outcome(general, credential));
      }),
      { numRuns: RUNS },
    );
    // The comparison is worth something only if the fast path was taken, not fallen back from.
    expect(fast.stats.fast).toBe(RUNS);
    expect(fast.stats.general).toBe(0);
  }, RUNS * 200);

  it('signs badges byte-for-byte as the general path does (same created time, deterministic Ed25519)', async () => {
    const key = await importIssuerKey(await generateMultikey());
    const signer = key.signerFor(`${'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'}#key`);
    const created = new Date('2026-03-10T12:00:00Z');
    const before = fastCanonizerFor(documentLoader).stats.fast;
    const samples = fc.sample(award, { numRuns: 25, seed: 2026 });
    try {
      for (const credential of samples) {
        useSigningFastPath(true);
        const viaFast = await signCredential(credential, { suite: 'eddsa-rdfc-2022', signer, documentLoader, created });
        useSigningFastPath(false);
        const viaGeneral = await signCredential(credential, { suite: 'eddsa-rdfc-2022', signer, documentLoader, created });
        expect(JSON.stringify(viaFast)).toBe(JSON.stringify(viaGeneral));
      }
    } finally {
      useSigningFastPath(true);
    }
    expect(fastCanonizerFor(documentLoader).stats.fast - before).toBe(samples.length);
  });

  it('leaves to the general path what it cannot take apart, with the same result or error', async () => {
    const fast = createFastCanonizer(general);
    const [base] = fc.sample(award, { numRuns: 1, seed: 7 });
    if (!base) throw new Error('no sample');
    const subject = base.credentialSubject as JsonObject;
    const achievement = subject.achievement as JsonObject;
    const cases: Array<[string, JsonObject]> = [
      ['an achievement without id', { ...base, credentialSubject: { ...subject, achievement: { ...achievement, id: undefined } } }],
      ['an achievement with its own @context', { ...base, credentialSubject: { ...subject, achievement: { '@context': { extra: 'https://example.org/extra' }, ...achievement, extra: 'x' } } }],
      ['a relative achievement id', { ...base, credentialSubject: { ...subject, achievement: { ...achievement, id: 'achievements/1' } } }],
      ['a credential that is not an Open Badge', { ...base, type: ['VerifiableCredential'] }],
      ['an undefined term inside the achievement (safe mode)', { ...base, credentialSubject: { ...subject, achievement: { ...achievement, notATerm: 1 } } }],
      ['an undefined term inside the issuer (safe mode)', { ...base, issuer: { ...(base.issuer as JsonObject), notATerm: 1 } }],
    ];
    for (const [name, document] of cases) expect(await outcome(fast.canonize, document), name).toBe(await outcome(general, document));
    // The parts it could not take were refused when first met, and not kept as quads.
    const before = fast.stats.general;
    await outcome(fast.canonize, { ...base, type: ['VerifiableCredential'] });
    expect(fast.stats.general).toBe(before + 1);
  });

  it('canonicalizes every hostile fixture as the general path does', async () => {
    const fast = createFastCanonizer(general);
    const dir = new URL('../fixtures/hostile/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'sql-strings.json');
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const document = JSON.parse(readFileSync(new URL(file, dir), 'utf8').replaceAll('{{ISSUER}}', 'did:web:badges.example.edu')) as unknown;
      expect(await outcome(fast.canonize, document), file).toBe(await outcome(general, document));
    }
  });
});
