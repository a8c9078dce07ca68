// PUT /educators/:id/observations/:observationId: an observation is amended until an issued
// badge counts it (then 409, naming the badge), and the amendment awards what now holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;

describe('amending an observation', () => {
  let t: TestInstance;
  let educator: string;
  const lesson = (date: string, level: string) => ({ date, observer: 'Dr. Maya Rivera', ratings: [{ achievement: 'formative-assessment', level }] });
  const put = (path: string, body: unknown, token = ADMIN_TOKEN) =>
    t.app.request(path, { method: 'PUT', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

  beforeAll(async () => {
    t = await createTestInstance();
    educator = ((await (await postJson(t.app, '/educators', { name: 'Ana Lopez', email: 'ana@example.edu' })).json()) as Json).id;
  });
  afterAll(async () => t?.close());

  it('amends a rating, awards what now holds, and refuses once the badge counts it', async () => {
    const ids: string[] = [];
    for (const [i, level] of ['developing', 'proficient', 'proficient', 'proficient', 'proficient'].entries()) {
      const res = await postJson(t.app, `/educators/${educator}/observations`, lesson(`2026-03-0${i + 1}`, level));
      expect(res.status).toBe(201);
      const body = (await res.json()) as Json;
      expect(body.awarded).toEqual([]);
      ids.push(body.id);
    }
    const observer = (await t.runtime.store.tokens.create('observer', ['observe'])).token;
    const amended = await put(`/educators/${educator}/observations/${ids[0]}`, lesson('2026-03-01', 'proficient'), observer);
    expect(amended.status).toBe(200);
    const outcome = (await amended.json()) as Json;
    expect(outcome.awarded.map((a: Json) => [a.achievement, a.level])).toEqual([['formative-assessment', 'proficient']]);
    const refused = await put(`/educators/${educator}/observations/${ids[1]}`, lesson('2026-03-02', 'developing'));
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as Json).awardIds).toEqual([outcome.awarded[0].awardId]);
    const [row] = await t.runtime.store.audit.list({ action: 'observation.amended', limit: 1 });
    expect(row?.actor).toBe('token:observer');
  });

  it('answers 404 for an observation of another educator, and 422 for an unknown level', async () => {
    expect((await put(`/educators/${educator}/observations/no-such-observation`, lesson('2026-03-01', 'proficient'))).status).toBe(404);
    const [first] = (await t.runtime.store.educators.history(educator)).observations;
    expect((await put(`/educators/${educator}/observations/${first?.id}`, lesson('2026-03-01', 'superb'))).status).toBe(422);
  });
});
