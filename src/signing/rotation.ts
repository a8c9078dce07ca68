// Key rotation and retirement for a did:web issuer (`educred keys rotate|retire|list`): a new key
// becomes the signing key while every earlier key stays in the DID document for assertions, so
// whatever it signed keeps verifying; a retired key is marked `revoked` (W3C Controlled
// Identifiers 1.0, §2.2 Verification Methods) and leaves assertionMethod. Each change makes every
// status list of the issuer due for a new signature, which the publisher makes with the current
// key, once per list for every node.
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Pkcs11Config } from '../config.js';
import type { Runtime } from '../runtime.js';
import { createStatusListPublisher } from '../status/publisher.js';
import { IssuerKeyChangeError, type IssuerKeyRecord, type KeyLocation } from '../store/issuerKeys.js';
import type { Repositories } from '../store/store.js';
import { generateMultikey, writeKeyFile } from './keys.js';
import { generateTokenKey } from './pkcs11.js';
import { recordedKeyFile } from './keyRing.js';

export { IssuerKeyChangeError } from '../store/issuerKeys.js';

/** A did:key is its public key: another key is another issuer. */
export class DidKeyRotationError extends IssuerKeyChangeError {
  constructor(did: string) {
    super(
      `${did} is a did:key: its identifier is its public key, so a new key would be a new issuer and every badge already issued would still name the old one. ` +
        'did:key cannot rotate without changing identity. For production use did:web (EDUCRED_DID_WEB_DOMAIN), whose DID document lists every key; nothing was changed.',
    );
  }
}

export interface RotateOptions {
  /** Generate the new key in the PKCS#11 token (EDUCRED_PKCS11_*) instead of a key file. */
  pkcs11?: boolean | undefined;
  /** With pkcs11: its label (default: the configured label with the date). */
  label?: string | undefined;
  now?: Date | undefined;
}

export interface KeyChangeReport {
  did: string;
  key: IssuerKeyRecord;
  current: string;
  /** Status lists signed again with the current key. */
  statusListsResigned: number;
}

const stamp = (at: Date): string => at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

async function newKey(runtime: Runtime, did: string, options: RotateOptions, at: Date): Promise<{ publicKeyMultibase: string; location: KeyLocation; undo(): void }> {
  const { config } = runtime;
  if (options.pkcs11) {
    const pkcs11: Pkcs11Config | undefined = config.pkcs11;
    if (!pkcs11) throw new IssuerKeyChangeError('--pkcs11 needs EDUCRED_PKCS11_MODULE, EDUCRED_PKCS11_TOKEN and EDUCRED_PKCS11_PIN_FILE');
    const label = options.label ?? `${pkcs11.keyLabel}-${stamp(at)}`;
    const info = await generateTokenKey({ ...pkcs11, keyLabel: label });
    // A token key is not destroyed if the rotation fails: a key made in an HSM is the operator's to remove.
    return { publicKeyMultibase: info.publicKeyMultibase, location: { pkcs11Label: label }, undo: () => {} };
  }
  const key = await generateMultikey(did);
  const file = path.join(config.dataDir, 'keys', `issuer-${stamp(at)}-${key.publicKeyMultibase.slice(-8)}.json`);
  writeKeyFile(file, key);
  return { publicKeyMultibase: key.publicKeyMultibase, location: { keyFile: recordedKeyFile(config.dataDir, file) }, undo: () => rmSync(file, { force: true }) };
}

/** Signs every list of the issuer again now (each was made due in the change's transaction). */
async function resignStatusLists(runtime: Runtime): Promise<number> {
  const publisher = createStatusListPublisher({ store: runtime.store, issuer: runtime.issuer, baseUrl: runtime.config.baseUrl });
  const did = runtime.issuer.identity.did;
  let count = 0;
  for (const purpose of ['revocation', 'suspension'] as const) {
    for (const list of await runtime.store.statusLists.listsOf(did, purpose)) {
      await publisher.publish(list.id, list.version);
      count++;
    }
  }
  return count;
}

async function afterChange(runtime: Runtime): Promise<{ current: string; statusListsResigned: number }> {
  const key = await runtime.issuer.signingKey({ fresh: true });
  return { current: key.verificationMethod, statusListsResigned: await resignStatusLists(runtime) };
}

/** `educred keys rotate`: a new key (file or token) becomes the signing key of a did:web issuer. */
export async function rotateIssuerKey(runtime: Runtime, options: RotateOptions = {}): Promise<KeyChangeReport> {
  const { did } = runtime.issuer.identity;
  if (!did.startsWith('did:web:')) throw new DidKeyRotationError(did);
  const at = options.now ?? new Date();
  const made = await newKey(runtime, did, options, at);
  let key: IssuerKeyRecord;
  try {
    key = await runtime.store.transaction(async (tx) => {
      const { current, previous } = await tx.issuerKeys.rotate({ id: `${did}#${made.publicKeyMultibase}`, did, publicKeyMultibase: made.publicKeyMultibase, location: made.location }, at);
      await tx.statusLists.markForResigning(did, at);
      await tx.audit.record({ actor: 'cli', action: 'key.rotate', subject: did, detail: { key: current.id, previous: previous.id } }, at);
      return current;
    });
  } catch (error) {
    made.undo();
    throw error;
  }
  return { did, key, ...(await afterChange(runtime)) };
}

/** Finds a key by its full id, its `#fragment`, or its publicKeyMultibase. */
export function findKey(keys: readonly IssuerKeyRecord[], keyId: string): IssuerKeyRecord | undefined {
  const fragment = keyId.startsWith('#') ? keyId.slice(1) : keyId;
  return keys.find((k) => k.id === keyId || k.publicKeyMultibase === fragment);
}

export async function resolveKeyId(store: Pick<Repositories, 'issuerKeys'>, did: string, keyId: string): Promise<IssuerKeyRecord> {
  const key = findKey(await store.issuerKeys.list(did), keyId);
  if (!key) throw new IssuerKeyChangeError(`${did} has no key ${keyId} (educred keys list shows its keys)`);
  return key;
}

/**
 * `educred keys retire KEY-ID --compromised-at ISO-TIME`: the key is revoked from that time. Every
 * proof by it is refused from then on, whatever its `created` (a compromised key can backdate);
 * `educred keys reissue --key KEY-ID` signs what it signed again with the current key.
 */
export async function retireIssuerKey(runtime: Runtime, keyId: string, compromisedAt: Date, now = new Date()): Promise<KeyChangeReport> {
  const { did } = runtime.issuer.identity;
  if (Number.isNaN(compromisedAt.getTime())) throw new IssuerKeyChangeError('--compromised-at must be an ISO 8601 date-time, e.g. 2027-03-01T00:00:00Z');
  const found = await resolveKeyId(runtime.store, did, keyId);
  const key = await runtime.store.transaction(async (tx) => {
    const retired = await tx.issuerKeys.retire(found.id, compromisedAt, now);
    await tx.statusLists.markForResigning(did, now);
    await tx.audit.record({ actor: 'cli', action: 'key.retire', subject: did, detail: { key: retired.id, compromisedAt: retired.compromisedAt } }, now);
    return retired;
  });
  return { did, key, ...(await afterChange(runtime)) };
}

/** `educred keys list`: every key of the issuer, oldest first, with where it lives (never its secret). */
export async function listIssuerKeys(runtime: Runtime): Promise<IssuerKeyRecord[]> {
  return runtime.store.issuerKeys.list(runtime.issuer.identity.did);
}
