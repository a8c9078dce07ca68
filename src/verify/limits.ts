// The work one verification request may cause, in one place. A credential names the URLs we
// fetch and how many entries and proofs we check, so an anonymous request could otherwise make
// the verifier fetch, inflate and keep without end. Every cap fails the check it guards closed,
// with a message that names the cap; none is a 500. The values leave room for real traffic: a
// badge carries one or two status entries and one proof (a proof set or chain a few), a CLR
// record or a transcript presentation 10–50 badges, the online-teaching rule a handful.

/** Per-request caps; `LimitExceededError.limit` is one of these names. */
export const VERIFICATION_LIMITS = {
  /** Status entries checked per credential: revocation, suspension, refresh, message, and spare. */
  statusEntriesPerCredential: 8,
  /** Proofs per credential: a proof set or chain (issuer, co-signers, a notary) of a few. */
  proofsPerCredential: 8,
  /** Proofs on a presentation: the holder's, perhaps a second key of the holder. */
  proofsPerPresentation: 4,
  /** Credentials in one presentation: a CLR record or a transcript of 10–50 badges fits twice. */
  credentialsPerPresentation: 100,
  /** Embedded endorsements verified per credential (each is a credential of its own). */
  endorsementsPerCredential: 16,
  /**
   * Distinct URLs (status lists and did:web documents) one request needs, cached or not. 50
   * badges from 20 issuers with two lists each need 60.
   */
  distinctUrlsPerRequest: 64,
  /** Bytes one request reads from the network (a minimum-size list with random bits is ~22 KB). */
  bytesFetchedPerRequest: 8 * 1024 * 1024,
  /** Bytes one request inflates from status lists (a minimum-size list is 16 KiB). */
  bytesInflatedPerRequest: 16 * 1024 * 1024,
} as const;

export type VerificationLimitName = keyof typeof VERIFICATION_LIMITS;
export type VerificationLimits = { readonly [K in VerificationLimitName]: number };

/** Bounds of the caches that outlive a request (lru-cache: entries, total size, age). */
export const CACHE_LIMITS = {
  /** Verified status lists kept: at most this many, and this many decoded bytes in all. */
  statusLists: { max: 1000, maxBytes: 32 * 1024 * 1024 },
  /** Resolved did:web documents kept (a DID document is a few KB). */
  didDocuments: { max: 1000, maxBytes: 8 * 1024 * 1024 },
} as const;

export interface CacheBounds {
  max: number;
  maxBytes: number;
}

/** A sentence about what was refused, naming the limit that refused it (for reports and errors). */
export const overLimit = (limit: VerificationLimitName, value: number, what: string): string => `${what} (verification limit ${limit}: ${value})`;

export class LimitExceededError extends Error {
  override readonly name = 'LimitExceededError';
  readonly code = 'limit_exceeded';

  constructor(
    readonly limit: VerificationLimitName,
    readonly value: number,
    message: string,
  ) {
    super(overLimit(limit, value, message));
  }
}

/** What a fetch is told and tells back: the most it may read, and how much it read. */
export interface FetchInit {
  maxBytes?: number | undefined;
  /** Called once with the size of the body read. */
  onBytes?: ((bytes: number) => void) | undefined;
}

/** Fetches a JSON document (the guarded fetcher, or a local shortcut to it). */
export type FetchJson = (url: string, init?: FetchInit) => Promise<unknown>;

/** True when a fetch failed because the body was over the size it was allowed. */
const isTooLarge = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'fetch_too_large';

/**
 * The budget of one verification request (one credential or one presentation, endorsements
 * included). Each distinct URL is fetched at most once per request; fetches reserve bytes
 * before they start, so parallel fetches together never read more than the request may.
 */
export class RequestBudget {
  private readonly urls = new Set<string>();
  private readonly memo = new Map<string, Promise<unknown>>();
  private fetched = 0;
  private reserved = 0;
  private inflated = 0;
  private waiting: Array<() => void> = [];

  constructor(
    readonly limits: VerificationLimits = VERIFICATION_LIMITS,
    /** The most one fetch may read (the guarded fetcher's own limit). */
    readonly maxBytesPerFetch = 2 * 1024 * 1024,
  ) {}

