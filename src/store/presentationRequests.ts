// The presentation-requests repository: a verifier's open questions to a wallet (the rule,
// the challenge and domain to sign, the expiry) and whether each was answered. Only the hash of
// the officer page's key is stored. Answering is a compare-and-set, so a request answers once
// even when two wallets (or two nodes) answer at the same moment.
import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Engine, Executor } from './engine.js';
import type { PresentationRequestsTable } from './schema.js';

export interface PresentationRequestRecord {
  id: string;
  rule: string;
  purpose: string | null;
  challenge: string;
  domain: string;
  /** SHA-256 of the officer page's key (hashPageKey). */
  pageKeyHash: string;
  /** The token (by name) that made the request. */
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  answeredAt: string | null;
  decisionId: string | null;
}

export const hashPageKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

const fromRow = (r: Selectable<PresentationRequestsTable>): PresentationRequestRecord => ({
  id: r.id,
  rule: r.rule,
  purpose: r.purpose,
  challenge: r.challenge,
  domain: r.domain,
  pageKeyHash: r.page_key_hash,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  answeredAt: r.answered_at,
  decisionId: r.decision_id,
});

export class PresentationRequestsRepository {
  constructor(
    private readonly q: Executor,
    // Kept like every repository's, for engine-specific queries.
    readonly engine: Engine,
  ) {}

  async insert(record: Omit<PresentationRequestRecord, 'answeredAt' | 'decisionId'>): Promise<PresentationRequestRecord> {
    await this.q
      .insertInto('presentation_requests')
      .values({
        id: record.id,
        rule: record.rule,
        purpose: record.purpose,
        challenge: record.challenge,
        domain: record.domain,
        page_key_hash: record.pageKeyHash,
        created_by: record.createdBy,
        created_at: record.createdAt,
        expires_at: record.expiresAt,
        answered_at: null,
        decision_id: null,
      })
      .execute();
    return { ...record, answeredAt: null, decisionId: null };
  }

  async find(id: string): Promise<PresentationRequestRecord | undefined> {
    const row = await this.q.selectFrom('presentation_requests').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  /**
   * Marks a pending, unexpired request answered by a decision: false when it was answered (or
   * expired) meanwhile. Call inside the transaction that stores the decision.
   */
  async answer(id: string, decisionId: string, at: Date): Promise<boolean> {
    const result = await this.q
      .updateTable('presentation_requests')
      .set({ answered_at: at.toISOString(), decision_id: decisionId })
      .where('id', '=', id)
      .where('answered_at', 'is', null)
      .where('expires_at', '>', at.toISOString())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
