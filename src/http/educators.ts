// Educators and their mastery records (issue 14's interface contract): programs add educators
// (issue), observers record observations and assessments and read progress (observe, or issue),
// a program withdraws an observation with a reason (issue, audited). Recording an observation or
// an assessment awards, in the same request, every badge whose rule it makes hold.
import { Hono } from 'hono';
import { FrameworkCatalog } from '../competencies/frameworkCatalog.js';
import { syncStoredFrameworks } from '../competencies/frameworkSetup.js';
import { EducatorNotFoundError } from '../educators/errors.js';
import { masteryAwarder } from '../educators/masteryAwarder.js';
import { amendObservation, createEducator, educatorProgress, recordAssessment, recordObservation, withdrawObservation, type Educator, type MasteryDeps } from '../educators/masteryRecords.js';
import { AssessmentRequestSchema, EducatorRequestSchema, ObservationRequestSchema, WithdrawRequestSchema } from '../educators/requests.js';
import { requireScope, type AuthVariables } from './auth.js';
import { readValidated } from './body.js';
import type { AppDeps } from './deps.js';
import { masteryProblem } from './masteryProblems.js';
import { encodeCursor, pageLimit, queryText, readCursor, toPage } from './pagination.js';

export const educatorView = (e: Educator): Record<string, unknown> => ({
  id: e.id,
  name: e.name,
  ...(e.email ? { email: e.email } : {}),
  ...(e.did ? { did: e.did } : {}),
  ...(e.externalId ? { externalId: e.externalId } : {}),
  ...(e.cohort ? { cohort: e.cohort } : {}),
  createdAt: e.createdAt,
});

const fallbackCatalogs = new WeakMap<AppDeps, FrameworkCatalog>();

/** The catalog the app was given, or (one per app) the built-in framework alone. */
export function catalogOf(deps: AppDeps): FrameworkCatalog {
  if (deps.frameworks) return deps.frameworks;
  let catalog = fallbackCatalogs.get(deps);
  if (!catalog) {
    catalog = new FrameworkCatalog([deps.framework]);
    fallbackCatalogs.set(deps, catalog);
  }
  return catalog;
}

/** What recording needs, acting as `actor` (the API's token, the console's person). */
export async function masteryDepsFor(deps: AppDeps, actor: string): Promise<MasteryDeps> {
  const catalog = catalogOf(deps);
  // A framework posted on another node is known here before its ratings are checked.
  await syncStoredFrameworks(deps.store, catalog);
  return { records: deps.store.educators, catalog, now: deps.now, award: masteryAwarder({ ...deps, actor, catalog }) };
}

export function educatorRoutes(deps: AppDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const catalog = catalogOf(deps);
  const observers = requireScope(deps.store, ['observe', 'issue']);
  const masteryDeps = (actor: string): Promise<MasteryDeps> => masteryDepsFor(deps, actor);
  const actorOf = (c: { get(key: 'token'): { name: string } }): string => `token:${c.get('token').name}`;

  app.post('/educators', requireScope(deps.store, 'issue'), async (c) => {
    const request = await readValidated(c, EducatorRequestSchema);
    const educator = await createEducator(deps.store.educators, request, deps.now?.()).catch(masteryProblem);
    await deps.store.audit.record({ actor: actorOf(c), action: 'educator.created', subject: `educator:${educator.id}`, detail: { externalId: educator.externalId, cohort: educator.cohort } });
    return c.json(educatorView(educator), 201, { Location: `/educators/${educator.id}` });
  });

  app.get('/educators', observers, async (c) => {
    const filters = { cohort: queryText(c, 'cohort', 100), q: queryText(c, 'q', 200) };
    const limit = pageLimit(c);
    const afterSeq = readCursor(c, 'educators', filters);
    const rows = await deps.store.educators.listEducators({ ...filters, afterSeq, limit: limit + 1 });
    return c.json(toPage(rows, limit, (r) => r.seq, educatorView, (p) => encodeCursor('educators', filters, p)));
  });

  app.get('/educators/:id', observers, async (c) => {
    const educator = await deps.store.educators.findEducator(c.req.param('id'));
    if (!educator) masteryProblem(new EducatorNotFoundError(c.req.param('id')));
    await syncStoredFrameworks(deps.store, catalog);
    return c.json({ ...educatorView(educator), progress: await educatorProgress({ records: deps.store.educators, catalog }, educator.id) });
  });

  app.post('/educators/:id/observations', observers, async (c) => {
    const request = await readValidated(c, ObservationRequestSchema);
    const outcome = await recordObservation(await masteryDeps(actorOf(c)), c.req.param('id'), request).catch(masteryProblem);
    return c.json(outcome, 201, { Location: `/educators/${c.req.param('id')}/observations/${outcome.id}` });
  });

  app.put('/educators/:id/observations/:observationId', observers, async (c) => {
    const request = await readValidated(c, ObservationRequestSchema);
    const { id, observationId } = c.req.param();
    const outcome = await amendObservation(await masteryDeps(actorOf(c)), id, observationId, request).catch(masteryProblem);
    await deps.store.audit.record({ actor: actorOf(c), action: 'observation.amended', subject: `observation:${observationId}`, detail: { educator: id, awarded: outcome.awarded.map((a) => a.awardId) } });
    return c.json(outcome);
  });

  app.post('/educators/:id/assessments', observers, async (c) => {
    const request = await readValidated(c, AssessmentRequestSchema);
    const outcome = await recordAssessment(await masteryDeps(actorOf(c)), c.req.param('id'), request).catch(masteryProblem);
    return c.json(outcome, 201);
  });

  app.post('/educators/:id/observations/:observationId/withdraw', requireScope(deps.store, 'issue'), async (c) => {
    const { reason } = await readValidated(c, WithdrawRequestSchema);
    const { id, observationId } = c.req.param();
    const observation = await withdrawObservation({ records: deps.store.educators, now: deps.now }, id, observationId, reason).catch(masteryProblem);
    // The reason goes to the audit log only.
    await deps.store.audit.record({ actor: actorOf(c), action: 'observation.withdrawn', subject: `observation:${observationId}`, detail: { educator: id, reason } });
    return c.json({ id: observation.id, withdrawn: true });
  });

  return app;
}
