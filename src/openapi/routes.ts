// Every HTTP route of the service, described once for the OpenAPI document. The request body
// schemas are the zod schemas the routes validate with, and the answers are the schemas of
// src/openapi/schemas.ts, so the documentation cannot drift: test/openapi compares this table
// with the routes the app mounts (a new route needs an entry here, with the schema of each 2xx
// answer), checks each example against its schema, and validates real answers against the
// documented schemas.
import { z } from 'zod';
import { AwardRequestSchema } from '../awards/awardRequest.js';
import { AwardPostSchema } from '../mail/notify.js';
import type { CSV_COLUMNS } from '../awards/batchCsv.js';
import type { EDUCATOR_CSV_COLUMNS } from '../educators/educatorsCsv.js';
import type { OBSERVATION_CSV_COLUMNS } from '../educators/observationsCsv.js';
import { EndorsementRequestSchema } from '../endorsements/endorsementCredential.js';
import { IssueRequestSchema } from '../http/credentials.js';
import { CredentialStatusRequestSchema, RevokeRequestSchema, StatusReasonSchema } from '../http/status.js';
import { RecordRequestSchema } from '../http/programs.js';
import { LicenseOnDecisionSchema, LicenseRequestSchema } from '../licenses/issueLicense.js';
import { ProgramRequestSchema } from '../programs/program.js';
import { CredentialVerifyRequestSchema, PresentationVerifyRequestSchema } from '../http/verify.js';
import { TokenRequestSchema } from '../http/tokens.js';
import { PresentationRequestSchema } from '../http/presentationRequests.js';
import { AssessmentRequestSchema, EducatorRequestSchema, ObservationRequestSchema, WithdrawRequestSchema } from '../educators/requests.js';
import type { Scope } from '../store/tokens.js';
import {
  Achievement,
  AuditLog,
  ClrCredential,
  LicenseIssued,
  Program,
  ProgramList,
  RecordIssued,
  RevokeOutcome,
  Educator,
  EducatorList,
  EducatorProgress,
  FrameworkImported,
  FrameworkList,
  ObservationWithdrawn,
  RecordOutcome,
  Award,
  AwardList,
  AwardCreated,
  BatchStatus,
  ImportStatus,
  ConsoleProgress,
  ClaimLinkCreated,
  EducatorClaimEmailQueued,
  EducatorClaimLink,
  CredentialNotVerified,
  CredentialStatusChange,
  CredentialVerification,
  DidDocument,
  EndorsementCreated,
  ExchangeAnswer,
  AccessTokenResponseDoc,
  AuthorizationServerMetadataDoc,
  CredentialIssuerMetadataDoc,
  CredentialOfferDoc,
  CredentialResponseDoc,
  NonceResponseDoc,
  OauthErrorDoc,
  Framework,
  Health,
  Readiness,
  IssuedCredential,
  OpenApiDocument,
  OpenBadgeCredential,
  PresentationNotVerified,
  PresentationVerification,
  Problem,
  StatusChange,
  StatusListCredential,
  TokenCreated,
  TokenList,
  PresentationRequestCreated,
  PresentationRequestStatus,
  PageState,
  InteractionProtocols,
  ExchangeStep,
  Openid4vpAnswer,
  DecisionList,
  DecisionRecord,
  RegistryEntry,
} from './schemas.js';

/** A query parameter or a request/response header. */
export interface ParamDoc {
  name: string;
  description: string;
  /** JSON Schema of the value (a string when absent). */
  schema?: Record<string, unknown>;
  required?: boolean;
  example?: unknown;
}

/** One answer of a route. A plain string is a description only (no body, or an error as problem+json). */
export interface ResponseDoc {
  description: string;
  /** The body: a schema of src/openapi/schemas.ts (named there) or any zod schema. */
  schema?: z.ZodType;
  /** Media type of this answer (the route's `produces`, or JSON, when absent). */
  produces?: string;
  /** The same answer is also a page for a browser (Accept: text/html). */
  html?: boolean;
  headers?: ParamDoc[];
}

export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template (`{id}`), matching the Hono route `:id`. */
  path: string;
  tag: string;
  summary: string;
  /** Markdown (CommonMark), rendered on /docs. */
  description?: string;
  /** Bearer token scope the route requires; absent for public routes. */
  scope?: Scope;
  body?: z.ZodType;
  /** false when the body may be left out (true when absent). */
  bodyRequired?: boolean;
  /** An example request body (JSON); test/openapi checks it against `body`. */
  example?: unknown;
  /** The route also takes a CSV body (text/csv): its columns and an example file. */
  csv?: { columns: Record<string, string>; example: string; /** What each row is (default: one award per row). */ rows?: string };
  query?: ParamDoc[];
  /** Request headers the route reads (besides Authorization, Content-Type and Accept). */
  headers?: ParamDoc[];
  /** Media type of the success response (JSON when absent). */
  produces?: string;
  responses: Record<string, string | ResponseDoc>;
}

/** The JSON form of a batch, for the document (the route reads it with src/awards/batchInput.ts). */
const BatchRequestDocSchema = z.union([
  z.array(AwardRequestSchema).min(1).max(10_000),
  z.strictObject({ batchId: z.string().max(100).optional(), notify: z.boolean().optional(), awards: z.array(AwardRequestSchema).min(1).max(10_000) }),
]);

const JSON_ERRORS = { '400': 'Invalid request (problem+json naming the field)', '415': 'Not application/json' };
const AUTH_ERRORS = { '401': 'Missing or invalid bearer token', '403': 'Token lacks the scope' };

// ---- Headers and parameters used by several routes ----

