// OpenID for Verifiable Presentations 1.0 for a presentation request, through the OpenWallet
// Foundation's library (@openid4vc/openid4vp) for the messages:
//   - the request by reference (§5.7 `request_uri`): `openid4vp://?client_id=…&request_uri=…`;
//     the request object is a JAR (RFC 9101) signed with the verifier's request key, whose
//     did:jwk is the client identifier (§5.9.3 `decentralized_identifier:`);
//   - a DCQL query (§6) for the badges a rule is answered with, as W3C VCs with Data Integrity
//     proofs (Appendix B.1.3.2, format `ldp_vc`) or as JWTs (Appendix B.1.3.1, `jwt_vc_json`:
//     a JWT presentation with the nonce and the client_id as audience);
//   - `response_mode: direct_post` (§8.2): the wallet posts `vp_token` and `state` to the
//     response URI. For `ldp_vc`, the presentation's proof carries the request's `nonce` as its
//     challenge and the client_id as its domain (Appendix B.1.3.2.2).
import { createOpenid4vpAuthorizationRequest, parseOpenid4VpAuthorizationResponsePayload, validateOpenid4vpAuthorizationResponsePayload, type Openid4vpAuthorizationRequest } from '@openid4vc/openid4vp';
import { setGlobalConfig } from '@openid4vc/utils';
import { SignJWT } from 'jose';
import type { PresentationRequestRecord } from '../store/presentationRequests.js';
import type { RuleSummary } from '../verify/types.js';
import type { RequestSigningKey } from './requestKey.js';
import type { PresentationRequestUrls } from './requests.js';

/** The OB 3.0 credential types, fully expanded as DCQL `type_values` name them (Appendix B.1.1). */
const OB_VOCAB = 'https://purl.imsglobal.org/spec/vc/ob/vocab.html#';
const CLR_VOCAB = 'https://purl.imsglobal.org/spec/vc/clr/vocab.html#';

/** The DCQL credential query ids: the vp_token answers under these. */
export const DCQL_BADGES = 'badges';
export const DCQL_JWT_BADGES = 'badges_jwt';

/**
 * OID4VP wants https URLs (the library refuses others). A development instance on loopback
 * (`http://localhost:3000`, `http://127.0.0.1:…`) is let through, as RFC 8252 §8.3 lets
 * loopback redirects be http; any other http base URL keeps the library's refusal.
 */
export function allowLoopbackDevelopment(baseUrl: string): void {
  const { protocol, hostname } = new URL(baseUrl);
  if (protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(hostname)) setGlobalConfig({ allowInsecureUrls: true });
}

export const openid4vpClientId = (key: Pick<RequestSigningKey, 'did'>): string => `decentralized_identifier:${key.did}`;

export function authorizationRequestPayload(request: PresentationRequestRecord, rule: RuleSummary, urls: Pick<PresentationRequestUrls, 'openid4vpResponseUri'>, key: Pick<RequestSigningKey, 'did'>): Openid4vpAuthorizationRequest {
  return {
    response_type: 'vp_token',
    client_id: openid4vpClientId(key),
    response_mode: 'direct_post',
    response_uri: urls.openid4vpResponseUri,
    nonce: request.challenge,
    state: request.id,
    dcql_query: {
      credentials: [
        {
          id: DCQL_BADGES,
          format: 'ldp_vc',
          multiple: true,
          meta: { type_values: [[`${OB_VOCAB}OpenBadgeCredential`], [`${OB_VOCAB}AchievementCredential`], [`${CLR_VOCAB}ClrCredential`]] },
        },
        {
          // Appendix B.1.1: for jwt_vc_json, type_values are the credential's `type` values.
          id: DCQL_JWT_BADGES,
          format: 'jwt_vc_json',
          multiple: true,
          meta: { type_values: [['VerifiableCredential', 'OpenBadgeCredential'], ['VerifiableCredential', 'AchievementCredential']] },
        },
      ],
      // §6.2: either form answers the request.
      credential_sets: [{ options: [[DCQL_BADGES], [DCQL_JWT_BADGES]], required: true }],
    },
    client_metadata: {
      client_name: rule.name,
      // §11.1 vp_formats_supported; Appendix B.1.3.2.1 names the Data Integrity parameters.
      vp_formats_supported: {
        ldp_vc: { proof_type_values: ['DataIntegrityProof', 'Ed25519Signature2020'], cryptosuite_values: ['eddsa-rdfc-2022'] },
        jwt_vc_json: { alg_values: ['EdDSA', 'ES256'] },
      },
    },
  } as Openid4vpAuthorizationRequest;
}

