// Turns a competency of a framework into an Open Badges 3.0 `Achievement`: criteria, the
// alignment into the framework, and the rubric as a `ResultDescription` with its levels.
import { rubricOf, type Competency, type CompetencyFramework } from '../competencies/framework.js';

export type Achievement = Record<string, unknown> & { id: string; name: string; humanCode: string };

export const achievementUrl = (baseUrl: string, code: string): string => `${baseUrl}/achievements/${encodeURIComponent(code)}`;
export const achievementImageUrl = (achievementId: string): string => `${achievementId}/image.svg`;
export const frameworkUrl = (baseUrl: string, framework: CompetencyFramework): string =>
  `${baseUrl}/frameworks/${encodeURIComponent(framework.code)}`;
/** The rubric and its levels are fragments of the achievement, so they resolve with it. */
export const rubricId = (achievementId: string): string => `${achievementId}#rubric`;
export const rubricLevelId = (achievementId: string, level: string): string => `${achievementId}#level-${level}`;

/**
 * Where the Achievement points in its framework (the OB 3.0 `Alignment` class; `CFItem` is one of its `AlignmentTargetType` values): the framework served
 * here, or, for an imported CASE item, the item itself (`targetType: "CFItem"`, its URI), so that
 * badges of two programs that import one CASE framework align to the same node.
 */
function alignmentOf(baseUrl: string, framework: CompetencyFramework, competency: Competency): Record<string, unknown> {
  if (competency.alignment) {
    const a = competency.alignment;
    return {
      type: ['Alignment'],
      targetName: a.targetName ?? competency.name,
      targetDescription: competency.description,
      targetUrl: a.targetUrl,
      targetFramework: a.targetFramework,
      ...(a.targetCode ? { targetCode: a.targetCode } : {}),
      targetType: a.targetType,
    };
  }
  return {
    type: ['Alignment'],
    targetName: competency.name,
    targetDescription: competency.description,
    targetUrl: `${frameworkUrl(baseUrl, framework)}#${competency.code}`,
    targetFramework: framework.name,
    targetCode: String(competency.number),
    targetType: 'ceasn:Competency',
  };
}

export function toAchievement(baseUrl: string, framework: CompetencyFramework, competency: Competency): Achievement {
  const id = achievementUrl(baseUrl, competency.code);
  const { minLevel } = competency.masteryRule;
  const rubric = rubricOf(framework, competency);
  return {
    id,
    type: ['Achievement'],
    achievementType: 'Competency',
    name: competency.name,
    description: competency.description,
    humanCode: competency.code,
    criteria: { id: `${id}#criteria`, narrative: competency.criteria },
    // OB 3.0 `Image`: the generated badge (src/badges/badgeImage.ts), served beside the achievement.
    image: { id: competency.image ?? achievementImageUrl(id), type: 'Image', caption: `${competency.name} badge` },
    alignment: [alignmentOf(baseUrl, framework, competency)],
    resultDescription: [
      {
        id: rubricId(id),
        type: ['ResultDescription'],
        name: `${competency.name}: observation rubric`,
        resultType: 'RubricCriterionLevel',
        allowedValue: rubric.map((level) => level.code),
        requiredLevel: rubricLevelId(id, minLevel),
        rubricCriterionLevel: rubric.map((level, index) => ({
          id: rubricLevelId(id, level.code),
          type: ['RubricCriterionLevel'],
          name: level.code,
          description: level.description,
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
