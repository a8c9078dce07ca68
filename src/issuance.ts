// Issuance for a long-running process (the server, `educred issue --csv`): the signing pool,
// the issuer that signs in it (same suite, same verification method, identical proofs), and the
// batch runner on top. The award transaction stays on the main thread with the database.
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { createBatchRunner, type BatchRunner } from './awards/batchRunner.js';
import type { StatusAllocator } from './awards/issueAward.js';
import type { CompetencyFramework } from './competencies/framework.js';
import type { MailDelivery } from './mail/delivery.js';
import type { Issuer } from './signing/issuer.js';
import { createGroupCommitter, type GroupCommitter } from './awards/groupCommit.js';
import { createSigningPool, withSigningPool, type SigningPool } from './signing/signingPool.js';
import type { Store } from './store/store.js';

export interface IssuanceDeps {
  store: Store;
  issuer: Issuer;
  framework: CompetencyFramework;
  baseUrl: string;
  logger: Logger;
  status?: StatusAllocator | undefined;
  /** For each awarded row's claim link (src/claims/claimLink.ts). */
  claimSecret: KeyObject;
  claimTtlDays?: number | undefined;
  /** Woken when a notify batch queues claim emails. */
  mail?: MailDelivery | undefined;
}

export interface IssuanceOptions {
  /** How long a node holds the batch rows it took (ms). */
  batchLeaseMs?: number | undefined;
  /** This process's name in batch row leases (the server's is stable across restarts; absent: random). */
  nodeId?: string | undefined;
  /** Signing worker threads; 0 signs on the main thread. */
  workers: number;
  extraContextsDir?: string | undefined;
  /** Sign Open Badges through the fast path in the workers (default on). */
  fastPath?: boolean | undefined;
}

export interface Issuance {
  issuer: Issuer;
  batches: BatchRunner;
  pool: SigningPool | undefined;
  /** Single awards and VC-API issues share commits through it (src/awards/groupCommit.ts, adaptive). */
  committer: GroupCommitter;
  /** Stops taking batch rows, lets the rows being signed finish, then stops the workers. */
  close(): Promise<void>;
}

export function startIssuance(deps: IssuanceDeps, options: IssuanceOptions): Issuance {
  const pool =
    options.workers > 0
      ? createSigningPool({
          size: options.workers,
          // A key file is imported by each worker; any other key signs here (src/signing/keyProvider.ts).
          key: deps.issuer.key,
          verificationMethod: deps.issuer.identity.verificationMethod,
          suite: deps.issuer.suite,
          extraContextsDir: options.extraContextsDir,
          didDocument: deps.issuer.didDocument(),
          fastPath: options.fastPath,
        })
      : undefined;
  const issuer = pool ? withSigningPool(deps.issuer, pool) : deps.issuer;
  // A few rows per worker keep every worker busy while the main thread stores finished awards.
  const batches = createBatchRunner({ ...deps, issuer, concurrency: (pool?.size ?? 1) * 4, leaseMs: options.batchLeaseMs, nodeId: options.nodeId });
  const committer = createGroupCommitter(deps.store, { adaptive: true });
  return {
    issuer,
    batches,
    pool,
    committer,
    async close() {
      await batches.close();
      await pool?.close();
    },
  };
}
