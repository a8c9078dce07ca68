// What the hostile-input tests share: every route the app mounts with its parameters filled in,
// a fingerprint of the stored data, and the answer contract (no 5xx; errors are problem+json).
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { Hono } from 'hono';
import { sql } from 'kysely';
import type { Store } from '../../src/store/store.js';

export interface Endpoint {
  method: string;
  /** Hono path with `:params`. */
  path: string;
}

/** Routes that answer browsers with HTML pages (their errors are pages too). */
const HTML_ROUTES = new Set(['GET /', 'GET /docs', 'GET /claim/:token', 'GET /verify']);

export function endpoints(app: Pick<Hono, 'routes'>, methods: readonly string[]): Endpoint[] {
  const seen = new Set<string>();
  const out: Endpoint[] = [];
  for (const route of app.routes) {
    const key = `${route.method} ${route.path}`;
    if (!methods.includes(route.method) || seen.has(key) || route.path.includes('*')) continue;
    seen.add(key);
    out.push({ method: route.method, path: route.path });
  }
  return out;
}

/** The console (src/http/console/) is a web application: its answers and its errors are pages. */
export const isHtmlRoute = (e: Endpoint): boolean =>
  HTML_ROUTES.has(`${e.method} ${e.path}`) || e.path === '/console' || e.path.startsWith('/console/') || isEducatorPagePath(e.path);

/** The educator's own page (issue 16) is a web application too: /me, its forms, and the claim link's way in. */
const isEducatorPagePath = (path: string): boolean => path === '/me' || path.startsWith('/me/') || path === '/claim/:token/me';

/** OID4VCI's OAuth endpoints answer errors as RFC 6749 §5.2 / OID4VCI 1.0 §8.3.1.2 require: JSON with `error`. */
const OAUTH_ERROR_PATHS = /(^|\s)\/oid4vci\//;
/** Console answers (errors included) are HTML pages for the person at the browser. */
const CONSOLE_PATHS = /(^|\s)\/(?:console|me)(\/|\s|$)|(^|\s)\/claim\/\S+\/me(\s|$)/;

/** Write routes that read no body at all (OID4VCI 1.0 §7.1: the nonce request is an empty POST). */
export const BODILESS_ROUTES = new Set(['/oid4vci/nonce']);

/** Fills each `:param` with the given value, URL-encoded. */
export function fillPath(path: string, value: string): string {
  return path.replace(/:\w+/g, () => encodeURIComponent(value));
}

/**
 * A fingerprint of everything stored: each table's rows, hashed. The audit log is left out on
 * purpose: it records refused requests, which is a requirement, not a change to stored data.
 */
export async function storedData(store: Store): Promise<string> {
  const tables = (await store.kysely.introspection.getTables()).map((t) => t.name).filter((name) => !['audit_events', 'schema_migrations'].includes(name)).sort();
  const hash = createHash('sha256');
  for (const table of tables) {
    const rows = await sql`SELECT * FROM ${sql.table(table)} ORDER BY 1`.execute(store.kysely);
    hash.update(table).update(JSON.stringify(rows.rows));
  }
  return hash.digest('hex');
}

/** No 5xx, and every error answer is application/problem+json with a matching status. */
export async function expectSafeAnswer(res: Response, context: string): Promise<void> {
  expect(res.status, `${context}: ${res.status}`).toBeLessThan(500);
  if (CONSOLE_PATHS.test(context)) {
    // A page, or problem+json where the body never reached the console (a malformed upload).
    if (res.status >= 400) expect(res.headers.get('content-type') ?? '', `${context}: error media type`).toMatch(/^(text\/html|application\/problem\+json)/);
    await res.arrayBuffer();
  } else if (res.status >= 400 && OAUTH_ERROR_PATHS.test(context)) {
    expect(res.headers.get('content-type') ?? '', `${context}: error media type`).toMatch(/^application\/json/);
    const body = (await res.json()) as { error?: unknown };
    expect(String(body.error), context).toMatch(/^[a-z_]+$/);
  } else if (res.status >= 400) {
    expect(res.headers.get('content-type') ?? '', `${context}: error media type`).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as { status?: unknown; type?: unknown };
    expect(body.status, context).toBe(res.status);
    expect(String(body.type), context).toMatch(/^urn:educred:problem:/);
  } else {
    await res.arrayBuffer();
  }
}
