// The awards repository: one row per issued credential, with the recipient as the program
// knows it (the email stays here, the credential carries only its salted hash). An active award
// (not revoked) is unique per recipient key, achievement and achieved level (migration 5).
import { sql } from 'kysely';
import { inJsonArray, seqOf, type Engine, type Executor } from './engine.js';
import { translateStoreError } from './errors.js';
import type { AwardsTable } from './schema.js';

export interface AwardRecord {
  id: string;
  credentialId: string;
  achievementCode: string;
  recipientDid: string | null;
  recipientEmail: string | null;
  recipientName: string | null;
  emailSalt: string | null;
  credential: Record<string, unknown>;
  idempotencyKey: string | null;
  requestHash: string | null;
  createdAt: string;
  /** The recipient as the one-badge rule compares it: the DID as given, or the normalised email. */
  recipientKey?: string | null | undefined;
  /** The rubric level the credential reports (NULL for VC-API credentials). */
  achievedLevel?: string | null | undefined;
  /** When the award was revoked (mirrors its revocation bit); read only. */
  revokedAt?: string | null | undefined;
}

type AwardRow = Pick<
  AwardsTable,
  'id' | 'credential_id' | 'achievement_code' | 'recipient_did' | 'recipient_email' | 'recipient_name' | 'email_salt' | 'credential_json' | 'idempotency_key' | 'request_hash' | 'created_at' | 'recipient_key' | 'achieved_level' | 'revoked_at'
>;

const fromRow = (r: AwardRow): AwardRecord => ({
  id: r.id,
  credentialId: r.credential_id,
  achievementCode: r.achievement_code,
  recipientDid: r.recipient_did,
  recipientEmail: r.recipient_email,
  recipientName: r.recipient_name,
  emailSalt: r.email_salt,
  credential: JSON.parse(r.credential_json) as Record<string, unknown>,
  idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash,
  createdAt: r.created_at,
  recipientKey: r.recipient_key,
  achievedLevel: r.achieved_level,
  revokedAt: r.revoked_at,
});


const AWARD_COLUMNS = [
  'id', 'credential_id', 'achievement_code', 'recipient_did', 'recipient_email', 'recipient_name', 'email_salt',
  'credential_json', 'idempotency_key', 'request_hash', 'created_at', 'recipient_key', 'achieved_level', 'revoked_at',
] as const;

/** An award as a listing shows it: no credential body, no salt, no idempotency data. */
export interface AwardSummary {
  /** Position in the listing (the row's insertion order), for cursors. */
  seq: number;
  id: string;
  credentialId: string;
  achievementCode: string;
  recipientDid: string | null;
  recipientEmail: string | null;
  recipientName: string | null;
  createdAt: string;
}

export interface AwardListQuery {
  recipientDid?: string | undefined;
  recipientEmail?: string | undefined;
  achievementCode?: string | undefined;
  /** Only these award ids (a status filter). */
  onlyIds?: readonly string[] | undefined;
  /** None of these award ids (the `active` status filter). */
  exceptIds?: readonly string[] | undefined;
  /** Awards stored before this position (newest first). */
  beforeSeq?: number | undefined;
  limit: number;
}

export class AwardsRepository {
  constructor(
    private readonly q: Executor,
    private readonly engine: Engine,
  ) {}

  private select() {
    return this.q.selectFrom('awards').select(AWARD_COLUMNS);
  }

  /** Stores an award; a uniqueness refusal (idempotency key, one active badge) is a UniqueConflictError. */
  async insert(a: AwardRecord): Promise<void> {
    try {
      await this.q
        .insertInto('awards')
        .values({
          id: a.id,
          credential_id: a.credentialId,
          achievement_code: a.achievementCode,
          recipient_did: a.recipientDid,
          recipient_email: a.recipientEmail,
          recipient_name: a.recipientName,
          email_salt: a.emailSalt,
          credential_json: JSON.stringify(a.credential),
          idempotency_key: a.idempotencyKey,
          request_hash: a.requestHash,
          created_at: a.createdAt,
          recipient_key: a.recipientKey ?? null,
          achieved_level: a.achievedLevel ?? null,
          revoked_at: null,
          legacy_duplicate_of: null,
        })
        .execute();
    } catch (error) {
      throw translateStoreError(error);
    }
  }

  /**
   * The recipient's awards of an achievement that are not revoked, oldest first (awards issued
   * twice before the one-badge rule included, so the rule holds for them too).
   */
  async findActive(recipientKey: string, achievementCode: string): Promise<AwardRecord[]> {
    const rows = await this.select()
      .where('recipient_key', '=', recipientKey)
      .where('achievement_code', '=', achievementCode)
      .where('revoked_at', 'is', null)
      .orderBy('created_at')
      .orderBy(seqOf(this.engine))
      .execute();
    return rows.map(fromRow);
  }

