// What this service publishes for OID4VCI 1.0 wallets: the credential issuer metadata
// (§12.2, at /.well-known/openid-credential-issuer), the authorization server metadata
// (RFC 8414, at /.well-known/oauth-authorization-server; this service is its own authorization
// server for the pre-authorized code grant, so `authorization_servers` is omitted, §12.2.4),
// and the two credential configurations. Both documents are validated by the OpenWallet
// Foundation's @openid4vc schemas before they are served, so a change here that breaks the
// specification fails at start, not in a wallet.
import { Oauth2AuthorizationServer, preAuthorizedCodeGrantIdentifier, type AuthorizationServerMetadata } from '@openid4vc/oauth2';
import { Openid4vciIssuer, Openid4vciVersion, type CredentialIssuerMetadata, type IssuerMetadataResult } from '@openid4vc/openid4vci';
import { setGlobalConfig } from '@openid4vc/utils';
import { createHash, randomBytes } from 'node:crypto';
import type { ProofSuiteName } from '../config.js';
import { OB_V3_CONTEXT, VC_V2_CONTEXT } from '../credentials/openBadge.js';
import { CLR_V2_CONTEXT } from '../programs/clrCredential.js';

export const LDP_VC_CONFIGURATION = 'OpenBadgeCredential_ldp_vc';
export const JWT_VC_CONFIGURATION = 'OpenBadgeCredential_jwt_vc_json';
export const CREDENTIAL_CONFIGURATIONS = [LDP_VC_CONFIGURATION, JWT_VC_CONFIGURATION] as const;
export type CredentialConfigurationId = (typeof CREDENTIAL_CONFIGURATIONS)[number];
/** The program record (CLR 2.0 ClrCredential, Data Integrity), offered by an educator's one claim link (issue 16). */
export const CLR_LDP_VC_CONFIGURATION = 'ClrCredential_ldp_vc';

/** Holder keys a key proof may name (§12.2.4 cryptographic_binding_methods_supported). */
export const BINDING_METHODS = ['did:key', 'did:jwk', 'jwk'];
/** Key proof algorithms (§12.2.4 proof_types_supported.jwt). */
export const PROOF_ALGORITHMS = ['EdDSA', 'ES256'] as const;

export interface Oid4vciEndpoints {
  issuer: string;
  token: string;
  credential: string;
  nonce: string;
}

export const oid4vciEndpoints = (baseUrl: string): Oid4vciEndpoints => ({
  issuer: baseUrl,
  token: `${baseUrl}/oid4vci/token`,
  credential: `${baseUrl}/oid4vci/credential`,
  nonce: `${baseUrl}/oid4vci/nonce`,
});

/**
 * The @openid4vc classes used for message validation. Their callbacks are for the parts this
 * service does itself (JWT signing and verification are educred's own, src/credentials/
 * jwtCredential.ts and src/oid4vci/keyProof.ts): a call that reaches one fails loudly.
 */
const notDelegated = (): never => {
  throw new Error('educred signs and verifies JWTs itself; the @openid4vc callback is not used');
};
const callbacks = {
  hash: (data: Uint8Array, alg: string) => new Uint8Array(createHash(alg.replace('-', '').toLowerCase()).update(data).digest()),
  generateRandom: (bytes: number) => new Uint8Array(randomBytes(bytes)),
  signJwt: notDelegated,
  verifyJwt: notDelegated,
  clientAuthentication: () => undefined,
};
export const vciIssuer = new Openid4vciIssuer({ callbacks });
export const authorizationServer = new Oauth2AuthorizationServer({ callbacks });

const display = (issuerName: string) => [{ name: issuerName, locale: 'en' }];

/**
 * The @openid4vc schemas accept https URLs only (OID4VCI 1.0 §12.2.1); a development instance
 * on http://localhost (BASE_URL allows it, with a warning at start) is let through. The setting
 * is the library's, process-wide: an http base URL is a development setup, never production.
 */
const allowHttpFor = (baseUrl: string): void => {
  if (baseUrl.startsWith('http:')) setGlobalConfig({ allowInsecureUrls: true });
};

