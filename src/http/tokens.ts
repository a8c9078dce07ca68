// API tokens over HTTP: an admin creates a scoped token for a program's issuing system
// (POST /tokens). The secret is shown once in the response and stored only as its hash.
import { Hono } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../store/audit.js';
import { createToken, SCOPES } from '../store/tokens.js';
import { requireScope, type AuthVariables } from './auth.js';
import { readValidated } from './body.js';
import type { AppDeps } from './deps.js';

export const TokenRequestSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(100),
  scopes: z.array(z.enum(SCOPES, { message: `must be one of ${SCOPES.join(', ')}` })).min(1, 'at least one scope').max(SCOPES.length),
});

export function tokenRoutes(deps: AppDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.post('/tokens', requireScope(deps.db, 'admin'), async (c) => {
    const request = await readValidated(c, TokenRequestSchema);
    const scopes = [...new Set(request.scopes)];
    const { token, record } = createToken(deps.db, request.name, scopes);
    recordAudit(deps.db, { actor: `token:${c.get('token').name}`, action: 'token.created', subject: `token:${record.id}`, detail: { name: record.name, scopes } });
    // no-store: the one response that carries the secret must not sit in a cache.
    return c.json({ id: record.id, name: record.name, scopes, token }, 201, { 'Cache-Control': 'no-store' });
  });

  return app;
}
