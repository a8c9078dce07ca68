// educred's framework JSON (docs/frameworks.md): the loader refuses what its JSON Schema or the
// rules of the format refuse, with every problem and its pointer, and loads a program's framework
// into Achievements on the program's own rubric.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFrameworkJson } from '../../src/competencies/frameworkJson.js';
import { FRAMEWORK_JSON_SCHEMA } from '../../src/competencies/frameworkSchema.js';
import { FrameworkInvalidError, type FrameworkProblem } from '../../src/competencies/errors.js';
import { BUILT_IN_FRAMEWORK } from '../../src/competencies/framework.js';
import { toAchievement } from '../../src/credentials/achievement.js';

type Json = Record<string, any>;
const fixture = (): Json => JSON.parse(readFileSync(new URL('../fixtures/frameworks/program-framework.json', import.meta.url), 'utf8')) as Json;

function problemsOf(value: unknown): FrameworkProblem[] {
  try {
    parseFrameworkJson(value, 'test framework');
  } catch (error) {
    expect(error).toBeInstanceOf(FrameworkInvalidError);
    return [...(error as FrameworkInvalidError).problems];
  }
  throw new Error('the framework loaded');
}

const withChange = (change: (f: Json) => void): Json => {
  const f = fixture();
  change(f);
  return f;
};

describe('educred framework JSON: what the loader refuses', () => {
  it('refuses a framework without a code, naming the missing property', () => {
    expect(problemsOf(withChange((f) => delete f.code))).toContainEqual({ pointer: '', message: "must have required property 'code'" });
  });

  it('refuses a property the format does not define', () => {
    expect(problemsOf(withChange((f) => (f.competencies[0].points = 3)))).toContainEqual({ pointer: '/competencies/0', message: "must not have the property 'points'" });
  });

  it('refuses a code that cannot be a URL segment', () => {
    expect(problemsOf(withChange((f) => (f.competencies[0].code = 'team co-planning')))[0]?.pointer).toBe('/competencies/0/code');
  });

  it('refuses a rubric of one level', () => {
    expect(problemsOf(withChange((f) => f.rubric.splice(1)))[0]?.pointer).toBe('/rubric');
  });

  it("refuses a rule whose minLevel is not on the framework's rubric", () => {
    expect(problemsOf(withChange((f) => (f.competencies[0].masteryRule.minLevel = 'proficient')))).toEqual([
      { pointer: '/competencies/0/masteryRule/minLevel', message: "'proficient' is not a level of the rubric (ineffective, developing, effective, highly-effective)" },
    ]);
  });

  it('refuses an award level below the minimum, and award levels out of order', () => {
    expect(problemsOf(withChange((f) => (f.competencies[1].masteryRule.awardLevels = ['developing', 'effective'])))).toContainEqual({
      pointer: '/competencies/1/masteryRule/awardLevels/0',
      message: "'developing' is below the rule's minLevel 'effective'",
    });
    expect(problemsOf(withChange((f) => (f.competencies[1].masteryRule.awardLevels = ['highly-effective', 'effective'])))).toContainEqual({
      pointer: '/competencies/1/masteryRule/awardLevels/1',
      message: 'award levels are listed lowest first, each once',
    });
  });

  it('refuses a setting that does not exist and a percentage over 100', () => {
    const problems = problemsOf(
      withChange((f) => {
        f.competencies[0].masteryRule.minInSetting = { hybrid: 1 };
        f.competencies[1].masteryRule.assessment = { minPercent: 120 };
      }),
    );
    expect(problems.map((p) => p.pointer)).toEqual(expect.arrayContaining(['/competencies/0/masteryRule/minInSetting', '/competencies/1/masteryRule/assessment/minPercent']));
  });

  it('refuses a rule that asks for no observation and no assessment', () => {
    expect(problemsOf(withChange((f) => (f.competencies[0].masteryRule.minObservations = 0)))).toEqual([
      { pointer: '/competencies/0/masteryRule/minObservations', message: 'a rule that asks for no observation must ask for an assessment' },
    ]);
  });

  it('refuses a competency code or a rubric level given twice', () => {
    expect(problemsOf(withChange((f) => (f.competencies[1].code = 'team-co-planning')))).toEqual([
      { pointer: '/competencies/1/code', message: "the competency code 'team-co-planning' appears twice" },
    ]);
    expect(problemsOf(withChange((f) => (f.rubric[1].code = 'ineffective')))[0]).toEqual({ pointer: '/rubric/1/code', message: "the rubric level 'ineffective' appears twice" });
  });

  it('refuses a competency without a rule when the framework has no default rule', () => {
    expect(
      problemsOf(
        withChange((f) => {
          delete f.masteryRule;
          delete f.competencies[0].masteryRule;
        }),
      ),
    ).toEqual([{ pointer: '/competencies/0', message: "must have a 'masteryRule' (or the framework a default 'masteryRule')" }]);
  });

  it('refuses an image that is not an https URL', () => {
    expect(problemsOf(withChange((f) => (f.competencies[1].image = 'javascript:alert(1)')))[0]?.pointer).toBe('/competencies/1/image');
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(
      withChange((f) => {
        f.competencies[0].masteryRule.minLevel = 'nope';
        f.competencies[1].code = 'team-co-planning';
      }),
    );
    expect(problems).toHaveLength(2);
  });
});

