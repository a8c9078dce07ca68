// The mail outbox repository: claim emails queued in the award's transaction and sent after
// commit by the delivery loop (src/mail/delivery.ts). A row holds the award id and the delivery
// state only; the message (with its claim link) is composed when it is sent.
import { sql, type Selectable } from 'kysely';
import type { MailOutboxTable } from './schema.js';
import { atomic, type Executor } from './engine.js';

export type OutboxState = 'pending' | 'sent' | 'failed' | 'cancelled';

export interface OutboxRecord {
  id: number;
  /** The award that queued the message (the first of a burst). */
  awardId: string;
  /** Whose claim email it is (awards.recipient_key): one message covers all of their unclaimed badges. */
  recipientKey: string | null;
  kind: 'claim-link';
  state: OutboxState;
  /** Sending attempts started so far (a claimed row counts as attempted). */
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  messageId: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

type OutboxRow = Selectable<MailOutboxTable>;

const fromRow = (r: OutboxRow): OutboxRecord => ({
  id: Number(r.id),
  awardId: r.award_id,
  recipientKey: r.recipient_key,
  kind: r.kind as 'claim-link',
  state: r.state as OutboxState,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  messageId: r.message_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  sentAt: r.sent_at,
});

const COLUMNS = ['id', 'award_id', 'recipient_key', 'kind', 'state', 'attempts', 'next_attempt_at', 'last_error', 'message_id', 'created_at', 'updated_at', 'sent_at'] as const;

const emptyCounts = (): Record<OutboxState, number> => ({ pending: 0, sent: 0, failed: 0, cancelled: 0 });

export class MailOutboxRepository {
  constructor(private readonly q: Executor) {}

