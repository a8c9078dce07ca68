// The programs repository (migration 12): programs defined by POST /programs, the records issued
// for them (each an award: the row says which educator and program, and which badges it embeds)
// and the licences issued on an approval (each an award too, with the rule and its decision).
import { parseNamePrivacy } from '../programs/namePrivacy.js';
import type { Program, ProgramRequirement } from '../programs/program.js';
import type { Executor } from './engine.js';
import { translateStoreError } from './errors.js';

export interface ProgramRecordRow {
  /** The record's award id (its id in GET /records/:id). */
  id: string;
  programCode: string;
  educatorId: string;
  createdAt: string;
  /** The award ids of the badges it embeds. */
  badgeAwardIds: string[];
}

export interface LicenseRow {
  id: string;
  licenseCode: string;
  ruleId: string;
  applicant: Record<string, unknown>;
  decision: Record<string, unknown>;
  createdAt: string;
}

export class ProgramsRepository {
  constructor(private readonly q: Executor) {}

  /** Stores a program; another with the code is a UniqueConflictError ('program-code'). */
  async insertProgram(p: Program): Promise<void> {
    try {
      await this.q
        .insertInto('programs')
        .values({
          code: p.code,
          name: p.name,
          description: p.description,
          completion: p.completion,
          achievement_type: p.achievementType,
          requires_json: JSON.stringify(p.requires),
          auto_issue: p.autoIssue ? 1 : 0,
          created_at: p.createdAt ?? new Date().toISOString(),
          name_privacy: p.namePrivacy ? JSON.stringify(p.namePrivacy) : null,
        })
        .execute();
    } catch (error) {
      throw translateStoreError(error);
    }
  }

  async listPrograms(): Promise<Program[]> {
    const rows = await this.q.selectFrom('programs').selectAll().orderBy('created_at').orderBy('code').execute();
    return rows.map((r) => ({
      code: r.code,
      name: r.name,
      description: r.description,
      completion: r.completion,
      achievementType: r.achievement_type,
      requires: JSON.parse(r.requires_json) as ProgramRequirement[],
      autoIssue: r.auto_issue === 1,
      builtIn: false,
      createdAt: r.created_at,
      namePrivacy: parseNamePrivacy(r.name_privacy),
    }));
  }

  /** Records that the award `id` is the program record of an educator, embedding these badges (inside the award's transaction). */
  async insertRecord(row: ProgramRecordRow): Promise<void> {
    await this.q.insertInto('program_records').values({ award_id: row.id, program_code: row.programCode, educator_id: row.educatorId, created_at: row.createdAt }).execute();
    if (row.badgeAwardIds.length > 0) {
      await this.q.insertInto('program_record_badges').values(row.badgeAwardIds.map((award_id) => ({ record_id: row.id, award_id }))).execute();
    }
  }

  private async withBadges(rows: Array<{ award_id: string; program_code: string; educator_id: string; created_at: string }>): Promise<ProgramRecordRow[]> {
    if (rows.length === 0) return [];
    const badges = await this.q.selectFrom('program_record_badges').select(['record_id', 'award_id']).where('record_id', 'in', rows.map((r) => r.award_id)).execute();
    return rows.map((r) => ({
      id: r.award_id,
      programCode: r.program_code,
      educatorId: r.educator_id,
      createdAt: r.created_at,
      badgeAwardIds: badges.filter((b) => b.record_id === r.award_id).map((b) => b.award_id),
    }));
  }

  async findRecord(id: string): Promise<ProgramRecordRow | undefined> {
    const rows = await this.q.selectFrom('program_records').selectAll().where('award_id', '=', id).execute();
    return (await this.withBadges(rows))[0];
  }

  /** The educator's records of a program whose own award is not revoked, oldest first. */
  async unrevokedRecords(educatorId: string, programCode: string): Promise<ProgramRecordRow[]> {
    const rows = await this.q
      .selectFrom('program_records')
      .innerJoin('awards', 'awards.id', 'program_records.award_id')
      .select(['program_records.award_id', 'program_records.program_code', 'program_records.educator_id', 'program_records.created_at'])
      .where('program_records.educator_id', '=', educatorId)
      .where('program_records.program_code', '=', programCode)
      .where('awards.revoked_at', 'is', null)
      .orderBy('program_records.created_at')
      .execute();
    return this.withBadges(rows);
  }

  /** The unrevoked records that embed a badge: what revoking the badge affects. */
  async recordsEmbedding(awardId: string): Promise<ProgramRecordRow[]> {
    const rows = await this.q
      .selectFrom('program_record_badges')
      .innerJoin('program_records', 'program_records.award_id', 'program_record_badges.record_id')
      .innerJoin('awards', 'awards.id', 'program_records.award_id')
      .select(['program_records.award_id', 'program_records.program_code', 'program_records.educator_id', 'program_records.created_at'])
      .where('program_record_badges.award_id', '=', awardId)
      .where('awards.revoked_at', 'is', null)
      .orderBy('program_records.created_at')
      .execute();
    return this.withBadges(rows);
  }

  async insertLicense(row: LicenseRow): Promise<void> {
    await this.q
      .insertInto('licenses')
      .values({ award_id: row.id, license_code: row.licenseCode, rule_id: row.ruleId, applicant_json: JSON.stringify(row.applicant), decision_json: JSON.stringify(row.decision), created_at: row.createdAt })
      .execute();
  }

  async findLicense(id: string): Promise<LicenseRow | undefined> {
    const r = await this.q.selectFrom('licenses').selectAll().where('award_id', '=', id).executeTakeFirst();
    return r && { id: r.award_id, licenseCode: r.license_code, ruleId: r.rule_id, applicant: JSON.parse(r.applicant_json) as Record<string, unknown>, decision: JSON.parse(r.decision_json) as Record<string, unknown>, createdAt: r.created_at };
  }
}
