// Turns a competency of a framework into an Open Badges 3.0 `Achievement`: criteria, the
// alignment into the framework, and the rubric as a `ResultDescription` with its levels.
import {
  RUBRIC_LEVEL_DESCRIPTIONS,
  RUBRIC_LEVELS,
  type Competency,
  type CompetencyFramework,
  type RubricLevel,
} from '../competencies/framework.js';

export type Achievement = Record<string, unknown> & { id: string; name: string; humanCode: string };

export const achievementUrl = (baseUrl: string, code: string): string => `${baseUrl}/achievements/${encodeURIComponent(code)}`;
export const achievementImageUrl = (achievementId: string): string => `${achievementId}/image.svg`;
export const frameworkUrl = (baseUrl: string, framework: CompetencyFramework): string =>
  `${baseUrl}/frameworks/${encodeURIComponent(framework.code)}`;
/** The rubric and its levels are fragments of the achievement, so they resolve with it. */
export const rubricId = (achievementId: string): string => `${achievementId}#rubric`;
export const rubricLevelId = (achievementId: string, level: RubricLevel): string => `${achievementId}#level-${level}`;

export function toAchievement(baseUrl: string, framework: CompetencyFramework, competency: Competency): Achievement {
  const id = achievementUrl(baseUrl, competency.code);
  const { minLevel } = competency.masteryRule;
  return {
    id,
    type: ['Achievement'],
    achievementType: 'Competency',
    name: competency.name,
    description: competency.description,
    humanCode: competency.code,
    criteria: { id: `${id}#criteria`, narrative: competency.criteria },
    // OB 3.0 `Image`: the generated badge (src/badges/badgeImage.ts), served beside the achievement.
    image: { id: achievementImageUrl(id), type: 'Image', caption: `${competency.name} badge` },
    alignment: [
      {
        type: ['Alignment'],
        targetName: competency.name,
        targetDescription: competency.description,
        targetUrl: `${frameworkUrl(baseUrl, framework)}#${competency.code}`,
        targetFramework: framework.name,
        targetCode: String(competency.number),
        targetType: 'ceasn:Competency',
      },
    ],
    resultDescription: [
      {
        id: rubricId(id),
        type: ['ResultDescription'],
        name: `${competency.name}: observation rubric`,
        resultType: 'RubricCriterionLevel',
        allowedValue: [...RUBRIC_LEVELS],
        requiredLevel: rubricLevelId(id, minLevel),
        rubricCriterionLevel: RUBRIC_LEVELS.map((level, index) => ({
          id: rubricLevelId(id, level),
          type: ['RubricCriterionLevel'],
          name: level,
          description: RUBRIC_LEVEL_DESCRIPTIONS[level],
          level: String(index + 1),
        })),
      },
    ],
    tag: competency.tags,
    version: '1.0',
    inLanguage: 'en',
    fieldOfStudy: 'Education',
  };
}

export function frameworkAchievements(baseUrl: string, framework: CompetencyFramework): Achievement[] {
  return framework.competencies.map((c) => toAchievement(baseUrl, framework, c));
}
