// The mastery rule over an educator's history (src/competencies/progress.ts): the state of each
// achievement at each award level changes exactly when its rule holds, not before; what is counted
// when it holds is exactly what the rule needs, chosen the same way whatever the order of the
// history; what is missing reads as sentences.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BUILT_IN_FRAMEWORK, BUILT_IN_RUBRIC, SETTINGS, findCompetency, type Competency, type MasteryRule, type Setting } from '../../src/competencies/framework.js';
import { evaluateCompetency, evaluateProgress, type LevelEvaluation, type MasteryHistory, type RecordedAssessment, type RecordedObservation } from '../../src/competencies/progress.js';

const ED = 'ed-ana';
const competency = (code: string): Competency => {
  const c = findCompetency(BUILT_IN_FRAMEWORK, code);
  if (!c) throw new Error(code);
  return c;
};
const withRule = (rule: MasteryRule): Competency => ({ ...competency('formative-assessment'), masteryRule: rule });

let seq = 0;
function obs(date: string, level: string, more: Partial<RecordedObservation> & { achievement?: string } = {}): RecordedObservation {
  const { achievement = 'formative-assessment', ...rest } = more;
  seq += 1;
  return { id: `o${String(seq).padStart(3, '0')}`, educatorId: ED, date, observer: 'Dr. Maya Rivera', setting: 'in-person', ratings: [{ achievement, level }], ...rest };
}
function assessment(date: string, score: number, maxScore: number, more: Partial<RecordedAssessment> = {}): RecordedAssessment {
  seq += 1;
  return { id: `a${String(seq).padStart(3, '0')}`, educatorId: ED, name: 'Unit 3 assessment design task', achievements: ['formative-assessment'], score, maxScore, date, ...more };
}
const history = (observations: RecordedObservation[], assessments: RecordedAssessment[] = []): MasteryHistory => ({ educatorId: ED, observations, assessments });
const at = (evaluations: LevelEvaluation[], level: string): LevelEvaluation => {
  const e = evaluations.find((x) => x.progress.level === level);
  if (!e) throw new Error(level);
  return e;
};
const evaluate = (c: Competency, h: MasteryHistory) => evaluateCompetency(c, BUILT_IN_RUBRIC, h);
const countedIds = (e: LevelEvaluation): string[] => [...(e.counted?.observations.map((c) => c.observation.id) ?? []), ...(e.counted?.assessments.map((a) => a.id) ?? [])];
const dates = (n: number, from = 2): string[] => Array.from({ length: n }, (_, i) => `2026-03-${String(from + i).padStart(2, '0')}`);

