// Proof suites: Data Integrity `eddsa-rdfc-2022` (what 1EdTech certifies for OB 3.0),
// `eddsa-jcs-2022` (the same signature over JSON canonicalization, no RDF) and
// `Ed25519Signature2020` (what many deployed wallets and verifiers still expect). Signing and
// verification both go through @digitalbazaar/vc with our offline document loader.
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { createSignCryptosuite as eddsaJcs2022Signing, createVerifyCryptosuite as eddsaJcs2022Verifying } from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import jsonld from 'jsonld';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import type { ProofSuiteName } from '../config.js';
import type { DocumentLoader } from './documentLoader.js';
import type { Signer } from './keys.js';
import { createFastCanonizer, type Canonize, type FastCanonizer } from './fastCanonize.js';
import { createCachedVerifier } from './verifierCache.js';
// Side effect: jsonld copies active contexts shallowly (same results, a fraction of the time).
import './jsonldContextClone.js';

export type JsonObject = Record<string, unknown>;

// One fast-path canonizer per document loader: the invariant parts it keeps were read with that
// loader's contexts (src/signing/fastCanonize.ts).
const fastCanonizers = new WeakMap<DocumentLoader, FastCanonizer>();
let fastPath = true;

/** Turns the signing fast path on (the default) or off: the bench compares both; the output is the same. */
export function useSigningFastPath(on: boolean): void {
  fastPath = on;
}

/** The fast-path canonizer signing uses with this loader (for its counters). */
/** A fast canonizer of eddsa-rdfc-2022's canonicalization (for a verifier, whose contexts are pinned). */
export function createRdfcFastCanonizer(): FastCanonizer {
  return createFastCanonizer(eddsaRdfc2022.canonize as Canonize);
}

export function fastCanonizerFor(documentLoader: DocumentLoader): FastCanonizer {
  let found = fastCanonizers.get(documentLoader);
  if (!found) {
    found = createFastCanonizer(eddsaRdfc2022.canonize as Canonize);
    fastCanonizers.set(documentLoader, found);
  }
  return found;
}

export function createSigningSuite(name: ProofSuiteName, signer: Signer, created?: Date, documentLoader?: DocumentLoader): unknown {
  const date = created ?? new Date();
  switch (name) {
    case 'eddsa-rdfc-2022':
      if (fastPath && documentLoader) return new DataIntegrityProof({ signer, cryptosuite: { ...eddsaRdfc2022, canonize: fastCanonizerFor(documentLoader).canonize }, date });
      return new DataIntegrityProof({ signer, cryptosuite: eddsaRdfc2022, date });
    case 'eddsa-jcs-2022':
      return new DataIntegrityProof({ signer, cryptosuite: eddsaJcs2022Signing(), date });
    case 'Ed25519Signature2020':
      return new Ed25519Signature2020({ signer, date });
  }
}

/**
 * Where verification canonicalizes: `canonize` when set (the signing pool's workers, so
 * verification uses every core), else this thread. Read at each call: the pool starts after the
 * verifier is built and stops before it.
 */
export interface CanonizeOffload {
  canonize?: Canonize | undefined;
}

/**
 * The eddsa-rdfc-2022 suite a verifier uses: canonicalizing through `offload` when it is set,
 * else here through `local` (a verifier's own fast canonizer: the same result, src/signing/fastCanonize.ts).
 */
const rdfcVerifying = (offload: CanonizeOffload | undefined, local: Canonize | undefined): unknown => {
  if (!offload && !local) return { ...eddsaRdfc2022, createVerifier: createCachedVerifier };
  const here = local ?? (eddsaRdfc2022.canonize as Canonize);
  return { ...eddsaRdfc2022, createVerifier: createCachedVerifier, canonize: (input: unknown, options: Record<string, unknown>) => (offload?.canonize ?? here)(input, options) };
};

/** eddsa-jcs-2022 for verifying, with the key made once per verification method. */
const jcsVerifying = (): unknown => ({ ...(eddsaJcs2022Verifying() as object), createVerifier: createCachedVerifier });

/** The suites a verifier accepts: one instance each, any valid proof of a set suffices. */
export function createVerifyingSuites(offload?: CanonizeOffload, local?: Canonize): unknown[] {
  return [new DataIntegrityProof({ cryptosuite: rdfcVerifying(offload, local) }), new DataIntegrityProof({ cryptosuite: jcsVerifying() }), new Ed25519Signature2020()];
}

export const DATA_INTEGRITY_V1_CONTEXT = 'https://w3id.org/security/data-integrity/v1';

/**
 * The suites for a document signed under the first Data Integrity context (v1), as early
 * OB 3.0 credentials are (the 1EdTech implementation guide's test vector among them): its
 * proofs must be checked in that context, which v2 is not allowed to redefine.
 */
export function createLegacyVerifyingSuites(offload?: CanonizeOffload, local?: Canonize): unknown[] {
  return [
    new DataIntegrityProof({ cryptosuite: rdfcVerifying(offload, local), legacyContext: true }),
    new DataIntegrityProof({ cryptosuite: jcsVerifying(), legacyContext: true }),
    new Ed25519Signature2020(),
  ];
}

/** True when a document names the Data Integrity v1 context. */
export function usesLegacyDataIntegrityContext(document: Record<string, unknown>): boolean {
  const context = document['@context'];
  return Array.isArray(context) ? context.includes(DATA_INTEGRITY_V1_CONTEXT) : context === DATA_INTEGRITY_V1_CONTEXT;
}

/** The credential types the 1EdTech OB 3.0 (and CLR 2.0) JSON Schemas describe. */
const OPEN_BADGE_TYPES = ['OpenBadgeCredential', 'AchievementCredential', 'EndorsementCredential', 'ClrCredential'];

/**
 * Emits `proof` as an array for Open Badges: the 1EdTech OB 3.0 JSON Schema types `proof` as
 * an array, and the Data Integrity spec allows a proof set, so one shape satisfies both the
 * schema and independent verifiers. Every other credential (a status list, a VC-API caller's
 * credential) keeps the single proof object the VC-API and most verifiers expect.
 */
export function asProofSet(credential: JsonObject): JsonObject {
  const { proof } = credential;
  if (proof === undefined || Array.isArray(proof)) return credential;
  const types = Array.isArray(credential.type) ? credential.type : [credential.type];
  if (!types.some((t) => typeof t === 'string' && OPEN_BADGE_TYPES.includes(t))) return credential;
  return { ...credential, proof: [proof] };
}

export interface SignOptions {
  suite: ProofSuiteName;
  signer: Signer;
  documentLoader: DocumentLoader;
  created?: Date | undefined;
}

/** Signs a credential; JSON-LD safe mode rejects any term no context defines. */
export async function signCredential(credential: JsonObject, options: SignOptions): Promise<JsonObject> {
  // JCS signs the JSON as written, so the JSON-LD rules (every context pinned, every term
  // defined) are checked here: a JCS credential must mean the same to a JSON-LD verifier.
  if (options.suite === 'eddsa-jcs-2022') await jsonld.expand(structuredClone(credential), { documentLoader: options.documentLoader, safe: true });
  const suite = createSigningSuite(options.suite, options.signer, options.created, options.documentLoader);
  // vc.issue mutates its input (it adds the suite context and the proof): give it a copy.
  const signed = await vc.issue({ credential: structuredClone(credential), suite, documentLoader: options.documentLoader });
  return asProofSet(signed);
}
