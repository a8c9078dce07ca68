// Recipient identity in a credential: a DID as `credentialSubject.id`, or an email address
// carried only as a salted SHA-256 `IdentityObject` (OB 3.0 "IdentityHash"), so that the
// badge proves who it was awarded to without publishing the address.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type Recipient = { id: string; name?: string | undefined } | { email: string; name: string };

export interface IdentityObject {
  type: 'IdentityObject';
  hashed: boolean;
  identityHash: string;
  identityType: string;
  salt?: string;
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

/** `sha256$` + hex(SHA-256(normalized email + salt)), the Open Badges hashed identity format. */
export function hashEmail(email: string, salt: string): string {
  return 'sha256$' + createHash('sha256').update(normalizeEmail(email) + salt).digest('hex');
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function emailIdentity(email: string, salt: string): IdentityObject {
  return { type: 'IdentityObject', hashed: true, identityHash: hashEmail(email, salt), identityType: 'emailAddress', salt };
}

export function nameIdentity(name: string): IdentityObject {
  return { type: 'IdentityObject', hashed: false, identityHash: name, identityType: 'name' };
}

/** True when the email matches a hashed `emailAddress` identity (constant-time compare). */
export function emailMatchesIdentity(email: string, identity: IdentityObject): boolean {
  if (identity.identityType !== 'emailAddress') return false;
  if (!identity.hashed) return normalizeEmail(identity.identityHash) === normalizeEmail(email);
  const expected = Buffer.from(hashEmail(email, identity.salt ?? ''));
  const actual = Buffer.from(identity.identityHash.toLowerCase());
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
