// OID4VCI 1.0 over HTTP (src/oid4vci/): the two metadata documents, the credential offer of a
// claim link, and the token, nonce and credential endpoints. Errors are OAuth error responses
// (`{error, error_description}`, RFC 6749 §5.2, OID4VCI 1.0 §6.3 and §8.3.1.2), never
// problem+json: a wallet switches on `error`. Nothing here answers 500 for a bad request.
import { Hono, type Context } from 'hono';
import { Oauth2ServerErrorResponseError } from '@openid4vc/oauth2';
import { AwardNotClaimableError, ClaimGoneError, ClaimNotFoundError } from '../claims/errors.js';
import { NothingToClaimError } from '../claims/claimBundle.js';
import { OauthError } from '../oid4vci/errors.js';
import { credentialOffer, issueCredential, nonceResponse, redeemPreAuthorizedCode, type Oid4vciDeps } from '../oid4vci/issuance.js';
import { authorizationServer, authorizationServerMetadata, credentialIssuerMetadata } from '../oid4vci/metadata.js';
import { parseJsonBody } from './body.js';
import type { AppDeps } from './deps.js';
import { HttpProblem, notFound } from './problem.js';

/** RFC 6749 §5.1 and OID4VCI 1.0 §7.2, §8.3: token, nonce and credential answers are not cached. */
const NO_STORE = { 'Cache-Control': 'no-store' };

function oauthAnswer(c: Context, error: OauthError): Response {
  const headers: Record<string, string> = { ...NO_STORE };
  // RFC 6750 §3: a refused bearer token names the scheme and the error in WWW-Authenticate.
  if (error.error === 'invalid_token') headers['WWW-Authenticate'] = `Bearer error="invalid_token", error_description="${error.description.replace(/"/g, "'")}"`;
  return c.json(error.body(), error.status, headers);
}

async function readJson(c: Context): Promise<unknown> {
  try {
    return parseJsonBody(await c.req.text());
  } catch (error) {
    if (error instanceof HttpProblem) throw new OauthError('invalid_credential_request', error.detail);
    throw error;
  }
}

const bearerOf = (header: string | undefined): string | undefined => {
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(header?.trim() ?? '');
  return match?.[1];
};

export function oid4vciRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const vci: Oid4vciDeps = { ...deps, oid4vciTxCode: deps.oid4vciTxCode };

  app.get('/.well-known/openid-credential-issuer', (c) =>
    c.json(credentialIssuerMetadata(deps.baseUrl, deps.issuer.profile.name, deps.issuer.suite), 200, { 'Cache-Control': 'public, max-age=300' }),
  );
  app.get('/.well-known/oauth-authorization-server', (c) => c.json(authorizationServerMetadata(deps.baseUrl), 200, { 'Cache-Control': 'public, max-age=300' }));

  // §4.1.3: the credential_offer_uri target. A gone, unknown or withheld claim is problem+json
  // like the claim page's other machine routes (it is not an OAuth endpoint).
  app.get('/claim/:token/offer', async (c) => {
    try {
      return c.json(await credentialOffer(vci, c.req.param('token')), 200, NO_STORE);
    } catch (error) {
      if (error instanceof ClaimNotFoundError) throw notFound('No claim link with this token');
      if (error instanceof ClaimGoneError) throw new HttpProblem(410, `claim-${error.reason}`, 'Claim link no longer usable', error.message);
      if (error instanceof NothingToClaimError) throw new HttpProblem(409, 'nothing-to-claim', 'Nothing left to collect', error.message);
      if (error instanceof AwardNotClaimableError) throw new HttpProblem(409, `award-${error.reason}`, 'Badge not handed out', error.message, { awardStatus: error.reason });
      throw error;
    }
  });

  app.post('/oid4vci/token', async (c) => {
    try {
      // RFC 6749 §4.1.3 / OID4VCI §6.1: application/x-www-form-urlencoded.
      const type = c.req.header('content-type') ?? '';
      if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) throw new OauthError('invalid_request', 'The token request must be application/x-www-form-urlencoded');
      const form = Object.fromEntries(new URLSearchParams(await c.req.text()));
      let grant;
      try {
        grant = authorizationServer.parseAccessTokenRequest({ request: { headers: c.req.raw.headers, method: 'POST', url: c.req.url }, accessTokenRequest: form }).grant;
      } catch (error) {
        if (error instanceof Oauth2ServerErrorResponseError) {
          const code = error.errorResponse.error === 'unsupported_grant_type' ? 'unsupported_grant_type' : 'invalid_request';
          throw new OauthError(code, error.errorResponse.error_description ?? 'The token request is not valid');
        }
        throw error;
      }
      if (grant.grantType !== 'urn:ietf:params:oauth:grant-type:pre-authorized_code') throw new OauthError('unsupported_grant_type', `This authorization server supports only the pre-authorized code grant, not ${grant.grantType}`);
      return c.json(await redeemPreAuthorizedCode(vci, { preAuthorizedCode: grant.preAuthorizedCode, txCode: grant.txCode }), 200, { ...NO_STORE, Pragma: 'no-cache' });
    } catch (error) {
      if (error instanceof OauthError) return oauthAnswer(c, error);
      throw error;
    }
  });

  app.post('/oid4vci/nonce', (c) => c.json(nonceResponse(vci), 200, NO_STORE));

  app.post('/oid4vci/credential', async (c) => {
    try {
      const token = bearerOf(c.req.header('authorization'));
      if (!token) throw new OauthError('invalid_token', 'The credential request needs the access token as a Bearer token (RFC 6750)');
      const body = await readJson(c);
      return c.json(await issueCredential(vci, token, body), 200, NO_STORE);
    } catch (error) {
      if (error instanceof OauthError) return oauthAnswer(c, error);
      throw error;
    }
  });

  return app;
}
