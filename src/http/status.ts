// Status lists over HTTP: the public signed list (GET /status/:listId, no token, cacheable,
// nothing about the caller logged), re-publishing (POST /status/:listId/publish), and status
// changes (POST /awards/:id/revoke|suspend|reinstate, and the VC-API POST /credentials/status).
import { countStatusChange } from '../metrics.js';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { recordUrl } from '../programs/clrCredential.js';
import { STATUS_LIST_ID } from '../status/entries.js';
import { NoStatusEntryError, RevocationFinalError, StatusListIssuerChangedError, UnknownAwardError } from '../status/errors.js';
import { createStatusListPublisher, type StatusListPublisher } from '../status/publisher.js';
import { changeAwardStatus, findAwardIdForCredential, type StatusAction, type StatusChangeOutcome } from '../status/statusChanges.js';
import { requireScope, type AuthVariables } from './auth.js';
import { readValidated } from './body.js';
import type { AppDeps } from './deps.js';
import { HttpProblem, notFound, unprocessable } from './problem.js';

export const StatusReasonSchema = z.strictObject({
  reason: z.string().trim().min(1, 'a reason is required (it is kept in the audit log, not in the public list)').max(2000),
});

/** POST /awards/:id/revoke: the reason, and whether to revoke the program records that hold the badge too. */
export const RevokeRequestSchema = z.strictObject({
  reason: StatusReasonSchema.shape.reason,
  revokeRecords: z.boolean().optional(),
});

/** VC-API status change as deployed issuers accept it (DCC issuer-coordinator / status service). */
const VcApiStatusItem = z.union([
  // The VC-API "update status" form: the status the credential should have.
  z.object({
    type: z.literal('BitstringStatusListCredential'),
    status: z.enum(['revoked', 'suspended', 'unsuspended', 'reinstated', 'active'], {
      message: "must be 'revoked', 'suspended', or 'unsuspended' / 'reinstated' / 'active' (lift a suspension)",
    }),
  }),
  // The form the W3C status list test suite sends: set the bit of the entry for this purpose.
  z.object({
    type: z.literal('BitstringStatusListEntry'),
    statusPurpose: z.enum(['revocation', 'suspension']),
  }),
]);

export const CredentialStatusRequestSchema = z.object({
  credentialId: z.string().min(1).max(2000),
  credentialStatus: z.union([VcApiStatusItem, z.array(VcApiStatusItem).min(1).max(2)]),
  reason: z.string().trim().min(1).max(2000).optional(),
});

type VcApiStatusItem = z.infer<typeof VcApiStatusItem>;
const ACTION_OF_STATUS = { revoked: 'revoke', suspended: 'suspend', unsuspended: 'reinstate', reinstated: 'reinstate', active: 'reinstate' } as const satisfies Record<string, StatusAction>;
const actionOf = (item: VcApiStatusItem): StatusAction => ('status' in item ? ACTION_OF_STATUS[item.status] : item.statusPurpose === 'revocation' ? 'revoke' : 'suspend');
const labelOf = (item: VcApiStatusItem): string => ('status' in item ? item.status : item.statusPurpose);

function toProblem(error: unknown): never {
  if (error instanceof UnknownAwardError) throw notFound(error.message);
  if (error instanceof RevocationFinalError) throw new HttpProblem(409, 'revocation-final', 'Revocation is final', error.message);
  if (error instanceof NoStatusEntryError) throw unprocessable('no-status-entry', 'No status entry', error.message);
  if (error instanceof StatusListIssuerChangedError) throw new HttpProblem(409, 'status-list-issuer-changed', 'Status list issuer changed', error.message);
  throw error;
}

const view = (outcome: StatusChangeOutcome) => ({ id: outcome.awardId, action: outcome.action, changed: outcome.changed, status: outcome.status });

