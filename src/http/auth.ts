// Bearer-token authentication with scopes. Tokens are looked up by hash (src/store/tokens.ts)
// on every request, so a revoked token is refused at once. Refused requests are audited without
// the presented secret, aggregated per client and reason (src/http/refusalAudit.ts).
import type { Context, MiddlewareHandler } from 'hono';
import type { Store } from '../store/store.js';
import type { ApiToken, Scope } from '../store/tokens.js';
import { HttpProblem, problemResponse } from './problem.js';
import { peerAddress } from './rateLimit.js';
import { refusalAuditFor } from './refusalAudit.js';

export type AuthVariables = { token: ApiToken };

function refuse(store: Store, c: Context, reason: string, actor = 'anonymous'): Promise<void> {
  return refusalAuditFor(store).record({ client: peerAddress(c), reason, path: c.req.path, actor });
}

/**
 * Requires a bearer token holding `scope`, or one of several (the `admin` scope holds every
 * scope). The observer routes take `observe` or `issue`: a program's issuing system records too.
 */
export function requireScope(store: Store, scope: Scope | readonly Scope[]): MiddlewareHandler<{ Variables: AuthVariables }> {
  const scopes: readonly Scope[] = typeof scope === 'string' ? [scope] : scope;
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    // RFC 6750 §3: the scope attribute is a space-delimited list.
    const challenge = { 'WWW-Authenticate': `Bearer realm="educred", scope="${scopes.join(' ')}"` };
    if (!match?.[1]) {
      await refuse(store, c, header ? 'malformed authorization header' : 'missing token');
      return problemResponse(
        c,
        new HttpProblem(401, 'unauthorized', 'Authentication required', 'Send an admin token as "Authorization: Bearer <token>"'),
        challenge,
      );
    }
    const token = await store.tokens.find(match[1]);
    if (!token) {
      await refuse(store, c, 'unknown or revoked token');
      return problemResponse(c, new HttpProblem(401, 'unauthorized', 'Authentication required', 'The bearer token is not valid'), {
        ...challenge,
        'WWW-Authenticate': `${challenge['WWW-Authenticate']}, error="invalid_token"`,
      });
    }
    if (!scopes.some((s) => token.scopes.includes(s)) && !token.scopes.includes('admin')) {
      const needed = scopes.map((s) => `'${s}'`).join(' or ');
      await refuse(store, c, `token '${token.name}' lacks scope ${needed}`, `token:${token.name}`);
      return problemResponse(
        c,
        new HttpProblem(403, 'forbidden', 'Insufficient scope', `This request needs a token with the ${needed} scope`),
      );
    }
    c.set('token', token);
    await next();
  };
}
