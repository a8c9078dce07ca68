// GET /audit: the audit log for an admin, newest first, optionally of one subject (an award id,
// `token:<id>`, a request path), a page at a time (src/http/pagination.ts). Actors are token
// names, never tokens.
import { Hono } from 'hono';
import { requireScope, type AuthVariables } from './auth.js';
import type { VerifierDeps } from './deps.js';
import { encodeCursor, pageLimit, queryText, readCursor, toPage } from './pagination.js';

export function auditRoutes(deps: VerifierDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get('/audit', requireScope(deps.store, 'admin'), async (c) => {
    const filters = { subject: queryText(c, 'subject', 2048) };
    const limit = pageLimit(c);
    const beforeId = readCursor(c, 'audit', filters);
    const rows = await deps.store.audit.list({ subject: filters.subject, beforeId, limit: limit + 1 });
    return c.json(
      toPage(
        rows,
        limit,
        (r) => r.id,
        (r) => ({ id: r.id, time: r.at, actor: r.actor, action: r.action, subject: r.subject, detail: r.detail }),
        (p) => encodeCursor('audit', filters, p),
      ),
    );
  });

  return app;
}
