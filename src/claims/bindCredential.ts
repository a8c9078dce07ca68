// Binds an award's credential to the wallet that claims it. OB 3.0 updates a credential by
// re-issuing it with the same `id` and issuer and a new `validFrom`, keeping `awardedDate`
// (the date of the award); the status entries are the award's own, so revoking the award
// revokes every version.
import { assertOpenBadgeSchemaValid } from '../credentials/openBadgeSchemaGate.js';
import { isClrCredential } from '../programs/clrCredential.js';
import type { Issuer } from '../signing/issuer.js';
import type { JsonObject } from '../signing/suites.js';

const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The DID a credential is bound to (`credentialSubject.id`), if any. */
export function subjectDid(credential: JsonObject): string | undefined {
  const subject = credential.credentialSubject as { id?: unknown } | undefined;
  return typeof subject?.id === 'string' ? subject.id : undefined;
}

export async function bindCredentialToHolder(issuer: Issuer, stored: JsonObject, holderDid: string, now: Date): Promise<JsonObject> {
  const { proof: _proof, ...unsigned } = structuredClone(stored);
  const subject = unsigned.credentialSubject as JsonObject;
  // `id` first: the salted email identifier stays, so the badge still shows whom it was awarded to.
  unsigned.credentialSubject = { id: holderDid, ...subject };
  unsigned.awardedDate = stored.awardedDate ?? stored.validFrom;
  unsigned.validFrom = isoSeconds(now);
  // The same gate as a new award (src/credentials/openBadgeSchemaGate.ts): a badge that carried
  // both status entries when awarded passes it again when re-issued. A program record (CLR 2.0)
  // is not an AchievementCredential: it keeps its embedded badges as signed, only its subject
  // gains the wallet's DID (and is checked against them when verified, src/verify/verifyRecord.ts).
  if (!isClrCredential(unsigned)) assertOpenBadgeSchemaValid(unsigned, 'The re-issued credential');
  return issuer.sign(unsigned);
}