  /**
   * Queues the claim email of an award, due at once. Call inside the award's transaction, so the
   * message exists exactly when the award does. One message per recipient (issue 16): while one
   * is pending for the award's recipient, queueing adds nothing (the message, composed when it
   * is sent, covers every unclaimed badge of theirs); queueing the same award again (an
   * idempotent replay, a re-run batch) changes nothing either. `dueAt` holds the message (a
   * batch holds its messages until its last row, src/awards/batchRunner.ts). True when a row was added.
   */
  async queueClaimEmail(awardId: string, now = new Date(), dueAt?: Date): Promise<boolean> {
    const at = now.toISOString();
    const result = await this.q
      .insertInto('mail_outbox')
      .values((eb) => ({
        award_id: awardId,
        recipient_key: eb.selectFrom('awards').select('recipient_key').where('id', '=', awardId),
        kind: 'claim-link',
        state: 'pending',
        attempts: 0,
        next_attempt_at: (dueAt ?? now).toISOString(),
        created_at: at,
        updated_at: at,
        last_error: null,
        message_id: null,
        sent_at: null,
      }))
      // Either unique rule: (award_id, kind), or one pending message per recipient and kind.
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /**
   * Queues the award's claim email again, due at once, whatever became of the first one: after a
   * reissue, or when a program asks to send it again (POST /educators/:id/claim-email), the
   * educator gets a message with their live link. A message already pending for the recipient
   * is made due now instead (it carries the link too). Call inside the caller's transaction.
   */
  async requeueClaimEmail(awardId: string, now = new Date()): Promise<void> {
    const at = now.toISOString();
    const pending = await this.q
      .updateTable('mail_outbox')
      .set({ next_attempt_at: at, updated_at: at })
      .where('state', '=', 'pending')
      .where('kind', '=', 'claim-link')
      .where('recipient_key', '=', (eb) => eb.selectFrom('awards').select('recipient_key').where('id', '=', awardId))
      .executeTakeFirst();
    if (Number(pending.numUpdatedRows) > 0) return;
    await this.q
      .insertInto('mail_outbox')
      .values((eb) => ({
        award_id: awardId,
        recipient_key: eb.selectFrom('awards').select('recipient_key').where('id', '=', awardId),
        kind: 'claim-link',
        state: 'pending',
        attempts: 0,
        next_attempt_at: at,
        created_at: at,
        updated_at: at,
        last_error: null,
        message_id: null,
        sent_at: null,
      }))
      .onConflict((oc) => oc.columns(['award_id', 'kind']).doUpdateSet({ state: 'pending', attempts: 0, next_attempt_at: at, updated_at: at, last_error: null, message_id: null, sent_at: null }))
      .execute();
  }

  /**
   * The message that carries an award's claim link: the one it queued, or else the newest one
   * of its recipient made since the award (a burst's later badges ride on the first's message).
   */
  async findClaimEmail(awardId: string): Promise<OutboxRecord | undefined> {
    const own = await this.q.selectFrom('mail_outbox').select(COLUMNS).where('award_id', '=', awardId).where('kind', '=', 'claim-link').executeTakeFirst();
    if (own) return fromRow(own);
    const award = await this.q.selectFrom('awards').select(['recipient_key', 'created_at']).where('id', '=', awardId).executeTakeFirst();
    if (!award?.recipient_key) return undefined;
    const shared = await this.q
      .selectFrom('mail_outbox')
      .select(COLUMNS)
      .where('recipient_key', '=', award.recipient_key)
      .where('kind', '=', 'claim-link')
      // Pending: it is composed when sent, so it covers this award; otherwise one touched since.
      .where((eb) => eb.or([eb('state', '=', 'pending'), eb('updated_at', '>=', award.created_at)]))
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return shared && fromRow(shared);
  }

  /** Makes the held claim emails of a batch's recipients due now (its rows are stored); returns how many. */
  async releaseHeldOfBatch(batchId: string, now = new Date()): Promise<number> {
    const at = now.toISOString();
    const result = await this.q
      .updateTable('mail_outbox')
      .set({ next_attempt_at: at, updated_at: at })
      .where('state', '=', 'pending')
      .where('next_attempt_at', '>', at)
      .where('attempts', '=', 0)
      .where('recipient_key', 'in', (eb) =>
        eb.selectFrom('award_batch_rows as r').innerJoin('awards as a', 'a.id', 'r.award_id').select('a.recipient_key').where('r.batch_id', '=', batchId),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async find(id: number): Promise<OutboxRecord | undefined> {
    const row = await this.q.selectFrom('mail_outbox').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  /**
   * Takes up to `limit` due rows for sending: each is leased (its next attempt moved to
   * `leaseUntil`) and its attempt counted in one compare-and-set, so two processes or nodes
   * sharing the database never send one message twice, and a process that dies mid-send leaves
   * the row to be retried when the lease ends.
   */
  async leaseDue(now: Date, leaseUntil: Date, limit: number): Promise<OutboxRecord[]> {
    const at = now.toISOString();
    return atomic(this.q, async (trx) => {
      const due = await trx.selectFrom('mail_outbox').select(COLUMNS).where('state', '=', 'pending').where('next_attempt_at', '<=', at).orderBy('next_attempt_at').orderBy('id').limit(limit).execute();
      const leased: OutboxRecord[] = [];
      for (const r of due) {
        const result = await trx
          .updateTable('mail_outbox')
          .set({ attempts: sql<number>`attempts + 1`, next_attempt_at: leaseUntil.toISOString(), updated_at: at })
          .where('id', '=', r.id)
          .where('state', '=', 'pending')
          .where('next_attempt_at', '<=', at)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) leased.push(fromRow({ ...r, attempts: r.attempts + 1 }));
      }
      return leased;
    });
  }

  async markSent(id: number, messageId: string | null, now = new Date()): Promise<void> {
    const at = now.toISOString();
    await this.q.updateTable('mail_outbox').set({ state: 'sent', message_id: messageId, last_error: null, sent_at: at, updated_at: at }).where('id', '=', id).execute();
  }

  /** A failed attempt with another to come at `nextAttemptAt`. */
  async markRetry(id: number, error: string, nextAttemptAt: Date, now = new Date()): Promise<void> {
    await this.q.updateTable('mail_outbox').set({ state: 'pending', last_error: error, next_attempt_at: nextAttemptAt.toISOString(), updated_at: now.toISOString() }).where('id', '=', id).execute();
  }

  /** The last attempt failed (`failed`), or there is nothing left to send (`cancelled`, e.g. the badge was claimed). */
  async markGivenUp(id: number, state: 'failed' | 'cancelled', reason: string, now = new Date()): Promise<void> {
    await this.q.updateTable('mail_outbox').set({ state, last_error: reason, updated_at: now.toISOString() }).where('id', '=', id).execute();
  }

  /** The earliest moment a pending row is due (undefined: nothing pending). */
  async nextDueAt(): Promise<string | undefined> {
    const row = await this.q.selectFrom('mail_outbox').select((eb) => eb.fn.min('next_attempt_at').as('due')).where('state', '=', 'pending').executeTakeFirst();
    return (row?.due as string | null | undefined) ?? undefined;
  }

  async counts(): Promise<Record<OutboxState, number>> {
    const counts = emptyCounts();
    const rows = await this.q.selectFrom('mail_outbox').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
    for (const r of rows) counts[r.state as OutboxState] = Number(r.n);
    return counts;
  }

  /** The claim emails of a batch's awards by state (GET /awards/batch/:id of a notify batch). */
  async claimEmailCountsForBatch(batchId: string): Promise<Record<OutboxState, number>> {
    const counts = emptyCounts();
    const rows = await this.q
      .selectFrom('award_batch_rows as r')
      .innerJoin('mail_outbox as o', (join) => join.onRef('o.award_id', '=', 'r.award_id').on('o.kind', '=', 'claim-link'))
      .select(['o.state as state', (eb) => eb.fn.count<number>('o.id').distinct().as('n')])
      .where('r.batch_id', '=', batchId)
      .groupBy('o.state')
      .execute();
    for (const r of rows) counts[r.state as OutboxState] = Number(r.n);
    return counts;
  }

  /** Gives back a leased row that was not tried (the process is stopping): due again at once, the attempt not counted. */
  async releaseLease(id: number, now = new Date()): Promise<void> {
    const at = now.toISOString();
    await this.q
      .updateTable('mail_outbox')
      .set({ attempts: sql<number>`CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END`, next_attempt_at: at, updated_at: at })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .execute();
  }
}
