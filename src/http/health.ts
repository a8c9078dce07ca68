// Liveness: answers once the database answers.
import { Hono } from 'hono';
import type { AppDeps } from './deps.js';

export function healthRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/health', (c) => {
    deps.db.prepare('SELECT 1').get();
    return c.json({ status: 'ok' });
  });
  return app;
}