describe('educred framework JSON: a program framework', () => {
  it('loads, numbering competencies in order and taking the default rule where none is given', () => {
    const f = fixture();
    delete f.competencies[0].masteryRule;
    const framework = parseFrameworkJson(f);
    expect(framework.competencies.map((c) => [c.number, c.code])).toEqual([
      [1, 'team-co-planning'],
      [2, 'team-assessment-moderation'],
    ]);
    expect(framework.competencies[0]?.masteryRule).toEqual(f.masteryRule);
    expect(framework.rubric?.map((l) => l.code)).toEqual(['ineffective', 'developing', 'effective', 'highly-effective']);
  });

  it("makes Achievements whose rubric is the program's, and whose image is the one given", () => {
    const framework = parseFrameworkJson(fixture());
    const achievement = toAchievement('https://badges.example.edu', framework, framework.competencies[1]!) as Json;
    expect(achievement.resultDescription[0].allowedValue).toEqual(['ineffective', 'developing', 'effective', 'highly-effective']);
    expect(achievement.resultDescription[0].requiredLevel).toBe('https://badges.example.edu/achievements/team-assessment-moderation#level-effective');
    expect(achievement.image.id).toBe('https://badges.example.edu/images/moderation.png');
    expect(achievement.alignment[0]).toMatchObject({ targetType: 'ceasn:Competency', targetFramework: 'Granite Team Teaching Practice', targetCode: '2' });
  });

  it('keeps the Achievements of the built-in framework as they were', () => {
    const achievement = toAchievement('https://badges.example.edu', BUILT_IN_FRAMEWORK, BUILT_IN_FRAMEWORK.competencies[2]!) as Json;
    expect(achievement.resultDescription[0].rubricCriterionLevel[2]).toEqual({
      id: 'https://badges.example.edu/achievements/formative-assessment#level-proficient',
      type: ['RubricCriterionLevel'],
      name: 'proficient',
      description: 'The practice is consistently effective for the students observed.',
      level: '3',
    });
    expect(achievement.image.id).toBe('https://badges.example.edu/achievements/formative-assessment/image.svg');
    expect(achievement.alignment[0].targetUrl).toBe('https://badges.example.edu/frameworks/instructional-competencies#formative-assessment');
  });

  it('the built-in framework keeps 5 observations at proficient, badges proficient and exemplary, and competency 7 asks for an online session', () => {
    for (const c of BUILT_IN_FRAMEWORK.competencies) {
      expect(c.masteryRule).toMatchObject({ minObservations: 5, minLevel: 'proficient', awardLevels: ['proficient', 'exemplary'] });
      expect(c.masteryRule.minInSetting).toEqual(c.number === 7 ? { online: 1 } : undefined);
    }
  });

  it('docs/framework.schema.json is the schema the loader enforces', () => {
    const documented = JSON.parse(readFileSync(new URL('../../docs/framework.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(documented).toEqual(JSON.parse(JSON.stringify(FRAMEWORK_JSON_SCHEMA)));
  });
});
