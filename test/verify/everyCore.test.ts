// Verification on every core (issue 20): with a signing pool, the verifier canonicalizes proofs in
// its workers, while DID documents, status lists and caches stay on the main thread. The reports
// are exactly those of canonicalizing in this thread: valid badges, a tampered one, a proof by an
// unknown key, and a presentation of seven badges whose credentials verify side by side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { BUILT_IN_FRAMEWORK } from '../../src/competencies/framework.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { createTestWallet, type TestWallet } from '../helpers/wallet.js';

let t: TestInstance;
let wallet: TestWallet;
const badges: Array<Record<string, unknown>> = [];
let offloaded = 0;
let pooledCanonize: (input: unknown, options: Record<string, unknown>) => Promise<string>;

beforeAll(async () => {
  // Two signing workers, as the server runs on two cores (the test default signs in this thread).
  t = await createTestInstance({ env: { EDUCRED_SIGNING_WORKERS: '2' } });
  const canonize = t.runtime.verifyOffload.canonize;
  if (!canonize) throw new Error('the service did not lend its signing pool to the verifier');
  pooledCanonize = canonize;
  t.runtime.verifyOffload.canonize = (input, options) => {
    offloaded++;
    return canonize(input, options);
  };
  wallet = await createTestWallet();
  for (const competency of BUILT_IN_FRAMEWORK.competencies) {
    const response = await postJson(t.app, '/awards', awardBody({ achievement: competency.code, recipient: { id: wallet.did, name: 'Ana Lopez' } }));
    expect(response.status).toBe(201);
    badges.push(((await response.json()) as { credential: Record<string, unknown> }).credential);
  }
}, 120_000);
afterAll(() => t.close());

/** The same document verified with canonicalization in the workers, then in this thread. */
async function bothWays(document: unknown, options: { challenge?: string } = {}): Promise<[unknown, unknown]> {
  const pooled = t.runtime.verifyOffload.canonize;
  t.runtime.verifier.clearCaches();
  const before = offloaded;
  const inWorkers = await t.runtime.verifier.verifyDocument(structuredClone(document), options);
  expect(offloaded, 'canonicalized in the workers').toBeGreaterThan(before);
  t.runtime.verifyOffload.canonize = undefined;
  try {
    t.runtime.verifier.clearCaches();
    const here = await t.runtime.verifier.verifyDocument(structuredClone(document), options);
    return [inWorkers, here];
  } finally {
    t.runtime.verifyOffload.canonize = pooled;
  }
}

describe('verification in the signing workers', () => {
  it('verifies a badge exactly as in this thread', async () => {
    const [pooled, here] = await bothWays(badges[0]);
    expect((pooled as { report: { verified: boolean } }).report.verified).toBe(true);
    expect(pooled).toEqual(here);
  });

  it('refuses a tampered badge with the same report', async () => {
    const tampered = structuredClone(badges[1]) as Record<string, unknown>;
    tampered.name = 'Something else entirely';
    const [pooled, here] = await bothWays(tampered);
    expect((pooled as { report: { verified: boolean } }).report.verified).toBe(false);
    expect(pooled).toEqual(here);
  });

  it('loads what is not pinned through the main thread\'s loader, and reports its refusal in the same words', async () => {
    const extraUrl = 'https://contexts.example.org/extra.jsonld';
    const document = {
      '@context': ['https://www.w3.org/ns/credentials/v2', extraUrl],
      type: ['VerifiableCredential'],
      issuer: 'did:example:issuer',
      validFrom: '2026-01-01T00:00:00Z',
      credentialSubject: { id: 'did:example:subject', extraTerm: 'x' },
    };
    const served = async (url: string) =>
      url === extraUrl ? { contextUrl: null, documentUrl: url, document: { '@context': { extraTerm: 'https://example.org/extraTerm' } } } : t.runtime.issuer.documentLoader(url);
    const options = { base: null, safe: true };
    const inThread = eddsaRdfc2022.canonize as (input: unknown, o: Record<string, unknown>) => Promise<string>;
    expect(await pooledCanonize(document, { ...options, documentLoader: served })).toBe(await inThread(document, { ...options, documentLoader: served }));
    // The issuer's own loader refuses the unpinned context: the same error crosses the thread.
    const refusal = async (canonize: typeof inThread) =>
      canonize(document, { ...options, documentLoader: t.runtime.issuer.documentLoader }).then(
        () => 'canonicalized',
        (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`,
      );
    const [pooled, here] = [await refusal(pooledCanonize), await refusal(inThread)];
    expect(pooled).not.toBe('canonicalized');
    expect(pooled).toBe(here);
  });

  it('verifies a presentation of seven badges, side by side, as in this thread', async () => {
    const challenge = 'every-core-challenge';
    const presentation = await wallet.present({ credentials: badges, challenge });
    const [pooled, here] = await bothWays(presentation, { challenge });
    const report = (pooled as { report: { verified: boolean; credentials: unknown[] } }).report;
    expect(report.verified).toBe(true);
    expect(report.credentials).toHaveLength(7);
    expect(pooled).toEqual(here);
  });
});
