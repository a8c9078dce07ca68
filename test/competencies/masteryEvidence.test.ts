// The evidence of a badge counted from recorded observations and assessments: exactly the counted
// ones, an observation shared with a team named as shared with the team (its members not named),
// schema-valid; a badge built from inline evidence keeps the evidence it always had.
import { describe, expect, it } from 'vitest';
import { BUILT_IN_FRAMEWORK, BUILT_IN_RUBRIC, findCompetency } from '../../src/competencies/framework.js';
import { checkMastery } from '../../src/competencies/mastery.js';
import { evaluateCompetency, type RecordedObservation } from '../../src/competencies/progress.js';
import { toAchievement } from '../../src/credentials/achievement.js';
import { asInlineObservations, masteryEvidence } from '../../src/credentials/masteryEvidence.js';
import { buildOpenBadgeCredential, type OpenBadgeInput } from '../../src/credentials/openBadge.js';
import { openBadgeSchemaProblems } from '../../src/credentials/openBadgeSchemaGate.js';

const BASE = 'https://badges.example.edu';
const c3 = findCompetency(BUILT_IN_FRAMEWORK, 'formative-assessment')!;
const observation = (i: number, more: Partial<RecordedObservation> = {}): RecordedObservation => ({
  id: `o${i}`,
  educatorId: 'ed-ana',
  date: `2026-03-0${i}`,
  observer: i % 2 ? 'Dr. Maya Rivera' : 'Sam Okafor',
  setting: 'in-person',
  ratings: [{ achievement: 'formative-assessment', level: 'proficient', narrative: i === 1 ? 'Used exit tickets to regroup students.' : undefined }],
  ...more,
});

