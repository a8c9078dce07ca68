// The steps a CLR 2.0 `ClrCredential` (a program record) adds to the pipeline: every embedded
// credential (`credentialSubject.verifiableCredential`) is verified as a badge is, each proof
// against its own issuer, its status and dates (CLR 2.0 §8 "Verification": "Verify each
// credential in the ClrSubject"), and each must be about the record's subject. A record whose
// badge was revoked is still the issuer's signed document, but it is not current: the
// `embedded` check fails and says which badge and why.
import { asArray, isObject, type Json } from '../credentials/jsonValues.js';
import { embeddedCredentials, isClrCredential } from '../programs/clrCredential.js';
import { overLimit, VERIFICATION_LIMITS } from './limits.js';
import { failed, passed, type Check, type CredentialCheckName, type CredentialReport } from './report.js';

type CredentialCheck = Check<CredentialCheckName>;

const subjectOf = (credential: unknown): Json | undefined => (isObject(credential) ? asArray(credential.credentialSubject).find(isObject) : undefined);
const emailHashes = (subject: Json | undefined): string[] =>
  asArray(subject?.identifier)
    .filter(isObject)
    .filter((i) => i.identityType === 'emailAddress' && typeof i.identityHash === 'string')
    .map((i) => i.identityHash as string);
const labelOf = (r: CredentialReport): string => `${r.summary.achievement?.name ?? 'a credential'} (${r.summary.id ?? 'no id'})`;

/**
 * Every embedded credential is about the record's subject: the same `id` (a DID), or, for a
 * badge naming its recipient by a salted email hash, a hash the record's ClrSubject lists among
 * its `identifier`s (the record's issuer states they are one person).
 */
export function checkSameSubject(record: Json, embedded: readonly unknown[]): CredentialCheck {
  const subject = subjectOf(record);
  const id = typeof subject?.id === 'string' ? subject.id : undefined;
  const hashes = new Set(emailHashes(subject));
  const others: string[] = [];
  embedded.forEach((credential, i) => {
    const theirs = subjectOf(credential);
    const label = isObject(credential) && typeof credential.id === 'string' ? credential.id : `verifiableCredential[${i}]`;
    if (typeof theirs?.id === 'string') {
      if (theirs.id !== id) others.push(`${label} is about ${theirs.id}`);
    } else if (!emailHashes(theirs).some((h) => hashes.has(h))) {
      others.push(`${label} names a recipient the record does not`);
    }
  });
  if (others.length > 0) return failed('subject', 'subject_mismatch', `Not every embedded credential is about the record's subject (${id ?? 'a hashed identifier'}): ${others.join('; ')}.`);
  return passed('subject', `Every embedded credential is about the record's subject, ${id ?? 'named by its hashed identifiers'}.`);
}

export type VerifyEmbedded = (credential: unknown) => Promise<CredentialReport>;

/** The record's extra checks and the report of each embedded credential (`report.embedded[]`). */
export async function verifyRecordContents(record: Json, verify: VerifyEmbedded, limit: number = VERIFICATION_LIMITS.credentialsPerPresentation): Promise<{ checks: CredentialCheck[]; embedded: CredentialReport[] }> {
  const contents = embeddedCredentials(record);
  if (contents.length === 0) return { checks: [failed('embedded', 'record_empty', 'The record holds no credential (ClrSubject.verifiableCredential is empty).')], embedded: [] };
  if (contents.length > limit) {
    return { checks: [failed('embedded', 'limit_exceeded', `${overLimit('credentialsPerPresentation', limit, `The record holds ${contents.length} credentials; none was verified`)}.`)], embedded: [] };
  }
  const embedded = await Promise.all(contents.map((c) => verify(c)));
  const nested = contents.filter(isClrCredential).length;
  const notCurrent = embedded.filter((r) => !r.verified);
  let check: CredentialCheck;
  if (nested > 0) {
    check = failed('embedded', 'record_nested', `The record holds ${nested} other record${nested === 1 ? '' : 's'}: a record's credentials are badges, verified one level deep.`);
  } else if (notCurrent.length > 0) {
    const reasons = notCurrent.map((r) => `${labelOf(r)}: ${(r.checks.find((c) => !c.passed && c.check !== 'endorsements')?.reason ?? 'it does not verify').replace(/\.$/, '')}`);
    check = failed('embedded', 'record_not_current', `Not current: ${notCurrent.length} of the ${embedded.length} credentials inside the record ${notCurrent.length === 1 ? 'does' : 'do'} not verify (${reasons.join('; ')}).`, notCurrent.map((r) => ({ id: r.summary.id, code: r.checks.find((c) => !c.passed)?.code })));
  } else {
    check = passed('embedded', `All ${embedded.length} credentials inside the record verified, each against its own issuer.`);
  }
  return { checks: [check, checkSameSubject(record, contents)], embedded };
}

/** True when a record's own checks passed (proof, issuer, dates, status, structure): its contents can count. */
export const recordItselfHolds = (report: CredentialReport): boolean => report.checks.every((c) => c.passed || c.check === 'embedded' || c.check === 'endorsements');
