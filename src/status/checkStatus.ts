// Checking a credential's status in verification (W3C Bitstring Status List §3.2, "Validate
// Algorithm"): for each BitstringStatusListEntry, fetch the list credential through the caller's
// fetcher, verify its proof and that its issuer is the credential's issuer, check its dates, its
// type and purpose and that it holds at least 131,072 entries, decode it and read the bit.
// Never throws for a bad credential or list: every entry yields a result with a reason.
import * as vc from '@digitalbazaar/vc';
import type { DocumentLoader } from '../signing/documentLoader.js';
import { createVerifyingSuites } from '../signing/suites.js';
import { decodeStatusList, getBit, MIN_STATUS_LIST_LENGTH } from './bitstring.js';
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
  fetchJson: (url: string) => Promise<unknown>;
  /** Offline loader with a DID resolver, to verify the list's proof. */
  documentLoader: DocumentLoader;
  /** Proof suites accepted on lists (default: the ones we accept on credentials). */
  suites?: unknown[] | undefined;
  now?: (() => Date) | undefined;
  /** Longest a verified list is reused, whatever its `ttl` says (default 5 minutes; 0: never). */
  maxCacheMs?: number | undefined;
  /** Lists never cached: the service's own, read from its database, current at every check. */
  uncached?: ((url: string) => boolean) | undefined;
}

export type StatusChecker = (credential: Record<string, unknown>) => Promise<StatusCheckResult[]>;


/** Clocks drift: a list re-signed a moment ago by a server whose clock runs ahead is still valid. */
const CLOCK_SKEW_MS = 5 * 60_000;

interface VerifiedList {
  issuer: string;
  purposes: string[];
  bits: Uint8Array;
  validFrom: number | undefined;
  validUntil: number | undefined;
  cachedUntil: number;
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
  const cache = new Map<string, VerifiedList>();
  const loading = new Map<string, Promise<VerifiedList>>();

  /** Fetches and verifies a list; what does not depend on the credential is checked once here. */
  const loadList = async (url: string): Promise<VerifiedList> => {
    let document: unknown;
    try {
      document = await options.fetchJson(url);
    } catch (error) {
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
    const at = now();
    const validFrom = dateOf(list.validFrom);
    const validUntil = dateOf(list.validUntil);
    if (validFrom !== undefined && validFrom - CLOCK_SKEW_MS > at.getTime()) throw new ListRefused(STATUS_CHECK_CODES.notYetValid, `The status list ${url} is not valid before ${String(list.validFrom)}`);
    if (validUntil !== undefined && validUntil <= at.getTime()) throw new ListRefused(STATUS_CHECK_CODES.expired, `The status list ${url} expired at ${String(list.validUntil)}`);
    let verified;
    try {
      verified = await vc.verifyCredential({ credential: list, suite: suites, documentLoader: options.documentLoader, now: at });
    } catch (error) {
      verified = { verified: false, error };
    }
    if (!verified.verified) throw new ListRefused(STATUS_CHECK_CODES.signatureInvalid, `The status list ${url} failed proof verification: ${describeProofFailure(verified)}`);
    let bits: Uint8Array;
    try {
      bits = decodeStatusList(subject.encodedList as string);
    } catch (error) {
      throw new ListRefused(STATUS_CHECK_CODES.malformed, `The status list ${url} cannot be decoded: ${(error as Error).message}`);
    }
    if (bits.length * 8 < MIN_STATUS_LIST_LENGTH) {
      throw new ListRefused(STATUS_CHECK_CODES.tooSmall, `The status list ${url} holds ${bits.length * 8} entries, fewer than the ${MIN_STATUS_LIST_LENGTH} the spec requires for herd privacy`);
    }
    // `ttl` is the issuer's advice in milliseconds; our own ceiling keeps a revocation from hiding long.
    const ttl = typeof subject.ttl === 'number' && subject.ttl >= 0 ? subject.ttl : DEFAULT_STATUS_LIST_TTL_MS;
    return {
      issuer: idOf(list.issuer) ?? '',
      purposes: asArray(subject.statusPurpose).filter((p): p is string => typeof p === 'string'),
      bits,
      validFrom,
      validUntil,
      cachedUntil: at.getTime() + Math.min(ttl, maxCacheMs),
    };
  };

  const verifiedList = async (url: string): Promise<VerifiedList> => {
    const cached = cache.get(url);
    if (cached && cached.cachedUntil > now().getTime()) return cached;
    let pending = loading.get(url);
    if (!pending) {
      pending = loadList(url).finally(() => loading.delete(url));
      loading.set(url, pending);
    }
    const list = await pending;
    // Only a list that passed every check is reused; a refused one is fetched again next time.
    if (maxCacheMs > 0 && !options.uncached?.(url)) cache.set(url, list);
    return list;
  };

  const checkEntry = async (credential: Json, value: unknown): Promise<StatusCheckResult> => {
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
    let list: VerifiedList;
    try {
      list = await verifiedList(url);
    } catch (error) {
      if (error instanceof ListRefused) return refuse(error.code, error.message, url);
      return refuse(STATUS_CHECK_CODES.listInvalid, `The status list ${url} could not be checked: ${(error as Error).message}`, url);
    }
    const at = now().getTime();
    if (list.validUntil !== undefined && list.validUntil <= at) return refuse(STATUS_CHECK_CODES.expired, `The status list ${url} has expired`, url);
    if (list.validFrom !== undefined && list.validFrom - CLOCK_SKEW_MS > at) return refuse(STATUS_CHECK_CODES.notYetValid, `The status list ${url} is not yet valid`, url);
    const issuer = idOf(credential.issuer);
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

  return async (credential) => Promise.all(asArray(credential.credentialStatus).map((entry) => checkEntry(credential, entry)));
}
