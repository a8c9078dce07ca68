// did:jwk (the did:jwk method specification, "Read"): the DID is `did:jwk:` followed by the
// base64url of a public JWK, and its document is derived from that key alone, offline, with one
// verification method `#0`. An Ed25519 key is described as a Multikey (the same key did:key
// would describe), so Data Integrity suites verify with it exactly as they do for did:key; any
// other key (P-256 for ES256 key proofs) keeps its JWK as `publicKeyJwk`.
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { DID_CONTEXT, DidError, dereferenceDidUrl } from './did.js';
import { MULTIKEY_CONTEXT } from './keys.js';

export type PublicJwk = Record<string, unknown> & { kty: string };

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/** The public JWK a did:jwk names; throws DidError for anything else (a private key, no `kty`). */
export function jwkOfDidJwk(did: string): PublicJwk {
  const id = did.split('#')[0] ?? did;
  if (!id.startsWith('did:jwk:')) throw new DidError(`'${did}' is not a did:jwk`);
  let jwk: unknown;
  try {
    jwk = JSON.parse(Buffer.from(id.slice('did:jwk:'.length), 'base64url').toString('utf8'));
  } catch (cause) {
    throw new DidError(`'${id}' does not encode a JSON Web Key`, { cause });
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk) || typeof (jwk as PublicJwk).kty !== 'string') throw new DidError(`'${id}' does not encode a JSON Web Key (no kty)`);
  // did:jwk spec: the JWK MUST NOT contain private key material.
  if (PRIVATE_MEMBERS.some((m) => m in (jwk as object))) throw new DidError(`'${id}' encodes private key material`);
  return jwk as PublicJwk;
}

/**
 * The did:jwk of a public JWK given bare (an OID4VCI `jwk` key proof header): the members
 * RFC 7638 §3.2 requires for its key type, in lexicographic order (as JCS, RFC 8785, writes
 * them), so one key always yields one DID, whatever else its JWK carried.
 */
export function didJwkOf(jwk: PublicJwk): string {
  const required: Record<string, string[]> = { EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'], RSA: ['e', 'kty', 'n'] };
  const members = required[jwk.kty];
  if (!members) throw new DidError(`Unsupported JWK key type ${JSON.stringify(jwk.kty)}`);
  const minimal = Object.fromEntries(members.map((m) => [m, jwk[m]]));
  if (members.some((m) => typeof minimal[m] !== 'string')) throw new DidError('The JWK lacks a member its key type requires (RFC 7638)');
  return `did:jwk:${Buffer.from(JSON.stringify(minimal)).toString('base64url')}`;
}

/** Resolves a did:jwk DID or DID URL (`#0`) offline. */
export async function resolveDidJwk(didUrl: string): Promise<Record<string, unknown>> {
  const did = didUrl.split('#')[0] ?? didUrl;
  const jwk = jwkOfDidJwk(did);
  const vmId = `${did}#0`;
  let method: Record<string, unknown>;
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    let keyPair;
    try {
      keyPair = await Ed25519Multikey.fromJwk({ jwk: jwk as Record<string, string> });
    } catch (cause) {
      throw new DidError(`'${did}' has an invalid Ed25519 key`, { cause });
    }
    const exported = await keyPair.export({ publicKey: true, includeContext: false });
    method = { id: vmId, type: 'Multikey', controller: did, publicKeyMultibase: exported.publicKeyMultibase };
  } else {
    method = { id: vmId, type: 'JsonWebKey', controller: did, publicKeyJwk: jwk };
  }
  // did:jwk "Read": every relationship but keyAgreement for a signing key (`use: enc` only keyAgreement).
  const signing = jwk.use !== 'enc';
  const document: Record<string, unknown> = {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
    id: did,
    verificationMethod: [method],
    ...(signing ? { assertionMethod: [vmId], authentication: [vmId], capabilityInvocation: [vmId], capabilityDelegation: [vmId] } : { keyAgreement: [vmId] }),
  };
  if (!didUrl.includes('#')) return document;
  const found = dereferenceDidUrl(document, didUrl);
  if (!found) throw new DidError(`'${didUrl}' names no key of its DID (did:jwk has only #0)`);
  return found;
}
