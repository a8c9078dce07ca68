// Versioned schema migrations, one history for both engines: each version has its SQLite and
// its PostgreSQL form (src/store/migrate.ts applies them under a lock). Append only: a released
// migration is never edited, a change is a new migration. The PostgreSQL forms leave out the
// backfills of versions 5 and 6: PostgreSQL support arrived at version 9, so a PostgreSQL
// database is always created from empty by the whole history at once.
import type BetterSqlite3 from 'better-sqlite3';
import { POSTGRES_MIGRATIONS } from './migrationsPostgres.js';

export interface Migration {
  version: number;
  name: string;
  /** SQL run by SQLite's exec, or a step that needs code (a backfill). */
  sqlite: string | ((db: BetterSqlite3.Database) => void);
  /** SQL run by PostgreSQL as one simple query (several statements). */
  postgres: string;
}

interface SqliteMigration {
  version: number;
  name: string;
  sql: string | ((db: BetterSqlite3.Database) => void);
}

const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
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
  {
    version: 3,
    name: 'award batches',
    // A bulk award job (POST /awards/batch, `educred issue --csv`) and one row per input line.
    // Rows are stored when the batch is accepted, so a restart resumes the pending ones; a row's
    // award is written in the award's own transaction, together with the row's new state.
    sql: `
      CREATE TABLE award_batches (
        id TEXT PRIMARY KEY,
        actor TEXT NOT NULL,
        source TEXT NOT NULL,
        input_hash TEXT NOT NULL,
        total INTEGER NOT NULL,
        state TEXT NOT NULL,
        runs INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT
      ) STRICT;
      CREATE INDEX award_batches_by_state ON award_batches (state);

      CREATE TABLE award_batch_rows (
        batch_id TEXT NOT NULL REFERENCES award_batches (id),
        line INTEGER NOT NULL,
        state TEXT NOT NULL,
        request_json TEXT,
        idempotency_key TEXT,
        award_id TEXT,
        duplicate_of INTEGER,
        errors_json TEXT,
        PRIMARY KEY (batch_id, line)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX award_batch_rows_by_state ON award_batch_rows (batch_id, state);
    `,
  },
  {
    version: 4,
    name: 'status lists',
    // Bitstring Status Lists (src/status/): one row per list with its bits, a version bumped by
    // every change and the last signed credential; one row per allocated index. The primary key
    // (list_id, list_index) guarantees an index is never handed out twice; an award holds one index per
    // purpose. A rowid table on purpose: allocators in other processes catch up by rowid.
    sql: `
      CREATE TABLE status_lists (
        id TEXT PRIMARY KEY,
        issuer TEXT NOT NULL,
        purpose TEXT NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
        size INTEGER NOT NULL CHECK (size > 0 AND size % 8 = 0),
        bits BLOB NOT NULL,
        version INTEGER NOT NULL,
        signed_json TEXT,
        signed_version INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX status_lists_by_issuer ON status_lists (issuer, purpose, created_at);

      CREATE TABLE status_entries (
        list_id TEXT NOT NULL REFERENCES status_lists (id),
        list_index INTEGER NOT NULL CHECK (list_index >= 0),
        award_id TEXT NOT NULL REFERENCES awards (id),
        purpose TEXT NOT NULL,
        PRIMARY KEY (list_id, list_index),
        UNIQUE (award_id, purpose)
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'one active badge per recipient, achievement and level',
    // One badge per recipient, achievement and achieved level is a rule of the domain
    // (src/awards/issueAward.ts); the partial unique index holds it for every writer, so two
    // racing requests (or the CLI beside the server) cannot both issue. recipient_key: the DID as
    // given, or the email trimmed and lower-cased. revoked_at mirrors the revocation bit, set in
    // the revocation's transaction (src/status/statusChanges.ts): a revoked award leaves the index,
    // so a re-award is possible. Backfill: the level from the stored credential's
    // result[0].achievedLevel (`…#level-<level>`); revocation from the status list bits (index 0 is
    // the most significant bit of the first byte, Bitstring Status List §2.1), dated by its audit
    // row. Awards issued twice before this rule stay valid (their holders keep them) but are
    // marked legacy_duplicate_of the earliest, which alone holds the index.
    sql: `
      ALTER TABLE awards ADD COLUMN recipient_key TEXT;
      ALTER TABLE awards ADD COLUMN achieved_level TEXT;
      ALTER TABLE awards ADD COLUMN revoked_at TEXT;
      ALTER TABLE awards ADD COLUMN legacy_duplicate_of TEXT REFERENCES awards (id);

      UPDATE awards SET recipient_key = coalesce(recipient_did, lower(trim(recipient_email)));
      UPDATE awards SET achieved_level = (
          SELECT substr(level_id, instr(level_id, '#level-') + 7)
          FROM (SELECT json_extract(awards.credential_json, '$.credentialSubject.result[0].achievedLevel') AS level_id)
          WHERE level_id LIKE '%#level-%'
        )
        WHERE achievement_code <> 'vc-api:credential' AND json_valid(credential_json);
      UPDATE awards SET achieved_level = NULL
        WHERE achieved_level NOT IN ('beginning', 'developing', 'proficient', 'exemplary');
      UPDATE awards SET revoked_at = coalesce(
          (SELECT min(a.at) FROM audit_events a WHERE a.action = 'award.revoked' AND a.subject = awards.id),
          strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        WHERE EXISTS (
          SELECT 1 FROM status_entries e JOIN status_lists l ON l.id = e.list_id
          WHERE e.award_id = awards.id AND e.purpose = 'revocation'
            AND (((instr('0123456789ABCDEF', substr(hex(substr(l.bits, e.list_index / 8 + 1, 1)), 1, 1)) - 1) * 16
                + instr('0123456789ABCDEF', substr(hex(substr(l.bits, e.list_index / 8 + 1, 1)), 2, 1)) - 1)
                >> (7 - e.list_index % 8)) & 1 = 1
        );
      UPDATE awards SET legacy_duplicate_of = (
          SELECT f.id FROM awards f
          WHERE f.recipient_key = awards.recipient_key AND f.achievement_code = awards.achievement_code
            AND f.achieved_level = awards.achieved_level AND f.revoked_at IS NULL
            AND (f.created_at, f.rowid) < (awards.created_at, awards.rowid)
          ORDER BY f.created_at, f.rowid LIMIT 1
        )
        WHERE achieved_level IS NOT NULL AND revoked_at IS NULL;

      CREATE UNIQUE INDEX awards_one_active_badge ON awards (recipient_key, achievement_code, achieved_level)
        WHERE revoked_at IS NULL AND legacy_duplicate_of IS NULL;
      CREATE INDEX awards_by_recipient ON awards (recipient_key, achievement_code);
    `,
  },
  {
    version: 6,
    name: 'token origin, listing indexes',
    // Where a token came from, so that a changed EDUCRED_ADMIN_TOKEN replaces exactly the token
    // the environment gave (and no token someone named alike); indexes for GET /awards filters.
    sql: `
      ALTER TABLE api_tokens ADD COLUMN origin TEXT NOT NULL DEFAULT 'api' CHECK (origin IN ('api', 'cli', 'env', 'generated'));
      UPDATE api_tokens SET origin = 'env' WHERE name = 'admin (EDUCRED_ADMIN_TOKEN)';
      UPDATE api_tokens SET origin = 'generated' WHERE name = 'admin (generated at first start)';
      CREATE INDEX awards_by_recipient_did ON awards (recipient_did);
      CREATE INDEX awards_by_recipient_email ON awards (recipient_email);
    `,
  },
  {
    version: 7,
    name: 'claim link ids',
    // A link's token is HMAC-SHA256(claim secret, link_id) (src/claims/claimSecret.ts), so the
    // service can rebuild a live link's URL while the table still keeps only the token's hash.
    // Links made before this migration have no link_id: they stay valid until spent or expired.
    sql: `
      ALTER TABLE claim_links ADD COLUMN link_id TEXT;
      CREATE UNIQUE INDEX claim_links_by_link_id ON claim_links (link_id) WHERE link_id IS NOT NULL;
    `,
  },
  {
    version: 8,
    name: 'mail outbox',
    // Claim emails waiting to be sent (src/mail/): written in the award's transaction, sent after
    // commit by the delivery loop, retried with backoff. A row names the award, never the claim
    // link: the link is composed when the message is sent, so no claim secret is stored here.
    // One claim email per award (UNIQUE): asking again for an award already queued adds nothing.
    // `notify` on a batch makes its rows queue one (POST /awards/batch, `educred issue --csv`).
    sql: `
      CREATE TABLE mail_outbox (
        id INTEGER PRIMARY KEY,
        award_id TEXT NOT NULL REFERENCES awards (id),
        kind TEXT NOT NULL CHECK (kind IN ('claim-link')),
        state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        message_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        sent_at TEXT,
        UNIQUE (award_id, kind)
      ) STRICT;
      CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_at);
      ALTER TABLE award_batches ADD COLUMN notify INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 9,
    name: 'several nodes: allocated status indexes, batch row leases',
    // Several nodes share one database (issue 13). `allocated` is the bitmap of the indexes any
    // node was handed (src/status/allocator.ts leases them under the list's lock), so no node
    // needs to learn what the others took; it is backfilled from the stored entries.
    // `leased_by`/`lease_until`: the node awarding a batch row, and until when (src/awards/
    // batchRunner.ts); a row whose lease ran out is taken by another node.
    sql: (db) => {
      db.exec(`
        ALTER TABLE status_lists ADD COLUMN allocated BLOB NOT NULL DEFAULT x'';
        ALTER TABLE status_lists ADD COLUMN allocated_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE award_batch_rows ADD COLUMN leased_by TEXT;
        ALTER TABLE award_batch_rows ADD COLUMN lease_until TEXT;
      `);
      const lists = db.prepare('SELECT id, size FROM status_lists').all() as Array<{ id: string; size: number }>;
      const indexes = db.prepare('SELECT list_index FROM status_entries WHERE list_id = ?').pluck();
      const store = db.prepare('UPDATE status_lists SET allocated = ?, allocated_count = ? WHERE id = ?');
      for (const list of lists) {
        const bitmap = Buffer.alloc(list.size / 8);
        let count = 0;
        for (const index of indexes.all(list.id) as number[]) {
          // Index 0 is the most significant bit of the first byte (Bitstring Status List §2.1).
          bitmap[index >> 3] = (bitmap[index >> 3] ?? 0) | (0x80 >> (index & 7));
          count++;
        }
        store.run(bitmap, count, list.id);
      }
    },
  },
  {
    version: 10,
    name: 'mastery records: educators, observations, ratings, assessments, frameworks',
    // Issue 14. An educator (candidate or in-service teacher; externalId the program's own
    // number, unique) and what is recorded for them: observations (one lesson) with one rating per
    // competency shown, assessments with the competencies they cover, each optionally shared with
    // teammates (…_shares: it counts for each of them). mastery_awards: the badges awarded from
    // recorded evidence, one per educator, achievement and level ever (a revoked one is not made
    // again by itself), with exactly the observations and assessments each counted: an
    // observation a badge that is not revoked counts cannot be withdrawn. frameworks: the
    // documents a program loaded through the API (framework JSON or a CASE package, with its
    // rules), parsed again at start.
    sql: `
      CREATE TABLE educators (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT,
        did TEXT,
        external_id TEXT UNIQUE,
        cohort TEXT,
        created_at TEXT NOT NULL,
        CHECK (email IS NOT NULL OR did IS NOT NULL)
      ) STRICT;
      CREATE INDEX educators_by_cohort ON educators (cohort);
      CREATE INDEX educators_by_email ON educators (email);

      CREATE TABLE observations (
        id TEXT PRIMARY KEY,
        educator_id TEXT NOT NULL REFERENCES educators (id),
        date TEXT NOT NULL,
        observer TEXT NOT NULL,
        setting TEXT CHECK (setting IS NULL OR setting IN ('in-person', 'online', 'blended')),
        narrative TEXT,
        url TEXT,
        recorded_at TEXT NOT NULL,
        withdrawn_at TEXT,
        withdrawn_reason TEXT
      ) STRICT;
      CREATE INDEX observations_by_educator ON observations (educator_id, date);

      CREATE TABLE ratings (
        observation_id TEXT NOT NULL REFERENCES observations (id),
        achievement TEXT NOT NULL,
        level TEXT NOT NULL,
        narrative TEXT,
        PRIMARY KEY (observation_id, achievement)
      ) STRICT;

      CREATE TABLE observation_shares (
        observation_id TEXT NOT NULL REFERENCES observations (id),
        educator_id TEXT NOT NULL REFERENCES educators (id),
        PRIMARY KEY (observation_id, educator_id)
      ) STRICT;
      CREATE INDEX observation_shares_by_educator ON observation_shares (educator_id);

      CREATE TABLE assessments (
        id TEXT PRIMARY KEY,
        educator_id TEXT NOT NULL REFERENCES educators (id),
        name TEXT NOT NULL,
        date TEXT NOT NULL,
        score REAL NOT NULL,
        max_score REAL NOT NULL,
        recorded_at TEXT NOT NULL,
        withdrawn_at TEXT,
        CHECK (max_score > 0 AND score >= 0 AND score <= max_score)
      ) STRICT;
      CREATE INDEX assessments_by_educator ON assessments (educator_id, date);

      CREATE TABLE assessment_achievements (
        assessment_id TEXT NOT NULL REFERENCES assessments (id),
        achievement TEXT NOT NULL,
        PRIMARY KEY (assessment_id, achievement)
      ) STRICT;

      CREATE TABLE assessment_shares (
        assessment_id TEXT NOT NULL REFERENCES assessments (id),
        educator_id TEXT NOT NULL REFERENCES educators (id),
        PRIMARY KEY (assessment_id, educator_id)
      ) STRICT;
      CREATE INDEX assessment_shares_by_educator ON assessment_shares (educator_id);

      CREATE TABLE mastery_awards (
        award_id TEXT PRIMARY KEY REFERENCES awards (id),
        educator_id TEXT NOT NULL REFERENCES educators (id),
        achievement TEXT NOT NULL,
        level TEXT NOT NULL,
        created_at TEXT NOT NULL,
        CONSTRAINT mastery_awards_one_per_level UNIQUE (educator_id, achievement, level)
      ) STRICT;

      CREATE TABLE mastery_award_observations (
        award_id TEXT NOT NULL REFERENCES mastery_awards (award_id),
        observation_id TEXT NOT NULL REFERENCES observations (id),
        PRIMARY KEY (award_id, observation_id)
      ) STRICT;
      CREATE INDEX mastery_award_observations_by_observation ON mastery_award_observations (observation_id);

      CREATE TABLE mastery_award_assessments (
        award_id TEXT NOT NULL REFERENCES mastery_awards (award_id),
        assessment_id TEXT NOT NULL REFERENCES assessments (id),
        PRIMARY KEY (award_id, assessment_id)
      ) STRICT;

      CREATE TABLE frameworks (
        code TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('educred', 'case')),
        document_json TEXT NOT NULL,
        rules_json TEXT,
        created_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 11,
    name: 'issuer keys: every key with where its private half lives, its state and times',
    // Issue 19. One row per issuer key (its verification method id), never the private key: a
    // key file path (relative to the data dir) or a PKCS#11 label. At most one current key per
    // DID. issuer_key_sets.version grows with every change, so a node notices a rotation made on
    // another node by reading one row.
    sql: `
      CREATE TABLE issuer_keys (
        id TEXT PRIMARY KEY,
        did TEXT NOT NULL,
        public_key_multibase TEXT NOT NULL,
        key_file TEXT,
        pkcs11_label TEXT,
        state TEXT NOT NULL CHECK (state IN ('current', 'previous', 'revoked')),
        created_at TEXT NOT NULL,
        rotated_at TEXT,
        retired_at TEXT,
        compromised_at TEXT,
        CHECK ((key_file IS NULL) <> (pkcs11_label IS NULL)),
        UNIQUE (did, public_key_multibase)
      ) STRICT;
      CREATE UNIQUE INDEX issuer_keys_one_current ON issuer_keys (did) WHERE state = 'current';

      CREATE TABLE issuer_key_sets (
        did TEXT PRIMARY KEY,
        version INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 12,
    name: 'programs, program records (CLR 2.0) and licences',
    // Issue 15. programs: what a program requires for completion (requires_json: achievement
    // codes and minimum levels) and what completion is called; the built-in program is code, not
    // a row. A record and a licence are awards (the awards row holds the signed credential, its
    // status entries, claim links and audit trail like any badge): program_records says which
    // educator and program a record is for, program_record_badges which badges it embeds (so
    // revoking one finds the records it is inside), licenses the rule and decision it was issued on.
    sql: `
      CREATE TABLE programs (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        completion TEXT NOT NULL,
        achievement_type TEXT NOT NULL,
        requires_json TEXT NOT NULL,
        auto_issue INTEGER NOT NULL CHECK (auto_issue IN (0, 1)),
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE program_records (
        award_id TEXT PRIMARY KEY REFERENCES awards (id),
        program_code TEXT NOT NULL,
        educator_id TEXT NOT NULL REFERENCES educators (id),
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX program_records_by_educator ON program_records (educator_id, program_code);

      CREATE TABLE program_record_badges (
        record_id TEXT NOT NULL REFERENCES program_records (award_id),
        award_id TEXT NOT NULL REFERENCES awards (id),
        PRIMARY KEY (record_id, award_id)
      ) STRICT;
      CREATE INDEX program_record_badges_by_award ON program_record_badges (award_id);

      CREATE TABLE licenses (
        award_id TEXT PRIMARY KEY REFERENCES awards (id),
        license_code TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        applicant_json TEXT NOT NULL,
        decision_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 13,
    name: 'oid4vci grants',
    // OID4VCI 1.0 pre-authorized code grants (src/oid4vci/): one per claim link, made when the
    // credential offer is first fetched. Only hashes are stored: the pre-authorized code and the
    // access token it is exchanged for (the code is derived from the claim secret, so the offer
    // can be fetched again; the transaction code is derived too and never stored). A code is
    // redeemed once (compare-and-set on redeemed_at) and lives no longer than its link.
    sql: `
      CREATE TABLE oid4vci_grants (
        code_hash TEXT PRIMARY KEY,
        link_token_hash TEXT NOT NULL UNIQUE REFERENCES claim_links (token_hash),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        tx_code_failures INTEGER NOT NULL DEFAULT 0,
        redeemed_at TEXT,
        access_token_hash TEXT UNIQUE,
        access_expires_at TEXT
      ) STRICT;
    `,
  },
  {
    version: 14,
    name: 'presentation requests and decision records',
    // A verifier's requests for a presentation (issue 17): the challenge and domain a wallet
    // must sign, when it expires, the hash of the officer page's key (never the key), and when
    // it was answered (a request answers once). A decision record keeps what was asked, what
    // was presented, the full report and the decision, for the agency's own records.
    sql: `
      CREATE TABLE presentation_requests (
        id TEXT PRIMARY KEY,
        rule TEXT NOT NULL,
        purpose TEXT,
        challenge TEXT NOT NULL UNIQUE,
        domain TEXT NOT NULL,
        page_key_hash TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        answered_at TEXT,
        decision_id TEXT
      ) STRICT;

      CREATE TABLE decisions (
        id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE REFERENCES presentation_requests (id),
        rule TEXT NOT NULL,
        protocol TEXT NOT NULL CHECK (protocol IN ('vc-api', 'openid4vp')),
        approved INTEGER NOT NULL CHECK (approved IN (0, 1)),
        verified INTEGER NOT NULL CHECK (verified IN (0, 1)),
        holder TEXT,
        name TEXT,
        asked_json TEXT NOT NULL,
        presented_json TEXT NOT NULL,
        report_json TEXT NOT NULL,
        decided_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX decisions_by_time ON decisions (decided_at);
    `,
  },
  {
    version: 15,
    name: 'console people, roles and sessions',
    // Issue 18. console_people: who signs in to the console (an OpenID Connect subject, or an API
    // token used to sign in), with the role an admin assigned (NULL: none, or only the identity
    // provider's claim decides). console_sessions: one row per signed-in browser; the cookie holds
    // the session id, the table only its SHA-256 hash, with the idle and absolute expiry.
    sql: `
      CREATE TABLE console_people (
        id TEXT PRIMARY KEY,
        subject TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        email TEXT,
        assigned_role TEXT CHECK (assigned_role IS NULL OR assigned_role IN ('admin', 'registrar', 'observer')),
        claimed_role TEXT,
        created_at TEXT NOT NULL,
        last_sign_in_at TEXT
      ) STRICT;

      CREATE TABLE console_sessions (
        id_hash TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES console_people (id),
        role TEXT NOT NULL CHECK (role IN ('admin', 'registrar', 'observer')),
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        ended_at TEXT
      ) STRICT;
      CREATE INDEX console_sessions_by_person ON console_sessions (person_id);
    `,
  },
  {
    version: 16,
    name: 'one claim for everything an educator holds',
    // Issue 16. claim_bundles: one claim link for every unclaimed badge (and the current program
    // record) of one recipient (awards.recipient_key), with the same secrets as claim_links (the
    // token derived from link_id and the claim secret, only its SHA-256 kept), expiry, one live
    // bundle per recipient (a newer one marks the older replaced_at), spent by its first
    // collection. claim_bundle_awards: the awards it covers, fixed when it is made.
    // claim_links.bundle_hash: a credential collected through a bundle is recorded as its award's
    // spent link (its live link spent, or a delivery row), and claim_links_one_spent keeps an
    // award collected once, whichever link wins. mail_outbox.recipient_key: one pending claim
    // email per recipient (existing pending duplicates are merged into the oldest). The grant of
    // a bundle names the bundle, so oid4vci_grants loses its reference to claim_links.
    sql: `
      ALTER TABLE claim_links ADD COLUMN bundle_hash TEXT;
      CREATE UNIQUE INDEX claim_links_one_spent ON claim_links (award_id) WHERE spent_at IS NOT NULL;
      CREATE TABLE claim_bundles (
        token_hash TEXT PRIMARY KEY,
        link_id TEXT NOT NULL UNIQUE,
        recipient_key TEXT NOT NULL,
        challenge TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        replaced_at TEXT,
        spent_at TEXT,
        spent_by TEXT
      ) STRICT;
      CREATE INDEX claim_bundles_by_recipient ON claim_bundles (recipient_key);
      CREATE TABLE claim_bundle_awards (
        bundle_hash TEXT NOT NULL REFERENCES claim_bundles (token_hash),
        award_id TEXT NOT NULL REFERENCES awards (id),
        position INTEGER NOT NULL,
        PRIMARY KEY (bundle_hash, award_id)
      ) STRICT;
      ALTER TABLE mail_outbox ADD COLUMN recipient_key TEXT;
      UPDATE mail_outbox SET recipient_key = (SELECT recipient_key FROM awards WHERE awards.id = mail_outbox.award_id);
      UPDATE mail_outbox SET state = 'cancelled', last_error = 'merged into the recipient''s one claim email (migration 16)'
        WHERE state = 'pending' AND recipient_key IS NOT NULL
          AND id > (SELECT min(m.id) FROM mail_outbox m WHERE m.state = 'pending' AND m.kind = mail_outbox.kind AND m.recipient_key = mail_outbox.recipient_key);
      CREATE UNIQUE INDEX mail_outbox_one_pending ON mail_outbox (recipient_key, kind) WHERE state = 'pending';
      CREATE TABLE oid4vci_grants_16 (
        code_hash TEXT PRIMARY KEY,
        link_token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        tx_code_failures INTEGER NOT NULL DEFAULT 0,
        redeemed_at TEXT,
        access_token_hash TEXT UNIQUE,
        access_expires_at TEXT
      ) STRICT;
      INSERT INTO oid4vci_grants_16 SELECT code_hash, link_token_hash, created_at, expires_at, tx_code_failures, redeemed_at, access_token_hash, access_expires_at FROM oid4vci_grants;
      DROP TABLE oid4vci_grants;
      ALTER TABLE oid4vci_grants_16 RENAME TO oid4vci_grants;
    `,
  },
  {
    version: 17,
    name: 'educator pages: sign-in links, sessions, share links, name privacy',
    // Issue 16 (the educator's own page). educator_sign_ins: magic links (only the SHA-256 of
    // the token), single use, with an expiry; educator_sessions: the page's sessions (the cookie
    // holds the id, the table its SHA-256); share_links: a set of an educator's awards behind a
    // public link (the token is derived from the claim secret and the row id; only its SHA-256 is
    // looked up), withdrawable, with an expiry. programs.name_privacy: how public pages show
    // recipient and observer names (JSON; NULL: the default).
    sql: `
      CREATE TABLE educator_sign_ins (
        token_hash TEXT PRIMARY KEY,
        subject TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('email', 'claim')),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
      ) STRICT;
      CREATE INDEX educator_sign_ins_by_subject ON educator_sign_ins (subject, created_at);

      CREATE TABLE educator_sessions (
        id_hash TEXT PRIMARY KEY,
        subject TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        ended_at TEXT
      ) STRICT;
      CREATE INDEX educator_sessions_by_subject ON educator_sessions (subject);

      CREATE TABLE share_links (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        subject TEXT NOT NULL,
        label TEXT,
        award_ids_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        withdrawn_at TEXT
      ) STRICT;
      CREATE INDEX share_links_by_subject ON share_links (subject, created_at);

      ALTER TABLE programs ADD COLUMN name_privacy TEXT;
    `,
  },
  {
    version: 18,
    name: 'educator and observation import jobs',
    // Issue 18. A CSV import of educators or observations runs in the background as a job:
    // import_jobs is the job, import_rows one row per educator (a CSV line) or per observation
    // (the lines of one lesson), stored as validated when the upload is accepted, so a job a
    // crash cut short is resumed. record_id is the id the row's educator or observation gets,
    // chosen when accepted: a resumed row finds what it made before instead of making it twice.
    // A pending row is leased by the node importing it, as award batch rows are.
    sql: `
      CREATE TABLE import_jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('educators', 'observations')),
        actor TEXT NOT NULL,
        file_name TEXT,
        total INTEGER NOT NULL CHECK (total >= 0),
        state TEXT NOT NULL CHECK (state IN ('running', 'done')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT
      ) STRICT;
      CREATE INDEX import_jobs_by_state ON import_jobs (state);
      CREATE INDEX import_jobs_by_time ON import_jobs (kind, created_at);

      CREATE TABLE import_rows (
        job_id TEXT NOT NULL REFERENCES import_jobs (id),
        line INTEGER NOT NULL,
        lines_json TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'created', 'existing', 'recorded', 'invalid', 'duplicate', 'refused', 'failed')),
        request_json TEXT,
        record_id TEXT,
        result_json TEXT,
        problem_json TEXT,
        leased_by TEXT,
        lease_until TEXT,
        PRIMARY KEY (job_id, line)
      ) STRICT;
      CREATE INDEX import_rows_by_state ON import_rows (job_id, state);
    `,
  },
];

export const MIGRATIONS: readonly Migration[] = SQLITE_MIGRATIONS.map((m) => {
  const postgres = POSTGRES_MIGRATIONS[m.version];
  if (postgres === undefined) throw new Error(`Migration ${m.version} has no PostgreSQL form`);
  return { version: m.version, name: m.name, sqlite: m.sql, postgres };
});