const LOCATION: ParamDoc = { name: 'Location', description: 'Where the created resource (or the batch to poll) is' };
const IDEMPOTENT_REPLAYED: ParamDoc = {
  name: 'Idempotent-Replayed',
  description: '`true` when this answer replays an earlier request with the same key or credential id; absent on a first request',
  schema: { type: 'string', enum: ['true'] },
};
/** Cursor pagination of the listings (src/http/pagination.ts). */
const PAGE_PARAMS: ParamDoc[] = [
  { name: 'limit', description: 'Items per page', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
  { name: 'cursor', description: 'The `next` value of the previous page, unchanged, with the same filters' },
];
const CACHE_CONTROL: ParamDoc = { name: 'Cache-Control', description: 'How long a reader may cache the answer' };

/** The claim-link token of the URL: a one-time bearer secret, never logged. */
const TOKEN_NOTE = 'The `{token}` of the URL is the one-time claim secret from the award; request logs keep the route, never the token.';

// ---- Examples (checked against the request schemas by test/openapi/openapi.test.ts) ----

const EXAMPLE_DID = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const observation = (day: number, level = 'proficient') => ({ kind: 'observation', date: `2026-03-${String(day).padStart(2, '0')}`, observer: 'Dr. Maya Rivera', level });
const AWARD_EXAMPLE = {
  recipient: { id: EXAMPLE_DID, name: 'Ana Lopez' },
  achievement: 'formative-assessment',
  evidence: [
    { ...observation(2), narrative: 'Used exit tickets to regroup students for the next lesson.' },
    observation(9),
    observation(16, 'exemplary'),
    observation(23),
    observation(30),
  ],
};
const CREDENTIAL_EXAMPLE = {
  '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
  id: 'https://badges.example.edu/credentials/6cdc0f14-a553-40f7-a8ab-2549a9d2a824',
  type: ['VerifiableCredential', 'OpenBadgeCredential'],
  issuer: { id: 'did:web:badges.example.edu', type: ['Profile'], name: 'Example Educator Preparation Program' },
  validFrom: '2026-04-01T00:00:00Z',
  credentialSubject: { id: EXAMPLE_DID, type: ['AchievementSubject'], achievement: { id: 'https://badges.example.edu/achievements/formative-assessment', type: ['Achievement'], name: 'Formative Assessment', criteria: { narrative: '…' } } },
  proof: { type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', verificationMethod: 'did:web:badges.example.edu#key-1', proofPurpose: 'assertionMethod', proofValue: 'z…' },
};

/** The CSV columns of POST /awards/batch (src/awards/batchCsv.ts); the type makes the table complete. */
export const CSV_COLUMN_DOCS: Record<(typeof CSV_COLUMNS)[number], string> = {
  recipient_did: "The educator's DID (`did:key:…`, `did:web:…`). Give this or `recipient_email`, not both.",
  recipient_email: "The educator's email address; the badge carries only its salted SHA-256 hash. Needs `recipient_name`.",
  recipient_name: 'Display name. Required with `recipient_email`, optional with `recipient_did`.',
  achievement: 'Achievement code, e.g. `formative-assessment` (GET /achievements lists them). Required.',
  observations:
    'The evidence: observations separated by `;`, each `date|observer|level` or `date|observer|level|narrative` ' +
    '(level: beginning, developing, proficient, exemplary; a narrative cannot contain `;` or `|`). Give this or `evidence_json`.',
  evidence_json: 'Instead of `observations`: the POST /awards `evidence` array as JSON (for free-text narratives).',
  valid_until: 'Optional expiry of the badge, an ISO 8601 date-time.',
};

const fiveObservations = (level = 'proficient') => [1, 8, 15, 22, 29].map((d) => `2026-03-${String(d).padStart(2, '0')}|Dr. Maya Rivera|${level}`).join('; ');
export const CSV_EXAMPLE = [
  'recipient_did,recipient_email,recipient_name,achievement,observations,valid_until',
  `${EXAMPLE_DID},,Ana Lopez,formative-assessment,"${fiveObservations()}",`,
  `,ben.okafor@example.org,Ben Okafor,aligned-instruction,"${fiveObservations('exemplary')}",2030-06-30T00:00:00Z`,
  '',
].join('\r\n');

/** A GFM table (a `|` inside a cell is escaped, code spans included: GFM §4.10). */
const csvTable = (): string =>
  ['| column | meaning |', '| --- | --- |', ...Object.entries(CSV_COLUMN_DOCS).map(([column, meaning]) => `| \`${column}\` | ${meaning.replace(/\|/g, '\\|')} |`)].join('\n');

const SharedPresentation = z
  .object({
    '@context': z.array(z.string()),
    id: z.string().url(),
    type: z.array(z.string()),
    verifiableCredential: z.array(z.record(z.string(), z.unknown())),
  })
  .meta({ id: 'SharedPresentation', description: 'An unsigned W3C VC 2.0 presentation: each credential carries its own issuer proof.' });

/** The CSV columns of POST /educators/import (src/educators/educatorsCsv.ts). */
const EDUCATOR_CSV_DOCS: Record<(typeof EDUCATOR_CSV_COLUMNS)[number], string> = {
  name: 'Display name. Required.',
  email: 'Email address (stored in lower case). This or `did` is required.',
  did: "The educator's DID (`did:key:…`, `did:web:…`).",
  external_id: "The program's own number (also spelled `externalId`); unique on the service.",
  cohort: 'Optional cohort, e.g. `2026`.',
};
/** The CSV columns of POST /observations/import (src/educators/observationsCsv.ts). */
const OBSERVATION_CSV_DOCS: Record<(typeof OBSERVATION_CSV_COLUMNS)[number], string> = {
  educator: 'The educator: an id, external_id or email. Required.',
  date: 'The lesson date, YYYY-MM-DD. Required.',
  observer: 'Who observed the lesson. Required.',
  setting: 'Optional: in-person, online, blended.',
  achievement: 'The achievement code rated. Required.',
  level: "The rubric level, on the achievement's rubric. Required.",
  narrative: "Optional: the rating's narrative.",
};
const columnTable = (docs: Record<string, string>): string => ['| column | meaning |', '| --- | --- |', ...Object.entries(docs).map(([column, meaning]) => `| \`${column}\` | ${meaning.replace(/\|/g, '\\|')} |`)].join('\n');

const IMPORT_RESPONSES = (scopeWords: string): RouteDoc['responses'] => ({
  '202': { description: 'Accepted: the rows are stored and import in the background; poll the Location', schema: ImportStatus, headers: [LOCATION, { name: 'Retry-After', description: 'Seconds to wait before polling', schema: { type: 'integer' } }] },
  '400': 'A file that cannot be read as a whole (not CSV, a missing or unknown header column, no rows, invalid UTF-8): problem+json naming the line (`/line/1` is the header)',
  ...AUTH_ERRORS,
  '403': `The token lacks ${scopeWords}`,
  '413': 'More than 10,000 rows, or the upload exceeds EDUCRED_BATCH_BODY_LIMIT',
  '415': 'Not text/csv',
  '422': 'No row can be imported: every row with its problem (and the column to fix)',
});

export const ROUTES: RouteDoc[] = [
  { method: 'get', path: '/health', tag: 'Service', summary: 'Liveness: answers once the database answers', responses: { '200': { description: 'The service is up', schema: Health } } },
  {
    method: 'get',
    path: '/ready',
    tag: 'Service',
    summary: 'Readiness, for a load balancer: database, migrations, signing key',
    description: 'Unlike /health, 503 (problem+json with `checks`, each `ok` or `failing`) when the database does not answer, a migration is missing or the signing key does not sign.',
    responses: { '200': { description: 'This node is ready', schema: Readiness }, '503': 'Not ready (problem+json naming what failed)' },
  },
  { method: 'get', path: '/openapi.json', tag: 'Service', summary: 'This OpenAPI 3.1 document', description: 'Public: readable from any origin (CORS).', responses: { '200': { description: 'The document', schema: OpenApiDocument } } },
  { method: 'get', path: '/docs', tag: 'Service', summary: 'API reference (HTML)', produces: 'text/html', responses: { '200': 'The page' } },
  { method: 'get', path: '/', tag: 'Pages', summary: 'Home page (HTML)', produces: 'text/html', responses: { '200': 'The page' } },
  {
    method: 'get',
    path: '/achievements',
    tag: 'Achievements',
    summary: 'The competency framework as OB 3.0 Achievements',
    description: 'Public: readable from any origin (CORS), like every public document.',
    responses: { '200': { description: 'Every Achievement of the framework', schema: z.array(Achievement) } },
  },
  { method: 'get', path: '/achievements/{code}', tag: 'Achievements', summary: 'One Achievement (a browser gets a readable page)', responses: { '200': { description: 'The Achievement (or the HTML page)', schema: Achievement, html: true }, '404': 'Unknown code' } },
  {
    method: 'get',
    path: '/achievements/{code}/image.svg',
    tag: 'Achievements',
    summary: 'Generated badge image of the achievement (its OB 3.0 image)',
    produces: 'image/svg+xml',
    responses: { '200': { description: 'SVG', headers: [CACHE_CONTROL] }, '404': 'Unknown code' },
  },
  { method: 'get', path: '/frameworks/{code}', tag: 'Achievements', summary: 'The competency framework with mastery rules (a browser gets a readable page)', responses: { '200': { description: 'The framework (or the HTML page)', schema: Framework, html: true }, '404': 'Unknown framework' } },
  {
    method: 'post',
    path: '/awards',
    tag: 'Awards',
    summary: 'Record mastery evidence and issue the badge',
    description:
      'Checks the evidence against the mastery rule of the achievement (by default: at least **5 observations**, each rated **proficient** or better), ' +
      'signs an `OpenBadgeCredential` and returns it with a one-time `claimUrl` for the educator.\n\n' +
      'An `Idempotency-Key` header makes retries safe: a replay returns the same award, flagged `Idempotent-Replayed: true`, and the same claim link while it is valid (a new one only when it expired). ' +
      'The same key with another body is a 409. `claimUrl` is null, with `claimUnavailable` saying why (`claimed`, `revoked`, `suspended`), when no link is handed out.\n\n' +
      '**One badge per recipient, achievement and achieved level** (not revoked): the same request again, with or without a key, returns the existing award (200, `Idempotent-Replayed: true`); ' +
      'a different request for it is a 409 `award-exists` naming it (`existingAwardId`, `existingAwardUrl`).\n\n' +
      'Observations count toward the mastery rule on **distinct dates**, and none may be dated after the award (its UTC date plus one day).\n\n' +
      '`"notify": true` also emails the claim link to `recipient.email` (queued with the award, sent after it by the delivery loop and retried; `notification` shows its state).',
    scope: 'issue',
    body: AwardPostSchema,
    example: AWARD_EXAMPLE,
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'Any 1 to 255 visible ASCII characters (IETF draft-ietf-httpapi-idempotency-key-header); retrying with the same key and body issues nothing twice',
        schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
        example: 'sis-2026-03-award-1842',
      },
    ],
    responses: {
      '201': { description: 'The award, its signed badge and the claim link', schema: AwardCreated, headers: [LOCATION] },
      '200': { description: 'The existing award (a replay: the same request, or the same Idempotency-Key)', schema: AwardCreated, headers: [LOCATION, IDEMPOTENT_REPLAYED] },
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
    query: [
      { name: 'recipient', description: "The recipient's DID, or email address (compared as normalised)", example: 'ana.lopez@example.org' },
      { name: 'achievement', description: 'An achievement code (GET /achievements)', example: 'formative-assessment' },
      { name: 'status', description: 'What the status lists say now', schema: { type: 'string', enum: ['active', 'revoked', 'suspended'] } },
      ...PAGE_PARAMS,
    ],
    responses: { '200': { description: 'A page of awards', schema: AwardList }, '400': 'Invalid filter, limit or cursor (problem+json naming it in `invalid-params`)', ...AUTH_ERRORS },
  },
  {
    method: 'post',
    path: '/awards/{id}/claim-links',
    tag: 'Awards',
    summary: 'A new claim link for an existing award (replaces its older unspent link)',
    description: 'No link is made for a badge that was collected, revoked or suspended: 409 with `awardStatus` naming why (`claimed`, `revoked`, `suspended`, `status-unknown`).',
    scope: 'issue',
    responses: {
      '201': { description: 'The new claim link', schema: ClaimLinkCreated, headers: [{ name: 'Cache-Control', description: '`no-store`: the link is a bearer secret' }] },
      ...AUTH_ERRORS,
      '404': 'Unknown award',
      '409': 'The badge was collected, revoked or suspended',
    },
  },
  {
    method: 'post',
    path: '/educators/{id}/claim-links',
    tag: 'Educators',
    summary: 'One claim link for everything the educator holds unclaimed (issue 16)',
    description:
      'Every badge of the educator that is neither collected, revoked nor suspended, and their current program record: a bundle link when several (replacing the older bundle), the badge\'s own new link when one. ' +
      'The VC-API exchange delivers them all in one presentation; OID4VCI offers them in one offer whose token response lists one `credential_identifier` per credential (OID4VCI 1.0 §6.2). 409 when nothing is left to collect.',
    scope: 'issue',
    responses: {
      '201': { description: 'The new claim link', schema: EducatorClaimLink, headers: [{ name: 'Cache-Control', description: '`no-store`: the link is a bearer secret' }] },
      ...AUTH_ERRORS,
      '404': 'Unknown educator',
      '409': 'Nothing left to collect',
      '422': 'The educator has neither an email nor a DID',
    },
  },
  {
    method: 'post',
    path: '/educators/{id}/claim-email',
    tag: 'Educators',
    summary: 'Send the claim email again: a new link for everything unclaimed, queued to the educator',
    description: 'Makes a new claim link (as `POST /educators/{id}/claim-links`) and queues the claim email with it; the answer never holds the link. 422 when mail is not configured or the educator has no email (or is known by DID), 409 when nothing is left to collect.',
    scope: 'issue',
    responses: {
      '202': { description: 'Queued', schema: EducatorClaimEmailQueued },
      ...AUTH_ERRORS,
      '404': 'Unknown educator',
      '409': 'Nothing left to collect',
      '422': 'Mail not configured, or no email address to send to',
    },
  },
  { method: 'get', path: '/awards/{id}', tag: 'Awards', summary: 'An award with its current credential', scope: 'issue', responses: { '200': { description: 'The award', schema: Award }, ...AUTH_ERRORS, '404': 'Unknown award' } },
  {
    method: 'post',
    path: '/awards/batch',
    tag: 'Awards',
    summary: 'Bulk awards: a JSON array of award requests, or a CSV file (text/csv), up to 10,000 rows',
    description:
      'Each row is validated and awarded on its own; a bad row is reported with its line and does not stop the others.\n\n' +
      '**JSON**: an array of POST /awards bodies, or `{"batchId": "…", "awards": [...]}`.\n\n' +
      '**CSV** (`Content-Type: text/csv`, UTF-8, RFC 4180 quoting, a header row; names case-insensitive, order free):\n\n' +
      `${csvTable()}\n\n` +
      'A **batch id** (the `Batch-Id` header, the `batchId` query parameter, or `batchId` in the JSON body; they must agree) makes the batch resumable: ' +
      'submitting the same rows again under the same id issues nothing twice. ' +
      'Without one, nothing is issued twice either: a row for a badge its recipient already holds reports that award (`existing`, the same request) or is `rejected` with the `award_exists` reason.\n\n' +
      'Up to 100 rows are answered when done (200); larger batches, or `Prefer: respond-async`, are accepted with 202 and a `Location` to poll.\n\n' +
      '`"notify": true` (JSON) or a `Notify: true` header (CSV) emails each awarded row its claim link.',
    scope: 'issue',
    body: BatchRequestDocSchema,
    example: [AWARD_EXAMPLE],
    csv: { columns: CSV_COLUMN_DOCS, example: CSV_EXAMPLE },
    query: [{ name: 'batchId', description: 'The batch id (instead of the `Batch-Id` header)', schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$' } }],
    headers: [
      { name: 'Batch-Id', description: 'The batch id: 1 to 100 characters, letters, digits and `. _ : -` (not first). Without one, a new id is chosen.', schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$' }, example: 'spring-2026-cohort' },
      { name: 'Prefer', description: '`respond-async` (RFC 7240 §4.1) to get 202 at once, whatever the size', schema: { type: 'string' }, example: 'respond-async' },
      { name: 'Notify', description: '`true` emails each awarded row its claim link (for a CSV upload; a JSON batch may say `"notify": true`, and the two must agree)', schema: { type: 'string', enum: ['true', 'false'] }, example: 'true' },
    ],
    responses: {
      '200': { description: 'The finished batch: counts and per-row results', schema: BatchStatus, headers: [LOCATION] },
      '202': {
        description: 'Accepted and running; poll the Location',
        schema: BatchStatus,
        headers: [LOCATION, { name: 'Retry-After', description: 'Seconds to wait before polling', schema: { type: 'integer' } }],
      },
      ...JSON_ERRORS,
      '415': 'Neither application/json nor text/csv',
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
    summary: 'Progress and per-row results of a batch',
    scope: 'issue',
    query: [
      { name: 'offset', description: 'The first row to list (0-based); `nextOffset` of the answer gives the next page', schema: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 } },
      { name: 'limit', description: 'How many rows to list', schema: { type: 'integer', minimum: 0, maximum: 10_000, default: 1000 } },
      { name: 'rows', description: '`problems` lists only rows that are invalid, rejected, failed or duplicate', schema: { type: 'string', enum: ['all', 'problems'], default: 'all' } },
    ],
    responses: { '200': { description: 'The batch', schema: BatchStatus }, '400': 'A bad offset, limit or rows', ...AUTH_ERRORS, '404': 'Unknown batch' },
  },
  {
    method: 'get',
    path: '/credentials/{id}',
    tag: 'Credentials',
    summary: 'A badge: its JSON, or its public page for browsers (Accept: text/html)',
    description: 'Public: readable from any origin (CORS), like every public document. A browser that asks for `text/html` gets the badge page instead.',
    produces: 'application/vc+ld+json',
    responses: { '200': { description: 'The credential (or the HTML page)', schema: OpenBadgeCredential, html: true }, '404': 'Unknown credential' },
  },
  {
    method: 'get',
    path: '/credentials/{id}/badge.svg',
    tag: 'Credentials',
    summary: 'The badge image with the credential baked in (OB 3.0 §5.3.2)',
    produces: 'image/svg+xml',
    responses: { '200': { description: 'Baked SVG', headers: [{ name: 'Content-Disposition', description: 'inline, with a file name' }] }, '404': 'Unknown credential' },
  },
  {
    method: 'get',
    path: '/credentials/{id}/badge.png',
    tag: 'Credentials',
    summary: 'The badge image as PNG with the credential baked in (OB 3.0 §5.3.1: an uncompressed iTXt chunk `openbadgecredential`)',
    produces: 'image/png',
    responses: { '200': { description: 'Baked PNG', headers: [{ name: 'Content-Disposition', description: 'inline, with a file name' }] }, '404': 'Unknown credential' },
  },
  {
    method: 'post',
    path: '/credentials/issue',
    tag: 'Credentials',
    summary: 'VC-API: sign a credential the caller built',
    description: "`credential.issuer` must be this service's issuer DID. The credential is checked against the VC data model (and an OpenBadgeCredential against the OB 3.0 schema) before signing; a VC 2.0 credential gets status entries. Issuing the same credential `id` again returns the first signed credential, flagged `Idempotent-Replayed: true`.",
    scope: 'issue',
    body: IssueRequestSchema,
    example: { credential: { ...CREDENTIAL_EXAMPLE, proof: undefined }, options: { created: '2026-04-01T00:00:00Z' } },
    responses: { '201': { description: 'The signed credential', schema: IssuedCredential, headers: [IDEMPOTENT_REPLAYED] }, ...JSON_ERRORS, ...AUTH_ERRORS, '403': 'Token lacks the scope, or the type is not issued here (credential-type-forbidden)', '409': 'The credential id was issued with other content', '422': 'Credential rejected (credential-rejected, credential-type-refused)' },
  },
  {
    method: 'get',
    path: '/.well-known/did.json',
    tag: 'Identity',
    summary: "The issuer's did:web DID document (path-form did:web DIDs serve /<path>/did.json)",
    description: 'Public: readable from any origin (CORS). A did:web with a path (`did:web:example.edu:programs:east`) is served at `/programs/east/did.json` instead.',
    produces: 'application/did+json',
    responses: { '200': { description: 'DID document', schema: DidDocument }, '404': 'The issuer is a did:key' },
  },
  {
    method: 'post',
    path: '/endorsements',
    tag: 'Endorsements',
    summary: 'Sign an EndorsementCredential about a program issuer',
    scope: 'admin',
    body: EndorsementRequestSchema,
    example: { issuer: 'did:web:program.example.edu', issuerName: 'Example Educator Preparation Program', comment: 'Approved educator preparation program, 2026–2031.', validUntil: '2031-06-30T00:00:00Z' },
    responses: { '201': { description: 'The signed endorsement', schema: EndorsementCreated }, ...JSON_ERRORS, ...AUTH_ERRORS },
  },
  { method: 'get', path: '/claim/{token}', tag: 'Claim', summary: 'Claim page for the educator (HTML)', description: TOKEN_NOTE, produces: 'text/html', responses: { '200': 'The page', '404': 'Unknown link', '410': 'Link used, expired or replaced' } },
  {
    method: 'post',
    path: '/claim/{token}/download',
    tag: 'Claim',
    summary: 'Download the credential (spends the link)',
    description: TOKEN_NOTE,
    responses: {
      '200': { description: 'The credential as an attachment', schema: OpenBadgeCredential, headers: [{ name: 'Content-Disposition', description: 'attachment, with a file name' }] },
      '404': 'Unknown link',
      '410': 'Link used, expired or replaced (an HTML page saying so)',
    },
  },
  { method: 'get', path: '/claim/{token}/qr.svg', tag: 'Claim', summary: 'QR code of the claim link (SVG)', produces: 'image/svg+xml', responses: { '200': { description: 'SVG' }, '404': 'Unknown link', '410': 'Link no longer usable' } },
  { method: 'get', path: '/claim/{token}/qr.png', tag: 'Claim', summary: 'QR code of the claim link (PNG)', produces: 'image/png', responses: { '200': { description: 'PNG' }, '404': 'Unknown link', '410': 'Link no longer usable' } },
  { method: 'get', path: '/claim/{token}/wallet-qr.svg', tag: 'Claim', summary: 'QR code of the wallet deep link (SVG)', produces: 'image/svg+xml', responses: { '200': { description: 'SVG' }, '404': 'Unknown link', '410': 'Link no longer usable' } },
  { method: 'get', path: '/claim/{token}/offer-qr.svg', tag: 'Claim', summary: 'QR code of the OID4VCI credential offer (openid-credential-offer://, SVG)', produces: 'image/svg+xml', responses: { '200': { description: 'SVG' }, '404': 'Unknown link', '409': 'Badge revoked or suspended', '410': 'Link no longer usable' } },
  {
    method: 'get',
    path: '/claim/{token}/offer',
    tag: 'OID4VCI',
    summary: 'The OID4VCI credential offer of a claim link (the credential_offer_uri target)',
    description: 'OpenID for Verifiable Credential Issuance 1.0 §4.1.3. Offers both `OpenBadgeCredential_ldp_vc` and `OpenBadgeCredential_jwt_vc_json` with a pre-authorized code (single use, expiring with the link). ' + TOKEN_NOTE,
    responses: { '200': { description: 'Credential offer', schema: CredentialOfferDoc }, '404': 'Unknown link', '409': 'Badge revoked or suspended', '410': 'Link used, expired or replaced' },
  },
  {
    method: 'get',
    path: '/.well-known/openid-credential-issuer',
    tag: 'OID4VCI',
    summary: 'OID4VCI credential issuer metadata',
    responses: { '200': { description: 'Credential issuer metadata', schema: CredentialIssuerMetadataDoc } },
  },
  {
    method: 'get',
    path: '/.well-known/oauth-authorization-server',
    tag: 'OID4VCI',
    summary: 'OAuth authorization server metadata (RFC 8414), for the pre-authorized code grant',
    responses: { '200': { description: 'Authorization server metadata', schema: AuthorizationServerMetadataDoc } },
  },
  {
    method: 'post',
    path: '/oid4vci/token',
    tag: 'OID4VCI',
    summary: 'Token endpoint: the pre-authorized code (and tx_code) for an access token',
    description:
      'Form body (`application/x-www-form-urlencoded`, RFC 6749 §4.1.3): `grant_type=urn:ietf:params:oauth:grant-type:pre-authorized_code`, `pre-authorized_code`, and `tx_code` when the offer asks for one (EDUCRED_OID4VCI_TX_CODE=required). ' +
      'Errors are OAuth errors: `invalid_grant` (unknown, used or expired code; wrong tx_code; locked after five wrong tx_codes), `invalid_request` (missing or unexpected tx_code), `unsupported_grant_type`.',
    bodyRequired: false,
    responses: { '200': { description: 'Access token (Bearer, at most ten minutes)', schema: AccessTokenResponseDoc }, '400': { description: 'OAuth error', schema: OauthErrorDoc } },
  },
  {
    method: 'post',
    path: '/oid4vci/nonce',
    tag: 'OID4VCI',
    summary: 'Nonce endpoint: a c_nonce for the key proof (valid five minutes)',
    bodyRequired: false,
    responses: { '200': { description: 'Nonce', schema: NonceResponseDoc } },
  },
  {
    method: 'post',
    path: '/oid4vci/credential',
    tag: 'OID4VCI',
    summary: 'Credential endpoint: a jwt key proof for the badge bound to the holder DID',
    description:
      'Bearer access token from /oid4vci/token. Body: `{"credential_configuration_id": "OpenBadgeCredential_ldp_vc" | "OpenBadgeCredential_jwt_vc_json", "proofs": {"jwt": [keyProof]}}`. ' +
      'The key proof (typ `openid4vci-proof+jwt`, EdDSA or ES256) names a did:key or did:jwk `kid`, or a `jwk` (bound as its did:jwk); `aud` is the issuer, `nonce` from /oid4vci/nonce. ' +
      'Errors: `invalid_token` (401), `invalid_proof`, `invalid_nonce`, `unknown_credential_configuration`, `invalid_credential_request`, `credential_request_denied`.',
    body: z.looseObject({ credential_configuration_id: z.string().optional(), proofs: z.looseObject({ jwt: z.array(z.string()).optional() }).optional() }),
    example: { credential_configuration_id: 'OpenBadgeCredential_jwt_vc_json', proofs: { jwt: ['eyJ0eXAiOiJvcGVuaWQ0dmNpLXByb29mK2p3dCIsImFsZyI6IkVkRFNBIn0.e30.c2ln'] } },
    responses: { '200': { description: 'The badge', schema: CredentialResponseDoc }, '400': { description: 'OAuth error', schema: OauthErrorDoc }, '401': { description: 'invalid_token', schema: OauthErrorDoc } },
  },
  {
    method: 'post',
    path: '/exchanges/{token}',
    tag: 'Claim',
    summary: 'VC-API exchange for wallets: DID authentication, then the badge',
    description:
      '1. Send `{}` to receive a `verifiablePresentationRequest` (DIDAuthentication, did:key).\n' +
      '2. Answer with `{"verifiablePresentation": …}` signed for authentication with its challenge and domain.\n' +
      '3. Receive `{"verifiablePresentation": {"verifiableCredential": [badge]}}`, bound to the wallet DID.\n\n' +
      'A signed presentation posted as the whole body (LCW deep links) is answered with the bare credential. ' +
      'Wallet apps call this route; it is not open to other web origins (no CORS). ' +
      TOKEN_NOTE,
    body: z
      .looseObject({ verifiablePresentation: z.record(z.string(), z.unknown()).optional() })
      .describe('`{}` (or no body) to start; `{"verifiablePresentation": …}` to answer the request; or a signed presentation as the whole body'),
    bodyRequired: false,
    example: {},
    responses: {
      '200': { description: 'A presentation request, or the delivered badge', schema: ExchangeAnswer },
      '400': 'DID authentication failed',
      '403': 'Badge awarded to another DID',
      '404': 'Unknown exchange',
      '410': 'Link used, expired or replaced',
    },
  },
  {
    method: 'post',
    path: '/tokens',
    tag: 'Service',
    summary: 'Create a scoped API token (the secret is shown once; only its hash is stored)',
    scope: 'admin',
    body: TokenRequestSchema,
    example: { name: 'student-information-system', scopes: ['issue'] },
    responses: { '201': { description: 'The token, with its secret (shown only here)', schema: TokenCreated, headers: [{ name: 'Cache-Control', description: '`no-store`: the secret must not be cached' }] }, ...JSON_ERRORS, ...AUTH_ERRORS },
  },
  {
    method: 'get',
    path: '/tokens',
    tag: 'Service',
    summary: 'List API tokens (`limit`, `cursor`): id, name, scopes, origin, createdAt, revokedAt; never a secret or hash',
    scope: 'admin',
    query: PAGE_PARAMS,
    responses: { '200': { description: 'A page of tokens, oldest first', schema: TokenList }, '400': 'Invalid limit or cursor', ...AUTH_ERRORS },
  },
  { method: 'delete', path: '/tokens/{id}', tag: 'Service', summary: 'Revoke an API token; the next request with it is refused', scope: 'admin', responses: { '204': 'Revoked', ...AUTH_ERRORS, '404': 'Unknown token', '409': 'The last active admin token' } },
  {
    method: 'get',
    path: '/metrics',
    tag: 'Service',
    summary: 'Operational metrics in the Prometheus text format: awards issued, signing time, status changes, verification outcomes, claim deliveries, batch rows, mail queue depth',
    description: 'For a Prometheus scraper (`authorization: {credentials_file: …}` holding an admin token). Labels carry only fixed values (achievement codes, check codes, states), never an id or a recipient.',
    scope: 'admin',
    produces: 'text/plain',
    responses: { '200': 'The metrics (text/plain; version=0.0.4)', ...AUTH_ERRORS },
  },
  {
    method: 'get',
    path: '/audit',
    tag: 'Service',
    summary: 'The audit log, newest first (`subject`, `limit`, `cursor`): id, time, actor, action, subject, detail',
    scope: 'admin',
    query: [{ name: 'subject', description: 'Only the events of one subject: an award id, `token:<id>`, a request path', example: 'token:01b3c1f4-249e-4278-bd52-f82d617452a5' }, ...PAGE_PARAMS],
    responses: { '200': { description: 'A page of audit events', schema: AuditLog }, '400': 'Invalid subject, limit or cursor', ...AUTH_ERRORS },
  },
  {
    method: 'get',
    path: '/status/{listId}',
    tag: 'Status',
    summary: 'A signed BitstringStatusListCredential (W3C Bitstring Status List), cacheable for its ttl',
    description: 'Public (readable from any origin, CORS), no token, and the caller is not logged. `ETag` changes with every status change; `If-None-Match` answers 304.',
    produces: 'application/vc+ld+json',
    headers: [{ name: 'If-None-Match', description: 'An ETag of an earlier answer: 304 if the list has not changed since' }],
    responses: {
      '200': {
        description: 'The signed status list credential',
        schema: StatusListCredential,
        headers: [
          { name: 'ETag', description: 'The version of the list' },
          { name: 'Cache-Control', description: '`public, max-age=<ttl in seconds>`' },
        ],
      },
      '304': 'Not modified',
      '404': 'Unknown list',
    },
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
      body: action === 'revoke' ? RevokeRequestSchema : StatusReasonSchema,
      example: { reason: { revoke: 'Awarded in error: observations belonged to another educator', suspend: 'Under review after a complaint', reinstate: 'Review closed' }[action] },
      responses: {
        '200':
          action === 'revoke'
            ? { description: 'The award status after the revocation, and the program records holding the badge (`revokeRecords: true` revokes them too, each audited)', schema: RevokeOutcome }
            : { description: 'The award status after the change', schema: StatusChange },
        ...JSON_ERRORS,
        ...AUTH_ERRORS,
        '404': 'Unknown award',
        '409': 'The award is revoked (final)',
        '422': 'The award has no status entry for this purpose',
      },
    }),
  ),
  {
    method: 'post',
    path: '/credentials/status',
    tag: 'Status',
    summary: 'VC-API: change the status of a credential (revoked, suspended, unsuspended)',
    description:
      '`credentialId` is the credential id, one of its status entry ids, or the award id. `credentialStatus` is either the status to reach ' +
      '(`{"type": "BitstringStatusListCredential", "status": "revoked"}`) or the entry to set (`{"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}`).',
    scope: 'revoke',
    body: CredentialStatusRequestSchema,
    example: { credentialId: CREDENTIAL_EXAMPLE.id, credentialStatus: { type: 'BitstringStatusListCredential', status: 'revoked' }, reason: 'Awarded in error' },
    responses: {
      '200': { description: 'The credential status after the change', schema: CredentialStatusChange },
      ...JSON_ERRORS,
      ...AUTH_ERRORS,
      '404': 'Unknown credential',
      '409': 'The credential is revoked (final)',
      '422': 'No status entry for this purpose',
    },
  },
  {
    method: 'get',
    path: '/verify',
    tag: 'Pages',
    summary: 'Verify page (HTML): paste or drop a badge, a presentation or a baked SVG',
    description: '`?url=` opens one of this service\'s own badges (the "Verify this badge" button of a badge page), or fetches another issuer\'s badge URL or share link through the guarded fetcher (public addresses only) and verifies it with fresh status.',
    produces: 'text/html',
    query: [{ name: 'url', description: "The id of one of this service's credentials" }],
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
      'Public, and usable from any web origin (CORS preflight: `POST` with `Content-Type`).\n\n' +
      '- `options.recipient` (`{"did": …}` or `{"email": …}`) adds the recipient check;\n' +
      "- `options.rule` evaluates an approval rule of this verifier's trust policy;\n" +
      '- `options.checks` names the checks that decide `verified` (every check still runs and is reported).\n\n' +
      'The answer has the VC-API members (`verified`, `checks`, `warnings`, `errors`) and `report`, with every check, its reason, and the trust decision. ' +
      'Verified and trusted are two facts: an authentic badge from an issuer this verifier does not trust is verified, with a warning.',
    body: CredentialVerifyRequestSchema,
    example: { verifiableCredential: CREDENTIAL_EXAMPLE, options: { recipient: { did: EXAMPLE_DID } } },
    responses: {
      '200': { description: 'Verified', schema: CredentialVerification },
      '400': { description: 'Not verified (the same members; `errors` names the failed checks), or not a verification request', schema: z.union([CredentialNotVerified, Problem]), produces: 'application/problem+json' },
      '415': 'Not application/json',
      '429': 'Rate limited',
    },
  },
  {
    method: 'post',
    path: '/presentations/verify',
    tag: 'Verification',
    summary: 'VC-API: verify a holder-signed presentation (challenge, domain, holder binding), each credential, and an approval rule',
    description:
      "Public, and usable from any web origin (CORS). `options.challenge` and `options.domain` are checked against the holder's proof; `options.rule` names the approval rule to decide.",
    body: PresentationVerifyRequestSchema,
    example: {
      verifiablePresentation: {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiablePresentation'],
        holder: EXAMPLE_DID,
        verifiableCredential: [CREDENTIAL_EXAMPLE],
        proof: { type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'authentication', challenge: 'c0ffee-2026', domain: 'state.example.gov', verificationMethod: `${EXAMPLE_DID}#${EXAMPLE_DID.slice(8)}`, proofValue: 'z…' },
      },
      options: { challenge: 'c0ffee-2026', domain: 'state.example.gov', rule: 'online-teaching' },
    },
    responses: {
      '200': { description: 'Verified', schema: PresentationVerification },
      '400': { description: 'Not verified (the same members), or not a verification request', schema: z.union([PresentationNotVerified, Problem]), produces: 'application/problem+json' },
      '415': 'Not application/json',
      '429': 'Rate limited',
    },
  },
  // ---- Mastery records (issue 14) ----
  { method: 'get', path: '/frameworks', tag: 'Achievements', summary: 'The loaded competency frameworks', responses: { '200': { description: 'The frameworks', schema: FrameworkList } } },
  {
    method: 'post',
    path: '/frameworks',
    tag: 'Achievements',
    summary: 'Load a framework: educred framework JSON or a 1EdTech CASE 1.0 package',
    description:
      'The body is educred framework JSON (docs/frameworks.md, JSON Schema `docs/framework.schema.json`), a CASE 1.0 `CFPackage` (told apart by its `CFDocument`), ' +
      'or `{"casePackage": {...}, "rules": {...}}` with the mastery rules of its items. Achievement codes are unique on an instance: a framework bringing a code already used is refused (409) naming it.',
    scope: 'admin',
    body: z.record(z.string(), z.unknown()),
    example: { code: 'team-practice', name: 'Team Practice', rubric: [{ code: 'developing', description: 'Partly effective.' }, { code: 'effective', description: 'Effective.' }], competencies: [{ code: 'team-co-planning', name: 'Team Co-Planning', description: 'Plans units with the team.', criteria: 'Three observed team lessons rated effective.', masteryRule: { minObservations: 3, minLevel: 'effective' } }] },
    responses: { '201': { description: 'Loaded', schema: FrameworkImported, headers: [LOCATION] }, ...JSON_ERRORS, ...AUTH_ERRORS, '409': 'A framework or achievement code already used', '422': 'Not a valid framework (problem+json with every problem and its pointer)' },
  },
  {
    method: 'post',
    path: '/educators',
    tag: 'Educators',
    summary: 'Add an educator',
    scope: 'issue',
    body: EducatorRequestSchema,
    example: { name: 'Ben Okafor', email: 'ben.okafor@example.edu', externalId: 'S-1002', cohort: '2026' },
    responses: { '201': { description: 'Added', schema: Educator, headers: [LOCATION] }, ...JSON_ERRORS, ...AUTH_ERRORS, '409': 'Another educator has this externalId' },
  },
  {
    method: 'get',
    path: '/educators',
    tag: 'Educators',
    summary: 'List educators',
    description: 'A token with the `observe` or the `issue` scope.',
    scope: 'observe',
    query: [{ name: 'cohort', description: 'Only this cohort' }, { name: 'q', description: 'Part of a name, email or externalId' }, ...PAGE_PARAMS],
    responses: { '200': { description: 'One page', schema: EducatorList }, '400': 'Invalid query parameter', ...AUTH_ERRORS },
  },
  {
    method: 'post',
    path: '/educators/import',
    tag: 'Educators',
    summary: 'Import educators from a CSV file, in the background (up to 10,000 rows)',
    description:
      'The fields of POST /educators, one educator per row (`Content-Type: text/csv`, UTF-8, RFC 4180 quoting, a header row; names case-insensitive, order free):\n\n' +
      `${columnTable(EDUCATOR_CSV_DOCS)}\n\n` +
      'The rows are stored when the file is accepted (202) and imported in line order; a stop or a crash resumes the job where it was, and adds nobody twice. ' +
      'Each row ends `created`, `existing` (the same external_id, or else email or DID, is there already: nobody is changed), `duplicate` (of an earlier line), or `invalid` / `refused` with the column to fix.',
    scope: 'issue',
    csv: { columns: EDUCATOR_CSV_DOCS, example: 'name,email,external_id,cohort\r\nAna Lopez,ana.lopez@example.edu,S-1001,2026\r\nBen Okafor,ben.okafor@example.edu,S-1002,2026\r\n', rows: 'one educator per row' },
    responses: IMPORT_RESPONSES('the issue scope'),
  },
  {
    method: 'get',
    path: '/educators/import/{jobId}',
    tag: 'Educators',
    summary: "An educator import's progress and per-row results",
    scope: 'issue',
    query: [
      { name: 'offset', description: 'The first row to list (0-based); `nextOffset` gives the next page', schema: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 } },
      { name: 'limit', description: 'How many rows to list', schema: { type: 'integer', minimum: 0, maximum: 10_000, default: 1000 } },
      { name: 'rows', description: '`problems` lists only rows that are invalid, duplicate, refused or failed', schema: { type: 'string', enum: ['all', 'problems'], default: 'all' } },
    ],
    responses: { '200': { description: 'The import', schema: ImportStatus }, '400': 'A bad offset, limit or rows', ...AUTH_ERRORS, '404': 'Unknown import' },
  },
  {
    method: 'post',
    path: '/observations/import',
    tag: 'Educators',
    summary: 'Import observations from a CSV file, in the background; badges whose rules they make hold are awarded as they are recorded',
    description:
      'One rating per row; the rows of one educator, date and observer are one observation (`Content-Type: text/csv`, as `educred observations import` reads):\n\n' +
      `${columnTable(OBSERVATION_CSV_DOCS)}\n\n` +
      'The observations are stored when the file is accepted (202), each with the id it will get, and recorded in line order; a stop or a crash resumes the job without recording any twice. ' +
      'A token with the `observe` or the `issue` scope. The rows of the job list the badges each observation awarded, with their claim links.',
    scope: 'observe',
    csv: { columns: OBSERVATION_CSV_DOCS, example: 'educator,date,observer,setting,achievement,level\r\nS-1001,2026-03-02,Dr. Maya Rivera,online,formative-assessment,proficient\r\n', rows: 'one rating per row' },
    responses: IMPORT_RESPONSES('the observe or the issue scope'),
  },
  {
    method: 'get',
    path: '/observations/import/{jobId}',
    tag: 'Educators',
    summary: "An observation import's progress and per-row results (with the claim links of the badges awarded)",
    description: 'A token with the `observe` or the `issue` scope. Answered with `Cache-Control: no-store`: claim links are bearer secrets.',
    scope: 'observe',
    query: [
      { name: 'offset', description: 'The first row to list (0-based); `nextOffset` gives the next page', schema: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 } },
      { name: 'limit', description: 'How many rows to list', schema: { type: 'integer', minimum: 0, maximum: 10_000, default: 1000 } },
      { name: 'rows', description: '`problems` lists only rows that are invalid, duplicate, refused or failed', schema: { type: 'string', enum: ['all', 'problems'], default: 'all' } },
    ],
    responses: { '200': { description: 'The import', schema: ImportStatus }, '400': 'A bad offset, limit or rows', ...AUTH_ERRORS, '404': 'Unknown import' },
  },
  {
    method: 'get',
    path: '/educators/{id}',
    tag: 'Educators',
    summary: 'An educator with their progress',
    description: 'Every loaded achievement at each level its rule badges: state, counted and required, what is missing, and the badge that holds it. A token with the `observe` or the `issue` scope.',
    scope: 'observe',
    responses: { '200': { description: 'The educator', schema: EducatorProgress }, ...AUTH_ERRORS, '404': 'Unknown educator' },
  },
  {
    method: 'post',
    path: '/educators/{id}/observations',
    tag: 'Educators',
    summary: 'Record an observed lesson; badges whose rules it makes hold are awarded in this request',
    description: 'One rating per competency the lesson showed, on that competency’s rubric. `sharedWith` names teammates it counts for too. A token with the `observe` or the `issue` scope.',
    scope: 'observe',
    body: ObservationRequestSchema,
    example: { date: '2026-03-02', observer: 'Dr. Maya Rivera', setting: 'online', ratings: [{ achievement: 'formative-assessment', level: 'proficient', narrative: 'Exit tickets regrouped the class.' }, { achievement: 'data-informed-instruction', level: 'exemplary' }] },
    responses: { '201': { description: 'Recorded', schema: RecordOutcome, headers: [LOCATION] }, ...JSON_ERRORS, ...AUTH_ERRORS, '404': 'Unknown educator', '422': 'A rating names an unknown achievement or level, or sharedWith an unknown educator' },
  },
  {
    method: 'put',
    path: '/educators/{id}/observations/{observationId}',
    tag: 'Educators',
    summary: 'Amend an observation (date, observer, setting, notes, ratings) until an issued badge counts it; what now holds is awarded',
    description: 'The body of `POST /educators/{id}/observations`; `sharedWith` left out keeps the teammates it had. Refused (409) once a badge that is not revoked counts it: revoke the badge instead. A token with the `observe` or the `issue` scope.',
    scope: 'observe',
    body: ObservationRequestSchema,
    example: { date: '2026-03-02', observer: 'Dr. Maya Rivera', setting: 'in-person', ratings: [{ achievement: 'formative-assessment', level: 'developing' }] },
    responses: { '200': { description: 'Amended', schema: RecordOutcome }, ...JSON_ERRORS, ...AUTH_ERRORS, '404': 'Unknown educator or observation', '409': 'Counted by an issued badge, or withdrawn', '422': 'A rating names an unknown achievement or level' },
  },
  {
    method: 'post',
    path: '/educators/{id}/assessments',
    tag: 'Educators',
    summary: 'Record an assessment; badges whose rules it makes hold are awarded in this request',
    description: 'A token with the `observe` or the `issue` scope.',
    scope: 'observe',
    body: AssessmentRequestSchema,
    example: { date: '2026-03-10', name: 'Unit 3 assessment design task', achievements: ['performance-assessment-design'], score: 42, maxScore: 50 },
    responses: { '201': { description: 'Recorded', schema: RecordOutcome }, ...JSON_ERRORS, ...AUTH_ERRORS, '404': 'Unknown educator', '422': 'An unknown achievement or teammate' },
  },
  {
    method: 'post',
    path: '/educators/{id}/observations/{observationId}/withdraw',
    tag: 'Educators',
    summary: 'Withdraw an observation (the reason is audited)',
    description: 'Refused (409) while an issued badge that is not revoked counts it: revoke the badge instead.',
    scope: 'issue',
    body: WithdrawRequestSchema,
    example: { reason: 'Recorded for the wrong candidate' },
    responses: { '200': { description: 'Withdrawn', schema: ObservationWithdrawn }, ...JSON_ERRORS, ...AUTH_ERRORS, '404': 'Unknown educator or observation', '409': 'Counted by an issued badge, or already withdrawn' },
  },
  {
    method: 'get',
    path: '/programs',
    tag: 'Programs',
    summary: 'The programs and what each requires for completion',
    description: 'Public. The built-in `educator-preparation` requires the seven built-in competencies at `proficient`.',
    responses: { '200': { description: 'The programs', schema: ProgramList } },
  },
  {
    method: 'post',
    path: '/programs',
    tag: 'Programs',
    summary: 'Define a program: the achievements (and minimum levels) it requires, and its completion statement',
    description: 'Each achievement must be loaded and each `minLevel` a level of its rubric. `autoIssue` (default true) issues the record when an educator’s last requirement is met.',
    scope: 'admin',
    body: ProgramRequestSchema,
    example: { code: 'secondary-preparation', name: 'Secondary Teacher Preparation', description: 'Preparation for secondary teaching.', completion: 'Secondary preparation completed: recommended for initial licensure', requires: [{ achievement: 'formative-assessment', minLevel: 'proficient' }, { achievement: 'data-informed-instruction' }] },
    responses: { '201': { description: 'Defined', schema: Program, headers: [LOCATION] }, ...JSON_ERRORS, ...AUTH_ERRORS, '409': 'The code is taken', '422': 'An unknown achievement or level' },
  },
  {
    method: 'post',
    path: '/educators/{id}/records',
    tag: 'Programs',
    summary: 'Issue the educator’s program record (a CLR 2.0 ClrCredential), or answer the current one',
    description: '201 with a new record when every requirement is met by a badge neither revoked nor suspended; 200 with the current record when one exists (issued by itself, say); 422 `record-not-ready` with `missing` (each requirement not met, and why); 409 `record-not-current` when the existing record holds a revoked badge (revoke the record first).',
    scope: 'issue',
    body: RecordRequestSchema,
    example: { program: 'educator-preparation' },
    responses: { '201': { description: 'Issued', schema: RecordIssued, headers: [LOCATION] }, '200': { description: 'The current record', schema: RecordIssued }, ...JSON_ERRORS, ...AUTH_ERRORS, '404': 'Unknown educator', '409': 'The existing record is not current', '422': 'Not yet complete, or an unknown program' },
  },
  {
    method: 'get',
    path: '/records/{id}',
    tag: 'Programs',
    summary: 'A program record: its JSON, or its public page for browsers (Accept: text/html)',
    description: 'Public, like /credentials/{id}. The page shows the completion statement, the live status, and every competency with its level and evidence summary.',
    responses: { '200': { description: 'The signed record', schema: ClrCredential }, '404': 'Unknown record' },
  },
  {
    method: 'get',
    path: '/records/{id}/record.svg',
    tag: 'Programs',
    summary: 'The record baked into an SVG image (OB 3.0 baking)',
    produces: 'image/svg+xml',
    responses: { '200': { description: 'SVG' }, '404': 'Unknown record' },
  },
  {
    method: 'get',
    path: '/records/{id}/record.png',
    tag: 'Programs',
    summary: 'The record baked into a PNG image (OB 3.0 §5.3.1: an uncompressed iTXt chunk `openbadgecredential`)',
    produces: 'image/png',
    responses: { '200': { description: 'PNG' }, '404': 'Unknown record' },
  },
  {
    method: 'post',
    path: '/licenses',
    tag: 'Programs',
    summary: 'Verify an application under an approval rule and issue the licence',
    description: 'The basis (a presentation, or one credential such as a program record) is verified under `rule`; when approved, the licence is an OB 3.0 credential whose achievement has `achievementType: License`, with evidence of what was verified and revocation and suspension entries. 422 `not-approved` with the decision and its reasons otherwise.',
    scope: 'issue',
    body: LicenseRequestSchema,
    example: { applicant: { name: 'Ana Lopez', did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' }, license: { code: 'online-teaching', name: 'Online Teaching Licence' }, rule: 'online-teaching', basis: { verifiablePresentation: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'] } }, options: { challenge: 'b-41c7', domain: 'licensure.state-b.example' } },
    responses: { '201': { description: 'Issued', schema: LicenseIssued, headers: [LOCATION] }, ...JSON_ERRORS, ...AUTH_ERRORS, '409': 'The applicant holds an active licence of this class', '422': 'Not approved (with the reasons), or an unknown rule' },
  },
  // The program console (issue 18): HTML pages for people, signed in with a session cookie (not a
  // bearer token). Every POST is a form with the session's CSRF token from this service's origin;
  // most answer with a redirect to the page that shows the result (POST, redirect, GET).
  ...consoleRoutes(),
  ...educatorPageRoutes(),
  // ---- Presentation requests and decision records (issue 17) ----
  {
    method: 'post',
    path: '/presentation-requests',
    tag: 'Verification',
    summary: 'Ask a wallet for what an approval rule needs: a challenge, a domain, a VC-API exchange, an OpenID4VP request and the officer page',
    description:
      'A token with the `verify` scope (or `admin`). `rule` is an approval rule of this verifier\'s trust policy; `purpose` is shown to the educator. ' +
      'The request expires after 15 minutes and answers once. `pageUrl` holds the key of the officer page (shown once, only its hash is kept).',
    scope: 'verify',
    body: PresentationRequestSchema,
    example: { rule: 'online-teaching', purpose: 'Online teaching endorsement for your licence' },
    responses: { '201': { description: 'Created', schema: PresentationRequestCreated, headers: [LOCATION] }, ...JSON_ERRORS, ...AUTH_ERRORS },
  },
  {
    method: 'get',
    path: '/presentation-requests/{id}',
    tag: 'Verification',
    summary: 'A presentation request: pending, answered (with the decision) or expired',
    scope: 'verify',
    responses: { '200': { description: 'The request', schema: PresentationRequestStatus }, ...AUTH_ERRORS, '404': 'Unknown request' },
  },
  {
    method: 'get',
    path: '/presentation-requests/{id}/interact',
    tag: 'Verification',
    summary: 'VCALM interaction URL (`?iuv=1`): the protocols a wallet can answer with',
    query: [{ name: 'iuv', description: 'Interaction URL version (1)' }],
    responses: { '200': { description: 'The protocols', schema: InteractionProtocols }, '404': 'Unknown request' },
  },
  {
    method: 'post',
    path: '/presentation-requests/{id}/exchange',
    tag: 'Verification',
    summary: 'VC-API exchange: `{}` → the Verifiable Presentation Request; `{"verifiablePresentation"}` → the result',
    description:
      'Public: the random id is the capability. The presentation must be signed by its holder for the request\'s challenge and domain; one that is not (a replay of a presentation made for another request) is refused and the request stays open. ' +
      'A request answers once (409 after), and not after it expires (410). Status lists are fetched at the time of the answer (`maxStatusAge` 0).',
    body: z.record(z.string(), z.unknown()),
    bodyRequired: false,
    example: {},
    responses: { '200': { description: 'The VPR, or the result', schema: ExchangeStep }, '400': 'Not an exchange message, or a presentation that does not prove the challenge (`code`)', '404': 'Unknown request', '409': 'Answered already', '410': 'Expired', '429': 'Rate limited' },
  },
  {
    method: 'get',
    path: '/presentation-requests/{id}/openid4vp/request',
    tag: 'Verification',
    summary: 'OpenID4VP 1.0 request object (request_uri): a JAR signed by the client identifier\'s did:jwk, with a DCQL query and direct_post',
    produces: 'application/oauth-authz-req+jwt',
    responses: { '200': 'The signed request object', '404': 'Unknown request', '409': 'Answered already', '410': 'Expired', '429': 'Rate limited' },
  },
  {
    method: 'post',
    path: '/presentation-requests/{id}/openid4vp/response',
    tag: 'Verification',
    summary: 'OpenID4VP 1.0 response URI (direct_post): `vp_token` and `state`, form-encoded',
    description: 'The vp_token answers the DCQL query `badges` with one `ldp_vc` presentation whose proof carries the nonce as challenge and the client_id as domain.',
    body: z.record(z.string(), z.unknown()),
    example: { vp_token: '{"badges":[{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiablePresentation"]}]}', state: 'q3Zk…' },
    responses: { '200': { description: 'Answered', schema: Openid4vpAnswer }, '400': 'Not a valid authorization response, or a presentation refused (`code`)', '404': 'Unknown request', '409': 'Answered already', '410': 'Expired', '429': 'Rate limited' },
  },
  {
    method: 'get',
    path: '/presentation-requests/{id}/page',
    tag: 'Pages',
    summary: "The officer's page (HTML): the QR codes and deep links, then by itself the decision",
    produces: 'text/html',
    query: [{ name: 'key', description: 'The page key of pageUrl', required: true }],
    responses: { '200': 'The page', '403': 'Without the page key', '404': 'Unknown request' },
  },
  {
    method: 'get',
    path: '/presentation-requests/{id}/page/state',
    tag: 'Pages',
    summary: "The request's state, which the officer page polls",
    query: [{ name: 'key', description: 'The page key of pageUrl', required: true }],
    responses: { '200': { description: 'The state', schema: PageState }, '403': 'Without the page key', '404': 'Unknown request' },
  },
  {
    method: 'get',
    path: '/decisions',
    tag: 'Verification',
    summary: 'Decision records, in the order they were made',
    scope: 'verify',
    query: [{ name: 'rule', description: 'Only decisions of this rule' }, ...PAGE_PARAMS],
    responses: { '200': { description: 'One page', schema: DecisionList }, '400': 'Invalid query parameter', ...AUTH_ERRORS },
  },
  {
    method: 'get',
    path: '/decisions/{id}',
    tag: 'Verification',
    summary: 'A decision record: what was asked, what was presented, the report, the decision (a printable one-page summary to browsers)',
    scope: 'verify',
    responses: { '200': { description: 'The record', schema: DecisionRecord, html: true }, ...AUTH_ERRORS, '404': 'Unknown decision' },
  },
  {
    method: 'post',
    path: '/decisions/{id}/license',
    tag: 'Programs',
    summary: 'Turn an approved decision into a licence: its presentation verified again now, the holder as the applicant',
    description:
      "The decision's own presentation is verified again for its request's challenge and domain, with status lists fetched now, under the decision's rule; when it still approves, the licence is issued to the presentation's holder (named as the decision names them), as `POST /licenses` issues it. " +
      "`applicant.email` makes the licence name an email (and its claim email) instead of the holder's DID. 422 `not-approved` with today's reasons when the decision did not approve or no longer does (a badge revoked since).",
    scope: 'issue',
    body: LicenseOnDecisionSchema,
    example: { license: { code: 'online-teaching', name: 'Online Teaching Licence' } },
    responses: { '201': { description: 'Issued', schema: LicenseIssued, headers: [LOCATION] }, ...JSON_ERRORS, ...AUTH_ERRORS, '404': 'Unknown decision', '409': 'The applicant holds an active licence of this class', '422': 'Not approved (with the reasons)' },
  },
  {
    method: 'get',
    path: '/.well-known/dcc-issuer-registry-entry.json',
    tag: 'Public documents',
    summary: "This issuer's entry for a DCC issuer registry (a snippet others copy into theirs)",
    responses: { '200': { description: 'The entry', schema: RegistryEntry } },
  },
  {
    method: 'get',
    path: '/.well-known/openid-federation',
    tag: 'Public documents',
    summary: "This entity's OpenID Federation 1.0 Entity Configuration (a signed JWT)",
    description:
      'A self-signed entity statement (`typ: entity-statement+jwt`, OpenID Federation 1.0 §3, §9): `iss` = `sub` = BASE_URL, `iat`, `exp` (24 hours), `jwks` (the federation key, Ed25519, not the issuer key), `authority_hints` (EDUCRED_FEDERATION_AUTHORITY_HINTS, absent when none), and `metadata`: `federation_entity` and, on an issuing instance, `openid_credential_issuer` with `issuer_did` (the DID its badges name as issuer).',
    produces: 'application/entity-statement+jwt',
    responses: { '200': 'The Entity Configuration (compact JWS)' },
  },
];