describe('the built-in rule over a history: 5 observations at proficient, on distinct dates', () => {
  it('is not started with no observation, and names what is missing', () => {
    const [p, e] = evaluate(competency('formative-assessment'), history([]));
    expect(p?.progress).toEqual({
      achievement: 'formative-assessment',
      level: 'proficient',
      state: 'not-started',
      counted: 0,
      required: 5,
      missing: ["5 more observations rated 'proficient' or higher on different dates (0 of 5)"],
    });
    expect(e?.progress.level).toBe('exemplary');
  });

  it('is in progress at four, mastered at the fifth, not before', () => {
    const five = dates(5).map((d) => obs(d, 'proficient'));
    const four = at(evaluate(competency('formative-assessment'), history(five.slice(0, 4))), 'proficient');
    expect(four.progress).toMatchObject({ state: 'in-progress', counted: 4, missing: ["1 more observation rated 'proficient' or higher on different dates (4 of 5)"] });
    expect(four.counted).toBeUndefined();
    const mastered = at(evaluate(competency('formative-assessment'), history(five)), 'proficient');
    expect(mastered.progress).toMatchObject({ state: 'mastered', counted: 5, required: 5, missing: [] });
    expect(countedIds(mastered)).toEqual(five.map((o) => o.id));
  });

  it('counts two observations of one date once (a co-observed lesson is one occasion)', () => {
    const h = history([...dates(4).map((d) => obs(d, 'proficient')), obs('2026-03-05', 'proficient', { observer: 'Sam Okafor' })]);
    expect(at(evaluate(competency('formative-assessment'), h), 'proficient').progress).toMatchObject({ state: 'in-progress', counted: 4 });
  });

  it('does not count a rating below the level, and a low rating does not undo what was counted', () => {
    const h = history([obs('2026-03-01', 'developing'), ...dates(5).map((d) => obs(d, 'proficient')), obs('2026-03-20', 'beginning')]);
    const p = at(evaluate(competency('formative-assessment'), h), 'proficient');
    expect(p.progress.state).toBe('mastered');
    expect(p.counted?.observations.map((c) => c.rating.level)).toEqual(Array(5).fill('proficient'));
  });

  it('is in progress, with nothing counted, when only lower ratings were given', () => {
    const p = at(evaluate(competency('formative-assessment'), history([obs('2026-03-01', 'developing')])), 'proficient');
    expect(p.progress).toMatchObject({ state: 'in-progress', counted: 0 });
  });

  it('does not count a withdrawn observation', () => {
    const five = dates(5).map((d) => obs(d, 'proficient'));
    five[2] = { ...five[2]!, withdrawn: true };
    expect(at(evaluate(competency('formative-assessment'), history(five)), 'proficient').progress).toMatchObject({ state: 'in-progress', counted: 4 });
  });

  it('ignores ratings of other achievements, and observations of other educators', () => {
    const h = history([...dates(5).map((d) => obs(d, 'exemplary', { achievement: 'aligned-instruction' })), ...dates(5).map((d) => obs(d, 'exemplary', { educatorId: 'ed-ben' }))]);
    expect(at(evaluate(competency('formative-assessment'), h), 'proficient').progress.state).toBe('not-started');
  });

  it('badges exemplary as its own, deeper level: five exemplary ratings, after a proficient badge', () => {
    const proficient = dates(5).map((d) => obs(d, 'proficient'));
    const exemplary = dates(5, 10).map((d) => obs(d, 'exemplary'));
    const before = evaluate(competency('formative-assessment'), history([...proficient, ...exemplary.slice(0, 4)]));
    expect(at(before, 'proficient').progress.state).toBe('mastered');
    expect(at(before, 'exemplary').progress).toMatchObject({ state: 'in-progress', counted: 4, missing: ["1 more observation rated 'exemplary' or higher on different dates (4 of 5)"] });
    const after = evaluate(competency('formative-assessment'), history([...proficient, ...exemplary]));
    expect(countedIds(at(after, 'exemplary'))).toEqual(exemplary.map((o) => o.id));
    // The proficient badge counts the earliest five, as it did when it was awarded.
    expect(countedIds(at(after, 'proficient'))).toEqual(proficient.map((o) => o.id));
  });
});

describe("competency 7: at least one of the observations in an online session", () => {
  const c7 = competency('personalized-blended-online');

  it('waits for an online session however many in-person ones there are', () => {
    const p = at(evaluate(c7, history(dates(8).map((d) => obs(d, 'proficient', { achievement: c7.code })))), 'proficient');
    expect(p.progress).toMatchObject({ state: 'in-progress', counted: 8, missing: ["1 more observation in an online session rated 'proficient' or higher"] });
  });

  it('counts the online session and the four earliest others: exactly what the rule needs', () => {
    const inPerson = dates(8).map((d) => obs(d, 'proficient', { achievement: c7.code }));
    const online = obs('2026-03-20', 'proficient', { achievement: c7.code, setting: 'online' });
    const p = at(evaluate(c7, history([...inPerson, online])), 'proficient');
    expect(p.progress).toMatchObject({ state: 'mastered', counted: 5 });
    expect(countedIds(p)).toEqual([...inPerson.slice(0, 4).map((o) => o.id), online.id]);
  });

  it('an online session rated below the level does not count for the setting', () => {
    const h = history([...dates(5).map((d) => obs(d, 'proficient', { achievement: c7.code })), obs('2026-03-20', 'developing', { achievement: c7.code, setting: 'online' })]);
    expect(at(evaluate(c7, h), 'proficient').progress.state).toBe('in-progress');
  });
});

