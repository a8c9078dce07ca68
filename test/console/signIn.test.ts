// The console's sign-in with an API token (the embedded default), its session cookie, CSRF on
// every form, sign-out, and the idle and absolute expiry, through app.request().
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentSession, openSession, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../../src/console/sessions.js';
import { ADMIN_TOKEN, createTestInstance, type TestInstance } from '../helpers/app.js';
import { cookieHeader, cookiesOf, csrfIn, signInWithToken } from '../helpers/console.js';

const ORIGIN = 'http://localhost:3000';

describe('console sign-in with an API token', () => {
  let t: TestInstance;
  beforeAll(async () => {
    t = await createTestInstance();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends GET /console without a session to /console/sign-in', async () => {
    const res = await t.app.request('/console');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/sign-in');
    const screen = await t.app.request('/console/educators');
    expect(screen.status).toBe(303);
    expect(screen.headers.get('location')).toBe('/console/sign-in?next=%2Fconsole%2Feducators');
  });

  it('refuses a wrong token, and a form without its CSRF token', async () => {
    const wrong = await signInWithToken(t, 'edc_not-a-token-at-all-0000000000');
    expect(wrong.res.status).toBe(401);
    expect(await wrong.res.text()).toContain('That token is not valid');
    const form = await t.app.request('/console/sign-in');
    const res = await t.app.request('/console/sign-in', {
      method: 'POST',
      headers: { Origin: ORIGIN, Cookie: cookieHeader(cookiesOf(form)), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
    });
    expect(res.status).toBe(400);
    expect(cookiesOf(res)['educred-console']).toBeUndefined();
  });

  it('refuses a form posted from another origin', async () => {
    const form = await t.app.request('/console/sign-in');
    const res = await t.app.request('/console/sign-in', {
      method: 'POST',
      headers: { Origin: 'https://evil.example', Cookie: cookieHeader(cookiesOf(form)), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrfIn(await form.text()), token: ADMIN_TOKEN }).toString(),
    });
    expect(res.status).toBe(403);
  });

  it('signs in with the admin token: an HttpOnly, Secure, SameSite cookie whose id is stored only hashed', async () => {
    const { jar, res } = await signInWithToken(t);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/educators');
    const line = res.headers.getSetCookie().find((l) => l.startsWith('educred-console='));
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/Secure/);
    expect(line).toMatch(/SameSite=Lax/);
    const id = jar['educred-console'] as string;
    const rows = await t.runtime.store.kysely.selectFrom('console_sessions').select('id_hash').execute();
    expect(rows.map((r) => r.id_hash)).toContain(createHash('sha256').update(id).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(id);
    const page = await t.app.request('/console/educators', { headers: { Cookie: cookieHeader(jar) } });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const audit = await t.runtime.store.audit.list({ limit: 10 });
    expect(audit.find((a) => a.action === 'console.signed_in')?.actor).toBe('person:admin (EDUCRED_ADMIN_TOKEN)');
  });

  it('signs out: the session ends and its cookie no longer opens the console', async () => {
    const { jar } = await signInWithToken(t);
    const page = await (await t.app.request('/console/educators', { headers: { Cookie: cookieHeader(jar) } })).text();
    const noToken = await t.app.request('/console/sign-out', { method: 'POST', headers: { Origin: ORIGIN, Cookie: cookieHeader(jar), 'Content-Type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(noToken.status).toBe(403);
    const out = await t.app.request('/console/sign-out', {
      method: 'POST',
      headers: { Origin: ORIGIN, Cookie: cookieHeader(jar), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrfIn(page) }).toString(),
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/console/sign-in?signed-out');
    const after = await t.app.request('/console/educators', { headers: { Cookie: cookieHeader(jar) } });
    expect(after.status).toBe(303);
  });

  it('ends a session idle too long, and one past its absolute expiry however active', async () => {
    const person = await t.runtime.store.console.signedIn({ subject: 'test:expiry', name: 'Expiry Test', claimedRole: 'observer' }, new Date('2026-03-01T08:00:00Z'));
    const start = new Date('2026-03-01T08:00:00Z');
    const idle = await openSession(t.runtime.store, person, 'observer', start);
    expect(await currentSession(t.runtime.store, idle, new Date(start.getTime() + SESSION_IDLE_MS - 1000))).toBeDefined();
    expect(await currentSession(t.runtime.store, idle, new Date(start.getTime() + 2 * SESSION_IDLE_MS))).toBeUndefined();
    const busy = await openSession(t.runtime.store, person, 'observer', start);
    for (let at = start.getTime(); at < start.getTime() + SESSION_ABSOLUTE_MS; at += SESSION_IDLE_MS / 2) {
      expect(await currentSession(t.runtime.store, busy, new Date(at))).toBeDefined();
    }
    expect(await currentSession(t.runtime.store, busy, new Date(start.getTime() + SESSION_ABSOLUTE_MS))).toBeUndefined();
  });
});
