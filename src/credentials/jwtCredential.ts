// JWT-secured Open Badges: the same OB 3.0 credential, secured as a JWS instead of a Data
// Integrity proof. The shape is Open Badges 3.0 §8.2 "JSON Web Token Proof Format" (which is the
// VC Data Model 1.1 §6.3.1 JWT encoding that OID4VCI 1.0 Appendix A.1.1 `jwt_vc_json` names):
//   header  {alg: "EdDSA", typ: "JWT", kid: <the issuer's verification method>}
//   payload {vc: <credential, no proof>, iss: issuer.id, jti: id, sub: credentialSubject.id,
//            nbf: validFrom, iat: validFrom, exp: validUntil}
// Signing goes through the issuer's key provider (PureEdDSA, RFC 8037 §3.1), so a key in a
// PKCS#11 token signs JWTs too. Verification resolves `kid` with the verifier's own document
// loader (did:key, did:jwk offline; did:web through the guarded fetcher; pinned documents) and
// checks the signature with node:crypto. JWT presentations (VC DM 1.1 §6.3.1, `vp` claim) are
// verified here as well, for OID4VP: the holder's key must be listed for authentication.
import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { DocumentLoader } from '../signing/documentLoader.js';
import type { KeyProvider } from '../signing/keyProvider.js';
import { asArray, idOf, isObject, type Json } from './jsonValues.js';

/** The media type VC-JOSE-COSE gives JWT-secured credentials in an EnvelopedVerifiableCredential data: URL. */
export const ENVELOPED_MEDIA_TYPES = ['application/vc+jwt', 'application/jwt', 'application/vc-ld+jwt'];
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** A JWT badge is a few KB; a bounded parse keeps a pasted megabyte from being base64-decoded. */
export const MAX_JWT_LENGTH = 512 * 1024;

export class JwtFormatError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DecodedJwt {
  header: Json;
  payload: Json;
  signingInput: string;
  signature: Buffer;
}

const b64json = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const seconds = (iso: unknown): number | undefined => {
  if (typeof iso !== 'string') return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
};

/** True for a compact JWS (three base64url segments). */
export const isCompactJwt = (value: unknown): value is string => typeof value === 'string' && value.length <= MAX_JWT_LENGTH && COMPACT_JWS.test(value.trim());

/**
 * The compact JWT a document carries: the JWT itself, or a VC 2.0 EnvelopedVerifiableCredential
 * (or EnvelopedVerifiablePresentation) whose `id` is `data:application/vc+jwt,<jwt>`.
 */
export function envelopedJwt(document: unknown): string | undefined {
  if (typeof document === 'string') return isCompactJwt(document) ? document.trim() : undefined;
  if (!isObject(document)) return undefined;
  const types = asArray(document.type);
  if (!types.includes('EnvelopedVerifiableCredential') && !types.includes('EnvelopedVerifiablePresentation')) return undefined;
  const id = typeof document.id === 'string' ? document.id : '';
  const match = /^data:([^,;]+)(;[^,]*)?,(.*)$/s.exec(id);
  if (!match || !ENVELOPED_MEDIA_TYPES.includes(match[1] ?? '')) return undefined;
  const jwt = decodeURIComponent(match[3] ?? '');
  return isCompactJwt(jwt) ? jwt : undefined;
}

