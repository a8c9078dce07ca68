// Awards: record mastery and receive the signed badge (POST /awards), read it back (GET /awards/:id).
import { Hono } from 'hono';
import { AwardExistsError, IdempotencyConflictError, InvalidAwardError, MasteryNotMetError, UnknownAchievementError } from '../awards/errors.js';
import { awardUrl, issueAward } from '../awards/issueAward.js';
import { addClaimLink, claimLinkFields, ensureClaimLink } from '../claims/claimLink.js';
import { shortfallPointer } from '../competencies/mastery.js';
import { assertMailConfigured, assertNotifiable, AwardPostSchema, NotifyError } from '../mail/notify.js';
import type { AwardRecord } from '../store/awards.js';
import type { Repositories } from '../store/store.js';
import { requireScope, type AuthVariables } from './auth.js';
import { readValidated } from './body.js';
import type { AppDeps } from './deps.js';
import { badRequest, HttpProblem, notFound, unprocessable } from './problem.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Where the award's claim email is (pending, sent, failed, cancelled), for the program to see. */
export async function notificationView(store: Repositories, awardId: string): Promise<Record<string, unknown> | undefined> {
  const row = await store.mail.findClaimEmail(awardId);
  if (!row) return undefined;
  return { state: row.state, attempts: row.attempts, ...(row.sentAt ? { sentAt: row.sentAt } : {}), ...(row.state !== 'sent' && row.lastError ? { lastError: row.lastError } : {}) };
}

export function awardView(award: AwardRecord, notification?: Record<string, unknown>): Record<string, unknown> {
  return {
    id: award.id,
    achievement: award.achievementCode,
    recipient: award.recipientDid ? { id: award.recipientDid, name: award.recipientName ?? undefined } : { email: award.recipientEmail, name: award.recipientName },
    createdAt: award.createdAt,
    credential: award.credential,
    ...(notification ? { notification } : {}),
  };
}

function toProblem(baseUrl: string, error: unknown): never {
  if (error instanceof NotifyError) {
    const slug = error.reason === 'not-configured' ? 'mail-not-configured' : 'notify-needs-email';
    const title = error.reason === 'not-configured' ? 'Outgoing mail is not configured' : 'No email address to notify';
    throw unprocessable(slug, title, error.message, { errors: [{ pointer: `/${error.field.replace('.', '/')}`, detail: error.message }] });
  }
  if (error instanceof UnknownAchievementError) {
    throw unprocessable('unknown-achievement', 'Unknown achievement', error.message, {
      errors: [{ pointer: '/achievement', detail: error.message }],
      knownAchievements: error.known,
    });
  }
  if (error instanceof MasteryNotMetError) {
    throw unprocessable('mastery-not-met', 'Mastery rule not met', error.message, {
      missing: error.shortfalls,
      errors: error.shortfalls.map((s) => ({ pointer: shortfallPointer(s.field), detail: s.detail })),
    });
  }
  if (error instanceof InvalidAwardError) {
    throw badRequest(error.message, [{ pointer: `/${error.field}`, detail: error.message }]);
  }
  if (error instanceof IdempotencyConflictError) {
    throw new HttpProblem(409, 'idempotency-conflict', 'Idempotency-Key reused', error.message);
  }
  if (error instanceof AwardExistsError) {
    throw new HttpProblem(409, 'award-exists', 'The recipient already holds this badge', error.message, {
      existingAwardId: error.existing.id,
      existingAwardUrl: awardUrl(baseUrl, error.existing.id),
    });
  }
  throw error;
}

export function awardRoutes(deps: AppDeps): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.post('/awards', requireScope(deps.store, 'issue'), async (c) => {
    const idempotencyKey = c.req.header('idempotency-key');
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw badRequest('The Idempotency-Key header must be 1 to 255 visible ASCII characters');
    }
    // `notify` is how the award is delivered, not part of it: the idempotency hash covers the rest.
    const { notify = false, ...request } = await readValidated(c, AwardPostSchema);
    if (notify) {
      try {
        assertMailConfigured(deps.mail);
        assertNotifiable(request);
      } catch (error) {
        toProblem(deps.baseUrl, error);
      }
    }
    // A new award's claim link (and, with notify, its claim email) is stored in the award's own
    // transaction: the message exists exactly when the award does. A replay gets the live link back.
    const onStored = async (award: AwardRecord, tx: Repositories): Promise<void> => {
      await addClaimLink(deps, award.id, tx);
      if (notify) await tx.mail.queueClaimEmail(award.id);
    };
    const outcome = await issueAward(deps, request, { actor: `token:${c.get('token').name}`, idempotencyKey, onStored }).catch((error: unknown) => toProblem(deps.baseUrl, error));
    const claim = claimLinkFields(await ensureClaimLink(deps, outcome.award.id));
    if (notify) {
      // A replay asks for the same award's email: queued once (a no-op when it already is).
      if (!outcome.created) await deps.store.mail.queueClaimEmail(outcome.award.id);
      // Sent after this answer, by the delivery loop: a mail outage never fails or slows the award.
      deps.mail?.wake();
    }
    const notification = notify ? await notificationView(deps.store, outcome.award.id) : undefined;
    const body = { id: outcome.award.id, credential: outcome.award.credential, ...claim, ...(notification ? { notification } : {}) };
    // A replay (the same Idempotency-Key, or the same request for a badge already held) returns
    // the existing award: 200, flagged by a header (IETF Idempotency-Key draft).
    return c.json(body, outcome.created ? 201 : 200, {
      Location: `/awards/${outcome.award.id}`,
      ...(outcome.created ? {} : { 'Idempotent-Replayed': 'true' }),
    });
  });

  app.get('/awards/:id', requireScope(deps.store, 'issue'), async (c) => {
    const award = await deps.store.awards.find(c.req.param('id'));
    if (!award) throw notFound(`No award '${c.req.param('id')}'`);
    return c.json(awardView(award, await notificationView(deps.store, award.id)));
  });

  return app;
}