  /** Counts a URL this request needs; throws LimitExceededError past distinctUrlsPerRequest. */
  useUrl(url: string): void {
    if (this.urls.has(url)) return;
    const cap = this.limits.distinctUrlsPerRequest;
    if (this.urls.size >= cap) throw new LimitExceededError('distinctUrlsPerRequest', cap, `${url} was not fetched: this request already needs ${cap} distinct URLs`);
    this.urls.add(url);
  }

  /** The work for `key`, done once per request: every later caller gets the same promise. */
  once<T>(key: string, work: () => Promise<T>): Promise<T> {
    let pending = this.memo.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = work();
      this.memo.set(key, pending);
    }
    return pending;
  }

  /**
   * Runs one fetch within the request's byte budget: it may read what is left and not reserved
   * by fetches under way (waiting for them when they hold it all), and is charged what it read.
   */
  async fetch(url: string, fetchJson: FetchJson): Promise<{ document: unknown; bytes: number }> {
    const cap = this.limits.bytesFetchedPerRequest;
    let allowance = 0;
    for (;;) {
      const free = cap - this.fetched - this.reserved;
      // A whole fetch's worth, or what is left once no other fetch holds any: never a sliver
      // that fails only because others were under way at the time.
      if (free >= this.maxBytesPerFetch || (this.reserved === 0 && free > 0)) {
        allowance = Math.min(this.maxBytesPerFetch, free);
        break;
      }
      if (this.reserved === 0) throw new LimitExceededError('bytesFetchedPerRequest', cap, `${url} was not fetched: this request already read ${this.fetched} bytes`);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.reserved += allowance;
    let bytes: number | undefined;
    try {
      const document = await fetchJson(url, { maxBytes: allowance, onBytes: (n) => (bytes = n) });
      // A fetcher that cannot tell (a test double) is charged the document's JSON length.
      bytes ??= JSON.stringify(document ?? null).length;
      return { document, bytes };
    } catch (error) {
      // A body cut off at the allowance was read up to it; a refused connection read nothing.
      if (isTooLarge(error)) bytes = allowance;
      if (allowance < this.maxBytesPerFetch && isTooLarge(error)) {
        throw new LimitExceededError('bytesFetchedPerRequest', cap, `${url} was not read whole: it is larger than the ${allowance} bytes this request had left`);
      }
      throw error;
    } finally {
      this.reserved -= allowance;
      this.fetched += Math.min(bytes ?? 0, allowance);
      const waiting = this.waiting;
      this.waiting = [];
      for (const wake of waiting) wake();
    }
  }

  /** Bytes a status list may still inflate to in this request. */
  inflateAllowance(): number {
    return Math.max(0, this.limits.bytesInflatedPerRequest - this.inflated);
  }

  chargeInflated(bytes: number): void {
    this.inflated += bytes;
  }

  /** What this request used, for reports and tests. */
  usage(): { urls: number; bytesFetched: number; bytesInflated: number } {
    return { urls: this.urls.size, bytesFetched: this.fetched, bytesInflated: this.inflated };
  }
}

/**
 * Fetches under way, shared by every request: a URL asked for again while it is being fetched
 * is not fetched twice. A request that joins another's fetch is not charged for it; if that
 * fetch failed on the other request's budget, it fetches on its own.
 */
export class SharedFetches {
  private readonly pending = new Map<string, { budget: RequestBudget; promise: Promise<{ document: unknown; bytes: number }> }>();

  async fetch(url: string, budget: RequestBudget, fetchJson: FetchJson): Promise<{ document: unknown; bytes: number }> {
    const shared = this.pending.get(url);
    if (shared) {
      try {
        return await shared.promise;
      } catch (error) {
        if (!(error instanceof LimitExceededError) || shared.budget === budget) throw error;
      }
    }
    const entry = { budget, promise: budget.fetch(url, fetchJson) };
    this.pending.set(url, entry);
    try {
      return await entry.promise;
    } finally {
      if (this.pending.get(url) === entry) this.pending.delete(url);
    }
  }

  /** Fetches under way now (for tests and measurements). */
  get size(): number {
    return this.pending.size;
  }
}
