// OpenID Connect sign-in for the console through openid-client (panva): the authorization code
// flow with PKCE (RFC 7636, S256) and a nonce (OpenID Connect Core 1.0 §3.1.2.1), the issuer's
// metadata by discovery (OpenID Connect Discovery 1.0), the client authenticated with
// client_secret_basic (the registration default, OpenID Connect Registration 1.0 §2). The ID
// token's signature, issuer, audience, nonce and the `iss` response parameter (RFC 9207) are
// checked by the library; a failure of any of them is a refused sign-in.
import * as client from 'openid-client';
import { ConfigError, type OidcConfig } from '../config.js';

/** What the browser keeps (sealed) between leaving for the identity provider and coming back. */
export interface OidcTransaction {
  state: string;
  nonce: string;
  verifier: string;
}

export interface OidcIdentity {
  /** `oidc:<issuer>#<sub>`: stable for the person at this issuer. */
  subject: string;
  name: string;
  email: string | undefined;
  /** The configured role claim's value, as given. */
  roleClaim: unknown;
}

export interface OidcSignIn {
  begin(): Promise<{ url: string; transaction: OidcTransaction }>;
  /** Exchanges the code of `callbackUrl` (the redirect as received); throws when anything does not check out. */
  finish(callbackUrl: URL, transaction: OidcTransaction): Promise<OidcIdentity>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function createOidcSignIn(config: OidcConfig, redirectUri: string): OidcSignIn {
  const issuer = new URL(config.issuer);
  // Plain HTTP only to an identity provider on this machine (development, the tests' provider).
  const insecure = issuer.protocol === 'http:';
  if (insecure && !LOOPBACK.has(issuer.hostname)) throw new ConfigError('Invalid configuration:\n  EDUCRED_OIDC_ISSUER must be an https URL (http only on localhost)');
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = (): Promise<client.Configuration> => {
    discovered ??= client
      .discovery(issuer, config.clientId, undefined, client.ClientSecretBasic(config.clientSecret), { ...(insecure ? { execute: [client.allowInsecureRequests] } : {}), timeout: 10 })
      .catch((error: unknown) => {
        // Asked again at the next sign-in: the provider may be back.
        discovered = undefined;
        throw error;
      });
    return discovered;
  };

  return {
    async begin() {
      const cfg = await configuration();
      const transaction: OidcTransaction = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
      const url = client.buildAuthorizationUrl(cfg, {
        redirect_uri: redirectUri,
        scope: 'openid profile email',
        code_challenge: await client.calculatePKCECodeChallenge(transaction.verifier),
        code_challenge_method: 'S256',
        state: transaction.state,
        nonce: transaction.nonce,
      });
      return { url: url.href, transaction };
    },

    async finish(callbackUrl, transaction) {
      const cfg = await configuration();
      const tokens = await client.authorizationCodeGrant(cfg, callbackUrl, {
        pkceCodeVerifier: transaction.verifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('The identity provider sent no ID token');
      let claims: Record<string, unknown> = { ...idClaims };
      // Claims the ID token left out (a provider that keeps it small) come from the userinfo endpoint.
      if (claims.name === undefined || claims.email === undefined || (config.roleClaim && claims[config.roleClaim] === undefined)) {
        const info = await client.fetchUserInfo(cfg, tokens.access_token, idClaims.sub);
        claims = { ...info, ...claims };
      }
      const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
      const email = text(claims.email);
      return {
        subject: `oidc:${cfg.serverMetadata().issuer}#${idClaims.sub}`,
        name: text(claims.name) ?? text(claims.preferred_username) ?? email ?? idClaims.sub,
        email,
        roleClaim: config.roleClaim ? claims[config.roleClaim] : undefined,
      };
    },
  };
}
