// The award path for badges counted from recorded evidence: the same prepareAward/storeAwards as
// POST /awards (one badge per recipient, achievement and level, the schema gate, signing, status
// entries, the audit row), with the level judged over the history and the evidence entries of
// what was counted. Inside the award's transaction it records what the badge counted and checks
// that none of it was withdrawn meanwhile; the claim link is made there too, and the claim email
// queued when mail is configured and the educator has an email.
import { AwardExistsError, IdempotencyConflictError } from '../awards/errors.js';
import { issueAward, type AwardDeps } from '../awards/issueAward.js';
import { addClaimLink, claimLinkFields, ensureClaimLink, type ClaimLinkDeps } from '../claims/claimLink.js';
import { asInlineObservations, masteryEvidence } from '../credentials/masteryEvidence.js';
import type { FrameworkCatalog } from '../competencies/frameworkCatalog.js';
import type { MailDelivery } from '../mail/delivery.js';
import { autoIssueRecords } from '../programs/issueRecord.js';
import type { MasteryAwarder } from './masteryRecords.js';

/** Another request recorded this badge first, or a counted record was withdrawn meanwhile: nothing is awarded here. */
class AwardNotMadeError extends Error {}

export interface MasteryAwarderDeps extends Omit<AwardDeps, 'framework'>, ClaimLinkDeps {
  mail?: MailDelivery | undefined;
  /** Who the audit row names (the token that recorded the observation). */
  actor: string;
  /**
   * The loaded frameworks: with them, a new badge that meets the last requirement of a program
   * with `autoIssue` issues the educator's program record in the same request (src/programs/).
   */
  catalog?: FrameworkCatalog | undefined;
}

export function masteryAwarder(deps: MasteryAwarderDeps): MasteryAwarder {
  return async ({ educator, framework, competency, level, counted }) => {
    const recipient = educator.did ? { id: educator.did, name: educator.name } : { email: educator.email as string, name: educator.name };
    const observationIds = counted.observations.map((c) => c.observation.id);
    const assessmentIds = counted.assessments.map((a) => a.id);
    const notify = deps.mail !== undefined && educator.email !== undefined;
    try {
      const outcome = await issueAward(
        { ...deps, framework },
        { recipient, achievement: competency.code, evidence: asInlineObservations(counted) },
        {
          actor: deps.actor,
          // One automatic badge per educator, achievement and level: racing requests share the key.
          idempotencyKey: `mastery:${educator.id}:${competency.code}:${level}`,
          mastery: { achievedLevel: level, evidence: masteryEvidence(counted) },
          onStored: async (award, tx) => {
            if ((await tx.educators.withdrawnAmong(observationIds, assessmentIds)).length > 0) throw new AwardNotMadeError('a counted record was withdrawn');
            const recorded = await tx.educators.addMasteryAward({ awardId: award.id, educatorId: educator.id, achievement: competency.code, level, observationIds, assessmentIds }, award.createdAt);
            if (!recorded) throw new AwardNotMadeError('another request recorded this badge');
            await addClaimLink(deps, award.id, tx);
            if (notify) await tx.mail.queueClaimEmail(award.id);
          },
        },
      );
      if (!outcome.created) return { awardId: outcome.award.id, claimUrl: null, created: false };
      if (notify) deps.mail?.wake();
      const claimUrl = claimLinkFields(await ensureClaimLink(deps, outcome.award.id)).claimUrl;
      const records = deps.catalog ? await autoIssueRecords({ ...deps, catalog: deps.catalog }, educator, competency.code, deps.actor) : [];
      const issued = await Promise.all(records.map(async (r) => ({ id: r.record.id, program: r.row.programCode, claimUrl: claimLinkFields(await ensureClaimLink(deps, r.record.id)).claimUrl })));
      return { awardId: outcome.award.id, claimUrl, created: true, ...(issued.length > 0 ? { records: issued } : {}) };
    } catch (error) {
      // A racing request won (the same key with other counted evidence, or the badge held from
      // another request such as an inline POST /awards): that badge stands, none is made here.
      if (error instanceof AwardNotMadeError || error instanceof IdempotencyConflictError) return { awardId: '', claimUrl: null, created: false };
      if (error instanceof AwardExistsError) return { awardId: error.existing.id, claimUrl: null, created: false };
      throw error;
    }
  };
}
