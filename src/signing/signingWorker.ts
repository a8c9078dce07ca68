// Worker-thread entry of the signing pool: reaches the issuer key once (a key file it imports, or
// the main thread's key provider, which signs the bytes it is sent), builds its offline document
// loader once, then canonicalizes and signs the credentials the main thread sends.
// It signs with the very function the main thread uses (signCredential), so a pooled proof is
// byte-for-byte the one single-threaded signing would make for the same `created` time.
import { parentPort, workerData } from 'node:worker_threads';
import { dereferenceDidUrl, resolveDidKey } from './did.js';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { createContextLookup, createDocumentLoader, DocumentNotAllowedError, loadExtraContexts, type RemoteDocument } from './documentLoader.js';
import { signerFor } from './keyProvider.js';
import type { WorkerKeySource } from './keyProvider.js';
import { importIssuerKey, readKeyFile, type Signer } from './keys.js';
import { signCredential, useSigningFastPath } from './suites.js';
import { createFastCanonizer, type Canonize } from './fastCanonize.js';
import {
  serializeError,
  type CanonizeJob,
  type CanonizeResult,
  type KeySignAnswer,
  type KeySignRequest,
  type LoadAnswer,
  type LoadRequest,
  type SignJob,
  type SignResult,
  type SigningWorkerData,
  type WorkerStartup,
} from './workerMessages.js';

export type { SigningWorkerData } from './workerMessages.js';

async function start(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('signingWorker.ts runs only as a worker thread (see signingPool.ts)');
  const data = workerData as SigningWorkerData;
  useSigningFastPath(data.fastPath ?? true);
  const keySigns = new Map<number, { resolve(signature: Uint8Array): void; reject(error: Error): void }>();
  let nextKeySign = 1;
  const signInMainThread =
    (job: number) =>
    (bytes: Uint8Array): Promise<Uint8Array> =>
      new Promise((resolve, reject) => {
        const keySign = nextKeySign++;
        keySigns.set(keySign, { resolve, reject });
        port.postMessage({ keySign, job, data: bytes } satisfies KeySignRequest);
      });
  // Key files imported by this worker, by path: the start-up key, and any key rotated to since.
  const keyFiles = new Map<string, ReturnType<typeof importIssuerKey>>();
  const keyFile = (file: string): ReturnType<typeof importIssuerKey> => {
    let imported = keyFiles.get(file);
    if (!imported) {
      imported = importIssuerKey(readKeyFile(file), file);
      keyFiles.set(file, imported);
      imported.catch(() => keyFiles.delete(file));
    }
    return imported;
  };
  const signerOf = async (key: WorkerKeySource, verificationMethod: string, job: number): Promise<Signer> =>
    signerFor(key.kind === 'file' ? await keyFile(key.keyFile) : { sign: signInMainThread(job) }, verificationMethod);
  // Verification canonicalizes here too: contexts from the pinned set, anything else from the
  // main thread's loader for that job (it owns the request's budget and caches).
  const contexts = createContextLookup(loadExtraContexts(data.extraContextsDir));
  const loads = new Map<number, { resolve(document: RemoteDocument): void; reject(error: Error): void }>();
  let nextLoad = 1;
  const loaderForJob =
    (job: number) =>
    async (url: string): Promise<RemoteDocument> => {
      const context = contexts(url);
      if (context) return context;
      return new Promise((resolve, reject) => {
        const load = nextLoad++;
        loads.set(load, { resolve, reject });
        port.postMessage({ load, job, url } satisfies LoadRequest);
      });
    };
  // Through the fast path, as the main thread's verifier does (the same result).
  const { canonize } = createFastCanonizer(eddsaRdfc2022.canonize as Canonize);
  const ready = (async () => {
    if (data.key.kind === 'file') await keyFile(data.key.keyFile);
    const didDocument = data.didDocument;
    const resolveDid = async (didUrl: string): Promise<unknown> => {
      if (didUrl.startsWith('did:key:')) return resolveDidKey(didUrl);
      const found = didDocument && didUrl.split('#')[0] === didDocument.id ? dereferenceDidUrl(didDocument, didUrl) : undefined;
      if (found) return found;
      throw new Error(`Cannot resolve '${didUrl}' offline`);
    };
    return { documentLoader: createDocumentLoader({ resolveDid, extraContexts: loadExtraContexts(data.extraContextsDir) }) };
  })();
  ready.then(
    () => port.postMessage({ ready: true } satisfies WorkerStartup),
    (error: unknown) => port.postMessage({ startupError: serializeError(error) } satisfies WorkerStartup),
  );
  // Listen at once: jobs sent while the key is being imported wait on `ready`, none is lost.
  port.on('message', (message: SignJob | KeySignAnswer | CanonizeJob | LoadAnswer) => {
    if ('load' in message) {
      const waiting = loads.get(message.load);
      loads.delete(message.load);
      if ('document' in message) waiting?.resolve(message.document as RemoteDocument);
      else if (message.error.code === 'document_not_allowed' && message.error.url !== undefined) waiting?.reject(new DocumentNotAllowedError(message.error.url));
      else waiting?.reject(Object.assign(new Error(message.error.message), { name: message.error.name, code: message.error.code }));
      return;
    }
    if ('canonize' in message) {
      const { id, canonize: work } = message;
      canonize(work.input, { ...work.options, documentLoader: loaderForJob(id) }).then(
        (canonical) => port.postMessage({ id, canonical } satisfies CanonizeResult),
        (error: unknown) => port.postMessage({ id, error: serializeError(error) } satisfies CanonizeResult),
      );
      return;
    }
    if ('keySign' in message) {
      const waiting = keySigns.get(message.keySign);
      keySigns.delete(message.keySign);
      if ('signature' in message) waiting?.resolve(message.signature);
      else waiting?.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
      return;
    }
    const job = message;
    void (async (): Promise<SignResult> => {
      try {
        const { documentLoader } = await ready;
        const signer = await signerOf(job.key ?? data.key, job.verificationMethod ?? data.verificationMethod, job.id);
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
