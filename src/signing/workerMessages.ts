// The messages between the signing pool (main thread) and its workers, and how an error crosses
// the thread boundary with the fields callers inspect to explain a failure.
import type { ProofSuiteName } from '../config.js';
import { DocumentNotAllowedError } from './documentLoader.js';
import type { WorkerKeySource } from './keyProvider.js';
import type { JsonObject } from './suites.js';

/** What a worker is started with. Key material never crosses threads: a file path at most. */
export interface SigningWorkerData {
  key: WorkerKeySource;
  verificationMethod: string;
  suite: ProofSuiteName;
  extraContextsDir?: string | undefined;
  /** The issuer's own DID document (public), so a did:web issuer resolves offline as in the main thread. */
  didDocument?: Record<string, unknown> | undefined;
  /** Sign Open Badges through the fast path (EDUCRED_SIGNING_FAST_PATH). */
  fastPath?: boolean | undefined;
}

export interface SignJob {
  id: number;
  credential: JsonObject;
  suite?: ProofSuiteName | undefined;
  /** ISO date-time of the proof; absent means "now" in the worker. */
  created?: string | undefined;
  /** The key of this job (after a rotation, another than the worker started with); absent: the start-up key. */
  key?: WorkerKeySource | undefined;
  verificationMethod?: string | undefined;
}

/**
 * Verification work sent to a worker: RDF canonicalization of a document (or a proof
 * configuration) with the suite's own conversion options. Contexts load in the worker from the
 * pinned set; any other URL is asked of the main thread (LoadRequest), whose loader owns the
 * request's budget and caches.
 */
export interface CanonizeJob {
  id: number;
  canonize: { input: unknown; options: Record<string, unknown> };
}
export type CanonizeResult = { id: number; canonical: string } | { id: number; error: SerializedSigningError };

/** A worker's canonicalization needs a document its pinned contexts do not hold. */
export interface LoadRequest {
  load: number;
  job: number;
  url: string;
}
export type LoadAnswer = { load: number; document: unknown } | { load: number; error: SerializedSigningError };

/** An error as it crosses the thread boundary: the fields callers inspect to explain a failure. */
export interface SerializedSigningError {
  name: string;
  message: string;
  code?: string | undefined;
  url?: string | undefined;
  details?: unknown;
}

export type SignResult = { id: number; signed: JsonObject } | { id: number; error: SerializedSigningError };

/** A worker without key access asks the main thread to sign a proof's bytes (`workerKey: main-thread`). */
export interface KeySignRequest {
  keySign: number;
  /** The job whose proof this is: the main thread signs with that job's key. */
  job: number;
  data: Uint8Array;
}
export type KeySignAnswer = { keySign: number; signature: Uint8Array } | { keySign: number; error: SerializedSigningError };

/** What a worker says once, after start-up: ready to sign, or why it cannot. */
export type WorkerStartup = { ready: true } | { startupError: SerializedSigningError };

export function serializeError(error: unknown): SerializedSigningError {
  const e = error as { name?: unknown; message?: unknown; code?: unknown; details?: unknown; cause?: unknown };
  const notAllowed = error instanceof DocumentNotAllowedError ? error : e.cause instanceof DocumentNotAllowedError ? e.cause : undefined;
  let details: unknown;
  try {
    // jsonld puts the safe-mode event in `details`; keep only its JSON-safe part.
    details = e.details === undefined ? undefined : (JSON.parse(JSON.stringify(e.details)) as unknown);
  } catch {
    details = undefined;
  }
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : String(error),
    code: notAllowed ? notAllowed.code : typeof e.code === 'string' ? e.code : undefined,
    url: notAllowed?.url,
    details,
  };
}

