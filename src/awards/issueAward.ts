// Awarding a badge: check the evidence against the mastery rule, build and sign the Open
// Badges 3.0 credential, and store it with its status entries and an audit row in one
// transaction. A retry with the same Idempotency-Key returns the stored award, never a second.
// One badge per recipient, achievement and achieved level (not revoked) holds for every entry
// point: the same request again returns the existing award, a different one is refused
// (AwardExistsError), and a unique index (migration 5) decides between racing requests.
import { countIssued } from '../metrics.js';
import { commitTogether, type GroupCommitter, type GroupedWrite } from './groupCommit.js';
import { createHash, randomUUID } from 'node:crypto';
import { findCompetency, rubricOf, type CompetencyFramework } from '../competencies/framework.js';
import { checkMastery, type Observation } from '../competencies/mastery.js';
import { toAchievement } from '../credentials/achievement.js';
import { buildOpenBadgeCredential, type CredentialRecipient } from '../credentials/openBadge.js';
import { newSalt, normalizeEmail } from '../credentials/recipient.js';
import { assertOpenBadgeSchemaValid } from '../credentials/openBadgeSchemaGate.js';
import type { Issuer } from '../signing/issuer.js';
import type { AwardRecord } from '../store/awards.js';
import { isUniqueConflict } from '../store/errors.js';
import type { Repositories, Store } from '../store/store.js';
import type { AwardRequest } from './awardRequest.js';
import { AwardExistsError, IdempotencyConflictError, InvalidAwardError, MasteryNotMetError, UnknownAchievementError } from './errors.js';

/** Status list indexes held for one credential until it is stored (or given up). */
export interface StatusReservation {
  /** The `credentialStatus` entries to embed in the credential. */
  entries: Record<string, unknown>[];
  /**
   * Marks the indexes as used by the award; called inside the award's transaction. It must write
   * only through `tx`: when a group of awards rolls back (src/awards/groupCommit.ts), each award
   * is stored again on its own and `commit` is called again.
   */
  commit(awardId: string, tx: Repositories): Promise<void>;
  /** Returns the indexes to the pool when the award is not stored. */
  release(): void;
}

export interface StatusAllocator {
  reserve(): Promise<StatusReservation>;
}

export interface AwardDeps {
  store: Store;
  issuer: Issuer;
  framework: CompetencyFramework;
  baseUrl: string;
  status?: StatusAllocator | undefined;
  now?: () => Date;
  /** Stores awards in shared transactions (the server's, src/issuance.ts); absent, each commits alone. */
  committer?: GroupCommitter | undefined;
}

export interface AwardContext {
  actor: string;
  idempotencyKey?: string | undefined;
  /**
   * Runs inside the award's transaction, after the award is stored: a bulk batch marks its row
   * here, so the row's state and the award commit (or vanish) together.
   */
  onStored?: ((award: AwardRecord, tx: Repositories) => Promise<void>) | undefined;
  /**
   * An award counted from recorded observations and assessments (src/educators/masteryRecords.ts):
   * the rule was judged over the educator's history, so the credential reports this level and
   * carries these evidence entries (src/credentials/masteryEvidence.ts). The request's evidence is
   * what was counted, checked here again for its count, levels and dates.
   */
  mastery?: { achievedLevel: string; evidence: readonly Record<string, unknown>[] } | undefined;
}

/**
 * What an award is made from: a POST /awards body, or the counted evidence of recorded
 * observations, whose levels are those of the achievement's own rubric.
 */
export type AwardInput = Omit<AwardRequest, 'evidence'> & { evidence: Observation[] };

export interface AwardOutcome {
  award: AwardRecord;
  /**
   * False when an earlier request produced this award: the same Idempotency-Key, or the same
   * request (its hash) for a badge the recipient already holds.
   */
  created: boolean;
}

