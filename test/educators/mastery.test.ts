// Issue 14's acceptance through the HTTP API (app.request): a candidate is walked through six
// observations recorded one at a time by an observer token; each badge appears exactly when its
// rule holds, not before, with exactly the counted observations as evidence; competency 7 waits
// for an online session; a later run of exemplary ratings awards the deeper badge; the observer
// token cannot revoke; racing observation requests make one badge per achievement and level.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_FRAMEWORK } from '../../src/competencies/framework.js';
import { ADMIN_TOKEN, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { describePostgres, freshPostgresDatabase, queryDatabase, type FreshDatabase } from '../helpers/postgres.js';

type Json = Record<string, any>;
const CODES = BUILT_IN_FRAMEWORK.competencies.map((c) => c.code);
const C7 = 'personalized-blended-online';

let t: TestInstance;
let observerToken: string;

const asObserver = (url: string, body: unknown) => postJson(t.app, url, body, { Authorization: `Bearer ${observerToken}` });
const getJson = async (url: string, token = ADMIN_TOKEN): Promise<Json> => {
  const res = await t.app.request(url, { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Json;
};
async function newEducator(body: Json = {}): Promise<string> {
  const res = await postJson(t.app, '/educators', { name: 'Ana Lopez', email: `ana.${Math.random().toString(36).slice(2)}@example.edu`, cohort: '2026', ...body });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as Json).id as string;
}
const lesson = (date: string, level: string, more: Json = {}, codes = CODES) => ({
  date,
  observer: more.observer ?? 'Dr. Maya Rivera',
  setting: more.setting ?? 'in-person',
  ratings: codes.map((achievement) => ({ achievement, level })),
  ...more,
});
async function observe(educator: string, body: Json): Promise<Json> {
  const res = await asObserver(`/educators/${educator}/observations`, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Json;
}
const evidenceNames = (credential: Json): string[] => (credential.evidence as Json[]).map((e) => e.name as string);

beforeAll(async () => {
  t = await createTestInstance({ env: { EDUCRED_NOW: '' } });
  const res = await postJson(t.app, '/tokens', { name: 'field supervisor', scopes: ['observe'] });
  expect(res.status).toBe(201);
  observerToken = ((await res.json()) as Json).token as string;
});
afterAll(async () => t.close());

describe('a candidate through six observations, recorded one at a time by an observer', () => {
  let educator: string;
  const responses: Json[] = [];

  beforeAll(async () => {
    educator = await newEducator({ externalId: 'S-1001' });
    const dates = ['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30', '2026-04-06'];
    for (const [i, date] of dates.entries()) {
      // The sixth lesson is the candidate's fully online session.
      responses.push(await observe(educator, lesson(date, 'proficient', i === 5 ? { setting: 'online', observer: 'Sam Okafor' } : {})));
    }
  });

  it('awards nothing for the first four lessons, and says what is missing', () => {
    for (const r of responses.slice(0, 4)) expect(r.awarded).toEqual([]);
    const fa = (responses[3]!.progress as Json[]).find((p) => p.achievement === 'formative-assessment' && p.level === 'proficient');
    expect(fa).toEqual({ achievement: 'formative-assessment', level: 'proficient', state: 'in-progress', counted: 4, required: 5, missing: ["1 more observation rated 'proficient' or higher on different dates (4 of 5)"] });
  });

  it('awards competencies 1 to 6 at proficient with the fifth lesson, and competency 7 waits for the online session', () => {
    const fifth = responses[4]!.awarded as Json[];
    expect(fifth.map((a) => a.achievement).sort()).toEqual(CODES.filter((c) => c !== C7).sort());
    expect(fifth.every((a) => a.level === 'proficient' && typeof a.awardId === 'string' && String(a.claimUrl).startsWith('http://localhost:3000/claim/'))).toBe(true);
    const c7 = (responses[4]!.progress as Json[]).find((p) => p.achievement === C7 && p.level === 'proficient');
    expect(c7).toMatchObject({ state: 'in-progress', counted: 5, missing: ["1 more observation in an online session rated 'proficient' or higher"] });
    expect((responses[5]!.awarded as Json[]).map((a) => `${a.achievement}@${a.level}`)).toEqual([`${C7}@proficient`]);
  });

  it("each badge's evidence lists exactly the observations counted", async () => {
    const fa = (responses[4]!.awarded as Json[]).find((a) => a.achievement === 'formative-assessment')!;
    const award = await getJson(`/awards/${fa.awardId}`);
    expect(evidenceNames(award.credential)).toEqual(['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30'].map((d, i) => `Observation ${i + 1} (${d})`));
    expect(award.credential.credentialSubject.result[0].achievedLevel).toBe('http://localhost:3000/achievements/formative-assessment#level-proficient');
    // Competency 7: the online session and the four earliest others.
    const c7 = (responses[5]!.awarded as Json[])[0]!;
    const c7award = await getJson(`/awards/${c7.awardId}`);
    expect(evidenceNames(c7award.credential)).toEqual(['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-04-06'].map((d, i) => `Observation ${i + 1} (${d})`));
    expect((c7award.credential.evidence as Json[])[4]!.description).toBe("Observed on 2026-04-06 (online session) by Sam Okafor; rated 'proficient' on the rubric.");
  });

  it('the badges verify', async () => {
    const fa = (responses[4]!.awarded as Json[])[0]!;
    const { credential } = await getJson(`/awards/${fa.awardId}`);
    const res = await postJson(t.app, '/credentials/verify', { verifiableCredential: credential });
    expect(((await res.json()) as Json).verified).toBe(true);
  });

  it('shows progress with the badges, to the observer', async () => {
    const view = await getJson(`/educators/${educator}`, observerToken);
    expect(view).toMatchObject({ id: educator, name: 'Ana Lopez', externalId: 'S-1001', cohort: '2026' });
    const progress = view.progress as Json[];
    expect(progress).toHaveLength(14);
    expect(progress.filter((p) => p.state === 'mastered').map((p) => p.level)).toEqual(Array(7).fill('proficient'));
    expect(progress.filter((p) => p.level === 'exemplary').every((p) => p.state === 'in-progress' && p.counted === 0)).toBe(true);
    expect(progress.find((p) => p.achievement === C7 && p.level === 'proficient')?.awardId).toBe((responses[5]!.awarded as Json[])[0]!.awardId);
  });

  it('a later run of exemplary observations awards the deeper badge, and nothing twice', async () => {
    const runs: Json[] = [];
    for (const date of ['2026-04-13', '2026-04-20', '2026-04-27', '2026-05-04', '2026-05-11']) runs.push(await observe(educator, lesson(date, 'exemplary', {}, ['formative-assessment'])));
    expect(runs.slice(0, 4).every((r) => (r.awarded as Json[]).length === 0)).toBe(true);
    const [deeper] = runs[4]!.awarded as Json[];
    expect(deeper).toMatchObject({ achievement: 'formative-assessment', level: 'exemplary' });
    const award = await getJson(`/awards/${deeper!.awardId}`);
    expect(award.credential.credentialSubject.result[0].achievedLevel).toBe('http://localhost:3000/achievements/formative-assessment#level-exemplary');
    expect(evidenceNames(award.credential)).toHaveLength(5);
    const again = await observe(educator, lesson('2026-05-18', 'exemplary', {}, ['formative-assessment']));
    expect(again.awarded).toEqual([]);
  });

  it('the observer token cannot revoke, nor award, nor manage tokens (403)', async () => {
    const fa = (responses[4]!.awarded as Json[])[0]!;
    expect((await asObserver(`/awards/${fa.awardId}/revoke`, { reason: 'test' })).status).toBe(403);
    expect((await asObserver('/awards', { recipient: { id: 'did:example:x' }, achievement: 'formative-assessment', evidence: [] })).status).toBe(403);
    expect((await asObserver('/tokens', { name: 'x', scopes: ['admin'] })).status).toBe(403);
    expect((await asObserver('/educators', { name: 'X', email: 'x@example.edu' })).status).toBe(403);
  });

  it('refuses to withdraw a counted observation (409) and withdraws an uncounted one, with a reason', async () => {
    const counted = responses[0]!.id as string;
    const refused = await postJson(t.app, `/educators/${educator}/observations/${counted}/withdraw`, { reason: 'wrong candidate' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as Json).type).toBe('urn:educred:problem:observation-counted');
    const stray = await observe(educator, lesson('2026-05-19', 'developing', {}, ['aligned-instruction']));
    expect((await asObserver(`/educators/${educator}/observations/${stray.id}/withdraw`, { reason: 'x' })).status).toBe(403);
    const ok = await postJson(t.app, `/educators/${educator}/observations/${stray.id}/withdraw`, { reason: 'recorded for the wrong lesson' });
    expect(ok.status).toBe(200);
    expect((await postJson(t.app, `/educators/${educator}/observations/${stray.id}/withdraw`, { reason: 'again' })).status).toBe(409);
  });
});

describe('what recording refuses', () => {
  it('an educator without email or DID (400), a duplicate externalId (409)', async () => {
    expect((await postJson(t.app, '/educators', { name: 'No Contact' })).status).toBe(400);
    await newEducator({ externalId: 'S-2002' });
    const dup = await postJson(t.app, '/educators', { name: 'Other', email: 'other@example.edu', externalId: 'S-2002' });
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as Json).type).toBe('urn:educred:problem:educator-exists');
  });

  it('a rating of an unknown achievement or level (422, naming the field), an unknown educator (404)', async () => {
    const educator = await newEducator();
    const bad = await asObserver(`/educators/${educator}/observations`, { date: '2026-03-02', observer: 'X', ratings: [{ achievement: 'formative-assessment', level: 'stellar' }] });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as Json).errors[0].pointer).toBe('/ratings/0/level');
    expect((await asObserver('/educators/nobody/observations', lesson('2026-03-02', 'proficient'))).status).toBe(404);
  });

  it('sharing with an educator who does not exist (422)', async () => {
    const educator = await newEducator();
    expect((await asObserver(`/educators/${educator}/observations`, lesson('2026-03-02', 'proficient', { sharedWith: ['nobody'] }))).status).toBe(422);
  });
});

