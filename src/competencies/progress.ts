// The mastery rule over an educator's history of recorded observations and assessments: for each
// achievement and each level of its rule's `awardLevels`, whether the rule holds, how far along
// the educator is, what is missing (in sentences), and, when it holds, exactly the observations
// and assessments that are counted, chosen deterministically (docs/frameworks.md, "Rules").
//
// What counts at level L: a rating of the achievement at L or higher (never a withdrawn
// observation) in an observation of the educator or shared with them. A lower rating is kept in
// the history but not counted, and does not undo what was counted: mastery is shown, not averaged.
import { awardLevelsOf, levelRank, rubricOf, type Competency, type CompetencyFramework, type MasteryRule, type Rubric, type Setting } from './framework.js';
import { missingAssessment, missingInSetting, missingObservations, missingObservers } from './ruleText.js';

export interface RecordedRating {
  achievement: string;
  level: string;
  narrative?: string | undefined;
}

/** One observed lesson, as stored. */
export interface RecordedObservation {
  id: string;
  /** The educator it was recorded for. */
  educatorId: string;
  date: string;
  observer: string;
  setting?: Setting | undefined;
  narrative?: string | undefined;
  url?: string | undefined;
  ratings: readonly RecordedRating[];
  withdrawn?: boolean | undefined;
  /** Other educators of a team it counts for as well. */
  sharedWith?: readonly string[] | undefined;
  /** When it was recorded (ISO date-time): orders observations of one date. */
  recordedAt?: string | undefined;
}

/** One scored assessment, as stored. */
export interface RecordedAssessment {
  id: string;
  educatorId: string;
  name: string;
  achievements: readonly string[];
  score: number;
  maxScore: number;
  date: string;
  withdrawn?: boolean | undefined;
  sharedWith?: readonly string[] | undefined;
  recordedAt?: string | undefined;
}

export interface MasteryHistory {
  educatorId: string;
  observations: readonly RecordedObservation[];
  assessments: readonly RecordedAssessment[];
}

export type ProgressState = 'not-started' | 'in-progress' | 'mastered';

/** One item of an educator's `progress` (the interface contract of issue 14). */
export interface ProgressItem {
  achievement: string;
  level: string;
  state: ProgressState;
  /** Counted toward `required`: occasions (distinct dates, unless the rule says otherwise) rated at the level or higher. */
  counted: number;
  required: number;
  missing: string[];
  awardId?: string | undefined;
}

/** An observation counted for a badge, with the rating that counted. */
export interface CountedObservation {
  observation: RecordedObservation;
  rating: RecordedRating;
}

/** The evaluation of one achievement at one level. */
export interface LevelEvaluation {
  progress: ProgressItem;
  /** When mastered: exactly what is counted (observations in date order). */
  counted?: { observations: CountedObservation[]; assessments: RecordedAssessment[] } | undefined;
}

const concerns = (educatorId: string, record: { educatorId: string; sharedWith?: readonly string[] | undefined }): boolean =>
  record.educatorId === educatorId || (record.sharedWith ?? []).includes(educatorId);

const chronological = <T extends { date: string; recordedAt?: string | undefined; id: string }>(a: T, b: T): number =>
  a.date.localeCompare(b.date) || (a.recordedAt ?? '').localeCompare(b.recordedAt ?? '') || a.id.localeCompare(b.id);

const percentOf = (a: RecordedAssessment): number => (a.maxScore > 0 ? (100 * a.score) / a.maxScore : 0);

/** What the rule still asks of a chosen set of observations. */
class Requirements {
  readonly #dates = new Set<string>();
  readonly #settingDates = new Map<Setting, Set<string>>();
  readonly #observers = new Set<string>();
  #count = 0;
  readonly #settingCounts = new Map<Setting, number>();

  constructor(private readonly rule: MasteryRule) {}

  get distinctDates(): boolean {
    return this.rule.distinctDates ?? true;
  }

  occasions(): number {
    return this.distinctDates ? this.#dates.size : this.#count;
  }

