// Issuing an endorsement: a state agency instance signs an EndorsementCredential about a
// program's issuer DID and audits it. An endorsement lapses by its validUntil; the agency
// re-issues endorsements on its review cycle rather than revoking them one by one.
import type { Issuer } from '../signing/issuer.js';
import type { JsonObject } from '../signing/suites.js';
import type { Store } from '../store/store.js';
import { buildEndorsementCredential, type EndorsementRequest } from './endorsementCredential.js';

export interface EndorsementDeps {
  store: Store;
  issuer: Issuer;
  baseUrl: string;
  now?: () => Date;
}

export class InvalidEndorsementError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

export async function issueEndorsement(deps: EndorsementDeps, request: EndorsementRequest, actor: string): Promise<JsonObject> {
  const now = (deps.now ?? (() => new Date()))();
  if (request.issuer === deps.issuer.identity.did) {
    throw new InvalidEndorsementError('issuer', 'An issuer cannot endorse itself');
  }
  if (request.validUntil && new Date(request.validUntil) <= new Date(request.validFrom ?? now)) {
    throw new InvalidEndorsementError('validUntil', 'validUntil must be after validFrom');
  }
  const unsigned = buildEndorsementCredential({ ...request, endorser: deps.issuer.profile, baseUrl: deps.baseUrl, now });
  const credential = await deps.issuer.sign(unsigned);
  await deps.store.audit.record({
    actor,
    action: 'endorsement.issued',
    subject: credential.id as string,
    detail: { endorsed: request.issuer, validUntil: request.validUntil ?? null },
  });
  return credential;
}
