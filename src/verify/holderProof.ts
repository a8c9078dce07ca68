// Who holds a presentation: only a key whose own proof verified, for authentication, with the
// verifier's challenge and domain on that same proof (VC Data Model 2.0 §5.12 "Verifiable
// Presentations" and VC Data Integrity §4.? proof sets: each proof of a set is a separate
// statement by its own signer, so one proof's challenge or signer says nothing about another).
// A proof set is checked proof by proof; no field is read from "the first proof". The verify
// pipeline (presentations) and the claim exchange (DID authentication) both decide here.
import jsigs from 'jsonld-signatures';
import type { DocumentLoader } from '../signing/documentLoader.js';
import { VERIFICATION_LIMITS } from './limits.js';
import { describeProofError } from './proofErrors.js';
import { asArray, idOf, isObject, type Json } from '../credentials/jsonValues.js';

/** A wallet signs a presentation once, or a few times with several suites; more is a load. */
export const MAX_PRESENTATION_PROOFS = VERIFICATION_LIMITS.proofsPerPresentation;

export interface HolderProofOptions {
  /** The challenge the verifier gave: every proof claiming the holder must carry it. */
  challenge?: string | undefined;
  /** The domain the verifier gave: every proof claiming the holder must carry it. */
  domain?: string | undefined;
  /** Accept a proof that states no domain (the claim exchange's plain deep-link flow). */
  domainOptional?: boolean | undefined;
  suites: unknown[];
  documentLoader: DocumentLoader;
}

export interface ProofOutcome {
  /** Position in the proof set. */
  index: number;
  /** The DID (or controller URL) the proof's verificationMethod names. */
  claimed: string | undefined;
  verificationMethod: string | undefined;
  verified: boolean;
  /** The controller that authorized the key for authentication (only when verified). */
  signer?: string | undefined;
  code?: string | undefined;
  reason: string;
}

export type HolderAuthentication =
  | { ok: true; holder: string; proofs: ProofOutcome[]; warnings: string[] }
  | {
      ok: false;
      /** `proof`: a proof failed or none verified; `holder`: the proofs do not establish the holder. */
      stage: 'proof' | 'holder';
      code: string;
      reason: string;
      proofs: ProofOutcome[];
      warnings: string[];
    };

const didOf = (verificationMethod: unknown): string | undefined => {
  const id = typeof verificationMethod === 'string' ? verificationMethod : isObject(verificationMethod) ? verificationMethod.id : undefined;
  return typeof id === 'string' ? id.split('#')[0] : undefined;
};

const controllerOf = (result: Json | undefined): string | undefined => {
  const purpose = result?.purposeResult;
  const controller = isObject(purpose) ? purpose.controller : undefined;
  if (isObject(controller) && typeof controller.id === 'string') return controller.id;
  const method = result?.verificationMethod;
  const stated = isObject(method) ? method.controller : undefined;
  if (typeof stated === 'string') return stated;
  return isObject(stated) && typeof stated.id === 'string' ? stated.id : undefined;
};

/** One proof of the set, alone: signature, authentication purpose, challenge and domain. */
async function verifyOneProof(presentation: Json, proof: unknown, index: number, options: HolderProofOptions): Promise<ProofOutcome> {
  if (!isObject(proof)) return { index, claimed: undefined, verificationMethod: undefined, verified: false, code: 'proof_invalid', reason: `proof ${index + 1} is not an object` };
  const verificationMethod = typeof proof.verificationMethod === 'string' ? proof.verificationMethod : undefined;
  const base = { index, claimed: didOf(proof.verificationMethod), verificationMethod };
  const fail = (code: string, reason: string): ProofOutcome => ({ ...base, verified: false, code, reason });
  if (proof.proofPurpose !== 'authentication') return fail('proof_purpose_invalid', `proof ${index + 1} is for ${JSON.stringify(proof.proofPurpose ?? null)}, not authentication`);
  if (options.challenge !== undefined && proof.challenge !== options.challenge) {
    return fail('challenge_mismatch', `proof ${index + 1} answers challenge ${JSON.stringify(proof.challenge ?? null)}, not the one this verifier gave: it may be a replay`);
  }
  const domainRequired = options.domain !== undefined && !(options.domainOptional && proof.domain === undefined);
  if (domainRequired && !asArray(proof.domain).includes(options.domain)) {
    return fail('domain_mismatch', `proof ${index + 1} is for domain ${JSON.stringify(proof.domain ?? null)}, not ${JSON.stringify(options.domain)}`);
  }
  const challenge = options.challenge ?? (typeof proof.challenge === 'string' ? proof.challenge : undefined);
  const purpose =
    challenge !== undefined
      ? new jsigs.purposes.AuthenticationProofPurpose({ challenge, domain: domainRequired ? options.domain : undefined })
      : new jsigs.purposes.ControllerProofPurpose({ term: 'authentication' });
  // Each proof of a set signs the presentation without the set (VC Data Integrity, proof sets),
  // so the presentation with this one proof is what it signed.
  const single = { ...presentation, proof };
  let result: Awaited<ReturnType<typeof jsigs.verify>>;
  try {
    result = await jsigs.verify(single, { suite: options.suites, purpose, documentLoader: options.documentLoader });
  } catch (error) {
    result = { verified: false, error };
  }
  const own = (result.results ?? [])[0] as Json | undefined;
  if (!result.verified || own?.verified !== true) {
    const { code, reason } = describeProofError(result, 'authentication');
    return fail(code === 'proof_unsupported' ? 'presentation_proof_unsupported' : code, `proof ${index + 1} by ${verificationMethod ?? 'an unnamed key'}: ${reason.replace(/\.$/, '')}`);
  }
  const signer = controllerOf(own) ?? base.claimed;
  // The key's controller authorized it; a proof naming one DID's key is that DID's statement
  // only. (A pinned https key's controller is whatever its pinned document says.)
  const isDidKeyUrl = verificationMethod?.startsWith('did:') === true;
  if (signer === undefined || (isDidKeyUrl && signer !== base.claimed)) {
    return fail('key_not_authorized', `proof ${index + 1}: the key ${verificationMethod ?? ''} is controlled by ${signer ?? 'nobody'}, not by ${base.claimed ?? 'the DID it names'}`);
  }
  return { ...base, claimed: isDidKeyUrl ? base.claimed : signer, verified: true, signer, reason: `proof ${index + 1} by ${verificationMethod ?? signer} verifies` };
}

