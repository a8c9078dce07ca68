// Educators and their recorded evidence, and the awards that make themselves: recording an
// observation or an assessment re-evaluates the rules it can change, for the educator and for
// each teammate it is shared with, and every level whose rule now holds is awarded in the same
// request through the award path (one badge per educator, achievement and level, however many
// requests race: the award path's unique index decides, and a loser takes the winner's badge).
//
// The store is reached only through `EducatorRecords` (implemented on the store port), the award
// path only through `MasteryAwarder`: this module is plain domain logic over both.
import { randomUUID } from 'node:crypto';
import { rubricOf, type Competency, type CompetencyFramework } from '../competencies/framework.js';
import type { FrameworkCatalog } from '../competencies/frameworkCatalog.js';
import { InvalidRatingError } from '../competencies/errors.js';
import { evaluateCompetency, type LevelEvaluation, type MasteryHistory, type ProgressItem, type RecordedAssessment, type RecordedObservation } from '../competencies/progress.js';
import type { CountedEvidence } from '../credentials/masteryEvidence.js';
import { EducatorNotFoundError, InvalidRecordError, ObservationCountedError, ObservationNotFoundError, ObservationWithdrawnError } from './errors.js';
import { recordProblems, type AssessmentRequest, type EducatorRequest, type ObservationRequest } from './requests.js';

export interface Educator {
  id: string;
  name: string;
  email?: string | undefined;
  did?: string | undefined;
  externalId?: string | undefined;
  cohort?: string | undefined;
  createdAt: string;
}

/** A badge awarded from recorded evidence, with what it counted. */
export interface MasteryAwardRecord {
  awardId: string;
  educatorId: string;
  achievement: string;
  level: string;
  observationIds: readonly string[];
  assessmentIds: readonly string[];
  /** The badge was revoked: it no longer holds its evidence, and it is not awarded again by itself. */
  revoked: boolean;
}

/** The storage this module needs (src/store: the educators, observations, ratings and assessments tables). */
export interface EducatorRecords {
  /** Throws DuplicateExternalIdError when another educator has the externalId. */
  createEducator(educator: Educator): Promise<void>;
  findEducator(id: string): Promise<Educator | undefined>;
  /** By id, externalId or email (how a spreadsheet names an educator). */
  findEducatorByReference(reference: string): Promise<Educator | undefined>;
  /** A page of educators in the order they were added, after a position (`seq` of the last one seen). */
  listEducators(query: EducatorQuery): Promise<Array<Educator & { seq: number }>>;
  /** The ids among `ids` that name no educator. */
  unknownEducators(ids: readonly string[]): Promise<string[]>;
  addObservation(observation: RecordedObservation): Promise<void>;
  addAssessment(assessment: RecordedAssessment): Promise<void>;
  /** The observation, if it is the educator's own (not one shared with them). */
  findObservation(educatorId: string, observationId: string): Promise<RecordedObservation | undefined>;
  /** Replaces its date, observer, setting, narrative, url and ratings unless a badge that is not revoked counts it (then returns those badges, changing nothing), in one transaction. */
  amendObservation(observation: RecordedObservation): Promise<{ countedBy: MasteryAwardRecord[] }>;
  /** Withdraws it unless a badge that is not revoked counts it (then returns those badges, withdrawing nothing), in one transaction. */
  withdrawObservation(observationId: string, reason: string, at: string): Promise<{ countedBy: MasteryAwardRecord[] }>;
  /** Everything recorded for the educator or shared with them. */
  history(educatorId: string): Promise<MasteryHistory>;
  masteryAwards(educatorId: string): Promise<MasteryAwardRecord[]>;
  /**
   * Records a badge awarded from recorded evidence with what it counted; false when the educator
   * already has one for the achievement and level (another request won the race).
   */
  addMasteryAward(award: Omit<MasteryAwardRecord, 'revoked'>, at: string): Promise<boolean>;
}

export interface EducatorQuery {
  cohort?: string | undefined;
  /** Part of the name, email or externalId, case-insensitive. */
  q?: string | undefined;
  /** The position after which the page starts: the `seq` of the last item of the previous page. */
  afterSeq?: number | undefined;
  limit: number;
}

/** What the award path is asked to sign: one level of one achievement, with exactly the counted evidence. */
export interface MasteryAwardRequest {
  educator: Educator;
  framework: CompetencyFramework;
  competency: Competency;
  level: string;
  counted: CountedEvidence;
}

/** The award path (src/awards): signs and stores the badge and its claim link, records what it counted. */
export type MasteryAwarder = (request: MasteryAwardRequest) => Promise<{ awardId: string; claimUrl: string | null; created: boolean; records?: IssuedRecord[] | undefined }>;

/** A program record (CLR 2.0) issued by itself when a badge met the program's last requirement (src/programs/). */
export interface IssuedRecord {
  id: string;
  program: string;
  claimUrl: string | null;
}

export interface MasteryDeps {
  records: EducatorRecords;
  catalog: FrameworkCatalog;
  award: MasteryAwarder;
  now?: () => Date;
}

