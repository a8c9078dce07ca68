// What verification answers: a report a person can read (each check with a reason) and a
// program can switch on (each failed check with a code). Verified and trusted are two facts:
// a credential can be authentic and intact, yet from an issuer this verifier does not accept.
import type { CompetencyMatcher } from './trustPolicy.js';

/** The checks, in the order of the Open Badges 3.0 verification section. */
export const CREDENTIAL_CHECKS = ['structure', 'schema', 'proof', 'issuer', 'dates', 'status', 'recipient', 'endorsements', 'embedded', 'subject'] as const;
export type CredentialCheckName = (typeof CREDENTIAL_CHECKS)[number];

/**
 * Checks that decide `verified`; `recipient` counts only when a recipient was asked about,
 * `embedded` and `subject` only for a CLR 2.0 record (src/verify/verifyRecord.ts).
 */
export const DECISIVE_CHECKS: readonly CredentialCheckName[] = ['structure', 'schema', 'proof', 'issuer', 'dates', 'status', 'recipient', 'embedded', 'subject'];

export const PRESENTATION_CHECKS = ['presentation_structure', 'presentation_proof', 'holder_binding', 'credentials'] as const;
export type PresentationCheckName = (typeof PRESENTATION_CHECKS)[number];

export interface Check<Name extends string = string> {
  check: Name;
  passed: boolean;
  /** For people: what was found, in a sentence. */
  reason: string;
  /** For programs: why it failed (absent when passed). */
  code?: string | undefined;
  /** Check-specific facts (schema problems, status entries, ...). */
  details?: unknown;
}

export interface TrustDecision {
  trusted: boolean;
  /** Which policy rule made the issuer trusted, or why none did. */
  reason: string;
  /** `issuer` (listed directly) or `endorsement` (vouched for by a trusted endorser). */
  via?: 'issuer' | 'endorsement' | 'registry' | 'federation' | undefined;
  /** The registry or federation source (its name in the policy) that listed the issuer, when `via` is `registry` or `federation`. */
  registry?: string | undefined;
  /** The issuer's federation entity, the anchor its trust chain ends at and when the chain expires, when `via` is `federation`. */
  federation?: { entity: string; trustAnchor: string; expiresAt: string } | undefined;
  /** The DID of the trusted endorser when `via` is `endorsement`. */
  endorser?: string | undefined;
  /**
   * The competencies of the trusted party's scope that admitted the badge (absent: the party
   * is trusted for everything); an approval counts the badge only for a requirement naming it so.
   */
  scope?: CompetencyMatcher[] | undefined;
  /** The name of the policy that decided. */
  policy?: string | undefined;
}

export interface CredentialSummary {
  id?: string | undefined;
  type: string[];
  issuer?: { id: string; name?: string | undefined } | undefined;
  /** `credentialSubject.id`, when the subject is identified by a URI (a DID). */
  subject?: string | undefined;
  achievement?:
    | {
        id?: string | undefined;
        name?: string | undefined;
        humanCode?: string | undefined;
        /** OB 3.0 AchievementType (`License` for a licence, `Certificate` for a program record, ...). */
        achievementType?: string | undefined;
        /** Where the achievement aligns in shared frameworks: trust scopes and approval rules match on these. */
        alignment?: Array<{ targetUrl?: string | undefined; targetCode?: string | undefined; targetName?: string | undefined }> | undefined;
      }
    | undefined;
  validFrom?: string | undefined;
  validUntil?: string | undefined;
  /** The Achievement's `achievementType` (e.g. `Competency`, `MicroCredential`). */
  achievementType?: string | undefined;
  /** The rubric level the badge was awarded at (`result[].achievedLevel` found in the achievement's rubric), with its rank (1 = first). */
  achievedLevel?: { id: string; name?: string | undefined; rank?: number | undefined } | undefined;
  /** The names of the levels of the rubric the badge was awarded on, in order (rank 1 first). */
  rubric?: string[] | undefined;
  /** The recipient's name as the badge states it (an unhashed `name` identifier, or `credentialSubject.name`). */
  subjectName?: string | undefined;
}

/** The answer narrowed to the VC-API `options.checks` asked for: only these checks decided it. */
export interface RequestedChecks {
  checks: string[];
  verified: boolean;
}

export interface CredentialReport {
  /** Every check passed (`recipient` only when asked): what trust, approvals and pages decide on. */
  verified: boolean;
  /** Present when `options.checks` narrowed the VC-API answer. */
  requested?: RequestedChecks | undefined;
  summary: CredentialSummary;
  checks: Array<Check<CredentialCheckName>>;
  warnings: string[];
  /** Each embedded EndorsementCredential, verified the same way. */
  endorsements: CredentialReport[];
  trust: TrustDecision;
  /** A CLR 2.0 record: each credential inside it, verified as a badge is (against its own issuer). */
  embedded?: CredentialReport[] | undefined;
}

export interface RequirementResult {
  requirement: string;
  name?: string | undefined;
  satisfied: boolean;
  /** The credential that satisfied it, or why none did. */
  credentialId?: string | undefined;
  reason: string;
}

/** One credential in a credit tally: the points it brought, or why it brought none. */
export interface CreditEntry {
  credentialId?: string | undefined;
  achievement?: string | undefined;
  points: number;
  counted: boolean;
  reason: string;
}

export interface CreditTally {
  required: number;
  earned: number;
  entries: CreditEntry[];
}

export interface ApprovalDecision {
  rule: string;
  name?: string | undefined;
  approved: boolean;
  /** The recipient the approval is for (the presentation's holder, or the badges' subject). */
  recipient?: string | undefined;
  requirements: RequirementResult[];
  /** The requirements not met, with reasons: empty when approved. */
  missing: RequirementResult[];
  /** The rule's credit tally (rules with `credits`): what counted, for how many points, and why the rest did not. */
  credits?: CreditTally | undefined;
}

export interface PresentationReport {
  verified: boolean;
  /** Present when `options.checks` narrowed the VC-API answer (for each credential). */
  requested?: RequestedChecks | undefined;
  holder?: string | undefined;
  checks: Array<Check<PresentationCheckName>>;
  warnings: string[];
  credentials: CredentialReport[];
  approval?: ApprovalDecision | undefined;
}

export const passed = <Name extends string>(check: Name, reason: string, details?: unknown): Check<Name> =>
  details === undefined ? { check, passed: true, reason } : { check, passed: true, reason, details };

export const failed = <Name extends string>(check: Name, code: string, reason: string, details?: unknown): Check<Name> =>
  details === undefined ? { check, passed: false, code, reason } : { check, passed: false, code, reason, details };
