// Signing throughput: how many Open Badges credentials one core signs per second with each
// proof suite, and where the time goes (JSON-LD canonicalization versus the Ed25519 signature).
//
// Method. A realistic credential (the one POST /awards builds: achievement with rubric and
// alignment, five observations, hashed email recipient) is signed N times in a row with
// @digitalbazaar/vc, the offline loader and safe mode, as signCredential() does, after a
// warm-up that fills the loader's and jsonld's caches. The suites are the real ones with two
// probes: the suite's canonize step (called for the document and for the proof configuration;
// it includes JSON-LD expansion and conversion to RDF, then RDFC-1.0) and the signer (Ed25519
// via node:crypto, key imported once) are wrapped in timers. So the split is measured inside the
// very runs that give the throughput, not in separate runs. "Other" is the rest: the library's
// checks, hashing, proof assembly and encoding. The document and the proof configuration are
// canonicalized concurrently, so the canonicalization column is the wall time during which
// either was in progress. RDFC-1.0 proper (without expansion) is timed apart, by
// canonicalizing the document's N-Quads again.
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { createSignCryptosuite as eddsaJcs2022Signing } from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import jsonld from 'jsonld';
import { BUILT_IN_FRAMEWORK, findCompetency } from '../src/competencies/framework.js';
import type { Observation } from '../src/competencies/mastery.js';
import { PROOF_SUITES, type ProofSuiteName } from '../src/config.js';
import { toAchievement } from '../src/credentials/achievement.js';
import { buildOpenBadgeCredential } from '../src/credentials/openBadge.js';
import { resolveDidKey } from '../src/signing/did.js';
import { createDocumentLoader, type DocumentLoader } from '../src/signing/documentLoader.js';
import { createIssuer, type Issuer } from '../src/signing/issuer.js';
import { generateMultikey, importIssuerKey, type Signer } from '../src/signing/keys.js';
import type { JsonObject } from '../src/signing/suites.js';
import { ms, type Row } from './report.js';

export interface SigningResult {
  suite: ProofSuiteName;
  credentials: number;
  perSecond: number;
  msPerCredential: number;
  /** Document and proof configuration together, per credential. */
  canonicalizeMs: number;
  /** RDFC-1.0 of the document's N-Quads alone (part of canonicalizeMs). */
  rdfcDocumentMs: number;
  signMs: number;
  otherMs: number;
}

const BASE_URL = 'https://badges.example.edu';

export function sampleCredential(issuer: Issuer): JsonObject {
  const competency = findCompetency(BUILT_IN_FRAMEWORK, 'formative-assessment');
  if (!competency) throw new Error('the built-in framework lost formative-assessment');
  const observations: Observation[] = Array.from({ length: 5 }, (_, i) => ({
    kind: 'observation',
    date: `2026-03-0${i + 1}`,
    observer: 'Dr. Maya Rivera',
    level: 'proficient',
    narrative: 'Used exit tickets to regroup students for the next lesson.',
  }));
  return buildOpenBadgeCredential({
    credentialId: `${BASE_URL}/credentials/6f1c9a3e-2b7d-4c1e-9a51-0d2f8e7b4c10`,
    issuer: issuer.profile,
    achievement: toAchievement(BASE_URL, BUILT_IN_FRAMEWORK, competency),
    recipient: { kind: 'email', email: 'ana@example.edu', salt: '0123456789abcdef0123456789abcdef', name: 'Ana Lopez' },
    observations,
    achievedLevel: 'proficient',
    validFrom: '2026-03-10T00:00:00Z',
    awardedDate: '2026-03-10T00:00:00Z',
  });
}

/**
 * Accumulates the wall time during which at least one call of the wrapped functions is in
 * progress. The suites canonicalize the document and the proof configuration concurrently
 * (Promise.all), so summing each call's own duration would count the overlap twice.
 */
class BusyTimer {
  ms = 0;
  private active = 0;
  private since = 0;

  wrap<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args: A) => {
      if (this.active++ === 0) this.since = performance.now();
      try {
        return await fn(...args);
      } finally {
        if (--this.active === 0) this.ms += performance.now() - this.since;
      }
    };
  }
}

interface Probes {
  canonize: BusyTimer;
  sign: BusyTimer;
}

