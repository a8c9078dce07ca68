// Achievement codes are unique on an instance: a framework that brings a code another framework
// holds is refused naming the code, and nothing of it is added; ratings are checked against the
// rubric of the achievement they name.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importCasePackage } from '../../src/competencies/caseImport.js';
import { AchievementCodeCollisionError, FrameworkCodeCollisionError, InvalidRatingError } from '../../src/competencies/errors.js';
import { BUILT_IN_FRAMEWORK } from '../../src/competencies/framework.js';
import { FrameworkCatalog } from '../../src/competencies/frameworkCatalog.js';
import { parseFrameworkJson } from '../../src/competencies/frameworkJson.js';

type Json = Record<string, any>;
const read = (name: string): Json => JSON.parse(readFileSync(new URL(`../fixtures/frameworks/${name}`, import.meta.url), 'utf8')) as Json;
const program = () => parseFrameworkJson(read('program-framework.json'));

describe('the framework catalog', () => {
  it('refuses a framework whose achievement code another framework holds, naming the code and both frameworks', () => {
    const catalog = new FrameworkCatalog();
    const json = read('program-framework.json');
    json.code = 'copycat';
    json.competencies[1].code = 'formative-assessment';
    const copy = parseFrameworkJson(json);
    expect(() => catalog.add(copy)).toThrowError(AchievementCodeCollisionError);
    try {
      catalog.add(copy);
    } catch (error) {
      expect(error).toMatchObject({ achievementCode: 'formative-assessment', heldBy: 'instructional-competencies', incoming: 'copycat' });
      expect((error as Error).message).toContain("'formative-assessment'");
    }
    // Nothing of the refused framework was added, not even its first, unclashing competency.
    expect(catalog.achievement('team-co-planning')).toBeUndefined();
    expect(catalog.frameworks().map((f) => f.code)).toEqual(['instructional-competencies']);
  });

  it('refuses a second framework with the same code', () => {
    const catalog = new FrameworkCatalog([BUILT_IN_FRAMEWORK, program()]);
    const json = read('program-framework.json');
    json.competencies = json.competencies.map((c: Json) => ({ ...c, code: `${c.code}-2` }));
    expect(() => catalog.add(parseFrameworkJson(json))).toThrowError(FrameworkCodeCollisionError);
  });

  it('holds the built-in framework, a program framework and a CASE import side by side', () => {
    const { framework } = importCasePackage(read('case-clinical-practice.json'), read('case-clinical-practice.rules.json'));
    const catalog = new FrameworkCatalog([BUILT_IN_FRAMEWORK, program(), framework]);
    expect(catalog.entries()).toHaveLength(7 + 2 + 3);
    expect(catalog.achievement('CP.3')?.framework.code).toBe('example-clinical-practice');
    expect(catalog.framework('granite-team-practice')?.competencies).toHaveLength(2);
  });

  describe('ratings of one observation', () => {
    const catalog = new FrameworkCatalog([BUILT_IN_FRAMEWORK, program()]);
    const refusal = (ratings: { achievement: string; level: string }[]): InvalidRatingError => {
      try {
        catalog.assertValidRatings(ratings);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidRatingError);
        return error as InvalidRatingError;
      }
      throw new Error('the ratings were accepted');
    };

    it('refuses an observation that rates nothing', () => {
      expect(refusal([]).field).toBe('ratings');
    });

    it('refuses an achievement no framework has', () => {
      expect(refusal([{ achievement: 'classroom-magic', level: 'proficient' }])).toMatchObject({ field: 'ratings[0].achievement' });
    });

    it("refuses a level of another framework's rubric", () => {
      const error = refusal([
        { achievement: 'formative-assessment', level: 'proficient' },
        { achievement: 'team-co-planning', level: 'proficient' },
      ]);
      expect(error.field).toBe('ratings[1].level');
      expect(error.message).toBe("ratings[1].level 'proficient' is not a level of the rubric of 'team-co-planning' (ineffective, developing, effective, highly-effective)");
    });

    it('refuses one achievement rated twice in one observation', () => {
      expect(refusal([
        { achievement: 'formative-assessment', level: 'proficient' },
        { achievement: 'formative-assessment', level: 'exemplary' },
      ]).field).toBe('ratings[1].achievement');
    });

    it('accepts several competencies of several frameworks, each on its rubric', () => {
      expect(() =>
        catalog.assertValidRatings([
          { achievement: 'formative-assessment', level: 'developing' },
          { achievement: 'team-co-planning', level: 'highly-effective' },
        ]),
      ).not.toThrow();
    });
  });
});
