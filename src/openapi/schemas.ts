// The answers of the API as zod schemas, for the OpenAPI document (src/openapi/document.ts turns
// each into a named component, `#/components/schemas/<id>`). Our own answers are closed objects
// (a field added to a handler without adding it here fails test/openapi/responses.test.ts);
// signed documents (credentials, status lists, DID documents) are open, since their issuers
// and the specs may add terms, and describe the members this service sets and readers rely on.
import { z } from 'zod';
import { SETTINGS } from '../competencies/framework.js';
import { ROW_STATES } from '../store/batches.js';
import { IMPORT_ROW_STATES } from '../store/imports.js';
import { SCOPES } from '../store/tokens.js';
import { CREDENTIAL_CHECKS, PRESENTATION_CHECKS } from '../verify/report.js';

/** The named schemas of the document: each `id` becomes `#/components/schemas/<id>`. */
export const responseSchemas = z.registry<{ id: string; description?: string }>();

const named = <T extends z.ZodType>(id: string, description: string, schema: T): T => {
  const described = schema.describe(description) as T;
  responseSchemas.add(described as z.ZodType, { id, description });
  return described;
};

const dateTime = z.string().describe('ISO 8601 date-time');
const uri = z.string().describe('URI');
const typeList = (...required: string[]) =>
  z.array(z.string()).min(1).describe(required.length > 0 ? `JSON-LD types; includes ${required.map((t) => `\`${t}\``).join(', ')}` : 'JSON-LD types');

export const Problem = named(
  'Problem',
  'RFC 9457 problem details (application/problem+json). `errors` names the fields (JSON Pointers) a request got wrong; some problems add their own members.',
  z.looseObject({
    type: z.string().describe('`urn:educred:problem:<slug>`, or a VC Data Model error type'),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string().optional().describe('`urn:uuid:<request id>`: this occurrence, the `X-Request-Id` of the answer and of its log lines'),
    errors: z.array(z.looseObject({ pointer: z.string().optional(), detail: z.string() })).optional(),
  }),
);

// ---- Documents (signed or public) ----

const Proof = z.looseObject({
  type: z.string().describe('`DataIntegrityProof` (eddsa-rdfc-2022, eddsa-jcs-2022) or `Ed25519Signature2020`'),
  cryptosuite: z.string().optional(),
  created: dateTime.optional(),
  verificationMethod: z.string(),
  proofPurpose: z.string(),
  proofValue: z.string(),
});

export const Achievement = named(
  'Achievement',
  'An Open Badges 3.0 `Achievement` (OB 3.0 §B.1.1): a competency of the framework, with its criteria, badge image, alignment and rubric.',
  z.looseObject({
    id: uri,
    type: typeList('Achievement'),
    achievementType: z.string().optional(),
    name: z.string(),
    description: z.string(),
    humanCode: z.string().optional(),
    criteria: z.looseObject({ id: uri.optional(), narrative: z.string().optional() }),
    image: z.looseObject({ id: uri, type: z.literal('Image'), caption: z.string().optional() }).optional(),
    alignment: z.array(z.looseObject({ type: typeList('Alignment'), targetName: z.string(), targetUrl: uri, targetCode: z.string().optional(), targetFramework: z.string().optional() })).optional(),
    resultDescription: z
      .array(
        z.looseObject({
          id: uri,
          type: typeList('ResultDescription'),
          name: z.string(),
          resultType: z.string(),
          allowedValue: z.array(z.string()).optional(),
          requiredLevel: uri.optional(),
          rubricCriterionLevel: z.array(z.looseObject({ id: uri, type: typeList('RubricCriterionLevel'), name: z.string(), description: z.string().optional(), level: z.string().optional() })).optional(),
        }),
      )
      .optional(),
  }),
);

export const Framework = named(
  'Framework',
  'The competency framework: each competency with its mastery rule and the Achievement that badges it.',
  z.strictObject({
    id: uri,
    name: z.string(),
    description: z.string(),
    competencies: z.array(
      z.strictObject({
        id: uri,
        number: z.int(),
        humanCode: z.string(),
        name: z.string(),
        description: z.string(),
        masteryRule: z.strictObject({
          minObservations: z.int().min(0),
          minLevel: z.string().describe('A level code of the framework rubric'),
          distinctDates: z.boolean().optional(),
          minObservers: z.int().min(1).optional(),
          minInSetting: z.partialRecord(z.enum(SETTINGS), z.int().min(1)).optional(),
          assessment: z.strictObject({ minPercent: z.number().min(0).max(100) }).optional(),
          awardLevels: z.array(z.string()).optional(),
        }),
        achievement: uri.optional(),
      }),
    ),
  }),
);

const StatusEntry = z.looseObject({
  id: uri,
  type: z.literal('BitstringStatusListEntry'),
  statusPurpose: z.string().describe('`revocation` or `suspension`'),
  statusListIndex: z.string().regex(/^\d+$/),
  statusListCredential: uri,
});

const Profile = z.looseObject({ id: z.string().describe('The issuer DID'), type: typeList('Profile'), name: z.string().optional() });

export const OpenBadgeCredential = named(
  'OpenBadgeCredential',
  'A signed Open Badges 3.0 `OpenBadgeCredential` (VC Data Model 2.0). It validates against the 1EdTech schema it names in `credentialSchema` ' +
    '(ob_v3p0_achievementcredential_schema.json); this schema lists the members educred sets.',
  z.looseObject({
    '@context': z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).min(2),
    id: uri,
    type: typeList('VerifiableCredential', 'OpenBadgeCredential'),
    name: z.string().optional(),
    description: z.string().optional(),
    issuer: Profile,
    validFrom: dateTime,
    validUntil: dateTime.optional(),
    awardedDate: dateTime.optional(),
    credentialSubject: z.looseObject({
      id: z.string().optional().describe('The recipient DID (absent for an email recipient, who is in `identifier`)'),
      type: typeList('AchievementSubject'),
      identifier: z.array(z.looseObject({ type: z.literal('IdentityObject'), hashed: z.boolean(), identityHash: z.string(), identityType: z.string(), salt: z.string().optional() })).optional(),
      achievement: Achievement,
      result: z.array(z.looseObject({ type: typeList('Result'), resultDescription: uri.optional(), achievedLevel: uri.optional() })).optional(),
    }),
    evidence: z.array(z.looseObject({ type: typeList('Evidence'), name: z.string().optional(), narrative: z.string().optional() })).optional(),
    credentialStatus: z.union([StatusEntry, z.array(StatusEntry)]).optional(),
    credentialSchema: z.array(z.looseObject({ id: uri, type: z.string() })).optional(),
    proof: z.union([Proof, z.array(Proof)]),
  }),
);

export const EndorsementCredential = named(
  'EndorsementCredential',
  'A signed Open Badges 3.0 `EndorsementCredential` about an issuer profile (reciprocity: a state agency vouches for a program).',
  z.looseObject({
    '@context': z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).min(2),
    id: uri,
    type: typeList('VerifiableCredential', 'EndorsementCredential'),
    issuer: Profile,
    validFrom: dateTime,
    credentialSubject: z.looseObject({ id: z.string(), type: typeList('EndorsementSubject') }),
    proof: z.union([Proof, z.array(Proof)]),
  }),
);

export const StatusListCredential = named(
  'BitstringStatusListCredential',
  'A signed `BitstringStatusListCredential` (W3C Bitstring Status List v1.0 §2.2): `encodedList` is the GZIP-compressed, multibase base64url bitstring of at least 131,072 entries.',
  z.looseObject({
    '@context': z.array(z.string()).min(1),
    id: uri,
    type: typeList('VerifiableCredential', 'BitstringStatusListCredential'),
    issuer: z.union([z.string(), Profile]),
    validFrom: dateTime,
    validUntil: dateTime.optional(),
    credentialSubject: z.looseObject({
      id: uri,
      type: z.literal('BitstringStatusList'),
      statusPurpose: z.string(),
      encodedList: z.string().regex(/^u/, 'multibase base64url (u…)'),
      ttl: z.int().min(0).optional().describe('milliseconds a verifier may cache the list'),
    }),
    proof: z.union([Proof, z.array(Proof)]),
  }),
);

export const DidDocument = named(
  'DidDocument',
  "The issuer's DID document (DID Core §5, did:web): its Multikey verification method and the relationships it may sign for.",
  z.looseObject({
    '@context': z.array(z.string()).min(1),
    id: z.string().regex(/^did:web:/),
    verificationMethod: z.array(z.looseObject({ id: z.string(), type: z.string(), controller: z.string(), publicKeyMultibase: z.string() })).min(1),
    authentication: z.array(z.string()),
    assertionMethod: z.array(z.string()).min(1),
    capabilityInvocation: z.array(z.string()).optional(),
    capabilityDelegation: z.array(z.string()).optional(),
  }),
);

export const OpenApiDocument = named(
  'OpenApiDocument',
  'This OpenAPI 3.1 document.',
  z.looseObject({ openapi: z.literal('3.1.0'), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()), components: z.record(z.string(), z.unknown()) }),
);

export const Health = named('Health', 'The service answers and its database answers.', z.strictObject({ status: z.literal('ok') }));

export const Readiness = named(
  'Readiness',
  'This node can work: the database answers, its migrations are current, the signing key signs.',
  z.strictObject({
    status: z.literal('ready'),
    checks: z.strictObject({ database: z.literal('ok'), migrations: z.literal('ok'), signingKey: z.literal('ok') }),
  }),
);

// ---- Awards ----

const claimFields = {
  claimUrl: z.string().nullable().describe('The one-time claim link for the educator, or null when none is handed out (`claimUnavailable` says why)'),
  claimExpiresAt: dateTime.optional().describe('When the claim link expires'),
  claimUnavailable: z
    .enum(['claimed', 'revoked', 'suspended', 'status-unknown', 'no-live-link'])
    .optional()
    .describe('Why `claimUrl` is null: the badge was collected, is revoked or suspended, its status could not be read, or (batch rows) it has no live link (POST /awards/{id}/claim-links makes one)'),
};

const OUTBOX_STATES = ['pending', 'sent', 'failed', 'cancelled'] as const;

const Notification = z
  .strictObject({
    state: z.enum(OUTBOX_STATES),
    attempts: z.int().min(0),
    sentAt: dateTime.optional(),
    lastError: z.string().optional().describe('Why the last attempt failed (absent once sent)'),
  })
  .describe('Where the claim email is: queued with the award, sent by the delivery loop, retried with backoff');

export const ClaimLinkCreated = named(
  'ClaimLinkCreated',
  'A new one-time claim link for the award (it replaces the older unspent one). A bearer secret: shown to its owner, not cached.',
  z.strictObject({ claimUrl: uri, expiresAt: dateTime }),
);

const Covers = z.array(z.strictObject({ awardId: z.string(), title: z.string() })).describe('The credentials the link covers: badges, then the program record');

export const EducatorClaimLink = named(
  'EducatorClaimLink',
  "One claim link for every unclaimed badge (and the current program record) of an educator: a bundle when several, the badge's own link when one. A bearer secret: shown to its owner, not cached.",
  z.strictObject({ claimUrl: uri, expiresAt: dateTime, covers: Covers }),
);

export const EducatorClaimEmailQueued = named(
  'EducatorClaimEmailQueued',
  'The claim email queued with a new link (the link itself goes only to the educator).',
  z.strictObject({ educatorId: z.string(), queued: z.literal(true), expiresAt: dateTime, covers: Covers, notification: Notification.optional() }),
);

export const AwardCreated = named(
  'AwardCreated',
  'The award and its signed badge, with the one-time claim link for the educator.',
  z.strictObject({ id: z.string().describe('The award id (GET /awards/{id})'), credential: OpenBadgeCredential, ...claimFields, notification: Notification.optional() }),
);

export const Award = named(
  'Award',
  'An award with its current credential.',
  z.strictObject({
    id: z.string(),
    achievement: z.string().describe('The achievement code'),
    recipient: z.union([z.strictObject({ id: z.string(), name: z.string().optional() }), z.strictObject({ email: z.string(), name: z.string().nullable() })]),
    createdAt: dateTime,
    credential: OpenBadgeCredential,
    notification: Notification.optional(),
  }),
);

const RowProblem = z.looseObject({ code: z.string(), detail: z.string(), errors: z.array(z.strictObject({ pointer: z.string(), detail: z.string() })).optional() });

export const BatchStatus = named(
  'BatchStatus',
  'A batch: counts by row state, and one page of rows (`offset`, `nextOffset`). Row states: ' +
    'pending (not yet processed), issued, existing (awarded by an earlier run under the same batch id), invalid (the row does not parse), ' +
    'rejected (unknown achievement, mastery rule not met), duplicate (the same award as an earlier line), failed (an unexpected error; retried when the batch is submitted again).',
  z.strictObject({
    batchId: z.string(),
    state: z.enum(['running', 'done']),
    running: z.boolean().describe('A run of this batch is in progress: on this node, or on another that still has pending rows'),
    source: z.enum(['json', 'csv']),
    notify: z.boolean().describe('Each awarded row is emailed its claim link'),
    notifications: z.strictObject(Object.fromEntries(OUTBOX_STATES.map((st) => [st, z.int().min(0)])) as Record<(typeof OUTBOX_STATES)[number], z.ZodInt>).optional().describe('Claim emails of the batch by state (with notify)'),
    runs: z.int().min(1),
    total: z.int().min(0),
    processed: z.int().min(0),
    counts: z.strictObject(Object.fromEntries(ROW_STATES.map((s) => [s, z.int().min(0)])) as Record<(typeof ROW_STATES)[number], z.ZodInt>),
    createdAt: dateTime,
    updatedAt: dateTime,
    finishedAt: dateTime.nullable(),
    rows: z.array(
      z.strictObject({
        line: z.int().min(1).describe('JSON: the 1-based array index; CSV: the file line (the header is line 1)'),
        state: z.enum(ROW_STATES),
        awardId: z.string().optional(),
        credentialId: uri.nullable().optional(),
        duplicateOf: z.int().optional().describe('The line this row repeats'),
        problem: RowProblem.optional(),
        // An awarded row carries its award's live claim link, or null and why.
        ...claimFields,
        claimUrl: claimFields.claimUrl.optional(),
      }),
    ),
    offset: z.int().min(0),
    nextOffset: z.int().nullable().describe('The offset of the next page, or null on the last page'),
  }),
);

export const ImportStatus = named(
  'ImportStatus',
  'An educator or observation import (POST /educators/import, POST /observations/import): counts by row state, and one page of rows (`offset`, `nextOffset`). Row states: ' +
    'pending (not yet imported), created (the educator was added), existing (the educator was there already: the same external_id, email or DID; `differs` names the fields the file has otherwise, which are not changed), ' +
    'recorded (the observation was recorded; `awarded` lists the badges it made hold), invalid (the row does not parse), duplicate (the same educator as an earlier line), ' +
    'refused (an unknown educator, achievement or level, a date in the future, …), failed (an unexpected error, logged). A problem names the CSV `column` to fix when one is to blame.',
  z.strictObject({
    jobId: z.string(),
    kind: z.enum(['educators', 'observations']),
    state: z.enum(['running', 'done']),
    running: z.boolean(),
    fileName: z.string().nullable(),
    total: z.int().min(0),
    processed: z.int().min(0),
    counts: z.strictObject(Object.fromEntries(IMPORT_ROW_STATES.map((s) => [s, z.int().min(0)])) as Record<(typeof IMPORT_ROW_STATES)[number], z.ZodInt>),
    createdAt: dateTime,
    updatedAt: dateTime,
    finishedAt: dateTime.nullable(),
    rows: z.array(
      z.strictObject({
        line: z.int().min(1).describe('The file line (the header is line 1); an observation: its first line'),
        lines: z.array(z.int().min(1)).optional().describe('An observation: the lines of its ratings'),
        state: z.enum(IMPORT_ROW_STATES),
        educatorId: z.string().optional(),
        observationId: z.string().optional(),
        differs: z.array(z.string()).optional(),
        awarded: z
          .array(
            z.strictObject({
              awardId: z.string(),
              educatorId: z.string(),
              achievement: z.string(),
              level: z.string(),
              credentialId: uri.nullable(),
              ...claimFields,
            }),
          )
          .optional(),
        problem: z.strictObject({ code: z.string(), detail: z.string(), column: z.string().optional().describe('The CSV column to fix') }).optional(),
      }),
    ),
    offset: z.int().min(0),
    nextOffset: z.int().nullable().describe('The offset of the next page, or null on the last page'),
  }),
);

export const ConsoleProgress = named(
  'ConsoleProgress',
  "A console batch's or import's progress, for its live progress bar: the words beside the bar and the counts, as on the page.",
  z.strictObject({ running: z.boolean(), total: z.int().min(0), processed: z.int().min(0), label: z.string(), summary: z.string() }),
);

// ---- Credentials, status, tokens, endorsements ----

export const IssuedCredential = named('IssuedCredential', 'VC-API: the signed credential.', z.strictObject({ verifiableCredential: z.record(z.string(), z.unknown()) }));

export const EndorsementCreated = named('EndorsementCreated', 'The signed endorsement.', z.strictObject({ id: uri, credential: EndorsementCredential }));

export const TokenCreated = named(
  'TokenCreated',
  'A new API token. `token` is the secret, shown only in this answer (only its hash is stored).',
  z.strictObject({ id: z.string(), name: z.string(), scopes: z.array(z.enum(SCOPES)).min(1), token: z.string().regex(/^edc_/) }),
);

const statusChangeFields = {
  id: z.string().describe('The award id'),
  action: z.enum(['revoke', 'suspend', 'reinstate']),
  changed: z.boolean().describe('false when the award already had this status'),
  status: z.strictObject({ revoked: z.boolean(), suspended: z.boolean() }),
};

export const StatusChange = named('StatusChange', 'The award status after the change (published in its list before this answer).', z.strictObject(statusChangeFields));

export const RevokeOutcome = named(
  'RevokeOutcome',
  'The award status after the revocation, and the program records that hold the badge (no longer current): revoked too when `revokeRecords` was true.',
  z.strictObject({
    ...statusChangeFields,
    affectedRecords: z.array(z.strictObject({ id: z.string(), program: z.string(), url: uri, revoked: z.boolean() })),
    revokeRecords: z.string().optional().describe('Present when records hold the badge and were not revoked: how to revoke them'),
  }),
);

export const CredentialStatusChange = named('CredentialStatusChange', 'VC-API: the credential status after the change.', z.strictObject({ credentialId: z.string(), ...statusChangeFields }));

// ---- Listings (cursor pages: src/http/pagination.ts) ----

const page = <T extends z.ZodType>(id: string, description: string, item: T) =>
  named(
    id,
    `${description} One page: \`next\` is the cursor of the following page (pass it as \`cursor\`, with the same filters), or null on the last page.`,
    z.strictObject({ items: z.array(item), next: z.string().nullable() }),
  );

