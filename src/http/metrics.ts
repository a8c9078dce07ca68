// GET /metrics: the Prometheus exposition format (src/metrics.ts), behind a bearer token with the
// admin scope, like every operator route. The mail queue depth is read from the outbox at scrape
// time; every other metric is counted where its event happens.
import { Hono } from 'hono';
import { METRICS_CONTENT_TYPE, registry, setMailQueueDepth } from '../metrics.js';
import { requireScope, type AuthVariables } from './auth.js';
import type { VerifierDeps } from './deps.js';

export function metricsRoutes(deps: VerifierDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.get('/metrics', requireScope(deps.store, 'admin'), async (c) => {
    setMailQueueDepth((await deps.store.mail.counts()).pending);
    return c.body(await registry.metrics(), 200, { 'Content-Type': METRICS_CONTENT_TYPE, 'Cache-Control': 'no-store' });
  });
  return app;
}