const newProbes = (): Probes => ({ canonize: new BusyTimer(), sign: new BusyTimer() });

type CanonizeFn = (input: unknown, options: Record<string, unknown>) => Promise<string>;

/** The suite signCredential() would build, with timers around canonicalization and signing. */
function probedSuite(suite: ProofSuiteName, signer: Signer, probes: Probes): unknown {
  const probedSigner: Signer = { ...signer, sign: probes.sign.wrap(signer.sign.bind(signer)) };
  const date = new Date('2026-03-10T00:00:00Z');
  if (suite === 'eddsa-rdfc-2022') {
    const canonize = eddsaRdfc2022.canonize as CanonizeFn;
    return new DataIntegrityProof({ signer: probedSigner, date, cryptosuite: { ...eddsaRdfc2022, canonize: probes.canonize.wrap(canonize) } });
  }
  if (suite === 'eddsa-jcs-2022') {
    // JSON canonicalization only; signCredential() adds a JSON-LD safe-mode expansion before it.
    const jcs = eddsaJcs2022Signing();
    return new DataIntegrityProof({ signer: probedSigner, date, cryptosuite: { ...jcs, canonize: probes.canonize.wrap(jcs.canonize as CanonizeFn) } });
  }
  // LinkedDataSignature canonicalizes the document and the proof through this one method.
  const ed2020 = new Ed25519Signature2020({ signer: probedSigner, date }) as { canonize: CanonizeFn };
  ed2020.canonize = probes.canonize.wrap(ed2020.canonize.bind(ed2020));
  return ed2020;
}

async function benchSuite(suite: ProofSuiteName, n: number, signer: Signer, credential: JsonObject, documentLoader: DocumentLoader): Promise<SigningResult> {
  const issue = (probes: Probes): Promise<JsonObject> =>
    vc.issue({ credential: structuredClone(credential), suite: probedSuite(suite, signer, probes), documentLoader });
  const warmUp = Math.max(10, Math.round(n / 10));
  for (let i = 0; i < warmUp; i++) await issue(newProbes());

  const probes = newProbes();
  const start = performance.now();
  let signed: JsonObject = {};
  for (let i = 0; i < n; i++) signed = await issue(probes);
  const total = (performance.now() - start) / n;

  // RDFC-1.0 alone: re-canonicalize the document's N-Quads, so no JSON-LD processing is left.
  const { proof: _proof, ...document } = signed;
  const nquads = (await jsonld.canonize(document, { algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: true })) as string;
  const rdfcStart = performance.now();
  for (let i = 0; i < n; i++) await jsonld.canonize(nquads, { inputFormat: 'application/n-quads', algorithm: 'RDFC-1.0', format: 'application/n-quads' });
  const rdfc = (performance.now() - rdfcStart) / n;

  const canonicalize = probes.canonize.ms / n;
  const sign = probes.sign.ms / n;
  return {
    suite,
    credentials: n,
    perSecond: Math.round(1000 / total),
    msPerCredential: ms(total),
    canonicalizeMs: ms(canonicalize),
    rdfcDocumentMs: ms(rdfc),
    signMs: ms(sign),
    otherMs: ms(total - canonicalize - sign),
  };
}

export async function benchSigning(n = 200): Promise<{ rows: Row[]; results: SigningResult[] }> {
  const keyFile = await generateMultikey();
  const key = await importIssuerKey(keyFile);
  const documentLoader = createDocumentLoader({ resolveDid: resolveDidKey });
  const issuer = createIssuer({ key, suite: 'eddsa-rdfc-2022', documentLoader, name: 'educred bench issuer' });
  const signer = key.signerFor(issuer.identity.verificationMethod);
  const credential = sampleCredential(issuer);
  const results: SigningResult[] = [];
  for (const suite of PROOF_SUITES) results.push(await benchSuite(suite, n, signer, credential, documentLoader));
  const rows = results.map((r) => ({
    suite: r.suite,
    'signed/s': r.perSecond,
    'ms/cred': r.msPerCredential,
    'canonicalize ms': r.canonicalizeMs,
    '(of which RDFC doc)': r.rdfcDocumentMs,
    'sign ms': r.signMs,
    'other ms': r.otherMs,
  }));
  return { rows, results };
}
