// Every HTTP route of the service, described once for the OpenAPI document. The request body
// schemas are the zod schemas the routes validate with, so the documentation cannot drift from
// the validation. A test compares this table with the routes the app mounts: a new route needs
// a line here.
import { z } from 'zod';
import { AwardRequestSchema } from '../awards/awardRequest.js';
import { AwardPostSchema } from '../mail/notify.js';
import { EndorsementRequestSchema } from '../endorsements/endorsementCredential.js';
import { IssueRequestSchema } from '../http/credentials.js';
import { CredentialStatusRequestSchema, StatusReasonSchema } from '../http/status.js';
import { CredentialVerifyRequestSchema, PresentationVerifyRequestSchema } from '../http/verify.js';
import { TokenRequestSchema } from '../http/tokens.js';
import type { Scope } from '../store/tokens.js';

export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template (`{id}`), matching the Hono route `:id`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** Bearer token scope the route requires; absent for public routes. */
  scope?: Scope;
  body?: z.ZodType;
  /** Media type of the success response (JSON when absent). */
  produces?: string;
  responses: Record<string, string>;
}

/** The JSON form of a batch, for the document (the route reads it with src/awards/batchInput.ts). */
const BatchRequestDocSchema = z.union([
  z.array(AwardRequestSchema).min(1).max(10_000),
  z.strictObject({ batchId: z.string().max(100).optional(), notify: z.boolean().optional(), awards: z.array(AwardRequestSchema).min(1).max(10_000) }),
]);

const JSON_ERRORS = { '400': 'Invalid request (problem+json naming the field)', '415': 'Not application/json' };
const AUTH_ERRORS = { '401': 'Missing or invalid bearer token', '403': 'Token lacks the scope' };