export function credentialIssuerMetadata(baseUrl: string, issuerName: string, suite: ProofSuiteName): CredentialIssuerMetadata {
  allowHttpFor(baseUrl);
  const endpoints = oid4vciEndpoints(baseUrl);
  const proofTypes = { jwt: { proof_signing_alg_values_supported: [...PROOF_ALGORITHMS] } };
  const badgeDisplay = [{ name: 'Open Badge', locale: 'en', description: `A badge from ${issuerName} (Open Badges 3.0)` }];
  const definition = { type: ['VerifiableCredential', 'OpenBadgeCredential'] };
  const recordDisplay = [{ name: 'Program record', locale: 'en', description: `A comprehensive learner record from ${issuerName} (CLR 2.0)` }];
  return vciIssuer.createCredentialIssuerMetadata({
    credential_issuer: endpoints.issuer,
    credential_endpoint: endpoints.credential,
    nonce_endpoint: endpoints.nonce,
    display: display(issuerName),
    credential_configurations_supported: {
      // OID4VCI 1.0 Appendix A.1.2: W3C VC secured with Data Integrity, JSON-LD.
      [LDP_VC_CONFIGURATION]: {
        format: 'ldp_vc',
        cryptographic_binding_methods_supported: BINDING_METHODS,
        credential_signing_alg_values_supported: [suite],
        proof_types_supported: proofTypes,
        credential_definition: { '@context': [VC_V2_CONTEXT, OB_V3_CONTEXT], ...definition },
        display: badgeDisplay,
        credential_metadata: { display: badgeDisplay },
      },
      // OID4VCI 1.0 Appendix A.1.1: W3C VC signed as a JWT, not using JSON-LD.
      [JWT_VC_CONFIGURATION]: {
        format: 'jwt_vc_json',
        cryptographic_binding_methods_supported: BINDING_METHODS,
        credential_signing_alg_values_supported: ['EdDSA'],
        proof_types_supported: proofTypes,
        credential_definition: definition,
        display: badgeDisplay,
        credential_metadata: { display: badgeDisplay },
      },
      // The program record (CLR 2.0): Data Integrity only, its embedded badges kept as signed.
      [CLR_LDP_VC_CONFIGURATION]: {
        format: 'ldp_vc',
        cryptographic_binding_methods_supported: BINDING_METHODS,
        credential_signing_alg_values_supported: [suite],
        proof_types_supported: proofTypes,
        credential_definition: { '@context': [VC_V2_CONTEXT, CLR_V2_CONTEXT, OB_V3_CONTEXT], type: ['VerifiableCredential', 'ClrCredential'] },
        display: recordDisplay,
        credential_metadata: { display: recordDisplay },
      },
    },
  } as CredentialIssuerMetadata);
}

export function authorizationServerMetadata(baseUrl: string): AuthorizationServerMetadata {
  allowHttpFor(baseUrl);
  const endpoints = oid4vciEndpoints(baseUrl);
  return authorizationServer.createAuthorizationServerMetadata({
    issuer: endpoints.issuer,
    token_endpoint: endpoints.token,
    grant_types_supported: [preAuthorizedCodeGrantIdentifier],
    // OID4VCI 1.0 §12.3: the token request needs no client_id (the wallet is anonymous).
    'pre-authorized_grant_anonymous_access_supported': true,
    token_endpoint_auth_methods_supported: ['none'],
    response_types_supported: [],
  } as AuthorizationServerMetadata);
}

/** The metadata as @openid4vc's offer and request parsers take it. */
export function issuerMetadataResult(baseUrl: string, issuerName: string, suite: ProofSuiteName): IssuerMetadataResult {
  const credentialIssuer = credentialIssuerMetadata(baseUrl, issuerName, suite);
  return {
    originalDraftVersion: Openid4vciVersion.V1,
    credentialIssuer,
    authorizationServers: [authorizationServerMetadata(baseUrl)],
    knownCredentialConfigurations: vciIssuer.getKnownCredentialConfigurationsSupported(credentialIssuer),
  } as IssuerMetadataResult;
}
