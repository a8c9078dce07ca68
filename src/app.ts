// Builds the Hono application from its dependencies: no globals, so tests drive it with
// app.request() and every instance (three in the reciprocity test) is independent.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { achievementRoutes } from './http/achievements.js';
import { auditRoutes } from './http/audit.js';
import { awardListRoutes } from './http/awardList.js';
import { awardRoutes } from './http/awards.js';
import { badgePageRoutes } from './http/badgePage.js';
import { badgeRoutes } from './http/badges.js';
import { batchRoutes } from './http/batches.js';
import { claimRoutes } from './http/claims.js';
import { consoleRoutes } from './http/console/index.js';
import { educatorPageRoutes } from './http/educatorPage.js';
import { oid4vciRoutes } from './http/oid4vci.js';
import { credentialRoutes } from './http/credentials.js';
import type { AppDeps, VerifierDeps } from './http/deps.js';
import { didRoutes } from './http/did.js';
import { docsRoutes } from './http/docs.js';
import { educatorRoutes } from './http/educators.js';
import { importRoutes, IMPORT_UPLOAD_PATHS } from './http/imports.js';
import { endorsementRoutes } from './http/endorsements.js';
import { crossOrigin } from './http/cors.js';
import { healthRoutes } from './http/health.js';
import { readyRoutes } from './http/ready.js';
import { metricsRoutes } from './http/metrics.js';
import { pagePolicy } from './http/pagePolicy.js';
import { licenseRoutes } from './http/licenses.js';
import { programRoutes } from './http/programs.js';
import { HttpProblem, notFound, problemResponse } from './http/problem.js';
import { rateLimit } from './http/rateLimit.js';
import { requestId, requestIdOf } from './http/requestId.js';
import { statusRoutes } from './http/status.js';
import { verifyRoutes } from './http/verify.js';
import { verifyPageRoutes } from './http/verifyPage.js';
import { presentationRequestRoutes } from './http/presentationRequests.js';
import { decisionRoutes } from './http/decisions.js';
import { registryEntryRoutes } from './http/registryEntry.js';
import { federationRoutes } from './http/federation.js';
import { tokenRoutes } from './http/tokens.js';
import { redactSecrets, serializeError } from './logger.js';
import { isKeyUnavailable } from './signing/keyRing.js';

export type { AppDeps, VerifierDeps } from './http/deps.js';

export function createApp(deps: AppDeps): Hono {
  const app = serviceShell(deps, deps.issuer.identity.did);
  app.route('/', healthRoutes(deps));
  app.route('/', readyRoutes(deps));
  app.route('/', achievementRoutes(deps));
  app.route('/', batchRoutes(deps));
  app.route('/', awardRoutes(deps));
  app.route('/', awardListRoutes(deps));
  app.route('/', educatorRoutes(deps));
  app.route('/', importRoutes(deps));
  // Before the JSON route: browsers asking for HTML get the badge page, everyone else falls through.
  app.route('/', badgePageRoutes(deps, async (path) => app.request(path)));
  app.route('/', credentialRoutes(deps));
  app.route('/', didRoutes(deps));
  app.route('/', endorsementRoutes(deps));
  app.route('/', oid4vciRoutes(deps));
  app.route('/', claimRoutes(deps));
  app.route('/', badgeRoutes(deps));
  app.route('/', docsRoutes(deps));
  app.route('/', tokenRoutes(deps));
  app.route('/', auditRoutes(deps));
  app.route('/', metricsRoutes(deps));
  app.route('/', statusRoutes(deps));
  app.route('/', verifyRoutes(deps));
  app.route('/', verifyPageRoutes(deps));
  app.route('/', programRoutes(deps));
  app.route('/', licenseRoutes(deps));
  app.route('/', consoleRoutes(deps));
  app.route('/', educatorPageRoutes(deps));
  app.route('/', presentationRequestRoutes(deps));
  app.route('/', decisionRoutes(deps));
  app.route('/', registryEntryRoutes(deps));
  app.route('/', federationRoutes(deps));

  return app;
}

/**
 * A verifier-only instance (EDUCRED_ROLE=verifier): the same middleware, and only what a
 * verifier serves. The issuance routes are not mounted at all (404, as any unknown route).
 */
