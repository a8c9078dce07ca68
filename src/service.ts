// The composition root: one function builds the running service (runtime, issuance with its
// signing pool and batch runner, the app and its dependencies) for `src/server.ts`, and the
// same dependencies for the CLI, so the server, the CLI and the tests issue the same badges with
// the same status lists, claim links and checks. A caller that needs something different (a
// test with another rate-limit key, say) says so through `adjust`; nothing is switched off by
// building the service another way.
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { createApp, createVerifierApp } from './app.js';
import type { Config } from './config.js';
import type { AppDeps, VerifierDeps } from './http/deps.js';
import { masteryDepsFor } from './http/educators.js';
import { refusalAuditFor } from './http/refusalAudit.js';
import { createImportRunner } from './educators/importRunner.js';
import { startIssuance, type Issuance } from './issuance.js';
import { createRuntime, createVerifierRuntime, type Runtime, type VerifierRuntime } from './runtime.js';

/** The dependencies every entry point derives from a runtime: the app's, the CLI's, the batch runner's. */
export function serviceDeps(runtime: Runtime): AppDeps {
  const { config } = runtime;
  return {
    ...runtime,
    baseUrl: config.baseUrl,
    bodyLimit: config.bodyLimit,
    batchBodyLimit: config.batchBodyLimit,
    rateLimitPerMinute: config.rateLimitPerMinute,
    oidc: config.oidc,
    oid4vciTxCode: config.oid4vciTxCode,
  };
}

export interface Service {
  runtime: Runtime;
  issuance: Issuance;
  /** What the app was built from (signing through the pool when there is one). */
  deps: AppDeps;
  app: Hono;
  /** Stops taking batch rows, lets signing finish, stops the workers, closes the database. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Changes to the dependencies before the app is built; each use says why. */
  adjust?: ((deps: AppDeps, runtime: Runtime) => AppDeps | Promise<AppDeps>) | undefined;
}

export async function createService(config: Readonly<Config>, logger: Logger, options: ServiceOptions = {}): Promise<Service> {
  const runtime = await createRuntime(config, logger);
  try {
    let base = serviceDeps(runtime);
    if (options.adjust) base = await options.adjust(base, runtime);
    // Signing in worker threads for every award (single and batch): HTTP stays responsive while
    // a batch signs, and both cores work. The award transaction stays here, with the database.
    const issuance = startIssuance(base, {
      workers: config.signingWorkers,
      fastPath: config.signingFastPath,
      extraContextsDir: config.extraContextsDir,
      batchLeaseMs: config.batchLeaseSeconds * 1000,
      nodeId: config.nodeId,
    });
    const deps: AppDeps = { ...base, issuer: issuance.issuer, batches: issuance.batches, committer: issuance.committer };
    // CSV imports of educators and observations run in the background like award batches, on the same leases.
    deps.imports ??= createImportRunner({ store: deps.store, logger, now: deps.now, mastery: (actor) => masteryDepsFor(deps, actor), leaseMs: config.batchLeaseSeconds * 1000, nodeId: config.nodeId });
    // Verification canonicalizes in the same workers, so it uses every core too (issue 20).
    const pool = issuance.pool;
    if (pool) runtime.verifyOffload.canonize = (input, o) => pool.canonize(input, o);
    const app = createApp(deps);
    let closed: Promise<void> | undefined;
    return {
      runtime,
      issuance,
      deps,
      app,
      close() {
        // The mail loop finishes the message it is sending and closes its SMTP connections first.
        runtime.verifyOffload.canonize = undefined;
        runtime.signInMail?.transport.close();
        closed ??= Promise.allSettled([issuance.close(), deps.imports?.close(), runtime.mail?.close()]).then(async () => {
          // Refusals counted in memory since the last audit row are written before the database
          // closes, and status indexes leased for awards that never came are given back.
          await Promise.allSettled([refusalAuditFor(runtime.store).flush(), runtime.status.close()]);
          await runtime.store.close();
          await runtime.issuer.key.close();
        });
        return closed;
      },
    };
  } catch (error) {
    await runtime.store.close();
    throw error;
  }
}

export interface VerifierService {
  runtime: VerifierRuntime;
  deps: VerifierDeps;
  app: Hono;
  close(): Promise<void>;
}

/** EDUCRED_ROLE=verifier: the verifier's routes on their own, with no issuer and no issuance. */
export async function createVerifierService(config: Readonly<Config>, logger: Logger, options: { adjust?: ((deps: VerifierDeps) => VerifierDeps) | undefined } = {}): Promise<VerifierService> {
  const runtime = await createVerifierRuntime(config, logger);
  let deps: VerifierDeps = { store: runtime.store, baseUrl: config.baseUrl, bodyLimit: config.bodyLimit, logger, verifier: runtime.verifier, requestKey: runtime.requestKey, fetchDocument: runtime.fetchDocument, federation: runtime.federation, rateLimitPerMinute: config.rateLimitPerMinute };
  if (options.adjust) deps = options.adjust(deps);
  const app = createVerifierApp(deps);
  let closed: Promise<void> | undefined;
  return {
    runtime,
    deps,
    app,
    close() {
      closed ??= refusalAuditFor(runtime.store)
        .flush()
        .catch(() => {})
        .then(() => runtime.store.close());
      return closed;
    },
  };
}
