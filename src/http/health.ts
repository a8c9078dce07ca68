// Liveness: answers once the database answers. Readiness (src/http/ready.ts) asks more.
import { Hono } from 'hono';
import type { VerifierDeps } from './deps.js';

export function healthRoutes(deps: VerifierDeps): Hono {
  const app = new Hono();
  app.get('/health', async (c) => {
    await deps.store.ping();
    return c.json({ status: 'ok' });
  });
  return app;
}