describe('the other rule fields', () => {
  it('minObservers: counted observations come from enough different observers', () => {
    const c = withRule({ minObservations: 3, minLevel: 'proficient', minObservers: 2 });
    const one = dates(4).map((d) => obs(d, 'proficient'));
    expect(at(evaluate(c, history(one)), 'proficient').progress.missing).toEqual(['observations by 1 more observer (1 of 2 so far)']);
    const second = obs('2026-03-30', 'proficient', { observer: 'Sam Okafor' });
    const p = at(evaluate(c, history([...one, second])), 'proficient');
    expect(countedIds(p)).toEqual([one[0]!.id, one[1]!.id, second.id]);
  });

  it('minObservers can be met by a co-observer on a counted date', () => {
    const c = withRule({ minObservations: 2, minLevel: 'proficient', minObservers: 2 });
    const a = obs('2026-03-02', 'proficient');
    const b = obs('2026-03-02', 'proficient', { observer: 'Sam Okafor' });
    const later = obs('2026-03-09', 'proficient');
    const p = at(evaluate(c, history([a, b, later])), 'proficient');
    expect(p.progress).toMatchObject({ state: 'mastered', counted: 2 });
    expect(countedIds(p)).toEqual([a.id, b.id, later.id]);
  });

  it('distinctDates false: observations of one date each count', () => {
    const c = withRule({ minObservations: 3, minLevel: 'proficient', distinctDates: false });
    const p = at(evaluate(c, history([obs('2026-03-02', 'proficient'), obs('2026-03-02', 'proficient'), obs('2026-03-02', 'exemplary')])), 'proficient');
    expect(p.progress).toMatchObject({ state: 'mastered', counted: 3 });
  });

  it('minInSetting with several sessions counts distinct dates in that setting', () => {
    const c = withRule({ minObservations: 2, minLevel: 'proficient', minInSetting: { blended: 2 } });
    const h = history([obs('2026-03-02', 'proficient', { setting: 'blended' }), obs('2026-03-02', 'proficient', { setting: 'blended', observer: 'Sam Okafor' }), obs('2026-03-03', 'proficient')]);
    expect(at(evaluate(c, h), 'proficient').progress.missing).toEqual(["1 more observation in a blended session rated 'proficient' or higher"]);
  });

  it('assessment: a score below the minimum percentage does not count, one at it does ("B or better" = 80)', () => {
    const c = withRule({ minObservations: 2, minLevel: 'proficient', assessment: { minPercent: 80 } });
    const two = dates(2).map((d) => obs(d, 'proficient'));
    const low = assessment('2026-03-05', 79, 100);
    expect(at(evaluate(c, history(two, [low])), 'proficient').progress.missing).toEqual([
      "an assessment of this competency scored 80% or more (best so far: 79% on 'Unit 3 assessment design task')",
    ]);
    const pass = assessment('2026-03-06', 40, 50);
    const later = assessment('2026-03-07', 50, 50);
    const p = at(evaluate(c, history(two, [low, later, pass])), 'proficient');
    expect(p.progress.state).toBe('mastered');
    expect(p.counted?.assessments.map((a) => a.id)).toEqual([pass.id]);
  });

  it('assessment: one that covers another competency does not count', () => {
    const c = withRule({ minObservations: 1, minLevel: 'proficient', assessment: { minPercent: 80 } });
    const h = history([obs('2026-03-02', 'proficient')], [assessment('2026-03-05', 100, 100, { achievements: ['aligned-instruction'] })]);
    expect(at(evaluate(c, h), 'proficient').progress.missing).toEqual(['an assessment of this competency scored 80% or more (none recorded yet)']);
  });

  it('an assessment-only rule counts the assessment', () => {
    const c = withRule({ minObservations: 0, minLevel: 'proficient', assessment: { minPercent: 80 } });
    expect(at(evaluate(c, history([])), 'proficient').progress).toMatchObject({ state: 'not-started', counted: 0, required: 1 });
    const p = at(evaluate(c, history([], [assessment('2026-03-05', 9, 10)])), 'proficient');
    expect(p.progress).toMatchObject({ state: 'mastered', counted: 1, required: 1 });
  });
});

describe('shared attribution: an observation of a team counts for each of its educators', () => {
  it('counts for an educator it is shared with, and not for one it is not', () => {
    const five = dates(5).map((d) => obs(d, 'proficient', { educatorId: 'ed-ben', sharedWith: [ED, 'ed-cara'] }));
    expect(at(evaluate(competency('formative-assessment'), history(five)), 'proficient').progress.state).toBe('mastered');
    expect(at(evaluate(competency('formative-assessment'), { ...history(five), educatorId: 'ed-dan' }), 'proficient').progress.state).toBe('not-started');
  });
});