/** Decodes a compact JWS without checking anything but its form; throws JwtFormatError. */
export function decodeJwt(jwt: string): DecodedJwt {
  const text = jwt.trim();
  if (!isCompactJwt(text)) throw new JwtFormatError('jwt_malformed', 'Not a compact JWT (three base64url segments separated by dots).');
  const [h, p, s] = text.split('.') as [string, string, string];
  const part = (segment: string, what: string): Json => {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    } catch {
      throw new JwtFormatError('jwt_malformed', `The JWT's ${what} is not base64url-encoded JSON.`);
    }
    if (!isObject(value)) throw new JwtFormatError('jwt_malformed', `The JWT's ${what} is not a JSON object.`);
    return value;
  };
  return { header: part(h, 'header'), payload: part(p, 'payload'), signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

/**
 * The credential a JWT carries: the `vc` claim (OB 3.0 §8.2, VC DM 1.1 §6.3.1), or, for a
 * VC-JOSE-COSE JWT (`typ: vc+jwt`), the payload itself.
 */
export function credentialOfJwt(decoded: DecodedJwt): Json | undefined {
  if (isObject(decoded.payload.vc)) return decoded.payload.vc;
  if (decoded.header.typ === 'vc+jwt' || decoded.header.typ === 'vc-ld+jwt') return decoded.payload;
  return undefined;
}

/** What signs a JWT: the key provider's PureEdDSA and the verification method it is named by. */
export interface JwtSigner {
  kid: string;
  sign: KeyProvider['sign'];
}

/**
 * Secures an OB 3.0 credential (without `proof`) as a JWT (OB 3.0 §8.2.4: the registered claims
 * repeat the credential's issuer, id, subject and dates, so JWT-only verifiers read them).
 */
export async function signJwtCredential(credential: Json, signer: JwtSigner): Promise<string> {
  if ('proof' in credential) throw new Error('A JWT-secured credential carries no embedded proof: sign the credential without it');
  const header = { alg: 'EdDSA', typ: 'JWT', kid: signer.kid };
  const subject = asArray(credential.credentialSubject).find(isObject);
  const claims: Json = {
    iss: idOf(credential.issuer),
    ...(typeof credential.id === 'string' ? { jti: credential.id } : {}),
    ...(typeof subject?.id === 'string' ? { sub: subject.id } : {}),
    ...(seconds(credential.validFrom) !== undefined ? { nbf: seconds(credential.validFrom), iat: seconds(credential.validFrom) } : {}),
    ...(seconds(credential.validUntil) !== undefined ? { exp: seconds(credential.validUntil) } : {}),
    vc: credential,
  };
  const signingInput = `${b64json(header)}.${b64json(claims)}`;
  const signature = await signer.sign(new TextEncoder().encode(signingInput));
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
}

/** JWS algorithms verified here (RFC 8037 EdDSA over Ed25519; RFC 7518 ES256 for wallet keys). */
export type JwsAlgorithm = 'EdDSA' | 'ES256';

/** A public key as a node KeyObject, from a JWK; throws JwtFormatError when it is not one. */
export function publicKeyFromJwk(jwk: unknown): KeyObject {
  if (!isObject(jwk) || typeof jwk.kty !== 'string') throw new JwtFormatError('key_invalid', 'The key is not a JSON Web Key.');
  if ('d' in jwk) throw new JwtFormatError('key_invalid', 'The key contains private key material.');
  try {
    return createPublicKey({ key: jwk as never, format: 'jwk' });
  } catch {
    throw new JwtFormatError('key_invalid', 'The JSON Web Key cannot be imported.');
  }
}

/** A verification method's public key: Multikey (Ed25519) or JsonWebKey (`publicKeyJwk`). */
export async function publicKeyOfMethod(method: Json): Promise<KeyObject> {
  if (isObject(method.publicKeyJwk)) return publicKeyFromJwk(method.publicKeyJwk);
  if (typeof method.publicKeyMultibase === 'string' && method.publicKeyMultibase.startsWith('z6Mk')) {
    try {
      const keyPair = await Ed25519Multikey.from({ type: 'Multikey', id: method.id, controller: method.controller, publicKeyMultibase: method.publicKeyMultibase });
      return publicKeyFromJwk(await Ed25519Multikey.toJwk({ keyPair }));
    } catch (error) {
      if (error instanceof JwtFormatError) throw error;
      throw new JwtFormatError('key_invalid', `The key ${String(method.id)} is not a valid Ed25519 Multikey.`);
    }
  }
  throw new JwtFormatError('key_unsupported', `The key ${String(method.id)} is neither an Ed25519 Multikey nor a JSON Web Key.`);
}

/** Verifies a JWS signature with a key, for the algorithm the header names (fails closed on any other). */
export function verifyJwsSignature(decoded: DecodedJwt, key: KeyObject, allowed: readonly JwsAlgorithm[]): boolean {
  const alg = decoded.header.alg;
  if (typeof alg !== 'string' || !(allowed as readonly string[]).includes(alg)) return false;
  const data = Buffer.from(decoded.signingInput);
  if (alg === 'EdDSA') return key.asymmetricKeyType === 'ed25519' && cryptoVerify(null, data, key, decoded.signature);
  // RFC 7518 §3.4: ES256 signatures are R || S (IEEE P1363), 64 bytes, over P-256.
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' && decoded.signature.length === 64 && cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, decoded.signature);
}

export type JwtKeyOutcome =
  | { ok: true; verificationMethod: string; controller: string }
  | { ok: false; code: string; reason: string };

/**
 * Checks a JWT's signature with the key its `kid` names (a DID URL), which its controller must
 * list under `relationship` (`assertionMethod` for credentials, `authentication` for holders),
 * and which must not be revoked (W3C Controlled Identifiers 1.0 §2.2).
 */
export async function verifyJwtByKid(decoded: DecodedJwt, options: { documentLoader: DocumentLoader; relationship: 'assertionMethod' | 'authentication'; algorithms: readonly JwsAlgorithm[] }): Promise<JwtKeyOutcome> {
  const { header } = decoded;
  const fail = (code: string, reason: string): JwtKeyOutcome => ({ ok: false, code, reason });
  if (typeof header.alg !== 'string' || !(options.algorithms as readonly string[]).includes(header.alg)) {
    return fail('proof_unsupported', `The JWT is signed with ${JSON.stringify(header.alg ?? null)}; accepted: ${options.algorithms.join(', ')}.`);
  }
  if ('crit' in header) return fail('proof_unsupported', 'The JWT header has critical extensions (crit) this verifier does not understand (RFC 7515 §4.1.11).');
  const kid = header.kid;
  if (typeof kid !== 'string' || !kid.startsWith('did:') || !kid.includes('#')) return fail('key_not_found', 'The JWT header names no key: kid must be a DID URL of the signer\'s verification method.');
  const controller = kid.split('#')[0] as string;
  let method: Json;
  let controllerDocument: Json;
  try {
    const loaded = (await options.documentLoader(kid)).document;
    const loadedController = (await options.documentLoader(controller)).document;
    if (!isObject(loaded) || !isObject(loadedController)) throw new Error('not a JSON object');
    method = loaded;
    controllerDocument = loadedController;
  } catch (error) {
    return fail('key_not_found', `The key ${kid} cannot be resolved: ${(error as Error).message}`);
  }
  if (method.revoked !== undefined) return fail('key_revoked', `The JWT was signed with ${kid}, which its controller revoked (as of ${String(method.revoked)}); a signature by a revoked key is not accepted, whatever its date.`);
  const stated = idOf(method.controller);
  if (stated !== undefined && stated !== controller) return fail('key_not_authorized', `The key ${kid} is controlled by ${stated}, not by ${controller}.`);
  const fragment = kid.slice(kid.indexOf('#'));
  const listed = asArray(controllerDocument[options.relationship]).some((entry) => {
    const id = idOf(entry);
    return id === kid || id === fragment;
  });
  if (!listed) return fail('key_not_authorized', `${controller} does not list ${kid} for ${options.relationship === 'assertionMethod' ? 'assertions' : 'authentication'}.`);
  let key: KeyObject;
  try {
    key = await publicKeyOfMethod(method);
  } catch (error) {
    return fail(error instanceof JwtFormatError ? error.code : 'key_invalid', (error as Error).message);
  }
  if (!verifyJwsSignature(decoded, key, options.algorithms)) return fail('signature_invalid', `The JWT's ${header.alg} signature does not verify with ${kid}.`);
  return { ok: true, verificationMethod: kid, controller };
}

/**
 * The registered claims must say what the credential says (VC DM 1.1 §6.3.1; VC-JOSE-COSE
 * §3.1.1: when present they MUST be consistent with the credential): a JWT whose `iss` or `sub`
 * differs from the credential it carries is refused, not read either way.
 */
export function jwtClaimProblems(payload: Json, credential: Json): string[] {
  const problems: string[] = [];
  const subject = asArray(credential.credentialSubject).find(isObject);
  const issuer = idOf(credential.issuer);
  if (payload.iss !== undefined && payload.iss !== issuer) problems.push(`iss ${JSON.stringify(payload.iss)} is not the credential's issuer ${JSON.stringify(issuer ?? null)}`);
  if (payload.jti !== undefined && credential.id !== undefined && payload.jti !== credential.id) problems.push(`jti ${JSON.stringify(payload.jti)} is not the credential's id`);
  if (payload.sub !== undefined && subject?.id !== undefined && payload.sub !== subject.id) problems.push(`sub ${JSON.stringify(payload.sub)} is not the credential's subject ${JSON.stringify(subject.id)}`);
  const nbf = seconds(credential.validFrom ?? credential.issuanceDate);
  if (payload.nbf !== undefined && nbf !== undefined && payload.nbf !== nbf) problems.push(`nbf ${String(payload.nbf)} is not the credential's validFrom`);
  const exp = seconds(credential.validUntil ?? credential.expirationDate);
  if (payload.exp !== undefined && exp !== undefined && payload.exp !== exp) problems.push(`exp ${String(payload.exp)} is not the credential's validUntil`);
  if (payload.exp !== undefined && exp === undefined) problems.push('exp is set, but the credential has no validUntil');
  return problems;
}

export type JwtPresentationOutcome =
  | { ok: true; holder: string; presentation: Json; credentials: unknown[]; verificationMethod: string }
  | { ok: false; code: string; reason: string };

/**
 * A JWT presentation (VC DM 1.1 §6.3.1: `vp` claim, `iss` the holder, `aud` the verifier,
 * `nonce` its challenge) signed by a key the holder lists for authentication. Its credentials
 * (JWTs or embedded JSON) are returned for the caller to verify one by one.
 */
export async function verifyJwtPresentation(
  jwt: string,
  options: { documentLoader: DocumentLoader; audience?: string | undefined; nonce?: string | undefined; now?: Date | undefined; algorithms?: readonly JwsAlgorithm[] | undefined },
): Promise<JwtPresentationOutcome> {
  let decoded: DecodedJwt;
  try {
    decoded = decodeJwt(jwt);
  } catch (error) {
    return { ok: false, code: (error as JwtFormatError).code ?? 'jwt_malformed', reason: (error as Error).message };
  }
  const { payload } = decoded;
  const vp = isObject(payload.vp) ? payload.vp : decoded.header.typ === 'vp+jwt' ? payload : undefined;
  if (!vp) return { ok: false, code: 'presentation_malformed', reason: 'The JWT carries no presentation (no vp claim).' };
  const signed = await verifyJwtByKid(decoded, { documentLoader: options.documentLoader, relationship: 'authentication', algorithms: options.algorithms ?? ['EdDSA', 'ES256'] });
  if (!signed.ok) return signed;
  const holder = idOf(vp.holder) ?? (typeof payload.iss === 'string' ? payload.iss : undefined) ?? signed.controller;
  if (holder !== signed.controller || (payload.iss !== undefined && payload.iss !== holder)) {
    return { ok: false, code: 'holder_not_signer', reason: `The presentation names ${holder} as holder, but ${signed.controller} signed it.` };
  }
  if (options.audience !== undefined && !asArray(payload.aud).includes(options.audience)) {
    return { ok: false, code: 'domain_mismatch', reason: `The presentation is for audience ${JSON.stringify(payload.aud ?? null)}, not ${JSON.stringify(options.audience)}.` };
  }
  if (options.nonce !== undefined && payload.nonce !== options.nonce) {
    return { ok: false, code: 'challenge_mismatch', reason: `The presentation answers nonce ${JSON.stringify(payload.nonce ?? null)}, not the one this verifier gave: it may be a replay.` };
  }
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  // RFC 7519 §4.1.4/§4.1.5, with the same five minutes of clock skew the credential dates allow.
  if (typeof payload.exp === 'number' && payload.exp + 300 <= now) return { ok: false, code: 'presentation_expired', reason: 'The presentation JWT has expired (exp).' };
  if (typeof payload.nbf === 'number' && payload.nbf - 300 > now) return { ok: false, code: 'presentation_not_yet_valid', reason: 'The presentation JWT is not valid yet (nbf).' };
  return { ok: true, holder, presentation: vp, credentials: asArray(vp.verifiableCredential), verificationMethod: signed.verificationMethod };
}

/** The issuer's JWT signer: its key provider, named by its current verification method. */
export function issuerJwtSigner(issuer: { identity: { verificationMethod: string }; key: Pick<KeyProvider, 'sign'> }): JwtSigner {
  return { kid: issuer.identity.verificationMethod, sign: (data) => issuer.key.sign(data) };
}
