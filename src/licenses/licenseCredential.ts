// Builds the unsigned licence a state agency issues on an approval: an Open Badges 3.0
// OpenBadgeCredential whose Achievement has `achievementType: "License"` (OB 3.0 §B.1.3
// AchievementType), names the licence class (`humanCode`) and the issuing agency, and whose
// evidence summarizes what was verified: each credential's id, type and issuer, the approval
// rule and its decision, and the verification time. Its status entries let the agency revoke
// it, or suspend it while under investigation.
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA, OB_EXTENSIONS_CONTEXT, OB_SCHEMA_VALIDATOR_TYPE, OB_V3_CONTEXT, VC_V2_CONTEXT, type CredentialRecipient, type IssuerProfile } from '../credentials/openBadge.js';
import { emailIdentity, nameIdentity } from '../credentials/recipient.js';
import type { Json } from '../credentials/jsonValues.js';
import { credentialStatusValue } from '../status/entries.js';
import type { ApprovalDecision, CredentialReport } from '../verify/report.js';

export const LICENSE_ACHIEVEMENT_TYPE = 'License';
export const licenseClassUrl = (baseUrl: string, code: string): string => `${baseUrl}/licenses/classes/${encodeURIComponent(code)}`;

export interface LicenseClass {
  code: string;
  name: string;
  description?: string | undefined;
}

export interface LicenseInput {
  credentialId: string;
  issuer: IssuerProfile;
  baseUrl: string;
  license: LicenseClass;
  recipient: CredentialRecipient;
  decision: ApprovalDecision;
  /** The reports of the credentials verified (a presentation's, or the one credential). */
  verified: readonly CredentialReport[];
  verifiedAt: string;
  validFrom: string;
  validUntil?: string | undefined;
  credentialStatus?: unknown[] | undefined;
}

const describeCredential = (r: CredentialReport): string =>
  `${r.summary.id ?? 'a credential without id'} (${r.summary.type.filter((t) => t !== 'VerifiableCredential').join(', ') || 'VerifiableCredential'}) issued by ${r.summary.issuer?.name ? `${r.summary.issuer.name}, ` : ''}${r.summary.issuer?.id ?? 'an unnamed issuer'}${r.embedded ? `, holding ${r.embedded.length} credentials: ${r.embedded.map((e) => `${e.summary.id ?? 'no id'} by ${e.summary.issuer?.id ?? 'an unnamed issuer'}`).join('; ')}` : ''}`;

/** The evidence entry: what the agency verified, under which rule, with what decision, when. */
export function verificationEvidence(input: Pick<LicenseInput, 'decision' | 'verified' | 'verifiedAt' | 'issuer'>): Json {
  const { decision } = input;
  const lines = [
    `Verified by ${input.issuer.name} at ${input.verifiedAt}.`,
    ...input.verified.map((r) => `- Credential ${describeCredential(r)}: ${r.verified ? 'verified' : 'not verified'}.`),
    `Approval rule '${decision.rule}'${decision.name ? ` (${decision.name})` : ''}: ${decision.approved ? 'approved' : 'refused'}${decision.recipient ? ` for ${decision.recipient}` : ''}.`,
    ...decision.requirements.map((q) => `- ${q.requirement}: ${q.satisfied ? 'met' : 'not met'}. ${q.reason}`),
  ];
  return {
    type: ['Evidence'],
    name: `Verification under rule '${decision.rule}'`,
    description: `${input.verified.length} credential${input.verified.length === 1 ? '' : 's'} verified at ${input.verifiedAt}; rule '${decision.rule}' ${decision.approved ? 'approved' : 'refused'} the application.`,
    narrative: lines.join('\n'),
    genre: 'Credential verification',
  };
}

export function buildLicenseCredential(input: LicenseInput): Json {
  const { license, recipient, issuer } = input;
  const id = licenseClassUrl(input.baseUrl, license.code);
  const identifiers = recipient.kind === 'email' ? [emailIdentity(recipient.email, recipient.salt), nameIdentity(recipient.name)] : recipient.name ? [nameIdentity(recipient.name)] : [];
  return {
    '@context': [VC_V2_CONTEXT, OB_V3_CONTEXT, OB_EXTENSIONS_CONTEXT],
    id: input.credentialId,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: `${license.name} (${issuer.name})`,
    description: `${license.name}, a licence of class '${license.code}' issued by ${issuer.name} after verifying the applicant's credentials under its rule '${input.decision.rule}'.`,
    issuer,
    validFrom: input.validFrom,
    ...(input.validUntil ? { validUntil: input.validUntil } : {}),
    awardedDate: input.validFrom,
    credentialSubject: {
      ...(recipient.kind === 'did' ? { id: recipient.did } : {}),
      type: ['AchievementSubject'],
      ...(identifiers.length > 0 ? { identifier: identifiers } : {}),
      achievement: {
        id,
        type: ['Achievement'],
        achievementType: LICENSE_ACHIEVEMENT_TYPE,
        name: license.name,
        description: license.description ?? `${license.name}, issued by ${issuer.name}.`,
        humanCode: license.code,
        creator: { id: issuer.id, type: ['Profile'], name: issuer.name },
        criteria: { id: `${id}#criteria`, narrative: `Issued by ${issuer.name} when an application meets its approval rule '${input.decision.rule}'${input.decision.name ? ` (${input.decision.name})` : ''}.` },
      },
    },
    evidence: [verificationEvidence(input)],
    ...(input.credentialStatus && input.credentialStatus.length > 0 ? { credentialStatus: credentialStatusValue(input.credentialStatus) } : {}),
    credentialSchema: [{ id: OB_ACHIEVEMENT_CREDENTIAL_SCHEMA, type: OB_SCHEMA_VALIDATOR_TYPE }],
  };
}
