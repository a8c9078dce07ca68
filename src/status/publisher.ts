// Publishing status lists: the signed BitstringStatusListCredential of a list, signed again only
// when its bits changed (the signed JSON and the version it was signed at are kept in the
// database), so a busy GET costs a read, and a burst of changes costs one or two signatures.
import type { Issuer } from '../signing/issuer.js';
import type { Store } from '../store/store.js';
import { statusListUrl } from './entries.js';
import { StatusListIssuerChangedError } from './errors.js';
import { buildStatusListCredential, DEFAULT_STATUS_LIST_TTL_MS } from './statusListCredential.js';

export interface StatusListPublisherOptions {
  store: Store;
  issuer: Pick<Issuer, 'identity' | 'sign' | 'signingKey'>;
  baseUrl: string;
  ttlMs?: number | undefined;
  now?: (() => Date) | undefined;
}

export interface PublishedStatusList {
  listId: string;
  /** The signed credential, as stored (the same bytes for every request of this version). */
  json: string;
  version: number;
  ttlMs: number;
}

export interface StatusListPublisher {
  readonly ttlMs: number;
  /**
   * The signed list at its current version (or at least `minVersion`), signing it first when
   * its bits changed since the last signature; undefined for an unknown list.
   */
  publish(listId: string, minVersion?: number): Promise<PublishedStatusList | undefined>;
}

export function createStatusListPublisher(options: StatusListPublisherOptions): StatusListPublisher {
  const { store, issuer, baseUrl } = options;
  const ttlMs = options.ttlMs ?? DEFAULT_STATUS_LIST_TTL_MS;
  const now = options.now ?? (() => new Date());
  // One signature per list at a time: requests arriving meanwhile wait for it, then check again.
  const signing = new Map<string, Promise<void>>();

  const signLatest = async (listId: string, listIssuer: string, purpose: 'revocation' | 'suspension'): Promise<void> => {
    if (listIssuer !== issuer.identity.did) throw new StatusListIssuerChangedError(listId, listIssuer, issuer.identity.did);
    // The key checked against the store now (a rotation makes every list due again), and read
    // before the lock: the signature inside it must not wait for the database.
    const key = await issuer.signingKey({ fresh: true });
    // Once per version for every node: under the list's lock, and only if no node signed it yet.
    await store.statusLists.signOnce(listId, async (snapshot) => {
      const unsigned = buildStatusListCredential({ listUrl: statusListUrl(baseUrl, listId), issuer: listIssuer, purpose, bits: snapshot.bits, validFrom: now(), ttlMs });
      return JSON.stringify(await issuer.sign(unsigned, { key }));
    });
  };

  return {
    ttlMs,
    async publish(listId, minVersion) {
      for (;;) {
        const list = await store.statusLists.findList(listId);
        if (!list) return undefined;
        const wanted = Math.max(list.version, minVersion ?? 0);
        const signed = await store.statusLists.signed(listId);
        if (signed && signed.version >= wanted) return { listId, json: signed.json, version: signed.version, ttlMs };
        let pending = signing.get(listId);
        if (!pending) {
          pending = signLatest(listId, list.issuer, list.purpose).finally(() => signing.delete(listId));
          signing.set(listId, pending);
        }
        await pending;
      }
    },
  };
}
