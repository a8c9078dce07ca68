// Domain errors of educator records: each names what the program must fix.

export class EducatorNotFoundError extends Error {
  readonly code = 'educator_not_found';
  constructor(readonly educatorId: string) {
    super(`No educator '${educatorId}'`);
  }
}

/** `externalId` is the program's own student number: unique on an instance. */
export class DuplicateExternalIdError extends Error {
  readonly code = 'duplicate_external_id';
  constructor(
    readonly externalId: string,
    readonly existingId: string,
    options?: ErrorOptions,
  ) {
    super(`An educator with externalId '${externalId}' already exists: ${existingId}`, options);
  }
}

/** A record (observation or assessment) that is not valid for this educator. */
export class InvalidRecordError extends Error {
  readonly code = 'invalid_record';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export class ObservationNotFoundError extends Error {
  readonly code = 'observation_not_found';
  constructor(
    readonly educatorId: string,
    readonly observationId: string,
  ) {
    super(`Educator '${educatorId}' has no observation '${observationId}'`);
  }
}

/**
 * An observation an issued (not revoked) badge counts cannot be withdrawn: the badge would claim
 * evidence that no longer stands. Revoke the badge instead (or first).
 */
export class ObservationCountedError extends Error {
  readonly code = 'observation_counted';
  constructor(
    readonly observationId: string,
    readonly awardIds: readonly string[],
    change: 'withdrawn' | 'amended' = 'withdrawn',
  ) {
    super(
      `Observation '${observationId}' is counted by the issued badge${awardIds.length === 1 ? '' : 's'} ${awardIds.join(', ')}: ` +
        `it cannot be ${change}; revoke the badge instead`,
    );
  }
}

export class ObservationWithdrawnError extends Error {
  readonly code = 'observation_withdrawn';
  constructor(readonly observationId: string) {
    super(`Observation '${observationId}' is already withdrawn`);
  }
}
