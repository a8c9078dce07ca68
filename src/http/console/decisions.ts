// The console's Decisions screen (issue 17): the agency's decision records, and an approval
// turned into a licence by the same domain function as POST /decisions/:id/license, acting as the
// signed-in person (registrar or admin: the issue permission).
import { Hono } from 'hono';
import { claimLinkFields, ensureClaimLink } from '../../claims/claimLink.js';
import { actorOf } from '../../console/sessions.js';
import { DecisionNotFoundError, issueLicenseOnDecision, LicenseExistsError, LicenseOnDecisionSchema, NotApprovedError, UnknownLicenseRuleError } from '../../licenses/issueLicense.js';
import { decisionPage, decisionsPage, type LicenseFormState } from '../../pages/console/decisions.js';
import { sendPage } from '../../pages/layout.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../problem.js';
import { formText, problemText } from './forms.js';
import type { ConsoleEnv, ConsoleGuard } from './session.js';

const PAGE = 50;

export function consoleDecisionRoutes(deps: AppDeps, guard: ConsoleGuard): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const ruleOf = (id: string) => deps.verifier.rules().find((r) => r.id === id);

  app.get('/console/decisions', guard.require('issue'), async (c) => {
    const after = Number(c.req.query('after') ?? '');
    const rows = await deps.store.decisions.list({ afterSeq: Number.isSafeInteger(after) && after > 0 ? after : undefined, limit: PAGE + 1 });
    const shown = rows.slice(0, PAGE);
    const last = shown.at(-1);
    return sendPage(c, decisionsPage(c.get('viewer'), { decisions: shown, ruleName: (id) => ruleOf(id)?.name ?? id, olderHref: rows.length > PAGE && last ? `/console/decisions?after=${last.seq}` : undefined }));
  });

  app.get('/console/decisions/:id', guard.require('issue'), async (c) => {
    const decision = await deps.store.decisions.find(c.req.param('id'));
    if (!decision) throw notFound(`No decision '${c.req.param('id')}'`);
    return sendPage(c, decisionPage(c.get('viewer'), decision, ruleOf(decision.rule)));
  });

  app.post('/console/decisions/:id/license', guard.require('issue'), async (c) => {
    const decision = await deps.store.decisions.find(c.req.param('id'));
    if (!decision) throw notFound(`No decision '${c.req.param('id')}'`);
    const form = c.get('form');
    const fields: LicenseFormState = { code: formText(form, 'code'), name: formText(form, 'name'), email: formText(form, 'email') };
    const parsed = LicenseOnDecisionSchema.safeParse({ license: { code: fields.code, name: fields.name }, ...(fields.email ? { applicant: { email: fields.email } } : {}) });
    const again = (state: LicenseFormState, status: 400 | 409 | 422) => sendPage(c, decisionPage(c.get('viewer'), decision, ruleOf(decision.rule), { ...fields, ...state }), status);
    if (!parsed.success) return again({ error: problemText(parsed.error) }, 400);
    try {
      const { license } = await issueLicenseOnDecision(deps, decision.id, parsed.data, actorOf(c.get('session').person));
      const claim = claimLinkFields(await ensureClaimLink(deps, license.id));
      return sendPage(c, decisionPage(c.get('viewer'), decision, ruleOf(decision.rule), { issued: { credentialUrl: license.credentialId, claimUrl: claim.claimUrl ?? undefined } }), 201);
    } catch (error) {
      if (error instanceof NotApprovedError) return again({ error: 'Not approved now: the presentation, verified again, does not meet the rule.', reasons: error.decision.missing.map((m) => `${m.requirement}: ${m.reason}`) }, 422);
      if (error instanceof LicenseExistsError) return again({ error: 'This educator already holds an active licence of this class.' }, 409);
      if (error instanceof UnknownLicenseRuleError) return again({ error: error.message }, 422);
      if (error instanceof DecisionNotFoundError) throw notFound(error.message);
      throw error;
    }
  });

  return app;
}