export const AwardList = page(
  'AwardList',
  'Awards, newest first, without their credentials or claim secrets; `status` is what the status lists say now.',
  z.strictObject({
    id: z.string(),
    credentialId: uri,
    achievement: z.string(),
    recipient: z.union([z.strictObject({ id: z.string() }), z.strictObject({ email: z.string() })]),
    name: z.string().nullable(),
    status: z.enum(['active', 'revoked', 'suspended']),
    createdAt: dateTime,
    links: z.strictObject({ award: uri, credential: uri.nullable().describe('The public credential URL, when the credential id is one of this service') }),
  }),
);

export const TokenList = page(
  'TokenList',
  'API tokens, oldest first: never a secret or its hash.',
  z.strictObject({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    origin: z.enum(['api', 'cli', 'env', 'generated']).describe('How the token was made: POST /tokens, the CLI, EDUCRED_ADMIN_TOKEN, or generated at first start'),
    createdAt: dateTime,
    revokedAt: dateTime.nullable(),
  }),
);

export const AuditLog = page(
  'AuditLog',
  'Audit events, newest first: actors are token names, never tokens.',
  z.strictObject({
    id: z.int(),
    time: dateTime,
    actor: z.string(),
    action: z.string(),
    subject: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  }),
);

// ---- Verification ----

