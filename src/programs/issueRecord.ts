// Issuing a program record: when an educator holds every badge a program requires (at its
// level or higher, neither revoked nor suspended), the program's ClrCredential is built from
// those signed badges, signed like a badge, and stored as an award (its status entries, claim
// link and audit row in the same transaction) with the row that ties it to the educator, the
// program and the badges it embeds. One current record per educator and program: the award
// path's unique index (recipient, `program:<code>`, `completed`) decides between racing requests.
import { randomUUID } from 'node:crypto';
import { levelRank, rubricOf } from '../competencies/framework.js';
import type { FrameworkCatalog } from '../competencies/frameworkCatalog.js';
import type { StatusAllocator } from '../awards/issueAward.js';
import { addClaimLink, type ClaimLinkDeps } from '../claims/claimLink.js';
import { claimBlock } from '../claims/claimStatus.js';
import { normalizeEmail } from '../credentials/recipient.js';
import { EducatorNotFoundError } from '../educators/errors.js';
import type { Educator } from '../educators/masteryRecords.js';
import type { Issuer } from '../signing/issuer.js';
import type { AwardRecord } from '../store/awards.js';
import { isUniqueConflict } from '../store/errors.js';
import type { ProgramRecordRow } from '../store/programs.js';
import type { Repositories, Store } from '../store/store.js';
import { assertClrSchemaValid, buildClrCredential, recordUrl } from './clrCredential.js';
import { BUILT_IN_PROGRAM, ProgramNotFoundError, requiredLevel, type Program } from './program.js';

export const RECORD_LEVEL = 'completed';
export const recordAchievementCode = (programCode: string): string => `program:${programCode}`;

export interface RecordDeps extends ClaimLinkDeps {
  store: Store;
  issuer: Issuer;
  baseUrl: string;
  catalog: FrameworkCatalog;
  status?: StatusAllocator | undefined;
  now?: () => Date;
}

/** A requirement the educator does not meet, and why (the `missing` of a 422 record-not-ready). */
export interface MissingRequirement {
  achievement: string;
  minLevel: string;
  reason: string;
}

export class RecordNotReadyError extends Error {
  constructor(
    readonly programCode: string,
    readonly missing: MissingRequirement[],
  ) {
    super(`The educator does not yet meet ${missing.length} requirement${missing.length === 1 ? '' : 's'} of program '${programCode}': ${missing.map((m) => m.reason).join('; ')}`);
  }
}

/** A record exists that is no longer current (a badge inside was revoked or suspended): revoke it before a new one. */
export class RecordNotCurrentError extends Error {
  constructor(
    readonly recordId: string,
    readonly reasons: string[],
  ) {
    super(`The educator's record ${recordId} of this program is not current (${reasons.join('; ')}); revoke it (POST /awards/${recordId}/revoke) before a new one is issued`);
  }
}

export interface RecordOutcome {
  record: AwardRecord;
  row: ProgramRecordRow;
  created: boolean;
}

/** The programs: the built-in one, then those defined on this instance. */
export async function listPrograms(store: Repositories): Promise<Program[]> {
  return [BUILT_IN_PROGRAM, ...(await store.programs.listPrograms())];
}

export async function findProgram(store: Repositories, code: string): Promise<Program> {
  const programs = await listPrograms(store);
  const program = programs.find((p) => p.code === code);
  if (!program) throw new ProgramNotFoundError(code, programs.map((p) => p.code));
  return program;
}

/** How the award path names a recipient (src/awards/issueAward.ts recipientKey): the DID, or the email normalised. */
export const educatorRecipientKey = (educator: Educator): string => educator.did ?? normalizeEmail(educator.email ?? '');

/** Each requirement's badge (the highest level held that counts, deliverable), or why there is none. */
export async function programReadiness(deps: Pick<RecordDeps, 'store' | 'catalog'>, educator: Educator, program: Program): Promise<{ badges: AwardRecord[]; missing: MissingRequirement[] }> {
  const badges: AwardRecord[] = [];
  const missing: MissingRequirement[] = [];
  const key = educatorRecipientKey(educator);
  for (const requirement of program.requires) {
    const minLevel = requiredLevel(requirement, deps.catalog);
    const entry = deps.catalog.achievement(requirement.achievement);
    const miss = (reason: string) => missing.push({ achievement: requirement.achievement, minLevel, reason });
    if (!entry) {
      miss(`'${requirement.achievement}' is not an achievement of the loaded frameworks`);
      continue;
    }
    const rubric = rubricOf(entry.framework, entry.competency);
    const rank = (level: string | null | undefined) => levelRank(rubric, level ?? '');
    const held = await deps.store.awards.findActive(key, requirement.achievement);
    const counting = held.filter((a) => rank(a.achievedLevel) >= rank(minLevel)).sort((a, b) => rank(b.achievedLevel) - rank(a.achievedLevel));
    let chosen: AwardRecord | undefined;
    const blocked: string[] = [];
    for (const award of counting) {
      const block = await claimBlock(deps.store, award.id);
      if (!block) {
        chosen = award;
        break;
      }
      blocked.push(`${award.id} is ${block === 'unknown' ? 'of unknown status' : block}`);
    }
    if (chosen) {
      badges.push(chosen);
      continue;
    }
    const name = entry.competency.name;
    if (blocked.length > 0) miss(`${name} at ${minLevel}: the badge ${blocked.join(', ')}`);
    else if (held.length > 0) miss(`${name}: held only at ${held.map((a) => a.achievedLevel).join(', ')}, below ${minLevel}`);
    else miss(`${name}: no badge at ${minLevel} or above`);
  }
  return { badges, missing };
}

