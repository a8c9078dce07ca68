// The mastery records repository (migration 10, issue 14): educators, their observations with
// ratings and shares, assessments, the badges awarded from recorded evidence with exactly what
// each counted, and the frameworks a program loaded. Uniqueness comes back as domain errors
// (DuplicateExternalIdError) or as `false` (a badge another request recorded first).
import { sql } from 'kysely';
import type { Setting } from '../competencies/framework.js';
import type { MasteryHistory, RecordedAssessment, RecordedObservation } from '../competencies/progress.js';
import { DuplicateExternalIdError } from '../educators/errors.js';
import type { Educator, EducatorQuery, EducatorRecords, MasteryAwardRecord } from '../educators/masteryRecords.js';
import { atomic, inJsonArray, seqOf, type Engine, type Executor } from './engine.js';
import { isUniqueConflict, translateStoreError } from './errors.js';
import type { EducatorsTable } from './schema.js';

const educatorOf = (r: EducatorsTable): Educator => ({
  id: r.id,
  name: r.name,
  ...(r.email ? { email: r.email } : {}),
  ...(r.did ? { did: r.did } : {}),
  ...(r.external_id ? { externalId: r.external_id } : {}),
  ...(r.cohort ? { cohort: r.cohort } : {}),
  createdAt: r.created_at,
});

/** A framework document as a program loaded it (POST /frameworks). */
export interface StoredFramework {
  code: string;
  kind: 'educred' | 'case';
  document: unknown;
  rules?: unknown;
  createdAt: string;
}

export class EducatorsRepository implements EducatorRecords {
  constructor(
    private readonly q: Executor,
    private readonly engine: Engine,
  ) {}

  async createEducator(educator: Educator): Promise<void> {
    try {
      await this.q
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
      const translated = translateStoreError(error);
      if (!educator.externalId || !isUniqueConflict(translated, 'educator-external-id')) throw translated;
      const existing = await this.q.selectFrom('educators').select('id').where('external_id', '=', educator.externalId).executeTakeFirst();
      throw new DuplicateExternalIdError(educator.externalId, existing?.id ?? 'another educator', { cause: error });
    }
  }

  async findEducator(id: string): Promise<Educator | undefined> {
    const row = await this.q.selectFrom('educators').selectAll().where('id', '=', id).executeTakeFirst();
    return row && educatorOf(row);
  }

  /** Up to two educators with this external id, email (lower case) or DID: how an import finds who is there already. */
  async findEducatorsBy(column: 'external_id' | 'email' | 'did', value: string): Promise<Educator[]> {
    return (await this.q.selectFrom('educators').selectAll().where(column, '=', value).orderBy('created_at').limit(2).execute()).map(educatorOf);
  }

  async findEducatorByReference(reference: string): Promise<Educator | undefined> {
    const byId = await this.q
      .selectFrom('educators')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', reference), eb('external_id', '=', reference)]))
      .executeTakeFirst();
    if (byId) return educatorOf(byId);
    const byEmail = await this.q.selectFrom('educators').selectAll().where('email', '=', reference.trim().toLowerCase()).limit(2).execute();
    // An email two educators share names neither.
    return byEmail.length === 1 ? educatorOf(byEmail[0] as EducatorsTable) : undefined;
  }

