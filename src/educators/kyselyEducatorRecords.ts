// EducatorRecords on Kysely: the same queries on SQLite and PostgreSQL. Uniqueness comes back as
// domain errors (DuplicateExternalIdError) or as `false` (a mastery badge another request
// recorded first); no driver error reaches the domain.
import type { Kysely, Transaction } from 'kysely';
import type { RecordedAssessment, RecordedObservation, MasteryHistory } from '../competencies/progress.js';
import type { Setting } from '../competencies/framework.js';
import type { EducatorTables } from './educatorTables.js';
import { DuplicateExternalIdError } from './errors.js';
import type { Educator, EducatorQuery, EducatorRecords, MasteryAwardRecord } from './masteryRecords.js';

/** The columns of the awards table (src/store) that mastery records read. */
interface AwardColumns {
  awards: { id: string; revoked_at: string | null };
}
type Db = Kysely<EducatorTables & AwardColumns>;
type Tx = Transaction<EducatorTables & AwardColumns>;

/** A unique constraint refused the write: SQLite says so in its message, PostgreSQL by SQLSTATE 23505. */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || /UNIQUE constraint failed/.test(e.message ?? '');
}

const educatorOf = (r: EducatorTables['educators']): Educator => ({
  id: r.id,
  name: r.name,
  ...(r.email ? { email: r.email } : {}),
  ...(r.did ? { did: r.did } : {}),
  ...(r.external_id ? { externalId: r.external_id } : {}),
  ...(r.cohort ? { cohort: r.cohort } : {}),
  createdAt: r.created_at,
});

const CHUNK = 500;
const chunks = <T>(items: readonly T[]): T[][] => Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));

