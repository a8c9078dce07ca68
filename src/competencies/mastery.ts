// Checks the evidence offered for an award against an achievement's mastery rule. The result
// lists every unmet requirement, so a program learns in one answer what is still missing.
import { rubricRank, type MasteryRule, type RubricLevel } from './framework.js';

export interface Observation {
  kind: 'observation';
  date: string;
  observer: string;
  level: RubricLevel;
  narrative?: string | undefined;
  url?: string | undefined;
}

export interface MasteryShortfall {
  requirement: string;
  detail: string;
}

export interface MasteryCheck {
  mastered: boolean;
  shortfalls: MasteryShortfall[];
  /** The lowest level observed: the level the credential's result reports. */
  achievedLevel: RubricLevel | undefined;
}

export function checkMastery(rule: MasteryRule, observations: readonly Observation[]): MasteryCheck {
  const shortfalls: MasteryShortfall[] = [];
  if (observations.length < rule.minObservations) {
    shortfalls.push({
      requirement: 'minObservations',
      detail: `at least ${rule.minObservations} observations are required; ${observations.length} given`,
    });
  }
  const below = observations
    .map((o, index) => ({ o, index }))
    .filter(({ o }) => rubricRank(o.level) < rubricRank(rule.minLevel));
  for (const { o, index } of below) {
    shortfalls.push({
      requirement: 'minLevel',
      detail: `evidence[${index}] (${o.date}, ${o.observer}) is rated '${o.level}'; every observation must be '${rule.minLevel}' or higher`,
    });
  }
  const achievedLevel = observations.reduce<RubricLevel | undefined>(
    (lowest, o) => (lowest === undefined || rubricRank(o.level) < rubricRank(lowest) ? o.level : lowest),
    undefined,
  );
  return { mastered: shortfalls.length === 0, shortfalls, achievedLevel };
}
