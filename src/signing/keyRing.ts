// The issuer's keys as the store records them (src/store/issuerKeys.ts): which key signs now,
// and the DID document listing every key. Every node on one database reads the same rows, so
// each serves the same document and signs with the same key; a rotation made on one node is
// noticed by the others through the key set's version (one primary-key read), re-read only
// when it changed. Signing checks at most once a `refreshMs`; the DID document and the
// verifier ask for a fresh check, so a retirement is refused at once on every node.
import path from 'node:path';
import type { Logger } from 'pino';
import type { Pkcs11Config } from '../config.js';
import type { IssuerKeyRecord, IssuerKeysRepository, KeyLocation } from '../store/issuerKeys.js';
import { didDocument, didDocumentWithKeys, issuerIdentity, type IssuerIdentity } from './did.js';
import type { KeyProvider } from './keyProvider.js';
import { importIssuerKey, readKeyFile } from './keys.js';
import { openPkcs11KeyProvider } from './pkcs11.js';

/** A key to sign with, and the verification method its proofs name. */
export interface SigningKey {
  provider: KeyProvider;
  verificationMethod: string;
  publicKeyMultibase: string;
}

export interface KeyRingState {
  /** The key-set version this state was read at (0: not from a store). */
  version: number;
  key: SigningKey;
  document: Record<string, unknown>;
  /** The recorded keys, oldest first (empty when not from a store). */
  keys: IssuerKeyRecord[];
}

export interface IssuerKeyRing {
  /** The issuer's identity; one object, its key fields updated in place when the signing key changes. */
  readonly identity: IssuerIdentity;
  /** What the last check found, without reading the store. */
  latest(): KeyRingState;
  /** Checks the store's version (`fresh`: now; otherwise at most once a refreshMs) and re-reads the keys when it changed. */
  refresh(options?: { fresh?: boolean | undefined }): Promise<KeyRingState>;
  close(): Promise<void>;
}

/** The current key is recorded but this node cannot open it: signing is refused, saying why. */
export class KeyUnavailableError extends Error {
  override readonly name = 'KeyUnavailableError';
}

/** True for a KeyUnavailableError, also one that crossed from a signing worker (by name) or is another error's cause. */
export function isKeyUnavailable(error: unknown): boolean {
  for (let e = error as { name?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.name === 'KeyUnavailableError') return true;
  }
  return false;
}

/** A ring of one key that never changes: an issuer built without a store (tests, benchmarks). */
export function staticKeyRing(key: KeyProvider, didWebDomain?: string): IssuerKeyRing {
  const identity = issuerIdentity(key.publicKeyMultibase, didWebDomain);
  const state: KeyRingState = { version: 0, key: { provider: key, verificationMethod: identity.verificationMethod, publicKeyMultibase: key.publicKeyMultibase }, document: didDocument(identity), keys: [] };
  return { identity, latest: () => state, refresh: async () => state, close: () => key.close() };
}

/** A key file path as recorded: relative to the data dir when it lies under it, so each node resolves it against its own. */
export function recordedKeyFile(dataDir: string, keyFile: string): string {
  const relative = path.relative(path.resolve(dataDir), path.resolve(keyFile));
  return relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(keyFile) : relative;
}

export interface KeyOpening {
  dataDir: string;
  pkcs11?: Pkcs11Config | undefined;
}

/** Opens the key provider a record names: its key file, or its label in the configured token. */
export async function openRecordedKey(location: KeyLocation, opening: KeyOpening): Promise<KeyProvider> {
  if ('keyFile' in location) {
    const file = path.resolve(opening.dataDir, location.keyFile);
    return importIssuerKey(readKeyFile(file), file);
  }
  if (!opening.pkcs11) throw new KeyUnavailableError(`The key labelled '${location.pkcs11Label}' lives in a PKCS#11 token, but EDUCRED_PKCS11_MODULE, _TOKEN and _PIN_FILE are not set on this node`);
  return openPkcs11KeyProvider({ ...opening.pkcs11, keyLabel: location.pkcs11Label });
}

export const describeLocation = (location: KeyLocation): string => ('keyFile' in location ? `key file ${location.keyFile}` : `PKCS#11 key '${location.pkcs11Label}'`);

/** A provider that refuses to sign: the recorded current key could not be opened here. */
function unavailable(record: IssuerKeyRecord, cause: unknown): KeyProvider {
  const error = new KeyUnavailableError(`The current issuer key ${record.id} (${describeLocation(record.location)}) cannot be opened on this node: ${(cause as Error).message}`, { cause });
  return { keyId: record.id, publicKeyMultibase: record.publicKeyMultibase, workerKey: { kind: 'main-thread' }, sign: () => Promise.reject(error), close: async () => {} };
}

