// The secrets of an OID4VCI pre-authorized code grant, derived from the claim secret
// (src/claims/claimSecret.ts) so that none of them is stored in plaintext:
// - the pre-authorized code (OID4VCI 1.0 §4.1.1): HMAC of the link's token hash, so fetching
//   the offer again yields the same code, and only its SHA-256 is in the database;
// - the transaction code (§4.1.1 `tx_code`, when required): six digits, derived the same way,
//   never stored (compared in constant time);
// - c_nonce values (§7, the nonce endpoint): stateless, `expiry.random.mac`, so a stale or
//   forged nonce is recognised without a table. Each derivation has its own label, so one
//   secret never yields two equal values for two purposes.
import { createHmac, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

const mac = (secret: KeyObject, label: string, data: string): Buffer => createHmac('sha256', secret).update(`educred/oid4vci/${label}\0${data}`).digest();

export function preAuthorizedCode(secret: KeyObject, linkTokenHash: string): string {
  return mac(secret, 'pre-authorized-code', linkTokenHash).toString('base64url');
}

export const TX_CODE_LENGTH = 6;

export function transactionCode(secret: KeyObject, linkTokenHash: string): string {
  const n = mac(secret, 'tx-code', linkTokenHash).readUInt32BE(0) % 10 ** TX_CODE_LENGTH;
  return String(n).padStart(TX_CODE_LENGTH, '0');
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** How long a c_nonce is accepted (OID4VCI 1.0 §7.2 leaves it to the issuer). */
export const NONCE_TTL_SECONDS = 300;

export function createNonce(secret: KeyObject, now: Date, ttlSeconds = NONCE_TTL_SECONDS): string {
  const expiry = (now.getTime() + ttlSeconds * 1000).toString(36);
  const random = randomBytes(16).toString('base64url');
  const tag = mac(secret, 'c-nonce', `${expiry}.${random}`).subarray(0, 16).toString('base64url');
  return `${expiry}.${random}.${tag}`;
}

export type NonceState = 'valid' | 'stale' | 'invalid';

export function checkNonce(secret: KeyObject, nonce: unknown, now: Date): NonceState {
  if (typeof nonce !== 'string' || nonce.length > 200) return 'invalid';
  const [expiry, random, tag, ...rest] = nonce.split('.');
  if (!expiry || !random || !tag || rest.length > 0) return 'invalid';
  const expected = mac(secret, 'c-nonce', `${expiry}.${random}`).subarray(0, 16).toString('base64url');
  if (!sameSecret(tag, expected)) return 'invalid';
  const expires = parseInt(expiry, 36);
  return Number.isFinite(expires) && expires > now.getTime() ? 'valid' : 'stale';
}

/**
 * A credential identifier of a bundle's grant (OID4VCI 1.0 §6.2 `credential_identifiers`): one
 * per credential and configuration, derived from the grant's code hash, so it names a
 * credential only together with that grant's access token, and no table is needed.
 */
export function credentialIdentifier(secret: KeyObject, codeHash: string, awardId: string, configuration: string): string {
  return mac(secret, 'credential-identifier', `${codeHash}\0${awardId}\0${configuration}`).subarray(0, 18).toString('base64url');
}
