// The claim-links repository: one-time links that let an educator collect an award. Only the
// SHA-256 of a link's token is stored (with the link id the token is derived from, see
// src/claims/claimSecret.ts), so a copy of the database cannot claim anything.
import { createHash, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { ClaimBundlesTable, ClaimLinksTable } from './schema.js';
import { atomic, seqOf, type Engine, type Executor } from './engine.js';

export interface ClaimLinkRecord {
  tokenHash: string;
  /** What the token is derived from; null for links made before link ids (random tokens). */
  linkId: string | null;
  awardId: string;
  /** The DID-authentication challenge the wallet must sign (not a secret: it is in the deep link). */
  challenge: string;
  createdAt: string;
  expiresAt: string;
  replacedAt: string | null;
  spentAt: string | null;
  /** The wallet DID that claimed, or 'download'. */
  spentBy: string | null;
  /** The bundle (its token hash) the award was collected through, when it was. */
  bundleHash: string | null;
}

/** A claim link for everything one recipient holds (migration 16): the awards it covers are fixed when it is made. */
export interface ClaimBundleRecord {
  tokenHash: string;
  linkId: string;
  /** Whose awards (awards.recipient_key: the DID, or the email normalised). */
  recipientKey: string;
  challenge: string;
  createdAt: string;
  expiresAt: string;
  replacedAt: string | null;
  spentAt: string | null;
  spentBy: string | null;
  /** The awards covered, in the order they are listed and delivered. */
  awardIds: string[];
}

export interface NewClaimBundle {
  recipientKey: string;
  linkId: string;
  tokenHash: string;
  awardIds: readonly string[];
  createdAt: Date;
  expiresAt: Date;
}

const BUNDLE_COLUMNS = ['token_hash', 'link_id', 'recipient_key', 'challenge', 'created_at', 'expires_at', 'replaced_at', 'spent_at', 'spent_by'] as const;

type ClaimLinkRow = Selectable<ClaimLinksTable>;

const fromRow = (r: ClaimLinkRow): ClaimLinkRecord => ({
  tokenHash: r.token_hash,
  linkId: r.link_id,
  awardId: r.award_id,
  challenge: r.challenge,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  replacedAt: r.replaced_at,
  spentAt: r.spent_at,
  spentBy: r.spent_by,
  bundleHash: r.bundle_hash ?? null,
});

/** A new link's id (not a secret: without the claim secret it yields no token). */
export const newClaimLinkId = (): string => randomUUID();

export function hashClaimToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface NewClaimLink {
  awardId: string;
  linkId: string;
  /** SHA-256 of the token (hashClaimToken); the token itself is never stored. */
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
}

const COLUMNS = ['token_hash', 'link_id', 'award_id', 'challenge', 'created_at', 'expires_at', 'replaced_at', 'spent_at', 'spent_by', 'bundle_hash'] as const;

export class ClaimLinksRepository {
  constructor(
    private readonly q: Executor,
    private readonly engine: Engine,
  ) {}

  async find(token: string): Promise<ClaimLinkRecord | undefined> {
    const row = await this.q.selectFrom('claim_links').select(COLUMNS).where('token_hash', '=', hashClaimToken(token)).executeTakeFirst();
    return row && fromRow(row);
  }

  /** The link whose token has this hash (OID4VCI grants name their link by it). */
  async findByHash(tokenHash: string): Promise<ClaimLinkRecord | undefined> {
    const row = await this.q.selectFrom('claim_links').select(COLUMNS).where('token_hash', '=', tokenHash).executeTakeFirst();
    return row && fromRow(row);
  }

  async findSpent(awardId: string): Promise<ClaimLinkRecord | undefined> {
    const row = await this.q.selectFrom('claim_links').select(COLUMNS).where('award_id', '=', awardId).where('spent_at', 'is not', null).executeTakeFirst();
    return row && fromRow(row);
  }

  /** The award's newest link that is neither spent, replaced nor expired at `now`. */
  async findLiveOfAward(awardId: string, now: Date): Promise<ClaimLinkRecord | undefined> {
    const row = await this.q
      .selectFrom('claim_links')
      .select(COLUMNS)
      .where('award_id', '=', awardId)
      .where('spent_at', 'is', null)
      .where('replaced_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .orderBy('created_at', 'desc')
      .orderBy(seqOf(this.engine), 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /**
   * Stores a new link for an award and retires its older unspent ones, in one transaction (the
   * caller's, e.g. the award's own, or a new one): an award has at most one live link.
   */
  async insert(link: NewClaimLink): Promise<ClaimLinkRecord> {
    const record: ClaimLinkRecord = {
      tokenHash: link.tokenHash,
      linkId: link.linkId,
      awardId: link.awardId,
      challenge: randomUUID(),
      createdAt: link.createdAt.toISOString(),
      expiresAt: link.expiresAt.toISOString(),
      replacedAt: null,
      spentAt: null,
      spentBy: null,
      bundleHash: null,
    };
    await atomic(this.q, async (trx) => {
      await trx
        .updateTable('claim_links')
        .set({ replaced_at: record.createdAt })
        .where('award_id', '=', link.awardId)
        .where('spent_at', 'is', null)
        .where('replaced_at', 'is', null)
        .execute();
      await trx
        .insertInto('claim_links')
        .values({
          token_hash: record.tokenHash,
          link_id: record.linkId,
          award_id: record.awardId,
          challenge: record.challenge,
          created_at: record.createdAt,
          expires_at: record.expiresAt,
        })
        .execute();
    });
    return record;
  }

  /**
   * Marks a live link spent. The WHERE clause makes it a compare-and-set: of two concurrent
   * claims (on one node or two) only one changes the row, so a link is spent exactly once. Call
   * inside the claim's transaction; returns false when the link was no longer live.
   */
  async spend(tokenHash: string, spentBy: string, at: Date): Promise<boolean> {
    const result = await this.q
      .updateTable('claim_links')
      .set({ spent_at: at.toISOString(), spent_by: spentBy })
      .where('token_hash', '=', tokenHash)
      .where('spent_at', 'is', null)
      .where('replaced_at', 'is', null)
      .where('expires_at', '>', at.toISOString())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Stores a bundle and retires the recipient's older live one, in one transaction: a recipient
   * has at most one live bundle, as an award has at most one live link.
   */
  async insertBundle(bundle: NewClaimBundle): Promise<ClaimBundleRecord> {
    const record: ClaimBundleRecord = {
      tokenHash: bundle.tokenHash,
      linkId: bundle.linkId,
      recipientKey: bundle.recipientKey,
      challenge: randomUUID(),
      createdAt: bundle.createdAt.toISOString(),
      expiresAt: bundle.expiresAt.toISOString(),
      replacedAt: null,
      spentAt: null,
      spentBy: null,
      awardIds: [...bundle.awardIds],
    };
    await atomic(this.q, async (trx) => {
      await trx
        .updateTable('claim_bundles')
        .set({ replaced_at: record.createdAt })
        .where('recipient_key', '=', record.recipientKey)
        .where('spent_at', 'is', null)
        .where('replaced_at', 'is', null)
        .execute();
      await trx
        .insertInto('claim_bundles')
        .values({ token_hash: record.tokenHash, link_id: record.linkId, recipient_key: record.recipientKey, challenge: record.challenge, created_at: record.createdAt, expires_at: record.expiresAt })
        .execute();
      if (record.awardIds.length > 0) {
        await trx
          .insertInto('claim_bundle_awards')
          .values(record.awardIds.map((award_id, position) => ({ bundle_hash: record.tokenHash, award_id, position })))
          .execute();
      }
    });
    return record;
  }

  private async bundleOf(row: Selectable<ClaimBundlesTable> | undefined): Promise<ClaimBundleRecord | undefined> {
    if (!row) return undefined;
    const items = await this.q.selectFrom('claim_bundle_awards').select('award_id').where('bundle_hash', '=', row.token_hash).orderBy('position').execute();
    return {
      tokenHash: row.token_hash,
      linkId: row.link_id,
      recipientKey: row.recipient_key,
      challenge: row.challenge,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      replacedAt: row.replaced_at,
      spentAt: row.spent_at,
      spentBy: row.spent_by,
      awardIds: items.map((i) => i.award_id),
    };
  }

  /** The bundle a presented token names (only its hash is looked up). */
  async findBundle(token: string): Promise<ClaimBundleRecord | undefined> {
    return this.findBundleByHash(hashClaimToken(token));
  }

  async findBundleByHash(tokenHash: string): Promise<ClaimBundleRecord | undefined> {
    return this.bundleOf(await this.q.selectFrom('claim_bundles').select(BUNDLE_COLUMNS).where('token_hash', '=', tokenHash).executeTakeFirst());
  }

  /** The recipient's newest bundle that is neither spent, replaced nor expired at `now`. */
  async findLiveBundle(recipientKey: string, now: Date): Promise<ClaimBundleRecord | undefined> {
    const row = await this.q
      .selectFrom('claim_bundles')
      .select(BUNDLE_COLUMNS)
      .where('recipient_key', '=', recipientKey)
      .where('spent_at', 'is', null)
      .where('replaced_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .orderBy('created_at', 'desc')
      .orderBy(seqOf(this.engine), 'desc')
      .limit(1)
      .executeTakeFirst();
    return this.bundleOf(row);
  }

  /** Marks a live bundle spent (compare-and-set, as `spend`); false when it was no longer live. */
  async spendBundle(tokenHash: string, spentBy: string, at: Date): Promise<boolean> {
    const result = await this.q
      .updateTable('claim_bundles')
      .set({ spent_at: at.toISOString(), spent_by: spentBy })
      .where('token_hash', '=', tokenHash)
      .where('spent_at', 'is', null)
      .where('replaced_at', 'is', null)
      .where('expires_at', '>', at.toISOString())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Records that an award was collected through a bundle: its live link is spent (naming the
   * bundle), or, when it has none, a delivery row is added that no token can name (its key is
   * not a SHA-256). The unique index on spent links refuses a second collection of the award
   * (UniqueConflictError), whichever link tried first. Call inside the claim's transaction.
   */
  async spendAwardThroughBundle(awardId: string, bundleHash: string, spentBy: string, at: Date, expiresAt: string): Promise<void> {
    const result = await this.q
      .updateTable('claim_links')
      .set({ spent_at: at.toISOString(), spent_by: spentBy, bundle_hash: bundleHash })
      .where('award_id', '=', awardId)
      .where('spent_at', 'is', null)
      .where('replaced_at', 'is', null)
      .where('expires_at', '>', at.toISOString())
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) return;
    await this.q
      .insertInto('claim_links')
      .values({
        token_hash: `${bundleHash}:${awardId}`,
        link_id: null,
        award_id: awardId,
        challenge: randomUUID(),
        created_at: at.toISOString(),
        expires_at: expiresAt,
        spent_at: at.toISOString(),
        spent_by: spentBy,
        bundle_hash: bundleHash,
      })
      .execute();
  }
}