describe('shared attribution and assessments', () => {
  it('a team lesson counts for each teammate, and each badge names it as shared with the team', async () => {
    const [ana, ben] = [await newEducator(), await newEducator({ name: 'Ben Okafor' })];
    let last: Json = {};
    for (const date of ['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30']) last = await observe(ana, lesson(date, 'proficient', { sharedWith: [ben] }, ['formative-assessment']));
    const awarded = last.awarded as Json[];
    expect(awarded.map((a) => a.educatorId).sort()).toEqual([ana, ben].sort());
    const benBadge = await getJson(`/awards/${awarded.find((a) => a.educatorId === ben)!.awardId}`);
    expect(benBadge.recipient.name).toBe('Ben Okafor');
    expect(evidenceNames(benBadge.credential)[0]).toBe('Observation 1 (2026-03-02, shared with the team)');
  });

  it('an assessment at the minimum percentage completes a rule that asks for one', async () => {
    const res = await postJson(t.app, '/frameworks', {
      code: 'assessed-practice',
      name: 'Assessed Practice',
      rubric: [
        { code: 'developing', description: 'Partly effective.' },
        { code: 'proficient', description: 'Effective.' },
      ],
      competencies: [{ code: 'assessed-planning', name: 'Assessed Planning', description: 'Plans units.', criteria: 'Two observations and the unit exam at 80%.', masteryRule: { minObservations: 2, minLevel: 'proficient', assessment: { minPercent: 80 } } }],
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const educator = await newEducator();
    await observe(educator, lesson('2026-03-02', 'proficient', {}, ['assessed-planning']));
    const second = await observe(educator, lesson('2026-03-09', 'proficient', {}, ['assessed-planning']));
    expect(second.awarded).toEqual([]);
    const low = await asObserver(`/educators/${educator}/assessments`, { date: '2026-03-10', name: 'Unit exam', achievements: ['assessed-planning'], score: 39, maxScore: 50 });
    expect(((await low.json()) as Json).awarded).toEqual([]);
    const pass = await asObserver(`/educators/${educator}/assessments`, { date: '2026-03-11', name: 'Unit exam (retake)', achievements: ['assessed-planning'], score: 40, maxScore: 50 });
    const body = (await pass.json()) as Json;
    expect(pass.status).toBe(201);
    expect((body.awarded as Json[]).map((a) => a.achievement)).toEqual(['assessed-planning']);
    const award = await getJson(`/awards/${(body.awarded as Json[])[0]!.awardId}`);
    expect(evidenceNames(award.credential)).toEqual(['Observation 1 (2026-03-02)', 'Observation 2 (2026-03-09)', 'Assessment: Unit exam (retake) (2026-03-11)']);
  });
});

describe('racing observation requests', () => {
  it('many concurrent observations for one educator make one badge per achievement and level', async () => {
    const educator = await newEducator();
    for (const date of ['2026-03-02', '2026-03-03', '2026-03-04']) await observe(educator, lesson(date, 'exemplary', {}, ['formative-assessment']));
    const dates = Array.from({ length: 12 }, (_, i) => `2026-04-${String(i + 1).padStart(2, '0')}`);
    const results = await Promise.all(dates.map((d) => observe(educator, lesson(d, 'exemplary', { observer: `Observer ${d}` }, ['formative-assessment']))));
    const awarded = results.flatMap((r) => r.awarded as Json[]);
    expect(awarded.map((a) => a.level).sort()).toEqual(['exemplary', 'proficient']);
    const view = await getJson(`/educators/${educator}`);
    const held = (view.progress as Json[]).filter((p) => p.achievement === 'formative-assessment' && p.awardId);
    expect(held.map((p) => p.awardId).sort()).toEqual(awarded.map((a) => a.awardId).sort());
  });
});

describe('a CASE package loaded through the API', () => {
  const fixture = (name: string): Json => JSON.parse(readFileSync(new URL(`../fixtures/frameworks/${name}`, import.meta.url), 'utf8')) as Json;

  it('loads with its rules; its badges align to the CASE item, pass the schema gate and verify; a second load and a colliding code are refused (409)', async () => {
    const loaded = await postJson(t.app, '/frameworks', { casePackage: fixture('case-clinical-practice.json'), rules: fixture('case-clinical-practice.rules.json') });
    expect(loaded.status, await loaded.clone().text()).toBe(201);
    expect(await loaded.json()).toEqual({ code: 'example-clinical-practice', competencies: 3, skipped: [{ identifier: '1b2c3d4e-0001-4a00-8b00-000000000001', reason: "its CFItemType 'Domain' is not one of Standard" }] });
    expect((await getJson('/frameworks')).map((f: Json) => f.code)).toContain('example-clinical-practice');
    expect((await t.app.request('/achievements/CP.3/image.svg')).status).toBe(200);

    const educator = await newEducator();
    await observe(educator, lesson('2026-03-02', 'proficient', {}, ['CP.3']));
    const second = await observe(educator, lesson('2026-03-09', 'exemplary', { setting: 'online' }, ['CP.3']));
    expect((second.awarded as Json[]).map((a) => `${a.achievement}@${a.level}`)).toEqual(['CP.3@proficient']);
    const award = await getJson(`/awards/${(second.awarded as Json[])[0]!.awardId}`);
    const alignment = award.credential.credentialSubject.achievement.alignment[0] as Json;
    expect(alignment).toMatchObject({ targetType: 'CFItem', targetUrl: 'https://case.example.edu/ims/case/v1p0/CFItems/1b2c3d4e-0004-4a00-8b00-000000000004', targetFramework: 'Example Clinical Practice Standards', targetCode: 'CP.3' });
    const verified = (await (await postJson(t.app, '/credentials/verify', { verifiableCredential: award.credential })).json()) as Json;
    expect(verified.verified).toBe(true);
    expect(verified.checks).toContain('schema');

    expect((await postJson(t.app, '/frameworks', { casePackage: fixture('case-clinical-practice.json'), rules: fixture('case-clinical-practice.rules.json') })).status).toBe(409);
    const copy = fixture('program-framework.json');
    copy.code = 'copycat';
    copy.competencies[0].code = 'formative-assessment';
    const collision = await postJson(t.app, '/frameworks', copy);
    expect(collision.status).toBe(409);
    expect(((await collision.json()) as Json).achievementCode).toBe('formative-assessment');
    const invalid = await postJson(t.app, '/frameworks', { code: 'x' });
    expect(invalid.status).toBe(422);
    expect(((await postJson(t.app, '/frameworks', fixture('program-framework.json'), { Authorization: `Bearer ${observerToken}` })).status)).toBe(403);
  });
});

describePostgres('racing observation requests on PostgreSQL', () => {
  let pgInstance: TestInstance;
  let db: FreshDatabase;
  beforeAll(async () => {
    db = await freshPostgresDatabase('mastery_race');
    pgInstance = await createTestInstance({ env: { DATABASE_URL: db.url } });
  });
  afterAll(async () => {
    await pgInstance?.close();
    await db?.drop();
  });

  it('concurrent observations for one educator and for a team make one badge per educator, achievement and level', async () => {
    const post = (url: string, body: unknown) => postJson(pgInstance.app, url, body);
    const id = async (name: string) => ((await (await post('/educators', { name, email: `${name.toLowerCase()}@example.edu` })).json()) as Json).id as string;
    const [ana, ben] = [await id('Ana'), await id('Ben')];
    for (const date of ['2026-03-02', '2026-03-03', '2026-03-04']) await post(`/educators/${ana}/observations`, lesson(date, 'exemplary', { sharedWith: [ben] }, ['formative-assessment']));
    const dates = Array.from({ length: 16 }, (_, i) => `2026-04-${String(i + 1).padStart(2, '0')}`);
    const answers = await Promise.all(dates.map((d) => post(`/educators/${ana}/observations`, lesson(d, 'exemplary', { observer: `Observer ${d}`, sharedWith: [ben] }, ['formative-assessment']))));
    expect(answers.map((r) => r.status)).toEqual(Array(16).fill(201));
    const awarded = (await Promise.all(answers.map(async (r) => ((await r.json()) as Json).awarded as Json[]))).flat();
    expect(awarded.map((a) => `${a.educatorId === ana ? 'ana' : 'ben'}@${a.level}`).sort()).toEqual(['ana@exemplary', 'ana@proficient', 'ben@exemplary', 'ben@proficient']);
    const rows = await queryDatabase<{ n: string }>(db.url, "SELECT count(*) AS n FROM awards WHERE achievement_code = 'formative-assessment' AND revoked_at IS NULL");
    expect(Number(rows[0]!.n)).toBe(4);
  });
});
