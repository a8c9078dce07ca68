// The key proof of a credential request (OID4VCI 1.0 §8.2.1.1 and Appendix F.1, proof type
// `jwt`): a JWT the wallet signs with the key the credential is to be bound to. The holder is
// the DID of that key: a `kid` naming a did:key or did:jwk verification method, or a `jwk`
// header (bound as the did:jwk of that key, so every badge names its holder by a DID, as the
// VC-API exchange's do). Checked with educred's own JWS verification
// (src/credentials/jwtCredential.ts); every failure is `invalid_proof`, except a nonce that is
// stale or not ours, which is `invalid_nonce` (§8.3.1.2) so the wallet fetches a new one.
import type { KeyObject } from 'node:crypto';
import { decodeJwt, JwtFormatError, publicKeyFromJwk, verifyJwsSignature, verifyJwtByKid, type DecodedJwt } from '../credentials/jwtCredential.js';
import type { DocumentLoader } from '../signing/documentLoader.js';
import { didJwkOf, type PublicJwk } from '../signing/didJwk.js';
import { OauthError } from './errors.js';
import { checkNonce } from './grantSecrets.js';
import { PROOF_ALGORITHMS } from './metadata.js';

/** Appendix F.1: the typ of a key proof JWT. */
export const KEY_PROOF_TYP = 'openid4vci-proof+jwt';
/** How old a proof's `iat` may be, and how far in the future (clock skew). */
const MAX_PROOF_AGE_S = 300;
const MAX_SKEW_S = 60;

export interface KeyProofOptions {
  /** The credential issuer identifier the proof must name as `aud`. */
  audience: string;
  nonceSecret: KeyObject;
  documentLoader: DocumentLoader;
  now: Date;
}

const invalid = (description: string): OauthError => new OauthError('invalid_proof', description);

/** Verifies a key proof JWT and returns the holder DID it proves. */
export async function verifyKeyProof(jwt: unknown, options: KeyProofOptions): Promise<string> {
  if (typeof jwt !== 'string') throw invalid('The jwt proof must be a compact JWT string');
  let decoded: DecodedJwt;
  try {
    decoded = decodeJwt(jwt);
  } catch (error) {
    if (error instanceof JwtFormatError) throw invalid(`The key proof is not a JWT: ${error.message}`);
    throw error;
  }
  const { header, payload } = decoded;
  if (header.typ !== KEY_PROOF_TYP) throw invalid(`The key proof's typ must be ${KEY_PROOF_TYP} (OID4VCI 1.0 Appendix F.1), not ${JSON.stringify(header.typ ?? null)}`);
  if (typeof header.alg !== 'string' || !(PROOF_ALGORITHMS as readonly string[]).includes(header.alg)) {
    throw invalid(`The key proof is signed with ${JSON.stringify(header.alg ?? null)}; this issuer accepts ${PROOF_ALGORITHMS.join(', ')}`);
  }
  const keyHeaders = ['kid', 'jwk', 'x5c'].filter((name) => header[name] !== undefined);
  if (keyHeaders.length !== 1) throw invalid('The key proof must name its key by exactly one of kid (a DID URL) or jwk (Appendix F.1)');
  if (header.x5c !== undefined) throw invalid('x5c key proofs are not accepted: name the key as a did:key or did:jwk kid, or as a jwk');

  let holder: string;
  if (header.jwk !== undefined) {
    let key: KeyObject;
    try {
      key = publicKeyFromJwk(header.jwk);
    } catch (error) {
      throw invalid(`The key proof's jwk is not a public key: ${(error as Error).message}`);
    }
    if (!verifyJwsSignature(decoded, key, PROOF_ALGORITHMS)) throw invalid('The key proof signature does not verify with its jwk');
    const jwk = header.jwk as PublicJwk;
    holder = didJwkOf(jwk);
  } else {
    const kid = String(header.kid);
    if (!kid.startsWith('did:key:') && !kid.startsWith('did:jwk:')) throw invalid(`The key proof's kid must be a did:key or did:jwk verification method, not ${JSON.stringify(kid)}`);
    const signed = await verifyJwtByKid(decoded, { documentLoader: options.documentLoader, relationship: 'authentication', algorithms: PROOF_ALGORITHMS });
    if (!signed.ok) throw invalid(`The key proof does not verify: ${signed.reason}`);
    holder = signed.controller;
  }

  // Appendix F.1: aud is the credential issuer identifier; iat is required.
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!aud.includes(options.audience)) throw invalid(`The key proof is for audience ${JSON.stringify(payload.aud ?? null)}, not this credential issuer (${options.audience})`);
  const now = Math.floor(options.now.getTime() / 1000);
  if (typeof payload.iat !== 'number') throw invalid('The key proof has no iat');
  if (payload.iat > now + MAX_SKEW_S) throw invalid('The key proof is issued in the future (iat)');
  if (payload.iat < now - MAX_PROOF_AGE_S) throw invalid(`The key proof is older than ${MAX_PROOF_AGE_S} seconds (iat)`);
  if (typeof payload.exp === 'number' && payload.exp <= now) throw invalid('The key proof has expired (exp)');
  // §7.2 / §8.3.1.2: no nonce is invalid_proof; a nonce that is stale or not this issuer's is invalid_nonce.
  if (payload.nonce === undefined) throw invalid('The key proof carries no nonce: fetch one from the nonce endpoint');
  const nonce = checkNonce(options.nonceSecret, payload.nonce, options.now);
  if (nonce === 'stale') throw new OauthError('invalid_nonce', 'The key proof\'s nonce has expired: fetch a new one from the nonce endpoint');
  if (nonce === 'invalid') throw new OauthError('invalid_nonce', 'The key proof\'s nonce was not issued by this credential issuer: fetch one from the nonce endpoint');
  return holder;
}
