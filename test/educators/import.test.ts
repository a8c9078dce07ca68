// CSV imports in the background (issue 18): POST /educators/import and POST /observations/import
// answer 202 with a job to poll; every row gets its outcome (created, existing, recorded, or the
// problem naming the column); a file that cannot be read, the wrong scope or an oversized body
// is refused and stores nothing; a job cut short (its node died mid-row) is resumed by another
// runner and makes nothing twice.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportRunner } from '../../src/educators/importRunner.js';
import { masteryDepsFor } from '../../src/http/educators.js';
import { ImportStatus } from '../../src/openapi/schemas.js';
import { ADMIN_TOKEN, createTestInstance, type TestInstance } from '../helpers/app.js';

type Json = Record<string, any>;

describe('educator and observation imports', () => {
  let t: TestInstance;
  let observeToken: string;

  const upload = (path: string, csv: string | Uint8Array, token = ADMIN_TOKEN, type = 'text/csv') =>
    t.app.request(path, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': type }, body: csv });
  const read = async (path: string, token = ADMIN_TOKEN): Promise<Json> => (await t.app.request(path, { headers: { Authorization: `Bearer ${token}` } })).json() as Promise<Json>;
  const finished = async (location: string, token = ADMIN_TOKEN): Promise<Json> => {
    for (let i = 0; i < 200; i++) {
      const view = await read(location, token);
      if (view.state === 'done') return view;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`${location} did not finish`);
  };
  const jobCount = async (): Promise<number> => Number((await t.runtime.store.kysely.selectFrom('import_jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    t = await createTestInstance({ env: { EDUCRED_BATCH_BODY_LIMIT: String(64 * 1024) } });
    observeToken = (await t.runtime.store.tokens.create('field observer', ['observe'])).token;
  });
  afterAll(async () => t?.close());

  describe('refuses what it cannot import, storing nothing', () => {
    it('a header without the name column, or with neither email nor did: 400 naming the column', async () => {
      const noName = await upload('/educators/import', 'email,cohort\nana@example.edu,2026\n');
      expect(noName.status).toBe(400);
      expect(noName.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await noName.json()) as Json).detail).toContain("no 'name' column");
      const noContact = await upload('/educators/import', 'name,cohort\nAna,2026\n');
      expect(((await noContact.json()) as Json).detail).toContain("'email' or a 'did'");
      const unknown = await upload('/educators/import', 'name,email,phone\nAna,ana@example.edu,555\n');
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as Json).errors).toEqual([{ pointer: '/line/1', detail: expect.stringContaining("Unknown column 'phone'") }]);
      const headerOnly = await upload('/educators/import', 'name,email\n');
      expect(headerOnly.status).toBe(400);
      expect(await jobCount()).toBe(0);
    });

    it('a file where no row is valid: 422 with each row and the column to fix', async () => {
      const res = await upload('/educators/import', 'name,email\nAna,not-an-email\n,ben@example.edu\n');
      expect(res.status).toBe(422);
      const body = (await res.json()) as Json;
      expect(body.rows).toEqual([
        { line: 2, problem: expect.objectContaining({ column: 'email', detail: expect.stringContaining('line 2: email: must be an email address') }) },
        { line: 3, problem: expect.objectContaining({ column: 'name' }) },
      ]);
      expect(await jobCount()).toBe(0);
    });

    it('an oversized body: 413; a body that is not CSV: 415; invalid UTF-8: 400', async () => {
      const big = `name,email\n${Array.from({ length: 3000 }, (_, i) => `Person ${i},p${i}@example.edu`).join('\n')}\n`;
      expect(big.length).toBeGreaterThan(64 * 1024);
      const tooLarge = await upload('/educators/import', big);
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await upload('/observations/import', big)).status).toBe(413);
      expect((await upload('/educators/import', '{"name":"Ana"}', ADMIN_TOKEN, 'application/json')).status).toBe(415);
      expect((await upload('/educators/import', new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0xff, 0xfe]))).status).toBe(400);
      expect(await jobCount()).toBe(0);
    });

    it('the wrong scope: 403 for an observe token importing educators; 401 without a token', async () => {
      const res = await upload('/educators/import', 'name,email\nAna,ana@example.edu\n', observeToken);
      expect(res.status).toBe(403);
      const none = await t.app.request('/educators/import', { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: 'name,email\nAna,ana@example.edu\n' });
      expect(none.status).toBe(401);
      expect(await jobCount()).toBe(0);
      expect((await t.app.request('/educators/import/nope', { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(404);
    });
  });

  it('imports educators in the background: created, existing, duplicate and invalid rows, each naming the column', async () => {
    await t.app.request('/educators', { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'Cara Diaz', email: 'cara@example.edu', externalId: 'S-3' }) });
    const csv = [
      'Name,Email,externalId,Cohort',
      'Ana Lopez,ana@example.edu,S-1,2026',
      'Ben Carter,BEN@example.edu,S-2,2026',
      'Cara Diaz,cara@example.edu,S-3,2026',
      'Ana L.,ana@example.edu,,2026',
      'Dan,dan-at-example.edu,S-4,2026',
      '"Eve, the second",eve@example.edu,S-5,',
    ].join('\r\n');
    const res = await upload('/educators/import', csv);
    expect(res.status).toBe(202);
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(/^\/educators\/import\/[0-9a-f-]{36}$/);
    expect(res.headers.get('retry-after')).toBe('1');
    const accepted = (await res.json()) as Json;
    expect(accepted).toMatchObject({ kind: 'educators', total: 6 });

    const done = await finished(location);
    expect(ImportStatus.safeParse(accepted).error).toBeUndefined();
    expect(ImportStatus.safeParse(done).error).toBeUndefined();
    expect(done).toMatchObject({ state: 'done', running: false, total: 6, processed: 6, counts: expect.objectContaining({ created: 3, existing: 1, duplicate: 1, invalid: 1, pending: 0 }) });
    const rows = done.rows as Json[];
    expect(rows.map((r) => [r.line, r.state])).toEqual([
      [2, 'created'],
      [3, 'created'],
      [4, 'existing'],
      [5, 'duplicate'],
      [6, 'invalid'],
      [7, 'created'],
    ]);
    expect(rows[3]?.problem).toMatchObject({ column: 'email', detail: "line 5: email 'ana@example.edu' is on line 2 already" });
    expect(rows[4]?.problem).toMatchObject({ column: 'email' });
    const ben = await t.runtime.store.educators.findEducator(rows[1]?.educatorId);
    expect(ben).toMatchObject({ name: 'Ben Carter', email: 'ben@example.edu', externalId: 'S-2', cohort: '2026' });
    expect((await t.runtime.store.educators.findEducator(rows[5]?.educatorId))?.name).toBe('Eve, the second');
    const audit = await t.runtime.store.audit.list({ action: 'import', limit: 10 });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['import.submitted', 'import.finished']));

    // The same file again adds nobody: every valid row is there already.
    const again = await finished((await upload('/educators/import', csv)).headers.get('location') ?? '');
    expect(again.counts).toMatchObject({ created: 0, existing: 4 });
    const problems = await read(`${location}?rows=problems`);
    expect((problems.rows as Json[]).map((r) => r.line)).toEqual([5, 6]);
    expect((await t.app.request(`${location}?limit=abc`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(400);
  });

  it("imports the README's example file as the README shows", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const file = /cat > educators\.csv <<'CSV'\n([\s\S]*?)\nCSV\n/.exec(readme)?.[1] ?? '';
    expect(file).toMatch(/^name,email,external_id,cohort\n/);
    const res = await upload('/educators/import', `${file.replace('S-1001', 'R-1001').replace('S-1002', 'R-1002').replace(/@example/g, '@readme.example')}\n`);
    expect(res.status).toBe(202);
    const done = await finished(res.headers.get('location') ?? '');
    expect(done).toMatchObject({ kind: 'educators', state: 'done', total: 2, processed: 2, counts: expect.objectContaining({ created: 2 }) });
    expect((done.rows as Json[]).map((r) => [r.line, r.state])).toEqual([[2, 'created'], [3, 'created']]);
  });

  it('imports observations in the background (an observe token may), awards badges and lists their claim links', async () => {
    const lessons = ['2026-02-02', '2026-02-03', '2026-02-04', '2026-02-05', '2026-02-06'];
    const csv = [
      'educator,date,observer,setting,achievement,level',
      ...lessons.map((d) => `S-1,${d},Dr. Rivera,in-person,formative-assessment,proficient`),
      'S-1,2026-02-07,Dr. Rivera,in-person,formative-assessment,superb',
      'nobody@example.edu,2026-02-07,Dr. Rivera,in-person,formative-assessment,proficient',
      'S-2,2026-13-01,Dr. Rivera,in-person,formative-assessment,proficient',
    ].join('\n');
    const res = await upload('/observations/import', csv, observeToken);
    expect(res.status).toBe(202);
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(/^\/observations\/import\//);
    // One kind's job is not the other's.
    expect((await t.app.request(location.replace('/observations/', '/educators/'), { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(404);
    const done = await finished(location, observeToken);
    expect(ImportStatus.safeParse(done).error).toBeUndefined();
    expect(done.counts).toMatchObject({ recorded: 5, refused: 2, invalid: 1 });
    const rows = done.rows as Json[];
    const fifth = rows.find((r) => r.line === 6);
    expect(fifth?.awarded).toEqual([expect.objectContaining({ achievement: 'formative-assessment', level: 'proficient', claimUrl: expect.stringContaining('/claim/'), credentialId: expect.stringContaining('/credentials/') })]);
    expect(rows.find((r) => r.line === 7)?.problem).toMatchObject({ column: 'level' });
    expect(rows.find((r) => r.line === 8)?.problem).toMatchObject({ column: 'educator' });
    expect(rows.find((r) => r.line === 9)?.problem).toMatchObject({ column: 'date' });
    const ana = (await t.runtime.store.educators.findEducatorByReference('S-1'))?.id ?? '';
    expect((await t.runtime.store.educators.history(ana)).observations).toHaveLength(5);
  });

  it('resumes a job whose node died mid-row: the observation it recorded is not recorded twice', async () => {
    const ana = (await t.runtime.store.educators.findEducatorByReference('S-2'))?.id ?? '';
    const before = (await t.runtime.store.educators.history(ana)).observations.length;
    const deadNode = { node: 'dead-node', until: new Date(Date.now() - 1000) };
    const body = (date: string) => ({ date, observer: 'Dr. Rivera', ratings: [{ achievement: 'formative-assessment', level: 'proficient' }] });
    const recordIds = ['0a7f6f0e-7f55-4d0c-9d55-000000000001', '0a7f6f0e-7f55-4d0c-9d55-000000000002'];
    await t.runtime.store.imports.start(
      { id: 'crashed-job', kind: 'observations', actor: 'token:admin' },
      [
        { line: 2, lines: [2], state: 'pending', request: { educator: 'S-2', body: body('2026-02-10') }, recordId: recordIds[0] },
        { line: 3, lines: [3], state: 'pending', request: { educator: 'S-2', body: body('2026-02-11') }, recordId: recordIds[1] },
      ],
      deadNode,
    );
    // The dead node had recorded line 2's observation, then died before marking the row.
    await t.runtime.store.educators.addObservation({ id: recordIds[0] as string, educatorId: ana, ...body('2026-02-10'), sharedWith: [], recordedAt: new Date().toISOString() });
    const runner = createImportRunner({ store: t.runtime.store, logger: t.deps.logger, mastery: (actor) => masteryDepsFor(t.deps, actor), nodeId: 'rescuer' });
    expect(await runner.resumeUnfinished()).toEqual(['crashed-job']);
    await runner.run('crashed-job');
    const done = await read('/observations/import/crashed-job');
    expect(done).toMatchObject({ state: 'done', counts: expect.objectContaining({ recorded: 2, pending: 0 }) });
    const observations = (await t.runtime.store.educators.history(ana)).observations;
    expect(observations).toHaveLength(before + 2);
    expect(observations.map((o) => o.id)).toEqual(expect.arrayContaining(recordIds));
    await runner.close();
  });

  it('resumes an educator job a stop left pending, adding each educator once', async () => {
    const rows = [
      { line: 2, lines: [2], state: 'pending' as const, request: { name: 'Finn Park', email: 'finn@example.edu' }, recordId: '0a7f6f0e-7f55-4d0c-9d55-0000000000f1' },
      { line: 3, lines: [3], state: 'pending' as const, request: { name: 'Gia Moss', email: 'gia@example.edu' }, recordId: '0a7f6f0e-7f55-4d0c-9d55-0000000000f2' },
    ];
    await t.runtime.store.imports.start({ id: 'stopped-job', kind: 'educators', actor: 'token:admin' }, rows, { node: 'gone', until: new Date(Date.now() - 1) });
    const runner = createImportRunner({ store: t.runtime.store, logger: t.deps.logger, mastery: (actor) => masteryDepsFor(t.deps, actor) });
    await runner.run('stopped-job');
    await runner.run('stopped-job');
    const done = await read('/educators/import/stopped-job');
    expect(done.counts).toMatchObject({ created: 2 });
    expect((done.rows as Json[]).map((r) => r.educatorId)).toEqual(rows.map((r) => r.recordId));
    expect(await t.runtime.store.educators.findEducatorsBy('email', 'finn@example.edu')).toHaveLength(1);
    await runner.close();
  });
});
