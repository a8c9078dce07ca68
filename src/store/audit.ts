// The audit log: who did what to which award or list, and why. Reasons for status changes
// live here, never in the public status list.
import type { Db } from './db.js';

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

export function recordAudit(db: Db, event: AuditEvent, at = new Date()): void {
  db.prepare('INSERT INTO audit_events (at, actor, action, subject, detail_json) VALUES (?, ?, ?, ?, ?)').run(
    at.toISOString(),
    event.actor,
    event.action,
    event.subject ?? null,
    event.detail ? JSON.stringify(event.detail) : null,
  );
}

export function auditTrail(db: Db, subject: string): AuditRow[] {
  const rows = db
    .prepare('SELECT id, at, actor, action, subject, detail_json FROM audit_events WHERE subject = ? ORDER BY id')
    .all(subject) as Array<Omit<AuditRow, 'detail'> & { detail_json: string | null }>;
  return rows.map(({ detail_json, ...r }) => ({ ...r, detail: detail_json ? (JSON.parse(detail_json) as Record<string, unknown>) : null }));
}

/** Audit rows newest first, optionally of one subject, before the position `beforeId` (a page of GET /audit). */
export function listAudit(db: Db, page: { subject?: string | undefined; beforeId?: number | undefined; limit: number }): AuditRow[] {
  const where = ['id < ?'];
  const params: Array<string | number> = [page.beforeId ?? Number.MAX_SAFE_INTEGER];
  if (page.subject !== undefined) {
    where.push('subject = ?');
    params.push(page.subject);
  }
  const rows = db
    .prepare(`SELECT id, at, actor, action, subject, detail_json FROM audit_events WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`)
    .all(...params, page.limit) as Array<Omit<AuditRow, 'detail'> & { detail_json: string | null }>;
  return rows.map(({ detail_json, ...r }) => ({ ...r, detail: detail_json ? (JSON.parse(detail_json) as Record<string, unknown>) : null }));
}
