// The built-in instructional competency framework: seven competencies educators need in
// competency-based schools, each with a rubric and a mastery rule. It is the embedded default,
// so a fresh instance can award real badges before a program loads a framework of its own.

export const RUBRIC_LEVELS = ['beginning', 'developing', 'proficient', 'exemplary'] as const;
export type RubricLevel = (typeof RUBRIC_LEVELS)[number];

export const RUBRIC_LEVEL_DESCRIPTIONS: Record<RubricLevel, string> = {
  beginning: 'The practice is attempted but not yet effective for most students.',
  developing: 'The practice is present and partly effective; important elements are missing.',
  proficient: 'The practice is consistently effective for the students observed.',
  exemplary: 'The practice is effective for every student observed and could serve as a model for peers.',
};

/** A rubric level of a framework: its stable code (what ratings name), a description, optionally a display name. */
export interface RubricLevelDefinition {
  code: string;
  name?: string | undefined;
  description: string;
}

/** A rubric: levels ordered from the lowest to the highest. */
export type Rubric = readonly RubricLevelDefinition[];

export const BUILT_IN_RUBRIC: Rubric = RUBRIC_LEVELS.map((code) => ({ code, description: RUBRIC_LEVEL_DESCRIPTIONS[code] }));

/** Where an observed lesson took place. */
export const SETTINGS = ['in-person', 'online', 'blended'] as const;
export type Setting = (typeof SETTINGS)[number];

/**
 * What counts as mastery (docs/frameworks.md gives the semantics with examples). `minObservations`
 * and `minLevel` are always there; the rest is optional. A level of `awardLevels` is its own
 * badge: the rule is evaluated with that level as the minimum rating.
 */
export interface MasteryRule {
  /** Observations rated `minLevel` or higher (on distinct dates unless `distinctDates` is false). */
  minObservations: number;
  /** A rubric level code: every counted rating is at or above it. */
  minLevel: string;
  /** Several observations of one date count once (default true). */
  distinctDates?: boolean | undefined;
  /** Counted observations come from at least this many different observers. */
  minObservers?: number | undefined;
  /** At least this many counted observations in each named setting, e.g. `{"online": 1}`. */
  minInSetting?: Partial<Record<Setting, number>> | undefined;
  /** An assessment covering the competency scored at least this share of its maximum ("B or better" = 80). */
  assessment?: { minPercent: number } | undefined;
  /** The levels badged, each its own badge (default: `[minLevel]`); none below `minLevel`. */
  awardLevels?: readonly string[] | undefined;
}

export const DEFAULT_MASTERY_RULE: MasteryRule = Object.freeze({
  minObservations: 5,
  minLevel: 'proficient',
  awardLevels: Object.freeze(['proficient', 'exemplary']),
});

/** An OB 3.0 `Alignment` target other than the framework served here (a CASE item, say). */
export interface AlignmentTarget {
  targetType: string;
  targetUrl: string;
  targetFramework: string;
  targetCode?: string | undefined;
  targetName?: string | undefined;
}

export interface Competency {
  /** Stable code: the `humanCode` of the Achievement and the last segment of its URL. */
  code: string;
  /** Position in the framework (1-based), as approval rules and people refer to it. */
  number: number;
  name: string;
  description: string;
  criteria: string;
  tags: string[];
  masteryRule: MasteryRule;
  /** An image URL for the Achievement instead of the generated badge. */
  image?: string | undefined;
  /** Its own rubric, when it differs from the framework's (a CASE criterion for this item). */
  rubric?: Rubric | undefined;
  /** Where the Achievement's alignment points when not into the framework served here. */
  alignment?: AlignmentTarget | undefined;
}

export interface CompetencyFramework {
  code: string;
  name: string;
  description: string;
  /** The rubric ratings are given on; absent: the built-in four levels. */
  rubric?: Rubric | undefined;
  competencies: Competency[];
  /** Where it came from: the built-in default, educred's framework JSON, or a CASE package. */
  source?: { kind: 'built-in' } | { kind: 'educred' } | { kind: 'case'; documentUri: string; documentIdentifier: string } | undefined;
}

const competency = (c: Omit<Competency, 'masteryRule'>, rule: MasteryRule = DEFAULT_MASTERY_RULE): Competency => ({ ...c, masteryRule: rule });

/** Competency 7's criteria demand a fully online session: the rule checks it. */
const ONLINE_SESSION_RULE: MasteryRule = Object.freeze({ ...DEFAULT_MASTERY_RULE, minInSetting: Object.freeze({ online: 1 }) });

