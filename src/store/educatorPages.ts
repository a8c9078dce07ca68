// The educator's page (migration 17, issue 16): sign-in links, sessions and share links. Every
// secret is found by its SHA-256 hash, never stored itself: a copy of the database signs no one
// in and opens no share link. Redeeming a sign-in link is a compare-and-set on `used_at`, so a
// link signs in once even when two requests race.
import type { Executor } from './engine.js';
import { translateStoreError } from './errors.js';
import type { ShareLinksTable } from './schema.js';

export type SignInSource = 'email' | 'claim';

export interface SignInLinkRow {
  tokenHash: string;
  /** Whose page the link opens: a recipient key (a DID, or a normalised email). */
  subject: string;
  source: SignInSource;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export interface EducatorSessionRow {
  idHash: string;
  subject: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export interface ShareLinkRow {
  id: string;
  tokenHash: string;
  subject: string;
  label: string | null;
  awardIds: string[];
  createdAt: string;
  expiresAt: string;
  withdrawnAt: string | null;
}

/** Why a sign-in link did not sign in. */
export type RedeemOutcome = { ok: true; subject: string } | { ok: false; reason: 'unknown' | 'used' | 'expired'; at?: string | undefined };

const shareOf = (r: ShareLinksTable): ShareLinkRow => ({
  id: r.id,
  tokenHash: r.token_hash,
  subject: r.subject,
  label: r.label,
  awardIds: JSON.parse(r.award_ids_json) as string[],
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  withdrawnAt: r.withdrawn_at,
});

export class EducatorPagesRepository {
  constructor(private readonly q: Executor) {}

  async insertSignIn(row: Omit<SignInLinkRow, 'usedAt'>): Promise<void> {
    try {
      await this.q
        .insertInto('educator_sign_ins')
        .values({ token_hash: row.tokenHash, subject: row.subject, source: row.source, created_at: row.createdAt, expires_at: row.expiresAt, used_at: null })
        .execute();
    } catch (error) {
      throw translateStoreError(error);
    }
  }

  async findSignIn(tokenHash: string): Promise<SignInLinkRow | undefined> {
    const r = await this.q.selectFrom('educator_sign_ins').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r && { tokenHash: r.token_hash, subject: r.subject, source: r.source as SignInSource, createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at };
  }

  /** How many sign-in links of `source` were made for a subject since `since` (the per-address rate limit). */
  async countSignInsSince(subject: string, source: SignInSource, since: Date): Promise<number> {
    const row = await this.q
      .selectFrom('educator_sign_ins')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('subject', '=', subject)
      .where('source', '=', source)
      .where('created_at', '>=', since.toISOString())
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Spends a sign-in link once: unknown, already used or expired links are refused with why. */
  async redeemSignIn(tokenHash: string, now: Date): Promise<RedeemOutcome> {
    const at = now.toISOString();
    const result = await this.q
      .updateTable('educator_sign_ins')
      .set({ used_at: at })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    const row = await this.findSignIn(tokenHash);
    if (!row) return { ok: false, reason: 'unknown' };
    if (Number(result.numUpdatedRows) === 1) return { ok: true, subject: row.subject };
    if (row.usedAt !== null && row.usedAt !== at) return { ok: false, reason: 'used', at: row.usedAt };
    if (row.expiresAt <= at) return { ok: false, reason: 'expired', at: row.expiresAt };
    return { ok: false, reason: 'used', at: row.usedAt ?? at };
  }

  async openSession(row: Omit<EducatorSessionRow, 'lastSeenAt'>): Promise<void> {
    await this.q
      .insertInto('educator_sessions')
      .values({ id_hash: row.idHash, subject: row.subject, created_at: row.createdAt, last_seen_at: row.createdAt, expires_at: row.expiresAt, ended_at: null })
      .execute();
  }

  /** An open (not ended) session by the hash of its id; expiry is the caller's to judge. */
  async findSession(idHash: string): Promise<EducatorSessionRow | undefined> {
    const r = await this.q.selectFrom('educator_sessions').selectAll().where('id_hash', '=', idHash).where('ended_at', 'is', null).executeTakeFirst();
    return r && { idHash: r.id_hash, subject: r.subject, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at };
  }

  async touchSession(idHash: string, at: Date): Promise<void> {
    await this.q.updateTable('educator_sessions').set({ last_seen_at: at.toISOString() }).where('id_hash', '=', idHash).where('ended_at', 'is', null).execute();
  }

  async endSession(idHash: string, at: Date): Promise<void> {
    await this.q.updateTable('educator_sessions').set({ ended_at: at.toISOString() }).where('id_hash', '=', idHash).where('ended_at', 'is', null).execute();
  }

  async insertShare(row: Omit<ShareLinkRow, 'withdrawnAt'>): Promise<void> {
    try {
      await this.q
        .insertInto('share_links')
        .values({ id: row.id, token_hash: row.tokenHash, subject: row.subject, label: row.label, award_ids_json: JSON.stringify(row.awardIds), created_at: row.createdAt, expires_at: row.expiresAt, withdrawn_at: null })
        .execute();
    } catch (error) {
      throw translateStoreError(error);
    }
  }

  async findShareByTokenHash(tokenHash: string): Promise<ShareLinkRow | undefined> {
    const r = await this.q.selectFrom('share_links').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r && shareOf(r);
  }

  /** A subject's share links, newest first. */
  async sharesOf(subject: string): Promise<ShareLinkRow[]> {
    const rows = await this.q.selectFrom('share_links').selectAll().where('subject', '=', subject).orderBy('created_at', 'desc').orderBy('id').execute();
    return rows.map(shareOf);
  }

  /** Withdraws one of the subject's own share links; false when it is not theirs or already withdrawn. */
  async withdrawShare(id: string, subject: string, at: Date): Promise<boolean> {
    const result = await this.q
      .updateTable('share_links')
      .set({ withdrawn_at: at.toISOString() })
      .where('id', '=', id)
      .where('subject', '=', subject)
      .where('withdrawn_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The email of the educator (mastery record or program record) an award belongs to, normalised; undefined when none. */
  async educatorEmailOfAward(awardId: string): Promise<string | undefined> {
    const viaMastery = await this.q
      .selectFrom('mastery_awards')
      .innerJoin('educators', 'educators.id', 'mastery_awards.educator_id')
      .select('educators.email')
      .where('mastery_awards.award_id', '=', awardId)
      .executeTakeFirst();
    const viaRecord = viaMastery?.email
      ? undefined
      : await this.q
          .selectFrom('program_records')
          .innerJoin('educators', 'educators.id', 'program_records.educator_id')
          .select('educators.email')
          .where('program_records.award_id', '=', awardId)
          .executeTakeFirst();
    const email = viaMastery?.email ?? viaRecord?.email;
    return email ? email.trim().toLowerCase() : undefined;
  }
}
