// The console's screens through app.request(): the role decides what a person may do (an
// observer cannot revoke, a registrar cannot manage access), every form needs the session's CSRF
// token, an observation is amended until a badge counts it and not after, and every change is
// audited under the person's name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { cookiesOf, signInWithToken } from '../helpers/console.js';

const ORIGIN = 'http://localhost:3000';
type Jar = Record<string, string>;
const cookie = (jar: Jar): string => Object.entries(jar).filter(([, v]) => v !== '').map(([k, v]) => `${k}=${v}`).join('; ');

describe('console screens', () => {
  let t: TestInstance;
  let educatorId: string;
  let observer: Jar;
  let registrar: Jar;

  const get = (jar: Jar, path: string) => t.app.request(path, { headers: { Cookie: cookie(jar) } });
  const csrfOf = async (jar: Jar): Promise<string> => /name="csrf" value="([^"]+)"/.exec(await (await get(jar, '/console/educators')).text())?.[1] ?? '';
  const post = async (jar: Jar, path: string, fields: Record<string, string>, csrf?: string) =>
    t.app.request(path, {
      method: 'POST',
      headers: { Origin: ORIGIN, Cookie: cookie(jar), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, csrf: csrf ?? (await csrfOf(jar)) }).toString(),
    });
  const observe = (jar: Jar, date: string, level: string) => post(jar, '/console/observe', { educator: educatorId, date, setting: 'in-person', 'rating:formative-assessment': level });

  beforeAll(async () => {
    t = await createTestInstance();
    const created = await postJson(t.app, '/educators', { name: 'Ana Lopez', email: 'ana.lopez@example.edu', cohort: '2026' });
    educatorId = ((await created.json()) as { id: string }).id;
    const tokenFor = async (name: string, scopes: Array<'observe' | 'issue' | 'revoke'>) => (await t.runtime.store.tokens.create(name, scopes)).token;
    observer = (await signInWithToken(t, await tokenFor('field observer', ['observe']))).jar;
    registrar = (await signInWithToken(t, await tokenFor('registrar office', ['issue', 'revoke']))).jar;
  });
  afterAll(async () => t?.close());

  it('refuses a screen form without the session CSRF token, and with another session token', async () => {
    expect((await post(observer, '/console/observe', { educator: educatorId, date: '2026-03-01', 'rating:formative-assessment': 'proficient' }, 'forged')).status).toBe(403);
    expect((await post(observer, '/console/observe', { educator: educatorId, date: '2026-03-01', 'rating:formative-assessment': 'proficient' }, await csrfOf(registrar))).status).toBe(403);
    expect((await t.runtime.store.educators.history(educatorId)).observations).toHaveLength(0);
  });

  it('lets an observer record and amend, but not revoke, add educators or open access', async () => {
    const saved = await observe(observer, '2026-03-01', 'developing');
    expect(saved.status).toBe(303);
    const where = saved.headers.get('location') ?? '';
    expect(where).toMatch(new RegExp(`^/console/educators/${educatorId}/observations/[0-9a-f-]+\\?$`));
    const observationId = where.split('/')[5]?.split('?')[0] ?? '';
    const amended = await post(observer, `/console/educators/${educatorId}/observations/${observationId}/amend`, { educator: educatorId, date: '2026-03-01', 'rating:formative-assessment': 'proficient', narrative: 'Regrouped after exit tickets' });
    expect(amended.status).toBe(303);
    const [stored] = (await t.runtime.store.educators.history(educatorId)).observations;
    expect(stored?.ratings).toEqual([{ achievement: 'formative-assessment', level: 'proficient' }]);
    expect(stored?.observer).toBe('field observer');
    expect((await get(observer, '/console/access')).status).toBe(403);
    expect((await post(observer, '/console/educators', { name: 'Someone', email: 's@example.edu' })).status).toBe(403);
    const audit = await t.runtime.store.audit.list({ actor: 'person:field observer', limit: 10 });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['observation.recorded', 'observation.amended', 'console.signed_in']));
  });

  it('awards the badge at the fifth counted lesson, then refuses to amend what it counts', async () => {
    for (const date of ['2026-03-02', '2026-03-03', '2026-03-04']) expect((await observe(observer, date, 'proficient')).status).toBe(303);
    const fifth = await observe(observer, '2026-03-05', 'proficient');
    expect(fifth.headers.get('location')).toMatch(/awarded=[0-9a-f-]+/);
    const page = await (await get(observer, fifth.headers.get('location') ?? '')).text();
    expect(page).toContain('It awarded a badge');
    const counted = (await t.runtime.store.educators.history(educatorId)).observations.find((o) => o.date === '2026-03-02');
    const refused = await post(observer, `/console/educators/${educatorId}/observations/${counted?.id}/amend`, { educator: educatorId, date: '2026-03-02', 'rating:formative-assessment': 'developing' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('cannot be amended; revoke the badge instead');
  });

  it('revokes only for a registrar, after a confirmation, with the reason in the audit log', async () => {
    const [badge] = await t.runtime.store.educators.masteryAwards(educatorId);
    const awardId = badge?.awardId ?? '';
    expect((await post(observer, `/console/awards/${awardId}/status`, { educator: educatorId, action: 'revoke', reason: 'wrong candidate', confirm: 'yes' })).status).toBe(403);
    const confirm = await post(registrar, `/console/awards/${awardId}/status`, { educator: educatorId, action: 'revoke', reason: 'wrong candidate' });
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('Revoke this badge?');
    expect((await t.runtime.store.awards.find(awardId))?.revokedAt ?? null).toBeNull();
    const done = await post(registrar, `/console/awards/${awardId}/status`, { educator: educatorId, action: 'revoke', reason: 'wrong candidate', confirm: 'yes' });
    expect(done.status).toBe(303);
    expect((await t.runtime.store.awards.find(awardId))?.revokedAt).not.toBeNull();
    const [row] = await t.runtime.store.audit.list({ action: 'award.revoked', limit: 1 });
    expect(row).toMatchObject({ actor: 'person:registrar office', subject: awardId, detail: expect.objectContaining({ reason: 'wrong candidate' }) });
    expect((await get(registrar, '/console/access')).status).toBe(403);
    expect(cookiesOf(done)).toEqual({});
  });
});
