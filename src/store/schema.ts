// The tables as the query builder sees them (Kysely's types): one interface per table, the
// columns as both engines return them. Times are ISO-8601 strings in TEXT columns on both
// engines (they sort as they compare), JSON is TEXT, bitstrings are BLOB / BYTEA (a Buffer
// either way), booleans are 0/1 integers. Insertion order (`seq`) is SQLite's rowid and a
// PostgreSQL identity column: queries name it through `seqOf` (src/store/engine.ts).
import type { Generated } from 'kysely';

export interface AwardsTable {
  id: string;
  credential_id: string;
  achievement_code: string;
  recipient_did: string | null;
  recipient_email: string | null;
  recipient_name: string | null;
  email_salt: string | null;
  credential_json: string;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: string;
  recipient_key: string | null;
  achieved_level: string | null;
  revoked_at: string | null;
  legacy_duplicate_of: string | null;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  detail_json: string | null;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  scopes: string;
  created_at: string;
  revoked_at: string | null;
  origin: Generated<string>;
}

export interface ClaimLinksTable {
  token_hash: string;
  link_id: string | null;
  award_id: string;
  challenge: string;
  created_at: string;
  expires_at: string;
  replaced_at: string | null;
  spent_at: string | null;
  spent_by: string | null;
  /** Migration 16: the bundle (claim_bundles.token_hash) this award was collected through. */
  bundle_hash: Generated<string | null>;
}

/** Migration 16 (issue 16): one claim link for everything a recipient holds. */
export interface ClaimBundlesTable {
  token_hash: string;
  link_id: string;
  recipient_key: string;
  challenge: string;
  created_at: string;
  expires_at: string;
  replaced_at: string | null;
  spent_at: string | null;
  spent_by: string | null;
}

export interface ClaimBundleAwardsTable {
  bundle_hash: string;
  award_id: string;
  position: number;
}

export interface AwardBatchesTable {
  id: string;
  actor: string;
  source: string;
  input_hash: string;
  total: number;
  state: string;
  runs: number;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  notify: Generated<number>;
}

export interface AwardBatchRowsTable {
  batch_id: string;
  line: number;
  state: string;
  request_json: string | null;
  idempotency_key: string | null;
  award_id: string | null;
  duplicate_of: number | null;
  errors_json: string | null;
  /** The node holding the row (migration 9), and until when; NULL: free. */
  leased_by: string | null;
  lease_until: string | null;
}

export interface StatusListsTable {
  id: string;
  issuer: string;
  purpose: string;
  size: number;
  bits: Buffer;
  version: number;
  signed_json: string | null;
  signed_version: number | null;
  created_at: string;
  updated_at: string;
  /** Indexes handed out to any node (migration 9): a bitmap like `bits`, and how many are set. */
  allocated: Buffer;
  allocated_count: number;
}

export interface StatusEntriesTable {
  list_id: string;
  list_index: number;
  award_id: string;
  purpose: string;
}

export interface MailOutboxTable {
  id: Generated<number>;
  award_id: string;
  kind: string;
  state: string;
  attempts: Generated<number>;
  next_attempt_at: string;
  last_error: string | null;
  message_id: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  /** Migration 16: whose claim email this is (awards.recipient_key): one pending per recipient. */
  recipient_key: Generated<string | null>;
}

/** Mastery records (migration 10, issue 14). */
export interface EducatorsTable {
  id: string;
  name: string;
  email: string | null;
  did: string | null;
  external_id: string | null;
  cohort: string | null;
  created_at: string;
}

export interface ObservationsTable {
  id: string;
  educator_id: string;
  date: string;
  observer: string;
  setting: string | null;
  narrative: string | null;
  url: string | null;
  recorded_at: string;
  withdrawn_at: string | null;
  withdrawn_reason: string | null;
}

export interface RatingsTable {
  observation_id: string;
  achievement: string;
  level: string;
  narrative: string | null;
}

export interface ObservationSharesTable {
  observation_id: string;
  educator_id: string;
}

export interface AssessmentsTable {
  id: string;
  educator_id: string;
  name: string;
  date: string;
  score: number;
  max_score: number;
  recorded_at: string;
  withdrawn_at: string | null;
}

export interface AssessmentAchievementsTable {
  assessment_id: string;
  achievement: string;
}

export interface AssessmentSharesTable {
  assessment_id: string;
  educator_id: string;
}

export interface MasteryAwardsTable {
  award_id: string;
  educator_id: string;
  achievement: string;
  level: string;
  created_at: string;
}

export interface MasteryAwardObservationsTable {
  award_id: string;
  observation_id: string;
}

export interface MasteryAwardAssessmentsTable {
  award_id: string;
  assessment_id: string;
}

export interface FrameworksTable {
  code: string;
  kind: string;
  document_json: string;
  rules_json: string | null;
  created_at: string;
}

