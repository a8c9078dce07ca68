// Checking a credential's status in verification (W3C Bitstring Status List §3.2, "Validate
// Algorithm"): for each BitstringStatusListEntry, fetch the list credential through the caller's
// fetcher, check its type and dates and that its issuer is the credential's issuer, verify its
// proof, and only then decode it (with an output limit) and read the bit; the list must hold at
// least 131,072 entries. A list whose issuer does not match is never verified or inflated.
// Never throws for a bad credential or list: every entry yields a result with a reason. The
// work is bounded per request (src/verify/limits.ts) and verified lists are kept in a bounded
// LRU cache; concurrent checks of one URL share one fetch.
import * as vc from '@digitalbazaar/vc';
import { LRUCache } from 'lru-cache';
import { contextReferences, pinnedContexts, type DocumentLoader } from '../signing/documentLoader.js';
import { createVerifyingSuites } from '../signing/suites.js';
import { CACHE_LIMITS, LimitExceededError, RequestBudget, SharedFetches, type CacheBounds, type FetchJson } from '../verify/limits.js';
import { decodeStatusList, getBit, MAX_STATUS_LIST_BYTES, MIN_STATUS_LIST_LENGTH, StatusListTooLargeError } from './bitstring.js';
import { DEFAULT_STATUS_LIST_TTL_MS } from './statusListCredential.js';
import { asArray, idOf, type Json } from '../credentials/jsonValues.js';

/** Codes a caller can switch on; `reason` says the same for people. */
export const STATUS_CHECK_CODES = {
  revoked: 'revoked',
  suspended: 'suspended',
  entryInvalid: 'status_entry_invalid',
  typeUnsupported: 'status_type_unsupported',
  listNotFound: 'status_list_not_found',
  listInvalid: 'status_list_invalid',
  signatureInvalid: 'status_list_signature_invalid',
  issuerMismatch: 'status_list_issuer_mismatch',
  notYetValid: 'status_list_not_yet_valid',
  expired: 'status_list_expired',
  purposeMismatch: 'status_purpose_mismatch',
  malformed: 'status_list_malformed',
  tooSmall: 'status_list_too_small',
  outOfRange: 'status_index_out_of_range',
  tooLarge: 'status_list_too_large',
  limitExceeded: 'limit_exceeded',
} as const;

export interface StatusCheckResult {
  purpose: string;
  /** The bit at the credential's index (false when it could not be read). */
  set: boolean;
  /** True when the credential passes this entry: the list was read and the bit is clear. */
  ok: boolean;
  reason: string;
  code?: string | undefined;
  statusListCredential?: string | undefined;
}

export interface StatusCheckerOptions {
  /** Fetches a status list credential as JSON (the guarded fetcher in production). */
  fetchJson: FetchJson;
  /** Offline loader with a DID resolver, to verify the list's proof. */
  documentLoader: DocumentLoader;
  /** Proof suites accepted on lists (default: the ones we accept on credentials). */
  suites?: unknown[] | undefined;
  now?: (() => Date) | undefined;
  /** Longest a verified list is reused, whatever its `ttl` says (default 5 minutes; 0: never). */
  maxCacheMs?: number | undefined;
  /** Lists never cached: the service's own, read from its database, current at every check. */
  uncached?: ((url: string) => boolean) | undefined;
  /** Bounds of the verified-list cache (default CACHE_LIMITS.statusLists). */
  cache?: CacheBounds | undefined;
  /** The contexts the verifier holds (default: the pinned ones); a list naming another is refused. */
  isKnownContext?: ((url: string) => boolean) | undefined;
}

/** The request a check belongs to: its budget, and its loader (which charges did:web to it). */
export interface StatusCheckRequest {
  budget?: RequestBudget | undefined;
  documentLoader?: DocumentLoader | undefined;
  /**
   * VC-API-style `options.maxStatusAge` (ms here): a cached list older than this is fetched
   * again (0: always fetched now), for high-stakes checks that cannot wait for the list's ttl.
   */
  maxAgeMs?: number | undefined;
}

type StatusRequest = Required<Omit<StatusCheckRequest, 'maxAgeMs'>> & Pick<StatusCheckRequest, 'maxAgeMs'>;

/** Without a request, each call is a request of its own (the CLI, tests). */
export type StatusChecker = (credential: Record<string, unknown>, request?: StatusCheckRequest) => Promise<StatusCheckResult[]>;


