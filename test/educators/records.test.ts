// EducatorRecords on the store port (src/store/educators.ts, migration 10): educators,
// observations with ratings and shares, assessments, the badges counted from them, withdrawal
// refused while a badge that is not revoked counts the observation. A store contract, run on
// SQLite and, when TEST_DATABASE_URL names a PostgreSQL server, on PostgreSQL too.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { DuplicateExternalIdError } from '../../src/educators/errors.js';
import type { Educator } from '../../src/educators/masteryRecords.js';
import type { EducatorsRepository } from '../../src/store/educators.js';
import type { RecordedObservation } from '../../src/competencies/progress.js';
import { describePostgres, freshPostgresDatabase } from '../helpers/postgres.js';

type Opened = { store: Store; close(): Promise<void> };

const openSqlite = async (): Promise<Opened> => {
  const store = await openStore({ engine: 'sqlite', file: ':memory:' });
  return { store, close: () => store.close() };
};
const openPostgres = async (): Promise<Opened> => {
  const db = await freshPostgresDatabase('mastery_records');
  const store = await openStore({ engine: 'postgres', url: db.url });
  return {
    store,
    close: async () => {
      await store.close();
      await db.drop();
    },
  };
};

describe('mastery records on SQLite', () => contract(openSqlite));
describePostgres('mastery records on PostgreSQL', () => contract(openPostgres));

function contract(open: () => Promise<Opened>): void {
let store: Store;
let records: EducatorsRepository;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ store, close } = await open());
  records = store.educators;
});
afterEach(async () => {
  await close();
});

let clock = 0;
const educator = (more: Partial<Educator> = {}): Educator => ({ id: randomUUID(), name: 'Ana Lopez', email: 'ana@example.edu', createdAt: new Date(Date.UTC(2026, 2, 1, 0, 0, clock++)).toISOString(), ...more });
const observation = (educatorId: string, more: Partial<RecordedObservation> = {}): RecordedObservation => ({
  id: randomUUID(),
  educatorId,
  date: '2026-03-02',
  observer: 'Dr. Maya Rivera',
  setting: 'online',
  ratings: [
    { achievement: 'formative-assessment', level: 'proficient', narrative: 'Exit tickets.' },
    { achievement: 'data-informed-instruction', level: 'exemplary' },
  ],
  sharedWith: [],
  recordedAt: '2026-03-02T15:00:00.000Z',
  ...more,
});
async function storedAward(level = 'proficient', id = randomUUID()): Promise<string> {
  await store.awards.insert({
    id,
    credentialId: `https://badges.example.edu/credentials/${id}`,
    achievementCode: 'formative-assessment',
    recipientDid: 'did:example:ana',
    recipientEmail: null,
    recipientName: null,
    emailSalt: null,
    credential: {},
    idempotencyKey: null,
    requestHash: null,
    createdAt: new Date().toISOString(),
    recipientKey: 'did:example:ana',
    achievedLevel: level,
  });
  return id;
}