export interface IssuerKeysTable {
  id: string;
  did: string;
  public_key_multibase: string;
  key_file: string | null;
  pkcs11_label: string | null;
  state: string;
  created_at: string;
  rotated_at: string | null;
  retired_at: string | null;
  compromised_at: string | null;
}

export interface IssuerKeySetsTable {
  did: string;
  version: number;
}

export interface ProgramsTable {
  code: string;
  name: string;
  description: string;
  completion: string;
  achievement_type: string;
  requires_json: string;
  auto_issue: number;
  created_at: string;
  /** How public pages show names (migration 17): JSON, NULL for the default. */
  name_privacy: string | null;
}

export interface ProgramRecordsTable {
  award_id: string;
  program_code: string;
  educator_id: string;
  created_at: string;
}

export interface ProgramRecordBadgesTable {
  record_id: string;
  award_id: string;
}

export interface LicensesTable {
  award_id: string;
  license_code: string;
  rule_id: string;
  applicant_json: string;
  decision_json: string;
  created_at: string;
}

export interface ConsolePeopleTable {
  id: string;
  subject: string;
  name: string;
  email: string | null;
  assigned_role: string | null;
  claimed_role: string | null;
  created_at: string;
  last_sign_in_at: string | null;
}

export interface ConsoleSessionsTable {
  id_hash: string;
  person_id: string;
  role: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ended_at: string | null;
}

export interface PresentationRequestsTable {
  id: string;
  rule: string;
  purpose: string | null;
  challenge: string;
  domain: string;
  page_key_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  answered_at: string | null;
  decision_id: string | null;
}

export interface DecisionsTable {
  id: string;
  request_id: string;
  rule: string;
  protocol: string;
  approved: number;
  verified: number;
  holder: string | null;
  name: string | null;
  asked_json: string;
  presented_json: string;
  report_json: string;
  decided_at: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface Database {
  awards: AwardsTable;
  audit_events: AuditEventsTable;
  api_tokens: ApiTokensTable;
  claim_links: ClaimLinksTable;
  claim_bundles: ClaimBundlesTable;
  claim_bundle_awards: ClaimBundleAwardsTable;
  oid4vci_grants: Oid4vciGrantsTable;
  award_batches: AwardBatchesTable;
  award_batch_rows: AwardBatchRowsTable;
  status_lists: StatusListsTable;
  status_entries: StatusEntriesTable;
  mail_outbox: MailOutboxTable;
  educators: EducatorsTable;
  observations: ObservationsTable;
  ratings: RatingsTable;
  observation_shares: ObservationSharesTable;
  assessments: AssessmentsTable;
  assessment_achievements: AssessmentAchievementsTable;
  assessment_shares: AssessmentSharesTable;
  mastery_awards: MasteryAwardsTable;
  mastery_award_observations: MasteryAwardObservationsTable;
  mastery_award_assessments: MasteryAwardAssessmentsTable;
  frameworks: FrameworksTable;
  issuer_keys: IssuerKeysTable;
  issuer_key_sets: IssuerKeySetsTable;
  programs: ProgramsTable;
  program_records: ProgramRecordsTable;
  program_record_badges: ProgramRecordBadgesTable;
  licenses: LicensesTable;
  console_people: ConsolePeopleTable;
  console_sessions: ConsoleSessionsTable;
  presentation_requests: PresentationRequestsTable;
  decisions: DecisionsTable;
  educator_sign_ins: EducatorSignInsTable;
  educator_sessions: EducatorSessionsTable;
  share_links: ShareLinksTable;
  import_jobs: ImportJobsTable;
  import_rows: ImportRowsTable;
  schema_migrations: SchemaMigrationsTable;
}

export interface Oid4vciGrantsTable {
  code_hash: string;
  link_token_hash: string;
  created_at: string;
  expires_at: string;
  tx_code_failures: Generated<number>;
  redeemed_at: string | null;
  access_token_hash: string | null;
  access_expires_at: string | null;
}

/** The educator's page (migration 17, issue 16). */
export interface EducatorSignInsTable {
  token_hash: string;
  subject: string;
  source: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface EducatorSessionsTable {
  id_hash: string;
  subject: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ended_at: string | null;
}

export interface ShareLinksTable {
  id: string;
  token_hash: string;
  subject: string;
  label: string | null;
  award_ids_json: string;
  created_at: string;
  expires_at: string;
  withdrawn_at: string | null;
}

/** An educator or observation CSV import running in the background (migration 18). */
export interface ImportJobsTable {
  id: string;
  kind: string;
  actor: string;
  file_name: string | null;
  total: number;
  state: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface ImportRowsTable {
  job_id: string;
  line: number;
  lines_json: string;
  state: string;
  request_json: string | null;
  record_id: string | null;
  result_json: string | null;
  problem_json: string | null;
  leased_by: string | null;
  lease_until: string | null;
}
