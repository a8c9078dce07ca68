// Approval rules turn a set of verified badges into a decision: "online teaching approval needs
// competencies 7, 1, 3 and 5", each satisfied by a badge that is verified (which includes not
// revoked, not suspended, not expired), from a trusted issuer, and held by the same person.
import type { ApprovalDecision, CredentialReport, RequirementResult } from './report.js';
import { describeMatcher, matchesCompetency, type ApprovalRule } from './trustPolicy.js';

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

export function evaluateApprovalRule(rule: ApprovalRule, reports: CredentialReport[], recipient?: string): ApprovalDecision {
  const subject = recipient ?? commonSubject(reports);
  const requirements: RequirementResult[] = rule.requires.map((matcher) => {
    const requirement = describeMatcher(matcher);
    const base = { requirement, name: matcher.name };
    const candidates = reports.filter((r) => matchesCompetency(r.summary.achievement, matcher));
    const good = candidates.find((r) => r.verified && r.trust.trusted && subject !== undefined && r.summary.subject === subject);
    if (good) return { ...base, satisfied: true, credentialId: good.summary.id, reason: `Satisfied by ${good.summary.id ?? 'a badge'} from ${good.summary.issuer?.name ?? good.summary.issuer?.id}.` };
    if (candidates.length === 0) return { ...base, satisfied: false, reason: `No badge for ${requirement} was presented.` };
    // Say why the closest candidate does not count: not verified, then not trusted, then someone else's.
    const unverified = candidates.find((r) => !r.verified);
    const untrusted = candidates.find((r) => r.verified && !r.trust.trusted);
    const elsewhere = candidates.find((r) => r.verified && r.trust.trusted);
    const [credential, why] = elsewhere
      ? [elsewhere, subject === undefined ? 'its holder could not be established' : `it was issued to ${elsewhere.summary.subject ?? 'a hashed identifier'}, not to ${subject}`]
      : untrusted
        ? [untrusted, untrusted.trust.reason.replace(/\.$/, '')]
        : [unverified, unverified ? failureOf(unverified) : 'it does not verify'];
    return { ...base, satisfied: false, credentialId: credential?.summary.id, reason: `The badge for ${requirement} does not count: ${why.charAt(0).toLowerCase()}${why.slice(1)}.` };
  });
  const missing = requirements.filter((r) => !r.satisfied);
  return { rule: rule.id, name: rule.name, approved: missing.length === 0, recipient: subject, requirements, missing };
}

/** The decision when the presentation itself failed: no badge in it can count. */
export function refuseApproval(rule: ApprovalRule, reason: string, recipient?: string): ApprovalDecision {
  const requirements = rule.requires.map((m) => ({ requirement: describeMatcher(m), name: m.name, satisfied: false, reason }));
  return { rule: rule.id, name: rule.name, approved: false, recipient, requirements, missing: requirements };
}
