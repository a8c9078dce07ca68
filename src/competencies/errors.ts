// Domain errors of frameworks and mastery records: each carries what a caller needs to tell the
// program what to fix (the HTTP layer maps them to problem+json in one place).

/** One thing wrong in a framework document, with its JSON Pointer. */
export interface FrameworkProblem {
  pointer: string;
  message: string;
}

/** A framework (educred JSON, a CASE package or a side file of rules) that cannot be loaded. */
export class FrameworkInvalidError extends Error {
  readonly code = 'framework_invalid';
  constructor(
    readonly source: string,
    readonly problems: readonly FrameworkProblem[],
  ) {
    super(`${source} is not a valid framework: ${problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; ')}`);
  }
}

/**
 * Achievement codes are unique on an instance (the code is the Achievement's URL and what
 * ratings name): a framework that brings a code another framework already holds is refused.
 */
export class AchievementCodeCollisionError extends Error {
  readonly code = 'achievement_code_collision';
  constructor(
    readonly achievementCode: string,
    readonly heldBy: string,
    readonly incoming: string,
  ) {
    super(`The achievement code '${achievementCode}' of framework '${incoming}' is already used by framework '${heldBy}': achievement codes are unique on an instance`);
  }
}

/** A framework code is its URL (`/frameworks/:code`): a second framework with the same code is refused. */
export class FrameworkCodeCollisionError extends Error {
  readonly code = 'framework_code_collision';
  constructor(readonly frameworkCode: string) {
    super(`A framework with the code '${frameworkCode}' is already loaded`);
  }
}

/** A rating that names no loaded achievement, or a level its rubric does not have. */
export class InvalidRatingError extends Error {
  readonly code = 'invalid_rating';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