export const ROUTES: RouteDoc[] = [
  { method: 'get', path: '/health', tag: 'Service', summary: 'Liveness: answers once the database answers', responses: { '200': '{"status":"ok"}' } },
  { method: 'get', path: '/openapi.json', tag: 'Service', summary: 'This OpenAPI 3.1 document', responses: { '200': 'The document' } },
  { method: 'get', path: '/docs', tag: 'Service', summary: 'Interactive API reference (HTML)', produces: 'text/html', responses: { '200': 'The page' } },
  { method: 'get', path: '/', tag: 'Pages', summary: 'Home page (HTML)', produces: 'text/html', responses: { '200': 'The page' } },
  { method: 'get', path: '/achievements', tag: 'Achievements', summary: 'The competency framework as OB 3.0 Achievements', responses: { '200': 'Array of Achievement' } },
  { method: 'get', path: '/achievements/{code}', tag: 'Achievements', summary: 'One Achievement', responses: { '200': 'Achievement', '404': 'Unknown code' } },
  { method: 'get', path: '/achievements/{code}/image.svg', tag: 'Achievements', summary: 'Generated badge image of the achievement (its OB 3.0 image)', produces: 'image/svg+xml', responses: { '200': 'SVG', '404': 'Unknown code' } },
  { method: 'get', path: '/frameworks/{code}', tag: 'Achievements', summary: 'The competency framework with mastery rules', responses: { '200': 'Framework', '404': 'Unknown framework' } },
  {
    method: 'post',
    path: '/awards',
    tag: 'Awards',
    summary: 'Record mastery evidence and issue the badge',
    description:
      'Checks the evidence against the mastery rule, signs an OpenBadgeCredential and returns it with a one-time `claimUrl` for the educator. ' +
      'An `Idempotency-Key` header makes retries safe: a replay returns the same award and the same claim link while it is valid (a new one only when it expired). ' +
      '`claimUrl` is null, with `claimUnavailable` saying why (`claimed`, `revoked`, `suspended`), when no link is handed out. ' +
      'One badge per recipient, achievement and achieved level (not revoked): the same request again, with or without a key, returns the existing award (200, `Idempotent-Replayed: true`); a different request for it is a 409 `award-exists` naming it (`existingAwardId`, `existingAwardUrl`). ' +
      'Observations count toward the mastery rule on distinct dates, and none may be dated after the award (its UTC date plus one day). ' +
      '`"notify": true` also emails the claim link to `recipient.email` (queued with the award, sent after it by the delivery loop and retried; `notification` shows its state).',
    scope: 'issue',
    body: AwardPostSchema,
    responses: {
      '201': '{id, credential, claimUrl, claimExpiresAt} (or claimUrl null and claimUnavailable), and notification with notify',
      '200': 'The existing award (a replay: the same request, or the same Idempotency-Key)',
      ...JSON_ERRORS,
      ...AUTH_ERRORS,
      '409': 'Idempotency-Key reused with another body, or the recipient already holds this badge (award-exists)',
      '422': 'Unknown achievement, mastery rule not met, or notify without recipient.email or without EDUCRED_SMTP_URL',
    },
  },
  {
    method: 'get',
    path: '/awards',
    tag: 'Awards',
    summary: 'List awards, newest first: filters `recipient` (DID or email), `achievement`, `status` (active, revoked, suspended); `limit` (1-200, default 50), `cursor`',
    scope: 'issue',
    responses: { '200': '{items: [{id, credentialId, achievement, recipient, name, status, createdAt, links}], next: cursor or null}', '400': 'Invalid filter, limit or cursor (problem+json naming it)', ...AUTH_ERRORS },
  },
  {
    method: 'post',
    path: '/awards/{id}/claim-links',
    tag: 'Awards',
    summary: 'A new claim link for an existing award (replaces its older unspent link)',
    description: 'No link is made for a badge that was collected, revoked or suspended: 409 with `awardStatus` naming why (`claimed`, `revoked`, `suspended`, `status-unknown`).',
    scope: 'issue',
    responses: { '201': '{claimUrl, expiresAt}', ...AUTH_ERRORS, '404': 'Unknown award', '409': 'The badge was collected, revoked or suspended' },
  },
  { method: 'get', path: '/awards/{id}', tag: 'Awards', summary: 'An award with its current credential', scope: 'issue', responses: { '200': 'Award', ...AUTH_ERRORS, '404': 'Unknown award' } },
  {
    method: 'post',
    path: '/awards/batch',
    tag: 'Awards',
    summary: 'Bulk awards: a JSON array of award requests, or a CSV file (text/csv), up to 10,000 rows',
    description:
      'Each row is validated and awarded on its own; a bad row is reported with its line and does not stop the others. ' +
      'CSV columns: recipient_did or recipient_email (+ recipient_name), achievement, observations (`date|observer|level[|narrative]` entries separated by `;`) or evidence_json, valid_until. ' +
      'A batch id (`Batch-Id` header, `batchId` query parameter, or `{"batchId", "awards"}` body) makes the batch resumable: submitting the same rows again under the same id issues nothing twice. ' +
      'Up to 100 rows are answered when done (200); larger batches, or `Prefer: respond-async`, are accepted with 202 and a Location to poll. ' +
      '`"notify": true` (JSON) or a `Notify: true` header (CSV) emails each awarded row its claim link.',
    scope: 'issue',
    body: BatchRequestDocSchema,
    responses: {
      '200': 'The finished batch: counts and per-row results',
      '202': 'Accepted; poll the Location',
      ...JSON_ERRORS,
      ...AUTH_ERRORS,
      '409': 'The batch id is running with other rows',
      '413': 'More than 10,000 rows, or the upload is too large',
      '422': 'No row can be awarded (every row has a problem)',
    },
  },
  {
    method: 'get',
    path: '/awards/batch/{batchId}',
    tag: 'Awards',
    summary: 'Progress and per-row results of a batch (`offset`, `limit`, `rows=problems`)',
    scope: 'issue',
    responses: { '200': 'Batch status', ...AUTH_ERRORS, '404': 'Unknown batch' },
  },
  {
    method: 'get',
    path: '/credentials/{id}',
    tag: 'Credentials',
    summary: 'A badge: its JSON, or its public page for browsers (Accept: text/html)',
    produces: 'application/vc+ld+json',
    responses: { '200': 'The credential (or the HTML page)', '404': 'Unknown credential' },
  },
  { method: 'get', path: '/credentials/{id}/badge.svg', tag: 'Credentials', summary: 'The badge image with the credential baked in (OB 3.0 §5.3.2)', produces: 'image/svg+xml', responses: { '200': 'Baked SVG', '404': 'Unknown credential' } },
  {
    method: 'post',
    path: '/credentials/issue',
    tag: 'Credentials',
    summary: 'VC-API: sign a credential the caller built',
    scope: 'issue',
    body: IssueRequestSchema,
    responses: { '201': '{verifiableCredential}', ...JSON_ERRORS, ...AUTH_ERRORS, '403': 'Token lacks the scope, or the type is not issued here (credential-type-forbidden)', '422': 'Credential rejected (credential-rejected, credential-type-refused)' },
  },
  { method: 'get', path: '/.well-known/did.json', tag: 'Identity', summary: "The issuer's did:web DID document (path-form did:web DIDs serve /<path>/did.json)", produces: 'application/did+json', responses: { '200': 'DID document', '404': 'The issuer is a did:key' } },
  { method: 'post', path: '/endorsements', tag: 'Endorsements', summary: 'Sign an EndorsementCredential about a program issuer', scope: 'admin', body: EndorsementRequestSchema, responses: { '201': '{id, credential}', ...JSON_ERRORS, ...AUTH_ERRORS } },
  { method: 'get', path: '/claim/{token}', tag: 'Claim', summary: 'Claim page for the educator (HTML)', produces: 'text/html', responses: { '200': 'The page', '404': 'Unknown link', '410': 'Link used, expired or replaced' } },
  { method: 'post', path: '/claim/{token}/download', tag: 'Claim', summary: 'Download the credential (spends the link)', responses: { '200': 'The credential as an attachment', '404': 'Unknown link', '410': 'Link used, expired or replaced' } },
  { method: 'get', path: '/claim/{token}/qr.svg', tag: 'Claim', summary: 'QR code of the claim link (SVG)', produces: 'image/svg+xml', responses: { '200': 'SVG', '404': 'Unknown link', '410': 'Link no longer usable' } },
  { method: 'get', path: '/claim/{token}/qr.png', tag: 'Claim', summary: 'QR code of the claim link (PNG)', produces: 'image/png', responses: { '200': 'PNG', '404': 'Unknown link', '410': 'Link no longer usable' } },
  { method: 'get', path: '/claim/{token}/wallet-qr.svg', tag: 'Claim', summary: 'QR code of the wallet deep link (SVG)', produces: 'image/svg+xml', responses: { '200': 'SVG', '404': 'Unknown link', '410': 'Link no longer usable' } },
  {
    method: 'post',
    path: '/exchanges/{token}',
    tag: 'Claim',
    summary: 'VC-API exchange: deliver the badge to a wallet after DID authentication',
    description:
      'Send `{}` to receive a `verifiablePresentationRequest` (DIDAuthentication, did:key); answer with `{"verifiablePresentation": ...}` signed for authentication with the challenge and domain; ' +
      'receive `{"verifiablePresentation": {"verifiableCredential": [badge]}}`, bound to the wallet DID. A signed presentation posted as the whole body (LCW deep links) is answered with the bare credential.',
    responses: { '200': 'A presentation request, or the delivered badge', '400': 'DID authentication failed', '403': 'Badge awarded to another DID', '404': 'Unknown exchange', '410': 'Link used, expired or replaced' },
  },
  {
    method: 'post',
    path: '/tokens',
    tag: 'Service',
    summary: 'Create a scoped API token (the secret is shown once; only its hash is stored)',
    scope: 'admin',
    body: TokenRequestSchema,
    responses: { '201': '{id, name, scopes, token}', ...JSON_ERRORS, ...AUTH_ERRORS },
  },
  { method: 'get', path: '/tokens', tag: 'Service', summary: 'List API tokens (`limit`, `cursor`): id, name, scopes, origin, createdAt, revokedAt; never a secret or hash', scope: 'admin', responses: { '200': '{items, next}', '400': 'Invalid limit or cursor', ...AUTH_ERRORS } },
  { method: 'delete', path: '/tokens/{id}', tag: 'Service', summary: 'Revoke an API token; the next request with it is refused', scope: 'admin', responses: { '204': 'Revoked', ...AUTH_ERRORS, '404': 'Unknown token', '409': 'The last active admin token' } },
  { method: 'get', path: '/audit', tag: 'Service', summary: 'The audit log, newest first (`subject`, `limit`, `cursor`): id, time, actor, action, subject, detail', scope: 'admin', responses: { '200': '{items, next}', '400': 'Invalid subject, limit or cursor', ...AUTH_ERRORS } },
  {
    method: 'get',
    path: '/status/{listId}',
    tag: 'Status',
    summary: 'A signed BitstringStatusListCredential (W3C Bitstring Status List), cacheable for its ttl',
    description: 'Public, no token, and the caller is not logged. `ETag` changes with every status change; `If-None-Match` answers 304.',
    produces: 'application/vc+ld+json',
    responses: { '200': 'The signed status list credential', '304': 'Not modified', '404': 'Unknown list' },
  },
  { method: 'post', path: '/status/{listId}/publish', tag: 'Status', summary: 'Publish the list (changes are published at once; this re-signs only a list that is behind)', scope: 'revoke', responses: { '204': 'Published', ...AUTH_ERRORS, '404': 'Unknown list' } },
  ...(['revoke', 'suspend', 'reinstate'] as const).map(
    (action): RouteDoc => ({
      method: 'post',
      path: `/awards/{id}/${action}`,
      tag: 'Status',
      summary: { revoke: 'Revoke an award (final)', suspend: 'Suspend an award', reinstate: 'Lift the suspension of an award (a revoked award cannot be reinstated)' }[action],
      description: 'The reason is kept in the audit log, never in the public list. Answers once the re-signed list is published.',
      scope: 'revoke',
      body: StatusReasonSchema,
      responses: { '200': '{id, action, changed, status: {revoked, suspended}}', ...JSON_ERRORS, ...AUTH_ERRORS, '404': 'Unknown award', '409': 'The award is revoked (final)', '422': 'The award has no status entry for this purpose' },
    }),
  ),
  {
    method: 'post',
    path: '/credentials/status',
    tag: 'Status',
    summary: 'VC-API: change the status of a credential (revoked, suspended, unsuspended)',
    description: '`credentialId` is the credential id, one of its status entry ids, or the award id.',
    scope: 'revoke',
    body: CredentialStatusRequestSchema,
    responses: { '200': '{credentialId, id, action, changed, status}', ...JSON_ERRORS, ...AUTH_ERRORS, '404': 'Unknown credential', '409': 'The credential is revoked (final)', '422': 'No status entry for this purpose' },
  },
  {
    method: 'get',
    path: '/verify',
    tag: 'Pages',
    summary: 'Verify page (HTML): paste or drop a badge, a presentation or a baked SVG',
    description: '`?url=` opens one of this service\'s own badges (the "Verify this badge" button of a badge page); other URLs are not fetched.',
    produces: 'text/html',
    responses: { '200': 'The page', '400': 'A URL that is not one of this service\'s badges', '404': 'No such badge' },
  },
  {
    method: 'post',
    path: '/verify',
    tag: 'Pages',
    summary: 'Verify page form (multipart/form-data or urlencoded: document, file, rule, challenge, domain): the report as a checklist (HTML)',
    produces: 'text/html',
    responses: { '200': 'The result page', '400': 'The form again, saying what could not be read', '413': 'Over the body limit: the form again, saying so (problem+json to non-browser clients)', '429': 'Rate limited' },
  },
  {
    method: 'post',
    path: '/credentials/verify',
    tag: 'Verification',
    summary: 'VC-API: verify a credential (structure, schema, proof, dates, status, recipient, endorsements) and decide trust',
    description:
      'Public. `options.recipient` ({did} or {email}) adds the recipient check; `options.rule` evaluates an approval rule of this verifier\'s trust policy. ' +
      'The answer has the VC-API fields (`verified`, `checks`, `warnings`, `errors`) and `report`, with every check, its reason, and the trust decision.',
    body: CredentialVerifyRequestSchema,
    responses: { '200': 'Verified: {verified: true, checks, warnings, errors, report}', '400': 'Not verified (same shape, errors name the failed checks), or not a verification request (problem+json)', '415': 'Not application/json', '429': 'Rate limited' },
  },
  {
    method: 'post',
    path: '/presentations/verify',
    tag: 'Verification',
    summary: 'VC-API: verify a holder-signed presentation (challenge, domain, holder binding), each credential, and an approval rule',
    description: 'Public. `options.challenge` and `options.domain` are checked against the holder\'s proof; `options.rule` names the approval rule to decide.',
    body: PresentationVerifyRequestSchema,
    responses: { '200': 'Verified: {verified: true, checks, warnings, errors, report, approval?}', '400': 'Not verified (same shape), or not a verification request (problem+json)', '415': 'Not application/json', '429': 'Rate limited' },
  },
];
