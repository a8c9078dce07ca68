// Why a claim was refused, as error classes the HTTP layer maps to status codes and the claim
// page turns into a sentence for the educator.

export type ClaimGoneReason = 'expired' | 'spent' | 'replaced';

export class ClaimNotFoundError extends Error {
  readonly code = 'claim_not_found';
  constructor() {
    super('No claim link with this token');
  }
}

/** The link existed but can no longer be used (HTTP 410). */
export class ClaimGoneError extends Error {
  readonly code = 'claim_gone';
  constructor(readonly reason: ClaimGoneReason, readonly at: string) {
    super(
      reason === 'expired'
        ? `This claim link expired on ${at}`
        : reason === 'spent'
          ? `This claim link was already used on ${at}`
          : `This claim link was replaced by a newer one on ${at}`,
    );
  }
}

/** The wallet's DID authentication did not verify (wrong challenge, bad signature, unknown DID). */
export class DidAuthenticationError extends Error {
  readonly code = 'did_authentication_failed';
}

/** The award names a DID and the wallet proved a different one. */
export class RecipientMismatchError extends Error {
  readonly code = 'recipient_mismatch';
  constructor(readonly expected: string, readonly presented: string) {
    super(`This badge was awarded to ${expected}; the wallet authenticated as ${presented}`);
  }
}

/** Why no claim link is made or delivered for an award. */
export type ClaimUnavailableReason = 'claimed' | 'revoked' | 'suspended' | 'status-unknown';

const NOT_CLAIMABLE: Record<'revoked' | 'suspended' | 'unknown', string> = {
  revoked: 'was revoked by the issuer, so it can no longer be collected',
  suspended: 'is suspended by the issuer; it can be collected again once reinstated',
  unknown: 'has a status that cannot be read right now, so it is not handed out',
};

/** The badge is revoked or suspended (or its status unreadable): nothing is delivered (HTTP 409). */
export class AwardNotClaimableError extends Error {
  readonly code = 'award_not_claimable';
  constructor(readonly awardId: string, readonly state: 'revoked' | 'suspended' | 'unknown') {
    super(`This badge ${NOT_CLAIMABLE[state]}`);
  }

  get reason(): ClaimUnavailableReason {
    return this.state === 'unknown' ? 'status-unknown' : this.state;
  }
}
