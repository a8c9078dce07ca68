// The key a verifier signs its OpenID4VP request objects with (JAR, RFC 9101): Ed25519 in
// `<EDUCRED_DATA_DIR>/keys/openid4vp-requests.pem` (0600), generated at first start. It is not
// an issuer key: it signs nothing but requests, so a verifier-only instance has one too. The
// wallet learns it from the client identifier itself, a did:jwk (OID4VP 1.0 §5.9.3
// `decentralized_identifier`), so nothing has to be registered or fetched.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '../config.js';

export interface RequestSigningKey {
  privateKey: KeyObject;
  /** did:jwk of the public key (its JWK, members in lexicographic order, base64url). */
  did: string;
  /** The verification method that signs: `<did>#0` (did:jwk §2.2). */
  kid: string;
  publicJwk: { kty: string; crv: string; x: string };
}

export const requestKeyFile = (dataDir: string): string => path.join(dataDir, 'keys', 'openid4vp-requests.pem');

/** Loads the Ed25519 key in `file`, generating it (0600) at first start; `what` names it in logs and errors. */
export function loadOrCreateRequestKey(file: string, logger?: Pick<Logger, 'info'>, what = 'OpenID4VP request'): RequestSigningKey {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
      logger?.info({ file }, `generated the ${what} signing key`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ConfigError(`Cannot read the ${what} key ${file}: ${(cause as Error).message}`, { cause });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new ConfigError(`The ${what} key ${file} must be an Ed25519 key`);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  const publicJwk = { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  const did = `did:jwk:${Buffer.from(JSON.stringify(publicJwk), 'utf8').toString('base64url')}`;
  return { privateKey, did, kid: `${did}#0`, publicJwk };
}