export function statusRoutes(deps: AppDeps, publisher: StatusListPublisher = createStatusListPublisher(deps)): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();

  /** Applies a change and answers once the list verifiers fetch carries it (published at once). */
  const change = async (awardId: string, action: StatusAction, reason: string, actor: string): Promise<StatusChangeOutcome> => {
    let outcome: StatusChangeOutcome;
    try {
      outcome = await changeAwardStatus(deps.store, { awardId, action, reason, actor });
      countStatusChange(action, outcome.changed);
      if (outcome.published) await publisher.publish(outcome.published.listId, outcome.published.version);
    } catch (error) {
      toProblem(error);
    }
    return outcome;
  };

  const send = async (c: Context, listId: string): Promise<Response> => {
    if (!STATUS_LIST_ID.test(listId)) throw notFound(`No status list '${listId}'`);
    const published = await publisher.publish(listId).catch(toProblem);
    if (!published) throw notFound(`No status list '${listId}'`);
    const etag = `"${listId}.${published.version}"`;
    const headers = { ETag: etag, 'Cache-Control': `public, max-age=${Math.floor(published.ttlMs / 1000)}` };
    const ifNoneMatch = c.req.header('if-none-match');
    if (ifNoneMatch && (ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag))) {
      return c.body(null, 304, headers);
    }
    return c.body(published.json, 200, { ...headers, 'Content-Type': 'application/vc+ld+json; charset=utf-8' });
  };

  app.get('/status/:listId', (c) => send(c, c.req.param('listId')));

  // Publishing is immediate here (every change re-signs); this signs only if the list is behind.
  app.post('/status/:listId/publish', requireScope(deps.store, 'revoke'), async (c) => {
    const listId = c.req.param('listId');
    if (!STATUS_LIST_ID.test(listId) || !(await publisher.publish(listId).catch(toProblem))) throw notFound(`No status list '${listId}'`);
    return c.body(null, 204);
  });

  for (const action of ['suspend', 'reinstate'] as const) {
    app.post(`/awards/:id/${action}`, requireScope(deps.store, 'revoke'), async (c) => {
      const { reason } = await readValidated(c, StatusReasonSchema);
      return c.json(view(await change(c.req.param('id'), action, reason, `token:${c.get('token').name}`)));
    });
  }

  // Revoking a badge names the program records it is inside (they are no longer current) and,
  // with `revokeRecords: true`, revokes them too, each with its own audit row naming the badge.
  app.post('/awards/:id/revoke', requireScope(deps.store, 'revoke'), async (c) => {
    const { reason, revokeRecords = false } = await readValidated(c, RevokeRequestSchema);
    const actor = `token:${c.get('token').name}`;
    const outcome = await change(c.req.param('id'), 'revoke', reason, actor);
    const affected = await deps.store.programs.recordsEmbedding(outcome.awardId);
    const affectedRecords = [];
    for (const record of affected) {
      if (revokeRecords) await change(record.id, 'revoke', `The badge ${outcome.awardId} inside it was revoked: ${reason}`, actor);
      affectedRecords.push({ id: record.id, program: record.programCode, url: recordUrl(deps.baseUrl, record.id), revoked: revokeRecords });
    }
    return c.json({
      ...view(outcome),
      affectedRecords,
      ...(affectedRecords.length > 0 && !revokeRecords
        ? { revokeRecords: `These program records hold the badge and are no longer current; revoke them too by repeating this request with "revokeRecords": true.` }
        : {}),
    });
  });

  app.post('/credentials/status', requireScope(deps.store, 'revoke'), async (c) => {
    const request = await readValidated(c, CredentialStatusRequestSchema);
    const awardId = await findAwardIdForCredential(deps.store, deps.baseUrl, request.credentialId);
    if (!awardId) throw notFound(`No credential '${request.credentialId}'`);
    const actor = `token:${c.get('token').name}`;
    let last: StatusChangeOutcome | undefined;
    const items = Array.isArray(request.credentialStatus) ? request.credentialStatus : [request.credentialStatus];
    for (const item of items) {
      last = await change(awardId, actionOf(item), request.reason ?? `VC-API status '${labelOf(item)}'`, actor);
    }
    return c.json({ credentialId: request.credentialId, ...(last ? view(last) : {}) });
  });

  return app;
}
