// The secret claim-link tokens are derived from: 32 random bytes in
// `<EDUCRED_DATA_DIR>/keys/claim-links.key` (0600), generated at first start like the issuer
// key. A link's token is HMAC-SHA256(secret, link id), so the database keeps only the link id
// and the token's hash, and the service can still rebuild the URL of a live link (a replay
// returns the link already sent). It is held as a KeyObject: logging it shows no key material.
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '../config.js';

export const CLAIM_SECRET_BYTES = 32;

/** Where the claim-link secret lives under the data folder. */
export const claimSecretFile = (dataDir: string): string => path.join(dataDir, 'keys', 'claim-links.key');

/** Reads the secret (exactly 32 bytes), generating it when the file does not exist yet. */
export function loadOrCreateClaimSecret(file: string, logger?: Pick<Logger, 'warn' | 'info'>): KeyObject {
  return loadOrCreateSecretFile(file, 'claim-link secret', 'links already sent then stop working', logger);
}

/** A 32-byte secret kept in a file (0600) of the data folder, generated at first start; `label` names it in messages. */
export function loadOrCreateSecretFile(file: string, label: string, lossConsequence: string, logger?: Pick<Logger, 'warn' | 'info'>): KeyObject {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      // 'wx': two processes starting at once cannot both write one (the loser reads the winner's).
      writeFileSync(file, randomBytes(CLAIM_SECRET_BYTES), { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
      logger?.info({ file }, `generated the ${label} (keep it with the database)`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new ConfigError(`Cannot read the ${label} ${file}: ${(cause as Error).message}`, { cause });
  }
  if (bytes.length !== CLAIM_SECRET_BYTES) {
    bytes.fill(0);
    throw new ConfigError(`The ${label} ${file} must hold exactly ${CLAIM_SECRET_BYTES} bytes; delete it to generate a new one (${lossConsequence})`);
  }
  if ((statSync(file).mode & 0o077) !== 0) logger?.warn({ file }, `the ${label} is readable by other users; chmod 600 it`);
  const key = createSecretKey(bytes);
  bytes.fill(0);
  return key;
}

/** A link's token: HMAC-SHA256(secret, link id), base64url (43 characters, 256 bits). */
export function deriveClaimToken(secret: KeyObject, linkId: string): string {
  return createHmac('sha256', secret).update(linkId, 'utf8').digest('base64url');
}
