// Builds the unsigned Open Badges 3.0 `OpenBadgeCredential` for one mastered competency:
// VC Data Model 2.0 envelope, issuer Profile, AchievementSubject with the achievement and the
// rubric result, the observations as evidence, and the 1EdTech JSON Schema it conforms to.
import type { Observation } from '../competencies/mastery.js';
import { rubricId, rubricLevelId, type Achievement } from './achievement.js';
import { emailIdentity, nameIdentity, type IdentityObject } from './recipient.js';
import { credentialStatusValue } from '../status/entries.js';

export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const VC_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
export const OB_V3_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
/** Defines `1EdTechJsonSchemaValidator2019`, which the 3.0.3 context does not. */
export const OB_EXTENSIONS_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json';
export const OB_ACHIEVEMENT_CREDENTIAL_SCHEMA =
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';
export const OB_SCHEMA_VALIDATOR_TYPE = '1EdTechJsonSchemaValidator2019';

export interface IssuerProfile {
  id: string;
  type: ['Profile'];
  name: string;
  url?: string;
  endorsement?: unknown[];
}

export type CredentialRecipient =
  | { kind: 'did'; did: string; name?: string | undefined }
  | { kind: 'email'; email: string; salt: string; name: string };

export interface OpenBadgeInput {
  credentialId: string;
  issuer: IssuerProfile;
  achievement: Achievement;
  recipient: CredentialRecipient;
  observations: readonly Observation[];
  /**
   * The evidence entries, when the award was counted from recorded observations and assessments
   * (src/competencies/masteryEvidence.ts); absent, `observations` become the evidence as they always did.
   */
  evidence?: readonly Record<string, unknown>[] | undefined;
  /** A rubric level code of the achievement's rubric. */
  achievedLevel: string;
  validFrom: string;
  validUntil?: string | undefined;
  awardedDate: string;
  credentialStatus?: unknown[] | undefined;
}

function recipientIdentifiers(recipient: CredentialRecipient): IdentityObject[] {
  if (recipient.kind === 'email') return [emailIdentity(recipient.email, recipient.salt), nameIdentity(recipient.name)];
  return recipient.name ? [nameIdentity(recipient.name)] : [];
}

function observationEvidence(observation: Observation, index: number): Record<string, unknown> {
  return {
    ...(observation.url ? { id: observation.url } : {}),
    type: ['Evidence'],
    name: `Observation ${index + 1} (${observation.date})`,
    description: `Observed on ${observation.date} by ${observation.observer}; rated '${observation.level}' on the rubric.`,
    ...(observation.narrative ? { narrative: observation.narrative } : {}),
    genre: 'Classroom observation',
  };
}

export function buildOpenBadgeCredential(input: OpenBadgeInput): Record<string, unknown> {
  const { achievement, recipient } = input;
  const identifiers = recipientIdentifiers(recipient);
  return {
    '@context': [VC_V2_CONTEXT, OB_V3_CONTEXT, OB_EXTENSIONS_CONTEXT],
    id: input.credentialId,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: achievement.name,
    description: `Awarded for demonstrated mastery of '${achievement.name}', observed against the competency rubric.`,
    issuer: input.issuer,
    validFrom: input.validFrom,
    ...(input.validUntil ? { validUntil: input.validUntil } : {}),
    awardedDate: input.awardedDate,
    credentialSubject: {
      ...(recipient.kind === 'did' ? { id: recipient.did } : {}),
      type: ['AchievementSubject'],
      ...(identifiers.length > 0 ? { identifier: identifiers } : {}),
      achievement,
      result: [
        {
          type: ['Result'],
          resultDescription: rubricId(achievement.id),
          achievedLevel: rubricLevelId(achievement.id, input.achievedLevel),
        },
      ],
    },
    evidence: input.evidence ? [...input.evidence] : input.observations.map(observationEvidence),
    ...(input.credentialStatus && input.credentialStatus.length > 0 ? { credentialStatus: credentialStatusValue(input.credentialStatus) } : {}),
    credentialSchema: [{ id: OB_ACHIEVEMENT_CREDENTIAL_SCHEMA, type: OB_SCHEMA_VALIDATOR_TYPE }],
  };
}
