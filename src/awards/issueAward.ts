// Awarding a badge: check the evidence against the mastery rule, build and sign the Open
// Badges 3.0 credential, and store it with its status entries and an audit row in one
// transaction. A retry with the same Idempotency-Key returns the stored award, never a second.
import { createHash, randomUUID } from 'node:crypto';
import { findCompetency, type CompetencyFramework } from '../competencies/framework.js';
import { checkMastery } from '../competencies/mastery.js';
import { toAchievement } from '../credentials/achievement.js';
import { buildOpenBadgeCredential, type CredentialRecipient } from '../credentials/openBadge.js';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA } from '../credentials/openBadge.js';
import { newSalt, normalizeEmail } from '../credentials/recipient.js';
import { validateAgainstSchema } from '../credentials/schema.js';
import type { Issuer } from '../signing/issuer.js';
import { recordAudit } from '../store/audit.js';
import { findAwardByIdempotencyKey, insertAward, type AwardRecord } from '../store/awards.js';
import type { Db } from '../store/db.js';
import type { AwardRequest } from './awardRequest.js';
import { IdempotencyConflictError, InvalidAwardError, MasteryNotMetError, UnknownAchievementError } from './errors.js';

/** Status list indexes held for one credential until it is stored (or given up). */
export interface StatusReservation {
  /** The `credentialStatus` entries to embed in the credential. */
  entries: Record<string, unknown>[];
  /** Marks the indexes as used by the award; called inside the award's transaction. */
  commit(awardId: string): void;
  /** Returns the indexes to the pool when the award is not stored. */
  release(): void;
}

export interface StatusAllocator {
  reserve(): StatusReservation;
}

export interface AwardDeps {
  db: Db;
  issuer: Issuer;
  framework: CompetencyFramework;
  baseUrl: string;
  status?: StatusAllocator | undefined;
  now?: () => Date;
}

export interface AwardContext {
  actor: string;
  idempotencyKey?: string | undefined;
  /**
   * Runs inside the award's transaction, after the award is stored: a bulk batch marks its row
   * here, so the row's state and the award commit (or vanish) together.
   */
  onStored?: ((award: AwardRecord) => void) | undefined;
}

export interface AwardOutcome {
  award: AwardRecord;
  /** False when an earlier request with the same Idempotency-Key produced this award. */
  created: boolean;
}

export const credentialUrl = (baseUrl: string, id: string): string => `${baseUrl}/credentials/${id}`;

function requestHash(request: AwardRequest): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

function replay(db: Db, key: string, hash: string): AwardOutcome | undefined {
  const existing = findAwardByIdempotencyKey(db, key);
  if (!existing) return undefined;
  if (existing.requestHash !== hash) throw new IdempotencyConflictError(key);
  return { award: existing, created: false };
}

function isUniqueViolation(error: unknown, column: string): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === 'SQLITE_CONSTRAINT_UNIQUE' && (e.message ?? '').includes(column);
}

export async function issueAward(deps: AwardDeps, request: AwardRequest, context: AwardContext): Promise<AwardOutcome> {
  const { db, issuer, framework, baseUrl } = deps;
  const hash = requestHash(request);
  if (context.idempotencyKey) {
    const previous = replay(db, context.idempotencyKey, hash);
    if (previous) return previous;
  }

  const competency = findCompetency(framework, request.achievement);
  if (!competency) throw new UnknownAchievementError(request.achievement, framework.competencies.map((c) => c.code));
  const mastery = checkMastery(competency.masteryRule, request.evidence);
  if (!mastery.mastered || !mastery.achievedLevel) throw new MasteryNotMetError(competency.code, mastery.shortfalls);

  const now = (deps.now ?? (() => new Date()))();
  if (request.validUntil && new Date(request.validUntil) <= now) {
    throw new InvalidAwardError('validUntil', `validUntil (${request.validUntil}) must be in the future`);
  }

  const id = randomUUID();
  const recipient: CredentialRecipient =
    'id' in request.recipient
      ? { kind: 'did', did: request.recipient.id, name: request.recipient.name }
      : { kind: 'email', email: normalizeEmail(request.recipient.email), salt: newSalt(), name: request.recipient.name };
  const issuedAt = now.toISOString().replace(/\.\d{3}Z$/, 'Z');

  const reservation = deps.status?.reserve();
  try {
    const unsigned = buildOpenBadgeCredential({
      credentialId: credentialUrl(baseUrl, id),
      issuer: issuer.profile,
      achievement: toAchievement(baseUrl, framework, competency),
      recipient,
      observations: request.evidence,
      achievedLevel: mastery.achievedLevel,
      validFrom: issuedAt,
      validUntil: request.validUntil,
      awardedDate: issuedAt,
      credentialStatus: reservation?.entries,
    });
    // Our own builder must produce schema-valid credentials: a failure here is a bug, not bad input.
    const schema = validateAgainstSchema(OB_ACHIEVEMENT_CREDENTIAL_SCHEMA, unsigned);
    if (!schema.valid) throw new Error(`Built credential fails the OB 3.0 schema: ${JSON.stringify(schema.problems)}`);

    const credential = await issuer.sign(unsigned);
    const award: AwardRecord = {
      id,
      credentialId: credential.id as string,
      achievementCode: competency.code,
      recipientDid: recipient.kind === 'did' ? recipient.did : null,
      recipientEmail: recipient.kind === 'email' ? recipient.email : null,
      recipientName: recipient.name ?? null,
      emailSalt: recipient.kind === 'email' ? recipient.salt : null,
      credential,
      idempotencyKey: context.idempotencyKey ?? null,
      requestHash: hash,
      createdAt: issuedAt,
    };
    db.transaction(() => {
      insertAward(db, award);
      reservation?.commit(id);
      recordAudit(db, {
        actor: context.actor,
        action: 'award.issued',
        subject: id,
        detail: { achievement: competency.code, credentialId: award.credentialId, suite: issuer.suite },
      });
      context.onStored?.(award);
    }).immediate();
    return { award, created: true };
  } catch (error) {
    reservation?.release();
    // Two concurrent retries with one key: the loser returns the winner's award.
    if (context.idempotencyKey && isUniqueViolation(error, 'idempotency_key')) {
      const winner = replay(db, context.idempotencyKey, hash);
      if (winner) return winner;
    }
    throw error;
  }
}