export interface StoreKeyRingOptions {
  keys: IssuerKeysRepository;
  /** The key the configuration names (EDUCRED_KEY_FILE or EDUCRED_PKCS11_KEY_LABEL), already open. */
  configured: KeyProvider;
  configuredLocation: KeyLocation;
  didWebDomain?: string | undefined;
  opening: KeyOpening;
  logger: Logger;
  /** How often signing checks the store for a rotation (default 1000 ms). */
  refreshMs?: number | undefined;
}

/**
 * Opens the issuer's keys from the store. On the first start of a data dir (no key recorded for
 * the DID) the configured key is recorded as current, so existing data dirs keep working.
 */
export async function openStoreKeyRing(options: StoreKeyRingOptions): Promise<IssuerKeyRing> {
  const { keys, configured, logger } = options;
  const refreshMs = options.refreshMs ?? 1000;
  const identity = issuerIdentity(configured.publicKeyMultibase, options.didWebDomain);
  const { did } = identity;
  if (await keys.recordFirst({ id: identity.verificationMethod, did, publicKeyMultibase: configured.publicKeyMultibase, location: options.configuredLocation })) {
    logger.info({ key: identity.verificationMethod }, 'recorded the issuer key in the store');
  }
  // Opened providers by verification method id; the configured one is open already.
  const providers = new Map<string, Promise<KeyProvider>>([[identity.verificationMethod, Promise.resolve(configured)]]);
  const providerOf = (record: IssuerKeyRecord): Promise<KeyProvider> => {
    let opened = providers.get(record.id);
    if (!opened) {
      opened = openRecordedKey(record.location, options.opening).then(
        (provider) => {
          if (provider.publicKeyMultibase !== record.publicKeyMultibase) {
            void provider.close();
            throw new KeyUnavailableError(`${describeLocation(record.location)} holds ${provider.publicKeyMultibase}, not the recorded ${record.publicKeyMultibase}`);
          }
          return provider;
        },
        (error: unknown) => {
          providers.delete(record.id);
          throw error;
        },
      );
      providers.set(record.id, opened);
    }
    return opened;
  };

  const load = async (): Promise<KeyRingState> => {
    const snapshot = await keys.snapshot(did);
    const current = snapshot.keys.find((k) => k.state === 'current');
    if (!current) throw new KeyUnavailableError(`The store records no current key for ${did}`);
    let provider: KeyProvider;
    try {
      provider = await providerOf(current);
    } catch (error) {
      logger.error({ key: current.id, err: error }, 'the current issuer key cannot be opened on this node; signing is refused');
      provider = unavailable(current, error);
    }
    const currentIdentity = issuerIdentity(current.publicKeyMultibase, options.didWebDomain);
    const document = did.startsWith('did:web:')
      ? didDocumentWithKeys(
          currentIdentity,
          snapshot.keys.filter((k) => k.id !== current.id).map((k) => ({ publicKeyMultibase: k.publicKeyMultibase, revoked: k.state === 'revoked' ? (k.compromisedAt ?? k.retiredAt ?? undefined) : undefined })),
        )
      : didDocument(currentIdentity);
    return { version: snapshot.version, key: { provider, verificationMethod: current.id, publicKeyMultibase: current.publicKeyMultibase }, document, keys: snapshot.keys };
  };

  let state = await load();
  // After a rotation the configured key is a previous one, as expected; a key the store never
  // recorded is an operator's mistake worth a warning (the store's current key signs either way).
  if (!state.keys.some((k) => k.publicKeyMultibase === configured.publicKeyMultibase)) {
    logger.warn({ configured: identity.verificationMethod, current: state.key.verificationMethod }, 'the configured issuer key is not one the store records for this DID; signing with the current key in the store (educred keys list)');
  }
  const apply = (next: KeyRingState): KeyRingState => {
    if (next.version >= state.version) state = next;
    identity.verificationMethod = state.key.verificationMethod;
    identity.publicKeyMultibase = state.key.publicKeyMultibase;
    return state;
  };
  apply(state);
  let checkedAt = Date.now();
  let checking: Promise<KeyRingState> | undefined;

  return {
    identity,
    latest: () => state,
    async refresh(o = {}) {
      if (!o.fresh && Date.now() - checkedAt < refreshMs) return state;
      checking ??= (async () => {
        try {
          const version = await keys.version(did);
          if (version !== state.version) {
            apply(await load());
            logger.info({ key: state.key.verificationMethod, version: state.version }, 'issuer keys changed in the store');
          }
          checkedAt = Date.now();
          return state;
        } finally {
          checking = undefined;
        }
      })();
      return checking;
    },
    async close() {
      const opened = await Promise.allSettled(providers.values());
      providers.clear();
      await Promise.allSettled(opened.map((p) => (p.status === 'fulfilled' ? p.value.close() : undefined)));
    },
  };
}
