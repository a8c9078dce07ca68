// What can stop a wallet's answer to a presentation request before any decision: no such
// request, answered already (a replay), expired, or a presentation that does not prove the
// request's challenge. Each maps to one problem+json answer (src/http/presentationRequests.ts).

export class PresentationRequestNotFoundError extends Error {
  constructor(readonly requestId: string) {
    super('No presentation request has this address.');
  }
}

/** A request answers once: a second presentation (a replay, or another wallet) is refused. */
export class PresentationRequestAnsweredError extends Error {
  constructor(readonly requestId: string) {
    super('This presentation request has been answered already; a request answers once. Ask the verifier for a new one.');
  }
}

export class PresentationRequestExpiredError extends Error {
  constructor(
    readonly requestId: string,
    readonly expiresAt: string,
  ) {
    super(`This presentation request expired at ${expiresAt}; ask the verifier for a new one.`);
  }
}

/**
 * The presentation does not answer this request: malformed, or its holder's proof does not
 * verify for the request's challenge and domain (a presentation made for another verifier,
 * replayed here). The request stays open for the educator's own wallet.
 */
export class PresentationRefusedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly report?: unknown,
  ) {
    super(message);
  }
}
