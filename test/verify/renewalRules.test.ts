// Rules that renewals need: minLevel per requirement, earnedWithin (ISO 8601 duration) and
// credit points per credential, counted once per achievement, with the reason for each
// credential that did not count. Reports are built as verification summarizes badges.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateApprovalRule } from '../../src/verify/approvalRules.js';
import { parseDuration, subtractDuration } from '../../src/verify/duration.js';
import type { CredentialReport } from '../../src/verify/report.js';
import { parseTrustPolicy, TrustPolicyError } from '../../src/verify/trustPolicy.js';

const HOLDER = 'did:key:z6MkholderHolderHolder';
const PROVIDER = 'did:web:pd.provider.example';
const NOW = new Date('2026-12-01T12:00:00Z');
const RUBRIC = ['beginning', 'developing', 'proficient', 'exemplary'];

function badge(code: string, options: { level?: string; validFrom?: string; type?: string; verified?: boolean; trusted?: boolean; subject?: string; issuer?: string; id?: string } = {}): CredentialReport {
  const level = options.level ?? 'proficient';
  return {
    verified: options.verified ?? true,
    summary: {
      id: options.id ?? `urn:uuid:${code}-${level}-${options.validFrom ?? 'now'}`,
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      issuer: { id: options.issuer ?? PROVIDER, name: 'PD Provider' },
      subject: options.subject ?? HOLDER,
      achievement: { id: `https://pd.provider.example/achievements/${code}`, name: code, humanCode: code },
      achievementType: options.type ?? 'MicroCredential',
      achievedLevel: { id: `#level-${level}`, name: level, rank: RUBRIC.indexOf(level) + 1 },
      rubric: RUBRIC,
      validFrom: options.validFrom ?? '2026-06-01T00:00:00Z',
      subjectName: 'Ana Lopez',
    },
    checks: options.verified === false ? [{ check: 'status', passed: false, code: 'revoked', reason: 'Revoked by its issuer.' }] : [],
    warnings: [],
    endorsements: [],
    trust: options.trusted === false ? { trusted: false, reason: 'Not trusted: the issuer is not on this verifier\'s trust list.' } : { trusted: true, reason: 'listed', via: 'issuer' },
  };
}

const policy = (rule: unknown) => parseTrustPolicy({ approvalRules: [rule] }).approvalRules[0]!;

const TENNESSEE = policy({
  id: 'tn-renewal',
  name: 'Renewal: 60 professional development points',
  earnedWithin: 'P6Y',
  credits: { perCredential: [{ match: { achievementType: 'MicroCredential' }, points: 6, name: 'a micro-credential' }], required: 60 },
});

describe('earnedWithin: an ISO 8601 duration back from the decision', () => {
  it('parses years, months, weeks, days and time, and refuses what is not a duration', () => {
    expect(parseDuration('P5Y')).toMatchObject({ years: 5 });
    expect(parseDuration('P1Y6M')).toMatchObject({ years: 1, months: 6 });
    expect(parseDuration('PT36H')).toMatchObject({ hours: 36 });
    for (const bad of ['5Y', 'P', 'PT', 'P1.5Y', '-P1Y', 'P1Y2', '']) expect(parseDuration(bad), bad).toBeUndefined();
  });

  it('subtracts on the calendar: P1Y from 29 February is 28 February, P1M from 31 March is the end of February', () => {
    expect(subtractDuration(new Date('2028-02-29T00:00:00Z'), parseDuration('P1Y')!).toISOString()).toBe('2027-02-28T00:00:00.000Z');
    expect(subtractDuration(new Date('2026-03-31T00:00:00Z'), parseDuration('P1M')!).toISOString()).toBe('2026-02-28T00:00:00.000Z');
  });

  it('a rule with an earnedWithin that is not a duration is refused naming the field', () => {
    expect(() => parseTrustPolicy({ approvalRules: [{ id: 'r', name: 'R', requires: [{ code: 'x' }], earnedWithin: 'five years' }] })).toThrow(/approvalRules\.0\.earnedWithin: must be an ISO 8601 duration/);
  });

  it('a badge earned before the window does not count, and the requirement says when it was earned', () => {
    const rule = policy({ id: 'r', name: 'R', earnedWithin: 'P5Y', requires: [{ code: 'formative-assessment', name: '3. Formative Assessment' }] });
    const decision = evaluateApprovalRule(rule, [badge('formative-assessment', { validFrom: '2020-05-01T00:00:00Z' })], HOLDER, NOW);
    expect(decision.approved).toBe(false);
    expect(decision.missing[0]?.reason).toBe('The badge for 3. Formative Assessment does not count: it was earned on 2020-05-01, before the last 5 years (since 2021-12-01).');
    expect(evaluateApprovalRule(rule, [badge('formative-assessment', { validFrom: '2022-05-01T00:00:00Z' })], HOLDER, NOW).approved).toBe(true);
  });
});

