// Bearer-token authentication with scopes. Tokens are looked up by hash (src/store/tokens.ts);
// every refused request is audited, without the presented secret.
import type { MiddlewareHandler } from 'hono';
import { recordAudit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { findToken, type ApiToken, type Scope } from '../store/tokens.js';
import { HttpProblem, problemResponse } from './problem.js';

export type AuthVariables = { token: ApiToken };

function refuse(db: Db, path: string, reason: string): void {
  recordAudit(db, { actor: 'anonymous', action: 'auth.refused', subject: path, detail: { reason } });
}

/** Requires a bearer token holding `scope` (the `admin` scope holds every scope). */
export function requireScope(db: Db, scope: Scope): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const challenge = { 'WWW-Authenticate': `Bearer realm="educred", scope="${scope}"` };
    if (!match?.[1]) {
      refuse(db, c.req.path, header ? 'malformed authorization header' : 'missing token');
      return problemResponse(
        c,
        new HttpProblem(401, 'unauthorized', 'Authentication required', 'Send an admin token as "Authorization: Bearer <token>"'),
        challenge,
      );
    }
    const token = findToken(db, match[1]);
    if (!token) {
      refuse(db, c.req.path, 'unknown or revoked token');
      return problemResponse(c, new HttpProblem(401, 'unauthorized', 'Authentication required', 'The bearer token is not valid'), {
        ...challenge,
        'WWW-Authenticate': `${challenge['WWW-Authenticate']}, error="invalid_token"`,
      });
    }
    if (!token.scopes.includes(scope) && !token.scopes.includes('admin')) {
      refuse(db, c.req.path, `token '${token.name}' lacks scope '${scope}'`);
      return problemResponse(
        c,
        new HttpProblem(403, 'forbidden', 'Insufficient scope', `This request needs a token with the '${scope}' scope`),
      );
    }
    c.set('token', token);
    await next();
  };
}
