// API tokens over HTTP: an admin creates a scoped token for a program's issuing system
// (POST /tokens), lists the tokens (GET /tokens) and revokes one (DELETE /tokens/:id). The
// secret is shown once in the creating response and stored only as its hash; listings never
// show a hash or a secret.
import { Hono } from 'hono';
import { z } from 'zod';
import { LastAdminTokenError, SCOPES, UnknownTokenError, type TokenRecord } from '../store/tokens.js';
import { requireScope, type AuthVariables } from './auth.js';
import { readValidated } from './body.js';
import type { VerifierDeps } from './deps.js';
import { encodeCursor, pageLimit, readCursor, toPage } from './pagination.js';
import { HttpProblem, notFound } from './problem.js';

export const TokenRequestSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(100),
  scopes: z.array(z.enum(SCOPES, { message: `must be one of ${SCOPES.join(', ')}` })).min(1, 'at least one scope').max(SCOPES.length),
});

export function tokenRoutes(deps: VerifierDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.post('/tokens', requireScope(deps.store, 'admin'), async (c) => {
    const request = await readValidated(c, TokenRequestSchema);
    const scopes = [...new Set(request.scopes)];
    const actor = `token:${c.get('token').name}`;
    const { token, record } = await deps.store.transaction(async (tx) => {
      const created = await tx.tokens.create(request.name, scopes);
      await tx.audit.record({ actor, action: 'token.created', subject: `token:${created.record.id}`, detail: { name: created.record.name, scopes } });
      return created;
    });
    // no-store: the one response that carries the secret must not sit in a cache.
    return c.json({ id: record.id, name: record.name, scopes, token }, 201, { 'Cache-Control': 'no-store' });
  });

  app.get('/tokens', requireScope(deps.store, 'admin'), async (c) => {
    const limit = pageLimit(c);
    const afterSeq = readCursor(c, 'tokens', {});
    return c.json(
      toPage(
        await deps.store.tokens.list({ afterSeq, limit: limit + 1 }),
        limit,
        (r) => r.seq,
        ({ seq: _seq, ...token }) => tokenView(token),
        (p) => encodeCursor('tokens', {}, p),
      ),
    );
  });

  app.delete('/tokens/:id', requireScope(deps.store, 'admin'), async (c) => {
    const id = c.req.param('id');
    try {
      await deps.store.tokens.revoke(id, `token:${c.get('token').name}`);
    } catch (error) {
      if (error instanceof UnknownTokenError) throw notFound(error.message);
      if (error instanceof LastAdminTokenError) throw new HttpProblem(409, 'last-admin-token', 'Last admin token', error.message, { tokenId: id });
      throw error;
    }
    return c.body(null, 204);
  });

  return app;
}

/** A token as listings show it (HTTP and `educred tokens list`): never its hash. */
export function tokenView(token: TokenRecord): Record<string, unknown> {
  return { id: token.id, name: token.name, scopes: token.scopes, origin: token.origin, createdAt: token.createdAt, revokedAt: token.revokedAt };
}
