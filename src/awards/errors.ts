// Domain errors of awarding: each carries what a caller needs to tell the program what to fix.
import type { MasteryShortfall } from '../competencies/mastery.js';

export class UnknownAchievementError extends Error {
  readonly code = 'unknown_achievement';
  constructor(readonly achievement: string, readonly known: readonly string[]) {
    super(`Unknown achievement '${achievement}'. Known achievements: ${known.join(', ')}`);
  }
}

export class MasteryNotMetError extends Error {
  readonly code = 'mastery_not_met';
  constructor(readonly achievement: string, readonly shortfalls: readonly MasteryShortfall[]) {
    super(`The evidence does not meet the mastery rule of '${achievement}': ${shortfalls.map((s) => s.detail).join('; ')}`);
  }
}

export class IdempotencyConflictError extends Error {
  readonly code = 'idempotency_conflict';
  constructor(readonly key: string) {
    super(`Idempotency-Key '${key}' was already used with a different request body`);
  }
}

export class InvalidAwardError extends Error {
  readonly code = 'invalid_award';
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/**
 * One badge per recipient, achievement and achieved level: the recipient already holds this one
 * (not revoked) from a different request. Revoke it first to award it again.
 */
export class AwardExistsError extends Error {
  readonly code = 'award_exists';
  constructor(readonly existing: { id: string; achievementCode: string; achievedLevel: string; createdAt: string }) {
    super(
      `The recipient already holds '${existing.achievementCode}' at level '${existing.achievedLevel}': award ${existing.id} (issued ${existing.createdAt}), ` +
        'from a different request. One badge per recipient, achievement and level: send the same request to get it back, or revoke it before awarding it again',
    );
  }
}