describe('educators', () => {
  it('refuses a second educator with the same externalId, naming the first', async () => {
    const first = educator({ externalId: 'S-1001' });
    await records.createEducator(first);
    const error = await records.createEducator(educator({ externalId: 'S-1001' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateExternalIdError);
    expect(error).toMatchObject({ externalId: 'S-1001', existingId: first.id });
  });

  it('allows many educators without an externalId', async () => {
    await records.createEducator(educator());
    await records.createEducator(educator());
    expect(await records.listEducators({ limit: 10 })).toHaveLength(2);
  });

  it('finds an educator by id, externalId or email, and not by an email two educators share', async () => {
    const ana = educator({ externalId: 'S-1001', email: 'ana@example.edu' });
    await records.createEducator(ana);
    for (const ref of [ana.id, 'S-1001', 'ANA@example.edu ']) expect((await records.findEducatorByReference(ref))?.id).toBe(ana.id);
    await records.createEducator(educator({ email: 'ana@example.edu' }));
    expect(await records.findEducatorByReference('ana@example.edu')).toBeUndefined();
  });

  it('lists by cohort and by part of a name, email or externalId, in pages after a position', async () => {
    const a = educator({ name: 'Ana Lopez', cohort: '2026' });
    const b = educator({ name: 'Ben Okafor', email: 'ben@example.edu', cohort: '2026' });
    const c = educator({ name: 'Cara Diaz', email: 'cara@example.edu', externalId: 'S-77', cohort: '2027' });
    for (const e of [a, b, c]) await records.createEducator(e);
    expect((await records.listEducators({ cohort: '2026', limit: 10 })).map((e) => e.id)).toEqual([a.id, b.id]);
    expect((await records.listEducators({ q: 'okaf', limit: 10 })).map((e) => e.id)).toEqual([b.id]);
    expect((await records.listEducators({ q: 's-77', limit: 10 })).map((e) => e.id)).toEqual([c.id]);
    expect((await records.listEducators({ q: '%', limit: 10 })).map((e) => e.id)).toEqual([]);
    const first = await records.listEducators({ limit: 2 });
    expect(first.map((e) => e.id)).toEqual([a.id, b.id]);
    expect((await records.listEducators({ limit: 2, afterSeq: first[1]!.seq })).map((e) => e.id)).toEqual([c.id]);
  });

  it('names the ids that are no educator', async () => {
    const a = educator();
    await records.createEducator(a);
    expect(await records.unknownEducators([a.id, 'nobody'])).toEqual(['nobody']);
  });
});

describe('observations and assessments', () => {
  it('keeps an observation with its ratings, and it is in the history of the educator and of each teammate it is shared with', async () => {
    const [ana, ben, cara] = [educator(), educator(), educator()];
    for (const e of [ana, ben, cara]) await records.createEducator(e);
    const lesson = observation(ana.id, { sharedWith: [ben.id].sort() });
    await records.addObservation(lesson);
    expect((await records.history(ana.id)).observations).toEqual([{ ...lesson, withdrawn: false, ratings: [...lesson.ratings].sort((x, y) => x.achievement.localeCompare(y.achievement)) }]);
    expect((await records.history(ben.id)).observations.map((o) => o.id)).toEqual([lesson.id]);
    expect((await records.history(cara.id)).observations).toEqual([]);
  });

  it('keeps an assessment with the competencies it covers, shared with the team', async () => {
    const [ana, ben] = [educator(), educator()];
    for (const e of [ana, ben]) await records.createEducator(e);
    const exam = { id: randomUUID(), educatorId: ana.id, name: 'Unit 3 exam', achievements: ['data-informed-instruction', 'formative-assessment'], score: 42.5, maxScore: 50, date: '2026-03-08', sharedWith: [ben.id], recordedAt: '2026-03-08T10:00:00.000Z' };
    await records.addAssessment(exam);
    expect((await records.history(ben.id)).assessments).toEqual([{ ...exam, withdrawn: false }]);
  });

  it('refuses a rating of one achievement twice in one observation, and keeps nothing of it', async () => {
    const ana = educator();
    await records.createEducator(ana);
    const twice = observation(ana.id, { ratings: [{ achievement: 'formative-assessment', level: 'proficient' }, { achievement: 'formative-assessment', level: 'exemplary' }] });
    await expect(records.addObservation(twice)).rejects.toThrow();
    expect((await records.history(ana.id)).observations).toEqual([]);
  });
});

describe('badges counted from records, and withdrawal', () => {
  it('records one mastery badge per educator, achievement and level: a second is refused with false', async () => {
    const ana = educator();
    await records.createEducator(ana);
    const lesson = observation(ana.id);
    await records.addObservation(lesson);
    const first = { awardId: await storedAward(), educatorId: ana.id, achievement: 'formative-assessment', level: 'proficient', observationIds: [lesson.id], assessmentIds: [] };
    expect(await records.addMasteryAward(first, '2026-03-10T00:00:00.000Z')).toBe(true);
    // Another award (here one stored at another level) cannot take the same educator, achievement and level.
    expect(await records.addMasteryAward({ ...first, awardId: await storedAward('exemplary') }, '2026-03-10T00:00:01.000Z')).toBe(false);
    expect(await records.masteryAwards(ana.id)).toEqual([{ ...first, revoked: false }]);
  });

  it('refuses to withdraw an observation a badge counts, and withdraws it once that badge is revoked', async () => {
    const ana = educator();
    await records.createEducator(ana);
    const lesson = observation(ana.id);
    await records.addObservation(lesson);
    const awardId = await storedAward();
    await records.addMasteryAward({ awardId, educatorId: ana.id, achievement: 'formative-assessment', level: 'proficient', observationIds: [lesson.id], assessmentIds: [] }, '2026-03-10T00:00:00.000Z');
    const refused = await records.withdrawObservation(lesson.id, 'rated the wrong candidate', '2026-03-11T00:00:00.000Z');
    expect(refused.countedBy.map((a) => a.awardId)).toEqual([awardId]);
    expect((await records.findObservation(ana.id, lesson.id))?.withdrawn).toBe(false);
    await store.awards.markRevoked(awardId, new Date('2026-03-12T00:00:00Z'));
    expect((await records.masteryAwards(ana.id))[0]?.revoked).toBe(true);
    expect((await records.withdrawObservation(lesson.id, 'rated the wrong candidate', '2026-03-12T00:00:01.000Z')).countedBy).toEqual([]);
    expect((await records.findObservation(ana.id, lesson.id))?.withdrawn).toBe(true);
    expect((await records.history(ana.id)).observations[0]?.withdrawn).toBe(true);
  });

  it('finds an observation only under its own educator', async () => {
    const [ana, ben] = [educator(), educator()];
    for (const e of [ana, ben]) await records.createEducator(e);
    const lesson = observation(ana.id, { sharedWith: [ben.id] });
    await records.addObservation(lesson);
    expect(await records.findObservation(ben.id, lesson.id)).toBeUndefined();
  });
});
}
