// Readiness (GET /ready), for a load balancer in front of several nodes: 200 when this node can
// do its work — the database answers, its schema is the one this code expects (no migration
// missing, none newer), and the signing key signs — and 503 problem+json naming what is not
// ready otherwise. /health (liveness) asks only the database. The signing check signs a small
// credential through the same issuer awards use (the worker pool in the server); a success is
// kept for a few seconds so that probes cannot turn into a signing load.
import { Hono } from 'hono';
import { VC_V2_CONTEXT } from '../credentials/openBadge.js';
import type { AppDeps } from './deps.js';
import { HttpProblem, problemResponse } from './problem.js';

type CheckState = 'ok' | 'failing';

const KEY_CHECK_TTL_MS = 10_000;

export function readyRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  let keyCheckedAt = -Infinity;

  const checkKey = async (): Promise<void> => {
    if (Date.now() - keyCheckedAt < KEY_CHECK_TTL_MS) return;
    const signed = await deps.issuer.sign({
      '@context': [VC_V2_CONTEXT],
      type: ['VerifiableCredential'],
      issuer: deps.issuer.identity.did,
      validFrom: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      credentialSubject: { id: 'urn:educred:readiness-check' },
    });
    if (!signed.proof) throw new Error('the signature came back without a proof');
    keyCheckedAt = Date.now();
  };

  app.get('/ready', async (c) => {
    const checks: Record<string, CheckState> = { database: 'failing', migrations: 'failing', signingKey: 'failing' };
    const problems: string[] = [];
    try {
      await deps.store.ping();
      checks.database = 'ok';
      const schema = await deps.store.schemaState();
      if (schema.missing.length === 0) checks.migrations = 'ok';
      else problems.push(`migrations ${schema.missing.join(', ')} are not applied (run \`educred db migrate\`)`);
    } catch (error) {
      // /ready is public: the driver's words (host names, addresses) go to the log only.
      deps.logger.error({ err: error }, 'readiness: the database does not answer');
      problems.push('the database does not answer');
    }
    try {
      await checkKey();
      checks.signingKey = 'ok';
    } catch (error) {
      deps.logger.error({ err: error }, 'readiness: the signing key does not sign');
      problems.push('the signing key does not sign');
    }
    if (problems.length === 0) return c.json({ status: 'ready', checks }, 200, { 'Cache-Control': 'no-store' });
    return problemResponse(c, new HttpProblem(503, 'not-ready', 'Not ready', problems.join('; '), { checks }), { 'Cache-Control': 'no-store' });
  });
  return app;
}