const Check = z.strictObject({
  check: z.string(),
  passed: z.boolean(),
  reason: z.string().describe('What was found, in a sentence'),
  code: z.string().optional().describe('Why it failed (absent when passed)'),
  details: z.unknown().optional(),
});

const TrustDecision = z.strictObject({
  trusted: z.boolean(),
  reason: z.string(),
  via: z.enum(['issuer', 'endorsement', 'registry', 'federation']).optional(),
  endorser: z.string().optional(),
  registry: z.string().optional().describe('The issuer registry or OpenID Federation source of the policy that listed the issuer'),
  federation: z
    .strictObject({ entity: z.string(), trustAnchor: z.string(), expiresAt: z.string() })
    .optional()
    .describe("With `via: federation`: the issuer's entity, the trust anchor its chain ends at, when the chain expires"),
  policy: z.string().optional(),
});

const RequestedChecks = z
  .strictObject({ checks: z.array(z.string()), verified: z.boolean() })
  .describe('Present when `options.checks` narrowed the VC-API answer: only these checks decided it (`report.verified`, trust and approvals still use every check)');

export const CredentialReport = named(
  'CredentialReport',
  `Every check of one credential (${CREDENTIAL_CHECKS.join(', ')}), with its reason, and the trust decision.`,
  z.strictObject({
    verified: z.boolean(),
    requested: RequestedChecks.optional(),
    summary: z.looseObject({ id: z.string().optional(), type: z.array(z.string()), issuer: z.looseObject({ id: z.string(), name: z.string().optional() }).optional(), subject: z.string().optional() }),
    checks: z.array(Check),
    warnings: z.array(z.string()),
    get endorsements(): z.ZodArray<typeof CredentialReport> {
      return z.array(CredentialReport);
    },
    trust: TrustDecision,
    get embedded(): z.ZodOptional<z.ZodArray<typeof CredentialReport>> {
      return z.array(CredentialReport).optional().describe('A CLR 2.0 record: the report of each credential inside it');
    },
  }),
);

