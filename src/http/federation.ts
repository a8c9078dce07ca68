// GET /.well-known/openid-federation: this entity's OpenID Federation 1.0 Entity Configuration
// (§9), a JWT signed with the federation key, `application/entity-statement+jwt`. Public, as
// the specification requires; an issuing instance names its issuer DID in the
// openid_credential_issuer metadata (src/federation/entityConfiguration.ts).
import { Hono } from 'hono';
import { signEntityConfiguration, type EntityConfigurationInput } from '../federation/entityConfiguration.js';
import { credentialIssuerMetadata } from '../oid4vci/metadata.js';
import { ENTITY_STATEMENT_MEDIA_TYPE, FEDERATION_WELL_KNOWN } from '../verify/federation.js';
import type { AppDeps, VerifierDeps } from './deps.js';

/** Routes of an entity; `issuing` is given by an instance that issues (its DID and OID4VCI metadata). */
export function federationRoutes(deps: Pick<VerifierDeps, 'federation' | 'baseUrl' | 'verifier' | 'now'> & Partial<Pick<AppDeps, 'issuer'>>): Hono {
  const app = new Hono();
  app.get(FEDERATION_WELL_KNOWN, async (c) => {
    const entity = deps.federation;
    if (!entity) return c.notFound();
    const issuer = deps.issuer;
    const input: EntityConfigurationInput = {
      entityId: deps.baseUrl,
      organizationName: issuer ? issuer.profile.name : deps.verifier.policyName(),
      homepage: issuer ? (issuer.profile.url ?? deps.baseUrl) : deps.baseUrl,
      credentialIssuer: issuer ? { metadata: credentialIssuerMetadata(deps.baseUrl, issuer.profile.name, issuer.suite) as unknown as Record<string, unknown>, did: issuer.identity.did } : undefined,
      now: deps.now?.(),
    };
    const jwt = await signEntityConfiguration(entity, input);
    return c.body(jwt, 200, { 'Content-Type': ENTITY_STATEMENT_MEDIA_TYPE, 'Cache-Control': 'public, max-age=300' });
  });
  return app;
}