export const credentialUrl = (baseUrl: string, id: string): string => `${baseUrl}/credentials/${id}`;
/** The admin URL of an award (GET /awards/:id), as a refusal names the award a recipient holds. */
export const awardUrl = (baseUrl: string, id: string): string => `${baseUrl}/awards/${id}`;

/** The request's hash; an award counted from recorded evidence hashes its level too (two levels can count the same observations). */
function requestHash(request: AwardInput, masteryLevel?: string): string {
  return createHash('sha256').update(JSON.stringify(masteryLevel === undefined ? request : { ...request, masteryLevel })).digest('hex');
}

async function replay(store: Repositories, key: string, hash: string): Promise<AwardOutcome | undefined> {
  const existing = await store.awards.findByIdempotencyKey(key);
  if (!existing) return undefined;
  if (existing.requestHash !== hash) throw new IdempotencyConflictError(key);
  return { award: existing, created: false };
}

/** The recipient as the one-badge rule compares it: the DID as given, the email normalised. */
export function recipientKey(recipient: AwardRequest['recipient']): string {
  return 'id' in recipient ? recipient.id : normalizeEmail(recipient.email);
}

/** The recipient's active award made by this very request (its hash), at any level: a replay. */
function sameRequest(active: readonly AwardRecord[], hash: string): AwardOutcome | undefined {
  const same = active.find((a) => a.requestHash === hash);
  return same && { award: same, created: false };
}

/** Refuses a different request for a badge the recipient holds (the same achievement and level). */
function refuseHeldBadge(active: readonly AwardRecord[], achievementCode: string, level: string): void {
  const held = active.find((a) => a.achievedLevel === level);
  if (held) throw new AwardExistsError({ id: held.id, achievementCode, achievedLevel: level, createdAt: held.createdAt });
}

/**
 * An award built and signed, not yet stored. `write` stores it (award, status entries, audit
 * row, the caller's `onStored`) and runs inside a transaction its caller opens, so several can
 * commit together; `abandon` gives its status indexes back when it is not stored.
 */
export interface SignedAward {
  award: AwardRecord;
  write(tx: Repositories): Promise<void>;
  /**
   * Returns the stored award of a lost race (two retries with one key, or the same request for
   * one badge twice), throws AwardExistsError when a different request won the badge, or rethrows.
   */
  abandon(error: unknown): Promise<AwardOutcome>;
}

/**
 * Everything before the transaction: replay by idempotency key, the one-badge rule, mastery rule,
 * building, schema check and signing. Returns the earlier award for a replay (the same key, or
 * the same request for a badge the recipient holds), otherwise the signed award.
 */