/** Why a stored record is no longer current: a badge inside it revoked or suspended (empty: current). */
export async function recordCurrency(store: Repositories, row: ProgramRecordRow): Promise<string[]> {
  const reasons: string[] = [];
  for (const awardId of row.badgeAwardIds) {
    const block = await claimBlock(store, awardId);
    if (block) reasons.push(`the badge ${awardId} inside it is ${block === 'unknown' ? 'of unknown status' : block}`);
  }
  return reasons;
}

async function existingRecord(store: Repositories, educator: Educator, program: Program): Promise<RecordOutcome | undefined> {
  const [row] = await store.programs.unrevokedRecords(educator.id, program.code);
  if (!row) return undefined;
  const reasons = await recordCurrency(store, row);
  if (reasons.length > 0) throw new RecordNotCurrentError(row.id, reasons);
  const record = await store.awards.find(row.id);
  if (!record) throw new Error(`Program record ${row.id} has no award row`);
  return { record, row, created: false };
}

const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The educator's current record of the program: the stored one (created: false), or a new one
 * when every requirement is met; RecordNotReadyError naming each requirement not met otherwise.
 */
export async function issueRecord(deps: RecordDeps, educatorId: string, programCode: string, actor: string): Promise<RecordOutcome> {
  const educator = await deps.store.educators.findEducator(educatorId);
  if (!educator) throw new EducatorNotFoundError(educatorId);
  const program = await findProgram(deps.store, programCode);
  const existing = await existingRecord(deps.store, educator, program);
  if (existing) return existing;
  const { badges, missing } = await programReadiness(deps, educator, program);
  if (missing.length > 0) throw new RecordNotReadyError(program.code, missing);

  const id = randomUUID();
  const issuedAt = isoSeconds((deps.now ?? (() => new Date()))());
  const reservation = await deps.status?.reserve();
  let credential;
  try {
    const unsigned = buildClrCredential({
      credentialId: recordUrl(deps.baseUrl, id),
      issuer: deps.issuer.profile,
      program,
      baseUrl: deps.baseUrl,
      subject: { did: educator.did, name: educator.name },
      badges: badges.map((b) => b.credential),
      validFrom: issuedAt,
      credentialStatus: reservation?.entries,
    });
    assertClrSchemaValid(unsigned);
    credential = await deps.issuer.sign(unsigned);
  } catch (error) {
    reservation?.release();
    throw error;
  }
  const record: AwardRecord = {
    id,
    credentialId: credential.id as string,
    achievementCode: recordAchievementCode(program.code),
    recipientDid: educator.did ?? null,
    recipientEmail: educator.did ? null : (educator.email ?? null),
    recipientName: educator.name,
    emailSalt: null,
    credential,
    idempotencyKey: null,
    requestHash: null,
    createdAt: issuedAt,
    recipientKey: educatorRecipientKey(educator),
    achievedLevel: RECORD_LEVEL,
  };
  const row: ProgramRecordRow = { id, programCode: program.code, educatorId: educator.id, createdAt: issuedAt, badgeAwardIds: badges.map((b) => b.id) };
  try {
    await deps.store.transaction(async (tx) => {
      await tx.awards.insert(record);
      await reservation?.commit(id, tx);
      await tx.programs.insertRecord(row);
      // The last word on the badges, in the record's own transaction: one revoked meanwhile stops it.
      for (const badge of badges) {
        const block = await claimBlock(tx, badge.id);
        if (block) throw new RecordNotReadyError(program.code, [{ achievement: badge.achievementCode, minLevel: badge.achievedLevel ?? '', reason: `the badge ${badge.id} became ${block}` }]);
      }
      await tx.audit.record({ actor, action: 'record.issued', subject: id, detail: { program: program.code, educator: educator.id, credentialId: record.credentialId, badges: row.badgeAwardIds } });
      await addClaimLink(deps, id, tx);
    });
  } catch (error) {
    reservation?.release();
    // A racing request stored the educator's record first: that one stands.
    if (isUniqueConflict(error, 'award-one-active-badge')) {
      const winner = await existingRecord(deps.store, educator, program);
      if (winner) return winner;
    }
    throw error;
  }
  return { record, row, created: true };
}

/**
 * After a badge is awarded from recorded evidence: every program with `autoIssue` that requires
 * the achievement and whose last requirement is now met issues its record. A program not yet
 * complete is no error: the record comes with its last badge.
 */
export async function autoIssueRecords(deps: RecordDeps, educator: Educator, achievement: string, actor: string): Promise<RecordOutcome[]> {
  const issued: RecordOutcome[] = [];
  for (const program of await listPrograms(deps.store)) {
    if (!program.autoIssue || !program.requires.some((r) => r.achievement === achievement)) continue;
    const { missing } = await programReadiness(deps, educator, program);
    if (missing.length > 0) continue;
    try {
      const outcome = await issueRecord(deps, educator.id, program.code, actor);
      if (outcome.created) issued.push(outcome);
    } catch (error) {
      // A stale record (a badge inside revoked) waits for the program to revoke it.
      if (error instanceof RecordNotCurrentError || error instanceof RecordNotReadyError) continue;
      throw error;
    }
  }
  return issued;
}