export function createVerifierApp(deps: VerifierDeps): Hono {
  const app = serviceShell(deps, undefined);
  app.route('/', healthRoutes(deps));
  app.route('/', tokenRoutes(deps));
  app.route('/', auditRoutes(deps));
  app.route('/', metricsRoutes(deps));
  app.route('/', verifyRoutes(deps));
  app.route('/', verifyPageRoutes(deps));
  app.route('/', presentationRequestRoutes(deps));
  app.route('/', decisionRoutes(deps));
  app.route('/', federationRoutes(deps));
  return app;
}

/** Request ids, logging, CORS, secure headers, page policy, rate and body limits, errors: every instance's. */
function serviceShell(deps: VerifierDeps, issuerDid: string | undefined): Hono {
  const app = new Hono();
  const { logger } = deps;

  // First: every later middleware, handler and log line of the request knows its id.
  app.use('*', requestId());
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    // No client address, no headers, no query: a status or verify request must not reveal who
    // checked whom. Claim tokens in the path are bearer secrets: redacted, and the route pattern
    // (`/claim/:token`) says what was asked.
    logger.info({ requestId: requestIdOf(c), method: c.req.method, route: c.req.routePath, path: redactSecrets(c.req.path), status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  // Outside secureHeaders, so public documents can say Cross-Origin-Resource-Policy: cross-origin.
  app.use('*', crossOrigin({ issuerDid }));
  app.use('*', secureHeaders());
  app.use('*', pagePolicy());
  // Public routes that cost signature and JSON-LD work (verify) or guard one-time links (claim):
  // one bucket per client for each group. Mounted even before those routes exist.
  const perMinute = deps.rateLimitPerMinute ?? 0;
  if (perMinute > 0) {
    const limits = { verify: rateLimit({ perMinute, clientKey: deps.rateLimitClientKey }), claim: rateLimit({ perMinute, clientKey: deps.rateLimitClientKey }) };
    for (const path of ['/credentials/verify', '/presentations/verify', '/verify', '/verify/*', '/presentation-requests/:id/exchange', '/presentation-requests/:id/openid4vp/*']) app.use(path, limits.verify);
    for (const path of ['/claim/*', '/exchanges/*', '/oid4vci/*', '/me/sign-in', '/me/sign-in/*', '/shared/*']) app.use(path, limits.claim);
  }
  const globalBodyLimit = bodyLimit({
    maxSize: deps.bodyLimit,
    onError: () => {
      throw new HttpProblem(413, 'payload-too-large', 'Payload too large', `The request body exceeds the limit of ${deps.bodyLimit} bytes`);
    },
  });
  // A bulk upload has its own, larger limit (src/http/batches.ts, and the console's upload in
  // src/http/console/batches.ts); the verify page applies this
  // same limit itself, so a browser gets the form back (src/http/verifyPage.ts); every other
  // route keeps this one.
  const ownLimit = new Set(['/awards/batch', '/verify', '/console/batches', ...IMPORT_UPLOAD_PATHS, '/console/educators/import']);
  app.use('*', (c, next) => (ownLimit.has(c.req.path) ? next() : globalBodyLimit(c, next)));

  app.notFound((c) => problemResponse(c, notFound(`No route for ${c.req.method} ${c.req.path}`)));
  app.onError((error, c) => {
    if (error instanceof HttpProblem) return problemResponse(c, error);
    if (error instanceof HTTPException) {
      return problemResponse(c, new HttpProblem(error.status, 'http-error', error.message || 'Request refused', error.message || `HTTP ${error.status}`));
    }
    if (isKeyUnavailable(error)) {
      // The operator's to fix (the rotated key's file is not on this node): a retryable 503, the details in the log only.
      logger.error({ err: serializeError(error), requestId: requestIdOf(c) }, 'signing refused: the current issuer key cannot be opened on this node');
      return problemResponse(c, new HttpProblem(503, 'signing-key-unavailable', 'Signing key unavailable', 'This node cannot open the issuer’s current signing key; try again later or another node'));
    }
    logger.error({ err: serializeError(error), requestId: requestIdOf(c), method: c.req.method, path: redactSecrets(c.req.path) }, 'unhandled error');
    return problemResponse(c, new HttpProblem(500, 'internal-error', 'Internal error', 'The service failed to handle this request; it has been logged'));
  });
  return app;
}
