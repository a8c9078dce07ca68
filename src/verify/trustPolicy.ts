// A verifier's trust policy: the file a state's credentialing office maintains. It names the
// issuers it accepts directly, the endorsing authorities (state agencies) whose endorsement of
// an issuer makes that issuer accepted, optionally limited to some competencies, and the
// approval rules it decides with. No registry is asked: the policy and the credentials decide.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BUILT_IN_FRAMEWORK } from '../competencies/framework.js';
import { ConfigError } from '../config.js';
import { parseDuration } from './duration.js';
import { FederationSourceSchema } from './federation.js';
import { TrustRegistrySchema } from './trustRegistries.js';

const matcherFields = {
  /** The framework code of the competency: the Achievement's `humanCode` (with none: its only alignment's `#code`). */
  code: z.string().min(1).optional(),
  /** An exact Achievement `id`. */
  achievement: z.string().min(1).optional(),
  /** An exact alignment `targetUrl`: the framework node the Achievement is (see frameworkAlignments). */
  alignment: z.string().min(1).optional(),
  /** How people call it, for reports. */
  name: z.string().min(1).optional(),
};
const namesCompetency = (m: { code?: string | undefined; achievement?: string | undefined; alignment?: string | undefined }): boolean =>
  m.code !== undefined || m.achievement !== undefined || m.alignment !== undefined;
const NAME_IT = { message: 'name the competency by "code", "achievement" or "alignment"' };

/** Names a competency across issuers: each program serves the framework at its own URL. */
export const CompetencyMatcherSchema = z.strictObject(matcherFields).refine(namesCompetency, NAME_IT);

/**
 * A requirement of an approval rule: a competency, and optionally the rubric level the badge
 * must have been awarded at or above (`minLevel: "exemplary"`: deeper mastery), read in the
 * badge's own rubric (OB 3.0 `RubricCriterionLevel`, ordered).
 */
export const RequirementSchema = z.strictObject({ ...matcherFields, minLevel: z.string().min(1).optional() }).refine(namesCompetency, NAME_IT);

export type Requirement = z.infer<typeof RequirementSchema>;

export type CompetencyMatcher = z.infer<typeof CompetencyMatcherSchema>;

const TrustedPartySchema = z.strictObject({
  /** A DID, or the https URL some OB 3.0 issuers use as their id. */
  id: z.string().regex(/^(did:[a-z0-9]+:\S+|https:\/\/\S+)$/, 'must be a DID or an https URL'),
  name: z.string().min(1).optional(),
  /** Only these competencies are accepted from (or through) this party; absent: all. */
  scope: z.array(CompetencyMatcherSchema).min(1).optional(),
});

export type TrustedParty = z.infer<typeof TrustedPartySchema>;

/** Which credentials a credit entry prices: every field given must match (achievement id, achievementType, issuer id). */
const CreditMatchSchema = z
  .strictObject({ achievement: z.string().min(1).optional(), achievementType: z.string().min(1).optional(), issuer: z.string().min(1).optional() })
  .refine((m) => m.achievement !== undefined || m.achievementType !== undefined || m.issuer !== undefined, { message: 'match on "achievement", "achievementType" or "issuer"' });

export type CreditMatch = z.infer<typeof CreditMatchSchema>;

/**
 * Professional-development credit: points per credential (the first entry that matches prices
 * it), a total needed; each achievement counts once, however many badges attest it.
 */
const CreditsSchema = z.strictObject({
  perCredential: z.array(z.strictObject({ match: CreditMatchSchema, points: z.number().positive().max(10_000), name: z.string().min(1).optional() })).min(1),
  required: z.number().positive().max(1_000_000),
});

export type CreditRule = z.infer<typeof CreditsSchema>;


const RULE_ID = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes');

/** The competencies a presentation must show, each by a verified, trusted badge (or a record holding one). */
const CompetencyRuleSchema = z
  .strictObject({
    id: RULE_ID,
    name: z.string().min(1),
    description: z.string().optional(),
    kind: z.literal('competencies').optional(),
    requires: z.array(RequirementSchema).default([]),
    /** ISO 8601 duration: only badges whose `validFrom` falls within it, back from the decision, count (`P5Y`). */
    earnedWithin: z.string().refine((d) => parseDuration(d) !== undefined, 'must be an ISO 8601 duration such as P5Y, P18M or P90D').optional(),
    credits: CreditsSchema.optional(),
  })
  .refine((r) => r.requires.length > 0 || r.credits !== undefined, { message: 'a rule needs "requires" (competencies) or "credits" (points), or both' });