export interface AwardedBadge {
  awardId: string;
  /** The educator it was awarded to: the one recorded for, or a teammate the record is shared with. */
  educatorId: string;
  achievement: string;
  level: string;
  claimUrl: string | null;
}

export interface RecordOutcome {
  id: string;
  awarded: AwardedBadge[];
  /** Program records issued in this request (absent when none). */
  records?: IssuedRecord[] | undefined;
  progress: ProgressItem[];
}

/** `id`: the id chosen beforehand (an import row's, so a resumed import finds the educator it added). */
export async function createEducator(records: EducatorRecords, request: EducatorRequest, now = new Date(), id: string = randomUUID()): Promise<Educator> {
  const educator: Educator = {
    id,
    name: request.name,
    ...(request.email ? { email: request.email.trim().toLowerCase() } : {}),
    ...(request.did ? { did: request.did } : {}),
    ...(request.externalId ? { externalId: request.externalId } : {}),
    ...(request.cohort ? { cohort: request.cohort } : {}),
    createdAt: now.toISOString(),
  };
  await records.createEducator(educator);
  return educator;
}

async function requireEducator(records: EducatorRecords, id: string): Promise<Educator> {
  const educator = await records.findEducator(id);
  if (!educator) throw new EducatorNotFoundError(id);
  return educator;
}

async function checkRecord(deps: MasteryDeps, educatorId: string, record: { date: string; sharedWith?: readonly string[] | undefined }, now: Date): Promise<void> {
  const [problem] = recordProblems(educatorId, record, now);
  if (problem) throw new InvalidRecordError(problem.field, problem.detail);
  const unknown = await deps.records.unknownEducators(record.sharedWith ?? []);
  if (unknown.length > 0) throw new InvalidRecordError('sharedWith', `sharedWith names no educator: ${unknown.join(', ')}`);
}

/** The progress of an educator: every loaded achievement at each award level, with the badge that holds it. */
export async function educatorProgress(deps: Pick<MasteryDeps, 'records' | 'catalog'>, educatorId: string): Promise<ProgressItem[]> {
  const [history, awards] = await Promise.all([deps.records.history(educatorId), deps.records.masteryAwards(educatorId)]);
  return progressWith(deps.catalog, history, awards);
}

function progressWith(catalog: FrameworkCatalog, history: MasteryHistory, awards: readonly MasteryAwardRecord[]): ProgressItem[] {
  return catalog.entries().flatMap(({ framework, competency }) =>
    evaluateCompetency(competency, rubricOf(framework, competency), history).map(({ progress }) => {
      const held = awards.find((a) => !a.revoked && a.achievement === progress.achievement && a.level === progress.level);
      // A held badge is mastery, whatever happened since (a lower rating does not undo it).
      return held ? { ...progress, state: 'mastered' as const, missing: [], awardId: held.awardId } : progress;
    }),
  );
}

/**
 * Awards every level of the touched achievements whose rule holds for the educator and that no
 * badge holds yet (a revoked badge is not re-awarded by itself: the program revoked it on purpose).
 */
async function awardWhatHolds(deps: MasteryDeps, educatorId: string, achievements: readonly string[]): Promise<{ awarded: AwardedBadge[]; records: IssuedRecord[]; history: MasteryHistory }> {
  const educator = await requireEducator(deps.records, educatorId);
  const [history, awards] = await Promise.all([deps.records.history(educatorId), deps.records.masteryAwards(educatorId)]);
  const awarded: AwardedBadge[] = [];
  const records: IssuedRecord[] = [];
  for (const code of achievements) {
    const entry = deps.catalog.achievement(code);
    if (!entry) continue;
    const evaluations: LevelEvaluation[] = evaluateCompetency(entry.competency, rubricOf(entry.framework, entry.competency), history);
    for (const { progress, counted } of evaluations) {
      if (progress.state !== 'mastered' || !counted) continue;
      if (awards.some((a) => a.achievement === code && a.level === progress.level)) continue;
      const result = await deps.award({ educator, framework: entry.framework, competency: entry.competency, level: progress.level, counted });
      if (result.created) awarded.push({ awardId: result.awardId, educatorId, achievement: code, level: progress.level, claimUrl: result.claimUrl });
      records.push(...(result.records ?? []));
    }
  }
  return { awarded, records, history };
}

async function afterRecord(deps: MasteryDeps, educatorId: string, id: string, sharedWith: readonly string[], achievements: readonly string[]): Promise<RecordOutcome> {
  const own = await awardWhatHolds(deps, educatorId, achievements);
  const awarded = [...own.awarded];
  const records = [...own.records];
  for (const who of sharedWith) {
    const theirs = await awardWhatHolds(deps, who, achievements);
    awarded.push(...theirs.awarded);
    records.push(...theirs.records);
  }
  // The history read for the awards is the educator's progress too; only the badges are read again.
  return { id, awarded, ...(records.length > 0 ? { records } : {}), progress: progressWith(deps.catalog, own.history, await deps.records.masteryAwards(educatorId)) };
}

