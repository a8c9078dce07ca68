// Programs and program records through the API: the built-in program, a program of one's own,
// 422 record-not-ready naming each requirement not met, the record issued by itself with the
// last badge (autoIssue), 200 for the current record, the record's JSON, page and baked SVG.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractFromSvg } from '../../src/badges/baking.js';
import { CLR_CREDENTIAL_SCHEMA, validateAgainstSchema } from '../../src/credentials/schema.js';
import { createTestInstance, ADMIN_TOKEN, type TestInstance } from '../helpers/app.js';
import { addEducator, observeSeven, post, SEVEN, type Json } from './helpers.js';

let instance: TestInstance;
const DID = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';

beforeAll(async () => {
  instance = await createTestInstance();
});
afterAll(async () => instance?.close());

describe('programs', () => {
  it('GET /programs lists the built-in educator-preparation program: the seven competencies at proficient', async () => {
    const res = await instance.app.request('/programs');
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as Json;
    expect(items[0]).toMatchObject({ code: 'educator-preparation', achievementType: 'Certificate', autoIssue: true, builtIn: true });
    expect(items[0].requires).toEqual(SEVEN.map((achievement) => ({ achievement, minLevel: 'proficient' })));
  });

  it('POST /programs defines a program; an unknown achievement, an unknown level, a taken code and a non-admin token are refused', async () => {
    const program = { code: 'online-endorsement', name: 'Online Teaching Endorsement', description: 'Teaching online.', completion: 'Online teaching endorsement completed', requires: [{ achievement: 'personalized-blended-online' }, { achievement: 'formative-assessment', minLevel: 'exemplary' }], autoIssue: false };
    const created = await post(instance, '/programs', program);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ code: 'online-endorsement', achievementType: 'Certificate', autoIssue: false, builtIn: false });
    expect((await post(instance, '/programs', program)).body).toMatchObject({ status: 409, type: expect.stringContaining('program-exists') });
    expect((await post(instance, '/programs', { ...program, code: 'educator-preparation' })).status).toBe(409);
    const unknown = await post(instance, '/programs', { ...program, code: 'p2', requires: [{ achievement: 'juggling' }] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ pointer: '/requires/0/achievement', detail: expect.stringContaining("unknown achievement 'juggling'") }]);
    const level = await post(instance, '/programs', { ...program, code: 'p3', requires: [{ achievement: 'formative-assessment', minLevel: 'stellar' }] });
    expect(level.status).toBe(422);
    expect(level.body.errors[0].pointer).toBe('/requires/0/minLevel');
    const token = await post(instance, '/tokens', { name: 'issuer', scopes: ['issue'] });
    expect((await post(instance, '/programs', { ...program, code: 'p4' }, { Authorization: `Bearer ${token.body.token}` })).status).toBe(403);
    const listed = (await (await instance.app.request('/programs')).json()) as Json;
    expect(listed.items.map((p: Json) => p.code)).toEqual(['educator-preparation', 'online-endorsement']);
  });
});

describe('the program record', () => {
  let educatorId: string;
  let recordId: string;
  let record: Json;

  it('422 record-not-ready names every requirement not met, and why', async () => {
    educatorId = await addEducator(instance, { name: 'Ana Lopez', did: DID, email: 'ana@example.org' });
    await observeSeven(instance, educatorId, 4);
    const res = await post(instance, `/educators/${educatorId}/records`, { program: 'educator-preparation' });
    expect(res.status).toBe(422);
    expect(res.body.type).toContain('record-not-ready');
    expect(res.body.missing).toHaveLength(7);
    expect(res.body.missing[0]).toEqual({ achievement: 'differentiated-support', minLevel: 'proficient', reason: 'Differentiated Support: no badge at proficient or above' });
    expect((await post(instance, `/educators/${educatorId}/records`, { program: 'nope' })).status).toBe(422);
    expect((await post(instance, '/educators/no-such-educator/records', { program: 'educator-preparation' })).status).toBe(404);
  });

  it('is issued by itself in the request that awards the last badge (autoIssue)', async () => {
    const [fifth] = await observeSeven(instance, educatorId, 1, 4);
    expect(fifth?.awarded).toHaveLength(7);
    expect(fifth?.records).toEqual([{ id: expect.any(String), program: 'educator-preparation', claimUrl: expect.stringMatching(/\/claim\//) }]);
    const again = await post(instance, `/educators/${educatorId}/records`, { program: 'educator-preparation' });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    recordId = again.body.id;
    expect(recordId).toBe(fifth?.records[0].id);
    record = again.body.credential;
    expect(again.body.claimUrl).toMatch(/\/claim\//);
    expect(record.type).toEqual(['VerifiableCredential', 'ClrCredential']);
    expect(record['@context']).toEqual(['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json']);
    expect(record.name).toBe('Educator preparation completed: recommended for initial licensure');
    expect(record.credentialSubject.id).toBe(DID);
    expect(record.credentialSubject.verifiableCredential).toHaveLength(7);
    expect(record.credentialSubject.achievement).toHaveLength(8);
    expect(record.credentialSubject.achievement[0]).toMatchObject({ achievementType: 'Certificate', humanCode: 'educator-preparation' });
    expect(record.credentialSubject.association).toHaveLength(7);
    expect(record.credentialSubject.association[0]).toMatchObject({ type: 'Association', associationType: 'isChildOf', targetId: record.credentialSubject.achievement[0].id });
    expect(record.proof).toEqual([expect.objectContaining({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022' })]);
    expect(record.credentialStatus).toBeDefined();
    // It cites, and passes, the pinned 1EdTech CLR 2.0 ClrCredential schema; a broken copy does not.
    expect(record.credentialSchema).toEqual([{ id: CLR_CREDENTIAL_SCHEMA, type: '1EdTechJsonSchemaValidator2019' }]);
    expect(validateAgainstSchema(CLR_CREDENTIAL_SCHEMA, record)).toEqual({ valid: true, problems: [] });
    const broken = structuredClone(record);
    delete broken.credentialSubject.type;
    broken.issuer = 'not a profile';
    const refused = validateAgainstSchema(CLR_CREDENTIAL_SCHEMA, broken);
    expect(refused.valid).toBe(false);
    expect(refused.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['/credentialSubject']));
    // The badges are embedded verbatim: each is the stored, signed badge.
    for (const badge of record.credentialSubject.verifiableCredential) {
      const stored = await instance.app.request(new URL(badge.id).pathname);
      expect(await stored.json()).toEqual(badge);
    }
  });

  it('GET /records/:id: the JSON, the page for a browser, the baked SVG', async () => {
    const json = await instance.app.request(`/records/${recordId}`);
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual(record);
    const page = await instance.app.request(`/records/${recordId}`, { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('Educator preparation completed: recommended for initial licensure');
    expect(text).toContain('Competencies (7)');
    expect(text).toContain('Differentiated Support');
    const svg = await instance.app.request(`/records/${recordId}/record.svg`);
    expect(svg.status).toBe(200);
    expect(extractFromSvg(await svg.text())).toEqual({ kind: 'json', credential: record });
    expect((await instance.app.request('/records/not-a-record')).status).toBe(404);
    // A badge is not a record.
    const badgeId = new URL(record.credentialSubject.verifiableCredential[0].id).pathname.split('/').pop();
    expect((await instance.app.request(`/records/${badgeId}`)).status).toBe(404);
    void ADMIN_TOKEN;
  });
});