/** The console's pages and forms (src/http/console/), all text/html. */
function consoleRoutes(): RouteDoc[] {
  const SESSION = 'Needs a console session (cookie); without one, a redirect to `/console/sign-in`.';
  const page = (path: string, summary: string, extra: Partial<RouteDoc> = {}): RouteDoc => ({
    method: 'get',
    path,
    tag: 'Console',
    summary,
    description: SESSION,
    produces: 'text/html',
    responses: { '200': 'The page', '303': 'No session: to the sign-in page', '403': 'The role does not allow it' },
    ...extra,
  });
  const form = (path: string, summary: string, ok: Record<string, string> = {}): RouteDoc => ({
    method: 'post',
    path,
    tag: 'Console',
    summary,
    description: `${SESSION} A form (application/x-www-form-urlencoded or multipart/form-data) with the session's \`csrf\` field, from this service's origin.`,
    produces: 'text/html',
    responses: { '303': 'Done (or refused): to the page that says so', ...ok, '403': 'No valid CSRF token, another origin, or a role that does not allow it' },
  });
  return [
    { method: 'get', path: '/console', tag: 'Console', summary: 'The console: to the educators with a session, else to the sign-in page', produces: 'text/html', responses: { '303': 'Redirect' } },
    {
      method: 'get',
      path: '/console/sign-in',
      tag: 'Console',
      summary: 'Sign-in page: the identity provider (EDUCRED_OIDC_*) or an API token',
      produces: 'text/html',
      query: [
        { name: 'next', description: 'The console page to open after signing in' },
        { name: 'signed-out', description: 'Say that the person signed out' },
      ],
      responses: { '200': 'The page' },
    },
    {
      method: 'post',
      path: '/console/sign-in',
      tag: 'Console',
      summary: 'Sign in with an API token (form: token, csrf, next)',
      produces: 'text/html',
      responses: { '303': 'Signed in: a session cookie, to the console', '400': 'The form expired', '401': 'Unknown or revoked token', '403': 'The token has no scope the console uses, or another origin' },
    },
    {
      method: 'get',
      path: '/console/sign-in/oidc',
      tag: 'Console',
      summary: "To the identity provider's authorization endpoint (authorization code, PKCE S256, state and nonce in a sealed cookie)",
      produces: 'text/html',
      query: [{ name: 'next', description: 'The console page to open after signing in' }],
      responses: { '303': 'To the identity provider (to the sign-in page when none is configured)', '400': 'The provider cannot be reached' },
    },
    {
      method: 'get',
      path: '/console/sign-in/callback',
      tag: 'Console',
      summary: "The identity provider's redirect back (the OpenID Connect redirect URI)",
      produces: 'text/html',
      query: [
        { name: 'code', description: 'The authorization code' },
        { name: 'state', description: 'The state sent' },
        { name: 'iss', description: 'The issuer (RFC 9207)' },
        { name: 'error', description: 'Why the provider did not sign the person in' },
      ],
      responses: { '303': 'Signed in: a session cookie, to the console', '400': 'Expired or foreign sign-in', '401': 'The answer did not check out', '403': 'Signed in, but no role yet' },
    },
    form('/console/sign-out', 'Sign out (the session ends)'),
    page('/console/educators', 'Educators: search, cohort, the progress grid', {
      query: [
        { name: 'q', description: 'Part of a name, email or program number' },
        { name: 'cohort', description: 'One cohort' },
        { name: 'after', description: 'The position after which the page starts' },
        { name: 'error', description: 'A message to show' },
      ],
    }),
    form('/console/educators', 'Add an educator (registrar)'),
    page('/console/educators/{id}', 'An educator: badges with live status and claim links, progress, observations', {
      query: [
        { name: 'notice', description: 'What was just done' },
        { name: 'error', description: 'What went wrong' },
      ],
    }),
    form('/console/awards/{id}/status', 'Revoke, suspend or reinstate a badge with a reason (registrar): first the confirmation page, then (confirm=yes) the change', { '200': 'The confirmation page' }),
    form('/console/awards/{id}/claim-link', 'A new claim link for a badge (registrar)'),
    page('/console/observe', 'Record an observation (observer)', { query: [{ name: 'educator', description: 'The educator to preselect' }] }),
    form('/console/observe', 'Save an observation (observer)', { '400': 'The form again, saying what to fix' }),
    page('/console/educators/{id}/observations/{observationId}', 'A saved observation: the badges it awarded, what is still missing', {
      query: [
        { name: 'awarded', description: 'The badges it awarded (award ids, comma-separated)' },
        { name: 'amended', description: 'It was an amendment' },
      ],
    }),
    page('/console/educators/{id}/observations/{observationId}/amend', 'Amend an observation (until a badge counts it)'),
    form('/console/educators/{id}/observations/{observationId}/amend', 'Save the amendment', { '400': 'The form again, saying what to fix' }),
    page('/console/batches', 'Batches: upload a CSV of awards or observations; recent batches and imports (registrar)'),
    form('/console/batches', 'Upload a CSV (kind: awards or observations; file; notify): to the batch or import page', { '400': 'The form again, saying what to fix', '413': 'Over EDUCRED_BATCH_BODY_LIMIT' }),
    page('/console/batches/{id}', "An award batch's live progress bar (without script the page refreshes itself while it runs) and rows"),
    {
      ...page('/console/batches/{id}/state', "An award batch's progress for the live progress bar (JSON: running, total, processed, label, summary)"),
      produces: 'application/json',
      responses: { '200': { description: 'The progress', schema: ConsoleProgress }, '303': 'No session: to the sign-in page', '404': 'No such batch' },
    },
    form('/console/educators/import', 'Import educators from a CSV file (registrar; file): to the import page', { '413': 'Over EDUCRED_BATCH_BODY_LIMIT' }),
    page('/console/imports/{id}', "An educator or observation import: live progress bar (without script the page refreshes itself while it runs) and rows"),
    {
      ...page('/console/imports/{id}/state', "An import's progress for the live progress bar (JSON: running, total, processed, label, summary)"),
      produces: 'application/json',
      responses: { '200': { description: 'The progress', schema: ConsoleProgress }, '303': 'No session: to the sign-in page', '404': 'No such import' },
    },
    {
      ...page('/console/imports/{id}/results.csv', "An import's per-row results (CSV; an observation import's with the claim links of the badges awarded)"),
      produces: 'text/csv',
      responses: { '200': { description: 'One row per line: state, ids, column and problem' }, '303': 'No session: to the sign-in page', '404': 'No such import' },
    },
    {
      ...page('/console/batches/{id}/results.csv', "An award batch's results with claim links (CSV)"),
      produces: 'text/csv',
      responses: { '200': { description: 'line, state, credential_id, claim_url, problem' }, '303': 'No session: to the sign-in page', '404': 'No such batch' },
    },
    page('/console/frameworks', 'The loaded frameworks and their rules', { query: [{ name: 'imported', description: 'A framework just imported' }] }),
    form('/console/frameworks', 'Import a framework (admin; files: document, rules)', { '400': 'The page again, with the problems' }),
    page('/console/decisions', 'Decision records of answered presentation requests (registrar)', { query: [{ name: 'after', description: 'Later than this position' }] }),
    page('/console/decisions/{id}', 'One decision: its summary and, when approved, the form that issues the licence (registrar)'),
    form('/console/decisions/{id}/license', 'Issue the licence on an approved decision (fields: code, name, email): its presentation is verified again now', { '201': 'The page, with the licence and its claim link', '400': 'The form again, saying what to fix', '409': 'The educator holds an active licence of this class', '422': 'Not approved now, with the reasons' }),
    page('/console/access', 'People and roles, API tokens, the audit log (admin)', {
      query: [
        { name: 'actor', description: 'Audit rows of one actor' },
        { name: 'action', description: 'Audit rows of an action, or of actions under a prefix (award → award.revoked, …)' },
        { name: 'subject', description: 'Audit rows of one subject' },
        { name: 'before', description: 'Older than this position' },
        { name: 'notice', description: 'What was just done' },
      ],
    }),
    form('/console/access/people/{id}/role', "Assign a person's role (admin; the person signs in again)", { '400': 'Not a role' }),
    form('/console/access/tokens', 'Create an API token (admin): its secret shown once', { '200': 'The page with the new secret' }),
    form('/console/access/tokens/{id}/revoke', 'Revoke an API token (admin)', { '409': 'Unknown, or the last admin token' }),
  ];
}