const Requirement = z.strictObject({ requirement: z.string(), name: z.string().optional(), satisfied: z.boolean(), credentialId: z.string().optional(), reason: z.string() });

const CreditTally = z
  .strictObject({
    required: z.number(),
    earned: z.number(),
    entries: z.array(z.strictObject({ credentialId: z.string().optional(), achievement: z.string().optional(), points: z.number(), counted: z.boolean(), reason: z.string() })),
  })
  .describe('A rule with `credits`: every presented credential with the points it brought, or why it brought none');

export const ApprovalDecision = named(
  'ApprovalDecision',
  'The decision of an approval rule of this verifier\'s trust policy: each requirement, and the ones not met.',
  z.strictObject({ rule: z.string(), name: z.string().optional(), approved: z.boolean(), recipient: z.string().optional(), requirements: z.array(Requirement), missing: z.array(Requirement), credits: CreditTally.optional() }),
);

const ProblemDetail = z.strictObject({ type: z.string(), title: z.string(), detail: z.string(), code: z.string().optional() });

const vcApiFields = {
  verified: z.boolean(),
  checks: z.array(z.string()).describe('The checks that passed'),
  warnings: z.array(ProblemDetail),
  errors: z.array(ProblemDetail).describe('The checks that failed and decided (empty when verified)'),
};

