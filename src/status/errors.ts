// Why a status change or a status list request was refused, as error classes the HTTP layer
// and the CLI turn into their own answers (problem+json, an exit message).
import type { StatusPurpose } from '../store/statusLists.js';

export class UnknownAwardError extends Error {
  readonly code = 'unknown_award';
  constructor(readonly awardId: string) {
    super(`No award '${awardId}'`);
  }
}

/** Revocation is final (W3C Bitstring Status List: a revoked credential stays revoked). */
export class RevocationFinalError extends Error {
  readonly code = 'revocation_final';
  constructor(readonly awardId: string, readonly action: string) {
    super(`Award '${awardId}' is revoked, and revocation is final: it cannot be ${action === 'reinstate' ? 'reinstated' : 'suspended'}. Issue a new award instead.`);
  }
}

export class NoStatusEntryError extends Error {
  readonly code = 'no_status_entry';
  constructor(readonly awardId: string, readonly purpose: StatusPurpose) {
    super(
      purpose === 'suspension'
        ? `Award '${awardId}' was issued without a suspension status entry, so it cannot be suspended: badges carry one revocation entry by default (Open Badges 3.0 allows one credentialStatus); set EDUCRED_STATUS_PURPOSES=revocation,suspension for new badges to be suspendable, or revoke this one`
        : `Award '${awardId}' was issued without a ${purpose} status entry, so its ${purpose} status cannot be published`,
    );
  }
}

/** A list was created under another issuer DID than the one this service now signs as. */
export class StatusListIssuerChangedError extends Error {
  readonly code = 'status_list_issuer_changed';
  constructor(readonly listId: string, readonly listIssuer: string, readonly currentIssuer: string) {
    super(`Status list '${listId}' belongs to ${listIssuer}, but this service now signs as ${currentIssuer}`);
  }
}