describe('the whole progress of an educator', () => {
  it('lists every achievement of the frameworks at each award level, in framework order', () => {
    const progress = evaluateProgress([BUILT_IN_FRAMEWORK], history([]));
    expect(progress.map((e) => `${e.progress.achievement}@${e.progress.level}`).slice(0, 3)).toEqual([
      'differentiated-support@proficient',
      'differentiated-support@exemplary',
      'aligned-instruction@proficient',
    ]);
    expect(progress).toHaveLength(14);
  });

  it('one lesson rated on several competencies moves each of them', () => {
    const lesson: RecordedObservation = {
      ...obs('2026-03-02', 'proficient'),
      ratings: [
        { achievement: 'formative-assessment', level: 'proficient' },
        { achievement: 'data-informed-instruction', level: 'exemplary' },
      ],
    };
    const progress = evaluateProgress([BUILT_IN_FRAMEWORK], history([lesson]));
    const started = progress.filter((e) => e.progress.counted > 0).map((e) => `${e.progress.achievement}@${e.progress.level}`);
    expect(started).toEqual(['formative-assessment@proficient', 'data-informed-instruction@proficient', 'data-informed-instruction@exemplary']);
  });
});

describe('properties over random histories', () => {
  const LEVELS = ['beginning', 'developing', 'proficient', 'exemplary'];
  const arbObservation = fc.record({
    day: fc.integer({ min: 1, max: 12 }),
    level: fc.constantFrom(...LEVELS),
    observer: fc.constantFrom('A', 'B', 'C'),
    setting: fc.constantFrom<Setting>(...SETTINGS),
    withdrawn: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  });
  const arbRule = fc.record({
    minObservations: fc.integer({ min: 1, max: 6 }),
    minLevel: fc.constantFrom('developing', 'proficient'),
    distinctDates: fc.boolean(),
    minObservers: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    minInSetting: fc.option(fc.dictionary(fc.constantFrom<Setting>(...SETTINGS), fc.integer({ min: 1, max: 3 }), { maxKeys: 2 }), { nil: undefined }),
  });
  const build = (raw: { day: number; level: string; observer: string; setting: Setting; withdrawn: boolean }[]): RecordedObservation[] =>
    raw.map((r, i) => ({
      id: `p${String(i).padStart(3, '0')}`,
      educatorId: ED,
      date: `2026-04-${String(r.day).padStart(2, '0')}`,
      observer: r.observer,
      setting: r.setting,
      withdrawn: r.withdrawn,
      ratings: [{ achievement: 'formative-assessment', level: r.level }],
    }));

  it('what is counted alone satisfies the rule, and the choice does not depend on the order of the history', () => {
    fc.assert(
      fc.property(arbRule, fc.array(arbObservation, { maxLength: 40 }), fc.integer(), (rule, raw, seed) => {
        const c = withRule(rule);
        const observations = build(raw);
        const result = evaluate(c, history(observations));
        const shuffled = [...observations].sort((a, b) => ((a.id.charCodeAt(3) * 31 + seed) % 7) - ((b.id.charCodeAt(3) * 31 + seed) % 7));
        expect(evaluate(c, history(shuffled))).toEqual(result);
        for (const e of result) {
          if (e.progress.state !== 'mastered') {
            expect(e.counted).toBeUndefined();
            expect(e.progress.missing.length).toBeGreaterThan(0);
            continue;
          }
          const counted = e.counted!.observations.map((x) => x.observation);
          expect(counted.every((o) => !o.withdrawn)).toBe(true);
          const again = evaluate(c, history(counted)).find((x) => x.progress.level === e.progress.level)!;
          expect(again.progress.state).toBe('mastered');
          expect(countedIds(again)).toEqual(countedIds(e));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('mastery is the rule over everything qualifying: as many occasions, observers and sessions as it asks', () => {
    fc.assert(
      fc.property(arbRule, fc.array(arbObservation, { maxLength: 40 }), (rule, raw) => {
        const observations = build(raw);
        for (const e of evaluate(withRule(rule), history(observations))) {
          const rank = LEVELS.indexOf(e.progress.level);
          const q = observations.filter((o) => !o.withdrawn && LEVELS.indexOf(o.ratings[0]!.level) >= rank);
          const occasions = (list: RecordedObservation[]) => ((rule.distinctDates ?? true) ? new Set(list.map((o) => o.date)).size : list.length);
          const holds =
            occasions(q) >= rule.minObservations &&
            new Set(q.map((o) => o.observer)).size >= (rule.minObservers ?? 0) &&
            Object.entries(rule.minInSetting ?? {}).every(([s, n]) => occasions(q.filter((o) => o.setting === s)) >= n);
          expect(e.progress.state === 'mastered').toBe(holds);
        }
      }),
      { numRuns: 300 },
    );
  });
});