/** A "not verified" answer is problem+json with these same members (verificationAnswer in src/http/verify.ts). */
const notVerifiedFields = {
  type: z.literal('urn:educred:problem:not-verified'),
  title: z.string(),
  status: z.literal(400),
  detail: z.string(),
  instance: z.string().optional(),
};

export const CredentialVerification = named(
  'CredentialVerification',
  'VC-API VerificationResult (`verified`, `checks`, `warnings`, `errors`) with the full `report`, and `approval` when `options.rule` was given.',
  z.strictObject({ ...vcApiFields, report: CredentialReport, approval: ApprovalDecision.optional() }),
);

export const CredentialNotVerified = named(
  'CredentialNotVerified',
  'Not verified: problem+json carrying the same VC-API members, so both kinds of client read it.',
  z.strictObject({ ...notVerifiedFields, ...vcApiFields, report: CredentialReport, approval: ApprovalDecision.optional() }),
);

const PresentationReport = z.strictObject({
  verified: z.boolean(),
  requested: RequestedChecks.optional(),
  holder: z.string().optional(),
  checks: z.array(Check).describe(`Presentation checks: ${PRESENTATION_CHECKS.join(', ')}`),
  warnings: z.array(z.string()),
  credentials: z.array(CredentialReport),
  approval: ApprovalDecision.optional(),
});

