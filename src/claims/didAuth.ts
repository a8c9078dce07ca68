// Verifies a wallet's DID-authentication presentation (VC-API exchanges, VP Request Spec
// "DIDAuthentication"): a presentation signed by the holder's key with proof purpose
// `authentication`, over our challenge (and our domain when the wallet was given one).
import type { DocumentLoader } from '../signing/documentLoader.js';
import { createVerifyingSuites } from '../signing/suites.js';
import { authenticateHolder } from '../verify/holderProof.js';
import { DidAuthenticationError } from './errors.js';
import { HOLDER_DID_METHODS } from './holderDocuments.js';

const ACCEPTED = HOLDER_DID_METHODS.map((m) => `did:${m}:`);
const isAcceptedDid = (did: string): boolean => ACCEPTED.some((prefix) => did.startsWith(prefix));
const ACCEPTED_TEXT = `acceptedMethods: ${HOLDER_DID_METHODS.join(', ')}`;

export interface DidAuthOptions {
  challenge: string;
  /** Our domain as the VPR states it; a presentation from a plain deep link carries none. */
  domain: string;
  documentLoader: DocumentLoader;
}

/** Returns the authenticated holder DID, or throws DidAuthenticationError saying why not. */
export async function verifyDidAuthentication(presentation: unknown, options: DidAuthOptions): Promise<string> {
  if (typeof presentation !== 'object' || presentation === null || Array.isArray(presentation)) {
    throw new DidAuthenticationError('The verifiable presentation must be a JSON object');
  }
  const vp = presentation as Record<string, unknown>;
  const types = Array.isArray(vp.type) ? vp.type : [vp.type];
  if (!types.includes('VerifiablePresentation')) throw new DidAuthenticationError("The presentation's type must include 'VerifiablePresentation'");
  if (vp.proof === undefined || (Array.isArray(vp.proof) && vp.proof.length === 0)) {
    throw new DidAuthenticationError('The presentation carries no proof: sign it with the DID you want the badge bound to');
  }
  const named = typeof vp.holder === 'string' ? vp.holder : typeof vp.holder === 'object' && vp.holder !== null ? (vp.holder as { id?: unknown }).id : undefined;
  if (named !== undefined && (typeof named !== 'string' || !isAcceptedDid(named))) {
    throw new DidAuthenticationError(`Only did:key, did:jwk and did:web holders are accepted (${ACCEPTED_TEXT}): the presentation names another holder`);
  }
  // The holder is only a key whose own proof verified, with this exchange's challenge (and our
  // domain, when the proof states one: LCW's deep-link flow signs without) on that same proof.
  const authentication = await authenticateHolder(vp, {
    challenge: options.challenge,
    domain: options.domain,
    domainOptional: true,
    suites: createVerifyingSuites(),
    documentLoader: options.documentLoader,
  });
  if (!authentication.ok) {
    const { code, reason } = authentication;
    const prefix = code === 'challenge_mismatch' ? "The presentation's proof does not carry this exchange's challenge" : code === 'domain_mismatch' ? "The presentation's proof is for another domain" : code === 'holder_not_signer' ? "The presentation's holder is not the DID that signed it" : 'The presentation did not verify';
    throw new DidAuthenticationError(`${prefix}: ${reason}`);
  }
  const { holder } = authentication;
  if (!isAcceptedDid(holder)) {
    throw new DidAuthenticationError(`Only did:key, did:jwk and did:web holders are accepted (${ACCEPTED_TEXT}): the proof must name a verification method of one`);
  }
  return holder;
}
