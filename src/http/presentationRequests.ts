// Presentation requests over HTTP. With a token (scope verify): POST /presentation-requests
// makes one for an approval rule, GET /presentation-requests/:id reads its state and decision.
// For the educator's wallet (public; the random id is the capability): the VCALM interaction
// URL, the VC-API exchange, and OpenID4VP's request_uri and direct_post response URI. For the
// officer: the page (its own key in pageUrl) that shows the QR, then the decision.
import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { parseExchangeMessage } from '../claims/exchange.js';
import { qrSvg } from '../claims/qrCode.js';
import { sendPage } from '../pages/layout.js';
import { presentationRequestPage } from '../pages/presentationRequestPage.js';
import { answerPresentationRequest, decisionView, type PresentationAnswer } from '../presentations/answer.js';
import { PresentationRefusedError, PresentationRequestAnsweredError, PresentationRequestExpiredError, PresentationRequestNotFoundError } from '../presentations/errors.js';
import { allowLoopbackDevelopment, createAuthorizationRequest, Openid4vpResponseError, presentationsOfResponse } from '../presentations/openid4vp.js';
import type { RequestSigningKey } from '../presentations/requestKey.js';
import { createPresentationRequest, requestUrls, stateOf, verifiablePresentationRequest } from '../presentations/requests.js';
import { hashPageKey, type PresentationRequestRecord } from '../store/presentationRequests.js';
import { UnknownRuleError } from '../verify/verifier.js';
import { requireScope, type AuthVariables } from './auth.js';
import { parseJsonBody, readValidated } from './body.js';
import type { VerifierDeps } from './deps.js';
import { badRequest, HttpProblem, notFound } from './problem.js';

export const PresentationRequestSchema = z.strictObject({
  /** An approval rule of this verifier's trust policy. */
  rule: z.string().min(1).max(100),
  /** Shown to the educator by the wallet: why the verifier asks. */
  purpose: z.string().trim().min(1).max(500).optional(),
});

function toProblem(error: unknown): never {
  if (error instanceof PresentationRequestNotFoundError) throw notFound(error.message);
  if (error instanceof PresentationRequestAnsweredError) throw new HttpProblem(409, 'presentation-request-answered', 'Presentation request already answered', error.message);
  if (error instanceof PresentationRequestExpiredError) throw new HttpProblem(410, 'presentation-request-expired', 'Presentation request expired', error.message, { expiresAt: error.expiresAt });
  if (error instanceof PresentationRefusedError) throw new HttpProblem(400, 'presentation-refused', 'Presentation refused', error.message, { code: error.code });
  if (error instanceof Openid4vpResponseError) throw new HttpProblem(400, 'invalid-request', 'Invalid authorization response', error.message);
  if (error instanceof UnknownRuleError) throw badRequest(error.message, [{ pointer: '/rule', detail: error.message }]);
  throw error;
}

/** A form body (direct_post is application/x-www-form-urlencoded, OID4VP 1.0 §8.2) or JSON. */
async function readResponseBody(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (/^application\/x-www-form-urlencoded\b/i.test(type)) return Object.fromEntries(new URLSearchParams(await c.req.text()));
  const parsed = parseJsonBody(await c.req.text());
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('The authorization response must be a form (vp_token, state)');
  return parsed as Record<string, unknown>;
}

