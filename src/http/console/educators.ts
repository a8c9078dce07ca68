// The console's educator screens over the same domain functions as the API (src/http/educators.ts,
// src/http/status.ts, src/http/claims.ts): the list with its progress grid, one educator, adding
// an educator, revoking / suspending / reinstating a badge (with a reason and a confirmation), a
// new claim link. Every change is audited under the signed-in person's name.
import { Hono } from 'hono';
import { currentClaimLink, replaceClaimLink } from '../../claims/claimLink.js';
import { syncStoredFrameworks } from '../../competencies/frameworkSetup.js';
import { actorOf } from '../../console/sessions.js';
import { createEducator, educatorProgress } from '../../educators/masteryRecords.js';
import { EducatorRequestSchema } from '../../educators/requests.js';
import { countStatusChange } from '../../metrics.js';
import { educatorListPage, educatorPage, statusConfirmPage, type BadgeView } from '../../pages/console/educators.js';
import { sendPage } from '../../pages/layout.js';
import { may } from '../../console/roles.js';
import { awardStatus, changeAwardStatus, STATUS_ACTIONS, type StatusAction } from '../../status/statusChanges.js';
import { createStatusListPublisher } from '../../status/publisher.js';
import type { AppDeps } from '../deps.js';
import { catalogOf } from '../educators.js';
import { formText, problemText } from './forms.js';
import { messageBody, type ConsoleEnv, type ConsoleGuard } from './session.js';
import { consolePage } from '../../pages/console/shell.js';

const PAGE = 50;

const NOTICES: Record<string, string> = {
  revoke: 'The badge is revoked. Its public page and every verifier now say so.',
  suspend: 'The badge is suspended.',
  reinstate: 'The badge is reinstated.',
  'claim-link': 'A new claim link is ready below; the old one no longer works.',
  added: 'Educator added.',
};

