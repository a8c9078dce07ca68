// This instance's own OpenID Federation 1.0 Entity Configuration (§3, served at
// `/.well-known/openid-federation`, §9): a JWT it signs about itself, so a federation operator
// (a state, a consortium) can register it as a subordinate and a verifier that trusts that
// federation's anchor can map a badge's issuer DID to it.
//
// The federation key is a dedicated Ed25519 key in `<data dir>/keys/openid-federation.pem`
// (0600, generated at first start), not the issuer key: a superior pins it in the subordinate
// statement it issues about us (§3.1 `jwks`), so it must stay put when the issuer key rotates,
// it must be readable by a verifier-only instance that has no issuer key, and an issuer key in
// an HSM should sign badges only. Every node of a deployment must hold the same file (as with
// the OpenID4VP request key).
import { calculateJwkThumbprint, SignJWT } from 'jose';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadOrCreateRequestKey, type RequestSigningKey } from '../presentations/requestKey.js';
import { ENTITY_STATEMENT_TYPE } from '../verify/federation.js';

export const federationKeyFile = (dataDir: string): string => path.join(dataDir, 'keys', 'openid-federation.pem');

/** What the Entity Configuration is built from. */
export interface FederationEntity {
  key: RequestSigningKey;
  /** The key's id in our JWKS: its RFC 7638 thumbprint. */
  kid: string;
  /** Our superiors (EDUCRED_FEDERATION_AUTHORITY_HINTS); none: the claim is left out (§3.1: it must not be empty). */
  authorityHints: readonly string[];
  /** How long a served configuration is valid (seconds). */
  lifetimeSeconds: number;
}

export async function loadFederationEntity(dataDir: string, authorityHints: readonly string[], logger?: Pick<Logger, 'info'>): Promise<FederationEntity> {
  const key = loadOrCreateRequestKey(federationKeyFile(dataDir), logger, 'OpenID Federation');
  const kid = await calculateJwkThumbprint(key.publicJwk, 'sha256');
  return { key, kid, authorityHints, lifetimeSeconds: 24 * 60 * 60 };
}

export interface EntityConfigurationInput {
  entityId: string;
  organizationName: string;
  homepage?: string | undefined;
  /** OID4VCI issuer metadata to publish (an issuing instance); with it, `issuer_did` names our DID. */
  credentialIssuer?: { metadata: Record<string, unknown>; did: string } | undefined;
  now?: Date | undefined;
}

/** The claims of our Entity Configuration (§3.1): iss = sub = the entity identifier (BASE_URL). */
export function entityConfigurationClaims(entity: FederationEntity, input: EntityConfigurationInput): Record<string, unknown> {
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const metadata: Record<string, unknown> = {
    federation_entity: { organization_name: input.organizationName, ...(input.homepage ? { homepage_uri: input.homepage } : {}) },
  };
  // issuer_did: an extension parameter of the openid_credential_issuer metadata (§5 allows
  // them): the DID our badges name as issuer, which a verifier maps to this entity.
  if (input.credentialIssuer) metadata.openid_credential_issuer = { ...input.credentialIssuer.metadata, issuer_did: input.credentialIssuer.did };
  return {
    iss: input.entityId,
    sub: input.entityId,
    iat,
    exp: iat + entity.lifetimeSeconds,
    jwks: { keys: [{ ...entity.key.publicJwk, kid: entity.kid, alg: 'EdDSA', use: 'sig' }] },
    ...(entity.authorityHints.length > 0 ? { authority_hints: [...entity.authorityHints] } : {}),
    metadata,
  };
}

export async function signEntityConfiguration(entity: FederationEntity, input: EntityConfigurationInput): Promise<string> {
  return new SignJWT(entityConfigurationClaims(entity, input)).setProtectedHeader({ alg: 'EdDSA', typ: ENTITY_STATEMENT_TYPE, kid: entity.kid }).sign(entity.key.privateKey);
}
