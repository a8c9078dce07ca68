// Cursor pagination of the admin listings (GET /awards, GET /audit, GET /tokens): every listing
// answers `{ items, next }`, `next` being an opaque cursor for the following page or null. A
// cursor holds a position and a fingerprint of the filters it was made for; it is decoded
// strictly, so a tampered, truncated or foreign cursor is a 400 naming `cursor`, never a 500,
// and a cursor grants nothing: the filters and the token's scope are checked on every request.
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { HttpProblem } from './problem.js';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

export interface Page<T> {
  items: T[];
  next: string | null;
}

/** A 400 naming the query parameter (RFC 9457 §3's "invalid-params" extension). */
export function invalidParam(name: string, reason: string): HttpProblem {
  return new HttpProblem(400, 'invalid-request', 'Invalid request', `Query parameter '${name}': ${reason}`, { 'invalid-params': [{ name, reason }] });
}

/** The `limit` query parameter: 1 to MAX_PAGE_LIMIT, DEFAULT_PAGE_LIMIT when absent. */
export function pageLimit(c: Context): number {
  const raw = c.req.query('limit');
  if (raw === undefined) return DEFAULT_PAGE_LIMIT;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PAGE_LIMIT) throw invalidParam('limit', `must be a whole number from 1 to ${MAX_PAGE_LIMIT}`);
  return Number(raw);
}

/** An optional single-valued query parameter, bounded in length. */
export function queryText(c: Context, name: string, maxLength = 500): string | undefined {
  const values = c.req.queries(name);
  if (values === undefined) return undefined;
  const [value] = values;
  if (values.length > 1 || value === undefined) throw invalidParam(name, 'give it once');
  if (value.length === 0 || value.length > maxLength) throw invalidParam(name, `must be 1 to ${maxLength} characters`);
  return value;
}

const fingerprint = (listing: string, filters: Record<string, string | undefined>): string =>
  createHash('sha256')
    .update(JSON.stringify([listing, Object.entries(filters).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b))]))
    .digest('base64url')
    .slice(0, 16);

export function encodeCursor(listing: string, filters: Record<string, string | undefined>, position: number): string {
  return Buffer.from(JSON.stringify({ p: position, f: fingerprint(listing, filters) }), 'utf8').toString('base64url');
}

/** The position a `cursor` query parameter names, or undefined for the first page. */
export function readCursor(c: Context, listing: string, filters: Record<string, string | undefined>): number | undefined {
  const raw = queryText(c, 'cursor', 200);
  if (raw === undefined) return undefined;
  const bad = (why: string): HttpProblem => invalidParam('cursor', `${why}; use the 'next' value of the previous page unchanged, with the same filters`);
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw bad('not a cursor of this listing');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad('not a cursor of this listing');
  }
  const { p, f } = (typeof decoded === 'object' && decoded !== null ? decoded : {}) as { p?: unknown; f?: unknown };
  if (typeof p !== 'number' || !Number.isSafeInteger(p) || p < 0 || typeof f !== 'string') throw bad('not a cursor of this listing');
  if (f !== fingerprint(listing, filters)) throw bad('made for another listing or other filters');
  return p;
}

/** Turns `limit + 1` fetched rows into a page: the extra row only says that there is a next page. */
export function toPage<R, T>(rows: R[], limit: number, position: (row: R) => number, view: (row: R) => T, cursor: (position: number) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(view), next: rows.length > limit && last !== undefined ? cursor(position(last)) : null };
}
