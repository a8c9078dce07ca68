// Worker-thread entry of the signing pool: imports the issuer key once, builds its offline
// document loader once, then canonicalizes and signs the credentials the main thread sends.
// It signs with the very function the main thread uses (signCredential), so a pooled proof is
// byte-for-byte the one single-threaded signing would make for the same `created` time.
import { parentPort, workerData } from 'node:worker_threads';
import type { ProofSuiteName } from '../config.js';
import { dereferenceDidUrl, resolveDidKey } from './did.js';
import { createDocumentLoader, DocumentNotAllowedError, loadExtraContexts } from './documentLoader.js';
import { importIssuerKey, readKeyFile } from './keys.js';
import { signCredential, type JsonObject } from './suites.js';

/** What a worker is started with. The key travels as a file path, never as key material. */
export interface SigningWorkerData {
  keyFile: string;
  verificationMethod: string;
  suite: ProofSuiteName;
  extraContextsDir?: string | undefined;
  /** The issuer's own DID document (public), so a did:web issuer resolves offline as in the main thread. */
  didDocument?: Record<string, unknown> | undefined;
}

export interface SignJob {
  id: number;
  credential: JsonObject;
  suite?: ProofSuiteName | undefined;
  /** ISO date-time of the proof; absent means "now" in the worker. */
  created?: string | undefined;
}

/** An error as it crosses the thread boundary: the fields callers inspect to explain a failure. */
export interface SerializedSigningError {
  name: string;
  message: string;
  code?: string | undefined;
  url?: string | undefined;
  details?: unknown;
}

export type SignResult = { id: number; signed: JsonObject } | { id: number; error: SerializedSigningError };

/** What a worker says once, after start-up: ready to sign, or why it cannot. */
export type WorkerStartup = { ready: true } | { startupError: SerializedSigningError };

function serializeError(error: unknown): SerializedSigningError {
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

async function start(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('signingWorker.ts runs only as a worker thread (see signingPool.ts)');
  const data = workerData as SigningWorkerData;
  const ready = (async () => {
    const key = await importIssuerKey(readKeyFile(data.keyFile));
    const didDocument = data.didDocument;
    const resolveDid = async (didUrl: string): Promise<unknown> => {
      if (didUrl.startsWith('did:key:')) return resolveDidKey(didUrl);
      const found = didDocument && didUrl.split('#')[0] === didDocument.id ? dereferenceDidUrl(didDocument, didUrl) : undefined;
      if (found) return found;
      throw new Error(`Cannot resolve '${didUrl}' offline`);
    };
    return {
      signer: key.signerFor(data.verificationMethod),
      documentLoader: createDocumentLoader({ resolveDid, extraContexts: loadExtraContexts(data.extraContextsDir) }),
    };
  })();
  ready.then(
    () => port.postMessage({ ready: true } satisfies WorkerStartup),
    (error: unknown) => port.postMessage({ startupError: serializeError(error) } satisfies WorkerStartup),
  );
  // Listen at once: jobs sent while the key is being imported wait on `ready`, none is lost.
  port.on('message', (job: SignJob) => {
    void (async (): Promise<SignResult> => {
      try {
        const { signer, documentLoader } = await ready;
        const signed = await signCredential(job.credential, {
          suite: job.suite ?? data.suite,
          signer,
          documentLoader,
          created: job.created === undefined ? undefined : new Date(job.created),
        });
        return { id: job.id, signed };
      } catch (error) {
        return { id: job.id, error: serializeError(error) };
      }
    })().then((result) => port.postMessage(result));
  });
}

await start();
