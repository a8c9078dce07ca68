// GET /ready: 200 with every check ok on a working node, 503 problem+json naming the failed
// check when the database is gone, without the driver's words (a public route).
import { afterEach, describe, expect, it } from 'vitest';
import { createTestInstance, type TestInstance } from '../helpers/app.js';

let t: TestInstance | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('GET /ready', () => {
  it('is ready when the database answers, the schema is current and the key signs', async () => {
    t = await createTestInstance();
    const res = await t.app.request('/ready');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', signingKey: 'ok' } });
  });

  it('answers 503 naming the database when it does not answer, and says no more than that', async () => {
    t = await createTestInstance();
    await t.runtime.store.close();
    const res = await t.app.request('/ready');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as { detail: string; checks: Record<string, string> };
    expect(body.checks).toMatchObject({ database: 'failing', migrations: 'failing', signingKey: 'ok' });
    expect(body.detail).toBe('the database does not answer');
  });
});
