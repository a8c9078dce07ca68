// A wallet side of OpenID for Verifiable Presentations 1.0, written from the specification with
// jose and fetch only (nothing of educred's server code): it opens an `openid4vp://` link,
// fetches the request object by reference (§5.7), checks its signature against the client
// identifier's did:jwk (§5.9.3 decentralized_identifier, did:jwk §2), reads the DCQL query (§6)
// and answers with `response_mode: direct_post` (§8.2). The presentation itself is signed by the
// test wallet's Data Integrity key, with the nonce as challenge and the client_id as domain
// (Appendix B.1.3.2.2).
import type { KeyObject } from 'node:crypto';
import { decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { TestWallet } from './wallet.js';

export interface OpenedRequest {
  clientId: string;
  requestUri: string;
  /** The request object's header and claims, its signature verified. */
  header: Record<string, unknown>;
  payload: JWTPayload & Record<string, any>;
  /** The compact JWT as fetched. */
  jwt: string;
}

/** Opens the deep link: fetches and verifies the signed request object. */
export async function openAuthorizationRequest(link: string): Promise<OpenedRequest> {
  const url = new URL(link);
  if (url.protocol !== 'openid4vp:') throw new Error(`not an openid4vp link: ${link}`);
  const clientId = url.searchParams.get('client_id');
  const requestUri = url.searchParams.get('request_uri');
  if (!clientId || !requestUri) throw new Error('the link must carry client_id and request_uri (request by reference)');
  const res = await fetch(requestUri, { headers: { accept: 'application/oauth-authz-req+jwt' } });
  if (!res.ok) throw new Error(`request_uri answered ${res.status}: ${await res.text()}`);
  if (!/^application\/oauth-authz-req\+jwt/.test(res.headers.get('content-type') ?? '')) throw new Error(`request_uri answered ${res.headers.get('content-type')}`);
  const jwt = await res.text();
  // §5.9.3: the prefix names a DID, and the request object is signed by a key of that DID.
  const prefix = 'decentralized_identifier:';
  if (!clientId.startsWith(prefix)) throw new Error(`unexpected client identifier prefix: ${clientId}`);
  const did = clientId.slice(prefix.length);
  const header = decodeProtectedHeader(jwt) as Record<string, unknown>;
  if (typeof header.kid !== 'string' || header.kid.split('#')[0] !== did) throw new Error(`the request is signed by ${String(header.kid)}, not by ${did}`);
  if (!did.startsWith('did:jwk:')) throw new Error(`this wallet resolves did:jwk only, not ${did}`);
  const jwk = JSON.parse(Buffer.from(did.slice('did:jwk:'.length), 'base64url').toString('utf8')) as Record<string, string>;
  const { payload } = await jwtVerify(jwt, await importJWK(jwk, String(header.alg)), { typ: 'oauth-authz-req+jwt' });
  // RFC 9101 §5: the client_id inside the request object must be the one of the link.
  if (payload.client_id !== clientId) throw new Error('client_id of the request object differs from the link');
  return { clientId, requestUri, header, payload: payload as OpenedRequest['payload'], jwt };
}

/** Answers with one ldp_vc presentation of the credentials for the request's one credential query. */
export async function respondWithPresentation(opened: OpenedRequest, wallet: TestWallet, credentials: unknown[], override: { vp?: Record<string, unknown> } = {}): Promise<{ status: number; body: any; vp: Record<string, unknown> }> {
  const { payload } = opened;
  if (payload.response_mode !== 'direct_post' || typeof payload.response_uri !== 'string') throw new Error('expected response_mode direct_post with a response_uri');
  const query = payload.dcql_query?.credentials?.[0];
  if (!query || query.format !== 'ldp_vc') throw new Error('expected a DCQL query for ldp_vc');
  const vp = override.vp ?? (await wallet.present({ credentials, challenge: String(payload.nonce), domain: opened.clientId }));
  const form = new URLSearchParams({ vp_token: JSON.stringify({ [query.id]: [vp] }), ...(payload.state ? { state: String(payload.state) } : {}) });
  const res = await fetch(payload.response_uri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  return { status: res.status, body: await res.json(), vp };
}

/** A holder with a did:jwk (did:jwk §2: the DID is the base64url of its public JWK), for JWT presentations. */
export interface JwtHolder {
  did: string;
  kid: string;
  privateKey: Parameters<SignJWT['sign']>[0] | KeyObject;
}

export async function createJwtHolder(): Promise<JwtHolder> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const { kty, crv, x } = await exportJWK(publicKey);
  const did = `did:jwk:${Buffer.from(JSON.stringify({ crv, kty, x }), 'utf8').toString('base64url')}`;
  return { did, kid: `${did}#0`, privateKey };
}

/**
 * Answers the jwt_vc_json query with a JWT presentation (Appendix B.1.3.1: VC DM 1.1 §6.3.1
 * `vp` claim, `aud` the client_id, `nonce` the request's nonce), signed with jose.
 */
export async function respondWithJwtPresentation(opened: OpenedRequest, holder: JwtHolder, jwtCredentials: string[], override: { nonce?: string } = {}): Promise<{ status: number; body: any; vp: string }> {
  const { payload } = opened;
  const query = (payload.dcql_query?.credentials ?? []).find((q: any) => q.format === 'jwt_vc_json');
  if (!query) throw new Error('the request has no jwt_vc_json credential query');
  const vp = await new SignJWT({
    nonce: override.nonce ?? payload.nonce,
    vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], holder: holder.did, verifiableCredential: jwtCredentials },
  })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: holder.kid })
    .setIssuer(holder.did)
    .setAudience(opened.clientId)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(holder.privateKey);
  const form = new URLSearchParams({ vp_token: JSON.stringify({ [query.id]: [vp] }), ...(payload.state ? { state: String(payload.state) } : {}) });
  const res = await fetch(String(payload.response_uri), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  return { status: res.status, body: await res.json(), vp };
}