/**
 * Authenticates the holder of a presentation:
 * - every proof is verified on its own (signature, purpose `authentication`, challenge, domain);
 * - the holder is the presentation's `holder` when named, otherwise the one controller whose
 *   proofs verified (two signers and no holder named: unknown, refused);
 * - a named holder whose own proof did not verify is refused, and every proof that claims the
 *   holder's key must verify;
 * - proofs by other keys authenticate nobody: reported as warnings, never the holder; one of
 *   them that does not verify refuses the presentation too (fail closed).
 */
export async function authenticateHolder(presentation: Json, options: HolderProofOptions): Promise<HolderAuthentication> {
  const set = asArray(presentation.proof);
  const warnings: string[] = [];
  const refuse = (stage: 'proof' | 'holder', code: string, reason: string, proofs: ProofOutcome[] = []): HolderAuthentication => ({ ok: false, stage, code, reason, proofs, warnings });
  if (set.length === 0) return refuse('proof', 'presentation_unsigned', 'The presentation is not signed by its holder.');
  if (set.length > MAX_PRESENTATION_PROOFS) return refuse('proof', 'too_many_proofs', `A presentation may carry at most ${MAX_PRESENTATION_PROOFS} proofs; this one carries ${set.length}.`);
  const proofs = await Promise.all(set.map((p, i) => verifyOneProof(presentation, p, i, options)));
  const malformed = proofs.find((p) => p.code === 'proof_invalid');
  if (malformed) return refuse('proof', 'proof_invalid', `The presentation's proof set is malformed: ${malformed.reason}.`, proofs);

  const declared = idOf(presentation.holder);
  const signers = [...new Set(proofs.filter((p) => p.verified).map((p) => p.signer as string))];
  let holder: string;
  if (declared !== undefined) {
    holder = declared;
  } else if (signers.length === 1) {
    holder = signers[0] as string;
  } else if (signers.length > 1) {
    return refuse('holder', 'holder_ambiguous', `The presentation names no holder and is signed by ${signers.join(' and ')}: it cannot tell who holds it.`, proofs);
  } else {
    const first = proofs[0] as ProofOutcome;
    return refuse('proof', first.code ?? 'proof_invalid', `No proof of the presentation verifies: ${proofs.map((p) => p.reason).join('; ')}.`, proofs);
  }

  // Every proof that claims the holder's key must verify, on its own.
  const holderProofs = proofs.filter((p) => p.claimed === holder || p.signer === holder);
  const broken = holderProofs.find((p) => !p.verified);
  if (broken) return refuse('proof', broken.code ?? 'proof_invalid', `A proof made in the holder's name does not verify: ${broken.reason}.`, proofs);
  if (holderProofs.length === 0) {
    const signedBy = signers.length > 0 ? `it is signed by ${signers.join(', ')}` : `no proof verifies (${proofs.map((p) => p.reason).join('; ')})`;
    return refuse('holder', 'holder_not_signer', `The presentation names ${holder} as holder, but ${holder} did not sign it: ${signedBy}.`, proofs);
  }
  // A broken proof in someone else's name authenticates nobody, and no honest wallet sends one.
  const forged = proofs.find((p) => !p.verified);
  if (forged) return refuse('proof', forged.code ?? 'proof_invalid', `A proof of the presentation does not verify: ${forged.reason}.`, proofs);
  for (const other of proofs.filter((p) => !holderProofs.includes(p))) {
    warnings.push(`Also signed by ${other.signer ?? 'another key'}, which is not the holder: that proof authenticates nobody here.`);
  }
  return { ok: true, holder, proofs, warnings };
}
