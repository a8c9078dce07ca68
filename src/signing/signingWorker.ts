// Worker-thread entry of the signing pool: reaches the issuer key once (a key file it imports, or
// the main thread's key provider, which signs the bytes it is sent), builds its offline document
// loader once, then canonicalizes and signs the credentials the main thread sends.
// It signs with the very function the main thread uses (signCredential), so a pooled proof is
// byte-for-byte the one single-threaded signing would make for the same `created` time.
import { parentPort, workerData } from 'node:worker_threads';
import { dereferenceDidUrl, resolveDidKey } from './did.js';
import { createDocumentLoader, loadExtraContexts } from './documentLoader.js';
import { signerFor } from './keyProvider.js';
import { importIssuerKey, readKeyFile } from './keys.js';
import { signCredential } from './suites.js';
import { serializeError, type KeySignAnswer, type KeySignRequest, type SignJob, type SignResult, type SigningWorkerData, type WorkerStartup } from './workerMessages.js';

export type { SigningWorkerData } from './workerMessages.js';

async function start(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('signingWorker.ts runs only as a worker thread (see signingPool.ts)');
  const data = workerData as SigningWorkerData;
  const keySigns = new Map<number, { resolve(signature: Uint8Array): void; reject(error: Error): void }>();
  let nextKeySign = 1;
  const signInMainThread = (bytes: Uint8Array): Promise<Uint8Array> =>
    new Promise((resolve, reject) => {
      const keySign = nextKeySign++;
      keySigns.set(keySign, { resolve, reject });
      port.postMessage({ keySign, data: bytes } satisfies KeySignRequest);
    });
  const ready = (async () => {
    const key = data.key.kind === 'file' ? await importIssuerKey(readKeyFile(data.key.keyFile), data.key.keyFile) : { sign: signInMainThread };
    const didDocument = data.didDocument;
    const resolveDid = async (didUrl: string): Promise<unknown> => {
      if (didUrl.startsWith('did:key:')) return resolveDidKey(didUrl);
      const found = didDocument && didUrl.split('#')[0] === didDocument.id ? dereferenceDidUrl(didDocument, didUrl) : undefined;
      if (found) return found;
      throw new Error(`Cannot resolve '${didUrl}' offline`);
    };
    return {
      signer: signerFor(key, data.verificationMethod),
      documentLoader: createDocumentLoader({ resolveDid, extraContexts: loadExtraContexts(data.extraContextsDir) }),
    };
  })();
  ready.then(
    () => port.postMessage({ ready: true } satisfies WorkerStartup),
    (error: unknown) => port.postMessage({ startupError: serializeError(error) } satisfies WorkerStartup),
  );
  // Listen at once: jobs sent while the key is being imported wait on `ready`, none is lost.
  port.on('message', (message: SignJob | KeySignAnswer) => {
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