/** Clocks drift: a list re-signed a moment ago by a server whose clock runs ahead is still valid. */
const CLOCK_SKEW_MS = 5 * 60_000;

interface VerifiedList {
  issuer: string;
  purposes: string[];
  bits: Uint8Array;
  validFrom: number | undefined;
  validUntil: number | undefined;
  /** How long it may be reused (ms), per its `ttl` and our ceiling. */
  ttl: number;
  /** When it was fetched (ms since the epoch, the checker's clock): `maxAgeMs` compares with it. */
  fetchedAt: number;
}

class ListRefused extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const dateOf = (v: unknown): number | undefined => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : undefined);

function describeProofFailure(result: { error?: unknown }): string {
  const error = result.error as { message?: string; errors?: Array<{ message?: string }> } | undefined;
  return error?.errors?.map((e) => e.message).join('; ') || error?.message || 'the proof does not verify';
}

export function createStatusChecker(options: StatusCheckerOptions): StatusChecker {
  const suites = options.suites ?? createVerifyingSuites();
  const now = options.now ?? (() => new Date());
  const maxCacheMs = options.maxCacheMs ?? DEFAULT_STATUS_LIST_TTL_MS;
  const bounds = options.cache ?? CACHE_LIMITS.statusLists;
  const pinned = pinnedContexts();
  const isKnownContext = options.isKnownContext ?? ((url: string) => pinned.has(url));
  // Bounded in entries, decoded bytes and age; the clock is the checker's, so tests can move it.
  const cache = new LRUCache<string, VerifiedList>({
    max: bounds.max,
    maxSize: bounds.maxBytes,
    sizeCalculation: (list) => Math.max(1, list.bits.length),
    ttl: Math.max(1, maxCacheMs),
    perf: { now: () => now().getTime() },
    ttlResolution: 0,
  });
  // In flight only: concurrent requests for one URL share one fetch.
  const fetching = new SharedFetches();

  /** The list's JSON, with what does not need its proof or its bits checked. */
  const fetchList = async (url: string, budget: RequestBudget): Promise<Json> => {
    let document: unknown;
    try {
      document = (await fetching.fetch(url, budget, options.fetchJson)).document;
    } catch (error) {
      if (error instanceof LimitExceededError) throw error;
      throw new ListRefused(STATUS_CHECK_CODES.listNotFound, `The status list ${url} could not be fetched: ${(error as Error).message}`);
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new ListRefused(STATUS_CHECK_CODES.listInvalid, `The status list ${url} is not a JSON object`);
    const list = document as Json;
    if (!asArray(list.type).includes('BitstringStatusListCredential')) {
      throw new ListRefused(STATUS_CHECK_CODES.listInvalid, `The document at ${url} is not a BitstringStatusListCredential`);
    }
    const subject = list.credentialSubject as Json | undefined;
    if (typeof subject !== 'object' || subject === null || subject.type !== 'BitstringStatusList') {
      throw new ListRefused(STATUS_CHECK_CODES.listInvalid, `The status list ${url} has no credentialSubject of type BitstringStatusList`);
    }
    // Contexts are never fetched, whatever their scheme (a did:web context would reach the DID resolver).
    const unknownContexts = [...contextReferences(list)].filter((c) => !isKnownContext(c));
    if (unknownContexts.length > 0) {
      throw new ListRefused(STATUS_CHECK_CODES.listInvalid, `The status list ${url} names contexts this verifier does not hold (${unknownContexts.map((c) => `'${c}'`).join(', ')}); contexts are never fetched`);
    }
    const at = now().getTime();
    if ((dateOf(list.validFrom) ?? -Infinity) - CLOCK_SKEW_MS > at) throw new ListRefused(STATUS_CHECK_CODES.notYetValid, `The status list ${url} is not valid before ${String(list.validFrom)}`);
    if ((dateOf(list.validUntil) ?? Infinity) <= at) throw new ListRefused(STATUS_CHECK_CODES.expired, `The status list ${url} expired at ${String(list.validUntil)}`);
    return list;
  };

  /** Proof first, then the bits: inflating (bounded) is the last and costliest step. */
  const verifyList = async (url: string, list: Json, request: StatusRequest): Promise<VerifiedList> => {
    const subject = list.credentialSubject as Json;
    const proofCap = request.budget.limits.proofsPerCredential;
    const proofs = asArray(list.proof).length;
    // A list is a credential too: its proofs could each name a did:web document to fetch.
    if (proofs > proofCap) throw new LimitExceededError('proofsPerCredential', proofCap, `The status list ${url} has ${proofs} proofs; none was verified`);
    let verified;
    try {
      verified = await vc.verifyCredential({ credential: list, suite: suites, documentLoader: request.documentLoader, now: now() });
    } catch (error) {
      verified = { verified: false, error };
    }
    if (!verified.verified) throw new ListRefused(STATUS_CHECK_CODES.signatureInvalid, `The status list ${url} failed proof verification: ${describeProofFailure(verified)}`);
    const allowance = Math.min(MAX_STATUS_LIST_BYTES, request.budget.inflateAllowance());
    let bits: Uint8Array;
    try {
      bits = decodeStatusList(subject.encodedList as string, allowance);
    } catch (error) {
      if (error instanceof StatusListTooLargeError) {
        if (allowance < MAX_STATUS_LIST_BYTES) {
          const cap = request.budget.limits.bytesInflatedPerRequest;
          throw new LimitExceededError('bytesInflatedPerRequest', cap, `The status list ${url} was not decoded: it inflates to more than the ${allowance} bytes this request had left`);
        }
        throw new ListRefused(STATUS_CHECK_CODES.tooLarge, `The status list ${url} is refused: its ${error.message}`);
      }
      throw new ListRefused(STATUS_CHECK_CODES.malformed, `The status list ${url} cannot be decoded: ${(error as Error).message}`);
    }
    request.budget.chargeInflated(bits.length);
    if (bits.length * 8 < MIN_STATUS_LIST_LENGTH) {
      throw new ListRefused(STATUS_CHECK_CODES.tooSmall, `The status list ${url} holds ${bits.length * 8} entries, fewer than the ${MIN_STATUS_LIST_LENGTH} the spec requires for herd privacy`);
    }
    // `ttl` is the issuer's advice in milliseconds; our own ceiling keeps a revocation from hiding long.
    const ttl = typeof subject.ttl === 'number' && subject.ttl >= 0 ? subject.ttl : DEFAULT_STATUS_LIST_TTL_MS;
    return {
      issuer: idOf(list.issuer) ?? '',
      purposes: asArray(subject.statusPurpose).filter((p): p is string => typeof p === 'string'),
      bits,
      validFrom: dateOf(list.validFrom),
      validUntil: dateOf(list.validUntil),
      ttl: Math.min(ttl, maxCacheMs),
      fetchedAt: now().getTime(),
    };
  };

  /** A verified list for a credential of `issuer`, from the cache or fetched, checked and decoded. */
  const verifiedList = async (url: string, issuer: string | undefined, request: StatusRequest): Promise<VerifiedList> => {
    request.budget.useUrl(url);
    const cacheable = maxCacheMs > 0 && !options.uncached?.(url);
    const cached = cacheable ? cache.get(url) : undefined;
    const fresh = cached && (request.maxAgeMs === undefined || now().getTime() - cached.fetchedAt <= request.maxAgeMs);
    if (cached && fresh) return cached;
    // Once per request: every entry (and endorsement) naming this URL shares the outcome.
    const list = await request.budget.once(`status-list ${url}`, () => fetchList(url, request.budget));
    // §3.2: the list must be the credential's issuer's. Checked before its proof or its bits
    // cost anything: a list of someone else is never verified or inflated for this credential.
    const listIssuer = idOf(list.issuer);
    if (!issuer || listIssuer !== issuer) {
      throw new ListRefused(STATUS_CHECK_CODES.issuerMismatch, `The status list ${url} is issued by ${listIssuer || 'nobody'}, not by the credential's issuer ${issuer ?? '(none)'}`);
    }
    const verified = await request.budget.once(`verified status list ${url}`, () => verifyList(url, list, request));
    // Only a list that passed every check is reused; a refused one is fetched again next time.
    if (cacheable && verified.ttl > 0) cache.set(url, verified, { ttl: verified.ttl });
    return verified;
  };

  const checkEntry = async (credential: Json, value: unknown, request: StatusRequest): Promise<StatusCheckResult> => {
    const entry = (typeof value === 'object' && value !== null ? value : {}) as Json;
    const purpose = typeof entry.statusPurpose === 'string' ? entry.statusPurpose : 'unknown';
    const refuse = (code: string, reason: string, url?: string): StatusCheckResult => ({ purpose, set: false, ok: false, reason, code, statusListCredential: url });
    if (entry.type !== 'BitstringStatusListEntry') return refuse(STATUS_CHECK_CODES.typeUnsupported, `Unsupported status type ${JSON.stringify(entry.type ?? null)}: only BitstringStatusListEntry is checked`);
    const url = entry.statusListCredential;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return refuse(STATUS_CHECK_CODES.entryInvalid, 'statusListCredential must be an http(s) URL');
    if (typeof entry.statusListIndex !== 'string' || !/^\d{1,10}$/.test(entry.statusListIndex)) return refuse(STATUS_CHECK_CODES.entryInvalid, 'statusListIndex must be a string of digits', url);
    if (entry.statusSize !== undefined && entry.statusSize !== 1) return refuse(STATUS_CHECK_CODES.entryInvalid, `statusSize ${JSON.stringify(entry.statusSize)} is not supported (only 1)`, url);
    if (entry.id !== undefined && entry.id === url) return refuse(STATUS_CHECK_CODES.entryInvalid, 'the entry id must not equal statusListCredential', url);
    const index = Number(entry.statusListIndex);
    const issuer = idOf(credential.issuer);
    let list: VerifiedList;
    try {
      list = await verifiedList(url, issuer, request);
    } catch (error) {
      if (error instanceof ListRefused) return refuse(error.code, error.message, url);
      if (error instanceof LimitExceededError) return refuse(STATUS_CHECK_CODES.limitExceeded, error.message, url);
      return refuse(STATUS_CHECK_CODES.listInvalid, `The status list ${url} could not be checked: ${(error as Error).message}`, url);
    }
    const at = now().getTime();
    if (list.validUntil !== undefined && list.validUntil <= at) return refuse(STATUS_CHECK_CODES.expired, `The status list ${url} has expired`, url);
    if (list.validFrom !== undefined && list.validFrom - CLOCK_SKEW_MS > at) return refuse(STATUS_CHECK_CODES.notYetValid, `The status list ${url} is not yet valid`, url);
    if (!issuer || list.issuer !== issuer) {
      return refuse(STATUS_CHECK_CODES.issuerMismatch, `The status list ${url} is issued by ${list.issuer || 'nobody'}, not by the credential's issuer ${issuer ?? '(none)'}`, url);
    }
    if (!list.purposes.includes(purpose)) {
      return refuse(STATUS_CHECK_CODES.purposeMismatch, `The status list ${url} is for ${list.purposes.join(', ') || 'no purpose'}, not ${purpose}`, url);
    }
    if (index >= list.bits.length * 8) return refuse(STATUS_CHECK_CODES.outOfRange, `Index ${index} is beyond the ${list.bits.length * 8} entries of ${url}`, url);
    const set = getBit(list.bits, index);
    if (!set) return { purpose, set, ok: true, reason: `not ${purpose === 'suspension' ? 'suspended' : purpose === 'revocation' ? 'revoked' : `flagged for ${purpose}`}`, statusListCredential: url };
    if (purpose === 'revocation') return { purpose, set, ok: false, reason: 'revoked', code: STATUS_CHECK_CODES.revoked, statusListCredential: url };
    if (purpose === 'suspension') return { purpose, set, ok: false, reason: 'suspended', code: STATUS_CHECK_CODES.suspended, statusListCredential: url };
    // 'refresh' and 'message' carry information, not a verdict on validity.
    return { purpose, set, ok: true, reason: `the ${purpose} bit is set`, statusListCredential: url };
  };

  return async (credential, request = {}) => {
    const scope: StatusRequest = { budget: request.budget ?? new RequestBudget(), documentLoader: request.documentLoader ?? options.documentLoader, maxAgeMs: request.maxAgeMs };
    const entries = asArray(credential.credentialStatus);
    const cap = scope.budget.limits.statusEntriesPerCredential;
    if (entries.length > cap) {
      // Fail closed without fetching anything: one result that names the limit.
      const error = new LimitExceededError('statusEntriesPerCredential', cap, `The credential has ${entries.length} status entries; none was checked`);
      return [{ purpose: 'status', set: false, ok: false, reason: error.message, code: STATUS_CHECK_CODES.limitExceeded }];
    }
    return Promise.all(entries.map((entry) => checkEntry(credential, entry, scope)));
  };
}