export const BUILT_IN_FRAMEWORK: CompetencyFramework = {
  code: 'instructional-competencies',
  name: 'Instructional Competencies for Competency-Based Schools',
  description:
    'Seven instructional competencies that educators demonstrate, by observed practice against a ' +
    'shared rubric, to teach in schools where students advance on mastery rather than seat time.',
  rubric: BUILT_IN_RUBRIC,
  source: { kind: 'built-in' },
  competencies: [
    competency({
      code: 'differentiated-support',
      number: 1,
      name: 'Differentiated Support',
      description:
        'Gives each student timely support matched to their current learning needs, so that every ' +
        'student stays on a trajectory toward college and career readiness.',
      criteria:
        'Across at least five observed lessons, the educator identifies students who need a different ' +
        'level of challenge or support, adjusts tasks, grouping or scaffolds during the lesson, and ' +
        'each observation is rated proficient or exemplary on the rubric.',
      tags: ['differentiation', 'student support'],
    }),
    competency({
      code: 'aligned-instruction',
      number: 2,
      name: 'Aligned Instruction',
      description:
        'Plans and delivers instruction aligned to explicit, measurable and transferable learning objectives.',
      criteria:
        'Across at least five observed lessons, every activity serves a stated objective that students ' +
        'can name, success is measurable, and each observation is rated proficient or exemplary.',
      tags: ['objectives', 'planning'],
    }),
    competency({
      code: 'formative-assessment',
      number: 3,
      name: 'Formative Assessment',
      description:
        'Checks student progress regularly, and readiness to demonstrate mastery, and acts on what the checks show.',
      criteria:
        'Across at least five observed lessons, the educator gathers evidence of each student\'s progress ' +
        'during instruction, uses it to adjust the next step, and each observation is rated proficient or exemplary.',
      tags: ['assessment', 'feedback'],
    }),
    competency({
      code: 'performance-assessment-design',
      number: 4,
      name: 'Performance Assessment Design',
      description:
        'Designs valid and reliable performance-based assessments, both formative and summative.',
      criteria:
        'The educator presents at least five assessment tasks with their scoring guides; reviewers rate ' +
        'each proficient or exemplary for validity (it measures the objective) and reliability (two ' +
        'scorers agree).',
      tags: ['assessment design', 'performance tasks'],
    }),
    competency({
      code: 'data-informed-instruction',
      number: 5,
      name: 'Data-Informed Instruction',
      description: 'Uses timely, individual learning data to steer instruction for each student.',
      criteria:
        'Across at least five observations, the educator shows the data consulted for a decision about ' +
        'a student or group, the decision taken, and its effect; each is rated proficient or exemplary.',
      tags: ['data use', 'instructional decisions'],
    }),
    competency({
      code: 'lifelong-learning-sel',
      number: 6,
      name: 'Lifelong Learning and Social-Emotional Growth',
      description:
        'Builds students\' skills as learners and their social and emotional competencies alongside academic content.',
      criteria:
        'Across at least five observed lessons, the educator explicitly teaches and reinforces learning ' +
        'habits or social-emotional skills, and each observation is rated proficient or exemplary.',
      tags: ['social-emotional learning', 'learning skills'],
    }),
    competency({
      code: 'personalized-blended-online',
      number: 7,
      name: 'Personalized, Blended and Online Learning',
      description:
        'Designs and runs personalized instruction with technology, including blended and fully online courses.',
      criteria:
        'Across at least five observed sessions, at least one of them fully online, the educator runs ' +
        'instruction in which students work on paths and at paces set by their own progress, using ' +
        'digital tools; each observation is rated proficient or exemplary.',
      tags: ['online learning', 'blended learning', 'personalized learning'],
    }, ONLINE_SESSION_RULE),
  ],
};

export function findCompetency(framework: CompetencyFramework, code: string): Competency | undefined {
  return framework.competencies.find((c) => c.code === code);
}

export function rubricRank(level: RubricLevel): number {
  return RUBRIC_LEVELS.indexOf(level);
}

/** The rubric a competency's ratings are given on. */
export function rubricOf(framework: CompetencyFramework, competency: Competency): Rubric {
  return competency.rubric ?? framework.rubric ?? BUILT_IN_RUBRIC;
}

/** A level's position in a rubric (0 = lowest), or -1 when the rubric has no such level. */
export function levelRank(rubric: Rubric, level: string): number {
  return rubric.findIndex((l) => l.code === level);
}

/** The levels a rule badges, lowest first: `awardLevels`, or only `minLevel`. */
export function awardLevelsOf(rule: MasteryRule): readonly string[] {
  return rule.awardLevels && rule.awardLevels.length > 0 ? rule.awardLevels : [rule.minLevel];
}