/** The deep link and the signed request object the request_uri serves. */
export async function createAuthorizationRequest(
  request: PresentationRequestRecord,
  rule: RuleSummary,
  urls: Pick<PresentationRequestUrls, 'openid4vpResponseUri' | 'openid4vpRequestUri'>,
  key: RequestSigningKey,
  now: Date,
): Promise<{ url: string; requestObject: string; payload: Openid4vpAuthorizationRequest }> {
  const payload = authorizationRequestPayload(request, rule, urls, key);
  const expiresInSeconds = Math.max(1, Math.floor((Date.parse(request.expiresAt) - now.getTime()) / 1000));
  const created = await createOpenid4vpAuthorizationRequest({
    authorizationRequestPayload: payload,
    jar: { requestUri: urls.openid4vpRequestUri, jwtSigner: { method: 'did', didUrl: key.kid, alg: 'EdDSA' }, expiresInSeconds },
    now,
    callbacks: {
      signJwt: async (_signer, jwt) => ({
        jwt: await new SignJWT(jwt.payload).setProtectedHeader({ ...jwt.header, alg: 'EdDSA', kid: key.kid }).sign(key.privateKey),
        signerJwk: key.publicJwk,
      }),
      encryptJwe: () => {
        throw new Error('Request objects are signed, not encrypted');
      },
    },
  });
  if (!created.jar) throw new Error('The OpenID4VP library made no request object');
  return { url: created.authorizationRequest, requestObject: created.jar.authorizationRequestJwt, payload };
}

export class Openid4vpResponseError extends Error {}

/**
 * The presentations of a direct_post response (§8.2), checked against the request by the
 * library (state, DCQL shape). Each is a JSON-LD presentation (ldp) or a compact JWT.
 */
export function presentationsOfResponse(body: Record<string, unknown>, payload: Openid4vpAuthorizationRequest): unknown[] {
  let validated;
  try {
    const response = parseOpenid4VpAuthorizationResponsePayload(body);
    validated = validateOpenid4vpAuthorizationResponsePayload({ authorizationRequestPayload: payload, authorizationResponsePayload: response });
  } catch (error) {
    throw new Openid4vpResponseError(`The authorization response is not valid: ${(error as Error).message}`);
  }
  if (validated.type !== 'dcql') throw new Openid4vpResponseError('The authorization response must answer the DCQL query (no presentation_submission)');
  const unknown = Object.keys(validated.dcql.presentations).filter((id) => id !== DCQL_BADGES && id !== DCQL_JWT_BADGES);
  if (unknown.length > 0) throw new Openid4vpResponseError(`The vp_token answers credential queries this request did not make: ${unknown.join(', ')}`);
  const ldp = validated.dcql.presentations[DCQL_BADGES] ?? [];
  const jwt = validated.dcql.presentations[DCQL_JWT_BADGES] ?? [];
  // Appendix B.1.3: an ldp_vc answer is a JSON-LD presentation, a jwt_vc_json answer a compact JWT.
  if (ldp.some((p) => typeof p !== 'object') || jwt.some((p) => typeof p !== 'string')) throw new Openid4vpResponseError(`Answer ${DCQL_BADGES} with JSON-LD presentations and ${DCQL_JWT_BADGES} with JWT presentations`);
  return [...ldp, ...jwt];
}
