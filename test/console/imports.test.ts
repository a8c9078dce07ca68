// The console's imports through app.request(): "Import from CSV" on the Educators screen and an
// observation file under Batches start background jobs; their forms need the session's CSRF
// token, this service's origin and a registrar's role; the job page has a live progress bar (a
// state route for the script, a refresh only without script) and the per-row results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestInstance, type TestInstance } from '../helpers/app.js';
import { cookieHeader, csrfIn, signInWithToken } from '../helpers/console.js';

const ORIGIN = 'http://localhost:3000';
type Jar = Record<string, string>;
type Json = Record<string, any>;

describe('console imports', () => {
  let t: TestInstance;
  let registrar: Jar;
  let observer: Jar;

  const get = (jar: Jar, path: string) => t.app.request(path, { headers: { Cookie: cookieHeader(jar) } });
  const csrfOf = async (jar: Jar): Promise<string> => csrfIn(await (await get(jar, '/console/educators')).text());
  const upload = async (jar: Jar, path: string, csv: string, fields: Record<string, string> = {}, options: { csrf?: string; origin?: string } = {}) => {
    const form = new FormData();
    form.set('csrf', options.csrf ?? (await csrfOf(jar)));
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set('file', new File([csv], 'people.csv', { type: 'text/csv' }));
    return t.app.request(path, { method: 'POST', headers: { Origin: options.origin ?? ORIGIN, Cookie: cookieHeader(jar) }, body: form });
  };
  const jobs = async (): Promise<number> => (await t.runtime.store.imports.recent(100)).length;
  const EDUCATORS = 'name,email,external_id,cohort\nAna Lopez,ana@example.edu,S-1,2026\nBen Carter,ben@example.edu,S-2,2026\nBen again,ben@example.edu,,2026\n';

  beforeAll(async () => {
    t = await createTestInstance({ env: { EDUCRED_BATCH_BODY_LIMIT: String(32 * 1024) } });
    registrar = (await signInWithToken(t, (await t.runtime.store.tokens.create('registrar office', ['issue', 'revoke'])).token)).jar;
    observer = (await signInWithToken(t, (await t.runtime.store.tokens.create('field observer', ['observe'])).token)).jar;
  });
  afterAll(async () => t?.close());

  it('refuses an import form without the session CSRF token, with another session’s, or from another origin', async () => {
    expect((await upload(registrar, '/console/educators/import', EDUCATORS, {}, { csrf: 'forged' })).status).toBe(403);
    expect((await upload(registrar, '/console/educators/import', EDUCATORS, {}, { csrf: await csrfOf(observer) })).status).toBe(403);
    expect((await upload(registrar, '/console/educators/import', EDUCATORS, {}, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await upload(registrar, '/console/batches', 'educator,date,observer,achievement,level\nS-1,2026-02-02,R,formative-assessment,proficient\n', { kind: 'observations' }, { csrf: 'forged' })).status).toBe(403);
    expect(await jobs()).toBe(0);
  });

  it('refuses an observer (no issue permission), a bad file and an oversized one', async () => {
    expect((await upload(observer, '/console/educators/import', EDUCATORS)).status).toBe(403);
    const noHeader = await upload(registrar, '/console/educators/import', 'email\nana@example.edu\n');
    expect(noHeader.status).toBe(303);
    const back = noHeader.headers.get('location') ?? '';
    expect(back).toMatch(/^\/console\/educators\?error=/);
    expect(await (await get(registrar, back)).text()).toContain('has no &#39;name&#39; column');
    const big = `name,email\n${Array.from({ length: 1500 }, (_, i) => `Person ${i},p${i}@example.edu`).join('\n')}\n`;
    expect((await upload(registrar, '/console/educators/import', big)).status).toBe(413);
    const badObservations = await upload(registrar, '/console/batches', 'educator,date\nS-1,2026-02-02\n', { kind: 'observations' });
    expect(badObservations.status).toBe(400);
    expect(await badObservations.text()).toContain('has no &#39;observer&#39;, &#39;achievement&#39;, &#39;level&#39; columns');
    expect(await jobs()).toBe(0);
  });

  it('imports educators from the Educators screen: the job page, its state route and the results', async () => {
    const list = await (await get(registrar, '/console/educators')).text();
    expect(list).toContain('Import from CSV');
    expect(list).toContain('action="/console/educators/import"');
    const res = await upload(registrar, '/console/educators/import', EDUCATORS);
    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(/^\/console\/imports\/[0-9a-f-]{36}$/);
    let state: Json = {};
    for (let i = 0; i < 100 && state.running !== false; i++) {
      const answer = await get(registrar, `${location}/state`);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      state = (await answer.json()) as Json;
      if (state.running) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(state).toEqual({ running: false, total: 3, processed: 3, label: 'Done: 3 of 3 educators', summary: '2 created · 1 duplicate' });
    const page = await (await get(registrar, location)).text();
    expect(page).toContain('<progress id="progress" max="3" value="3"');
    expect(page).not.toContain('data-state=');
    expect(page).not.toContain('http-equiv="refresh"');
    expect(page).toMatch(/<td>duplicate<\/td><td><strong>email<\/strong>: email &#39;ben@example.edu&#39; is on line 3 already/);
    const csv = await (await get(registrar, `${location}/results.csv`)).text();
    expect(csv.split('\r\n')[0]).toBe('line,state,educator_id,column,problem');
    expect(csv).toContain('4,duplicate,,email,');
    const [audit] = await t.runtime.store.audit.list({ action: 'import.submitted', limit: 1 });
    expect(audit?.actor).toBe('person:registrar office');
    expect((await get(observer, location)).status).toBe(403);
  });

  it('shows a running job with a live bar: the state route for the script, the refresh only without script', async () => {
    await t.runtime.store.imports.start({ id: 'held-elsewhere', kind: 'educators', actor: 'token:x' }, [{ line: 2, lines: [2], state: 'pending', request: { name: 'Zed', email: 'zed@example.edu' } }], { node: 'another-node', until: new Date(Date.now() + 60_000) });
    const answer = await get(registrar, '/console/imports/held-elsewhere');
    const page = await answer.text();
    expect(page).toContain('data-state="/console/imports/held-elsewhere/state"');
    expect(page).toContain('<noscript><meta http-equiv="refresh" content="2"></noscript>');
    expect(page).toMatch(/<p id="progress-counts" role="status" aria-live="polite" aria-atomic="true">/);
    const policy = answer.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(policy).toContain("connect-src 'self'");
    expect(((await (await get(registrar, '/console/imports/held-elsewhere/state')).json()) as Json)).toMatchObject({ running: true, processed: 0, total: 1, label: 'Importing… 0 of 1 educators' });
    expect((await get(registrar, '/console/imports/nope')).status).toBe(404);
  });

  it('runs an observation file from Batches as an import job, listed on the batches screen', async () => {
    const csv = ['educator,date,observer,setting,achievement,level', ...['02', '03', '04', '05', '06'].map((d) => `S-1,2026-02-${d},Dr. Rivera,in-person,formative-assessment,proficient`)].join('\n');
    const res = await upload(registrar, '/console/batches', csv, { kind: 'observations' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(/^\/console\/imports\//);
    for (let i = 0; i < 200; i++) {
      if (!((await (await get(registrar, `${location}/state`)).json()) as Json).running) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const page = await (await get(registrar, location)).text();
    expect(page).toContain('Observation import');
    expect(page).toContain('formative-assessment (proficient)');
    const results = await (await get(registrar, `${location}/results.csv`)).text();
    expect(results.split('\r\n')[0]).toBe('lines,state,educator_id,observation_id,awarded,claim_urls,column,problem');
    expect(results).toContain('/claim/');
    const batches = await (await get(registrar, '/console/batches')).text();
    expect(batches).toContain('Recent imports');
    expect(batches).toContain(`href="${location}"`);
  });
});
