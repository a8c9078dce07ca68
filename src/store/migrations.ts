// Versioned schema migrations, applied in order inside one transaction each. Append only:
// a released migration is never edited, a change is a new migration.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'awards, audit, tokens',
    sql: `
      CREATE TABLE awards (
        id TEXT PRIMARY KEY,
        credential_id TEXT NOT NULL UNIQUE,
        achievement_code TEXT NOT NULL,
        recipient_did TEXT,
        recipient_email TEXT,
        recipient_name TEXT,
        email_salt TEXT,
        credential_json TEXT NOT NULL,
        idempotency_key TEXT UNIQUE,
        request_hash TEXT,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX awards_by_achievement ON awards (achievement_code);

      CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT,
        detail_json TEXT
      ) STRICT;
      CREATE INDEX audit_by_subject ON audit_events (subject);

      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'claim links',
    // One row per claim link; only the SHA-256 of the token is kept, like API tokens. A new
    // link for an award marks the older unspent ones `replaced_at`; `spent_by` is the wallet
    // DID that claimed, or 'download'.
    sql: `
      CREATE TABLE claim_links (
        token_hash TEXT PRIMARY KEY,
        award_id TEXT NOT NULL REFERENCES awards (id),
        challenge TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        replaced_at TEXT,
        spent_at TEXT,
        spent_by TEXT
      ) STRICT;
      CREATE INDEX claim_links_by_award ON claim_links (award_id);
    `,
  },
];
