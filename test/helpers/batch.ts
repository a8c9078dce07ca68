// Bulk-award fixtures: CSV files and JSON batches of distinct educators, and a poller for
// batches that run in the background.
import type { Hono } from 'hono';
import { ADMIN_TOKEN, masteryEvidence } from './app.js';

export const CSV_HEADER = 'recipient_email,recipient_name,achievement,observations';

/** Five observations at mastery, in the spreadsheet notation. */
export const MASTERY_OBSERVATIONS = Array.from({ length: 5 }, (_, i) => `2026-03-0${i + 1}|Dr. Maya Rivera|proficient`).join('; ');

export function csvRow(i: number, achievement = 'formative-assessment'): string {
  return `educator${i}@example.edu,Educator ${i},${achievement},${MASTERY_OBSERVATIONS}`;
}

export function csvBatch(n: number, first = 0): string {
  return [CSV_HEADER, ...Array.from({ length: n }, (_, i) => csvRow(first + i))].join('\n') + '\n';
}

export function jsonAward(i: number): Record<string, unknown> {
  return { recipient: { email: `educator${i}@example.edu`, name: `Educator ${i}` }, achievement: 'formative-assessment', evidence: masteryEvidence() };
}

type App = Pick<Hono, 'request'>;

export function postBatch(app: App, body: string, contentType: string, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request('/awards/batch', { method: 'POST', headers: { 'Content-Type': contentType, Authorization: `Bearer ${ADMIN_TOKEN}`, ...headers }, body }),
  );
}

export async function getBatch(app: App, batchId: string, query = ''): Promise<Record<string, any>> {
  const res = await app.request(`/awards/batch/${batchId}${query}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (res.status !== 200) throw new Error(`GET /awards/batch/${batchId}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, any>;
}

/** Polls until the batch is done (no timing assertion: it only waits). */
export async function waitForBatch(app: App, batchId: string): Promise<Record<string, any>> {
  for (;;) {
    const status = await getBatch(app, batchId);
    if (status.state === 'done' && !status.running) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
