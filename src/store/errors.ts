// What a refused write means, in the domain's words. Each engine says "unique constraint" its
// own way (SQLite: an error code and the columns in the message; PostgreSQL: SQLSTATE 23505 and
// the constraint's name); the repositories turn both into a UniqueConflictError naming the rule
// that refused, and nothing above the store sees an engine's error.

/** The uniqueness rules the domain relies on. */
export type UniqueRule =
  /** One award per Idempotency-Key. */
  | 'award-idempotency-key'
  /** One active badge per recipient, achievement and achieved level (migration 5). */
  | 'award-one-active-badge'
  /** One status list index, one award (PRIMARY KEY (list_id, list_index)). */
  | 'status-index'
  /** One entry per award and purpose. */
  | 'status-entry-of-award'
  | 'token-secret'
  /** One educator per externalId (migration 10). */
  | 'educator-external-id'
  /** One badge from recorded evidence per educator, achievement and level (migration 10). */
  | 'mastery-award-level'
  /** One framework per code (migration 10). */
  | 'framework-code'
  /** One program per code (migration 12). */
  | 'program-code'
  | 'other';

export class UniqueConflictError extends Error {
  readonly code = 'unique_conflict';
  constructor(
    readonly rule: UniqueRule,
    options?: { cause?: unknown },
  ) {
    super(`A uniqueness rule refused the write (${rule})`, options);
  }
}

/** SQLite names the columns ("UNIQUE constraint failed: awards.idempotency_key"). */
const SQLITE_COLUMNS: Array<[string, UniqueRule]> = [
  ['awards.idempotency_key', 'award-idempotency-key'],
  ['awards.recipient_key', 'award-one-active-badge'],
  ['status_entries.list_id', 'status-index'],
  ['status_entries.award_id', 'status-entry-of-award'],
  ['api_tokens.token_hash', 'token-secret'],
  ['educators.external_id', 'educator-external-id'],
  ['mastery_awards.educator_id', 'mastery-award-level'],
  ['frameworks.code', 'framework-code'],
  ['programs.code', 'program-code'],
];

/** PostgreSQL names the constraint (migrations name them, or PostgreSQL's defaults). */
const POSTGRES_CONSTRAINTS: Record<string, UniqueRule> = {
  awards_idempotency_key_key: 'award-idempotency-key',
  awards_one_active_badge: 'award-one-active-badge',
  status_entries_pkey: 'status-index',
  status_entries_award_id_purpose_key: 'status-entry-of-award',
  api_tokens_token_hash_key: 'token-secret',
  educators_external_id_key: 'educator-external-id',
  mastery_awards_one_per_level: 'mastery-award-level',
  frameworks_pkey: 'framework-code',
  programs_pkey: 'program-code',
};

/** The conflict an engine error reports, or undefined when it is not a uniqueness refusal. */
export function uniqueConflictOf(error: unknown): UniqueConflictError | undefined {
  if (error instanceof UniqueConflictError) return error;
  const e = error as { code?: unknown; message?: unknown; constraint?: unknown } | null;
  if (!e || typeof e !== 'object') return undefined;
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const message = String(e.message ?? '');
    const rule = SQLITE_COLUMNS.find(([column]) => message.includes(column))?.[1] ?? 'other';
    return new UniqueConflictError(rule, { cause: error });
  }
  if (e.code === '23505') {
    const rule = (typeof e.constraint === 'string' && POSTGRES_CONSTRAINTS[e.constraint]) || 'other';
    return new UniqueConflictError(rule, { cause: error });
  }
  return undefined;
}

/** Rethrows an engine's uniqueness refusal as a UniqueConflictError, anything else as it is. */
export function translateStoreError(error: unknown): unknown {
  return uniqueConflictOf(error) ?? error;
}

export function isUniqueConflict(error: unknown, rule: UniqueRule): boolean {
  return error instanceof UniqueConflictError && error.rule === rule;
}