export const PresentationVerification = named(
  'PresentationVerification',
  'VC-API VerificationResult of a presentation, with the report of the presentation and of each credential in it, and `approval` when `options.rule` was given.',
  z.strictObject({ ...vcApiFields, report: PresentationReport, approval: ApprovalDecision.optional() }),
);

export const PresentationNotVerified = named(
  'PresentationNotVerified',
  'Not verified: problem+json carrying the same VC-API members.',
  z.strictObject({ ...notVerifiedFields, ...vcApiFields, report: PresentationReport, approval: ApprovalDecision.optional() }),
);

// ---- Claim ----

export const ExchangeAnswer = named(
  'ExchangeAnswer',
  'One step of the VC-API exchange: a `verifiablePresentationRequest` (DIDAuthentication), the badge in a `verifiablePresentation`, or (a signed presentation posted as the whole body) the bare credential.',
  z.union([
    z.strictObject({
      verifiablePresentationRequest: z.looseObject({
        query: z.array(z.looseObject({ type: z.literal('DIDAuthentication') })).min(1),
        challenge: z.string(),
        domain: z.string(),
        interact: z.looseObject({ service: z.array(z.looseObject({ type: z.string(), serviceEndpoint: uri })) }),
      }),
    }),
    z.strictObject({ verifiablePresentation: z.looseObject({ type: typeList('VerifiablePresentation'), verifiableCredential: z.array(OpenBadgeCredential).length(1) }) }),
    OpenBadgeCredential,
  ]),
);

// ---- Mastery records (issue 14: src/http/educators.ts, src/http/achievements.ts) ----

const educatorFields = {
  id: z.string(),
  name: z.string(),
  email: z.string().optional(),
  did: z.string().optional(),
  externalId: z.string().optional(),
  cohort: z.string().optional(),
  createdAt: dateTime,
};

export const Educator = named('Educator', 'An educator: a candidate or an in-service teacher.', z.strictObject(educatorFields));

export const EducatorList = page('EducatorList', 'Educators in the order they were added.', z.strictObject(educatorFields));

const ProgressItem = z.strictObject({
  achievement: z.string(),
  level: z.string().describe('A rubric level: each badged level is its own badge'),
  state: z.enum(['not-started', 'in-progress', 'mastered']),
  counted: z.int().describe('Occasions counted toward `required`'),
  required: z.int(),
  missing: z.array(z.string()).describe('What the rule still asks for, in sentences'),
  awardId: z.string().optional().describe('The badge that holds this level'),
});

export const EducatorProgress = named('EducatorProgress', 'An educator with their progress: every loaded achievement at each level its rule badges.', z.strictObject({ ...educatorFields, progress: z.array(ProgressItem) }));