describe('minLevel: deeper mastery where the rule asks for it', () => {
  const rule = policy({ id: 'r', name: 'R', requires: [{ code: 'data-informed-instruction', name: '5. Data-Informed Instruction', minLevel: 'exemplary' }, { code: 'formative-assessment' }] });

  it('a proficient badge does not meet an exemplary requirement, and the reason names both levels', () => {
    const decision = evaluateApprovalRule(rule, [badge('data-informed-instruction'), badge('formative-assessment')], HOLDER, NOW);
    expect(decision.approved).toBe(false);
    expect(decision.missing).toEqual([expect.objectContaining({ requirement: '5. Data-Informed Instruction', reason: "The badge for 5. Data-Informed Instruction does not count: it was awarded at 'proficient', and this rule needs 'exemplary' or deeper." })]);
  });

  it('an exemplary badge meets it; a requirement without minLevel takes any level', () => {
    const decision = evaluateApprovalRule(rule, [badge('data-informed-instruction', { level: 'exemplary' }), badge('formative-assessment', { level: 'developing' })], HOLDER, NOW);
    expect(decision.approved).toBe(true);
  });

  it("a level the badge's rubric does not have: not met, said so", () => {
    const other = policy({ id: 'r', name: 'R', requires: [{ code: 'formative-assessment', minLevel: 'distinguished' }] });
    expect(evaluateApprovalRule(other, [badge('formative-assessment', { level: 'exemplary' })], HOLDER, NOW).missing[0]?.reason).toMatch(/its rubric has no level 'distinguished'/);
  });
});

