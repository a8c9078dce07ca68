// A program: the achievements (and minimum levels) it requires for completion and what
// completion is called. The built-in `educator-preparation` requires the seven built-in
// competencies at `proficient`; a provider defines others with POST /programs (elementary,
// secondary, principal preparation). Completing a program earns a CLR 2.0 record (src/programs/).
import { z } from 'zod';
import { BUILT_IN_FRAMEWORK, levelRank, rubricOf } from '../competencies/framework.js';
import type { FrameworkCatalog } from '../competencies/frameworkCatalog.js';
import { DEFAULT_NAME_PRIVACY, namePrivacyOf, NamePrivacySchema, type NamePrivacy } from './namePrivacy.js';

export interface ProgramRequirement {
  /** An achievement code of a loaded framework. */
  achievement: string;
  /** The lowest rubric level that counts (absent: the achievement's own mastery level). */
  minLevel?: string | undefined;
}

export interface Program {
  code: string;
  name: string;
  description: string;
  /** The completion statement, e.g. "Educator preparation completed: recommended for initial licensure". */
  completion: string;
  /** The program Achievement's `achievementType` (OB 3.0 AchievementType; default `Certificate`). */
  achievementType: string;
  requires: readonly ProgramRequirement[];
  /** Issue the record by itself when an educator's last requirement is met (default true). */
  autoIssue: boolean;
  builtIn: boolean;
  createdAt?: string | undefined;
  /** How public pages show recipient and observer names (issue 16); absent: the default. */
  namePrivacy?: NamePrivacy | undefined;
}

export const BUILT_IN_PROGRAM_CODE = 'educator-preparation';

export const BUILT_IN_PROGRAM: Program = Object.freeze({
  code: BUILT_IN_PROGRAM_CODE,
  name: 'Educator Preparation',
  description:
    'Preparation for teaching in competency-based schools: each of the seven instructional competencies mastered, by observed practice against the shared rubric, at proficient or above.',
  completion: 'Educator preparation completed: recommended for initial licensure',
  achievementType: 'Certificate',
  requires: Object.freeze(BUILT_IN_FRAMEWORK.competencies.map((c) => Object.freeze({ achievement: c.code, minLevel: 'proficient' }))),
  autoIssue: true,
  builtIn: true,
  namePrivacy: DEFAULT_NAME_PRIVACY,
});

/**
 * OB 3.0 §B.1.3 AchievementType: the enumeration, extensible with `ext:` terms. A program is
 * completed with a Certificate unless it says otherwise.
 */
const ACHIEVEMENT_TYPES = [
  'Achievement', 'ApprenticeshipCertificate', 'Assessment', 'Assignment', 'AssociateDegree', 'Award', 'Badge', 'BachelorDegree', 'Certificate',
  'CertificateOfCompletion', 'Certification', 'CommunityService', 'Competency', 'Course', 'CoCurricular', 'Degree', 'Diploma', 'DoctoralDegree',
  'Fieldwork', 'GeneralEducationDevelopment', 'JourneymanCertificate', 'LearningProgram', 'License', 'Membership', 'ProfessionalDoctorate',
  'QualityAssuranceCredential', 'MasterCertificate', 'MasterDegree', 'MicroCredential', 'ResearchDoctorate', 'SecondarySchoolDiploma',
] as const;

export const ProgramRequestSchema = z.strictObject({
  code: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes (at most 63)'),
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().min(1).max(2000),
  completion: z.string().trim().min(1).max(500),
  achievementType: z.union([z.enum(ACHIEVEMENT_TYPES), z.string().regex(/^ext:[A-Za-z0-9]+$/, "an OB 3.0 AchievementType or an 'ext:' term")]).optional(),
  requires: z
    .array(z.strictObject({ achievement: z.string().min(1).max(100), minLevel: z.string().min(1).max(50).optional() }))
    .min(1)
    .max(100),
  autoIssue: z.boolean().optional(),
  // Pages only (issue 16): src/programs/namePrivacy.ts.
  namePrivacy: NamePrivacySchema.optional(),
});

export type ProgramRequest = z.infer<typeof ProgramRequestSchema>;

export class ProgramNotFoundError extends Error {
  constructor(
    readonly programCode: string,
    readonly known: string[],
  ) {
    super(`No program '${programCode}'; the programs are: ${known.join(', ')}`);
  }
}

export class ProgramExistsError extends Error {
  constructor(readonly programCode: string) {
    super(`A program with code '${programCode}' already exists`);
  }
}

/** A program whose requirements name what the loaded frameworks do not have. */
export class ProgramInvalidError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Checks a program request against the loaded frameworks: every achievement known, every level in its rubric. */
export function programFromRequest(request: ProgramRequest, catalog: FrameworkCatalog, now: Date): Program {
  if (request.code === BUILT_IN_PROGRAM_CODE) throw new ProgramExistsError(request.code);
  const seen = new Set<string>();
  request.requires.forEach((r, i) => {
    const entry = catalog.achievement(r.achievement);
    if (!entry) throw new ProgramInvalidError(`requires[${i}].achievement`, `requires[${i}].achievement names the unknown achievement '${r.achievement}'`);
    if (seen.has(r.achievement)) throw new ProgramInvalidError(`requires[${i}].achievement`, `requires[${i}] names '${r.achievement}' a second time`);
    seen.add(r.achievement);
    const rubric = rubricOf(entry.framework, entry.competency);
    if (r.minLevel !== undefined && levelRank(rubric, r.minLevel) < 0) {
      throw new ProgramInvalidError(`requires[${i}].minLevel`, `requires[${i}].minLevel '${r.minLevel}' is not a level of the rubric of '${r.achievement}' (${rubric.map((l) => l.code).join(', ')})`);
    }
  });
  return {
    code: request.code,
    name: request.name,
    description: request.description,
    completion: request.completion,
    achievementType: request.achievementType ?? 'Certificate',
    requires: request.requires.map((r) => ({ achievement: r.achievement, ...(r.minLevel ? { minLevel: r.minLevel } : {}) })),
    autoIssue: request.autoIssue ?? true,
    builtIn: false,
    createdAt: now.toISOString(),
    namePrivacy: namePrivacyOf(request.namePrivacy),
  };
}

/** The level a requirement asks for: its own, or the achievement's mastery level. */
export function requiredLevel(requirement: ProgramRequirement, catalog: FrameworkCatalog): string {
  return requirement.minLevel ?? catalog.achievement(requirement.achievement)?.competency.masteryRule.minLevel ?? 'proficient';
}

export const programView = (p: Program): Record<string, unknown> => ({
  code: p.code,
  name: p.name,
  description: p.description,
  completion: p.completion,
  achievementType: p.achievementType,
  requires: p.requires.map((r) => ({ achievement: r.achievement, ...(r.minLevel ? { minLevel: r.minLevel } : {}) })),
  autoIssue: p.autoIssue,
  builtIn: p.builtIn,
  ...(p.createdAt ? { createdAt: p.createdAt } : {}),
  namePrivacy: p.namePrivacy ?? { ...DEFAULT_NAME_PRIVACY },
});