export const RecordOutcome = named(
  'RecordOutcome',
  'The recorded observation or assessment, the badges it made hold (signed and stored in this request, for the educator and each teammate it is shared with), and the educator’s progress.',
  z.strictObject({
    id: z.string(),
    awarded: z.array(z.strictObject({ awardId: z.string(), educatorId: z.string(), achievement: z.string(), level: z.string(), claimUrl: uri.nullable() })),
    records: z
      .array(z.strictObject({ id: z.string(), program: z.string(), claimUrl: uri.nullable() }))
      .optional()
      .describe('Program records (CLR 2.0) issued in this request: a badge met the last requirement of a program with autoIssue'),
    progress: z.array(ProgressItem),
  }),
);

export const ObservationWithdrawn = named('ObservationWithdrawn', 'The observation no longer counts.', z.strictObject({ id: z.string(), withdrawn: z.literal(true) }));

export const FrameworkList = named(
  'FrameworkList',
  'The loaded frameworks: the built-in one, those of EDUCRED_FRAMEWORKS_DIR and those posted.',
  z.array(z.strictObject({ code: z.string(), id: uri, name: z.string(), source: z.enum(['built-in', 'educred', 'case']), competencies: z.int() })),
);

export const FrameworkImported = named(
  'FrameworkImported',
  'The framework loaded: its code and how many competencies it has (and the CASE items skipped, with why).',
  z.strictObject({ code: z.string(), competencies: z.int(), skipped: z.array(z.strictObject({ identifier: z.string(), reason: z.string() })).optional() }),
);

// ---- Programs, records and licences (issue 15) ----

export const Program = named(
  'Program',
  'A program: the achievements (and minimum levels) it requires for completion and its completion statement.',
  z.strictObject({
    code: z.string(),
    name: z.string(),
    description: z.string(),
    completion: z.string(),
    achievementType: z.string(),
    requires: z.array(z.strictObject({ achievement: z.string(), minLevel: z.string().optional() })),
    autoIssue: z.boolean(),
    builtIn: z.boolean(),
    createdAt: dateTime.optional(),
  }),
);

export const ProgramList = named('ProgramList', 'The programs: the built-in educator-preparation, then those defined here.', z.strictObject({ items: z.array(Program) }));

export const ClrCredential = named(
  'ClrCredential',
  'A signed 1EdTech CLR 2.0 `ClrCredential`: a ClrSubject holding the signed badges (`verifiableCredential`), the program Achievement and each badge\'s, and their associations.',
  z.looseObject({
    '@context': z.array(z.string()).min(3),
    id: uri,
    type: typeList('VerifiableCredential', 'ClrCredential'),
    name: z.string(),
    issuer: Profile,
    validFrom: dateTime,
    credentialSubject: z.looseObject({ type: z.array(z.string()), verifiableCredential: z.array(OpenBadgeCredential).min(1), achievement: z.array(z.record(z.string(), z.unknown())), association: z.array(z.record(z.string(), z.unknown())) }),
    proof: z.array(z.record(z.string(), z.unknown())),
  }),
);

export const RecordIssued = named('RecordIssued', 'The educator\'s program record and its one-time claim link.', z.strictObject({ id: z.string().describe('The record id (GET /records/{id})'), credential: ClrCredential, ...claimFields }));

export const LicenseIssued = named(
  'LicenseIssued',
  'The licence (an OpenBadgeCredential whose achievement is a License), its claim link, and the decision it was issued on.',
  z.strictObject({ id: z.string().describe('The licence\'s award id (status changes at /awards/{id}/...)'), credential: OpenBadgeCredential, ...claimFields, decision: ApprovalDecision }),
);