export function kyselyEducatorRecords(db: Db): EducatorRecords {
  return {
    async createEducator(educator) {
      try {
        await db
          .insertInto('educators')
          .values({
            id: educator.id,
            name: educator.name,
            email: educator.email ?? null,
            did: educator.did ?? null,
            external_id: educator.externalId ?? null,
            cohort: educator.cohort ?? null,
            created_at: educator.createdAt,
          })
          .execute();
      } catch (error) {
        if (!educator.externalId || !isUniqueViolation(error)) throw error;
        const existing = await db.selectFrom('educators').select('id').where('external_id', '=', educator.externalId).executeTakeFirst();
        throw new DuplicateExternalIdError(educator.externalId, existing?.id ?? 'another educator', { cause: error });
      }
    },

    async findEducator(id) {
      const row = await db.selectFrom('educators').selectAll().where('id', '=', id).executeTakeFirst();
      return row && educatorOf(row);
    },

    async findEducatorByReference(reference) {
      const byId = await db.selectFrom('educators').selectAll().where((eb) => eb.or([eb('id', '=', reference), eb('external_id', '=', reference)])).executeTakeFirst();
      if (byId) return educatorOf(byId);
      const byEmail = await db.selectFrom('educators').selectAll().where('email', '=', reference.trim().toLowerCase()).orderBy('created_at').orderBy('id').limit(2).execute();
      // An email two educators share names neither.
      return byEmail.length === 1 ? educatorOf(byEmail[0]!) : undefined;
    },

    async listEducators(query: EducatorQuery) {
      let q = db.selectFrom('educators').selectAll();
      if (query.cohort) q = q.where('cohort', '=', query.cohort);
      if (query.q) {
        const like = `%${query.q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
        q = q.where((eb) =>
          eb.or([
            eb(eb.fn('lower', ['name']), 'like', like),
            eb(eb.fn('lower', ['email']), 'like', like),
            eb(eb.fn('lower', ['external_id']), 'like', like),
          ]),
        );
      }
      if (query.after) {
        const { createdAt, id } = query.after;
        q = q.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
      }
      const rows = await q.orderBy('created_at').orderBy('id').limit(query.limit).execute();
      return rows.map(educatorOf);
    },

    async unknownEducators(ids) {
      if (ids.length === 0) return [];
      const found = new Set<string>();
      for (const part of chunks(ids)) {
        for (const r of await db.selectFrom('educators').select('id').where('id', 'in', part).execute()) found.add(r.id);
      }
      return ids.filter((id) => !found.has(id));
    },

    async addObservation(o) {
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('observations')
          .values({
            id: o.id,
            educator_id: o.educatorId,
            date: o.date,
            observer: o.observer,
            setting: o.setting ?? null,
            narrative: o.narrative ?? null,
            url: o.url ?? null,
            recorded_at: o.recordedAt ?? new Date().toISOString(),
            withdrawn_at: null,
            withdrawn_reason: null,
          })
          .execute();
        await tx
          .insertInto('ratings')
          .values(o.ratings.map((r) => ({ observation_id: o.id, achievement: r.achievement, level: r.level, narrative: r.narrative ?? null })))
          .execute();
        if (o.sharedWith && o.sharedWith.length > 0) {
          await tx.insertInto('observation_shares').values(o.sharedWith.map((e) => ({ observation_id: o.id, educator_id: e }))).execute();
        }
      });
    },

    async addAssessment(a) {
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('assessments')
          .values({ id: a.id, educator_id: a.educatorId, name: a.name, date: a.date, score: a.score, max_score: a.maxScore, recorded_at: a.recordedAt ?? new Date().toISOString(), withdrawn_at: null })
          .execute();
        await tx.insertInto('assessment_achievements').values(a.achievements.map((code) => ({ assessment_id: a.id, achievement: code }))).execute();
        if (a.sharedWith && a.sharedWith.length > 0) {
          await tx.insertInto('assessment_shares').values(a.sharedWith.map((e) => ({ assessment_id: a.id, educator_id: e }))).execute();
        }
      });
    },

    async findObservation(educatorId, observationId) {
      const row = await db.selectFrom('observations').selectAll().where('id', '=', observationId).where('educator_id', '=', educatorId).executeTakeFirst();
      if (!row) return undefined;
      return (await observationsByIds(db, [row.id]))[0];
    },

    async withdrawObservation(observationId, reason, at) {
      return db.transaction().execute(async (tx) => {
        const countedBy = await activeAwardsCounting(tx, observationId);
        if (countedBy.length === 0) {
          await tx.updateTable('observations').set({ withdrawn_at: at, withdrawn_reason: reason }).where('id', '=', observationId).where('withdrawn_at', 'is', null).execute();
        }
        return { countedBy };
      });
    },

    async history(educatorId): Promise<MasteryHistory> {
      const own = db.selectFrom('observations').select('id').where('educator_id', '=', educatorId);
      const shared = db.selectFrom('observation_shares').select('observation_id as id').where('educator_id', '=', educatorId);
      const observationIds = (await own.union(shared).execute()).map((r) => r.id);
      const ownA = db.selectFrom('assessments').select('id').where('educator_id', '=', educatorId);
      const sharedA = db.selectFrom('assessment_shares').select('assessment_id as id').where('educator_id', '=', educatorId);
      const assessmentIds = (await ownA.union(sharedA).execute()).map((r) => r.id);
      return { educatorId, observations: await observationsByIds(db, observationIds), assessments: await assessmentsByIds(db, assessmentIds) };
    },

    async masteryAwards(educatorId) {
      const rows = await db
        .selectFrom('mastery_awards as m')
        .leftJoin('awards as a', 'a.id', 'm.award_id')
        .select(['m.award_id', 'm.educator_id', 'm.achievement', 'm.level', 'a.revoked_at', 'a.id as award_exists'])
        .where('m.educator_id', '=', educatorId)
        .execute();
      return withEvidence(db, rows);
    },

    async addMasteryAward(award, at) {
      try {
        await db.transaction().execute(async (tx) => {
          await tx.insertInto('mastery_awards').values({ award_id: award.awardId, educator_id: award.educatorId, achievement: award.achievement, level: award.level, created_at: at }).execute();
          if (award.observationIds.length > 0) {
            await tx.insertInto('mastery_award_observations').values(award.observationIds.map((o) => ({ award_id: award.awardId, observation_id: o }))).execute();
          }
          if (award.assessmentIds.length > 0) {
            await tx.insertInto('mastery_award_assessments').values(award.assessmentIds.map((a) => ({ award_id: award.awardId, assessment_id: a }))).execute();
          }
        });
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
  };
}

interface AwardRow {
  award_id: string;
  educator_id: string;
  achievement: string;
  level: string;
  revoked_at: string | null;
  award_exists: string | null;
}

async function withEvidence(db: Db | Tx, rows: readonly AwardRow[]): Promise<MasteryAwardRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.award_id);
  const obs = await db.selectFrom('mastery_award_observations').selectAll().where('award_id', 'in', ids).execute();
  const ass = await db.selectFrom('mastery_award_assessments').selectAll().where('award_id', 'in', ids).execute();
  return rows.map((r) => ({
    awardId: r.award_id,
    educatorId: r.educator_id,
    achievement: r.achievement,
    level: r.level,
    observationIds: obs.filter((o) => o.award_id === r.award_id).map((o) => o.observation_id),
    assessmentIds: ass.filter((a) => a.award_id === r.award_id).map((a) => a.assessment_id),
    // No award row (it never committed) holds no evidence either.
    revoked: r.revoked_at !== null || r.award_exists === null,
  }));
}

async function activeAwardsCounting(tx: Tx, observationId: string): Promise<MasteryAwardRecord[]> {
  const rows = await tx
    .selectFrom('mastery_award_observations as l')
    .innerJoin('mastery_awards as m', 'm.award_id', 'l.award_id')
    .innerJoin('awards as a', 'a.id', 'm.award_id')
    .select(['m.award_id', 'm.educator_id', 'm.achievement', 'm.level', 'a.revoked_at', 'a.id as award_exists'])
    .where('l.observation_id', '=', observationId)
    .where('a.revoked_at', 'is', null)
    .execute();
  return withEvidence(tx, rows);
}

async function observationsByIds(db: Db | Tx, ids: readonly string[]): Promise<RecordedObservation[]> {
  const out: RecordedObservation[] = [];
  for (const part of chunks(ids)) {
    const rows = await db.selectFrom('observations').selectAll().where('id', 'in', part).execute();
    const ratings = await db.selectFrom('ratings').selectAll().where('observation_id', 'in', part).orderBy('achievement').execute();
    const shares = await db.selectFrom('observation_shares').selectAll().where('observation_id', 'in', part).orderBy('educator_id').execute();
    for (const r of rows) {
      out.push({
        id: r.id,
        educatorId: r.educator_id,
        date: r.date,
        observer: r.observer,
        ...(r.setting ? { setting: r.setting as Setting } : {}),
        ...(r.narrative ? { narrative: r.narrative } : {}),
        ...(r.url ? { url: r.url } : {}),
        ratings: ratings.filter((x) => x.observation_id === r.id).map((x) => ({ achievement: x.achievement, level: x.level, ...(x.narrative ? { narrative: x.narrative } : {}) })),
        sharedWith: shares.filter((s) => s.observation_id === r.id).map((s) => s.educator_id),
        withdrawn: r.withdrawn_at !== null,
        recordedAt: r.recorded_at,
      });
    }
  }
  return out;
}

async function assessmentsByIds(db: Db | Tx, ids: readonly string[]): Promise<RecordedAssessment[]> {
  const out: RecordedAssessment[] = [];
  for (const part of chunks(ids)) {
    const rows = await db.selectFrom('assessments').selectAll().where('id', 'in', part).execute();
    const codes = await db.selectFrom('assessment_achievements').selectAll().where('assessment_id', 'in', part).orderBy('achievement').execute();
    const shares = await db.selectFrom('assessment_shares').selectAll().where('assessment_id', 'in', part).orderBy('educator_id').execute();
    for (const r of rows) {
      out.push({
        id: r.id,
        educatorId: r.educator_id,
        name: r.name,
        achievements: codes.filter((c) => c.assessment_id === r.id).map((c) => c.achievement),
        score: Number(r.score),
        maxScore: Number(r.max_score),
        date: r.date,
        sharedWith: shares.filter((s) => s.assessment_id === r.id).map((s) => s.educator_id),
        withdrawn: r.withdrawn_at !== null,
        recordedAt: r.recorded_at,
      });
    }
  }
  return out;
}