  async listEducators(query: EducatorQuery): Promise<Array<Educator & { seq: number }>> {
    const seq = seqOf(this.engine, 'educators');
    let q = this.q.selectFrom('educators').selectAll().select(seq.as('seq'));
    if (query.cohort) q = q.where('cohort', '=', query.cohort);
    if (query.q) {
      // LIKE with an explicit escape character, the same on both engines.
      const like = `%${query.q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      const matches = (column: 'name' | 'email' | 'external_id') => sql<boolean>`lower(${sql.ref(column)}) LIKE ${like} ESCAPE '\\'`;
      q = q.where((eb) => eb.or([matches('name'), matches('email'), matches('external_id')]));
    }
    if (query.afterSeq !== undefined) q = q.where(seq, '>', query.afterSeq);
    const rows = await q.orderBy(seq).limit(query.limit).execute();
    return rows.map((r) => ({ ...educatorOf(r), seq: Number(r.seq) }));
  }

  /** The cohorts educators are in, in alphabetical order (the console's filter). */
  async cohorts(): Promise<string[]> {
    const rows = await this.q.selectFrom('educators').select('cohort').distinct().where('cohort', 'is not', null).orderBy('cohort').execute();
    return rows.flatMap((r) => (r.cohort ? [r.cohort] : []));
  }

  async unknownEducators(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.q.selectFrom('educators').select('id').where(inJsonArray(this.engine, 'id', ids)).execute();
    const found = new Set(rows.map((r) => r.id));
    return ids.filter((id) => !found.has(id));
  }

  async addObservation(o: RecordedObservation): Promise<void> {
    await atomic(this.q, async (tx) => {
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
    }).catch((error: unknown) => {
      throw translateStoreError(error);
    });
  }

  async addAssessment(a: RecordedAssessment): Promise<void> {
    await atomic(this.q, async (tx) => {
      await tx
        .insertInto('assessments')
        .values({ id: a.id, educator_id: a.educatorId, name: a.name, date: a.date, score: a.score, max_score: a.maxScore, recorded_at: a.recordedAt ?? new Date().toISOString(), withdrawn_at: null })
        .execute();
      await tx.insertInto('assessment_achievements').values(a.achievements.map((code) => ({ assessment_id: a.id, achievement: code }))).execute();
      if (a.sharedWith && a.sharedWith.length > 0) {
        await tx.insertInto('assessment_shares').values(a.sharedWith.map((e) => ({ assessment_id: a.id, educator_id: e }))).execute();
      }
    }).catch((error: unknown) => {
      throw translateStoreError(error);
    });
  }

  async findObservation(educatorId: string, observationId: string): Promise<RecordedObservation | undefined> {
    const row = await this.q.selectFrom('observations').select('id').where('id', '=', observationId).where('educator_id', '=', educatorId).executeTakeFirst();
    if (!row) return undefined;
    return (await this.observationsByIds([row.id]))[0];
  }

  async amendObservation(o: RecordedObservation): Promise<{ countedBy: MasteryAwardRecord[] }> {
    return atomic(this.q, async (tx) => {
      const repo = new EducatorsRepository(tx, this.engine);
      // Locked first, as for a withdrawal: an award counting it cannot commit in between.
      await repo.lockObservations([o.id]);
      const countedBy = await repo.activeAwardsCounting(o.id);
      if (countedBy.length > 0) return { countedBy };
      await tx
        .updateTable('observations')
        .set({ date: o.date, observer: o.observer, setting: o.setting ?? null, narrative: o.narrative ?? null, url: o.url ?? null })
        .where('id', '=', o.id)
        .where('withdrawn_at', 'is', null)
        .execute();
      await tx.deleteFrom('ratings').where('observation_id', '=', o.id).execute();
      await tx
        .insertInto('ratings')
        .values(o.ratings.map((r) => ({ observation_id: o.id, achievement: r.achievement, level: r.level, narrative: r.narrative ?? null })))
        .execute();
      return { countedBy };
    }).catch((error: unknown) => {
      throw translateStoreError(error);
    });
  }

  async withdrawObservation(observationId: string, reason: string, at: string): Promise<{ countedBy: MasteryAwardRecord[] }> {
    return atomic(this.q, async (tx) => {
      const repo = new EducatorsRepository(tx, this.engine);
      // The observation's row is locked first (PostgreSQL), so an award counting it cannot commit in between.
      await repo.lockObservations([observationId]);
      const countedBy = await repo.activeAwardsCounting(observationId);
      if (countedBy.length === 0) {
        await tx.updateTable('observations').set({ withdrawn_at: at, withdrawn_reason: reason }).where('id', '=', observationId).where('withdrawn_at', 'is', null).execute();
      }
      return { countedBy };
    });
  }

  async history(educatorId: string): Promise<MasteryHistory> {
    const own = this.q.selectFrom('observations').select('id').where('educator_id', '=', educatorId);
    const shared = this.q.selectFrom('observation_shares').select('observation_id as id').where('educator_id', '=', educatorId);
    const observationIds = (await own.union(shared).execute()).map((r) => r.id);
    const ownA = this.q.selectFrom('assessments').select('id').where('educator_id', '=', educatorId);
    const sharedA = this.q.selectFrom('assessment_shares').select('assessment_id as id').where('educator_id', '=', educatorId);
    const assessmentIds = (await ownA.union(sharedA).execute()).map((r) => r.id);
    return { educatorId, observations: await this.observationsByIds(observationIds), assessments: await this.assessmentsByIds(assessmentIds) };
  }

  async masteryAwards(educatorId: string): Promise<MasteryAwardRecord[]> {
    const rows = await this.q
      .selectFrom('mastery_awards as m')
      .innerJoin('awards as a', 'a.id', 'm.award_id')
      .select(['m.award_id', 'm.educator_id', 'm.achievement', 'm.level', 'a.revoked_at'])
      .where('m.educator_id', '=', educatorId)
      .orderBy('m.created_at')
      .execute();
    return this.withEvidence(rows);
  }

  /**
   * Call inside the award's transaction (AwardContext.onStored): records the badge and what it
   * counted, after checking that none of it was withdrawn meanwhile. False when the educator
   * already has a badge from recorded evidence for the achievement and level.
   */
  async addMasteryAward(award: Omit<MasteryAwardRecord, 'revoked'>, at: string): Promise<boolean> {
    try {
      await atomic(this.q, async (tx) => {
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
      if (isUniqueConflict(translateStoreError(error), 'mastery-award-level')) return false;
      throw translateStoreError(error);
    }
  }

  /** Which of these observations or assessments are withdrawn (locking their rows on PostgreSQL). */
  async withdrawnAmong(observationIds: readonly string[], assessmentIds: readonly string[]): Promise<string[]> {
    await this.lockObservations(observationIds);
    const out: string[] = [];
    if (observationIds.length > 0) {
      const rows = await this.q.selectFrom('observations').select('id').where(inJsonArray(this.engine, 'id', observationIds)).where('withdrawn_at', 'is not', null).execute();
      out.push(...rows.map((r) => r.id));
    }
    if (assessmentIds.length > 0) {
      const rows = await this.q.selectFrom('assessments').select('id').where(inJsonArray(this.engine, 'id', assessmentIds)).where('withdrawn_at', 'is not', null).execute();
      out.push(...rows.map((r) => r.id));
    }
    return out;
  }

  async saveFramework(framework: StoredFramework): Promise<void> {
    await this.q
      .insertInto('frameworks')
      .values({
        code: framework.code,
        kind: framework.kind,
        document_json: JSON.stringify(framework.document),
        rules_json: framework.rules === undefined ? null : JSON.stringify(framework.rules),
        created_at: framework.createdAt,
      })
      .execute()
      .catch((error: unknown) => {
        throw translateStoreError(error);
      });
  }

  async frameworkCodes(): Promise<string[]> {
    return (await this.q.selectFrom('frameworks').select('code').execute()).map((r) => r.code);
  }

  async frameworks(): Promise<StoredFramework[]> {
    const rows = await this.q.selectFrom('frameworks').selectAll().orderBy('created_at').orderBy('code').execute();
    return rows.map((r) => ({
      code: r.code,
      kind: r.kind as StoredFramework['kind'],
      document: JSON.parse(r.document_json) as unknown,
      ...(r.rules_json === null ? {} : { rules: JSON.parse(r.rules_json) as unknown }),
      createdAt: r.created_at,
    }));
  }

  private async lockObservations(ids: readonly string[]): Promise<void> {
    if (this.engine !== 'postgres' || ids.length === 0 || !this.q.isTransaction) return;
    await this.q.selectFrom('observations').select('id').where(inJsonArray(this.engine, 'id', ids)).forUpdate().execute();
  }

  private async activeAwardsCounting(observationId: string): Promise<MasteryAwardRecord[]> {
    const rows = await this.q
      .selectFrom('mastery_award_observations as l')
      .innerJoin('mastery_awards as m', 'm.award_id', 'l.award_id')
      .innerJoin('awards as a', 'a.id', 'm.award_id')
      .select(['m.award_id', 'm.educator_id', 'm.achievement', 'm.level', 'a.revoked_at'])
      .where('l.observation_id', '=', observationId)
      .where('a.revoked_at', 'is', null)
      .execute();
    return this.withEvidence(rows);
  }

  private async withEvidence(rows: readonly { award_id: string; educator_id: string; achievement: string; level: string; revoked_at: string | null }[]): Promise<MasteryAwardRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.award_id);
    const obs = await this.q.selectFrom('mastery_award_observations').selectAll().where(inJsonArray(this.engine, 'award_id', ids)).execute();
    const ass = await this.q.selectFrom('mastery_award_assessments').selectAll().where(inJsonArray(this.engine, 'award_id', ids)).execute();
    return rows.map((r) => ({
      awardId: r.award_id,
      educatorId: r.educator_id,
      achievement: r.achievement,
      level: r.level,
      observationIds: obs.filter((o) => o.award_id === r.award_id).map((o) => o.observation_id).sort(),
      assessmentIds: ass.filter((a) => a.award_id === r.award_id).map((a) => a.assessment_id).sort(),
      revoked: r.revoked_at !== null,
    }));
  }

  private async observationsByIds(ids: readonly string[]): Promise<RecordedObservation[]> {
    if (ids.length === 0) return [];
    const rows = await this.q.selectFrom('observations').selectAll().where(inJsonArray(this.engine, 'id', ids)).execute();
    const ratings = await this.q.selectFrom('ratings').selectAll().where(inJsonArray(this.engine, 'observation_id', ids)).orderBy('achievement').execute();
    const shares = await this.q.selectFrom('observation_shares').selectAll().where(inJsonArray(this.engine, 'observation_id', ids)).orderBy('educator_id').execute();
    return rows.map((r) => ({
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
    }));
  }

  private async assessmentsByIds(ids: readonly string[]): Promise<RecordedAssessment[]> {
    if (ids.length === 0) return [];
    const rows = await this.q.selectFrom('assessments').selectAll().where(inJsonArray(this.engine, 'id', ids)).execute();
    const codes = await this.q.selectFrom('assessment_achievements').selectAll().where(inJsonArray(this.engine, 'assessment_id', ids)).orderBy('achievement').execute();
    const shares = await this.q.selectFrom('assessment_shares').selectAll().where(inJsonArray(this.engine, 'assessment_id', ids)).orderBy('educator_id').execute();
    return rows.map((r) => ({
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
    }));
  }
}