// ---- OID4VCI 1.0 (src/oid4vci/) ----
export const CredentialIssuerMetadataDoc = named(
  'CredentialIssuerMetadata',
  'OID4VCI 1.0 §12.2.4 credential issuer metadata: the endpoints and the two configurations `OpenBadgeCredential_ldp_vc` and `OpenBadgeCredential_jwt_vc_json`.',
  z.looseObject({ credential_issuer: z.string(), credential_endpoint: z.string(), nonce_endpoint: z.string(), credential_configurations_supported: z.record(z.string(), z.looseObject({ format: z.string() })) }),
);
export const AuthorizationServerMetadataDoc = named(
  'AuthorizationServerMetadata',
  'RFC 8414 authorization server metadata: this service is its own authorization server for the pre-authorized code grant.',
  z.looseObject({ issuer: z.string(), token_endpoint: z.string(), grant_types_supported: z.array(z.string()) }),
);
export const CredentialOfferDoc = named(
  'CredentialOffer',
  'OID4VCI 1.0 §4.1.1 credential offer (the `credential_offer_uri` target): both configurations and the pre-authorized code grant, with `tx_code` when one is required.',
  z.looseObject({ credential_issuer: z.string(), credential_configuration_ids: z.array(z.string()), grants: z.record(z.string(), z.looseObject({})) }),
);
export const AccessTokenResponseDoc = named(
  'AccessTokenResponse',
  'RFC 6749 §5.1 / OID4VCI 1.0 §6.2 token response.',
  z.looseObject({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.number() }),
);
export const NonceResponseDoc = named('NonceResponse', 'OID4VCI 1.0 §7.2 nonce response.', z.looseObject({ c_nonce: z.string() }));
export const CredentialResponseDoc = named(
  'CredentialResponse',
  'OID4VCI 1.0 §8.3 credential response: one credential, a Data Integrity badge (ldp_vc) or a compact JWT (jwt_vc_json).',
  z.looseObject({ credentials: z.array(z.looseObject({ credential: z.union([z.string(), z.record(z.string(), z.unknown())]) })) }),
);
export const OauthErrorDoc = named('OauthError', 'RFC 6749 §5.2 / OID4VCI 1.0 §8.3.1.2 error response.', z.looseObject({ error: z.string(), error_description: z.string().optional() }));

// ---- Presentation requests and decision records (issue 17) ----

export const PresentationRequestCreated = named(
  'PresentationRequestCreated',
  'A presentation request: the challenge and domain the holder signs, when it expires, and the ways to answer it. `pageUrl` carries the officer page\'s key: shown once.',
  z.strictObject({ id: z.string(), challenge: z.string(), domain: z.string(), expiresAt: dateTime, exchangeUrl: uri, interactUrl: uri, openid4vpUrl: z.string().describe('openid4vp:// request by reference'), pageUrl: uri }),
);

const decisionFields = {
  id: z.string(),
  approved: z.boolean(),
  verified: z.boolean(),
  holder: z.string().nullable(),
  name: z.string().nullable().describe("The educator's name, as the presented credentials state it"),
  rule: z.string(),
  protocol: z.enum(['vc-api', 'openid4vp']),
  requirements: z.array(Requirement),
  credits: CreditTally.optional(),
  decidedAt: dateTime,
};

export const Decision = named('Decision', 'A decision: approved or not, for whom, each requirement in words.', z.strictObject(decisionFields));

export const PresentationRequestStatus = named(
  'PresentationRequestStatus',
  'A presentation request: `pending`, `answered` (with its decision) or `expired`.',
  z.strictObject({ id: z.string(), state: z.enum(['pending', 'answered', 'expired']), rule: z.string(), expiresAt: dateTime, decision: Decision.optional() }),
);

export const PageState = named('PageState', "The request's state, for the officer page's polling.", z.strictObject({ state: z.enum(['pending', 'answered', 'expired']) }));

export const InteractionProtocols = named('InteractionProtocols', 'VCALM interaction URL: the protocols this request is answered with.', z.strictObject({ protocols: z.strictObject({ vcapi: uri, OID4VP: z.string() }) }));

export const ExchangeStep = named(
  'ExchangeStep',
  'The VC-API exchange: to `{}` the Verifiable Presentation Request (QueryByExample, DIDAuthentication, challenge, domain); to a presentation, the result.',
  z.union([
    z.strictObject({ verifiablePresentationRequest: z.looseObject({ query: z.array(z.looseObject({ type: z.string() })), challenge: z.string(), domain: z.string() }) }),
    z.strictObject({ verified: z.boolean(), approved: z.boolean(), decision: Decision }),
  ]),
);

export const Openid4vpAnswer = named('Openid4vpAnswer', 'OID4VP direct_post answer (§8.2): the outcome in a word; no redirect.', z.strictObject({ decision: z.enum(['approved', 'not approved']) }));

export const DecisionList = page('DecisionList', 'Decision records in the order they were made.', z.strictObject({ ...decisionFields, requestId: z.string() }));

export const DecisionRecord = named(
  'DecisionRecord',
  'A decision record: the decision, what was asked (the request as sent), what was presented, and the full verification report.',
  z.strictObject({ ...decisionFields, requestId: z.string(), asked: z.unknown(), presented: z.unknown(), report: z.looseObject({}) }),
);

export const RegistryEntry = named(
  'RegistryEntry',
  "This issuer's entry in the Digital Credentials Consortium issuer-registry format, to copy into a registry.",
  z.strictObject({ meta: z.strictObject({ created: dateTime }), registry: z.record(z.string(), z.strictObject({ name: z.string(), url: z.string() })) }),
);