/** The officer page's key, compared by hash in constant time. */
function pageKeyMatches(request: PresentationRequestRecord, key: string | undefined): boolean {
  if (key === undefined || key.length > 200) return false;
  const a = Buffer.from(hashPageKey(key), 'hex');
  const b = Buffer.from(request.pageKeyHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function presentationRequestRoutes(deps: VerifierDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const verifiers = requireScope(deps.store, 'verify');
  allowLoopbackDevelopment(deps.baseUrl);
  const now = (): Date => (deps.now ?? (() => new Date()))();
  const requestKey = (): RequestSigningKey => {
    if (!deps.requestKey) throw new HttpProblem(503, 'openid4vp-unavailable', 'OpenID4VP unavailable', 'This instance has no OpenID4VP request key');
    return deps.requestKey;
  };
  const ruleOf = (request: PresentationRequestRecord) => {
    const rule = deps.verifier.rules().find((r) => r.id === request.rule);
    // A rule removed from the policy since: the request can no longer be decided.
    if (!rule) throw new HttpProblem(410, 'rule-withdrawn', 'Rule withdrawn', `The approval rule '${request.rule}' is no longer in this verifier's policy`);
    return rule;
  };
  const find = async (id: string): Promise<PresentationRequestRecord> => {
    const request = id.length <= 64 ? await deps.store.presentationRequests.find(id) : undefined;
    if (!request) throw notFound('No presentation request has this address.');
    return request;
  };
  const openid4vp = async (request: PresentationRequestRecord, pageKey?: string) => {
    const placeholder = requestUrls(deps.baseUrl, request.id, pageKey, '');
    const authorization = await createAuthorizationRequest(request, ruleOf(request), placeholder, requestKey(), now());
    return { urls: { ...placeholder, openid4vpUrl: authorization.url }, authorization };
  };
  const vpr = (request: PresentationRequestRecord) => verifiablePresentationRequest(request, ruleOf(request), requestUrls(deps.baseUrl, request.id, undefined, ''));
  const answer = async (request: PresentationRequestRecord, input: PresentationAnswer) => {
    const { decision } = await answerPresentationRequest(deps, request.id, input).catch(toProblem);
    deps.logger.info({ presentationRequest: request.id, decision: decision.id, approved: decision.approved, protocol: decision.protocol }, 'presentation request answered');
    return decision;
  };

  app.post('/presentation-requests', verifiers, async (c) => {
    const body = await readValidated(c, PresentationRequestSchema);
    const created = await createPresentationRequest({ store: deps.store, baseUrl: deps.baseUrl, rules: deps.verifier.rules() }, { rule: body.rule, purpose: body.purpose, createdBy: c.get('token').name, now: now() }).catch(toProblem);
    const { record } = created;
    const { urls } = await openid4vp(record, created.pageKey);
    await deps.store.audit.record({ actor: `token:${c.get('token').name}`, action: 'presentation_request.created', subject: `presentation-request:${record.id}`, detail: { rule: record.rule } });
    c.header('Location', `${deps.baseUrl}/presentation-requests/${record.id}`);
    // pageUrl holds the page's key: shown once, not for caches.
    return c.json(
      { id: record.id, challenge: record.challenge, domain: record.domain, expiresAt: record.expiresAt, exchangeUrl: urls.exchangeUrl, interactUrl: urls.interactUrl, openid4vpUrl: urls.openid4vpUrl, pageUrl: urls.pageUrl },
      201,
      { 'Cache-Control': 'no-store' },
    );
  });

  app.get('/presentation-requests/:id', verifiers, async (c) => {
    const request = await find(c.req.param('id'));
    const decision = request.decisionId ? await deps.store.decisions.find(request.decisionId) : undefined;
    return c.json({ id: request.id, state: stateOf(request, now()), rule: request.rule, expiresAt: request.expiresAt, ...(decision ? { decision: decisionView(decision) } : {}) });
  });

  // VCALM interaction URL (§3.4): which protocols this request can be answered with.
  app.get('/presentation-requests/:id/interact', async (c) => {
    const request = await find(c.req.param('id'));
    const { urls } = await openid4vp(request);
    return c.json({ protocols: { vcapi: urls.exchangeUrl, OID4VP: urls.openid4vpUrl } });
  });

  // The VC-API exchange: POST {} → the VPR; POST {verifiablePresentation} → the result.
  app.post('/presentation-requests/:id/exchange', async (c) => {
    const request = await find(c.req.param('id'));
    const text = await c.req.text();
    const message = parseExchangeMessage(text.trim() === '' ? undefined : parseJsonBody(text));
    if (message.kind === 'invalid') throw badRequest(message.reason);
    const state = stateOf(request, now());
    if (state !== 'pending') toProblem(state === 'answered' ? new PresentationRequestAnsweredError(request.id) : new PresentationRequestExpiredError(request.id, request.expiresAt));
    if (message.kind === 'start') return c.json(vpr(request));
    const decision = await answer(request, { presentation: message.presentation, presented: message.presentation, asked: vpr(request), protocol: 'vc-api', domain: request.domain, now: now() });
    const view = decisionView(decision);
    return c.json({ verified: view.verified, approved: view.approved, decision: view });
  });

  // OID4VP 1.0 §5.7: the request object, signed (RFC 9101 §10.2 media type).
  app.get('/presentation-requests/:id/openid4vp/request', async (c) => {
    const request = await find(c.req.param('id'));
    const state = stateOf(request, now());
    if (state !== 'pending') toProblem(state === 'answered' ? new PresentationRequestAnsweredError(request.id) : new PresentationRequestExpiredError(request.id, request.expiresAt));
    const { authorization } = await openid4vp(request);
    return c.body(authorization.requestObject, 200, { 'Content-Type': 'application/oauth-authz-req+jwt', 'Cache-Control': 'no-store' });
  });

  // OID4VP 1.0 §8.2 direct_post: vp_token and state, form-encoded.
  app.post('/presentation-requests/:id/openid4vp/response', async (c) => {
    const request = await find(c.req.param('id'));
    const { authorization } = await openid4vp(request);
    const body = await readResponseBody(c);
    const presentations = (() => {
      try {
        return presentationsOfResponse(body, authorization.payload);
      } catch (error) {
        return toProblem(error);
      }
    })();
    if (presentations.length !== 1) {
      throw new HttpProblem(400, 'invalid-request', 'Invalid authorization response', 'Present the badges in one presentation (ldp_vc or jwt_vc_json), holding them all: the rule is decided over one holder proof.');
    }
    const decision = await answer(request, {
      presentation: presentations[0],
      presented: { vp_token: body.vp_token, state: body.state },
      asked: authorization.payload,
      protocol: 'openid4vp',
      domain: authorization.payload.client_id,
      now: now(),
    });
    // §8.2: a JSON object; no redirect_uri, the wallet shows its own confirmation.
    return c.json({ decision: decisionView(decision).approved ? 'approved' : 'not approved' });
  });

  // The officer's page: the QR first, then (by itself) the decision.
  const officerRequest = async (c: Context): Promise<PresentationRequestRecord> => {
    const request = await find(c.req.param('id') ?? '');
    if (!pageKeyMatches(request, c.req.query('key'))) throw new HttpProblem(403, 'forbidden', 'Not your request', 'This page needs the key of its pageUrl');
    return request;
  };

  app.get('/presentation-requests/:id/page/state', async (c) => {
    const request = await officerRequest(c);
    return c.json({ state: stateOf(request, now()) }, 200, { 'Cache-Control': 'no-store' });
  });

  app.get('/presentation-requests/:id/page', async (c) => {
    const request = await officerRequest(c);
    const key = c.req.query('key') ?? '';
    const state = stateOf(request, now());
    const decision = request.decisionId ? await deps.store.decisions.find(request.decisionId) : undefined;
    const rule = ruleOf(request);
    if (state !== 'pending' || decision) return sendPage(c, presentationRequestPage({ request, rule, state, decision }));
    const { urls } = await openid4vp(request, key);
    const [interactQr, openid4vpQr] = await Promise.all([qrSvg(urls.interactUrl, 'QR code for a VC-API wallet (Learner Credential Wallet)'), qrSvg(urls.openid4vpUrl, 'QR code for an OpenID4VP wallet')]);
    return sendPage(c, presentationRequestPage({ request, rule, state, urls, qr: { interact: interactQr, openid4vp: openid4vpQr }, statusUrl: `/presentation-requests/${request.id}/page/state?key=${encodeURIComponent(key)}` }));
  });

  return app;
}