  /**
   * The recipient's awards that are neither revoked nor collected (no spent claim link), oldest
   * first: what one claim for everything they hold can cover (src/claims/claimBundle.ts).
   */
  async unclaimedOfRecipient(recipientKey: string): Promise<AwardRecord[]> {
    const rows = await this.select()
      .where('recipient_key', '=', recipientKey)
      .where('revoked_at', 'is', null)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('claim_links as l').select('l.award_id').whereRef('l.award_id', '=', 'awards.id').where('l.spent_at', 'is not', null))),
      )
      .orderBy('created_at')
      .orderBy(seqOf(this.engine))
      .execute();
    return rows.map(fromRow);
  }

  /** Records a revocation on the award row (call inside the revocation's transaction). */
  async markRevoked(awardId: string, at: Date): Promise<void> {
    await this.q.updateTable('awards').set({ revoked_at: at.toISOString() }).where('id', '=', awardId).where('revoked_at', 'is', null).execute();
  }

  async find(id: string): Promise<AwardRecord | undefined> {
    const row = await this.select().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  async findByCredentialId(credentialId: string): Promise<AwardRecord | undefined> {
    const row = await this.select().where('credential_id', '=', credentialId).executeTakeFirst();
    return row && fromRow(row);
  }

  async findByIdempotencyKey(key: string): Promise<AwardRecord | undefined> {
    const row = await this.select().where('idempotency_key', '=', key).executeTakeFirst();
    return row && fromRow(row);
  }

  async count(): Promise<number> {
    const row = await this.q.selectFrom('awards').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Replaces an award's stored credential with a newer version of the same credential (same id,
   * new `validFrom`, per OB 3.0): a claim binding an email-only award to a wallet DID.
   */
  async replaceCredential(awardId: string, credential: Record<string, unknown>): Promise<void> {
    await this.q.updateTable('awards').set({ credential_json: JSON.stringify(credential) }).where('id', '=', awardId).execute();
  }

  /** Awards newest first, every given filter applied (they combine). */
  async listSummaries(query: AwardListQuery): Promise<AwardSummary[]> {
    const seq = seqOf(this.engine);
    let select = this.q
      .selectFrom('awards')
      .select([
        seq.as('seq'),
        'id',
        'credential_id as credentialId',
        'achievement_code as achievementCode',
        'recipient_did as recipientDid',
        'recipient_email as recipientEmail',
        'recipient_name as recipientName',
        'created_at as createdAt',
      ])
      .where(seq, '<', query.beforeSeq ?? Number.MAX_SAFE_INTEGER);
    if (query.recipientDid !== undefined) select = select.where('recipient_did', '=', query.recipientDid);
    if (query.recipientEmail !== undefined) select = select.where('recipient_email', '=', query.recipientEmail);
    if (query.achievementCode !== undefined) select = select.where('achievement_code', '=', query.achievementCode);
    if (query.onlyIds !== undefined) select = select.where(inJsonArray(this.engine, 'id', query.onlyIds));
    if (query.exceptIds !== undefined && query.exceptIds.length > 0) select = select.where(sql<boolean>`NOT ${inJsonArray(this.engine, 'id', query.exceptIds)}`);
    const rows = await select.orderBy(seq, 'desc').limit(query.limit).execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  /** Every award's id and credential, a page at a time in insertion order (`educred db check`). */
  async page(afterSeq: number, limit: number): Promise<Array<{ seq: number; id: string; credential: Record<string, unknown> }>> {
    const seq = seqOf(this.engine);
    const rows = await this.q.selectFrom('awards').select([seq.as('seq'), 'id', 'credential_json']).where(seq, '>', afterSeq).orderBy(seq).limit(limit).execute();
    return rows.map((r) => ({ seq: Number(r.seq), id: r.id, credential: JSON.parse(r.credential_json) as Record<string, unknown> }));
  }

  /**
   * Every award issued to one person, oldest first (the educator's page, issue 16). `subject` is
   * a recipient key: a DID, or a normalised email. An email also finds the awards of the
   * educators (mastery records) with that email, including those issued to their DID and their
   * program records.
   */
  async listForSubject(subject: string): Promise<AwardRecord[]> {
    const isDid = subject.startsWith('did:');
    const rows = await this.select()
      .where((eb) => {
        const direct = [eb('recipient_key', '=', subject), eb('recipient_did', '=', subject)];
        if (isDid) return eb.or(direct);
        const educators = eb.selectFrom('educators').where(sql<boolean>`lower(educators.email) = ${subject}`);
        return eb.or([
          ...direct,
          eb(sql<string>`lower(recipient_email)`, '=', subject),
          eb('id', 'in', eb.selectFrom('mastery_awards').select('mastery_awards.award_id').where('mastery_awards.educator_id', 'in', educators.select('educators.id'))),
          eb('id', 'in', eb.selectFrom('program_records').select('program_records.award_id').where('program_records.educator_id', 'in', educators.select('educators.id'))),
          eb('recipient_did', 'in', educators.select('educators.did').where('educators.did', 'is not', null)),
        ]);
      })
      .orderBy('created_at')
      .orderBy(seqOf(this.engine))
      .execute();
    return rows.map(fromRow);
  }
}
