// The endorsements a program holds: signed EndorsementCredentials about its own DID, read from a
// configured folder at start-up and embedded in the issuer profile of every badge it issues.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isEndorsementCredential } from './endorsementCredential.js';
import { ConfigError } from '../config.js';

/** A configuration file the operator can fix: reported as a message, not a crash. */
export class HeldEndorsementError extends ConfigError {}

/**
 * Reads `*.json` EndorsementCredentials from `dir`. Each must be signed and name `issuerDid` as
 * its subject: embedding someone else's endorsement would make every badge fail verification.
 */
export function loadHeldEndorsements(dir: string | undefined, issuerDid: string): Record<string, unknown>[] {
  if (!dir) return [];
  const held: Record<string, unknown>[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const file = path.join(dir, name);
    let credential: unknown;
    try {
      credential = JSON.parse(readFileSync(file, 'utf8'));
    } catch (cause) {
      throw new HeldEndorsementError(`${file} is not JSON: ${(cause as Error).message}`, { cause });
    }
    if (!isEndorsementCredential(credential)) throw new HeldEndorsementError(`${file} is not an EndorsementCredential`);
    const subject = (credential.credentialSubject as { id?: unknown } | undefined)?.id;
    if (subject !== issuerDid) {
      throw new HeldEndorsementError(`${file} endorses ${String(subject)}, not this issuer (${issuerDid})`);
    }
    if (credential.proof === undefined) throw new HeldEndorsementError(`${file} is not signed`);
    held.push(credential);
  }
  return held;
}
