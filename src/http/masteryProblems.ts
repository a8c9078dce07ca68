// The domain errors of frameworks and mastery records as problem+json, in one place.
import { AchievementCodeCollisionError, FrameworkCodeCollisionError, FrameworkInvalidError, InvalidRatingError } from '../competencies/errors.js';
import { DuplicateExternalIdError, EducatorNotFoundError, InvalidRecordError, ObservationCountedError, ObservationNotFoundError, ObservationWithdrawnError } from '../educators/errors.js';
import { HttpProblem, notFound, unprocessable } from './problem.js';

const fieldPointer = (field: string): string => '/' + field.replace(/\[(\d+)\]/g, '.$1').split('.').join('/');

/** Rethrows a known domain error as its problem; anything else as it is. */
export function masteryProblem(error: unknown): never {
  if (error instanceof FrameworkInvalidError) {
    throw unprocessable('framework-invalid', 'Invalid framework', error.message, { errors: error.problems.map((p) => ({ pointer: p.pointer, detail: p.message })) });
  }
  if (error instanceof AchievementCodeCollisionError) {
    throw new HttpProblem(409, 'achievement-code-exists', 'Achievement code already used', error.message, { achievementCode: error.achievementCode, framework: error.heldBy });
  }
  if (error instanceof FrameworkCodeCollisionError) {
    throw new HttpProblem(409, 'framework-exists', 'Framework code already used', error.message, { frameworkCode: error.frameworkCode });
  }
  if (error instanceof InvalidRatingError || error instanceof InvalidRecordError) {
    throw unprocessable('invalid-record', 'Invalid record', error.message, { errors: [{ pointer: fieldPointer(error.field), detail: error.message }] });
  }
  if (error instanceof DuplicateExternalIdError) {
    throw new HttpProblem(409, 'educator-exists', 'externalId already used', error.message, { existingEducatorId: error.existingId });
  }
  if (error instanceof EducatorNotFoundError || error instanceof ObservationNotFoundError) throw notFound(error.message);
  if (error instanceof ObservationCountedError) {
    throw new HttpProblem(409, 'observation-counted', 'Counted by an issued badge', error.message, { awardIds: error.awardIds });
  }
  if (error instanceof ObservationWithdrawnError) throw new HttpProblem(409, 'observation-withdrawn', 'Already withdrawn', error.message);
  throw error;
}
