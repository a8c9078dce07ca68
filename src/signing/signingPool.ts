// A pool of worker threads that canonicalize and sign credentials, so signing uses every core
// and the main thread (HTTP, SQLite) stays free to answer while a batch signs. Each worker
// builds its document loader once and imports a key file itself (signingWorker.ts); for a key it
// cannot open (a PKCS#11 token, opened once per process) it sends each proof's bytes back here,
// where the key provider signs them. The pool routes jobs to the least busy worker.
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ProofSuiteName } from '../config.js';
import { timeSigning } from '../metrics.js';
import { DocumentNotAllowedError, type DocumentLoader } from './documentLoader.js';
import type { Issuer } from './issuer.js';
import type { KeyProvider } from './keyProvider.js';
import {
  serializeError,
  type CanonizeJob,
  type CanonizeResult,
  type KeySignAnswer,
  type KeySignRequest,
  type LoadAnswer,
  type LoadRequest,
  type SerializedSigningError,
  type SignJob,
  type SignResult,
  type SigningWorkerData,
  type WorkerStartup,
} from './workerMessages.js';
import type { SigningKey } from './keyRing.js';
import type { JsonObject } from './suites.js';

export interface SigningPool {
  readonly size: number;
  /**
   * Signs with `key` (what withSigningPool passes: the issuer's current key), or without it with
   * the key and verification method the pool was started with.
   */
  sign(credential: JsonObject, options?: { suite?: ProofSuiteName | undefined; created?: Date | undefined; key?: SigningKey | undefined }): Promise<JsonObject>;
  /**
   * eddsa-rdfc-2022's canonicalization in a worker, for verification on every core: the same
   * function with the same options; URLs other than pinned contexts load through
   * `options.documentLoader` here, on the main thread.
   */
  canonize(input: unknown, options: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export interface SigningPoolOptions extends Omit<SigningWorkerData, 'key'> {
  /** The issuer's key provider: workers import its file, or send it the bytes to sign. */
  key: KeyProvider;
  /** Number of worker threads; defaults to the cores Node may use. */
  size?: number | undefined;
  /**
   * Jobs handed to one worker before it answers. More than one hides the message round trip;
   * a few is enough, and the rest wait in the pool so memory stays bounded by the caller.
   */
  jobsPerWorker?: number | undefined;
}

interface Pending {
  resolve(value: never): void;
  reject(error: Error): void;
  /** A canonicalization job's loader, for what the worker cannot load itself. */
  documentLoader?: DocumentLoader | undefined;
  /** Who signs the bytes a worker sends back for this job (a key it cannot open itself). */
  key?: Pick<KeyProvider, 'sign'> | undefined;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Pending>;
  /** True once the worker imported the key; only such a worker is replaced when it dies. */
  ready: boolean;
}

export const defaultPoolSize = (): number => Math.max(1, os.availableParallelism());

/** Rebuilds a worker's error so callers can explain it as they would a local one. */
function reviveError(serialized: SerializedSigningError): Error {
  if (serialized.code === 'document_not_allowed' && serialized.url !== undefined) return new DocumentNotAllowedError(serialized.url);
  const error = new Error(serialized.message) as Error & { details?: unknown; code?: string };
  error.name = serialized.name;
  if (serialized.details !== undefined) error.details = serialized.details;
  if (serialized.code !== undefined) error.code = serialized.code;
  return error;
}

/**
 * Starts the worker module next to this one: the compiled .js in production; under tsx or
 * vitest the .ts source, loaded through tsx's ESM hooks registered inside the worker (hooks
 * registered in the parent thread do not reach a worker on Node 20).
 */
function startWorker(workerData: SigningWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./signingWorker.js', import.meta.url), { workerData });
  // The ESM build of tsx's API (resolving 'tsx/esm/api' from here would pick its CommonJS build).
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsxApi = pathToFileURL(path.join(path.dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./signingWorker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

export function createSigningPool(options: SigningPoolOptions): SigningPool {
  const size = options.size ?? defaultPoolSize();
  if (!Number.isInteger(size) || size < 1) throw new Error(`A signing pool needs at least one worker (got ${size})`);
  const jobsPerWorker = options.jobsPerWorker ?? 4;
  const workerData: SigningWorkerData = {
    key: options.key.workerKey,
    verificationMethod: options.verificationMethod,
    suite: options.suite,
    extraContextsDir: options.extraContextsDir,
    didDocument: options.didDocument,
    fastPath: options.fastPath,
  };
  const queue: Array<{ job: SignJob | CanonizeJob; pending: Pending }> = [];
  let nextId = 1;
  let closed = false;

  const dispatch = (): void => {
    while (queue.length > 0) {
      let best: Slot | undefined;
      for (const slot of slots) if (slot.inFlight.size < jobsPerWorker && (!best || slot.inFlight.size < best.inFlight.size)) best = slot;
      if (!best) return;
      const next = queue.shift();
      if (!next) return;
      best.inFlight.set(next.job.id, next.pending);
      best.worker.postMessage(next.job);
    }
  };

  // Set when a worker cannot start (unreadable key file, broken install): retrying would only
  // fail again, so every job is refused with the reason instead.
  let broken: Error | undefined;
  const breakPool = (error: Error): void => {
    broken ??= new Error(`The signing pool cannot start: ${error.message}`, { cause: error });
    for (const { pending } of queue.splice(0)) pending.reject(broken);
  };

  const spawn = (): Slot => {
    const worker = startWorker(workerData);
    const slot: Slot = { worker, inFlight: new Map(), ready: false };
    worker.on('message', (message: SignResult | CanonizeResult | WorkerStartup | KeySignRequest | LoadRequest) => {
      if ('load' in message) {
        const { load } = message;
        const loader = slot.inFlight.get(message.job)?.documentLoader;
        const answer = loader ? loader(message.url) : Promise.reject(new DocumentNotAllowedError(message.url));
        answer.then(
          (document) => worker.postMessage({ load, document } satisfies LoadAnswer),
          (error: unknown) => worker.postMessage({ load, error: serializeError(error) } satisfies LoadAnswer),
        );
        return;
      }
      if ('keySign' in message) {
        const { keySign } = message;
        const key = slot.inFlight.get(message.job)?.key ?? options.key;
        key.sign(message.data).then(
          (signature) => worker.postMessage({ keySign, signature } satisfies KeySignAnswer),
          (error: unknown) => worker.postMessage({ keySign, error: serializeError(error) } satisfies KeySignAnswer),
        );
        return;
      }
      if ('ready' in message) {
        slot.ready = true;
        return;
      }
      if ('startupError' in message) {
        breakPool(reviveError(message.startupError));
        return;
      }
      const pending = slot.inFlight.get(message.id);
      if (!pending) return;
      slot.inFlight.delete(message.id);
      if ('signed' in message) (pending.resolve as (signed: JsonObject) => void)(message.signed);
      else if ('canonical' in message) (pending.resolve as (canonical: string) => void)(message.canonical);
      else pending.reject(reviveError(message.error));
      dispatch();
    });
    // A worker that dies takes its jobs with it: fail them (the caller's transaction never ran)
    // and start a replacement, so one bad job cannot stop the pool.
    const fail = (error: Error): void => {
      for (const pending of slot.inFlight.values()) pending.reject(new Error(`A signing worker stopped: ${error.message}`, { cause: error }));
      slot.inFlight.clear();
      const index = slots.indexOf(slot);
      if (index < 0 || closed) return;
      if (!slot.ready) {
        breakPool(error);
        return;
      }
      slots[index] = spawn();
      dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!closed && slots.includes(slot)) fail(new Error(`exit code ${code}`));
    });
    return slot;
  };
  const slots: Slot[] = [];
  for (let i = 0; i < size; i++) slots.push(spawn());

  return {
    size,
    sign(credential, o = {}) {
      if (closed) return Promise.reject(new Error('The signing pool is closed'));
      if (broken) return Promise.reject(broken);
      return new Promise<JsonObject>((resolve, reject) => {
        const key = o.key ? { key: o.key.provider.workerKey, verificationMethod: o.key.verificationMethod } : {};
        queue.push({ job: { id: nextId++, credential, suite: o.suite, created: o.created?.toISOString(), ...key }, pending: { resolve, reject, key: o.key?.provider ?? options.key } });
        dispatch();
      });
    },
    canonize(input, o) {
      if (closed) return Promise.reject(new Error('The signing pool is closed'));
      if (broken) return Promise.reject(broken);
      // Functions do not cross threads: the loader stays here, the other options go along.
      const { documentLoader, ...rest } = o;
      const options = Object.fromEntries(Object.entries(rest).filter(([, v]) => typeof v !== 'function'));
      return new Promise<string>((resolve, reject) => {
        queue.push({ job: { id: nextId++, canonize: { input, options } }, pending: { resolve, reject, documentLoader: documentLoader as DocumentLoader | undefined } });
        dispatch();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const { pending } of queue.splice(0)) pending.reject(new Error('The signing pool was closed'));
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}

/** The same issuer, signing in the pool: same suite, same (current) key, same output. */
export function withSigningPool(issuer: Issuer, pool: SigningPool): Issuer {
  return {
    ...issuer,
    sign: async (credential, options = {}) => {
      const key = options.key ?? (await issuer.signingKey());
      return timeSigning(options.suite ?? issuer.suite, () => pool.sign(credential, { ...options, key }));
    },
  };
}