const badgeInput = (more: Partial<OpenBadgeInput>): OpenBadgeInput => ({
  credentialId: `${BASE}/credentials/6f1c9a3e-2b7d-4c1e-9a51-0d2f8e7b4c10`,
  issuer: { id: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', type: ['Profile'], name: 'Example Program' },
  achievement: toAchievement(BASE, BUILT_IN_FRAMEWORK, c3),
  recipient: { kind: 'email', email: 'ana@example.edu', salt: '0123456789abcdef0123456789abcdef', name: 'Ana Lopez' },
  observations: [],
  achievedLevel: 'proficient',
  validFrom: '2026-03-10T00:00:00Z',
  awardedDate: '2026-03-10T00:00:00Z',
  ...more,
});

describe('the evidence of a badge counted from a history', () => {
  const shared = observation(3, { educatorId: 'ed-ben', sharedWith: ['ed-ana', 'ed-cara'], setting: 'online', narrative: 'Team-taught session.' });
  const observations = [observation(1), observation(2), shared, observation(4), observation(5), observation(6)];
  const assessment = { id: 'a1', educatorId: 'ed-ana', name: 'Unit 3 exam', achievements: ['formative-assessment'], score: 42, maxScore: 50, date: '2026-03-08' };
  const rule = { ...c3.masteryRule, assessment: { minPercent: 80 } };
  const [proficient] = evaluateCompetency({ ...c3, masteryRule: rule }, BUILT_IN_RUBRIC, { educatorId: 'ed-ana', observations, assessments: [assessment] });
  const evidence = masteryEvidence(proficient!.counted!);

  it('lists exactly the counted observations, then the counted assessment', () => {
    expect(evidence.map((e) => e.name)).toEqual([
      'Observation 1 (2026-03-01)',
      'Observation 2 (2026-03-02)',
      'Observation 3 (2026-03-03, shared with the team)',
      'Observation 4 (2026-03-04)',
      'Observation 5 (2026-03-05)',
      'Assessment: Unit 3 exam (2026-03-08)',
    ]);
  });

  it('names a shared observation as shared with the team, without naming the team', () => {
    expect(evidence[2]).toEqual({
      type: ['Evidence'],
      name: 'Observation 3 (2026-03-03, shared with the team)',
      description:
        "Observed on 2026-03-03 (online session) by Dr. Maya Rivera; rated 'proficient' on the rubric. Shared with the team: this observation counts for each of the 3 educators of the team it was recorded for.",
      narrative: 'Team-taught session.',
      genre: 'Classroom observation',
    });
    expect(JSON.stringify(evidence)).not.toContain('ed-ben');
    expect(JSON.stringify(evidence)).not.toContain('ed-cara');
  });

  it('says nothing of a team for an observation recorded for one educator', () => {
    expect(evidence[0]).toEqual({
      type: ['Evidence'],
      name: 'Observation 1 (2026-03-01)',
      description: "Observed on 2026-03-01 (in-person session) by Dr. Maya Rivera; rated 'proficient' on the rubric.",
      narrative: 'Used exit tickets to regroup students.',
      genre: 'Classroom observation',
    });
  });

  it('describes the assessment by its score and percentage', () => {
    expect(evidence[5]).toEqual({ type: ['Evidence'], name: 'Assessment: Unit 3 exam (2026-03-08)', description: 'Scored 42 of 50 (84%) on 2026-03-08.', genre: 'Assessment' });
  });

  it('the badge passes the OB 3.0 schema gate', () => {
    const unsigned = buildOpenBadgeCredential(badgeInput({ observations: asInlineObservations(proficient!.counted!), evidence }));
    expect(openBadgeSchemaProblems(unsigned)).toEqual([]);
    expect(unsigned.evidence).toEqual(evidence);
  });

  it('the counted observations, as inline evidence, pass the inline rule check the award path makes', () => {
    const inline = asInlineObservations(proficient!.counted!);
    expect(inline).toHaveLength(5);
    expect(checkMastery(c3.masteryRule, inline, new Date('2026-03-10T00:00:00Z')).mastered).toBe(true);
  });
});

describe('a badge from inline evidence keeps its evidence', () => {
  it('turns each inline observation into the entry it always did', () => {
    const unsigned = buildOpenBadgeCredential(
      badgeInput({ observations: [{ kind: 'observation', date: '2026-03-02', observer: 'Dr. Maya Rivera', level: 'proficient', narrative: 'Exit tickets.', url: 'https://example.edu/o/1' }] }),
    );
    expect(unsigned.evidence).toEqual([
      {
        id: 'https://example.edu/o/1',
        type: ['Evidence'],
        name: 'Observation 1 (2026-03-02)',
        description: "Observed on 2026-03-02 by Dr. Maya Rivera; rated 'proficient' on the rubric.",
        narrative: 'Exit tickets.',
        genre: 'Classroom observation',
      },
    ]);
  });
});

describe('checkMastery (inline POST /awards evidence) with the new rule fields', () => {
  const at = new Date('2026-04-01T00:00:00Z');
  const five = ['01', '02', '03', '04', '05'].map((d) => ({ date: `2026-03-${d}`, observer: 'Dr. Maya Rivera', level: 'proficient' }));

  it('still needs five distinct dates at proficient for the built-in rule', () => {
    expect(checkMastery(c3.masteryRule, five.slice(0, 4), at).shortfalls.map((s) => s.requirement)).toEqual(['minObservations']);
    expect(checkMastery(c3.masteryRule, five, at)).toEqual({ mastered: true, shortfalls: [], achievedLevel: 'proficient' });
  });

  it('honours minObservers and distinctDates: false', () => {
    expect(checkMastery({ minObservations: 5, minLevel: 'proficient', minObservers: 2 }, five, at).shortfalls).toEqual([
      { requirement: 'minObservers', field: 'evidence', detail: 'observations by at least 2 different observers are required; 1 given' },
    ]);
    const oneDay = five.map((o) => ({ ...o, date: '2026-03-01' }));
    expect(checkMastery({ minObservations: 5, minLevel: 'proficient' }, oneDay, at).mastered).toBe(false);
    expect(checkMastery({ minObservations: 5, minLevel: 'proficient', distinctDates: false }, oneDay, at).mastered).toBe(true);
  });

  it("ranks levels on the rubric it is given (a program's own)", () => {
    const rubric = [
      { code: 'developing', description: 'd' },
      { code: 'effective', description: 'e' },
      { code: 'highly-effective', description: 'h' },
    ];
    const evidence = five.map((o, i) => ({ ...o, level: i === 0 ? 'highly-effective' : 'effective' }));
    expect(checkMastery({ minObservations: 5, minLevel: 'effective' }, evidence, at, rubric)).toMatchObject({ mastered: true, achievedLevel: 'effective' });
    expect(checkMastery({ minObservations: 5, minLevel: 'highly-effective' }, evidence, at, rubric).shortfalls).toHaveLength(4);
  });
});
