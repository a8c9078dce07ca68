// The decision records of a verifier: for every answered presentation request, what was asked,
// what was presented, the full verification report and the decision, and when. The agency
// reads them (GET /decisions); nothing here is secret, but it is personal: the token guards it.
import type { Selectable } from 'kysely';
import { seqOf, type Engine, type Executor } from './engine.js';
import type { DecisionsTable } from './schema.js';

export type PresentationProtocol = 'vc-api' | 'openid4vp';

export interface DecisionRecord {
  id: string;
  requestId: string;
  rule: string;
  protocol: PresentationProtocol;
  approved: boolean;
  verified: boolean;
  holder: string | null;
  /** The educator's name, as the presented credentials state it. */
  name: string | null;
  /** What the verifier asked (the request as sent to the wallet). */
  asked: unknown;
  /** What the wallet presented (the presentation, or the vp_token). */
  presented: unknown;
  /** The verification report, approval included. */
  report: unknown;
  decidedAt: string;
}

const fromRow = (r: Selectable<DecisionsTable> & { seq?: number }): DecisionRecord & { seq: number } => ({
  seq: Number(r.seq ?? 0),
  id: r.id,
  requestId: r.request_id,
  rule: r.rule,
  protocol: r.protocol as PresentationProtocol,
  approved: r.approved === 1,
  verified: r.verified === 1,
  holder: r.holder,
  name: r.name,
  asked: JSON.parse(r.asked_json) as unknown,
  presented: JSON.parse(r.presented_json) as unknown,
  report: JSON.parse(r.report_json) as unknown,
  decidedAt: r.decided_at,
});

export class DecisionsRepository {
  constructor(
    private readonly q: Executor,
    private readonly engine: Engine,
  ) {}

  async insert(record: DecisionRecord): Promise<void> {
    await this.q
      .insertInto('decisions')
      .values({
        id: record.id,
        request_id: record.requestId,
        rule: record.rule,
        protocol: record.protocol,
        approved: record.approved ? 1 : 0,
        verified: record.verified ? 1 : 0,
        holder: record.holder,
        name: record.name,
        asked_json: JSON.stringify(record.asked),
        presented_json: JSON.stringify(record.presented),
        report_json: JSON.stringify(record.report),
        decided_at: record.decidedAt,
      })
      .execute();
  }

  async find(id: string): Promise<DecisionRecord | undefined> {
    const row = await this.q.selectFrom('decisions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const { seq: _seq, ...record } = fromRow(row);
    return record;
  }

  /** Decisions in the order they were made, after the position `afterSeq` (a page of GET /decisions). */
  async list(page: { afterSeq?: number | undefined; limit: number; rule?: string | undefined }): Promise<Array<DecisionRecord & { seq: number }>> {
    const seq = seqOf(this.engine);
    let query = this.q.selectFrom('decisions').selectAll().select(seq.as('seq')).where(seq, '>', page.afterSeq ?? 0);
    if (page.rule !== undefined) query = query.where('rule', '=', page.rule);
    const rows = await query.orderBy(seq).limit(page.limit).execute();
    return rows.map(fromRow);
  }
}
