// Credit rules of renewals and professional development (a micro-credential is worth 6 of the
// 60 points a renewal needs): each presented credential priced by the first entry of the rule
// that matches it, each achievement counted once, and for every credential that brought no
// points, the reason in words.
import type { CreditEntry, CreditTally, CredentialReport } from './report.js';
import type { CreditMatch, CreditRule } from './trustPolicy.js';

export interface CreditContext {
  /** Whose credentials count (the presentation's holder). */
  subject: string | undefined;
  now: Date;
  /** Why a credential falls outside the rule's `earnedWithin` window (undefined: inside). */
  window: (report: CredentialReport) => string | undefined;
}

const matches = (match: CreditMatch, r: CredentialReport): boolean =>
  (match.achievement === undefined || r.summary.achievement?.id === match.achievement) &&
  (match.achievementType === undefined || r.summary.achievementType === match.achievementType) &&
  (match.issuer === undefined || r.summary.issuer?.id === match.issuer);

const describe = (match: CreditMatch): string =>
  [match.achievementType && `a ${match.achievementType}`, match.achievement && `achievement ${match.achievement}`, match.issuer && `from ${match.issuer}`].filter(Boolean).join(' ');

const failureOf = (r: CredentialReport): string => (r.checks.find((c) => !c.passed && c.check !== 'endorsements')?.reason ?? 'it does not verify').replace(/\.$/, '');

export function tallyCredits(rule: CreditRule, reports: CredentialReport[], ctx: CreditContext): CreditTally {
  // Priced first, so a duplicate achievement keeps its best-priced badge.
  const priced = reports.map((report, index) => {
    const entry = rule.perCredential.find((p) => matches(p.match, report));
    return { report, index, entry };
  });
  const order = [...priced].sort((a, b) => (b.entry?.points ?? 0) - (a.entry?.points ?? 0) || a.index - b.index);
  const countedFor = new Map<string, string>();
  const entries = new Map<number, CreditEntry>();
  for (const { report: r, index, entry } of order) {
    const base = { credentialId: r.summary.id, achievement: r.summary.achievement?.name ?? r.summary.achievement?.id };
    const none = (reason: string): void => void entries.set(index, { ...base, points: 0, counted: false, reason });
    if (!entry) {
      none('No credit entry of this rule matches it.');
      continue;
    }
    if (!r.verified) {
      none(`It does not verify: ${failureOf(r)}.`);
      continue;
    }
    if (!r.trust.trusted) {
      none(r.trust.reason);
      continue;
    }
    if (ctx.subject === undefined || r.summary.subject !== ctx.subject) {
      none(`It was issued to ${r.summary.subject ?? 'a hashed identifier'}, not to the holder.`);
      continue;
    }
    const outside = ctx.window(r);
    if (outside) {
      none(`${outside.charAt(0).toUpperCase()}${outside.slice(1)}.`);
      continue;
    }
    const key = r.summary.achievement?.id ?? r.summary.id ?? `#${index}`;
    const earlier = countedFor.get(key);
    if (earlier !== undefined) {
      none(`Its achievement already counted through ${earlier}: each achievement counts once.`);
      continue;
    }
    countedFor.set(key, r.summary.id ?? 'another credential');
    entries.set(index, { ...base, points: entry.points, counted: true, reason: `${entry.points} points as ${entry.name ?? describe(entry.match)}.` });
  }
  const list = reports.map((_, i) => entries.get(i) as CreditEntry);
  return { required: rule.required, earned: list.reduce((sum, e) => sum + e.points, 0), entries: list };
}
