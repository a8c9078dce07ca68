// The frameworks loaded on an instance: the built-in default, those from EDUCRED_FRAMEWORKS_DIR
// and those posted to the API. Achievement codes are unique across all of them (a code is the
// Achievement's URL and what ratings name), and so are framework codes.
import { BUILT_IN_FRAMEWORK, levelRank, rubricOf, type Competency, type CompetencyFramework } from './framework.js';
import { AchievementCodeCollisionError, FrameworkCodeCollisionError, InvalidRatingError } from './errors.js';

export interface CatalogEntry {
  framework: CompetencyFramework;
  competency: Competency;
}

export class FrameworkCatalog {
  readonly #frameworks: CompetencyFramework[] = [];
  readonly #byCode = new Map<string, CatalogEntry>();

  constructor(frameworks: readonly CompetencyFramework[] = [BUILT_IN_FRAMEWORK]) {
    for (const f of frameworks) this.add(f);
  }

  /** Throws FrameworkCodeCollisionError or AchievementCodeCollisionError and then adds nothing. */
  add(framework: CompetencyFramework): void {
    this.assertCanAdd(framework);
    this.#frameworks.push(framework);
    for (const competency of framework.competencies) this.#byCode.set(competency.code, { framework, competency });
  }

  /** The check of `add`, for a caller that stores the framework before adding it. */
  assertCanAdd(framework: CompetencyFramework): void {
    if (this.#frameworks.some((f) => f.code === framework.code)) throw new FrameworkCodeCollisionError(framework.code);
    for (const competency of framework.competencies) {
      const held = this.#byCode.get(competency.code);
      if (held) throw new AchievementCodeCollisionError(competency.code, held.framework.code, framework.code);
    }
  }

  frameworks(): readonly CompetencyFramework[] {
    return this.#frameworks;
  }

  framework(code: string): CompetencyFramework | undefined {
    return this.#frameworks.find((f) => f.code === code);
  }

  achievement(code: string): CatalogEntry | undefined {
    return this.#byCode.get(code);
  }

  entries(): CatalogEntry[] {
    return [...this.#byCode.values()];
  }

  /**
   * Checks the ratings of one observation: each names a loaded achievement, once, with a level
   * of that achievement's rubric. Throws InvalidRatingError naming the field.
   */
  assertValidRatings(ratings: readonly { achievement: string; level: string }[], field = 'ratings'): void {
    if (ratings.length === 0) throw new InvalidRatingError(field, 'an observation rates at least one competency');
    const seen = new Set<string>();
    ratings.forEach((r, i) => {
      const entry = this.achievement(r.achievement);
      if (!entry) throw new InvalidRatingError(`${field}[${i}].achievement`, `${field}[${i}] names the unknown achievement '${r.achievement}'`);
      if (seen.has(r.achievement)) throw new InvalidRatingError(`${field}[${i}].achievement`, `${field}[${i}] rates '${r.achievement}' a second time in one observation`);
      seen.add(r.achievement);
      const rubric = rubricOf(entry.framework, entry.competency);
      if (levelRank(rubric, r.level) < 0) {
        throw new InvalidRatingError(`${field}[${i}].level`, `${field}[${i}].level '${r.level}' is not a level of the rubric of '${r.achievement}' (${rubric.map((l) => l.code).join(', ')})`);
      }
    });
  }
}
