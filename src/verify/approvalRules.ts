// Approval rules turn a set of verified badges into a decision: "online teaching approval needs
// competencies 7, 1, 3 and 5", each satisfied by a badge that is verified by every check (which
// includes not revoked, not suspended, not expired), from a trusted issuer, and held by the same
// person. A badge attests one achievement, so it satisfies at most one requirement.
import { tallyCredits } from './credits.js';
import { describeDuration, parseDuration, subtractDuration } from './duration.js';
import { failed, type ApprovalDecision, type CredentialReport, type RequirementResult } from './report.js';
import { describeMatcher, isInterstateRule, matchesCompetency, sameCompetency, type ApprovalRule, type CompetencyMatcher, type CompetencyRule, type InterstateRule, type Requirement } from './trustPolicy.js';
import { recordItselfHolds } from './verifyRecord.js';

/** The subject most verified badges are about: whom a loose set of badges can approve. */
function commonSubject(reports: CredentialReport[]): string | undefined {
  const counts = new Map<string, number>();
  for (const r of reports) if (r.verified && r.summary.subject) counts.set(r.summary.subject, (counts.get(r.summary.subject) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

const failureOf = (r: CredentialReport): string => {
  const failure = r.checks.find((c) => !c.passed && c.check !== 'endorsements');
  return failure ? failure.reason.replace(/\.$/, '') : 'it does not verify';
};

/**
 * Assigns badges to requirements so that as many requirements as possible are met and each
 * badge meets at most one (a badge attests one achievement): a maximum bipartite matching
 * (augmenting paths; a rule has a handful of requirements, a presentation at most 100 badges).
 * Returns, per requirement, the index of the report assigned to it.
 */
function assignBadges(usable: number[][]): Map<number, number> {
  const owner = new Map<number, number>();
  const assign = (requirement: number, seen: Set<number>): boolean => {
    for (const badge of usable[requirement] ?? []) {
      if (seen.has(badge)) continue;
      seen.add(badge);
      const current = owner.get(badge);
      if (current === undefined || assign(current, seen)) {
        owner.set(badge, requirement);
        return true;
      }
    }
    return false;
  };
  usable.forEach((_, requirement) => assign(requirement, new Set()));
  return new Map([...owner.entries()].map(([badge, requirement]) => [requirement, badge]));
}

/**

 * The credentials a rule reads: each presented one, and the badges inside each CLR 2.0 record
 * (a record stands in for its badges). A badge inside a record whose own proof, status or
 * subject fails cannot count, whatever it is on its own.
 */
function withRecordContents(reports: CredentialReport[]): CredentialReport[] {
  return reports.flatMap((r) => {
    if (!r.embedded) return [r];
    // The record's subject check passed: a badge naming its recipient by hashed email is about the record's subject.
    if (recordItselfHolds(r)) return [r, ...r.embedded.map((e) => ({ ...e, summary: { ...e.summary, subject: e.summary.subject ?? r.summary.subject } }))];
    const why = (r.checks.find((c) => !c.passed && c.check !== 'embedded' && c.check !== 'endorsements')?.reason ?? 'it does not verify').replace(/\.$/, '');
    const refused = (e: CredentialReport): CredentialReport => ({ ...e, verified: false, checks: [...e.checks, failed('embedded', 'record_not_verified', `The record ${r.summary.id ?? ''} holding it does not verify: ${why}.`)] });
    return [r, ...r.embedded.map(refused)];
  });
}

export function evaluateApprovalRule(rule: ApprovalRule, presented: CredentialReport[], recipient?: string, now = new Date()): ApprovalDecision {
  const reports = withRecordContents(presented);
  return isInterstateRule(rule) ? evaluateInterstateRule(rule, reports, recipient) : evaluateCompetencyRule(rule, reports, recipient, now);
}

const LICENSE_TYPE = 'License';

/** The interstate rule (src/verify/trustPolicy.ts): one unencumbered licence of a listed class from a trusted agency, held by the presenter. */
function evaluateInterstateRule(rule: InterstateRule, reports: CredentialReport[], recipient?: string): ApprovalDecision {
  const subject = recipient ?? commonSubject(reports);
  const requirement = `an unencumbered licence of class ${rule.licenseClasses.join(' or ')} from a trusted state agency`;
  const decide = (result: Omit<RequirementResult, 'requirement'>): ApprovalDecision => {
    const requirements = [{ requirement, ...result }];
    return { rule: rule.id, name: rule.name, approved: result.satisfied, recipient: subject, requirements, missing: result.satisfied ? [] : requirements };
  };
  const licences = reports.filter((r) => r.summary.achievement?.achievementType === LICENSE_TYPE);
  if (licences.length === 0) return decide({ satisfied: false, reason: 'No licence credential (an achievement of type License) was presented.' });
  const listed = licences.filter((r) => rule.licenseClasses.includes(r.summary.achievement?.humanCode ?? ''));
  if (listed.length === 0) {
    return decide({ satisfied: false, reason: `No licence of a listed class was presented (presented: ${licences.map((r) => r.summary.achievement?.humanCode ?? r.summary.achievement?.name ?? 'unnamed').join(', ')}).` });
  }
  const good = listed.find((r) => r.verified && r.trust.trusted && subject !== undefined && r.summary.subject === subject);
  if (good) {
    return decide({ satisfied: true, credentialId: good.summary.id, reason: `Satisfied by ${good.summary.id ?? 'a licence'} (${good.summary.achievement?.name ?? 'licence'}) from ${good.summary.issuer?.name ?? good.summary.issuer?.id}: not revoked, not suspended, not expired.` });
  }
  const encumbered = listed.find((r) => !r.verified);
  const untrusted = listed.find((r) => r.verified && !r.trust.trusted);
  const elsewhere = listed.find((r) => r.verified && r.trust.trusted);
  const [credential, why] = encumbered
    ? [encumbered, `it is encumbered or does not verify: ${failureOf(encumbered)}`]
    : untrusted
      ? [untrusted, `its issuer is not a trusted state agency: ${untrusted.trust.reason.replace(/\.$/, '')}`]
      : [elsewhere, `it was issued to ${elsewhere?.summary.subject ?? 'a hashed identifier'}, not to ${subject ?? 'the presenter'}`];
  return decide({ satisfied: false, credentialId: credential?.summary.id, reason: `The licence ${credential?.summary.id ?? ''} does not count: ${why}.` });
}

/**
 * `earnedWithin`: why a badge falls outside the rule's window (undefined: inside, or no window).
 * A badge with no `validFrom` cannot show when it was earned, so it does not count.
 */
export function outsideWindow(rule: Pick<CompetencyRule, 'earnedWithin'>, r: CredentialReport, now: Date): string | undefined {
  const duration = rule.earnedWithin === undefined ? undefined : parseDuration(rule.earnedWithin);
  if (!duration) return undefined;
  const since = subtractDuration(now, duration);
  const earned = r.summary.validFrom === undefined ? Number.NaN : Date.parse(r.summary.validFrom);
  if (Number.isNaN(earned)) return 'it states no date it was earned (validFrom)';
  if (earned < since.getTime()) return `it was earned on ${r.summary.validFrom?.slice(0, 10)}, before the last ${describeDuration(duration)} (since ${since.toISOString().slice(0, 10)})`;
  return undefined;
}

/**
 * `minLevel`: why a badge's level is not deep enough (undefined: it is, or no level is asked).
 * The level is compared in the badge's own rubric, by rank.
 */
function belowLevel(requirement: Requirement, r: CredentialReport): string | undefined {
  if (requirement.minLevel === undefined) return undefined;
  const achieved = r.summary.achievedLevel;
  if (!achieved?.rank) return `it states no rubric level, and this rule needs '${requirement.minLevel}'`;
  const needed = (r.summary.rubric ?? []).indexOf(requirement.minLevel) + 1;
  if (needed === 0) return `its rubric has no level '${requirement.minLevel}'`;
  if (achieved.rank < needed) return `it was awarded at '${achieved.name ?? achieved.id}', and this rule needs '${requirement.minLevel}' or deeper`;
  return undefined;
}

function evaluateCompetencyRule(rule: CompetencyRule, reports: CredentialReport[], recipient: string | undefined, now: Date): ApprovalDecision {
  const subject = recipient ?? commonSubject(reports);
  // A badge trusted through a scope counts only for a requirement that names it as the scope does.
  const covered = (r: CredentialReport, matcher: CompetencyMatcher): boolean => r.trust.scope === undefined || r.trust.scope.some((s) => sameCompetency(r.summary.achievement, s, matcher));
  const counts = (r: CredentialReport, matcher: Requirement): boolean =>
    r.verified && r.trust.trusted && covered(r, matcher) && subject !== undefined && r.summary.subject === subject && outsideWindow(rule, r, now) === undefined && belowLevel(matcher, r) === undefined;
  const candidatesOf = rule.requires.map((matcher) => reports.flatMap((r, i) => (matchesCompetency(r.summary.achievement, matcher) ? [i] : [])));
  const assigned = assignBadges(candidatesOf.map((candidates, index) => candidates.filter((i) => counts(reports[i] as CredentialReport, rule.requires[index] as CompetencyMatcher))));
  const requirementOf = new Map([...assigned.entries()].map(([requirement, badge]) => [badge, requirement]));
  const requirements: RequirementResult[] = rule.requires.map((matcher, index) => {
    const requirement = describeMatcher(matcher);
    const base = { requirement, name: matcher.name };
    const assignedBadge = assigned.get(index);
    const good = assignedBadge === undefined ? undefined : reports[assignedBadge];
    if (good) return { ...base, satisfied: true, credentialId: good.summary.id, reason: `Satisfied by ${good.summary.id ?? 'a badge'} from ${good.summary.issuer?.name ?? good.summary.issuer?.id}.` };
    const candidates = (candidatesOf[index] ?? []).map((i) => reports[i] as CredentialReport);
    if (candidates.length === 0) return { ...base, satisfied: false, reason: `No badge for ${requirement} was presented.` };
    // Say why the closest candidate does not count: used for another requirement, not verified, not trusted, someone else's.
    const taken = (candidatesOf[index] ?? []).find((i) => requirementOf.has(i));
    if (taken !== undefined) {
      const other = rule.requires[requirementOf.get(taken) as number];
      const credential = reports[taken] as CredentialReport;
      return {
        ...base,
        satisfied: false,
        credentialId: credential.summary.id,
        reason: `The badge for ${requirement} does not count: ${credential.summary.id ?? 'it'} already counts for ${other ? describeMatcher(other) : 'another requirement'}: one badge attests one achievement, so it satisfies one requirement.`,
      };
    }
    const unverified = candidates.find((r) => !r.verified);
    const untrusted = candidates.find((r) => r.verified && !r.trust.trusted);
    const outOfScope = candidates.find((r) => r.verified && r.trust.trusted && !covered(r, matcher));
    const inScopeOnes = candidates.filter((r) => r.verified && r.trust.trusted && covered(r, matcher));
    const elsewhere = inScopeOnes.find((r) => subject === undefined || r.summary.subject !== subject);
    const old = inScopeOnes.find((r) => outsideWindow(rule, r, now) !== undefined);
    const shallow = inScopeOnes.find((r) => belowLevel(matcher, r) !== undefined);
    const [credential, why] = shallow
      ? [shallow, belowLevel(matcher, shallow) as string]
      : old
        ? [old, outsideWindow(rule, old, now) as string]
        : elsewhere
      ? [elsewhere, subject === undefined ? 'its holder could not be established' : `it was issued to ${elsewhere.summary.subject ?? 'a hashed identifier'}, not to ${subject}`]
      : outOfScope
        ? [outOfScope, `its issuer is trusted only for ${(outOfScope.trust.scope ?? []).map(describeMatcher).join(', ')}, and this requirement names it otherwise`]
        : untrusted
          ? [untrusted, untrusted.trust.reason.replace(/\.$/, '')]
          : [unverified, unverified ? failureOf(unverified) : 'it does not verify'];
    return { ...base, satisfied: false, credentialId: credential?.summary.id, reason: `The badge for ${requirement} does not count: ${why.charAt(0).toLowerCase()}${why.slice(1)}.` };
  });
  const credits = rule.credits && tallyCredits(rule.credits, reports, { subject, now, window: (r) => outsideWindow(rule, r, now) });
  if (credits && rule.credits) {
    const short = credits.earned < credits.required;
    requirements.push({
      requirement: `${credits.required} credit points`,
      name: 'Credit points',
      satisfied: !short,
      reason: `${credits.earned} of the ${credits.required} points needed${short ? `: ${credits.required - credits.earned} more are needed` : ''} (${credits.entries.filter((e) => e.counted).length} credential${credits.entries.filter((e) => e.counted).length === 1 ? '' : 's'} counted, ${credits.entries.filter((e) => !e.counted).length} not).`,
    });
  }
  const missing = requirements.filter((r) => !r.satisfied);
  return { rule: rule.id, name: rule.name, approved: missing.length === 0, recipient: subject, requirements, missing, ...(credits ? { credits } : {}) };
}

/** The decision when the presentation itself failed: no badge in it can count. */
export function refuseApproval(rule: ApprovalRule, reason: string, recipient?: string): ApprovalDecision {
  const requirements: RequirementResult[] = isInterstateRule(rule)
    ? [{ requirement: `an unencumbered licence of class ${rule.licenseClasses.join(' or ')} from a trusted state agency`, satisfied: false, reason }]
    : rule.requires.map((m) => ({ requirement: describeMatcher(m), name: m.name, satisfied: false, reason }));
  if (!isInterstateRule(rule) && rule.credits) requirements.push({ requirement: `${rule.credits.required} credit points`, name: 'Credit points', satisfied: false, reason });
  return { rule: rule.id, name: rule.name, approved: false, recipient, requirements, missing: requirements };
}
