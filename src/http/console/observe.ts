// Recording and amending observations in the console: the form's fields become the body of
// POST /educators/:id/observations (validated by the same schema) and go to the same domain
// function, acting as the signed-in person; the observer is that person. After saving, the
// browser is sent (POST, redirect, GET) to a page that says which badges it awarded.
import { Hono, type Context } from 'hono';
import { syncStoredFrameworks } from '../../competencies/frameworkSetup.js';
import { actorOf } from '../../console/sessions.js';
import { amendObservation, educatorProgress, recordObservation, type Educator, type RecordOutcome } from '../../educators/masteryRecords.js';
import { ObservationRequestSchema } from '../../educators/requests.js';
import { sendPage } from '../../pages/layout.js';
import { observePage, savedPage, type ObservationFormValues } from '../../pages/console/observe.js';
import { consolePage } from '../../pages/console/shell.js';
import type { AppDeps } from '../deps.js';
import { catalogOf, masteryDepsFor } from '../educators.js';
import { formText, problemText } from './forms.js';
import { messageBody, type ConsoleEnv, type ConsoleGuard } from './session.js';

const MAX_EDUCATORS_LISTED = 1000;

function formValues(form: Record<string, string | File>): ObservationFormValues {
  const ratings: Record<string, string> = {};
  for (const [key, value] of Object.entries(form)) if (key.startsWith('rating:') && typeof value === 'string' && value !== '') ratings[key.slice('rating:'.length)] = value;
  return { educator: formText(form, 'educator'), date: formText(form, 'date') ?? '', setting: formText(form, 'setting'), narrative: formText(form, 'narrative'), ratings };
}

export function consoleObserveRoutes(deps: AppDeps, guard: ConsoleGuard): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const catalog = catalogOf(deps);
  const today = (): string => (deps.now?.() ?? new Date()).toISOString().slice(0, 10);
  const educators = async (): Promise<Educator[]> => deps.store.educators.listEducators({ limit: MAX_EDUCATORS_LISTED });

  const showForm = async (c: Context<ConsoleEnv>, values: ObservationFormValues, error?: string, amend?: { observationId: string; educator: Educator }) => {
    await syncStoredFrameworks(deps.store, catalog);
    return sendPage(c, observePage(c.get('viewer'), { educators: amend ? [] : await educators(), entries: catalog.entries(), values, amend, error }), error ? 400 : 200);
  };

  /** Validates the form as the API validates its body, then records or amends. */
  const save = async (c: Context<ConsoleEnv>, amend?: { observationId: string; educator: Educator }) => {
    const values = formValues(c.get('form'));
    const person = c.get('session').person;
    const educator = amend?.educator ?? (values.educator ? await deps.store.educators.findEducator(values.educator) : undefined);
    if (!educator) return showForm(c, values, 'Choose the educator.', amend);
    const parsed = ObservationRequestSchema.safeParse({
      date: values.date,
      observer: person.name,
      ...(values.setting ? { setting: values.setting } : {}),
      ...(values.narrative ? { narrative: values.narrative } : {}),
      ratings: Object.entries(values.ratings).map(([achievement, level]) => ({ achievement, level })),
    });
    if (!parsed.success) {
      const ratingsMissing = parsed.error.issues.some((i) => i.path[0] === 'ratings');
      return showForm(c, values, ratingsMissing ? 'Rate at least one competency the lesson showed.' : problemText(parsed.error), amend);
    }
    let outcome: RecordOutcome;
    try {
      const mastery = await masteryDepsFor(deps, actorOf(person));
      outcome = amend ? await amendObservation(mastery, educator.id, amend.observationId, parsed.data) : await recordObservation(mastery, educator.id, parsed.data);
    } catch (error) {
      if (error instanceof Error && 'code' in error) return showForm(c, values, error.message, amend);
      throw error;
    }
    await deps.store.audit.record({
      actor: actorOf(person),
      action: amend ? 'observation.amended' : 'observation.recorded',
      subject: `observation:${outcome.id}`,
      detail: { educator: educator.id, awarded: outcome.awarded.map((a) => a.awardId) },
    });
    const awarded = outcome.awarded.filter((a) => a.educatorId === educator.id).map((a) => a.awardId);
    const query = new URLSearchParams({ ...(awarded.length ? { awarded: awarded.join(',') } : {}), ...(amend ? { amended: '1' } : {}) });
    return c.redirect(`/console/educators/${educator.id}/observations/${outcome.id}?${query}`, 303);
  };

  /** The observation to amend, when it is the educator's own and not withdrawn. */
  const amendable = async (c: Context<ConsoleEnv>) => {
    const educator = await deps.store.educators.findEducator(c.req.param('id') ?? '');
    const observation = educator && (await deps.store.educators.findObservation(educator.id, c.req.param('observationId') ?? ''));
    return educator && observation && !observation.withdrawn ? { educator, observation } : undefined;
  };

  const notFound = (c: Context<ConsoleEnv>) =>
    sendPage(c, consolePage(c.get('viewer'), { title: 'Not found', screen: 'observe', body: messageBody('No such observation', 'This observation does not exist, or was withdrawn.') }), 404);

  app.get('/console/observe', guard.require('observe'), (c) => showForm(c, { educator: c.req.query('educator'), date: today(), ratings: {} }));
  app.post('/console/observe', guard.require('observe'), (c) => save(c));

  app.get('/console/educators/:id/observations/:observationId/amend', guard.require('observe'), async (c) => {
    const found = await amendable(c);
    if (!found) return notFound(c);
    const { educator, observation: o } = found;
    const values: ObservationFormValues = { educator: educator.id, date: o.date, setting: o.setting, narrative: o.narrative, ratings: Object.fromEntries(o.ratings.map((r) => [r.achievement, r.level])) };
    return showForm(c, values, undefined, { observationId: o.id, educator });
  });

  app.post('/console/educators/:id/observations/:observationId/amend', guard.require('observe'), async (c) => {
    const found = await amendable(c);
    if (!found) return notFound(c);
    return save(c, { observationId: found.observation.id, educator: found.educator });
  });

  app.get('/console/educators/:id/observations/:observationId', guard.require('observe'), async (c) => {
    const found = await amendable(c);
    if (!found) return notFound(c);
    const { educator, observation } = found;
    const mine = new Set((await deps.store.educators.masteryAwards(educator.id)).map((a) => a.awardId));
    const awarded = [];
    for (const id of (c.req.query('awarded') ?? '').split(',').filter((x) => mine.has(x))) {
      const award = await deps.store.awards.find(id);
      if (award) awarded.push({ name: catalog.achievement(award.achievementCode)?.competency.name ?? award.achievementCode, level: award.achievedLevel ?? '', credentialUrl: award.credentialId });
    }
    const rated = new Set(observation.ratings.map((r) => r.achievement));
    const progress = (await educatorProgress({ records: deps.store.educators, catalog }, educator.id))
      .filter((p) => rated.has(p.achievement))
      .map((item) => ({ name: catalog.achievement(item.achievement)?.competency.name ?? item.achievement, item }));
    return sendPage(c, savedPage(c.get('viewer'), { educator, observationId: observation.id, amended: c.req.query('amended') === '1', awarded, progress }));
  });

  return app;
}