  inSetting(setting: Setting): number {
    return this.distinctDates ? (this.#settingDates.get(setting)?.size ?? 0) : (this.#settingCounts.get(setting) ?? 0);
  }

  observers(): number {
    return this.#observers.size;
  }

  /** How many unmet requirements adding `o` would meet one more unit of. */
  gain(o: RecordedObservation): number {
    let gain = 0;
    if (this.occasions() < this.rule.minObservations && (!this.distinctDates || !this.#dates.has(o.date))) gain += 1;
    const need = o.setting ? this.rule.minInSetting?.[o.setting] : undefined;
    if (o.setting && need !== undefined && this.inSetting(o.setting) < need && (!this.distinctDates || !this.#settingDates.get(o.setting)?.has(o.date))) gain += 1;
    if (this.rule.minObservers !== undefined && this.#observers.size < this.rule.minObservers && !this.#observers.has(o.observer)) gain += 1;
    return gain;
  }

  add(o: RecordedObservation): void {
    this.#count += 1;
    this.#dates.add(o.date);
    this.#observers.add(o.observer);
    if (o.setting) {
      const dates = this.#settingDates.get(o.setting) ?? new Set<string>();
      dates.add(o.date);
      this.#settingDates.set(o.setting, dates);
      this.#settingCounts.set(o.setting, (this.#settingCounts.get(o.setting) ?? 0) + 1);
    }
  }

  /** The sentences of what is still missing, for the level named. */
  missing(level: string): string[] {
    const missing: string[] = [];
    const occasions = this.occasions();
    if (occasions < this.rule.minObservations) {
      missing.push(missingObservations(this.rule.minObservations - occasions, occasions, this.rule.minObservations, level, this.distinctDates));
    }
    for (const [setting, need] of Object.entries(this.rule.minInSetting ?? {}) as [Setting, number][]) {
      const have = this.inSetting(setting);
      if (have < need) missing.push(missingInSetting(need - have, setting, level));
    }
    if (this.rule.minObservers !== undefined && this.#observers.size < this.rule.minObservers) {
      missing.push(missingObservers(this.rule.minObservers - this.#observers.size, this.#observers.size, this.rule.minObservers));
    }
    return missing;
  }
}

/**
 * The counted set: greedily, the observation that meets the most still-unmet requirements (one
 * more occasion, one more in a required setting, one more observer), the earliest on a tie,
 * until nothing is unmet. It is deterministic, the earliest evidence wins, and no observation is
 * counted that adds nothing (a second one of a date counts only for another observer or setting).
 */
function chooseCounted(rule: MasteryRule, qualifying: readonly CountedObservation[]): CountedObservation[] {
  const chosen = new Requirements(rule);
  const left = [...qualifying];
  const picked: CountedObservation[] = [];
  for (;;) {
    let best = -1;
    let bestGain = 0;
    left.forEach((c, i) => {
      const gain = chosen.gain(c.observation);
      if (gain > bestGain) {
        best = i;
        bestGain = gain;
      }
    });
    if (best < 0) break;
    const [next] = left.splice(best, 1) as [CountedObservation];
    chosen.add(next.observation);
    picked.push(next);
  }
  return picked.sort((a, b) => chronological(a.observation, b.observation));
}

/** One achievement of a framework at each level of its rule's `awardLevels`, over a history. */
export function evaluateCompetency(competency: Competency, rubric: Rubric, history: MasteryHistory): LevelEvaluation[] {
  const rule = competency.masteryRule;
  const observations = history.observations.filter((o) => !o.withdrawn && concerns(history.educatorId, o)).sort(chronological);
  const assessments = history.assessments
    .filter((a) => !a.withdrawn && concerns(history.educatorId, a) && a.achievements.includes(competency.code))
    .sort(chronological);
  const rated = observations.flatMap((observation) =>
    observation.ratings.filter((r) => r.achievement === competency.code).map((rating): CountedObservation => ({ observation, rating })),
  );
  const started = rated.length > 0 || assessments.length > 0;

  return awardLevelsOf(rule).map((level): LevelEvaluation => {
    const rank = levelRank(rubric, level);
    const qualifying = rated.filter((c) => levelRank(rubric, c.rating.level) >= rank);
    const all = new Requirements(rule);
    for (const c of qualifying) all.add(c.observation);
    const missing = all.missing(level);

    let assessment: RecordedAssessment | undefined;
    if (rule.assessment) {
      const min = rule.assessment.minPercent;
      assessment = assessments.find((a) => percentOf(a) >= min);
      if (!assessment) {
        const best = [...assessments].sort((a, b) => percentOf(b) - percentOf(a))[0];
        missing.push(missingAssessment(min, best && { percent: percentOf(best), name: best.name }));
      }
    }

    const assessmentOnly = rule.minObservations === 0;
    const required = assessmentOnly ? 1 : rule.minObservations;
    const counted = assessmentOnly ? (assessment ? 1 : 0) : all.occasions();
    const mastered = missing.length === 0;
    const progress: ProgressItem = {
      achievement: competency.code,
      level,
      state: mastered ? 'mastered' : started ? 'in-progress' : 'not-started',
      counted,
      required,
      missing,
    };
    if (!mastered) return { progress };
    const chosen = chooseCounted(rule, qualifying);
    const chosenRequirements = new Requirements(rule);
    for (const c of chosen) chosenRequirements.add(c.observation);
    return {
      progress: { ...progress, counted: assessmentOnly ? counted : chosenRequirements.occasions() },
      counted: { observations: chosen, assessments: assessment ? [assessment] : [] },
    };
  });
}

/** Every achievement of the frameworks, each at each award level, in framework order. */
export function evaluateProgress(frameworks: readonly CompetencyFramework[], history: MasteryHistory): LevelEvaluation[] {
  return frameworks.flatMap((framework) => framework.competencies.flatMap((c) => evaluateCompetency(c, rubricOf(framework, c), history)));
}

/** The achievements a new observation or assessment can change: only those are re-evaluated. */
export function touchedAchievements(record: { ratings: readonly RecordedRating[] } | { achievements: readonly string[] }): string[] {
  return 'ratings' in record ? [...new Set(record.ratings.map((r) => r.achievement))] : [...new Set(record.achievements)];
}