export function consoleEducatorRoutes(deps: AppDeps, guard: ConsoleGuard): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const catalog = catalogOf(deps);
  const publisher = createStatusListPublisher(deps);

  app.get('/console/educators', guard.require('read'), async (c) => {
    await syncStoredFrameworks(deps.store, catalog);
    const q = c.req.query('q')?.trim().slice(0, 200) || undefined;
    const cohort = c.req.query('cohort')?.trim().slice(0, 100) || undefined;
    const after = Number(c.req.query('after'));
    const found = await deps.store.educators.listEducators({ q, cohort, afterSeq: Number.isSafeInteger(after) && after > 0 ? after : undefined, limit: PAGE + 1 });
    const page = found.slice(0, PAGE);
    const rows = [];
    for (const educator of page) rows.push({ educator, progress: await educatorProgress({ records: deps.store.educators, catalog }, educator.id) });
    const last = page[page.length - 1];
    const nextHref = found.length > PAGE && last ? `/console/educators?${new URLSearchParams({ ...(q ? { q } : {}), ...(cohort ? { cohort } : {}), after: String(last.seq) })}` : undefined;
    return sendPage(c, educatorListPage(c.get('viewer'), { rows, entries: catalog.entries(), cohorts: await deps.store.educators.cohorts(), q, cohort, nextHref, error: c.req.query('error')?.slice(0, 500) }));
  });

  app.post('/console/educators', guard.require('issue'), async (c) => {
    const form = c.get('form');
    const parsed = EducatorRequestSchema.safeParse({ name: formText(form, 'name'), email: formText(form, 'email'), externalId: formText(form, 'externalId'), cohort: formText(form, 'cohort') });
    if (!parsed.success) return c.redirect(`/console/educators?error=${encodeURIComponent(problemText(parsed.error))}`, 303);
    try {
      const educator = await createEducator(deps.store.educators, parsed.data, deps.now?.());
      await deps.store.audit.record({ actor: actorOf(c.get('session').person), action: 'educator.created', subject: `educator:${educator.id}`, detail: { externalId: educator.externalId, cohort: educator.cohort } });
      return c.redirect(`/console/educators/${educator.id}?notice=added`, 303);
    } catch (error) {
      return c.redirect(`/console/educators?error=${encodeURIComponent((error as Error).message)}`, 303);
    }
  });

  app.get('/console/educators/:id', guard.require('read'), async (c) => {
    const viewer = c.get('viewer');
    const educator = await deps.store.educators.findEducator(c.req.param('id'));
    if (!educator) return sendPage(c, consolePage(viewer, { title: 'Not found', screen: 'educators', body: messageBody('No such educator', 'This educator does not exist (any more).') }), 404);
    await syncStoredFrameworks(deps.store, catalog);
    const [history, awards] = await Promise.all([deps.store.educators.history(educator.id), deps.store.educators.masteryAwards(educator.id)]);
    const progress = await educatorProgress({ records: deps.store.educators, catalog }, educator.id);
    const badges: BadgeView[] = [];
    const countedBy = new Map<string, string[]>();
    for (const a of awards) {
      const record = await deps.store.awards.find(a.awardId);
      if (!record) continue;
      const status = await awardStatus(deps.store, a.awardId);
      const name = catalog.achievement(a.achievement)?.competency.name ?? a.achievement;
      if (!a.revoked) for (const o of a.observationIds) countedBy.set(o, [...(countedBy.get(o) ?? []), `${name} (${a.level})`]);
      const claim = may(viewer.role, 'issue') ? await currentClaimLink(deps, a.awardId) : undefined;
      badges.push({
        awardId: a.awardId,
        achievement: a.achievement,
        achievementName: name,
        level: a.level,
        createdAt: record.createdAt,
        credentialUrl: record.credentialId,
        status: status.revoked ? 'revoked' : status.suspended ? 'suspended' : 'valid',
        canSuspend: status.entries.some((e) => e.purpose === 'suspension'),
        claim: claim && (claim.link ? { url: claim.link.url, expiresAt: claim.link.expiresAt } : { unavailable: claim.unavailable }),
      });
    }
    return sendPage(c, educatorPage(viewer, {
      educator,
      progress,
      entries: catalog.entries(),
      observations: [...history.observations],
      badges,
      countedBy,
      notice: NOTICES[c.req.query('notice') ?? ''],
      error: c.req.query('error')?.slice(0, 500),
    }));
  });

  // Two steps: the first post shows what will happen; the second (confirm=yes) does it.
  app.post('/console/awards/:id/status', guard.require('revoke'), async (c) => {
    const form = c.get('form');
    const educatorId = formText(form, 'educator') ?? '';
    const action = formText(form, 'action') as StatusAction | undefined;
    const reason = formText(form, 'reason')?.slice(0, 2000);
    const back = (query: string) => c.redirect(`/console/educators/${encodeURIComponent(educatorId)}?${query}`, 303);
    const award = await deps.store.awards.find(c.req.param('id'));
    const educator = await deps.store.educators.findEducator(educatorId);
    const owned = educator && (await deps.store.educators.masteryAwards(educator.id)).some((a) => a.awardId === award?.id);
    if (!award || !educator || !owned) return back(`error=${encodeURIComponent('No such badge for this educator.')}`);
    if (!action || !(STATUS_ACTIONS as readonly string[]).includes(action)) return back(`error=${encodeURIComponent('Choose revoke, suspend or reinstate.')}`);
    if (!reason) return back(`error=${encodeURIComponent('Give a reason: it is kept in the audit log.')}`);
    const badgeName = catalog.achievement(award.achievementCode)?.competency.name ?? award.achievementCode;
    if (formText(form, 'confirm') !== 'yes') {
      return sendPage(c, statusConfirmPage(c.get('viewer'), { educatorId, educatorName: educator.name, awardId: award.id, badgeName, action, reason }));
    }
    try {
      const outcome = await changeAwardStatus(deps.store, { awardId: award.id, action, reason, actor: actorOf(c.get('session').person) });
      countStatusChange(action, outcome.changed);
      if (outcome.published) await publisher.publish(outcome.published.listId, outcome.published.version);
    } catch (error) {
      return back(`error=${encodeURIComponent((error as Error).message)}`);
    }
    return back(`notice=${action}#badge-${award.id}`);
  });

  app.post('/console/awards/:id/claim-link', guard.require('issue'), async (c) => {
    const educatorId = formText(c.get('form'), 'educator') ?? '';
    const back = (query: string) => c.redirect(`/console/educators/${encodeURIComponent(educatorId)}?${query}`, 303);
    const award = await deps.store.awards.find(c.req.param('id'));
    if (!award) return back(`error=${encodeURIComponent('No such badge.')}`);
    const claim = await replaceClaimLink(deps, award.id);
    if (!claim.link) return back(`error=${encodeURIComponent(`No new claim link: the badge is ${claim.unavailable}.`)}`);
    // Send again (issue 16): the educator's claim email goes out with the new link (one email
    // for everything they hold unclaimed, composed when it is sent).
    const mailed = deps.mail !== undefined && award.recipientEmail !== null;
    if (mailed) await deps.store.mail.requeueClaimEmail(award.id);
    await deps.store.audit.record({ actor: actorOf(c.get('session').person), action: 'award.claim_link_created', subject: award.id, detail: { expiresAt: claim.link.expiresAt, emailed: mailed } });
    if (mailed) deps.mail?.wake();
    return back(`notice=claim-link#badge-${award.id}`);
  });

  return app;
}