export async function prepareAward(deps: AwardDeps, request: AwardInput, context: AwardContext): Promise<AwardOutcome | SignedAward> {
  const { store, issuer, framework, baseUrl } = deps;
  const hash = requestHash(request, context.mastery?.achievedLevel);
  if (context.idempotencyKey) {
    const previous = await replay(store, context.idempotencyKey, hash);
    if (previous) return previous;
  }

  const competency = findCompetency(framework, request.achievement);
  if (!competency) throw new UnknownAchievementError(request.achievement, framework.competencies.map((c) => c.code));
  const now = (deps.now ?? (() => new Date()))();
  if (request.validUntil && new Date(request.validUntil) <= now) {
    throw new InvalidAwardError('validUntil', `validUntil (${request.validUntil}) must be in the future`);
  }

  const key = recipientKey(request.recipient);
  const active = await store.awards.findActive(key, competency.code);
  // The same request for a badge already held answers with it, before the evidence is judged
  // again (as an Idempotency-Key replay does): the first answer stands.
  const replayed = sameRequest(active, hash);
  if (replayed) return replayed;
  const mastery = checkMastery(competency.masteryRule, request.evidence, now, rubricOf(framework, competency));
  if (!mastery.mastered || !mastery.achievedLevel) throw new MasteryNotMetError(competency.code, mastery.shortfalls);
  const achievedLevel = context.mastery?.achievedLevel ?? mastery.achievedLevel;
  refuseHeldBadge(active, competency.code, achievedLevel);

  const id = randomUUID();
  const recipient: CredentialRecipient =
    'id' in request.recipient
      ? { kind: 'did', did: request.recipient.id, name: request.recipient.name }
      : { kind: 'email', email: normalizeEmail(request.recipient.email), salt: newSalt(), name: request.recipient.name };
  const issuedAt = now.toISOString().replace(/\.\d{3}Z$/, 'Z');

  const reservation = await deps.status?.reserve();
  let credential;
  try {
    const unsigned = buildOpenBadgeCredential({
      credentialId: credentialUrl(baseUrl, id),
      issuer: issuer.profile,
      achievement: toAchievement(baseUrl, framework, competency),
      recipient,
      observations: request.evidence,
      evidence: context.mastery?.evidence,
      achievedLevel,
      validFrom: issuedAt,
      validUntil: request.validUntil,
      awardedDate: issuedAt,
      credentialStatus: reservation?.entries,
    });
    // Our own builder must produce schema-valid credentials: a failure here is a bug, not bad input.
    assertOpenBadgeSchemaValid(unsigned, 'The built credential');
    credential = await issuer.sign(unsigned);
  } catch (error) {
    reservation?.release();
    throw error;
  }
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
    recipientKey: key,
    achievedLevel,
  };
  return {
    award,
    async write(tx) {
      await tx.awards.insert(award);
      await reservation?.commit(id, tx);
      await tx.audit.record({
        actor: context.actor,
        action: 'award.issued',
        subject: id,
        detail: { achievement: competency.code, credentialId: award.credentialId, suite: issuer.suite },
      });
      await context.onStored?.(award, tx);
    },
    async abandon(error) {
      reservation?.release();
      // Two concurrent retries with one key (on one node or two): the loser returns the winner's award.
      if (context.idempotencyKey && isUniqueConflict(error, 'award-idempotency-key')) {
        const winner = await replay(store, context.idempotencyKey, hash);
        if (winner) return winner;
      }
      // Two concurrent requests for one badge: the loser returns the winner's award (the same
      // request) or is refused naming it.
      if (isUniqueConflict(error, 'award-one-active-badge')) {
        const winners = await store.awards.findActive(key, competency.code);
        const winner = sameRequest(winners, hash);
        if (winner) return winner;
        refuseHeldBadge(winners, competency.code, achievedLevel);
      }
      throw error;
    },
  };
}

/** A signed award as a unit of a group commit (src/awards/groupCommit.ts), counted once stored. */
export function awardWrite(signed: SignedAward): GroupedWrite<AwardOutcome> {
  return {
    write: (tx) => signed.write(tx),
    committed: () => {
      const outcome: AwardOutcome = { award: signed.award, created: true };
      countIssued([outcome]);
      return outcome;
    },
    abandon: (error) => signed.abandon(error),
  };
}

/**
 * Stores signed awards: all in one transaction when there are several (one fsync for the group),
 * and, if that fails, each in its own so one bad award cannot take the others with it. Returns,
 * in order, each award's outcome or the error that kept it out.
 */
export async function storeAwards(store: Store, signed: readonly SignedAward[]): Promise<Array<AwardOutcome | Error>> {
  return commitTogether(store, signed.map(awardWrite));
}

export async function issueAward(deps: AwardDeps, request: AwardInput, context: AwardContext): Promise<AwardOutcome> {
  const prepared = await prepareAward(deps, request, context);
  if (!('write' in prepared)) return prepared;
  // Concurrent awards share a commit when the service has a committer (src/issuance.ts).
  if (deps.committer) return deps.committer.add(awardWrite(prepared));
  const [outcome] = await storeAwards(deps.store, [prepared]);
  if (outcome === undefined || outcome instanceof Error) throw outcome ?? new Error('The award was not stored');
  return outcome;
}