/**
 * The interstate rule: a licence credential (achievementType `License`) of a listed class from
 * a trusted state agency, unencumbered (not revoked, not suspended, not expired), held by the
 * presenter, as the Interstate Teacher Mobility Compact grants the closest equivalent licence to
 * an unencumbered licence holder of a member state.
 */
const InterstateRuleSchema = z.strictObject({
  id: RULE_ID,
  name: z.string().min(1),
  description: z.string().optional(),
  kind: z.literal('interstate'),
  /** The licence classes accepted: the licence Achievement's `humanCode`. */
  licenseClasses: z.array(z.string().min(1)).min(1),
});

const ApprovalRuleSchema = z.union([CompetencyRuleSchema, InterstateRuleSchema]);

export type CompetencyRule = z.infer<typeof CompetencyRuleSchema>;
export type InterstateRule = z.infer<typeof InterstateRuleSchema>;
export type ApprovalRule = CompetencyRule | InterstateRule;

export const isInterstateRule = (rule: ApprovalRule): rule is InterstateRule => rule.kind === 'interstate';

export const TrustPolicySchema = z.strictObject({
  name: z.string().min(1).default('trust policy'),
  trustedIssuers: z.array(TrustedPartySchema).default([]),
  trustedEndorsers: z.array(TrustedPartySchema).default([]),
  approvalRules: z.array(ApprovalRuleSchema).default([]),
  /**
   * Trust sources this verifier accepts: DCC issuer registries (src/verify/trustRegistries.ts)
   * and OpenID Federation trust anchors (src/verify/federation.ts); an issuer they list is trusted.
   */
  registries: z.array(z.discriminatedUnion('format', [TrustRegistrySchema, FederationSourceSchema])).optional(),
});

export type TrustPolicy = z.infer<typeof TrustPolicySchema>;

/** A configuration file the operator can fix: reported as a message, not a crash. */
export class TrustPolicyError extends ConfigError {}

const competency = (code: string) => {
  const found = BUILT_IN_FRAMEWORK.competencies.find((c) => c.code === code);
  if (!found) throw new Error(`built-in rule names unknown competency ${code}`);
  return { code, name: `${found.number}. ${found.name}` };
};

/**
 * The rule DESIGN.md names: online-teaching approval needs competency 7 (personalized, blended
 * and online learning) plus 1, 3 and 5. Available in every policy unless it defines its own
 * rule with the same id.
 */
export const BUILT_IN_RULES: readonly CompetencyRule[] = [
  {
    id: 'online-teaching',
    name: 'Online teaching approval',
    description: 'Competency 7 (personalized, blended and online learning) plus competencies 1, 3 and 5, each mastered and held by the presenter.',
    requires: ['personalized-blended-online', 'differentiated-support', 'formative-assessment', 'data-informed-instruction'].map(competency),
  },
];

export function parseTrustPolicy(value: unknown, source = 'trust policy'): TrustPolicy {
  const parsed = TrustPolicySchema.safeParse(value);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new TrustPolicyError(`${source} is not a valid trust policy:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

/** Reads a trust policy file: YAML (`.yaml`, `.yml`) or JSON (anything else). */
export function loadTrustPolicy(file: string): TrustPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new TrustPolicyError(`Cannot read the trust policy ${file}: ${(cause as Error).message}`, { cause });
  }
  const yaml = /\.ya?ml$/i.test(file);
  let value: unknown;
  try {
    value = yaml ? parseYaml(text, { maxAliasCount: 100 }) : JSON.parse(text);
  } catch (cause) {
    throw new TrustPolicyError(`The trust policy ${file} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(cause as Error).message}`, { cause });
  }
  return parseTrustPolicy(value, file);
}

/** A policy's rules with the built-in ones it does not redefine. */
export function approvalRules(policy: TrustPolicy): ApprovalRule[] {
  const own = new Set(policy.approvalRules.map((r) => r.id));
  return [...policy.approvalRules, ...BUILT_IN_RULES.filter((r) => !own.has(r.id))];
}

/** The policy a service uses when none is configured: it trusts its own issuer, nobody else. */
export function selfTrustPolicy(issuer: { id: string; name: string }): TrustPolicy {
  return {
    name: `default policy of ${issuer.name} (trusts only its own issuer; set EDUCRED_TRUST_POLICY)`,
    trustedIssuers: [{ id: issuer.id, name: issuer.name }],
    trustedEndorsers: [],
    approvalRules: [],
    registries: [],
  };
}

export const EMPTY_TRUST_POLICY: TrustPolicy = { name: 'no trust policy (no issuer is trusted)', trustedIssuers: [], trustedEndorsers: [], approvalRules: [], registries: [] };


/** The parts of an Achievement a matcher reads (as verification summarizes it). */
export interface AchievementRef {
  id?: string | undefined;
  humanCode?: string | undefined;
  alignment?: Array<{ targetUrl?: string | undefined }> | undefined;
}

/**
 * The framework nodes an achievement *is*, as its issuer's framework states it: the alignments
 * naming its own code (`…#<humanCode>`, as educred's achievements align to the framework they
 * come from), or, for an achievement with no humanCode, its one alignment. Other alignments a
 * badge lists are related competencies, not what it attests: they never count (OB 3.0
 * `Alignment` is "an alignment to a framework", which a badge may list for anything).
 */