/** The educator's own page and share links (issue 16): pages and forms, described briefly. */
function educatorPageRoutes(): RouteDoc[] {
  const SESSION = 'Needs the educator page session cookie (from a sign-in link or a claim link).';
  const FORM = 'A form (application/x-www-form-urlencoded) from this service\'s origin';
  return [
    { method: 'get', path: '/me', tag: 'Educator page', summary: "The educator's page: every badge and record issued to them with live status, downloads, LinkedIn, share links; the sign-in form without a session", produces: 'text/html', query: [{ name: 'made', description: 'Say that a share link was made (`share`) or withdrawn (`withdrawn`)' }], responses: { '200': 'The page' } },
    { method: 'post', path: '/me/sign-in', tag: 'Educator page', summary: 'Email me a sign-in link (form: email). The same answer whether or not the address is known; at most 3 links an hour to one address, 10 requests a minute per client', description: FORM + '.', produces: 'text/html', responses: { '200': 'The same page for every valid address', '400': 'Not an email address', '403': 'Another origin', '429': 'Too many requests from this client', '503': 'Email is not configured' } },
    { method: 'get', path: '/me/sign-in/{token}', tag: 'Educator page', summary: 'An emailed sign-in link: a button to continue (a GET spends nothing)', description: 'The token is a bearer secret (only its SHA-256 is stored); single use, 7 days.', produces: 'text/html', responses: { '200': 'The page', '404': 'Unknown link', '410': 'Used or expired' } },
    { method: 'post', path: '/me/sign-in/{token}', tag: 'Educator page', summary: 'Spend the sign-in link and open a session (HttpOnly, SameSite=Lax cookie)', description: FORM + '.', produces: 'text/html', responses: { '303': 'Signed in: to /me', '403': 'Another origin', '404': 'Unknown link', '410': 'Used or expired' } },
    { method: 'post', path: '/claim/{token}/me', tag: 'Educator page', summary: "From a claim link to the educator's page (the link proves the address as a sign-in link does)", description: FORM + '. Works while the claim link is not replaced or expired, and for a day after it was spent. ' + TOKEN_NOTE, produces: 'text/html', responses: { '303': 'Signed in: to /me', '403': 'Another origin', '404': 'Unknown link', '410': 'Replaced, expired, or spent more than a day ago' } },
    { method: 'post', path: '/me/sign-out', tag: 'Educator page', summary: 'End the session (form: csrf)', description: `${SESSION} ${FORM} with the session's \`csrf\` field.`, produces: 'text/html', responses: { '303': 'To /me', '403': 'No valid CSRF token, or another origin' } },
    { method: 'get', path: '/me/awards/{id}/credential.json', tag: 'Educator page', summary: 'Download one of my badges or records as JSON (an attachment)', description: SESSION, responses: { '200': { description: 'The signed credential', schema: OpenBadgeCredential, headers: [{ name: 'Content-Disposition', description: 'attachment, with a file name' }] }, '401': 'No session', '404': 'Not one of yours' } },
    { method: 'post', path: '/me/shares', tag: 'Educator page', summary: 'Make a share link (form: award (repeated), days 1-365, default 30, label, csrf)', description: `${SESSION} ${FORM} with the session's \`csrf\` field.`, produces: 'text/html', responses: { '303': 'Made: to /me?made=share', '403': "No valid CSRF token, another origin, or someone else's award", '422': 'No award chosen, more than 50, or days out of range' } },
    { method: 'post', path: '/me/shares/{id}/withdraw', tag: 'Educator page', summary: 'Withdraw one of my share links (form: csrf)', description: `${SESSION} ${FORM} with the session's \`csrf\` field.`, produces: 'text/html', responses: { '303': 'Withdrawn: to /me?made=withdrawn', '403': 'No valid CSRF token, or another origin', '404': 'Not yours, or already withdrawn' } },
    {
      method: 'get',
      path: '/shared/{token}',
      tag: 'Educator page',
      summary: 'A share link: its page (Accept: text/html) with each credential verified live, or the set as JSON (an unsigned VC 2.0 VerifiablePresentation)',
      description: 'Public. JSON for any client that does not ask for HTML by name, or with `?format=json`: `{"@context":["https://www.w3.org/ns/credentials/v2"],"id":<this URL>,"type":["VerifiablePresentation"],"verifiableCredential":[...]}`, no proof: verify each credential. `/verify?url=` reads it. 410 once withdrawn or expired.',
      query: [{ name: 'format', description: '`json` for the JSON whatever Accept says' }],
      responses: { '200': { description: 'The unsigned presentation', schema: SharedPresentation }, '404': 'Unknown share link', '410': 'Withdrawn or expired' },
    },
  ];
}
