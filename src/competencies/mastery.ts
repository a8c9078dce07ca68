// Checks the evidence offered for an award against an achievement's mastery rule. The result
// lists every unmet requirement, so a program learns in one answer what is still missing.
//
// Evidence must be able to be real: the rule counts observations on distinct dates (several
// observations of one day, e.g. a co-observed lesson, are kept as evidence but count once: they
// show the practice on one occasion), and no observation may be dated after the award. An
// observation's date is a calendar date in the observer's time zone, the award's time is UTC:
// a date up to the award's UTC date plus one day is not in the future (UTC+14 is a day ahead).
import { BUILT_IN_RUBRIC, levelRank, type MasteryRule, type Rubric } from './framework.js';

export interface Observation {
  kind: 'observation';
  date: string;
  observer: string;
  /** A level code of the achievement's rubric. */
  level: string;
  narrative?: string | undefined;
  url?: string | undefined;
}

export interface MasteryShortfall {
  requirement: 'minObservations' | 'minLevel' | 'minObservers' | 'notAfterAward';
  /** The request field at fault, as `evidence[3].date`. */
  field: string;
  detail: string;
}

export interface MasteryCheck<L extends string = string> {
  mastered: boolean;
  shortfalls: MasteryShortfall[];
  /** The lowest level observed: the level the credential's result reports. */
  achievedLevel: L | undefined;
}

/** The evidence of one inline award: what `checkMastery` reads of an observation. */
export interface InlineObservation<L extends string = string> {
  date: string;
  observer: string;
  level: L;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const utcDate = (at: Date): string => at.toISOString().slice(0, 10);

/** The latest observation date an award made at `awardedAt` accepts (YYYY-MM-DD). */
export function latestObservationDate(awardedAt: Date): string {
  return utcDate(new Date(awardedAt.getTime() + DAY_MS));
}

/**
 * The rule over the evidence of one inline award (`POST /awards`). It checks what inline evidence
 * can show: the count (`minObservations`, on distinct dates unless `distinctDates` is false), every
 * level (`minLevel`), `minObservers`, and dates. Inline evidence names no setting and carries no
 * assessment, so `minInSetting` and `assessment` are left to the history of recorded observations
 * (src/competencies/progress.ts); see docs/frameworks.md.
 */
export function checkMastery<L extends string>(
  rule: MasteryRule,
  observations: readonly InlineObservation<L>[],
  awardedAt: Date,
  rubric: Rubric = BUILT_IN_RUBRIC,
): MasteryCheck<L> {
  const shortfalls: MasteryShortfall[] = [];
  const distinctDates = rule.distinctDates ?? true;
  const occasions = distinctDates ? new Set(observations.map((o) => o.date)).size : observations.length;
  if (occasions < rule.minObservations) {
    shortfalls.push({
      requirement: 'minObservations',
      field: 'evidence',
      detail: distinctDates
        ? `at least ${rule.minObservations} observations are required on distinct dates; ` +
          `${occasions} distinct date${occasions === 1 ? '' : 's'} given (${observations.length} observation${observations.length === 1 ? '' : 's'})`
        : `at least ${rule.minObservations} observations are required; ${observations.length} given`,
    });
  }
  const minRank = levelRank(rubric, rule.minLevel);
  observations.forEach((o, index) => {
    if (levelRank(rubric, o.level) < minRank) {
      shortfalls.push({
        requirement: 'minLevel',
        field: `evidence[${index}].level`,
        detail: `evidence[${index}] (${o.date}, ${o.observer}) is rated '${o.level}'; every observation must be '${rule.minLevel}' or higher`,
      });
    }
  });
  const observers = new Set(observations.map((o) => o.observer)).size;
  if (rule.minObservers !== undefined && observers < rule.minObservers) {
    shortfalls.push({
      requirement: 'minObservers',
      field: 'evidence',
      detail: `observations by at least ${rule.minObservers} different observers are required; ${observers} given`,
    });
  }
  const latest = latestObservationDate(awardedAt);
  observations.forEach((o, index) => {
    // ISO calendar dates (validated by the request schema) compare as strings.
    if (o.date > latest) {
      shortfalls.push({
        requirement: 'notAfterAward',
        field: `evidence[${index}].date`,
        detail: `evidence[${index}].date (${o.date}) is after the award (${utcDate(awardedAt)} UTC): an observation cannot be dated in the future`,
      });
    }
  });
  const achievedLevel = observations.reduce<L | undefined>(
    (lowest, o) => (lowest === undefined || levelRank(rubric, o.level) < levelRank(rubric, lowest) ? o.level : lowest),
    undefined,
  );
  return { mastered: shortfalls.length === 0, shortfalls, achievedLevel };
}

/** A shortfall's field as a JSON Pointer into the request body (`evidence[3].date` → `/evidence/3/date`). */
export function shortfallPointer(field: string): string {
  return '/' + field.replace(/\[(\d+)\]/g, '.$1').split('.').join('/');
}
