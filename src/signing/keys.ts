// Issuer keys in a file: the Multikey JSON format, generation, loading, and the default key
// provider (src/signing/keyProvider.ts). The secret key is imported into a node:crypto KeyObject
// once; only the provider's closure holds it, so it cannot leak into logs, responses or the
// database by accident.
import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { ConfigError } from '../config.js';
import { signerFor, type KeyProvider } from './keyProvider.js';

export const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';

/** The key file: a Multikey as `@digitalbazaar/ed25519-multikey` exports it. */
export interface MultikeyFile {
  '@context'?: string;
  type: 'Multikey';
  id: string;
  controller: string;
  publicKeyMultibase: string;
  secretKeyMultibase: string;
}

/** What signing needs: the id proofs name as `verificationMethod`, and a sign function. */
export interface Signer {
  id: string;
  algorithm: 'Ed25519';
  sign(args: { data: Uint8Array }): Promise<Uint8Array>;
}

/** The public half of an issuer key, as DID documents and verifiers see it. */
export interface PublicKey {
  publicKeyMultibase: string;
}

/** A key file's key: the default key provider, with the id and controller its file names. */
export interface IssuerKey extends KeyProvider {
  /** The key's own id in its file (for a did:key, `did:key:z…#z…`). */
  id: string;
  controller: string;
  /** Builds a signer that proofs attribute to `verificationMethod`. */
  signerFor(verificationMethod: string): Signer;
}

/** A configuration file the operator can fix: reported as a message, not a crash. */
export class KeyFileError extends ConfigError {}

export function didKeyFromPublicKey(publicKeyMultibase: string): string {
  return `did:key:${publicKeyMultibase}`;
}

/** Generates a new Ed25519 key; without a controller it is a self-describing did:key. */
export async function generateMultikey(controller?: string): Promise<MultikeyFile> {
  const keyPair = await Ed25519Multikey.generate();
  const owner = controller ?? didKeyFromPublicKey(keyPair.publicKeyMultibase);
  return {
    '@context': MULTIKEY_CONTEXT,
    type: 'Multikey',
    id: `${owner}#${keyPair.publicKeyMultibase}`,
    controller: owner,
    publicKeyMultibase: keyPair.publicKeyMultibase,
    secretKeyMultibase: keyPair.secretKeyMultibase as string,
  };
}

/** Writes a key file readable by its owner only; refuses to overwrite an existing key. */
export function writeKeyFile(file: string, key: MultikeyFile): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(key, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
}

export function readKeyFile(file: string): MultikeyFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new KeyFileError(`Cannot read key file ${file}: ${(cause as Error).message}`, { cause });
  }
  const k = parsed as Partial<MultikeyFile>;
  for (const field of ['id', 'controller', 'publicKeyMultibase', 'secretKeyMultibase'] as const) {
    if (typeof k[field] !== 'string' || k[field] === '') {
      throw new KeyFileError(`Key file ${file} has no '${field}': expected a Multikey JSON (see keys.example/)`);
    }
  }
  if (k.type !== undefined && k.type !== 'Multikey') {
    throw new KeyFileError(`Key file ${file} has type '${String(k.type)}'; only 'Multikey' is supported`);
  }
  return { ...(k as MultikeyFile), type: 'Multikey' };
}

/** True when group or others may read the file: a secret key file should be 0600. */
export function isKeyFileExposed(file: string): boolean {
  return (statSync(file).mode & 0o077) !== 0;
}

/**
 * Imports a Multikey. `keyFile` is where it was read from: signing workers import that file
 * themselves; a key given without one is signed with on the thread that imported it.
 */
export async function importIssuerKey(key: MultikeyFile, keyFile?: string): Promise<IssuerKey> {
  const keyPair = await Ed25519Multikey.from({ ...key, '@context': MULTIKEY_CONTEXT });
  const jwk = await Ed25519Multikey.toJwk({ keyPair, secretKey: true });
  // The library keeps the 64-byte secret key (seed followed by public key); a JWK's `d` is the seed.
  const secret = jwk.d ? Buffer.from(jwk.d, 'base64url') : Buffer.alloc(0);
  if (secret.length !== 32 && secret.length !== 64) throw new KeyFileError(`Key ${key.id} has no usable secret key`);
  const d = secret.subarray(0, 32).toString('base64url');
  const privateKey: KeyObject = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d }, format: 'jwk' });
  secret.fill(0);
  const provider = {
    id: key.id,
    keyId: key.id,
    controller: key.controller,
    publicKeyMultibase: key.publicKeyMultibase,
    workerKey: keyFile === undefined ? ({ kind: 'main-thread' } as const) : ({ kind: 'file', keyFile } as const),
    // RFC 8032 PureEdDSA: node:crypto signs Ed25519 with no digest argument (`null`).
    sign: async (data: Uint8Array) => new Uint8Array(cryptoSign(null, data, privateKey)),
    close: async () => {},
    signerFor: (verificationMethod: string): Signer => signerFor(provider, verificationMethod),
  };
  return provider;
}

/** Loads the issuer key, generating a development key on first start when none exists. */
export async function loadOrCreateIssuerKey(file: string): Promise<{ key: IssuerKey; created: boolean }> {
  let created = false;
  if (!existsSync(file)) {
    writeKeyFile(file, await generateMultikey());
    created = true;
  }
  return { key: await importIssuerKey(readKeyFile(file), file), created };
}
