// Credentials: the public JSON of an issued badge (GET /credentials/:id) and VC-API issuance of
// a caller-built credential (POST /credentials/issue): types beyond the token's scope are a 403
// (credential-type-forbidden), status list credentials a 422 (credential-type-refused), see
// src/awards/callerCredentialPolicy.ts.
import { Hono } from 'hono';
import { z } from 'zod';
import { PROOF_SUITES } from '../config.js';
import { CredentialIdTakenError, CredentialRejectedError, issueCallerCredential } from '../awards/issueCredential.js';
import { CredentialTypeRefusedError } from '../awards/callerCredentialPolicy.js';
import { credentialUrl } from '../awards/issueAward.js';
import { requireScope, type AuthVariables } from './auth.js';
import { readValidated } from './body.js';
import type { AppDeps } from './deps.js';
import { HttpProblem, notFound, unprocessable } from './problem.js';

export const IssueRequestSchema = z.object({
  credential: z.record(z.string(), z.unknown()),
  options: z
    .object({
      created: z.iso.datetime({ offset: true }).optional(),
      suite: z.enum(PROOF_SUITES).optional(),
    })
    .loose()
    .optional(),
});

export function credentialRoutes(deps: AppDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get('/credentials/:id', async (c) => {
    const award = await deps.store.awards.findByCredentialId(credentialUrl(deps.baseUrl, c.req.param('id')));
    if (!award) throw notFound(`No credential '${c.req.param('id')}'`);
    return c.json(award.credential, 200, { 'Content-Type': 'application/vc+ld+json; charset=utf-8' });
  });

  app.post('/credentials/issue', requireScope(deps.store, 'issue'), async (c) => {
    const { credential, options } = await readValidated(c, IssueRequestSchema);
    try {
      const { credential: verifiableCredential, created } = await issueCallerCredential(deps, credential, {
        actor: `token:${c.get('token').name}`,
        scopes: c.get('token').scopes,
        suite: options?.suite,
        created: options?.created ? new Date(options.created) : undefined,
      });
      return c.json({ verifiableCredential }, 201, created ? {} : { 'Idempotent-Replayed': 'true' });
    } catch (error) {
      if (error instanceof CredentialRejectedError) {
        throw unprocessable('credential-rejected', 'Credential rejected', error.message, { errors: error.problems });
      }
      if (error instanceof CredentialTypeRefusedError) {
        throw error.status === 403
          ? new HttpProblem(403, 'credential-type-forbidden', 'Credential type not issued here', error.message, { refusedType: error.refusedType })
          : unprocessable('credential-type-refused', 'Credential type not issued on request', error.message, { refusedType: error.refusedType, errors: [{ pointer: '/type', detail: error.message }] });
      }
      if (error instanceof CredentialIdTakenError) throw new HttpProblem(409, 'credential-id-taken', 'Credential id already issued', error.message);
      throw error;
    }
  });

  return app;
}
