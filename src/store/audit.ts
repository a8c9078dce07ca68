// The audit log: who did what to which award or list, and why. Reasons for status changes
// live here, never in the public status list.
import type { Executor } from './engine.js';

export interface AuditEvent {
  actor: string;
  action: string;
  subject?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  detail: Record<string, unknown> | null;
}

const COLUMNS = ['id', 'at', 'actor', 'action', 'subject', 'detail_json'] as const;

const fromRow = ({ detail_json, ...r }: { id: number; at: string; actor: string; action: string; subject: string | null; detail_json: string | null }): AuditRow => ({
  ...r,
  id: Number(r.id),
  detail: detail_json ? (JSON.parse(detail_json) as Record<string, unknown>) : null,
});

export class AuditRepository {
  constructor(private readonly q: Executor) {}

  async record(event: AuditEvent, at = new Date()): Promise<void> {
    await this.q
      .insertInto('audit_events')
      .values({ at: at.toISOString(), actor: event.actor, action: event.action, subject: event.subject ?? null, detail_json: event.detail ? JSON.stringify(event.detail) : null })
      .execute();
  }

  /** Several rows in one statement (the refusal audit's window of counts). */
  async recordMany(events: ReadonlyArray<{ event: AuditEvent; at: Date }>): Promise<void> {
    if (events.length === 0) return;
    await this.q
      .insertInto('audit_events')
      .values(events.map(({ event, at }) => ({ at: at.toISOString(), actor: event.actor, action: event.action, subject: event.subject ?? null, detail_json: event.detail ? JSON.stringify(event.detail) : null })))
      .execute();
  }

  async trail(subject: string): Promise<AuditRow[]> {
    const rows = await this.q.selectFrom('audit_events').select(COLUMNS).where('subject', '=', subject).orderBy('id').execute();
    return rows.map(fromRow);
  }

  /**
   * Audit rows newest first, optionally of one subject, one actor and an action (or actions
   * starting with `action` followed by a dot: `award` finds award.revoked), before the position
   * `beforeId` (a page of GET /audit and of the console's audit log).
   */
  async list(page: { subject?: string | undefined; actor?: string | undefined; action?: string | undefined; beforeId?: number | undefined; limit: number }): Promise<AuditRow[]> {
    let select = this.q.selectFrom('audit_events').select(COLUMNS).where('id', '<', page.beforeId ?? Number.MAX_SAFE_INTEGER);
    if (page.subject !== undefined) select = select.where('subject', '=', page.subject);
    if (page.actor !== undefined) select = select.where('actor', '=', page.actor);
    const action = page.action;
    if (action !== undefined) select = select.where((eb) => eb.or([eb('action', '=', action), eb('action', 'like', `${action.replace(/[\\%_]/g, '')}.%`)]));
    const rows = await select.orderBy('id', 'desc').limit(page.limit).execute();
    return rows.map(fromRow);
  }
}
