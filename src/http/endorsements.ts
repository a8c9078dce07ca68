// Endorsements for reciprocity: a state agency instance signs an EndorsementCredential about a
// preparation program's issuer DID (POST /endorsements, admin scope).
import { Hono } from 'hono';
import { EndorsementRequestSchema } from '../endorsements/endorsementCredential.js';
import { InvalidEndorsementError, issueEndorsement } from '../endorsements/issueEndorsement.js';
import { requireScope, type AuthVariables } from './auth.js';
import { readValidated } from './body.js';
import type { AppDeps } from './deps.js';
import { badRequest } from './problem.js';

export function endorsementRoutes(deps: AppDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.post('/endorsements', requireScope(deps.store, 'admin'), async (c) => {
    const request = await readValidated(c, EndorsementRequestSchema);
    try {
      const credential = await issueEndorsement(deps, request, `token:${c.get('token').name}`);
      return c.json({ id: credential.id, credential }, 201);
    } catch (error) {
      if (error instanceof InvalidEndorsementError) {
        throw badRequest(error.message, [{ pointer: `/${error.field}`, detail: error.message }]);
      }
      throw error;
    }
  });
  return app;
}