/** What an observation is, from a request to record or amend it (the id and times are the caller's). */
function observationFields(educatorId: string, request: ObservationRequest, sharedWith: readonly string[]): Omit<RecordedObservation, 'id' | 'recordedAt'> {
  return {
    educatorId,
    date: request.date,
    observer: request.observer,
    ...(request.setting ? { setting: request.setting } : {}),
    ...(request.narrative ? { narrative: request.narrative } : {}),
    ...(request.url ? { url: request.url } : {}),
    ratings: request.ratings,
    sharedWith: [...sharedWith],
  };
}

/**
 * `options.id`: the observation's id chosen beforehand (an import row's). When the educator has
 * that observation already (the import was cut short after recording it), it is not recorded
 * again: what its rules make hold is awarded, as after recording it.
 */
export async function recordObservation(deps: MasteryDeps, educatorId: string, request: ObservationRequest, options: { id?: string | undefined } = {}): Promise<RecordOutcome> {
  const now = deps.now?.() ?? new Date();
  await requireEducator(deps.records, educatorId);
  const before = options.id === undefined ? undefined : await deps.records.findObservation(educatorId, options.id);
  if (before) return afterRecord(deps, educatorId, before.id, before.sharedWith ?? [], [...new Set(before.ratings.map((r) => r.achievement))]);
  deps.catalog.assertValidRatings(request.ratings);
  await checkRecord(deps, educatorId, request, now);
  const observation: RecordedObservation = {
    ...observationFields(educatorId, request, request.sharedWith ?? []),
    id: options.id ?? randomUUID(),
    recordedAt: now.toISOString(),
  };
  await deps.records.addObservation(observation);
  return afterRecord(deps, educatorId, observation.id, observation.sharedWith ?? [], [...new Set(request.ratings.map((r) => r.achievement))]);
}

export async function recordAssessment(deps: MasteryDeps, educatorId: string, request: AssessmentRequest): Promise<RecordOutcome> {
  const now = deps.now?.() ?? new Date();
  await requireEducator(deps.records, educatorId);
  request.achievements.forEach((code, i) => {
    if (!deps.catalog.achievement(code)) throw new InvalidRatingError(`achievements[${i}]`, `achievements[${i}] names the unknown achievement '${code}'`);
  });
  await checkRecord(deps, educatorId, request, now);
  const assessment: RecordedAssessment = {
    id: randomUUID(),
    educatorId,
    name: request.name,
    achievements: [...new Set(request.achievements)],
    score: request.score,
    maxScore: request.maxScore,
    date: request.date,
    sharedWith: request.sharedWith ?? [],
    recordedAt: now.toISOString(),
  };
  await deps.records.addAssessment(assessment);
  return afterRecord(deps, educatorId, assessment.id, assessment.sharedWith ?? [], assessment.achievements);
}

/** Withdraws an observation with a reason (the caller audits it); refused while an issued badge counts it. */
export async function withdrawObservation(deps: Pick<MasteryDeps, 'records' | 'now'>, educatorId: string, observationId: string, reason: string): Promise<RecordedObservation> {
  const observation = await deps.records.findObservation(educatorId, observationId);
  if (!observation) throw new ObservationNotFoundError(educatorId, observationId);
  if (observation.withdrawn) throw new ObservationWithdrawnError(observationId);
  const { countedBy } = await deps.records.withdrawObservation(observationId, reason, (deps.now?.() ?? new Date()).toISOString());
  if (countedBy.length > 0) throw new ObservationCountedError(observationId, countedBy.map((a) => a.awardId));
  return { ...observation, withdrawn: true };
}

/**
 * Amends an observation (a mistyped date, a wrong level) as long as no issued badge counts it:
 * once counted, the badge states that evidence, so it stands. The achievements it rated before
 * and after are evaluated again, and what now holds is awarded.
 */
export async function amendObservation(deps: MasteryDeps, educatorId: string, observationId: string, request: ObservationRequest): Promise<RecordOutcome> {
  const now = deps.now?.() ?? new Date();
  const existing = await deps.records.findObservation(educatorId, observationId);
  if (!existing) throw new ObservationNotFoundError(educatorId, observationId);
  if (existing.withdrawn) throw new ObservationWithdrawnError(observationId);
  deps.catalog.assertValidRatings(request.ratings);
  const sharedWith = request.sharedWith ?? existing.sharedWith ?? [];
  await checkRecord(deps, educatorId, { date: request.date, sharedWith }, now);
  const amended: RecordedObservation = {
    ...observationFields(educatorId, request, sharedWith),
    id: existing.id,
    recordedAt: existing.recordedAt,
  };
  const { countedBy } = await deps.records.amendObservation(amended);
  if (countedBy.length > 0) throw new ObservationCountedError(observationId, countedBy.map((a) => a.awardId), 'amended');
  const touched = [...new Set([...existing.ratings, ...request.ratings].map((r) => r.achievement))];
  return afterRecord(deps, educatorId, observationId, sharedWith, touched);
}