describe('credits: points per credential, a total needed, each achievement once', () => {
  it('a Tennessee-style renewal: ten recent micro-credentials make 60 points → approved, each listed with its points', () => {
    const decision = evaluateApprovalRule(TENNESSEE, Array.from({ length: 10 }, (_, i) => badge(`mc-${i}`)), HOLDER, NOW);
    expect(decision.approved).toBe(true);
    expect(decision.credits).toMatchObject({ required: 60, earned: 60 });
    expect(decision.credits?.entries.every((e) => e.counted && e.points === 6 && e.reason === '6 points as a micro-credential.')).toBe(true);
    expect(decision.requirements).toEqual([expect.objectContaining({ requirement: '60 credit points', satisfied: true, reason: '60 of the 60 points needed (10 credentials counted, 0 not).' })]);
  });

  it('tallies badges of different ages, kinds, duplicates and failures, saying why each did not count', () => {
    const reports = [
      ...Array.from({ length: 7 }, (_, i) => badge(`mc-${i}`)),
      badge('mc-0', { id: 'urn:uuid:again' }), // the same achievement again
      badge('mc-old', { validFrom: '2019-01-01T00:00:00Z' }), // before the six years
      badge('competency', { type: 'Competency' }), // no credit entry prices it
      badge('mc-revoked', { verified: false }),
      badge('mc-untrusted', { trusted: false }),
      badge('mc-other', { subject: 'did:key:z6MkSomeoneElse' }),
    ];
    const decision = evaluateApprovalRule(TENNESSEE, reports, HOLDER, NOW);
    expect(decision.approved).toBe(false);
    expect(decision.credits?.earned).toBe(42);
    const reasons = decision.credits!.entries.slice(7).map((e) => [e.counted, e.points, e.reason]);
    expect(reasons).toEqual([
      [false, 0, `Its achievement already counted through ${reports[0]!.summary.id}: each achievement counts once.`],
      [false, 0, 'It was earned on 2019-01-01, before the last 6 years (since 2020-12-01).'],
      [false, 0, 'No credit entry of this rule matches it.'],
      [false, 0, 'It does not verify: Revoked by its issuer.'],
      [false, 0, "Not trusted: the issuer is not on this verifier's trust list."],
      [false, 0, 'It was issued to did:key:z6MkSomeoneElse, not to the holder.'],
    ]);
    expect(decision.missing[0]?.reason).toBe('42 of the 60 points needed: 18 more are needed (7 credentials counted, 6 not).');
  });

  it('a Massachusetts-style rule (2 badges = 10 points) with a required competency: both must hold', () => {
    const rule = policy({
      id: 'ma-renewal',
      name: 'Renewal: 150 PDPs',
      requires: [{ code: 'personalized-blended-online', name: '7. Personalized, Blended and Online Learning' }],
      credits: { perCredential: [{ match: { issuer: PROVIDER }, points: 5 }], required: 10 },
    });
    expect(evaluateApprovalRule(rule, [badge('personalized-blended-online'), badge('formative-assessment')], HOLDER, NOW).approved).toBe(true);
    const short = evaluateApprovalRule(rule, [badge('personalized-blended-online')], HOLDER, NOW);
    expect(short.approved).toBe(false);
    expect(short.missing.map((m) => m.requirement)).toEqual(['10 credit points']);
  });

  it('a rule with neither requires nor credits, or a credit match on nothing, is refused', () => {
    expect(() => parseTrustPolicy({ approvalRules: [{ id: 'r', name: 'R' }] })).toThrow(TrustPolicyError);
    expect(() => parseTrustPolicy({ approvalRules: [{ id: 'r', name: 'R', credits: { perCredential: [{ match: {}, points: 6 }], required: 60 } }] })).toThrow(/match on "achievement", "achievementType" or "issuer"/);
  });
});

describe("the README's renewal examples", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const policies = [...readme.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1]!) as { name: string }).filter((p) => /renewal/i.test(p.name));

  it('the Tennessee-style rule approves ten recent micro-credentials and not nine', () => {
    const rule = parseTrustPolicy(policies.find((p) => p.name.startsWith('Tennessee'))).approvalRules[0]!;
    const tn = (n: number) => Array.from({ length: n }, (_, i) => badge(`mc-${i}`, { issuer: 'did:web:pd.provider.example' }));
    expect(evaluateApprovalRule(rule, tn(10), HOLDER, NOW).approved).toBe(true);
    expect(evaluateApprovalRule(rule, tn(9), HOLDER, NOW).credits).toMatchObject({ earned: 54, required: 60 });
  });

  it('the Massachusetts-style rule: two badges make 10 points, and competency 7 must be exemplary', () => {
    const rule = parseTrustPolicy(policies.find((p) => p.name.startsWith('Massachusetts'))).approvalRules[0]!;
    const exemplary = badge('personalized-blended-online', { level: 'exemplary', issuer: 'did:web:pd.provider.example' });
    expect(evaluateApprovalRule(rule, [exemplary, badge('x', { issuer: 'did:web:pd.provider.example' })], HOLDER, NOW).approved).toBe(true);
    const proficient = badge('personalized-blended-online', { issuer: 'did:web:pd.provider.example' });
    expect(evaluateApprovalRule(rule, [proficient, badge('x', { issuer: 'did:web:pd.provider.example' })], HOLDER, NOW).missing.map((m) => m.requirement)).toEqual(['personalized-blended-online']);
  });
});