export function frameworkAlignments(achievement: AchievementRef): string[] {
  const targets = (achievement.alignment ?? []).map((a) => a.targetUrl).filter((t): t is string => typeof t === 'string');
  if (achievement.humanCode !== undefined) return targets.filter((t) => t.endsWith(`#${achievement.humanCode}`));
  return targets.length === 1 ? targets : [];
}

/** The code an achievement is: its humanCode, or with none the `#code` of its one framework alignment. */
function codeOf(achievement: AchievementRef): string | undefined {
  if (achievement.humanCode !== undefined) return achievement.humanCode;
  const [only] = frameworkAlignments(achievement);
  const hash = only?.indexOf('#') ?? -1;
  return only !== undefined && hash >= 0 && hash < only.length - 1 ? only.slice(hash + 1) : undefined;
}

/**
 * The names under which a matcher matches an achievement (none: it does not): `id:<id>` for
 * its own id, `code:<code>` for its code, and for a framework alignment the code it names (or
 * `alignment:<url>` when it names none). A badge attests one achievement: a matcher names it by
 * its own id, its humanCode, or its framework alignment (above), never by any other alignment
 * it lists. Trust scopes and requirements that match under a shared name name the same thing.
 */
export function matchedNames(achievement: AchievementRef | undefined, matcher: CompetencyMatcher): string[] {
  if (!achievement) return [];
  const names: string[] = [];
  const code = codeOf(achievement);
  if (matcher.achievement !== undefined && achievement.id === matcher.achievement) names.push(`id:${achievement.id}`);
  if (matcher.code !== undefined && code === matcher.code) names.push(`code:${code}`);
  if (matcher.alignment !== undefined && frameworkAlignments(achievement).includes(matcher.alignment)) names.push(code !== undefined ? `code:${code}` : `alignment:${matcher.alignment}`);
  return names;
}

/** True when an Achievement (as embedded in a badge) is the competency a matcher names. */
export function matchesCompetency(achievement: AchievementRef | undefined, matcher: CompetencyMatcher): boolean {
  return matchedNames(achievement, matcher).length > 0;
}

/** True when two matchers name an achievement under a shared name (a scope covers a requirement). */
export function sameCompetency(achievement: AchievementRef | undefined, a: CompetencyMatcher, b: CompetencyMatcher): boolean {
  const names = new Set(matchedNames(achievement, a));
  return matchedNames(achievement, b).some((n) => names.has(n));
}

export const describeMatcher = (m: CompetencyMatcher): string => m.name ?? m.code ?? m.achievement ?? m.alignment ?? 'competency';

/** True when a party's scope (absent: everything) covers an achievement. */
export function inScope(party: TrustedParty, achievement: AchievementRef | undefined): boolean {
  return party.scope === undefined || party.scope.some((m) => matchesCompetency(achievement, m));
}

/** The matchers of a party's scope that admit an achievement (undefined: the party is not scoped). */
export function admittingScope(party: TrustedParty, achievement: AchievementRef | undefined): CompetencyMatcher[] | undefined {
  return party.scope?.filter((m) => matchesCompetency(achievement, m));
}
