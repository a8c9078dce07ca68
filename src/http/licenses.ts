// Licences (issue 15's interface contract): POST /licenses (token: issue) verifies the basis
// under the agency's approval rule and, when approved, answers 201 {id, credential, claimUrl,
// decision}; 422 not-approved with the decision's reasons otherwise. The licence is public at
// GET /credentials/:id like any badge, and revoked or suspended at POST /awards/:id/revoke|suspend.
import { Hono } from 'hono';
import { claimLinkFields, ensureClaimLink } from '../claims/claimLink.js';
import { DecisionNotFoundError, issueLicense, issueLicenseOnDecision, LicenseExistsError, LicenseOnDecisionSchema, LicenseRequestSchema, NotApprovedError, UnknownLicenseRuleError } from '../licenses/issueLicense.js';
import { requireScope, type AuthVariables } from './auth.js';
import { readValidated } from './body.js';
import type { AppDeps } from './deps.js';
import { HttpProblem, notFound, unprocessable } from './problem.js';

export function licenseProblem(error: unknown): never {
  if (error instanceof NotApprovedError) {
    throw unprocessable('not-approved', 'Not approved', error.message, { decision: error.decision, reasons: error.decision.missing.map((m) => `${m.requirement}: ${m.reason}`) });
  }
  if (error instanceof UnknownLicenseRuleError) {
    throw unprocessable('unknown-rule', 'Unknown approval rule', error.message, { errors: [{ pointer: '/rule', detail: error.message }], knownRules: error.known });
  }
  if (error instanceof DecisionNotFoundError) throw notFound(error.message);
  if (error instanceof LicenseExistsError) {
    throw new HttpProblem(409, 'license-exists', 'The applicant already holds this licence', error.message, { existingLicenseId: error.existingId });
  }
  throw error;
}

export function licenseRoutes(deps: AppDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.post('/licenses', requireScope(deps.store, 'issue'), async (c) => {
    const request = await readValidated(c, LicenseRequestSchema);
    const { license, decision } = await issueLicense(deps, request, `token:${c.get('token').name}`).catch(licenseProblem);
    const claim = claimLinkFields(await ensureClaimLink(deps, license.id));
    return c.json({ id: license.id, credential: license.credential, ...claim, decision }, 201, { Location: `/awards/${license.id}` });
  });
  // An approved decision record straight into a licence (issue 17): its presentation verified
  // again now, the holder as the applicant (src/licenses/issueLicense.ts issueLicenseOnDecision).
  app.post('/decisions/:id/license', requireScope(deps.store, 'issue'), async (c) => {
    const request = await readValidated(c, LicenseOnDecisionSchema);
    const { license, decision, decisionId } = await issueLicenseOnDecision(deps, c.req.param('id'), request, `token:${c.get('token').name}`).catch(licenseProblem);
    const claim = claimLinkFields(await ensureClaimLink(deps, license.id));
    return c.json({ id: license.id, credential: license.credential, ...claim, decision, decisionId }, 201, { Location: `/awards/${license.id}` });
  });
  return app;
}
